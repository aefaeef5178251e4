"""A backend pool's members as `loadBalancerBackendAddresses`: IP-based pools through the real
Azure SDK (`load_balancer_backend_address_pools`) and the whole load balancer, NIC-based pools'
entries and their admin state, and what Azure refuses."""

from __future__ import annotations

import uuid

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models

from dataplane_lab import Sdk
from network_helpers import error_of, finish, id_of, nic_body, path_of, put_done, vnet_body

LOCATION = "eastus"


class Group:
    """A resource group with VNet `vnet` (10.0.0.0/16, subnet `default` 10.0.0.0/24), a Standard
    public IP and load balancer `lb` with pools `nics` (NIC `nic1` in it) and `empty`."""

    def __init__(self, emu, arm):
        self.arm = arm
        self.sdk = Sdk(emu)
        self.rg = f"rg-ba-{uuid.uuid4().hex[:8]}"
        self.sdk.resource.resource_groups.create_or_update(self.rg, {"location": LOCATION})
        put_done(arm, path_of(self.rg, "virtualNetworks", "vnet"), vnet_body())
        self.vnet = id_of(arm, self.rg, "virtualNetworks", "vnet")
        self.subnet = f"{self.vnet}/subnets/default"
        self.lb = self.make_lb("lb")
        finish(arm, arm.put(path_of(self.rg, "networkInterfaces", "nic1"), nic_body(
            self.subnet, loadBalancerBackendAddressPools=[{"id": f"{self.lb}/backendAddressPools/nics"}])))
        self.ipconfig = id_of(arm, self.rg, "networkInterfaces", "nic1", "ipConfigurations", "ipconfig1")

    @property
    def pools(self):
        return self.sdk.network.load_balancer_backend_address_pools

    def make_lb(self, name, sku="Standard", pools=("nics", "empty")):
        pip = self.sdk.network.public_ip_addresses.begin_create_or_update(self.rg, f"{name}-pip", {
            "location": LOCATION, "sku": {"name": sku},
            "properties": {"publicIPAllocationMethod": "Static"}}).result()
        return self.sdk.network.load_balancers.begin_create_or_update(self.rg, name, {
            "location": LOCATION, "sku": {"name": sku}, "properties": {
                "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": pip.id}}}],
                "backendAddressPools": [{"name": p} for p in pools]}}).result().id

    def address(self, name, ip, **props):
        return {"name": name, "properties": {"ipAddress": ip, "virtualNetwork": {"id": self.vnet}, **props}}

    def put_pool(self, pool, entries, lb="lb", **props):
        """PUT the pool through the SDK; its answer (ARM JSON) once provisioned."""
        return self.pools.begin_create_or_update(self.rg, lb, pool, {"properties": {
            "loadBalancerBackendAddresses": entries, **props}}).result().as_dict()

    def entries(self, pool, lb="lb"):
        return {e["name"]: e for e in self.pools.get(self.rg, lb, pool).as_dict()["properties"].get(
            "loadBalancerBackendAddresses") or []}


@pytest.fixture
def group(emu, arm):
    made = Group(emu, arm)
    yield made
    made.sdk.resource.resource_groups.begin_delete(made.rg)


def test_an_ip_based_pool_through_the_sdk(group):
    answer = group.put_pool("ips", [group.address("a1", "10.0.0.4", adminState="down"),
                                    group.address("a2", "10.0.0.5")])
    assert answer["name"] == "ips" and answer["properties"]["provisioningState"] == "Succeeded"
    got = group.entries("ips")
    assert sorted(got) == ["a1", "a2"]
    a1 = got["a1"]
    assert set(a1) == {"name", "properties"}         # the spec's LoadBalancerBackendAddress
    assert a1["properties"]["ipAddress"] == "10.0.0.4" and a1["properties"]["adminState"] == "Down"
    assert a1["properties"]["virtualNetwork"] == {"id": group.vnet}
    # nic1 holds 10.0.0.4 in that VNet: the entry names it; 10.0.0.5 is nobody's yet.
    assert a1["properties"]["networkInterfaceIPConfiguration"] == {"id": group.ipconfig}
    assert "networkInterfaceIPConfiguration" not in got["a2"]["properties"]
    assert "backendIPConfigurations" not in group.pools.get(group.rg, "lb", "ips").as_dict()["properties"]
    nic = group.sdk.network.network_interfaces.get(group.rg, "nic1").as_dict()
    assert [p["id"].rsplit("/", 1)[1] for p in nic["properties"]["ipConfigurations"][0]["properties"][
        "loadBalancerBackendAddressPools"]] == ["nics"]

    # A conditional update drops a2 and clears a1's admin state; the whole pool answers again.
    pool = group.pools.get(group.rg, "lb", "ips").as_dict()
    pool["properties"]["loadBalancerBackendAddresses"] = [
        dict(e, properties=dict(e["properties"], adminState="None"))
        for e in pool["properties"]["loadBalancerBackendAddresses"] if e["name"] == "a1"]
    group.pools.begin_create_or_update(group.rg, "lb", "ips", models.BackendAddressPool(pool),
                                       headers={"If-Match": pool["etag"]}).result()
    assert {n: e["properties"].get("adminState") for n, e in group.entries("ips").items()} == {"a1": "None"}
    with pytest.raises(HttpResponseError) as stale:
        group.pools.begin_create_or_update(group.rg, "lb", "ips", models.BackendAddressPool(pool),
                                           headers={"If-Match": pool["etag"]})
    assert stale.value.status_code == 412
    group.pools.begin_delete(group.rg, "lb", "ips").result()
    assert [p.name for p in group.pools.list(group.rg, "lb")] == ["nics", "empty"]


def test_the_pool_put_is_long_running_as_network_does_it(group):
    path = path_of(group.rg, "loadBalancers", "lb", "backendAddressPools", "ips")
    created = group.arm.put(path, {"properties": {"loadBalancerBackendAddresses": [group.address("a1", "10.0.0.9")]}})
    assert created.status == 201 and created.headers.get("Azure-AsyncOperation"), created
    assert created.body["properties"]["provisioningState"] == "Updating"
    assert finish(group.arm, created) == {"status": "Succeeded"}
    deleted = group.arm.delete(path)
    assert deleted.status == 202 and finish(group.arm, deleted) == {"status": "Succeeded"}


def test_the_load_balancers_own_put_carries_pools_with_addresses(group):
    lbs = group.sdk.network.load_balancers
    lb = lbs.get(group.rg, "lb").as_dict()
    lb["properties"]["backendAddressPools"].append({"name": "ips", "properties": {
        "virtualNetwork": {"id": group.vnet}, "loadBalancerBackendAddresses": [
            {"name": "a1", "properties": {"ipAddress": "10.0.0.4", "adminState": "Up"}}]}})
    lbs.begin_create_or_update(group.rg, "lb", models.LoadBalancer(lb)).result()
    got = group.entries("ips")["a1"]["properties"]
    assert (got["ipAddress"], got["adminState"], got["networkInterfaceIPConfiguration"]) == (
        "10.0.0.4", "Up", {"id": group.ipconfig})
    # A read-modify-write of the whole load balancer by another client keeps them.
    lbs.begin_create_or_update(group.rg, "lb", models.LoadBalancer(lbs.get(group.rg, "lb").as_dict())).result()
    assert group.entries("ips")["a1"]["properties"]["adminState"] == "Up"


def test_nic_members_are_entries_whose_admin_state_a_pool_write_sets(group):
    name = f"{group.rg}_nic1ipconfig1"
    [entry] = group.entries("nics").values()
    assert entry["name"] == name and entry["properties"]["networkInterfaceIPConfiguration"] == {"id": group.ipconfig}
    assert "adminState" not in entry["properties"]

    # As az's `address update --admin-state` does: read the pool, set the entry's state, PUT it.
    pool = group.pools.get(group.rg, "lb", "nics").as_dict()
    pool["properties"]["loadBalancerBackendAddresses"][0]["properties"]["adminState"] = "Down"
    group.pools.begin_create_or_update(group.rg, "lb", "nics", models.BackendAddressPool(pool)).result()
    assert group.entries("nics")[name]["properties"]["adminState"] == "Down"
    # Other clients' whole-load-balancer writes (which drop the read-only NIC reference) keep it.
    lbs = group.sdk.network.load_balancers
    lbs.begin_create_or_update(group.rg, "lb", models.LoadBalancer(lbs.get(group.rg, "lb").as_dict())).result()
    body = lbs.get(group.rg, "lb").as_dict()
    for pool_body in body["properties"]["backendAddressPools"]:
        pool_body["properties"].pop("loadBalancerBackendAddresses", None)
    lbs.begin_create_or_update(group.rg, "lb", body).result()
    assert group.entries("nics")[name]["properties"]["adminState"] == "Down"
    # Removing it is setting it to None.
    group.put_pool("nics", [{"name": name, "properties": {"adminState": "None"}}])
    assert group.entries("nics")[name]["properties"]["adminState"] == "None"
    # Membership itself changes on the NIC only.
    code, message = error_of(group.arm.put(path_of(group.rg, "loadBalancers", "lb", "backendAddressPools", "empty"), {
        "properties": {"loadBalancerBackendAddresses": [{"name": "x", "properties": {
            "networkInterfaceIPConfiguration": {"id": group.ipconfig}}}]}}))
    assert code == "ModificationOfNICIpConfigBackendPoolNotSupported" and "adds/modifies/deletes" in message
    assert error_of(group.arm.put(path_of(group.rg, "loadBalancers", "lb", "backendAddressPools", "nics"), {
        "properties": {"loadBalancerBackendAddresses": [{"name": "other", "properties": {"adminState": "Down"}}]}}))[
        0] == "ModificationOfNICIpConfigBackendPoolNotSupported"


def test_a_basic_load_balancer_lists_no_entries_and_takes_no_addresses(group):
    basic = group.make_lb("basic", sku="Basic", pools=("nics",))
    finish(group.arm, group.arm.put(path_of(group.rg, "networkInterfaces", "nic2"), nic_body(
        group.subnet, loadBalancerBackendAddressPools=[{"id": f"{basic}/backendAddressPools/nics"}])))
    pool = group.pools.get(group.rg, "basic", "nics").as_dict()["properties"]
    assert pool["loadBalancerBackendAddresses"] == [] and len(pool["backendIPConfigurations"]) == 1
    path = path_of(group.rg, "loadBalancers", "basic", "backendAddressPools", "ips")
    assert error_of(group.arm.put(path, {"properties": {"loadBalancerBackendAddresses": [
        group.address("a1", "10.0.0.20")]}}))[0] == "IPBasedBackendAddressPoolRequiresStandardSku"


def other_vnet(group):
    put_done(group.arm, path_of(group.rg, "virtualNetworks", "vnet2"), vnet_body(space=("10.9.0.0/16",),
                                                                               subnets=(("s", "10.9.0.0/24"),)))
    return id_of(group.arm, group.rg, "virtualNetworks", "vnet2")


REFUSALS = {
    "no virtual network": (lambda g: [{"name": "a", "properties": {"ipAddress": "10.0.0.9"}}],
                           "BackendAddressVirtualNetworkNotSpecified"),
    "unknown virtual network": (lambda g: [{"name": "a", "properties": {"ipAddress": "10.0.0.9", "virtualNetwork": {
        "id": g.vnet + "nope"}}}], "InvalidResourceReference"),
    "outside the virtual network": (lambda g: [g.address("a", "10.1.0.9")], "BackendAddressIpAddressNotInVirtualNetwork"),
    "outside the subnet": (lambda g: [{"name": "a", "properties": {"ipAddress": "10.0.1.9", "subnet": {"id": g.subnet}}}],
                           "BackendAddressIpAddressNotInVirtualNetwork"),
    "subnet of another network": (lambda g: [g.address("a", "10.0.0.9", subnet={
        "id": other_vnet(g) + "/subnets/s"})], "BackendAddressSubnetNotInVirtualNetwork"),
    "two virtual networks": (lambda g: [g.address("a", "10.0.0.9"), {"name": "b", "properties": {
        "ipAddress": "10.9.0.9", "virtualNetwork": {"id": other_vnet(g)}}}], "BackendAddressesInDifferentVirtualNetworks"),
    "not an address": (lambda g: [g.address("a", "10.0.0.300")], "InvalidBackendAddressIpAddress"),
    "one address twice": (lambda g: [g.address("a", "10.0.0.9"), g.address("b", "10.0.0.9")],
                          "DuplicateIpAddressOnBackendAddressPool"),
    "no address": (lambda g: [{"name": "a", "properties": {"virtualNetwork": {"id": g.vnet}}}],
                   "BackendAddressIpAddressNotSpecified"),
    "an address among NIC members": (lambda g: [g.address("a", "10.0.0.9")],
                                     "CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool"),
    "an admin state Azure lacks": (lambda g: [g.address("a", "10.0.0.9", adminState="Drain")], "InvalidRequestFormat"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_what_azure_refuses(group, case):
    entries, code = REFUSALS[case]
    pool = "nics" if case == "an address among NIC members" else "empty"
    resp = group.arm.put(path_of(group.rg, "loadBalancers", "lb", "backendAddressPools", pool),
                         {"properties": {"loadBalancerBackendAddresses": entries(group)}})
    assert error_of(resp)[0] == code, resp


def test_a_nic_cannot_join_a_pool_of_addresses(group):
    group.put_pool("empty", [], virtualNetwork={"id": group.vnet})
    resp = group.arm.put(path_of(group.rg, "networkInterfaces", "nic3"), nic_body(
        group.subnet, loadBalancerBackendAddressPools=[{"id": f"{group.lb}/backendAddressPools/empty"}]))
    assert error_of(resp)[0] == "CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool"
