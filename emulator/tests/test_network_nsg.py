"""Microsoft.Network/networkSecurityGroups, securityRules and defaultSecurityRules over real
HTTPS: shapes against Azure's examples, the six default rules, rule validation with Azure's
codes, the networkInterfaces/subnets back-references and the in-use delete."""

from __future__ import annotations

import copy

import pytest

from network_helpers import (delete_done, error_of, example, finish, nic_body, path_of, put_done, retarget,
                             vnet_body)
from reference import assert_covers

RULE = {"protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Allow",
        "sourcePortRange": "*", "destinationPortRange": "80", "priority": 1001, "direction": "Inbound"}


def nsg_path(rg, name="nsg", *child):
    return path_of(rg, "networkSecurityGroups", name, *child)


def nsg_with(*rules):
    return {"location": "eastus", "properties": {"securityRules": [
        {"name": name, "properties": props} for name, props in rules]}}


def without_state(value):
    """A body with provisioningState and etag removed at every level (they change with time)."""
    if isinstance(value, dict):
        return {k: without_state(v) for k, v in value.items() if k not in ("provisioningState", "etag")}
    if isinstance(value, list):
        return [without_state(v) for v in value]
    return value


def test_create_with_a_rule_matches_the_example(arm, rg):
    doc = retarget(example("2024-05-01/examples/NetworkSecurityGroupCreateWithRule.json"), arm, rg)
    resp = arm.put(nsg_path(rg, "testnsg"), doc["parameters"]["parameters"])
    assert resp.status == 201, resp
    want = doc["responses"]["201"]["body"]
    assert_covers(resp.body, want)
    assert finish(arm, resp) == {"status": "Succeeded"}
    got = arm.get(nsg_path(rg, "testnsg")).body
    assert_covers(got, want)
    # The default rules are Azure's, field for field (azemu adds the empty plural fields Azure shows).
    ours = [{k: v for k, v in r.items() if k not in ("etag", "type")} for r in without_state(got["properties"]["defaultSecurityRules"])]
    for rule in ours:
        for plural in ("sourcePortRanges", "destinationPortRanges", "sourceAddressPrefixes", "destinationAddressPrefixes"):
            assert rule["properties"].pop(plural) == []
    assert ours == without_state(want["properties"]["defaultSecurityRules"])
    assert without_state(got["properties"]["securityRules"][0]["properties"]) == dict(
        without_state(want["properties"]["securityRules"][0]["properties"]),
        sourcePortRanges=[], destinationPortRanges=[], sourceAddressPrefixes=[], destinationAddressPrefixes=[])


def test_rule_create_matches_the_example(arm, rg):
    doc = retarget(example("2024-05-01/examples/NetworkSecurityGroupRuleCreate.json"), arm, rg)
    put_done(arm, nsg_path(rg, "testnsg"), {"location": "eastus"})
    resp = arm.put(nsg_path(rg, "testnsg", "securityRules", "rule1"), doc["parameters"]["securityRuleParameters"])
    assert resp.status == 201, resp
    assert_covers(resp.body, doc["responses"]["201"]["body"])
    assert finish(arm, resp) == {"status": "Succeeded"}
    got = arm.get(nsg_path(rg, "testnsg", "securityRules", "rule1")).body
    assert got["id"] == doc["responses"]["200"]["body"]["id"]
    assert_covers(got, doc["responses"]["200"]["body"])
    assert [r["name"] for r in arm.get(nsg_path(rg, "testnsg", "securityRules")).body["value"]] == ["rule1"]


def test_default_rules_are_read_only(arm, rg):
    put_done(arm, nsg_path(rg), {"location": "eastus"})
    listed = arm.get(nsg_path(rg, "nsg", "defaultSecurityRules")).body["value"]
    assert [(r["name"], r["properties"]["priority"], r["properties"]["direction"]) for r in listed] == [
        ("AllowVnetInBound", 65000, "Inbound"), ("AllowAzureLoadBalancerInBound", 65001, "Inbound"),
        ("DenyAllInBound", 65500, "Inbound"), ("AllowVnetOutBound", 65000, "Outbound"),
        ("AllowInternetOutBound", 65001, "Outbound"), ("DenyAllOutBound", 65500, "Outbound")]
    one = arm.get(nsg_path(rg, "nsg", "defaultSecurityRules", "DenyAllInBound")).body
    assert (one["properties"]["access"], one["properties"]["sourceAddressPrefix"]) == ("Deny", "*")
    assert arm.put(nsg_path(rg, "nsg", "defaultSecurityRules", "Mine"), {"properties": RULE}).status == 405
    assert arm.delete(nsg_path(rg, "nsg", "defaultSecurityRules", "DenyAllInBound")).status == 405
    assert len(arm.get(nsg_path(rg)).body["properties"]["defaultSecurityRules"]) == 6


def test_get_then_put_back_keeps_everything(arm, rg):
    put_done(arm, nsg_path(rg), nsg_with(("r1", RULE)))
    before = arm.get(nsg_path(rg)).body
    after = put_done(arm, nsg_path(rg), copy.deepcopy(before))
    assert without_state(after["properties"]) == without_state(before["properties"])


@pytest.mark.parametrize("change, code", [
    ({"priority": 99}, "SecurityRuleInvalidPriority"),
    ({"priority": 4097}, "SecurityRuleInvalidPriority"),
    ({"destinationPortRange": "80-"}, "SecurityRuleInvalidPortRange"),
    ({"destinationPortRange": "65536"}, "SecurityRuleInvalidPortRange"),
    ({"sourcePortRange": "2000-1000"}, "SecurityRuleInvalidPortRange"),
    ({"sourceAddressPrefix": "10.0.0.1/24"}, "SecurityRuleInvalidAddressPrefix"),
    ({"sourceAddressPrefix": "not valid!"}, "SecurityRuleInvalidAddressPrefix"),
    ({"protocol": None}, "SecurityRuleParameterIsNullOrEmpty"),
    ({"destinationPortRange": None}, "SecurityRuleParameterIsNullOrEmpty"),
    ({"protocol": "Gre"}, "SecurityRuleInvalidProtocol"),       # Azure/azure-cli#25181
    ({"sourcePortRanges": ["80", "81"]}, "SecurityRuleParameterContainsUnsupportedValue"),
])
def test_refused_rules(arm, rg, change, code):
    rule = {k: v for k, v in dict(RULE, **change).items() if v is not None}
    assert error_of(arm.put(nsg_path(rg), nsg_with(("r1", rule))))[0] == code
    assert arm.get(nsg_path(rg)).status == 404


def test_priority_is_unique_per_direction(arm, rg):
    code, message = error_of(arm.put(nsg_path(rg), nsg_with(("r1", RULE), ("r2", RULE))))
    assert code == "SecurityRuleConflict"
    assert message.startswith("Security rule r1 conflicts with rule r2. Rules cannot have the same Priority and Direction.")
    got = put_done(arm, nsg_path(rg), nsg_with(("r1", RULE), ("r2", dict(RULE, direction="Outbound"))))
    assert [r["name"] for r in got["properties"]["securityRules"]] == ["r1", "r2"]
    resp = arm.put(nsg_path(rg, "nsg", "securityRules", "r3"), {"properties": RULE})
    assert error_of(resp)[0] == "SecurityRuleConflict"


def test_plural_fields_are_accepted_and_shown(arm, rg):
    rule = {k: v for k, v in RULE.items() if k not in ("destinationPortRange", "sourceAddressPrefix")}
    rule.update(destinationPortRanges=["80", "443", "8000-8080"], sourceAddressPrefixes=["10.0.0.0/8", "Internet"])
    got = put_done(arm, nsg_path(rg), nsg_with(("multi", rule)))["properties"]["securityRules"][0]["properties"]
    assert got["destinationPortRanges"] == ["80", "443", "8000-8080"] and "destinationPortRange" not in got
    assert got["sourceAddressPrefixes"] == ["10.0.0.0/8", "Internet"] and got["sourcePortRanges"] == []


class TestUsers:
    @pytest.fixture
    def used(self, arm, rg):
        """An NSG used by one subnet and by one NIC."""
        nsg = put_done(arm, nsg_path(rg), nsg_with(("r1", RULE)))
        vnet = put_done(arm, path_of(rg, "virtualNetworks", "vnet"), vnet_body(nsg=nsg["id"]))
        subnet = vnet["properties"]["subnets"][0]["id"]
        nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), nic_body(subnet, nsg=nsg["id"]))
        return nsg["id"], subnet, nic["id"]

    def test_back_references(self, arm, rg, used):
        _nsg, subnet, nic = used
        props = arm.get(nsg_path(rg)).body["properties"]
        assert (props["subnets"], props["networkInterfaces"]) == ([{"id": subnet}], [{"id": nic}])

    def test_in_use_nsg_cannot_be_deleted(self, arm, rg, used):
        nsg, subnet, nic = used
        code, message = error_of(arm.delete(nsg_path(rg)))
        assert code == "InUseNetworkSecurityGroupCannotBeDeleted"
        assert message.startswith(f"Network security group {nsg} cannot be deleted because it is in use by the "
                                  f"following resources: {subnet}, {nic}.")
        delete_done(arm, path_of(rg, "networkInterfaces", "nic"))
        assert error_of(arm.delete(nsg_path(rg)))[0] == "InUseNetworkSecurityGroupCannotBeDeleted"
        put_done(arm, path_of(rg, "virtualNetworks", "vnet"), vnet_body())
        assert "subnets" not in arm.get(nsg_path(rg)).body["properties"]
        delete_done(arm, nsg_path(rg))
