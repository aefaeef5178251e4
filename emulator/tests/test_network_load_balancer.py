"""Microsoft.Network/loadBalancers over real HTTPS: shapes against Azure's recording and
examples, the child routes, conditional writes, back-references and Azure's validation errors."""

from __future__ import annotations

import copy
import json

import pytest
from network_helpers import error_of, example, finish, id_of, nic_body, path_of, put_done, retarget, vnet_body
from reference import recording


def lb_path(rg, name="lb", *child):
    return path_of(rg, "loadBalancers", name, *child)


def lb_id(arm, rg, name="lb"):
    return id_of(arm, rg, "loadBalancers", name)


def put_accepted(arm, path, body, **kw):
    """PUT (with any conditional headers) and wait; the PUT's answer."""
    resp = arm.put(path, body, **kw)
    assert resp.status in (200, 201), resp
    assert finish(arm, resp) == {"status": "Succeeded"}
    return resp


def make_public_ip(arm, rg, name="pip", sku="Standard"):
    body = {"location": "eastus", "sku": {"name": sku},
            "properties": {"publicIPAllocationMethod": "Static" if sku == "Standard" else "Dynamic"}}
    return put_done(arm, path_of(rg, "publicIPAddresses", name), body)["id"]


def make_subnet(arm, rg, vnet="vnet", prefix="10.0.0.0/24", subnet="default"):
    put_done(arm, path_of(rg, "virtualNetworks", vnet), vnet_body(subnets=((subnet, prefix),)))
    return id_of(arm, rg, "virtualNetworks", vnet, "subnets", subnet)


def make_nic(arm, rg, name, subnet, pools=()):
    body = nic_body(subnet, loadBalancerBackendAddressPools=[{"id": p} for p in pools])
    return arm.put(path_of(rg, "networkInterfaces", name), body)


def tutorial_lb(arm, rg, pip, name="lb", probes=None, rules=None, pools=("pool",), sku="Standard"):
    """The tutorial's load balancer body: one public frontend, pools, a TCP probe, one rule."""
    lid = lb_id(arm, rg, name)
    return {"location": "eastus", "sku": {"name": sku}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": pip}}}],
        "backendAddressPools": [{"name": p} for p in pools],
        "probes": probes if probes is not None else [
            {"name": "probe", "properties": {"protocol": "Tcp", "port": 80}}],
        "loadBalancingRules": rules if rules is not None else [rule(lid, "rule", 80, 80)],
    }}


def rule(lid, name, frontend_port, backend_port, pool="pool", probe="probe", protocol="Tcp", **props):
    body = {"frontendIPConfiguration": {"id": f"{lid}/frontendIPConfigurations/fe"},
            "backendAddressPool": {"id": f"{lid}/backendAddressPools/{pool}"},
            "protocol": protocol, "frontendPort": frontend_port, "backendPort": backend_port, **props}
    if probe:
        body["probe"] = {"id": f"{lid}/probes/{probe}"}
    return {"name": name, "properties": body}


def masked(doc, drop=()):
    """A body with what differs between any two runs (etags, guids) blanked, `drop` keys left out."""
    if isinstance(doc, dict):
        return {k: ("*" if k in ("etag", "resourceGuid") else masked(v, drop)) for k, v in doc.items() if k not in drop}
    if isinstance(doc, list):
        return [masked(v, drop) for v in doc]
    return doc


def missing_from(got, want, path="$"):
    """Where `got` lacks or contradicts something of `want` (an example, which shows only some
    fields): [] when every key and value of `want` is in `got`."""
    if isinstance(want, dict) and isinstance(got, dict):
        return [p for k, v in want.items()
                for p in (missing_from(got[k], v, f"{path}.{k}") if k in got else [f"{path}.{k} missing"])]
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [p for i, (g, w) in enumerate(zip(got, want)) for p in missing_from(g, w, f"{path}[{i}]")]
    return [] if got == want else [f"{path}: {got!r} != {want!r}"]


def from_recording(value, arm, rg):
    """A recorded body with its ids pointing into our subscription and resource group."""
    text = json.dumps(value).replace("00000000-0000-0000-0000-000000000000", arm.sub)
    return json.loads(text.replace("/resourceGroups/rgname/", f"/resourceGroups/{rg}/"))


# --- shapes against Azure's recording and examples ----------------------------------------------

def test_recorded_life_cycle_gives_azures_bodies(arm, rg):
    """Replays the recording's load balancer requests and compares every body with Azure's."""
    entries = recording("test_cli_mgmt_network_load_balancer")
    put_done(arm, path_of(rg, "publicIPAddresses", "public_ip_address_name"),
             from_recording(entries[2].request_body, arm, rg))

    def expected(i):
        return masked(from_recording(entries[i].response_body, arm, rg))

    created = arm.put(lb_path(rg, "myLoadBalancer"), from_recording(entries[5].request_body, arm, rg))
    assert created.status == entries[5].status == 201
    assert created.headers.get("Azure-AsyncOperation")
    finish(arm, created)
    got = arm.get(lb_path(rg, "myLoadBalancer"))
    assert masked(got.body) == expected(7)
    assert got.headers.get("ETag") == got.body["etag"]

    put = arm.put(lb_path(rg, "myLoadBalancer", "inboundNatRules", "myInboundNatRule"),
                  from_recording(entries[8].request_body, arm, rg))
    assert put.status == entries[8].status == 201
    finish(arm, put)
    etag = arm.get(lb_path(rg, "myLoadBalancer")).headers.get("ETag")
    for i in (10, 11, 12, 13, 15, 16, 17):
        child = arm.get(f"/resourceGroups/{rg}" + entries[i].path.split("/resourceGroups/rgname", 1)[1])
        assert child.status == entries[i].status == 200, (i, child)
        assert masked(child.body) == expected(i), i
        assert child.headers.get("ETag") == etag, i      # every part carries the load balancer's etag

    tagged = arm.patch(lb_path(rg, "myLoadBalancer"), entries[18].request_body)
    assert tagged.status == entries[18].status and masked(tagged.body) == expected(18)

    deleted = arm.delete(lb_path(rg, "myLoadBalancer", "inboundNatRules", "myInboundNatRule"))
    assert deleted.status == entries[19].status == 202
    assert arm.follow(deleted.headers.get("Location")).status == entries[21].status == 204
    gone = arm.delete(lb_path(rg, "myLoadBalancer"))
    assert gone.status == entries[22].status == 202
    assert arm.follow(gone.headers.get("Location")).status == entries[24].status == 204
    assert arm.get(lb_path(rg, "myLoadBalancer")).status == 404


@pytest.mark.parametrize("name", ["2024-03-01/examples/LoadBalancerCreateStandardSku.json",
                                  "2024-03-01/examples/LoadBalancerCreate.json"])
def test_example_create_with_private_frontend(arm, rg, name):
    doc = retarget(example(name), arm, rg)
    make_subnet(arm, rg, "vnetlb", "10.0.1.0/24", subnet="subnetlb")
    created = arm.put(lb_path(rg), doc["parameters"]["parameters"])
    assert created.status == 201, created
    finish(arm, created)
    got = arm.get(lb_path(rg)).body
    assert missing_from(masked(got), masked(doc["responses"]["201"]["body"])) == []


def test_pool_put_with_addresses_matches_example(arm, rg):
    doc = retarget(example("2024-05-01/examples/LBBackendAddressPoolWithBackendAddressesPut.json"), arm, rg)
    make_subnet(arm, rg, "vnetlb")
    pip = make_public_ip(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip, probes=[], rules=[]))
    path = lb_path(rg, "lb", "backendAddressPools", "backend")
    created = arm.put(path, doc["parameters"]["parameters"])
    assert created.status == 201, created
    finish(arm, created)
    got = arm.get(path)
    want = dict(doc["responses"]["200"]["body"])
    want["id"] = f"{lb_id(arm, rg)}/backendAddressPools/backend"
    want["properties"] = {k: v for k, v in want["properties"].items() if k != "loadBalancingRules"}
    assert masked(got.body) == masked(want)
    updated = arm.put(path, {"properties": {}}, headers={"If-Match": got.headers.get("ETag")})
    assert updated.status == 200
    finish(arm, updated)
    assert arm.get(path).body["properties"]["loadBalancerBackendAddresses"] == []
    assert [p["name"] for p in arm.get(lb_path(rg, "lb", "backendAddressPools")).body["value"]] == ["pool", "backend"]


def test_probe_get_matches_example(arm, rg):
    doc = example("2024-05-01/examples/LoadBalancerProbeGet.json")
    want = doc["responses"]["200"]["body"]
    pip = make_public_ip(arm, rg)
    lid = lb_id(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip, probes=[{"name": "probe1", "properties": {
        k: want["properties"][k] for k in ("protocol", "port", "requestPath", "intervalInSeconds", "numberOfProbes")}}],
        rules=[rule(lid, "rulelb", 80, 80, probe="probe1")]))
    got = arm.get(lb_path(rg, "lb", "probes", "probe1")).body
    assert set(got) == set(want)
    assert got["properties"] == dict(want["properties"], loadBalancingRules=[{"id": f"{lid}/loadBalancingRules/rulelb"}])


# --- routes and conditional writes -------------------------------------------------------------

def test_child_lists_and_network_interfaces(arm, rg):
    pip = make_public_ip(arm, rg)
    subnet = make_subnet(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip, pools=("pool", "other")))
    lid = lb_id(arm, rg)
    for collection, names in (("frontendIPConfigurations", ["fe"]), ("backendAddressPools", ["pool", "other"]),
                              ("probes", ["probe"]), ("loadBalancingRules", ["rule"]), ("inboundNatRules", []),
                              ("outboundRules", [])):
        listed = arm.get(lb_path(rg, "lb", collection))
        assert listed.status == 200 and [i["name"] for i in listed.body["value"]] == names, collection
    missing = arm.get(lb_path(rg, "lb", "probes", "nope"))
    assert error_of(missing, 404)[0] == "NotFound"
    assert arm.get(lb_path(rg, "lb", "networkInterfaces")).body == {"value": []}

    nic = make_nic(arm, rg, "nic1", subnet, [f"{lid}/backendAddressPools/pool"])
    assert nic.status == 201, nic
    finish(arm, nic)
    make_nic(arm, rg, "nic2", subnet)
    pool = arm.get(lb_path(rg, "lb", "backendAddressPools", "pool")).body["properties"]
    assert pool["backendIPConfigurations"] == [{"id": f"{nic.body['id']}/ipConfigurations/ipconfig1"}]
    assert "backendIPConfigurations" not in arm.get(lb_path(rg, "lb", "backendAddressPools", "other")).body["properties"]
    nics = arm.get(lb_path(rg, "lb", "networkInterfaces")).body["value"]
    assert [n["name"] for n in nics] == ["nic1"] and nics[0]["properties"]["ipConfigurations"][0]["name"] == "ipconfig1"
    # The public IP names the frontend that uses it.
    address = arm.get(path_of(rg, "publicIPAddresses", "pip")).body
    assert address["properties"]["ipConfiguration"] == {"id": f"{lid}/frontendIPConfigurations/fe"}


def test_if_match_on_the_load_balancer_and_its_pools(arm, rg):
    pip = make_public_ip(arm, rg)
    body = tutorial_lb(arm, rg, pip)
    assert arm.put(lb_path(rg), body, headers={"If-Match": "*"}).status == 412
    created = put_accepted(arm, lb_path(rg), body, headers={"If-None-Match": "*"})
    assert arm.put(lb_path(rg), body, headers={"If-None-Match": "*"}).status == 412
    etag = arm.get(lb_path(rg)).headers.get("ETag")
    assert etag != created.body["etag"]       # the etag changes again when the operation completes
    stale = arm.put(lb_path(rg), body, headers={"If-Match": created.body["etag"]})
    assert error_of(stale, 412)[0] == "PreconditionFailed"
    pool = lb_path(rg, "lb", "backendAddressPools", "extra")
    assert error_of(arm.put(pool, {}, headers={"If-Match": created.body["etag"]}), 412)[0] == "PreconditionFailed"
    put_accepted(arm, lb_path(rg), body, headers={"If-Match": etag})
    newer = arm.get(lb_path(rg)).headers.get("ETag")
    assert newer != etag
    assert error_of(arm.delete(lb_path(rg), headers={"If-Match": etag}), 412)[0] == "PreconditionFailed"


def test_child_etag_is_the_load_balancers(arm, rg):
    pip = make_public_ip(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip))
    whole = arm.get(lb_path(rg))
    probe = arm.get(lb_path(rg, "lb", "probes", "probe"))
    assert probe.headers.get("ETag") == whole.headers.get("ETag") == probe.body["etag"]


# --- back-references --------------------------------------------------------------------------

def test_back_references(arm, rg):
    pip = make_public_ip(arm, rg)
    lid = lb_id(arm, rg)
    body = tutorial_lb(arm, rg, pip, pools=("pool", "other"),
                       probes=[{"name": "probe", "properties": {"protocol": "Tcp", "port": 80}},
                               {"name": "spare", "properties": {"protocol": "Http", "port": 8080, "requestPath": "/"}}],
                       rules=[rule(lid, "web", 80, 80), rule(lid, "alt", 8080, 8080)])
    body["properties"]["inboundNatRules"] = [{"name": "ssh", "properties": {
        "frontendIPConfiguration": {"id": f"{lid}/frontendIPConfigurations/fe"}, "protocol": "Tcp",
        "frontendPort": 50001, "backendPort": 22}}]
    body["properties"]["outboundRules"] = [{"name": "out", "properties": {
        "frontendIPConfigurations": [{"id": f"{lid}/frontendIPConfigurations/fe"}],
        "backendAddressPool": {"id": f"{lid}/backendAddressPools/other"}, "protocol": "All"}}]
    put_done(arm, lb_path(rg), body)
    props = arm.get(lb_path(rg)).body["properties"]
    parts = {(c, i["name"]): i["properties"] for c in props if isinstance(props[c], list)
             for i in props[c] if isinstance(i, dict) and "name" in i}

    def ids(*names):
        return [{"id": f"{lid}/{n}"} for n in names]

    rules = ids("loadBalancingRules/web", "loadBalancingRules/alt")
    assert parts["frontendIPConfigurations", "fe"]["loadBalancingRules"] == rules
    assert parts["frontendIPConfigurations", "fe"]["inboundNatRules"] == ids("inboundNatRules/ssh")
    assert parts["frontendIPConfigurations", "fe"]["outboundRules"] == ids("outboundRules/out")
    assert parts["backendAddressPools", "pool"]["loadBalancingRules"] == rules
    assert parts["backendAddressPools", "other"]["outboundRules"] == ids("outboundRules/out")
    assert "loadBalancingRules" not in parts["backendAddressPools", "other"]
    assert parts["probes", "probe"]["loadBalancingRules"] == rules
    assert "loadBalancingRules" not in parts["probes", "spare"]
    assert parts["loadBalancingRules", "web"]["backendAddressPools"] == ids("backendAddressPools/pool")
    # Back-references sent back are ignored, as Azure ignores read-only fields.
    again = arm.get(lb_path(rg)).body
    again["properties"]["probes"][1]["properties"]["loadBalancingRules"] = ids("loadBalancingRules/web")
    put_done(arm, lb_path(rg), again)
    assert "loadBalancingRules" not in arm.get(lb_path(rg, "lb", "probes", "spare")).body["properties"]


def test_private_frontend_gets_an_address_from_the_subnet(arm, rg):
    subnet = make_subnet(arm, rg)
    nic = make_nic(arm, rg, "nic1", subnet)
    finish(arm, nic)
    body = {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"frontendIPConfigurations": [
        {"name": "fe", "properties": {"subnet": {"id": subnet}}},
        {"name": "fixed", "properties": {"subnet": {"id": subnet}, "privateIPAllocationMethod": "static",
                                         "privateIPAddress": "10.0.0.100"}}]}}
    put_done(arm, lb_path(rg), body)
    fes = {f["name"]: f["properties"] for f in arm.get(lb_path(rg)).body["properties"]["frontendIPConfigurations"]}
    assert fes["fe"]["privateIPAddress"] == "10.0.0.5"       # .4 is the NIC's
    assert fes["fe"]["privateIPAllocationMethod"] == "Dynamic" and fes["fe"]["privateIPAddressVersion"] == "IPv4"
    assert fes["fixed"]["privateIPAddress"] == "10.0.0.100" and fes["fixed"]["privateIPAllocationMethod"] == "Static"
    # A re-PUT keeps the dynamic address.
    put_done(arm, lb_path(rg), arm.get(lb_path(rg)).body)
    assert arm.get(lb_path(rg, "lb", "frontendIPConfigurations", "fe")).body["properties"]["privateIPAddress"] == "10.0.0.5"
    subnet_body = arm.get(path_of(rg, "virtualNetworks", "vnet", "subnets", "default")).body
    assert {"id": f"{lb_id(arm, rg)}/frontendIPConfigurations/fe"} in subnet_body["properties"]["ipConfigurations"]
    outside = copy.deepcopy(body)
    outside["properties"]["frontendIPConfigurations"][1]["properties"]["privateIPAddress"] = "10.1.0.100"
    assert error_of(arm.put(lb_path(rg, "lb2"), outside))[0] == "PrivateIPAddressNotInSubnet"
    taken = copy.deepcopy(body)
    taken["properties"]["frontendIPConfigurations"][1]["properties"]["privateIPAddress"] = "10.0.0.4"
    assert error_of(arm.put(lb_path(rg, "lb2"), taken))[0] == "PrivateIPAddressIsAllocated"


# --- Azure's validation errors -------------------------------------------------------------------

def test_references_to_missing_parts_are_refused(arm, rg):
    pip = make_public_ip(arm, rg)
    lid = lb_id(arm, rg)
    for missing in ("probe", "pool"):
        kw = {"probe": "nope"} if missing == "probe" else {"pool": "nope"}
        resp = arm.put(lb_path(rg), tutorial_lb(arm, rg, pip, rules=[rule(lid, "rule", 80, 80, **kw)]))
        code, message = error_of(resp)
        assert code == "InvalidResourceReference"
        kind = "probes" if missing == "probe" else "backendAddressPools"
        assert message == (f"Resource {lid}/{kind}/nope referenced by resource {lid}/loadBalancingRules/rule was not "
                           "found. Please make sure that the referenced resource exists, and that both resources are "
                           "in the same region.")
    bad_frontend = rule(lid, "rule", 80, 80)
    bad_frontend["properties"]["frontendIPConfiguration"]["id"] = f"{lid}/frontendIPConfigurations/other"
    assert error_of(arm.put(lb_path(rg), tutorial_lb(arm, rg, pip, rules=[bad_frontend])))[0] == "InvalidResourceReference"
    no_pip = tutorial_lb(arm, rg, pip + "-missing")
    assert error_of(arm.put(lb_path(rg), no_pip))[0] == "InvalidResourceReference"
    assert arm.get(lb_path(rg)).status == 404


def test_probe_in_use_cannot_be_removed(arm, rg):
    pip = make_public_ip(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip))
    without = arm.get(lb_path(rg)).body
    without["properties"]["probes"] = []
    code, message = error_of(arm.put(lb_path(rg), without))
    assert code == "InvalidResourceReference"
    assert message.startswith(f"Resource {lb_id(arm, rg)}/probes/probe referenced by resource ")
    assert [p["name"] for p in arm.get(lb_path(rg, "lb", "probes")).body["value"]] == ["probe"]


def test_port_conflicts(arm, rg):
    pip = make_public_ip(arm, rg)
    lid = lb_id(arm, rg)
    same_frontend = [rule(lid, "a", 80, 80), rule(lid, "b", 80, 8080)]
    assert error_of(arm.put(lb_path(rg), tutorial_lb(arm, rg, pip, rules=same_frontend)))[0] == \
        "RulesUseSameFrontendPortProtocolAndIPConfig"
    udp_is_fine = [rule(lid, "a", 80, 80), rule(lid, "b", 80, 8080, protocol="Udp")]
    put_done(arm, lb_path(rg, "ok"), tutorial_lb(arm, rg, make_public_ip(arm, rg, "pip2"), name="ok",
                                                 rules=[rule(lb_id(arm, rg, "ok"), r["name"], r["properties"]["frontendPort"],
                                                             r["properties"]["backendPort"],
                                                             protocol=r["properties"]["protocol"]) for r in udp_is_fine]))
    same_backend = [rule(lid, "a", 80, 80), rule(lid, "b", 8080, 80)]
    code, message = error_of(arm.put(lb_path(rg), tutorial_lb(arm, rg, pip, rules=same_backend)))
    assert code == "RulesUseSameBackendPortProtocolAndPool"
    assert message == (f"Load balancing rules {lid}/loadBalancingRules/a and {lid}/loadBalancingRules/b with floating "
                       "IP disabled use the same protocol Tcp and backend port 80, and must not be used with the same "
                       f"backend address pool {lid}/backendAddressPools/pool.")
    floating = [rule(lid, "a", 80, 80), rule(lid, "b", 8080, 80, enableFloatingIP=True)]
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip, rules=floating))


def test_sku_must_match_the_public_ip(arm, rg):
    basic = make_public_ip(arm, rg, "basic", sku="Basic")
    code, message = error_of(arm.put(lb_path(rg), tutorial_lb(arm, rg, basic)))
    assert code == "PublicIPAndLBSkuDoNotMatch"
    assert message == f"Standard sku load balancer {lb_id(arm, rg)} cannot reference Basic sku publicIP {basic}."
    standard = make_public_ip(arm, rg, "standard")
    assert error_of(arm.put(lb_path(rg), tutorial_lb(arm, rg, standard, sku="Basic")))[0] == "PublicIPAndLBSkuDoNotMatch"


def test_public_ip_serves_one_frontend(arm, rg):
    pip = make_public_ip(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip))
    assert error_of(arm.put(lb_path(rg, "lb2"), tutorial_lb(arm, rg, pip, name="lb2")))[0] == "PublicIPAddressInUse"


@pytest.mark.parametrize("probe,code", [
    ({"protocol": "Tcp", "port": 80, "requestPath": "/"}, "ProbeRequestPathIsNotNull"),
    ({"protocol": "Http", "port": 80}, "ProbeRequestPathIsNull"),
    ({"protocol": "Tcp", "port": 80, "intervalInSeconds": 4}, "InvalidRequestFormat"),
    ({"protocol": "Icmp", "port": 80}, "InvalidRequestFormat"),
    ({"protocol": "Tcp", "port": 0}, "InvalidRequestFormat"),
])
def test_probe_validation(arm, rg, probe, code):
    pip = make_public_ip(arm, rg)
    resp = arm.put(lb_path(rg), tutorial_lb(arm, rg, pip, probes=[{"name": "probe", "properties": probe}]))
    assert error_of(resp)[0] == code


@pytest.mark.parametrize("props", [{"idleTimeoutInMinutes": 31}, {"loadDistribution": "RoundRobin"},
                                   {"protocol": "Icmp"}, {"backendPort": 65536}])
def test_rule_validation(arm, rg, props):
    pip = make_public_ip(arm, rg)
    bad = rule(lb_id(arm, rg), "rule", 80, 80)
    bad["properties"].update(props)
    assert error_of(arm.put(lb_path(rg), tutorial_lb(arm, rg, pip, rules=[bad])))[0] == "InvalidRequestFormat"


def test_server_fills_defaults(arm, rg):
    pip = make_public_ip(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip, probes=[{"name": "probe", "properties": {
        "protocol": "tcp", "port": 80}}]))
    props = arm.get(lb_path(rg)).body["properties"]
    assert {k: v for k, v in props["probes"][0]["properties"].items() if k != "loadBalancingRules"} == {
        "provisioningState": "Succeeded", "protocol": "Tcp", "port": 80, "intervalInSeconds": 15,
        "numberOfProbes": 2, "probeThreshold": 1}
    rule_props = props["loadBalancingRules"][0]["properties"]
    assert (rule_props["idleTimeoutInMinutes"], rule_props["loadDistribution"], rule_props["enableFloatingIP"],
            rule_props["enableTcpReset"], rule_props["disableOutboundSnat"]) == (4, "Default", False, False, False)


# --- NIC ip configurations in the pools ------------------------------------------------------------

def test_nic_in_two_pools_behind_rules_with_the_same_backend_port(arm, rg):
    pip = make_public_ip(arm, rg)
    subnet = make_subnet(arm, rg)
    lid = lb_id(arm, rg)
    rules = [rule(lid, "web", 80, 80, pool="pool"), rule(lid, "alt", 8080, 80, pool="other")]
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip, pools=("pool", "other"), rules=rules))
    both = [f"{lid}/backendAddressPools/pool", f"{lid}/backendAddressPools/other"]
    code, message = error_of(make_nic(arm, rg, "nic1", subnet, both))
    assert code == "RulesUseSameBackendPortProtocolAndIPConfig"
    assert message.endswith(f"and must not be used with the same backend IP "
                            f"{id_of(arm, rg, 'networkInterfaces', 'nic1', 'ipConfigurations', 'ipconfig1')}.")
    finish(arm, make_nic(arm, rg, "nic1", subnet, both[:1]))
    finish(arm, make_nic(arm, rg, "nic2", subnet, both[1:]))
    # The load balancer side: a rule that would make the same conflict for a member is refused too.
    lb = arm.get(lb_path(rg)).body
    lb["properties"]["loadBalancingRules"] = [rule(lid, "web", 80, 80, pool="pool")]
    put_done(arm, lb_path(rg), lb)
    finish(arm, make_nic(arm, rg, "nic2", subnet, both))
    lb = arm.get(lb_path(rg)).body
    lb["properties"]["loadBalancingRules"].append(rule(lid, "alt", 8080, 80, pool="other"))
    assert error_of(arm.put(lb_path(rg), lb))[0] == "RulesUseSameBackendPortProtocolAndIPConfig"


def test_pools_in_use_cannot_be_removed_or_mixed(arm, rg):
    pip = make_public_ip(arm, rg)
    subnet = make_subnet(arm, rg)
    lid = lb_id(arm, rg)
    put_done(arm, lb_path(rg), tutorial_lb(arm, rg, pip, pools=("pool", "spare"), rules=[], probes=[]))
    finish(arm, make_nic(arm, rg, "nic1", subnet, [f"{lid}/backendAddressPools/pool"]))
    code, message = error_of(arm.delete(lb_path(rg, "lb", "backendAddressPools", "pool")))
    assert code == "InUseBackendAddressPoolCannotBeDeleted" and "nic1/ipConfigurations/ipconfig1" in message
    lb = arm.get(lb_path(rg)).body
    lb["properties"]["backendAddressPools"] = [p for p in lb["properties"]["backendAddressPools"] if p["name"] != "pool"]
    assert error_of(arm.put(lb_path(rg), lb))[0] == "InUseBackendAddressPoolCannotBeDeleted"
    assert error_of(arm.delete(lb_path(rg)))[0] == "InUseBackendAddressPoolCannotBeDeleted"
    vnet = subnet.rsplit("/subnets/", 1)[0]
    addresses = {"properties": {"loadBalancerBackendAddresses": [{"name": "a1", "properties": {
        "ipAddress": "10.0.0.9", "virtualNetwork": {"id": vnet}}}]}}
    assert error_of(arm.put(lb_path(rg, "lb", "backendAddressPools", "pool"), addresses))[0] == \
        "CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool"
    finish(arm, arm.put(lb_path(rg, "lb", "backendAddressPools", "spare"), addresses))
    assert error_of(make_nic(arm, rg, "nic2", subnet, [f"{lid}/backendAddressPools/spare"]))[0] == \
        "CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool"
    deleted = arm.delete(lb_path(rg, "lb", "backendAddressPools", "spare"))
    assert deleted.status == 202
    assert arm.follow(deleted.headers.get("Location")).status == 204
    assert [p["name"] for p in arm.get(lb_path(rg, "lb", "backendAddressPools")).body["value"]] == ["pool"]


def test_nat_rule_in_use_cannot_be_deleted(arm, rg):
    pip = make_public_ip(arm, rg)
    subnet = make_subnet(arm, rg)
    lid = lb_id(arm, rg)
    body = tutorial_lb(arm, rg, pip, rules=[], probes=[])
    body["properties"]["inboundNatRules"] = [{"name": "ssh", "properties": {
        "frontendIPConfiguration": {"id": f"{lid}/frontendIPConfigurations/fe"}, "protocol": "Tcp",
        "frontendPort": 50001, "backendPort": 22}}]
    put_done(arm, lb_path(rg), body)
    nic = nic_body(subnet, loadBalancerInboundNatRules=[{"id": f"{lid}/inboundNatRules/ssh"}])
    finish(arm, arm.put(path_of(rg, "networkInterfaces", "nic1"), nic))
    ipconfig = id_of(arm, rg, "networkInterfaces", "nic1", "ipConfigurations", "ipconfig1")
    nat = arm.get(lb_path(rg, "lb", "inboundNatRules", "ssh")).body
    assert nat["properties"]["backendIPConfiguration"] == {"id": ipconfig}
    code, message = error_of(arm.delete(lb_path(rg, "lb", "inboundNatRules", "ssh")))
    assert code == "InUseInboundNatRuleCannotBeDeleted" and ipconfig in message
    assert [n["name"] for n in arm.get(lb_path(rg, "lb", "networkInterfaces")).body["value"]] == ["nic1"]
