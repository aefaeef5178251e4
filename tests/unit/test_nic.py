"""plugins/module_utils/_nic.py: references from options, the ip configurations a task asks
for, and merging them into a NIC without dropping anything the task did not name."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import (
    address_outside,
    child_reference,
    comparable,
    desired_ip_configurations,
    desired_nic,
    diff_view,
    find_ip_configuration,
    merged_ip_configurations,
    nic_to_dict,
    primary_ip_configuration,
    reference,
    subnet_reference,
    with_references_added,
    with_references_removed,
)

SUB = "00000000-0000-0000-0000-000000000000"
RG = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network"
SUBNET = f"{RG}/virtualNetworks/vnet/subnets/web"
POOL1 = f"{RG}/loadBalancers/lb/backendAddressPools/pool1"
POOL2 = f"{RG}/loadBalancers/lb/backendAddressPools/pool2"
NIC_ID = f"{RG}/networkInterfaces/nic1"


def params(**options):
    base = {"virtual_network": "vnet", "subnet": "web"}
    base.update(options)
    return base


def settings(**values):
    base = {"location": "eastus", "tags": {}, "security_group": None, "ip_forwarding": None,
            "accelerated_networking": None}
    base.update(values)
    return base


def stored_nic(*configs, **props):
    """A NIC as Azure returns it."""
    return {"id": NIC_ID, "name": "nic1", "location": "eastus", "etag": 'W/"1"', "tags": {},
            "properties": dict({"ipConfigurations": list(configs), "provisioningState": "Succeeded"}, **props)}


def stored_config(name, primary, address, pools=(), **props):
    return {"id": f"{NIC_ID}/ipConfigurations/{name}", "name": name, "etag": 'W/"1"', "properties": dict({
        "primary": primary, "privateIPAddress": address, "privateIPAllocationMethod": "Dynamic",
        "subnet": {"id": SUBNET}, "loadBalancerBackendAddressPools": [{"id": p} for p in pools],
        "provisioningState": "Succeeded"}, **props)}


class TestReferences:
    def test_names_become_ids_in_the_group(self):
        assert reference("nsg", SUB, "rg", "networkSecurityGroups", "network security group") == \
            f"{RG}/networkSecurityGroups/nsg"
        assert subnet_reference("web", "vnet", SUB, "rg") == SUBNET

    def test_ids_are_kept_as_given(self):
        other = f"/subscriptions/{SUB}/resourceGroups/other/providers/Microsoft.Network/publicIPAddresses/p"
        assert reference(other, SUB, "rg", "publicIPAddresses", "public IP address") == other
        shouting = SUBNET.upper()
        assert subnet_reference(shouting, None, SUB, "rg") == shouting, "ids are matched without regard to case"
        vnet_id = f"/subscriptions/{SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v"
        assert subnet_reference("web", vnet_id, SUB, "rg") == f"{vnet_id}/subnets/web"

    def test_empty_string_means_remove_and_none_means_leave(self):
        assert reference("", SUB, "rg", "networkSecurityGroups", "x") == ""
        assert reference(None, SUB, "rg", "networkSecurityGroups", "x") is None

    @pytest.mark.parametrize("call, message", [
        (lambda: reference("a/b", SUB, "rg", "networkSecurityGroups", "network security group"),
         "is neither a name nor a resource id"),
        (lambda: reference(SUBNET, SUB, "rg", "networkSecurityGroups", "network security group"),
         "is not the id of a Microsoft.Network/networkSecurityGroups"),
        (lambda: reference("bad!", SUB, "rg", "publicIPAddresses", "public IP address"), "is not valid"),
        (lambda: subnet_reference("web", None, SUB, "rg"), "give virtual_network too"),
        (lambda: subnet_reference(f"{RG}/virtualNetworks/vnet", None, SUB, "rg"), "virtualNetworks/subnets"),
        (lambda: subnet_reference("web.", "vnet", SUB, "rg"), "Invalid subnet"),
    ])
    def test_refused(self, call, message):
        with pytest.raises(OptionError, match=message):
            call()

    def test_load_balancer_children(self):
        assert child_reference({"load_balancer": "lb", "name": "pool1"}, SUB, "rg", "backendAddressPools", "pool") == POOL1
        assert child_reference(POOL2, SUB, "rg", "backendAddressPools", "pool") == POOL2
        elsewhere = child_reference({"load_balancer": "lb", "name": "p", "resource_group": "other"}, SUB, "rg",
                                    "inboundNatRules", "inbound NAT rule")
        assert elsewhere == f"/subscriptions/{SUB}/resourceGroups/other/providers/Microsoft.Network/loadBalancers/lb/inboundNatRules/p"
        for bad in ({"name": "p"}, {"load_balancer": "lb", "name": "p", "extra": 1}, 7,
                    f"{RG}/loadBalancers/lb/inboundNatRules/r"):
            with pytest.raises(OptionError):
                child_reference(bad, SUB, "rg", "backendAddressPools", "pool")


class TestDesired:
    def test_top_level_options_describe_the_primary(self):
        specs = desired_ip_configurations(params(private_ip_address="10.0.0.9", public_ip_address="pip",
                                                 load_balancer_backend_address_pools=[POOL1]), SUB, "rg")
        assert specs == [{
            "name": None, "primary": True, "subnet": SUBNET, "private_ip_address": "10.0.0.9",
            "private_ip_allocation_method": "Static", "public_ip_address": f"{RG}/publicIPAddresses/pip",
            "pools": [POOL1], "nat_rules": []}]

    def test_an_item_marked_primary_joins_the_primary(self):
        specs = desired_ip_configurations(params(ip_configurations=[
            {"name": "main", "primary": True, "load_balancer_backend_address_pools": [POOL2]},
            {"name": "second"}]), SUB, "rg")
        assert [(s["name"], s["primary"], s["pools"]) for s in specs] == [("main", True, [POOL2]), ("second", None, [])]

    @pytest.mark.parametrize("options, message", [
        ({"private_ip_address": "10.0.0.256"}, "is not an IPv4 address"),
        ({"private_ip_address": "::1"}, "is not an IPv4 address"),
        ({"private_ip_address": "10.0.0.9", "private_ip_allocation_method": "Dynamic"}, "needs private_ip_allocation_method=Static"),
        ({"private_ip_allocation_method": "Static"}, "needs private_ip_address"),
        ({"ip_configurations": [{"name": "a"}, {"name": "A"}]}, "twice"),
        ({"ip_configurations": [{"name": "a", "primary": True}, {"name": "b", "primary": True}]}, "only one item"),
        ({"public_ip_address": "p1", "ip_configurations": [{"name": "a", "primary": True, "public_ip_address": "p2"}]},
         "gets public_ip_address both from the top-level option"),
        ({"ip_configurations": [{"name": "has space"}]}, "Invalid ip configuration"),
    ])
    def test_refused(self, options, message):
        with pytest.raises(OptionError, match=message):
            desired_ip_configurations(params(**options), SUB, "rg")

    def test_the_same_value_twice_is_no_contradiction(self):
        specs = desired_ip_configurations(params(ip_configurations=[{"name": "a", "primary": True, "subnet": "web"}]),
                                          SUB, "rg")
        assert specs[0]["subnet"] == SUBNET and specs[0]["name"] == "a"


class TestMerge:
    def specs(self, **options):
        return desired_ip_configurations(params(**options), SUB, "rg")

    def test_a_new_nic_gets_ipconfig1_as_primary(self):
        body = desired_nic(None, settings(), self.specs(), NIC_ID)
        assert body["id"] == NIC_ID and body["name"] == "nic1" and body["location"] == "eastus"
        assert body["properties"]["ipConfigurations"] == [{
            "name": "ipconfig1", "id": f"{NIC_ID}/ipConfigurations/ipconfig1",
            "properties": {"subnet": {"id": SUBNET}, "primary": True}}]

    def test_new_secondaries_default_to_the_nic_subnet(self):
        configs = merged_ip_configurations([], self.specs(ip_configurations=[{"name": "two"}]))
        assert [(c["name"], c["properties"]["primary"], c["properties"]["subnet"]["id"]) for c in configs] == [
            ("ipconfig1", True, SUBNET), ("two", False, SUBNET)]

    def test_pools_given_are_added_and_none_is_dropped(self):
        current = [stored_config("ipConfig1", True, "10.0.0.4", pools=[POOL1]),
                   stored_config("other", False, "10.0.0.5", pools=[POOL2])]
        before = copy.deepcopy(current)
        configs = merged_ip_configurations(current, self.specs(load_balancer_backend_address_pools=[POOL2]))
        assert current == before, "the current list is not changed"
        assert [p["id"] for p in configs[0]["properties"]["loadBalancerBackendAddressPools"]] == [POOL1, POOL2]
        assert configs[1] == current[1], "an ip configuration the task does not name is left alone"
        again = merged_ip_configurations(configs, self.specs(load_balancer_backend_address_pools=[POOL1.upper()]))
        assert again == configs, "ids compare without regard to case"

    def test_ip_configurations_are_matched_without_regard_to_case(self):
        current = [stored_config("ipConfig1", True, "10.0.0.4")]
        specs = self.specs(ip_configurations=[{"name": "IPCONFIG1", "public_ip_address": "p"}])
        configs = merged_ip_configurations(current, specs)
        assert len(configs) == 1 and configs[0]["properties"]["publicIPAddress"] == {"id": f"{RG}/publicIPAddresses/p"}

    def test_moving_a_dynamic_address_to_another_subnet_lets_azure_choose(self):
        current = [stored_config("ipconfig1", True, "10.0.0.4")]
        configs = merged_ip_configurations(current, self.specs(subnet="app"))
        assert configs[0]["properties"]["subnet"] == {"id": f"{RG}/virtualNetworks/vnet/subnets/app"}
        assert "privateIPAddress" not in configs[0]["properties"]

    def test_static_address_and_back(self):
        current = [stored_config("ipconfig1", True, "10.0.0.4")]
        static = merged_ip_configurations(current, self.specs(private_ip_address="10.0.0.9"))
        assert (static[0]["properties"]["privateIPAllocationMethod"], static[0]["properties"]["privateIPAddress"]) == (
            "Static", "10.0.0.9")
        dynamic = merged_ip_configurations(static, self.specs(private_ip_allocation_method="Dynamic"))
        assert dynamic[0]["properties"]["privateIPAllocationMethod"] == "Dynamic"

    def test_naming_another_primary_moves_the_flag(self):
        current = [stored_config("ipconfig1", True, "10.0.0.4"), stored_config("two", False, "10.0.0.5")]
        configs = merged_ip_configurations(current, self.specs(ip_configurations=[{"name": "two", "primary": True}]))
        assert [c["properties"]["primary"] for c in configs] == [False, True]

    def test_nic_settings(self):
        current = stored_nic(stored_config("ipconfig1", True, "10.0.0.4"),
                             networkSecurityGroup={"id": f"{RG}/networkSecurityGroups/nsg"})
        same = desired_nic(current, settings(security_group=f"{RG}/networkSecurityGroups/NSG"), self.specs(), NIC_ID)
        assert comparable(same) == comparable(current)
        removed = desired_nic(current, settings(security_group="", ip_forwarding=True), self.specs(), NIC_ID)
        assert "networkSecurityGroup" not in removed["properties"] and removed["properties"]["enableIPForwarding"]
        assert comparable(removed) != comparable(current)
        assert "networkSecurityGroup" in current["properties"], "the current NIC is not changed"


class TestComparable:
    def test_a_dynamic_address_is_not_compared(self):
        first = stored_nic(stored_config("ipconfig1", True, "10.0.0.4"))
        second = stored_nic(stored_config("ipconfig1", True, "10.0.0.7"))
        assert comparable(first) == comparable(second)

    def test_pools_tags_and_flags_are(self):
        base = stored_nic(stored_config("ipconfig1", True, "10.0.0.4", pools=[POOL1]))

        def no_pools(nic):
            nic["properties"]["ipConfigurations"][0]["properties"].update(loadBalancerBackendAddressPools=[])

        for change in (no_pools,
                       lambda n: n.update(tags={"a": "1"}),
                       lambda n: n["properties"].update(enableAcceleratedNetworking=True)):
            other = copy.deepcopy(base)
            change(other)
            assert comparable(other) != comparable(base)

    def test_absent_is_empty(self):
        assert comparable(None) == {} and diff_view(None) == {}


class TestPoolHelpers:
    def test_added(self):
        assert with_references_added([{"id": POOL1}], [POOL2]) == ([{"id": POOL1}, {"id": POOL2}], True)
        assert with_references_added([{"id": POOL1}], [POOL1.lower()]) == ([{"id": POOL1}], False)
        assert with_references_added(None, []) == ([], False)

    def test_removed_keeps_every_other_one(self):
        refs = [{"id": POOL1}, {"id": POOL2}]
        assert with_references_removed(refs, [POOL1.upper()]) == ([{"id": POOL2}], True)
        assert with_references_removed(refs, [f"{RG}/loadBalancers/lb/backendAddressPools/gone"]) == (refs, False)
        assert refs == [{"id": POOL1}, {"id": POOL2}]

    def test_find(self):
        configs = [stored_config("a", False, "10.0.0.4"), stored_config("B", True, "10.0.0.5")]
        assert find_ip_configuration(configs, "b")["name"] == "B"
        assert find_ip_configuration(configs, None)["name"] == "B"
        assert find_ip_configuration(configs, "c") is None
        assert primary_ip_configuration([stored_config("x", None, "10.0.0.4")])["name"] == "x"
        assert primary_ip_configuration([]) is None


def test_returned_dict():
    nic = stored_nic(stored_config("ipconfig1", True, "10.0.0.4", pools=[POOL1],
                                   publicIPAddress={"id": f"{RG}/publicIPAddresses/p"}, privateIPAddressVersion="IPv4"),
                     virtualMachine={"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"},
                     macAddress="00-0D-3A-1B-C7-21", primary=True, enableIPForwarding=True)
    view = nic_to_dict(nic)
    assert view == {
        "id": NIC_ID, "name": "nic1", "location": "eastus", "tags": {}, "provisioning_state": "Succeeded",
        "security_group": None, "ip_forwarding": True, "accelerated_networking": False,
        "mac_address": "00-0D-3A-1B-C7-21", "primary": True,
        "virtual_machine": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
        "private_ip_address": "10.0.0.4",
        "ip_configurations": [{
            "id": f"{NIC_ID}/ipConfigurations/ipconfig1", "name": "ipconfig1", "primary": True,
            "private_ip_address": "10.0.0.4", "private_ip_allocation_method": "Dynamic",
            "private_ip_address_version": "IPv4", "subnet": SUBNET, "public_ip_address": f"{RG}/publicIPAddresses/p",
            "load_balancer_backend_address_pools": [POOL1], "load_balancer_inbound_nat_rules": [],
            "provisioning_state": "Succeeded"}],
    }
    assert "provisioning_state" not in diff_view(nic) and "provisioning_state" not in diff_view(nic)["ip_configurations"][0]


@pytest.mark.parametrize("address, words", [
    (None, None), ("10.0.0.4", None), ("10.0.0.254", None), ("10.0.1.5", "is not in subnet web (10.0.0.0/24)"),
    ("10.0.0.3", "addresses Azure keeps"), ("10.0.0.255", "addresses Azure keeps"),
])
def test_a_static_address_must_be_a_usable_one_of_its_subnet(address, words):
    subnet = {"name": "web", "properties": {"addressPrefix": "10.0.0.0/24"}}
    problem = address_outside(address, subnet)
    assert (problem is None) if words is None else words in problem
