"""The pure checks and merges of the networking modules: validation before any request, ids,
and how subnets and rules are merged and written."""

from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils import _ids as refs
from ansible_collections.cloudlb.azure.plugins.module_utils import _network_validation as v
from ansible_collections.cloudlb.azure.plugins.module_utils import _security_group as sg
from ansible_collections.cloudlb.azure.plugins.module_utils import _virtual_network as vn

SUB = "00000000-0000-0000-0000-000000000000"
NSG_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg"
VNET_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet"


class TestNames:
    @pytest.mark.parametrize("name", ["a", "myVNet", "my_vnet-1.a", "x" * 80, "_under", "ends_"])
    def test_valid(self, name):
        assert v.name_problem(name) is None

    @pytest.mark.parametrize("name, words", [
        ("", "cannot be empty"), ("x" * 81, "longer than 80"), ("-a", "not valid"), ("a.", "not valid"),
        ("a b", "not valid"), ("a/b", "not valid"), ("a-", "not valid"),
    ])
    def test_invalid(self, name, words):
        assert words in v.name_problem(name)


class TestCidr:
    @pytest.mark.parametrize("text", ["10.0.0.0/16", "10.0.0.0/29", "0.0.0.0/0", "fd00::/64"])
    def test_valid(self, text):
        assert v.cidr_problem(text) is None

    @pytest.mark.parametrize("text, words", [
        ("10.0.0.0", "not a CIDR prefix"), ("10.0.0.0/33", "not a CIDR prefix"), ("x/24", "not a CIDR prefix"),
        ("10.0.0.1/24", "host bits set; the prefix is 10.0.0.0/24"), (None, "not a CIDR prefix"),
    ])
    def test_invalid(self, text, words):
        assert words in v.cidr_problem(text)

    def test_address_space(self):
        assert v.address_space_problems(["10.0.0.0/16", "10.1.0.0/16"]) == []
        assert v.address_space_problems([]) == ["address_prefixes needs at least one prefix"]
        assert v.address_space_problems(["10.0.0.0/16", "10.0.1.0/24"]) == [
            "address_prefixes: 10.0.0.0/16 and 10.0.1.0/24 overlap"]


class TestSubnets:
    SPACE = ["10.0.0.0/16"]

    def test_valid(self):
        subnets = [{"name": "a", "address_prefix": "10.0.0.0/24"}, {"name": "b", "address_prefix": "10.0.1.0/29"}]
        assert v.subnet_problems(subnets, self.SPACE) == []

    @pytest.mark.parametrize("subnets, words", [
        ([{"name": "a", "address_prefix": "10.1.0.0/24"}], "outside the virtual network's address space (10.0.0.0/16)"),
        ([{"name": "a", "address_prefix": "10.0.0.0/24"}, {"name": "b", "address_prefix": "10.0.0.0/25"}],
         "subnets 'a' (10.0.0.0/24) and 'b' (10.0.0.0/25) overlap"),
        ([{"name": "a", "address_prefix": "10.0.0.0/30"}], "too small"),
        ([{"name": "a", "address_prefix": "10.0.0.7/24"}], "host bits set"),
        ([{"name": "a", "address_prefix": "10.0.0.0/24"}, {"name": "A", "address_prefix": "10.0.1.0/24"}],
         "listed twice"),
        ([{"name": "a b", "address_prefix": "10.0.0.0/24"}], "subnet name"),
    ])
    def test_invalid(self, subnets, words):
        problems = v.subnet_problems(subnets, self.SPACE)
        assert any(words in p for p in problems), problems

    def test_no_space_given_checks_only_the_subnets(self):
        assert v.subnet_problems([{"name": "a", "address_prefix": "192.168.0.0/24"}], None) == []


class TestRules:
    RULE = {"name": "http", "priority": 100, "direction": "Inbound", "source_port_ranges": ["*"],
            "destination_port_ranges": ["80"], "source_address_prefixes": ["*"],
            "destination_address_prefixes": ["*"]}

    @pytest.mark.parametrize("value", ["*", "80", "0", "65535", "1000-2000", "80-80"])
    def test_port_ranges(self, value):
        assert v.port_range_problem(value) is None

    @pytest.mark.parametrize("value, words", [
        ("80-", "is not '*'"), ("a", "is not '*'"), ("80,81", "is not '*'"), ("65536", "beyond 65535"),
        ("2000-1000", "starts after it ends"), ("", "is not '*'"), ("-1", "is not '*'"),
    ])
    def test_bad_port_ranges(self, value, words):
        assert words in v.port_range_problem(value)

    @pytest.mark.parametrize("value", ["*", "10.0.0.1", "10.0.0.0/8", "Internet", "VirtualNetwork",
                                       "AzureLoadBalancer", "Storage.WestEurope", "fd00::1"])
    def test_address_prefixes(self, value):
        assert v.address_prefix_problem(value) is None

    @pytest.mark.parametrize("value", ["10.0.0.1/8", "not valid", "10.0.0.0/40", "Storage.West.Europe"])
    def test_bad_address_prefixes(self, value):
        assert v.address_prefix_problem(value)

    @pytest.mark.parametrize("value", ["NotATag", "InternetX", "Storage.", "Storage.West.Europe"])
    def test_unknown_service_tags(self, value):
        assert v.address_prefix_problem(value)

    def test_service_tags_are_azemus(self):
        """The collection and azemu are separate products, each with its own copy of Azure's
        service tag table: the two copies must say the same."""
        from azemu.providers.network.service_tags import SERVICE_TAGS as AZEMU_TAGS, known_tag

        assert v.SERVICE_TAGS == AZEMU_TAGS
        for tag in sorted(AZEMU_TAGS):
            assert v.address_prefix_problem(tag) is None and known_tag(tag), tag

    @pytest.mark.parametrize("priority, ok", [(99, False), (100, True), (4096, True), (4097, False)])
    def test_priority_range(self, priority, ok):
        assert (v.priority_problem(priority) is None) is ok

    def test_duplicate_priority_per_direction(self):
        rules = [self.RULE, dict(self.RULE, name="other"), dict(self.RULE, name="out", direction="Outbound")]
        assert v.rule_problems(rules) == [
            "rules 'http' and 'other' have the same priority 100 and direction Inbound; Azure needs each priority"
            " once per direction"]

    def test_every_problem_is_reported(self):
        rule = dict(self.RULE, priority=5000, destination_port_ranges=["80", "x"],
                    source_address_prefixes=["1.2.3.4/8"], description="d" * 141)
        problems = v.rule_problems([rule, dict(self.RULE, name="HTTP", priority=200)])
        assert len(problems) == 5, problems
        assert any("listed twice" in p for p in problems)


class TestPublicIpChecks:
    @pytest.mark.parametrize("minutes, ok", [(None, True), (3, False), (4, True), (30, True), (31, False)])
    def test_idle_timeout(self, minutes, ok):
        assert (v.idle_timeout_problem(minutes) is None) is ok

    @pytest.mark.parametrize("label, ok", [("abc", True), ("my-app-1", True), ("ab", False), ("1abc", False),
                                           ("Abc", False), ("abc-", False), ("a_b", False), ("", True), (None, True)])
    def test_domain_label(self, label, ok):
        assert (v.domain_name_label_problem(label) is None) is ok


class TestRefs:
    def test_build_and_parse(self):
        rid = refs.resource_id(SUB, "rg", "virtualNetworks", "vnet", "subnets", "default")
        assert rid == VNET_ID + "/subnets/default"
        parts = refs.parse_id(rid)
        assert (parts["resource_group"], parts["type"], parts["name"], parts["children"]) == (
            "rg", "virtualNetworks", "vnet", [("subnets", "default")])
        assert refs.parse_id("nsg") is None

    def test_name_or_id(self):
        assert refs.to_id("nsg", SUB, "rg", refs.SECURITY_GROUP) == NSG_ID
        assert refs.to_id(NSG_ID, SUB, "other", refs.SECURITY_GROUP) == NSG_ID
        assert refs.reference_problem("nsg", refs.SECURITY_GROUP, "security_group") is None
        assert refs.reference_problem(NSG_ID.upper(), refs.SECURITY_GROUP, "security_group") is None
        assert "not the id" in refs.reference_problem(VNET_ID, refs.SECURITY_GROUP, "security_group")
        assert "neither a name nor" in refs.reference_problem("rg/nsg", refs.SECURITY_GROUP, "security_group")
        assert refs.same_id(NSG_ID, NSG_ID.lower()) and refs.name_of(NSG_ID) == "nsg"


class TestSubnetMerge:
    CURRENT = [
        {"name": "a", "id": VNET_ID + "/subnets/a", "address_prefix": "10.0.0.0/24", "address_prefixes": ["10.0.0.0/24"],
         "security_group": NSG_ID, "ip_configurations": [], "provisioning_state": "Succeeded"},
        {"name": "b", "id": VNET_ID + "/subnets/b", "address_prefix": "10.0.1.0/24", "address_prefixes": ["10.0.1.0/24"],
         "security_group": None, "ip_configurations": [], "provisioning_state": "Succeeded"},
    ]

    def test_unlisted_subnets_are_kept_unless_purged(self):
        wanted = [{"name": "c", "address_prefix": "10.0.2.0/24", "security_group": None}]
        assert [s["name"] for s in vn.merge_subnets(self.CURRENT, wanted, False, VNET_ID)] == ["a", "b", "c"]
        assert [s["name"] for s in vn.merge_subnets(self.CURRENT, wanted, True, VNET_ID)] == ["c"]

    def test_security_group_none_keeps_and_empty_removes(self):
        keep = vn.merge_subnets(self.CURRENT, [{"name": "a", "address_prefix": "10.0.0.0/24", "security_group": None}],
                                True, VNET_ID)
        assert keep[0]["security_group"] == NSG_ID and not vn.subnets_differ(self.CURRENT[:1], keep)
        drop = vn.merge_subnets(self.CURRENT, [{"name": "a", "address_prefix": "10.0.0.0/24", "security_group": ""}],
                                True, VNET_ID)
        assert drop[0]["security_group"] is None and vn.subnets_differ(self.CURRENT[:1], drop)
        same = vn.merge_subnets(self.CURRENT, [{"name": "A", "address_prefix": "10.0.0.0/24",
                                                "security_group": NSG_ID.lower()}], True, VNET_ID)
        assert not vn.subnets_differ(self.CURRENT[:1], same), "names and ids compare without regard to case"

    def test_body_carries_every_remaining_subnet_with_its_other_properties(self):
        current_json = {"location": "eastus", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.0.0/24", "delegations": [{"name": "d"}],
                                                     "networkSecurityGroup": {"id": NSG_ID}}},
                        {"name": "b", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}
        desired = vn.to_dict(dict(current_json, id=VNET_ID, name="vnet"))
        desired["subnets"] = vn.merge_subnets(desired["subnets"], [
            {"name": "c", "address_prefix": "10.0.2.0/24", "security_group": NSG_ID},
            {"name": "a", "address_prefix": "10.0.0.0/24", "security_group": ""}], False, VNET_ID)
        body = vn.body_for(desired, current_json)
        subnets = {s["name"]: s["properties"] for s in body["properties"]["subnets"]}
        assert subnets == {
            "a": {"addressPrefix": "10.0.0.0/24", "delegations": [{"name": "d"}]},
            "b": {"addressPrefix": "10.0.1.0/24"},
            "c": {"addressPrefix": "10.0.2.0/24", "networkSecurityGroup": {"id": NSG_ID}},
        }
        assert "dhcpOptions" not in body["properties"]


class TestRuleMerge:
    WANT = {"name": "http", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
            "source_address_prefixes": ["*"], "source_port_ranges": ["*"], "destination_address_prefixes": ["*"],
            "destination_port_ranges": ["80"], "description": None}
    AZURE = {"name": "http", "id": NSG_ID + "/securityRules/http", "properties": {
        "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*",
        "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "80",
        "sourcePortRanges": [], "destinationPortRanges": [], "sourceAddressPrefixes": [],
        "destinationAddressPrefixes": [], "provisioningState": "Succeeded"}}

    def test_azure_singular_and_plural_forms_read_the_same(self):
        current = [sg.rule_to_dict(self.AZURE)]
        assert current[0]["destination_port_ranges"] == ["80"]
        merged = sg.merge_rules(current, [self.WANT], False, NSG_ID)
        assert not sg.rules_differ(current, merged)

    def test_changed_rule_is_updated_and_unlisted_kept_unless_purged(self):
        other = dict(self.AZURE, name="other", properties=dict(self.AZURE["properties"], priority=200))
        current = [sg.rule_to_dict(self.AZURE), sg.rule_to_dict(other)]
        wanted = [dict(self.WANT, destination_port_ranges=["443", "80"])]
        merged = sg.merge_rules(current, wanted, False, NSG_ID)
        assert sg.rules_differ(current, merged) and [r["name"] for r in merged] == ["http", "other"]
        assert [r["name"] for r in sg.merge_rules(current, wanted, True, NSG_ID)] == ["http"]
        reordered = sg.merge_rules(current, [dict(self.WANT, destination_port_ranges=["80"])], False, NSG_ID)
        assert not sg.rules_differ(current, reordered)

    def test_body_writes_one_value_singular_and_several_plural(self):
        desired = {"location": "eastus", "tags": {}, "rules": [
            dict(self.WANT, destination_port_ranges=["80", "443"], description="web")]}
        props = sg.body_for(desired)["properties"]["securityRules"][0]["properties"]
        assert (props["sourcePortRange"], props["sourcePortRanges"]) == ("*", [])
        assert props["destinationPortRanges"] == ["80", "443"] and "destinationPortRange" not in props
        assert props["description"] == "web"
