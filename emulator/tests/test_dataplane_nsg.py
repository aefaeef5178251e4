"""NSG evaluation for traffic the load balancer sends to a backend NIC."""

from __future__ import annotations

from azemu.dataplane import nsg
from azemu.dataplane.nsg import AZURE_LOAD_BALANCER_IP, Packet, evaluate

VNET = ["10.1.0.0/16"]
CLIENT = Packet("127.0.0.1", 51000, "10.1.0.4", 80)
PROBE = Packet(AZURE_LOAD_BALANCER_IP, 49152, "10.1.0.4", 80)


def rule(name, priority, access="Allow", source="*", port="80", protocol="Tcp", destination="*",
         direction="Inbound", **extra):
    props = {"priority": priority, "access": access, "protocol": protocol, "direction": direction,
             "sourceAddressPrefix": source, "sourcePortRange": "*", "destinationAddressPrefix": destination,
             "destinationPortRange": port}
    props.update(extra)
    return {"name": name, "properties": props}


def test_tutorial_rule_lets_clients_in():
    verdict = evaluate([("nsg1", [rule("myNSGRuleHTTP", 200)])], CLIENT, VNET)
    assert verdict.allowed and verdict.rule is None


def test_without_an_allow_rule_clients_hit_deny_all_but_probes_pass():
    denied = evaluate([("nsg1", [])], CLIENT, VNET)
    assert (denied.allowed, denied.nsg, denied.rule) == (False, "nsg1", "DenyAllInBound")
    assert evaluate([("nsg1", [])], PROBE, VNET).allowed


def test_no_nsg_at_all_is_closed_to_clients_open_to_probes():
    assert not evaluate([], CLIENT, VNET).allowed
    assert evaluate([], PROBE, VNET).allowed


def test_subnet_and_nic_nsgs_must_both_allow():
    subnet = ("subnet-nsg", [rule("web", 200)])
    nic = ("nic-nsg", [rule("other-port", 200, port="8080")])
    verdict = evaluate([subnet, nic], CLIENT, VNET)
    assert (verdict.allowed, verdict.nsg) == (False, "nic-nsg")
    assert evaluate([subnet, ("nic-nsg", [rule("web", 300)])], CLIENT, VNET).allowed


def test_lowest_priority_number_wins():
    rules = [rule("allow", 300), rule("deny", 200, access="Deny")]
    assert evaluate([("n", rules)], CLIENT, VNET).rule == "deny"
    rules = [rule("allow", 100), rule("deny", 200, access="Deny")]
    assert evaluate([("n", rules)], CLIENT, VNET).allowed


def test_a_user_deny_for_the_load_balancer_tag_drops_probes_only():
    rules = [rule("web", 200), rule("no-probes", 100, access="Deny", source="AzureLoadBalancer", protocol="*")]
    assert not evaluate([("n", rules)], PROBE, VNET).allowed
    assert evaluate([("n", rules)], CLIENT, VNET).allowed


def test_prefixes_ranges_lists_and_tags():
    assert evaluate([("n", [rule("r", 200, port="70-90")])], CLIENT, VNET).allowed
    assert not evaluate([("n", [rule("r", 200, port="81-90")])], CLIENT, VNET).allowed
    listed = rule("r", 200, port=None, destinationPortRanges=["443", "80"])
    assert evaluate([("n", [listed])], CLIENT, VNET).allowed
    assert evaluate([("n", [rule("r", 200, source="127.0.0.0/8")])], CLIENT, VNET).allowed
    assert not evaluate([("n", [rule("r", 200, source="10.0.0.0/8")])], CLIENT, VNET).allowed
    assert evaluate([("n", [rule("r", 200, source="Internet")])], CLIENT, VNET).allowed
    assert not evaluate([("n", [rule("r", 200, source="VirtualNetwork")])], CLIENT, VNET).allowed
    assert evaluate([("n", [rule("r", 200, destination="VirtualNetwork")])], CLIENT, VNET).allowed
    assert evaluate([("n", [rule("r", 200, destination="10.1.0.4")])], CLIENT, VNET).allowed
    assert not evaluate([("n", [rule("r", 200, destination="10.1.0.5/32")])], CLIENT, VNET).allowed
    assert not evaluate([("n", [rule("r", 200, protocol="Udp")])], CLIENT, VNET).allowed
    assert not evaluate([("n", [rule("r", 200, direction="Outbound")])], CLIENT, VNET).allowed


def admits_any(rules, destination="10.1.0.4", port=80):
    return nsg.admits_any([("n", rules)], destination, port, VNET)


def test_whether_any_client_gets_through():
    """What decides if a frontend takes new connections at all: some source, any port."""
    assert admits_any([rule("web", 200)])
    assert not admits_any([])
    assert not nsg.admits_any([], "10.1.0.4", 80, VNET)         # no NSG: closed to clients
    assert not admits_any([rule("web", 200, port="8080")])
    assert admits_any([rule("office", 200, source="203.0.113.0/24")])
    assert admits_any([rule("one", 200, source="127.0.0.9")])
    assert not admits_any([rule("probes", 200, source="AzureLoadBalancer")])
    assert not admits_any([rule("vnet", 200, source="VirtualNetwork"), rule("web", 300, access="Deny")])
    assert admits_any([rule("deny-low-ports", 100, access="Deny", sourcePortRange="0-1023"), rule("web", 200)])
    everything = rule("deny-all-ports", 100, access="Deny", sourcePortRange="0-65535")
    assert not admits_any([everything, rule("web", 200)])
    assert not admits_any([rule("web", 200, destination="10.1.0.5")])
    assert admits_any([rule("web", 200)], port=80) and not admits_any([rule("web", 200)], port=81)
