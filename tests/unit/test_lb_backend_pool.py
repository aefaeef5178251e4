"""The pure logic of backend pool members and their admin state (_lb_backend_pool), the pools a
load_balancer task asks for (_lb_parts) and the admin state lb_health_info reports (_lb_health)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils import _lb_backend_pool as bp
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_health import (
    Health,
    backend_to_dict,
    is_member,
    pool_admin_states,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import pool_problem, pool_properties
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, OptionError

NET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"
VNET = f"{NET}/virtualNetworks/vnet"
IPCONFIG = f"{NET}/networkInterfaces/nic1/ipConfigurations/ipconfig1"


def ip_pool(*entries, **props):
    return {"name": "ips", "etag": 'W/"1"', "properties": {"loadBalancerBackendAddresses": list(entries), **props}}


def address(name, ip, **props):
    return {"name": name, "properties": {"ipAddress": ip, "virtualNetwork": {"id": VNET}, **props}}


def nic_pool(admin=None):
    props = {"networkInterfaceIPConfiguration": {"id": IPCONFIG}, "provisioningState": "Succeeded"}
    if admin:
        props["adminState"] = admin
    return {"name": "nics", "properties": {"backendIPConfigurations": [{"id": IPCONFIG}],
                                           "loadBalancerBackendAddresses": [{"name": "rg_nic1ipconfig1",
                                                                             "properties": props}]}}


def spec(**changes):
    base = dict(name="a1", ip_address=None, virtual_network=None, subnet=None, admin_state=None, state="present")
    base.update(changes)
    return base


def test_the_kind_of_a_pool():
    assert bp.kind({"name": "p", "properties": {}}) is None
    assert bp.kind(ip_pool()) is None
    assert bp.kind(ip_pool(virtualNetwork={"id": VNET})) == bp.IP
    assert bp.kind(ip_pool(address("a1", "10.0.0.4"))) == bp.IP
    assert bp.kind(nic_pool()) == bp.NIC
    assert bp.kind({"properties": {"backendIPConfigurations": [{"id": IPCONFIG}]}}) == bp.NIC   # a Basic one


def test_a_member_is_found_by_name_address_or_ip_configuration():
    pool = ip_pool(address("a1", "10.0.0.4", **{"networkInterfaceIPConfiguration": {"id": IPCONFIG}}))
    for member in ("a1", "A1", "10.0.0.4", IPCONFIG.upper()):
        assert bp.find_member(pool, member)["name"] == "a1"
    assert bp.find_member(pool, "10.0.0.5") is None
    assert bp.find_member(nic_pool(), IPCONFIG)["name"] == "rg_nic1ipconfig1"


def test_setting_an_admin_state():
    pool = nic_pool()
    body, changed = bp.with_admin_state(pool, IPCONFIG, "Down", "Standard")
    assert changed and bp.admin_state(bp.find_member(body, IPCONFIG)) == "Down"
    assert bp.admin_state(bp.find_member(pool, IPCONFIG)) == "None", "the pool read is not changed"
    assert bp.with_admin_state(body, IPCONFIG, "Down", "Standard")[1] is False
    # No admin state and None are the same: nothing to write.
    assert bp.with_admin_state(pool, IPCONFIG, "None", "Standard")[1] is False
    assert bp.with_admin_state(nic_pool("Up"), IPCONFIG, "None", "Standard")[1] is True


@pytest.mark.parametrize("member, state, sku, why", [
    (IPCONFIG, "Drain", "Standard", "admin_state must be one of Up, Down, None"),
    (IPCONFIG, "Down", "Basic", "feature of Standard load balancers; this one is Basic"),
    ("10.0.0.9", "Down", "Standard", f"10.0.0.9 is not a member of backend pool nics (its members: {IPCONFIG})"),
])
def test_admin_state_refusals(member, state, sku, why):
    with pytest.raises(OptionError, match=why.replace("(", r"\(").replace(")", r"\)")):
        bp.with_admin_state(nic_pool(), member, state, sku)


@pytest.mark.parametrize("changes, why", [
    (dict(ip_address="10.0.0.300"), "ip_address '10.0.0.300' is not an IP address"),
    (dict(name="a b"), "backend address name 'a b' is not valid"),
    (dict(state="absent", ip_address="10.0.0.4", admin_state="Down"),
     "ip_address, admin_state cannot be used with state=absent"),
    (dict(subnet="web"), "subnet 'web' is a name: give virtual_network too"),
])
def test_address_options_azure_would_refuse(changes, why):
    assert any(why in p for p in bp.address_problems(spec(**changes)))


def test_address_options_that_are_fine():
    assert bp.address_problems(spec(ip_address="10.0.0.4", subnet="web", virtual_network="vnet")) == []
    assert bp.address_problems(spec(state="absent")) == []


def test_adding_changing_and_removing_an_address():
    body, changed = bp.with_address(ip_pool(), spec(ip_address="10.0.0.4", virtual_network=VNET, admin_state="Down"))
    assert changed and body["properties"]["loadBalancerBackendAddresses"] == [
        address("a1", "10.0.0.4", adminState="Down")]
    # What Azure adds (the resolved NIC, states) and ids in another case are no change.
    read = ip_pool(address("a1", "10.0.0.4", adminState="Down", provisioningState="Succeeded",
                           networkInterfaceIPConfiguration={"id": IPCONFIG}))
    read["properties"]["loadBalancerBackendAddresses"][0]["properties"]["virtualNetwork"]["id"] = VNET.upper()
    assert bp.with_address(read, spec(ip_address="10.0.0.4", virtual_network=VNET, admin_state="Down"))[1] is False
    assert bp.with_address(read, spec())[1] is False            # nothing asked: nothing changes
    moved, changed = bp.with_address(read, spec(ip_address="10.0.0.5", subnet=f"{VNET}/subnets/web"))
    assert changed
    assert moved["properties"]["loadBalancerBackendAddresses"][0]["properties"] == {
        "ipAddress": "10.0.0.5", "subnet": {"id": f"{VNET}/subnets/web"}, "adminState": "Down"}
    gone, changed = bp.without_address(read, "A1")
    assert changed and bp.entries(gone) == []
    assert bp.without_address(gone, "a1")[1] is False


def test_a_pool_with_a_network_of_its_own_needs_none_per_address():
    body, changed = bp.with_address(ip_pool(virtualNetwork={"id": VNET}), spec(ip_address="10.0.0.4"))
    assert changed and body["properties"]["loadBalancerBackendAddresses"] == [
        {"name": "a1", "properties": {"ipAddress": "10.0.0.4"}}]


@pytest.mark.parametrize("pool, changes, why", [
    (nic_pool(), dict(ip_address="10.0.0.4", virtual_network=VNET),
     "backend pool nics holds network interfaces; Azure refuses IP addresses in it"),
    (ip_pool(), dict(virtual_network=VNET), "backend address a1 does not exist yet: ip_address is needed"),
    (ip_pool(), dict(ip_address="10.0.0.4"), "virtual_network or subnet is needed to add it"),
    (ip_pool(address("a0", "10.0.0.4")), dict(ip_address="10.0.0.4", virtual_network=VNET),
     "backend pool ips has 10.0.0.4 already, as backend address a0"),
])
def test_what_the_pool_refuses(pool, changes, why):
    with pytest.raises(OptionError, match=why):
        bp.with_address(pool, spec(**changes))


def test_a_planned_pool_takes_an_address_not_known_yet_and_still_refuses_the_rest():
    """Check mode, the load balancer an earlier task plans: a planned NIC's address is unknown."""
    body, changed = bp.with_address(ip_pool(), spec(virtual_network=VNET), planned=True)
    assert changed and body["properties"]["loadBalancerBackendAddresses"] == [
        {"name": "a1", "properties": {"virtualNetwork": {"id": VNET}}}]
    with pytest.raises(OptionError, match="virtual_network or subnet is needed to add it"):
        bp.with_address(ip_pool(), spec(), planned=True)


def test_members_as_returned_and_their_admin_states():
    entry = address("a1", "10.0.0.4", networkInterfaceIPConfiguration={"id": IPCONFIG})
    assert bp.address_to_dict(entry) == {"name": "a1", "ip_address": "10.0.0.4", "virtual_network": VNET,
                                         "subnet": None, "ip_configuration": IPCONFIG, "admin_state": "None"}
    assert bp.admin_states(nic_pool("Down")) == {IPCONFIG.lower(): "Down"}
    assert bp.admin_states(ip_pool(address("a1", "10.0.0.4", adminState="Up"))) == {"10.0.0.4": "Up"}


def test_the_health_view_gets_each_backends_admin_state_from_the_rules_pool():
    lb = {"properties": {"backendAddressPools": [dict(nic_pool("Down"), id=f"{NET}/loadBalancers/lb/backendAddressPools/nics")]}}
    rule = {"properties": {"backendAddressPool": {"id": f"{NET}/loadBalancers/lb/backendAddressPools/NICS"}}}
    states = pool_admin_states(lb, rule)
    backend = backend_to_dict({"ipAddress": "10.0.0.4", "networkInterfaceIPConfigurationId": IPCONFIG, "state": "Down",
                               "reason": "Down_Admin"}, lambda nic: "vm1", states)
    assert backend["admin_state"] == "Down" and backend["virtual_machine"] == "vm1"
    unheld = backend_to_dict({"ipAddress": "10.0.0.9", "state": "Down", "reason": "Down_Probe_TcpProbeTimeout"},
                             lambda nic: None, {"10.0.0.9": "Up"})
    assert (unheld["ip_configuration"], unheld["admin_state"]) == (None, "Up")
    assert is_member(unheld, "10.0.0.9") and not is_member(unheld, "10.0.0.4")
    assert pool_admin_states(lb, {"properties": {}}) == {}


def test_load_balancer_backend_pools_of_either_kind():
    assert pool_problem("web") is None
    assert pool_problem({"name": "ips", "virtual_network": "vnet"}) is None
    assert pool_problem({"name": "ips", "vnet": "vnet"}) == "backend_pools items take name and virtual_network, not vnet"
    assert "is not the id of a Microsoft.Network/virtualNetworks resource" in pool_problem(
        {"name": "ips", "virtual_network": f"{NET}/publicIPAddresses/pip"})
    assert "is not valid" in pool_problem({"name": "a b"})
    assert pool_problem(7) == "backend_pools items are names or dicts, got 7"
    assert pool_properties("web", "s", "rg") == {"virtualNetwork": None}
    assert pool_properties({"name": "ips", "virtual_network": "vnet"}, "s", "rg") == {"virtualNetwork": {"id": VNET}}


class ScriptedHealth(Health):
    """Health whose reports are given in advance, on a clock that the waiting advances."""

    def __init__(self, reports, wait_timeout):
        self.module = type("Module", (), {"params": {"wait_timeout": wait_timeout}})()
        self.reports = list(reports)
        self.now = 0.0
        self.asked = 0

    def report(self, rules, deadline):
        self.asked += 1
        return self.reports.pop(0) if len(self.reports) > 1 else self.reports[0]

    def sleep(self, seconds):
        self.now += seconds


def health_report(state, reason):
    backend = backend_to_dict({"ipAddress": "10.0.0.4", "networkInterfaceIPConfigurationId": IPCONFIG,
                               "state": state, "reason": reason}, lambda nic: "vm1")
    return [{"name": "web", "backends": [backend]}]


def timed_out(waiting, report):
    return ModuleFailure(f"still: {waiting}", rules=report)


def test_waiting_until_the_load_balancer_sees_a_member_down():
    health = ScriptedHealth([health_report("Up", "Up_Probe_Success"), health_report("Down", "Down_Admin")], 30)
    report = health.wait([{}], "unhealthy", "vm1", 5, timed_out, clock=lambda: health.now, sleep=health.sleep)
    assert report[0]["backends"][0]["reason"] == "Down_Admin"
    assert (health.asked, health.now) == (2, 5)


def test_waiting_gives_up_saying_what_still_differs():
    health = ScriptedHealth([health_report("Up", "Up_Probe_Success")], 12)
    with pytest.raises(ModuleFailure) as failed:
        health.wait([{}], "unhealthy", "vm1", 5, timed_out, clock=lambda: health.now, sleep=health.sleep)
    assert failed.value.msg == "still: web: vm1 Up (Up_Probe_Success)" and health.now == 12
    assert failed.value.details["rules"][0]["backends"][0]["state"] == "Up"


def test_an_error_while_waiting_is_not_a_timeout():
    class Broken(ScriptedHealth):
        def report(self, rules, deadline):
            raise ModuleFailure("Failed to read the health of rule web")
    with pytest.raises(ModuleFailure) as failed:
        Broken([], 12).wait([{}], "unhealthy", "vm1", 5, timed_out, clock=lambda: 0.0, sleep=lambda s: None)
    assert failed.value.msg == "Failed to read the health of rule web"


class NetworkInterfaces:
    def __init__(self):
        self.read = []

    def get(self, group, name):
        self.read.append(name)
        return {"properties": {"virtualMachine": {"id": f"/subscriptions/s/resourceGroups/{group}/providers/"
                                                        f"Microsoft.Compute/virtualMachines/vm-of-{name}"}}}


def health_of(vms=None):
    nics = NetworkInterfaces()
    client = type("Client", (), {"network_interfaces": nics})()
    module = type("Module", (), {"client": lambda self, name: client})()
    return Health(module, "rg", {"name": "lb"}, vms), nics


def test_each_backends_vm_is_read_from_its_nic_once():
    health, nics = health_of()
    assert [health.vm_of_nic(f"{NET}/networkInterfaces/{n}") for n in ("nic1", "nic2", "nic1")] == [
        "vm-of-nic1", "vm-of-nic2", "vm-of-nic1"]
    assert nics.read == ["nic1", "nic2"]


def test_vms_known_already_read_no_nic():
    # A drain waits on its own member: it knows that VM, and other backends' VMs are not needed.
    health, nics = health_of({f"{NET}/networkInterfaces/NIC1": "vm1"})
    assert health.vm_of_nic(f"{NET}/networkInterfaces/nic1") == "vm1"
    assert health.vm_of_nic(f"{NET}/networkInterfaces/nic2") is None
    assert nics.read == []
