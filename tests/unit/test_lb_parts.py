"""The pure helpers behind load_balancer, lb_probe, lb_rule and load_balancer_info."""

from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils import _lb_parts as parts
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import REMOVE, OptionError

SUB = "00000000-0000-0000-0000-000000000000"
LB_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb"


def lb(frontends=("fe",), pools=("pool",), probes=(), rules=()):
    return {"id": LB_ID, "name": "lb", "properties": {
        "frontendIPConfigurations": [{"name": n, "id": f"{LB_ID}/frontendIPConfigurations/{n}", "properties": {}}
                                     for n in frontends],
        "backendAddressPools": [{"name": n, "id": f"{LB_ID}/backendAddressPools/{n}", "properties": {}}
                                for n in pools],
        "probes": list(probes), "loadBalancingRules": list(rules)}}


def probe_spec(**kw):
    spec = dict.fromkeys(("protocol", "port", "request_path", "interval", "number_of_probes", "probe_threshold"))
    return {**spec, "name": "probe", **kw}


def rule_spec(**kw):
    spec = dict.fromkeys(("protocol", "frontend_port", "backend_port", "frontend_ip_configuration", "backend_pool",
                          "probe", "idle_timeout", "load_distribution", "floating_ip", "enable_tcp_reset",
                          "disable_outbound_snat"))
    return {**spec, "name": "rule", **kw}


# --- merging -----------------------------------------------------------------------------------

def test_merge_entry_adds_updates_and_keeps_the_rest():
    items = [{"name": "a", "properties": {"port": 80, "requestPath": "/x"}}, {"name": "b", "properties": {}}]
    added, changed = parts.merge_entry(items, "c", {"port": 1, "requestPath": REMOVE, "x": None})
    assert changed and added[-1] == {"name": "c", "properties": {"port": 1}}
    updated, changed = parts.merge_entry(items, "A", {"port": 81, "requestPath": REMOVE, "intervalInSeconds": None})
    assert changed and updated[0] == {"name": "a", "properties": {"port": 81}} and updated[1] == items[1]
    assert items[0]["properties"]["port"] == 80, "the input is not modified"
    same, changed = parts.merge_entry(items, "a", {"port": 80, "probe": None})
    assert not changed and same == items


def test_references_compare_without_regard_to_case():
    items = [{"name": "r", "properties": {"probe": {"id": f"{LB_ID}/probes/P"}}}]
    _out, changed = parts.merge_entry(items, "r", {"probe": {"id": f"{LB_ID.upper()}/probes/p"}})
    assert not changed


def test_without_entry():
    items = [{"name": "a"}, {"name": "b"}]
    assert parts.without_entry(items, "B") == ([{"name": "a"}], True)
    assert parts.without_entry(items, "c") == (items, False)


# --- probes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,words", [
    (probe_spec(protocol="Tcp", request_path="/"), "refuses it for a Tcp probe"),
    (probe_spec(protocol="Http", request_path=""), "cannot be empty"),
    (probe_spec(port=0), "port must be between 1 and 65535"),
    (probe_spec(interval=4), "between 5 and 2147483647 seconds"),
    (probe_spec(number_of_probes=0), "number_of_probes must be at least 1"),
    (probe_spec(probe_threshold=0), "probe_threshold must be at least 1"),
    (probe_spec(name="a b"), "probe name"),
    (probe_spec(protocol="tcp"), "protocol must be one of Tcp, Http, Https"),
])
def test_probe_problems(spec, words):
    problems = parts.probe_problems(spec)
    assert len(problems) == 1 and words in problems[0], problems


def test_good_probes_have_no_problems():
    assert parts.probe_problems(probe_spec(protocol="Http", port=80, request_path="healthcheck.aspx", interval=5)) == []


def test_probe_properties():
    tcp = parts.probe_properties(probe_spec(protocol="Tcp", port=80))
    assert tcp == {"protocol": "Tcp", "port": 80, "requestPath": REMOVE, "intervalInSeconds": None,
                   "numberOfProbes": None, "probeThreshold": None}
    http = {"name": "probe", "properties": {"protocol": "Http", "port": 80, "requestPath": "/h"}}
    assert parts.probe_properties(probe_spec(interval=5), http)["requestPath"] is None, "kept as it is"
    with pytest.raises(OptionError, match="port needed to create it"):
        parts.probe_properties(probe_spec(protocol="Tcp"))
    with pytest.raises(OptionError, match="request_path is required for an Https probe"):
        parts.probe_properties(probe_spec(protocol="Https", port=443))
    with pytest.raises(OptionError, match="is a Tcp probe"):
        parts.probe_properties(probe_spec(request_path="/x"), {"name": "probe", "properties": {"protocol": "Tcp"}})


# --- rules -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,words", [
    (rule_spec(protocol="Tcp", frontend_port=65535), "frontend_port must be between 0 and 65534"),
    (rule_spec(protocol="Tcp", backend_port=0), "backend_port 0 (all ports) needs protocol All"),
    (rule_spec(idle_timeout=3), "idle_timeout must be between 4 and 30"),
    (rule_spec(load_distribution="RoundRobin"), "load_distribution must be one of"),
    (rule_spec(probe="x y"), "probe name"),
])
def test_rule_problems(spec, words):
    problems = parts.rule_problems(spec)
    assert len(problems) == 1 and words in problems[0], problems


def test_all_ports_and_probe_removal_are_fine():
    assert parts.rule_problems(rule_spec(protocol="All", frontend_port=0, backend_port=0, probe="")) == []


def test_a_new_rule_defaults_to_the_only_frontend_and_pool():
    props = parts.rule_properties(rule_spec(protocol="Tcp", frontend_port=80, backend_port=80), lb(probes=[
        {"name": "probe"}]), LB_ID)
    pool = {"id": f"{LB_ID}/backendAddressPools/pool"}
    assert props["frontendIPConfiguration"] == {"id": f"{LB_ID}/frontendIPConfigurations/fe"}
    assert props["backendAddressPool"] == pool and props["backendAddressPools"] == [pool]
    assert props["probe"] is None


def test_rule_references_use_the_load_balancers_spelling():
    props = parts.rule_properties(rule_spec(protocol="Tcp", frontend_port=80, backend_port=80, probe="PROBE"),
                                  lb(probes=[{"name": "probe"}]), LB_ID)
    assert props["probe"] == {"id": f"{LB_ID}/probes/probe"}


def test_rule_property_errors():
    new = rule_spec(protocol="Tcp", frontend_port=80, backend_port=80)
    with pytest.raises(OptionError, match="has 2 backend pools: a, b; name the backend pool"):
        parts.rule_properties(new, lb(pools=("a", "b")), LB_ID)
    with pytest.raises(OptionError, match="has no frontend IP configurations; name the frontend"):
        parts.rule_properties(new, lb(frontends=()), LB_ID)
    with pytest.raises(OptionError, match="no probe nope"):
        parts.rule_properties(dict(new, probe="nope"), lb(), LB_ID)
    with pytest.raises(OptionError, match="frontend_port, backend_port needed"):
        parts.rule_properties(rule_spec(protocol="Tcp"), lb(), LB_ID)


def test_updating_a_rule_touches_only_what_is_given():
    existing = {"name": "rule", "properties": {"protocol": "Tcp", "frontendPort": 80}}
    props = parts.rule_properties(rule_spec(idle_timeout=10, probe=""), lb(rules=[existing]), LB_ID)
    assert props["idleTimeoutInMinutes"] == 10 and props["probe"] is REMOVE
    assert [k for k, v in props.items() if v is not None] == ["probe", "idleTimeoutInMinutes"]


# --- frontends, ids and views ------------------------------------------------------------------

def test_frontend_properties():
    public = parts.frontend_properties({"name": "fe", "public_ip_address": "pip"}, SUB, "rg")
    assert public["publicIPAddress"] == {
        "id": f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip"}
    assert public["subnet"] is REMOVE and public["privateIPAllocationMethod"] == "Dynamic"
    private = parts.frontend_properties({"name": "fe", "subnet": "web", "virtual_network": "vnet",
                                         "private_ip_address": "10.0.0.9"}, SUB, "rg")
    assert private["subnet"]["id"].endswith("/virtualNetworks/vnet/subnets/web")
    assert (private["privateIPAllocationMethod"], private["privateIPAddress"]) == ("Static", "10.0.0.9")


@pytest.mark.parametrize("spec,words", [
    ({"name": "fe"}, "needs either public_ip_address"),
    ({"name": "fe", "public_ip_address": "pip", "private_ip_address": "10.0.0.4"}, "not one on a public IP"),
    ({"name": "fe", "subnet": "web"}, "give virtual_network too"),
    ({"name": "fe", "subnet": "web", "virtual_network": "v", "private_ip_allocation_method": "Static"}, "needs"),
    ({"name": "fe", "subnet": "web", "virtual_network": "v", "private_ip_address": "10.0.0"}, "is not an IP"),
])
def test_frontend_problems(spec, words):
    with pytest.raises(OptionError, match=words):
        parts.frontend_properties(spec, SUB, "rg")


def test_with_ids_fills_only_missing_ids():
    body = {"properties": {"probes": [{"name": "p"}], "loadBalancingRules": [{"name": "r", "id": "kept"}]}}
    out = parts.with_ids(body, LB_ID)
    assert out["id"] == LB_ID and out["name"] == "lb"
    assert out["properties"]["probes"][0]["id"] == f"{LB_ID}/probes/p"
    assert out["properties"]["loadBalancingRules"][0]["id"] == "kept"
    assert "id" not in body


def test_views_and_diff_views():
    body = lb(probes=[{"name": "p", "id": f"{LB_ID}/probes/p", "properties": {
        "protocol": "Tcp", "port": 80, "provisioningState": "Succeeded",
        "loadBalancingRules": [{"id": f"{LB_ID}/loadBalancingRules/r"}]}}], rules=[{"name": "r", "properties": {
            "protocol": "Tcp", "frontendPort": 80, "backendPort": 80, "probe": {"id": f"{LB_ID}/probes/p"},
            "backendAddressPool": {"id": f"{LB_ID}/backendAddressPools/pool"}}}])
    view = parts.lb_to_dict(body)
    assert view["probes"][0]["load_balancing_rules"] == ["r"]
    assert (view["rules"][0]["probe"], view["rules"][0]["backend_pool"]) == ("p", "pool")
    diff = parts.diff_view(view)
    assert "provisioning_state" not in diff and "load_balancing_rules" not in diff["probes"][0]
    assert diff["probes"][0]["port"] == 80
