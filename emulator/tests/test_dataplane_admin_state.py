"""Admin state and IP-based pools at work: real TCP connections to the tutorial's frontend while
members' admin state changes, on its NIC-based pool and on a pool of the VMs' IP addresses.

As "Administrative State (Admin State) in Azure Load Balancer" says: `Down` takes no new flows
whatever the probe says while established TCP connections continue; `Up` takes new flows
whatever the probe says; `None` follows the probe. The rule health view says `Down_Admin` /
`Up_Admin` ("Manage Azure Load Balancer health status").
"""

from __future__ import annotations

import uuid

import pytest
from azure.mgmt.network import models

from azemu.testing import Azemu
from dataplane_lab import VM_NAMES, Lab, Sdk, answered_by, idle_connection, wait_until

TIME_SCALE = 25.0
INTERVAL, THRESHOLD = 5, 2
DETECTION = INTERVAL * THRESHOLD / TIME_SCALE
SLACK = 10.0
ALL_UP = {vm: "Up" for vm in VM_NAMES}


class AdminLab(Lab):
    def pool(self, name: str) -> dict:
        return self.sdk.network.load_balancer_backend_address_pools.get(self.rg, "myLoadBalancer", name).as_dict()

    def set_admin_state(self, vm: str, state: str, pool: str = "myBackEndPool") -> None:
        """Read the pool, set the state of the VM's entry, write it back (as az's address update does)."""
        body = self.pool(pool)
        ipconfig = self.nic_id(vm).lower() + "/ipconfigurations/ipconfig1"
        [entry] = [e for e in body["properties"]["loadBalancerBackendAddresses"]
                   if e["properties"].get("networkInterfaceIPConfiguration", {}).get("id", "").lower() == ipconfig]
        entry["properties"]["adminState"] = state
        self.sdk.network.load_balancer_backend_address_pools.begin_create_or_update(
            self.rg, "myLoadBalancer", pool, models.BackendAddressPool(body)).result()

    def rule_health(self) -> dict:
        """As Lab.rule_health, plus {ipAddress: (state, reason)} of the addresses no NIC holds."""
        result = self.sdk.network.load_balancer_load_balancing_rules.begin_health(
            self.rg, "myLoadBalancer", "myHTTPRule").result()
        out = {"up": result.up, "down": result.down}
        for entry in result.load_balancer_backend_addresses or []:
            ipconfig = entry.network_interface_ip_configuration_id
            who = "myVM" + ipconfig.split("/")[8][len("myNicVM"):] if ipconfig else entry.ip_address
            out[who] = (entry.state, entry.reason)
        return out

    def use_pool(self, pool: str) -> None:
        lbs = self.sdk.network.load_balancers
        body = lbs.get(self.rg, "myLoadBalancer").as_dict()
        rule = body["properties"]["loadBalancingRules"][0]["properties"]
        rule["backendAddressPool"] = {"id": f"{self.ids['lb']}/backendAddressPools/{pool}"}
        rule.pop("backendAddressPools", None)
        lbs.begin_create_or_update(self.rg, "myLoadBalancer", models.LoadBalancer(body)).result()

    def connection_to(self, vm: str):
        """An idle keep-alive connection the load balancer gave to `vm`."""
        for _ in range(50):
            sock, got = idle_connection(self.address)
            if got == vm:
                return sock
            sock.close()
        raise AssertionError(f"no new connection reached {vm}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with Azemu(tmp_path_factory.mktemp("azemu-admin"), time_scale=TIME_SCALE) as emu:
        lab = AdminLab(emu, Sdk(emu), f"rg-as-{uuid.uuid4().hex[:8]}").build({
            "protocol": "Http", "port": 80, "requestPath": "/", "intervalInSeconds": INTERVAL,
            "probeThreshold": THRESHOLD})
        yield lab


@pytest.fixture
def healthy(lab):
    lab.wait_states(ALL_UP, DETECTION + SLACK)
    return lab


def test_down_takes_no_new_flows_but_established_ones_continue(healthy):
    sock = healthy.connection_to("myVM2")
    healthy.set_admin_state("myVM2", "Down")
    try:
        assert healthy.rule_health()["myVM2"] == ("Down", "Down_Admin")
        health = healthy.rule_health()
        assert (health["up"], health["down"]) == (2, 1)
        # Its probe still sees it up: the admin state, not the probe, keeps new flows away.
        assert healthy.probe_states()["myVM2"] == "Up"
        counts = healthy.spread(60)
        assert set(counts) == {"myVM1", "myVM3"}, counts
        assert answered_by(sock) == "myVM2"
        assert answered_by(sock) == "myVM2"
    finally:
        sock.close()
        healthy.set_admin_state("myVM2", "None")
    assert healthy.rule_health()["myVM2"] == ("Up", "Up_Probe_Success")
    assert "myVM2" in healthy.spread(60)


def test_up_keeps_a_member_its_probe_sees_down_in_rotation(healthy):
    vm = "myVM3"
    healthy.set_admin_state(vm, "Up")
    healthy.nsg_rule("DenyProbes", 100, "Deny", "AzureLoadBalancer", destination=healthy.private_ip(vm))
    try:
        healthy.wait_states({vm: "Down"}, DETECTION + SLACK)
        assert healthy.rule_health()[vm] == ("Up", "Up_Admin")
        assert vm in healthy.spread(60)
        # None: the probe decides again.
        healthy.set_admin_state(vm, "None")
        assert healthy.rule_health()[vm] == ("Down", "Down_Probe_HttpEndpointUnreachable")
        assert vm not in healthy.spread(60)
    finally:
        healthy.delete_nsg_rule("DenyProbes")
        healthy.set_admin_state(vm, "None")


def test_an_ip_based_pool_serves_the_vms_holding_its_addresses(healthy):
    vnet = healthy.ids["subnet"].rsplit("/subnets/", 1)[0]
    pools = healthy.sdk.network.load_balancer_backend_address_pools
    pools.begin_create_or_update(healthy.rg, "myLoadBalancer", "myIpPool", {"properties": {
        "loadBalancerBackendAddresses": [
            {"name": vm, "properties": {"ipAddress": healthy.private_ip(vm), "virtualNetwork": {"id": vnet}}}
            for vm in VM_NAMES] + [
            {"name": "spare", "properties": {"ipAddress": "10.1.0.200", "virtualNetwork": {"id": vnet}}}]}}).result()
    healthy.use_pool("myIpPool")
    try:
        wait_until(lambda: {vm: s for vm, s in healthy.rule_health().items() if vm in VM_NAMES} == {
            vm: ("Up", "Up_Probe_Success") for vm in VM_NAMES}, DETECTION + SLACK, "the addresses' VMs to be up")
        health = healthy.rule_health()
        assert (health["up"], health["down"]) == (3, 1)
        assert health["10.1.0.200"] == ("Down", "Down_Probe_HttpEndpointUnreachable")   # nobody holds it
        counts = healthy.spread(90)
        assert set(counts) == set(VM_NAMES), counts
        # Admin state on an IP-based member: its entry, named by the client.
        body = healthy.pool("myIpPool")
        for entry in body["properties"]["loadBalancerBackendAddresses"]:
            if entry["name"] == "myVM1":
                entry["properties"]["adminState"] = "Down"
        pools.begin_create_or_update(healthy.rg, "myLoadBalancer", "myIpPool", models.BackendAddressPool(body)).result()
        assert healthy.rule_health()["myVM1"] == ("Down", "Down_Admin")
        assert set(healthy.spread(60)) == {"myVM2", "myVM3"}
    finally:
        healthy.use_pool("myBackEndPool")
        pools.begin_delete(healthy.rg, "myLoadBalancer", "myIpPool").result()

