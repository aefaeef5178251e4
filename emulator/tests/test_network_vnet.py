"""Microsoft.Network/virtualNetworks and their subnets over real HTTPS: shapes against Azure's
example, the subnet child routes, address checks with Azure's codes, the NSG reference, the
ipConfigurations back-reference and what an in-use subnet blocks."""

from __future__ import annotations

import ipaddress

import pytest

from azemu.providers.network import addresses
from network_helpers import (delete_done, error_of, example, finish, id_of, nic_body, path_of, put_done, retarget,
                             vnet_body)
from reference import assert_covers


def vnet_path(rg, name="vnet", *child):
    return path_of(rg, "virtualNetworks", name, *child)


def test_create_with_a_subnet_matches_the_example(arm, rg):
    doc = retarget(example("2024-03-01/examples/VirtualNetworkCreateSubnet.json"), arm, rg)
    resp = arm.put(vnet_path(rg, "test-vnet"), doc["parameters"]["parameters"])
    assert resp.status == 201, resp
    assert_covers(resp.body, doc["responses"]["201"]["body"])
    assert finish(arm, resp) == {"status": "Succeeded"}
    got = arm.get(vnet_path(rg, "test-vnet")).body
    want = doc["responses"]["200"]["body"]
    assert_covers(got, want)
    assert got["id"] == want["id"]
    assert [(s["id"], s["properties"]["addressPrefix"], s["properties"]["provisioningState"])
            for s in got["properties"]["subnets"]] == [
        (s["id"], s["properties"]["addressPrefix"], s["properties"]["provisioningState"])
        for s in want["properties"]["subnets"]]
    again = arm.put(vnet_path(rg, "test-vnet"), doc["parameters"]["parameters"])
    assert again.status == 200, again


def test_subnet_child_routes(arm, rg):
    put_done(arm, vnet_path(rg), vnet_body())
    resp = arm.put(vnet_path(rg, "vnet", "subnets", "second"), {"properties": {"addressPrefix": "10.0.1.0/24"}})
    assert resp.status == 201, resp
    assert resp.body["type"] == "Microsoft.Network/virtualNetworks/subnets"
    assert finish(arm, resp) == {"status": "Succeeded"}
    listed = arm.get(vnet_path(rg, "vnet", "subnets")).body["value"]
    assert [s["name"] for s in listed] == ["default", "second"]
    one = arm.get(vnet_path(rg, "vnet", "subnets", "second")).body
    assert one["properties"]["addressPrefix"] == "10.0.1.0/24"
    assert one["etag"] == arm.get(vnet_path(rg)).body["etag"], "a subnet shares its VNet's etag"
    delete_done(arm, vnet_path(rg, "vnet", "subnets", "second"))
    assert arm.get(vnet_path(rg, "vnet", "subnets", "second")).status == 404
    assert [s["name"] for s in arm.get(vnet_path(rg)).body["properties"]["subnets"]] == ["default"]


def test_a_vnet_put_replaces_the_subnet_list(arm, rg):
    put_done(arm, vnet_path(rg), vnet_body((("a", "10.0.0.0/24"), ("b", "10.0.1.0/24"))))
    got = put_done(arm, vnet_path(rg), vnet_body((("b", "10.0.1.0/24"),)))
    assert [s["name"] for s in got["properties"]["subnets"]] == ["b"]


@pytest.mark.parametrize("body, code, words", [
    (vnet_body((("s", "10.1.0.0/24"),)), "NetcfgSubnetRangeOutsideVnet", "outside the IP address range"),
    (vnet_body((("a", "10.0.0.0/24"), ("b", "10.0.0.128/25"))), "NetcfgSubnetRangesOverlap", "overlaps"),
    (vnet_body((("s", "10.0.0.1/24"),)), "InvalidCIDRNotation", "should be 10.0.0.0/24"),
    (vnet_body((("s", "10.0.0.0"),)), "InvalidAddressPrefixFormat", "not formatted correctly"),
    (vnet_body((("s", "10.0.0.0/30"),)), "NetcfgInvalidSubnet", "too small"),
    (vnet_body(space=("10.0.0.0/33",)), "InvalidAddressPrefixFormat", "10.0.0.0/33"),
    (vnet_body(space=("10.0.0.0/16", "10.0.128.0/17")), "VnetAddressSpacesOverlap", "overlaps"),
    (vnet_body((("-bad", "10.0.0.0/24"),)), "InvalidResourceName", "-bad"),
    ({"location": "eastus", "properties": {}}, "VirtualNetworkAddressSpaceMissing", "address space"),
])
def test_refused_bodies(arm, rg, body, code, words):
    got_code, message = error_of(arm.put(vnet_path(rg), body))
    assert got_code == code and words in message, message
    assert arm.get(vnet_path(rg)).status == 404


def test_shrinking_the_address_space_away_from_a_subnet_is_refused(arm, rg):
    put_done(arm, vnet_path(rg), vnet_body((("s", "10.0.5.0/24"),)))
    code, message = error_of(arm.put(vnet_path(rg), vnet_body((("s", "10.0.5.0/24"),), space=("10.0.0.0/22",))))
    assert code == "NetcfgSubnetRangeOutsideVnet" and "'s'" in message


def test_subnet_security_group_must_exist(arm, rg):
    missing = id_of(arm, rg, "networkSecurityGroups", "nope")
    code, message = error_of(arm.put(vnet_path(rg), vnet_body(nsg=missing)))
    assert code == "InvalidResourceReference"
    assert missing in message and id_of(arm, rg, "virtualNetworks", "vnet", "subnets", "default") in message
    nsg = put_done(arm, path_of(rg, "networkSecurityGroups", "nsg"), {"location": "eastus"})
    got = put_done(arm, vnet_path(rg), vnet_body(nsg=nsg["id"]))
    assert got["properties"]["subnets"][0]["properties"]["networkSecurityGroup"] == {"id": nsg["id"]}


class TestInUse:
    @pytest.fixture
    def used(self, arm, rg):
        """A VNet whose subnet 'a' holds one NIC; 'b' is empty."""
        vnet = put_done(arm, vnet_path(rg), vnet_body((("a", "10.0.0.0/24"), ("b", "10.0.1.0/24"))))
        subnet = vnet["properties"]["subnets"][0]["id"]
        nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), nic_body(subnet))
        return subnet, nic["properties"]["ipConfigurations"][0]

    def test_ip_configurations_back_reference(self, arm, rg, used):
        subnet, ipconfig = used
        subnets = {s["name"]: s["properties"] for s in arm.get(vnet_path(rg)).body["properties"]["subnets"]}
        assert subnets["a"]["ipConfigurations"] == [{"id": ipconfig["id"]}]
        assert "ipConfigurations" not in subnets["b"]
        assert arm.get(vnet_path(rg, "vnet", "subnets", "a")).body["properties"]["ipConfigurations"] == [
            {"id": ipconfig["id"]}]
        assert ipconfig["properties"]["privateIPAddress"] == "10.0.0.4", "the first address Azure hands out is .4"

    def test_read_back_body_can_be_put_again(self, arm, rg, used):
        body = arm.get(vnet_path(rg)).body
        resp = arm.put(vnet_path(rg), body)
        assert resp.status == 200, resp
        assert finish(arm, resp) == {"status": "Succeeded"}

    @pytest.mark.parametrize("how", ["subnet delete", "vnet put without it", "vnet delete"])
    def test_in_use_subnet_cannot_be_deleted(self, arm, rg, used, how):
        subnet, ipconfig = used
        if how == "subnet delete":
            resp = arm.delete(vnet_path(rg, "vnet", "subnets", "a"))
        elif how == "vnet put without it":
            resp = arm.put(vnet_path(rg), vnet_body((("b", "10.0.1.0/24"),)))
        else:
            resp = arm.delete(vnet_path(rg))
        code, message = error_of(resp)
        assert code == "InUseSubnetCannotBeDeleted"
        assert message.startswith(f"Subnet a is in use by {ipconfig['id']} and cannot be deleted.")
        assert [s["name"] for s in arm.get(vnet_path(rg)).body["properties"]["subnets"]] == ["a", "b"]

    def test_unused_subnet_can_go_and_prefix_cannot_leave_a_nic_out(self, arm, rg, used):
        delete_done(arm, vnet_path(rg, "vnet", "subnets", "b"))
        code, _message = error_of(arm.put(vnet_path(rg, "vnet", "subnets", "a"),
                                          {"properties": {"addressPrefix": "10.0.0.128/25"}}))
        assert code == "InUseSubnetCannotBeUpdated"
        grown = put_done(arm, vnet_path(rg, "vnet", "subnets", "a"), {"properties": {"addressPrefix": "10.0.0.0/23"}})
        assert grown["properties"]["addressPrefix"] == "10.0.0.0/23"
        delete_done(arm, path_of(rg, "networkInterfaces", "nic"))
        delete_done(arm, vnet_path(rg))


class TestAddressHelpers:
    def test_first_usable_is_dot_four_and_the_last_is_reserved(self):
        subnet = addresses.parse_prefix("10.0.0.0/29")
        assert addresses.usable_range(subnet) == (ipaddress.ip_address("10.0.0.4"), ipaddress.ip_address("10.0.0.6"))
        assert addresses.allocate_private(subnet, []) == "10.0.0.4"
        assert addresses.allocate_private(subnet, ["10.0.0.4"]) == "10.0.0.5"
        assert addresses.allocate_private(subnet, ["10.0.0.4", "10.0.0.5", "10.0.0.6"]) is None
        assert addresses.usable_range(addresses.parse_prefix("10.0.0.0/30")) is None

    def test_prefix_parsing_containment_and_overlap(self):
        with pytest.raises(addresses.AddressError) as err:
            addresses.parse_prefix("10.0.0.1/24")
        assert str(err.value.suggestion) == "10.0.0.0/24"
        with pytest.raises(addresses.AddressError) as err:
            addresses.parse_prefix("10.0.0")
        assert err.value.suggestion is None
        space = addresses.parse_prefix("10.0.0.0/16")
        assert addresses.contains(space, addresses.parse_prefix("10.0.3.0/24"))
        assert not addresses.contains(space, addresses.parse_prefix("10.1.0.0/24"))
        assert not addresses.contains(space, addresses.parse_prefix("fd00::/64"))
        nets = [addresses.parse_prefix(p) for p in ("10.0.0.0/24", "10.0.1.0/24", "10.0.1.128/25")]
        assert [str(n) for n in addresses.first_overlap(nets)] == ["10.0.1.0/24", "10.0.1.128/25"]
        assert addresses.first_overlap(nets[:2]) is None
