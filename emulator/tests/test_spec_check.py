"""The spec check (emulator/azemu_specs): its index and schemas against Azure's own examples, the
violations it must find, and a tour of every resource type azemu serves whose spec is in the
reference, checked against exactly the known violations (azemu_specs/known.py): a class that
stops occurring fails here, so the list can only shrink.

Every azemu the tests start is checked this way when it stops (azemu.testing.Azemu); this file
is where the check itself is tested, and where each known violation is reproduced."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from azemu.testing import Azemu
from azemu_specs import SpecChecker, absent, reference_dir
from azemu_specs.check import Report
from azemu_specs.known import KNOWN_VIOLATIONS, NO_SPEC
from armclient import Arm
from compute_helpers import avset_path, call, make_nic, make_vm, vm_path, wait_operation
from network_helpers import delete_done, id_of, nic_body, path_of, put_done, vnet_body

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
LB = f"{SUB}/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb"


@pytest.fixture(scope="module")
def reference() -> Path:
    path = reference_dir()
    if path is None:
        pytest.skip(absent())
    return path


@pytest.fixture(scope="module")
def checker(reference) -> SpecChecker:
    return SpecChecker(reference)


def entry(method, path, status, body=None, headers=None, query=""):
    return {"method": method, "path": path, "query": query, "status": status, "body": body,
            "headers": {"Content-Type": "application/json; charset=utf-8", **(headers or {})}}


def found(checker, *entries) -> list:
    report = Report()
    for e in entries:
        checker.check_entry(e, report)
    return [v for v, _ in report.violations.values()]


# --- the index ----------------------------------------------------------------------------------

def test_routes_match_case_insensitively_and_the_most_specific_wins(checker):
    assert len(checker.index.operations) >= 180
    assert checker.index.match("GET", LB.upper().replace("SUBSCRIPTIONS", "subscriptions")).id == "LoadBalancers_Get"
    rg_deployment = f"{SUB}/resourcegroups/rg/providers/Microsoft.Resources/deployments/d"
    assert checker.index.match("PUT", rg_deployment).id == "Deployments_CreateOrUpdate"
    # {scope} (x-ms-skip-url-encoding) spans several segments where nothing more specific matches
    assert checker.index.match("GET", f"{LB}/providers/Microsoft.Resources/deployments/d").id == "Deployments_GetAtScope"
    versions = f"{SUB}/providers/Microsoft.Compute/locations/westus/publishers/p/artifacttypes/vmimage/offers/o/skus/s/versions"
    assert checker.index.match("GET", versions).id == "VirtualMachineImages_List"
    assert checker.index.match("GET", versions, "$expand=properties").id == "VirtualMachineImages_ListWithProperties"
    assert checker.index.match("GET", f"{SUB}/resourcegroups/rg") is None


def test_refs_into_files_not_in_the_reference_are_counted(checker):
    assert "../common-types/v1/common.json#/definitions/CloudError" in checker.index.missing_refs
    vm = json.loads(_example("compute/2026-04-01/examples/virtualMachineExamples/VirtualMachine_Get_InstanceView.json"))
    before = sum(checker.schemas.stand_ins.values())
    assert found(checker, entry("GET", f"{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/instanceView",
                                200, vm["responses"]["200"]["body"])) == []
    assert sum(checker.schemas.stand_ins.values()) > before


def _example(relative: str) -> str:
    return (reference_dir() / "specs" / relative).read_text()


def _examples(checker):
    """(operation, status, body) of every example response the specs point at."""
    for file, doc in checker.index.files.items():
        for key in ("paths", "x-ms-paths"):
            for template, item in doc.get(key, {}).items():
                for method, op in item.items():
                    for ref in (op.get("x-ms-examples") or {}).values() if isinstance(op, dict) else ():
                        name = Path(ref["$ref"]).name
                        paths = list((reference_dir() / "specs").rglob(f"examples/**/{name}"))
                        operation = checker.index.match(method, template.split("?")[0], template.partition("?")[2])
                        for path in paths[:1]:
                            for status, resp in json.loads(path.read_text()).get("responses", {}).items():
                                if "body" in resp:
                                    yield operation, status, resp["body"]


def test_azures_own_examples_validate(checker):
    seen = 0
    for op, status, body in _examples(checker):
        key = status if status in op.responses else "default"
        errors = [e.message for e in checker.schemas.validator(op, key).iter_errors(body)]
        assert errors == [], f"{op.id} {status}: {errors}"
        seen += 1
    assert seen >= 25


# --- what it finds ------------------------------------------------------------------------------

def test_schema_violations_are_found_with_their_pointer(checker):
    body = json.loads(_example("network/2024-03-01/examples/LoadBalancerGet.json"))["responses"]["200"]["body"]
    bad = copy.deepcopy(body)
    bad["properties"]["probes"][0]["properties"]["protocol"] = "tcp"          # modelAsString: casing
    bad["properties"]["probes"][0]["properties"]["port"] = "80"               # type
    bad["properties"]["bogus"] = 1                                            # not in the spec
    bad["tags"] = None                                                        # not x-nullable
    got = {(v.kind, v.pointer) for v in found(checker, entry("GET", LB, 200, bad))}
    assert got == {("enum-casing", "/properties/probes/*/properties/protocol"),
                   ("type", "/properties/probes/*/properties/port"),
                   ("undocumented-property", "/properties/bogus"), ("type", "/tags")}
    bad = copy.deepcopy(body)
    bad["sku"] = {"name": "SomethingNew"}                                     # open enum: any value
    assert found(checker, entry("GET", LB, 200, bad)) == []


def test_secrets_in_a_response_are_found(checker):
    vm = json.loads(_example("compute/2026-04-01/examples/virtualMachineExamples/"
                             "VirtualMachine_Create_WithPasswordAuthentication.json"))
    body = vm["responses"]["200"]["body"]
    body["properties"]["osProfile"]["adminPassword"] = "hunter2"
    [v] = found(checker, entry("GET", f"{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm", 200, body))
    assert (v.kind, v.pointer) == ("not-returned", "/properties/osProfile/adminPassword")


def test_statuses_the_operation_does_not_document(checker):
    [v] = found(checker, entry("PUT", LB, 202))
    assert v.kind == "status" and "202 is not a status LoadBalancers_CreateOrUpdate documents" in v.message
    error = {"error": {"code": "ResourceNotFound", "message": "no"}}
    assert found(checker, entry("GET", LB, 404, error)) == []                # `default`: CloudError
    [v] = found(checker, entry("GET", LB, 404, {"code": "NotInAnEnvelope"}))
    assert v.kind == "undocumented-property"


def test_long_running_operations_need_their_headers(checker):
    body = json.loads(_example("network/2024-03-01/examples/LoadBalancerGet.json"))["responses"]["200"]["body"]
    running = copy.deepcopy(body)
    running["properties"]["provisioningState"] = "Updating"
    [v] = found(checker, entry("PUT", LB, 201, running))
    assert (v.kind, v.pointer) == ("lro-header", "header:Azure-AsyncOperation")
    async_url = "https://127.0.0.1:1/subscriptions/x/providers/Microsoft.Network/locations/eastus/operations/1"
    [v] = found(checker, entry("PUT", LB, 201, running, {"Azure-AsyncOperation": async_url}))
    assert (v.kind, v.pointer) == ("lro-header", "header:Retry-After")
    assert found(checker, entry("PUT", LB, 201, running, {"Azure-AsyncOperation": async_url, "Retry-After": "1"})) == []
    [v] = found(checker, entry("DELETE", LB, 202, None, {"Azure-AsyncOperation": async_url, "Retry-After": "1"}))
    assert "no Location" in v.message                                        # final-state-via: location
    [v] = found(checker, entry("PATCH", LB, 200, body, {"Azure-AsyncOperation": async_url}))
    assert "synchronous" in v.message                                        # UpdateTags is not an LRO


def test_routes_with_no_spec(checker):
    [v] = found(checker, entry("GET", f"{SUB}/providers/Microsoft.Network/typoBalancers", 200, {"value": []}))
    assert v.kind == "no-spec"
    report = Report()
    checker.check_entry(entry("GET", f"{SUB}/resourcegroups/rg", 200, {"name": "rg"}), report)
    checker.check_entry(entry("GET", f"{SUB}/providers/Microsoft.Network/typoBalancers", 400,
                              {"error": {"code": "InvalidResourceType", "message": "no"}}), report)
    assert not report.violations and sum(report.no_spec.values()) == 2
    [v] = found(checker, entry("GET", f"{SUB}/providers/Microsoft.Network/typoBalancers", 400, {"message": "no"}))
    assert "envelope" in v.message
    assert all(n.what and n.why for n in NO_SPEC)


def test_known_entries_say_why_and_show_their_evidence(reference):
    for known in KNOWN_VIOLATIONS:
        assert known.reason
        assert not (known.evidence and known.source), "one kind of evidence"
        if known.source:
            assert known.source.startswith("https://") and known.source.rsplit("/", 1)[-1] in known.reason
        if known.evidence:
            text = (reference / known.evidence).read_text()
            names = [n for n in known.pointer.replace("(", "|").replace(")", "|").split("|") if n.isalnum()]
            assert names and all(n in text for n in names), f"{known.evidence} does not show {names}"


# --- the tour -----------------------------------------------------------------------------------

def test_every_served_type_against_the_specs(tmp_path, checker):
    """One of each resource type, their children, actions, lists, deletes and some errors; then
    exactly the known violations, each at least once."""
    emu = Azemu(tmp_path / "azemu").start()
    try:
        arm = Arm(emu)
        rg = "tour"
        assert arm.put(f"/resourcegroups/{rg}", {"location": "eastus"}, api_version="2021-04-01").status == 201
        _network(arm, rg)
        _compute(arm, rg)
        assert arm.get(path_of(rg, "loadBalancers", "none")).status == 404
        assert arm.put(path_of(rg, "publicIPAddresses", "bad"), {"properties": {}}).status == 400
    finally:
        emu.stop()
    report = emu.spec_report
    assert not report.violations
    assert set(report.expected) == set(KNOWN_VIOLATIONS), \
        f"no longer occur (fixed? delete them from known.py): {set(KNOWN_VIOLATIONS) - set(report.expected)}"
    assert len(report.validated) >= 40, sorted(report.validated)


def _network(arm, rg):
    pip = put_done(arm, path_of(rg, "publicIPAddresses", "pip"), {
        "location": "eastus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})["id"]
    arm.patch(path_of(rg, "publicIPAddresses", "pip"), {"tags": {"k": "v"}})
    nsg = put_done(arm, path_of(rg, "networkSecurityGroups", "nsg"), {"location": "eastus"})["id"]
    put_done(arm, path_of(rg, "networkSecurityGroups", "nsg", "securityRules", "http"), {"properties": {
        "protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": 100, "sourceAddressPrefix": "*",
        "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "80"}})
    arm.get(path_of(rg, "networkSecurityGroups", "nsg", "defaultSecurityRules"))
    put_done(arm, path_of(rg, "virtualNetworks", "vnet"), vnet_body(nsg=nsg))
    subnet = id_of(arm, rg, "virtualNetworks", "vnet", "subnets", "default")
    put_done(arm, path_of(rg, "virtualNetworks", "vnet", "subnets", "two"), {"properties": {"addressPrefix": "10.0.1.0/24"}})
    lb = id_of(arm, rg, "loadBalancers", "lb")
    put_done(arm, path_of(rg, "loadBalancers", "lb"), {"location": "eastus", "sku": {"name": "Standard"}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": pip}}}],
        "backendAddressPools": [{"name": "pool"}],
        "probes": [{"name": "probe", "properties": {"protocol": "Http", "port": 80, "requestPath": "/"}}],
        "loadBalancingRules": [{"name": "rule", "properties": {
            "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"},
            "backendAddressPool": {"id": f"{lb}/backendAddressPools/pool"}, "probe": {"id": f"{lb}/probes/probe"},
            "protocol": "Tcp", "frontendPort": 80, "backendPort": 80, "disableOutboundSnat": True}}],
        "inboundNatRules": [{"name": "ssh", "properties": {
            "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"}, "protocol": "Tcp",
            "frontendPort": 50001, "backendPort": 22}}],
        "outboundRules": [{"name": "out", "properties": {
            "frontendIPConfigurations": [{"id": f"{lb}/frontendIPConfigurations/fe"}],
            "backendAddressPool": {"id": f"{lb}/backendAddressPools/pool"}, "protocol": "All"}}]}})
    for child in ("frontendIPConfigurations", "backendAddressPools", "probes", "loadBalancingRules",
                  "inboundNatRules", "outboundRules", "networkInterfaces"):
        arm.get(path_of(rg, "loadBalancers", "lb", child))
    for child, name in (("frontendIPConfigurations", "fe"), ("backendAddressPools", "pool"), ("probes", "probe"),
                        ("loadBalancingRules", "rule"), ("inboundNatRules", "ssh"), ("outboundRules", "out")):
        arm.get(path_of(rg, "loadBalancers", "lb", child, name))
    put_done(arm, path_of(rg, "loadBalancers", "lb", "backendAddressPools", "pool2"), {"properties": {}})
    put_done(arm, path_of(rg, "loadBalancers", "lb", "inboundNatRules", "ssh2"), {"properties": {
        "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"}, "protocol": "Tcp",
        "frontendPort": 50002, "backendPort": 22}})
    nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), nic_body(
        subnet, loadBalancerBackendAddressPools=[{"id": f"{lb}/backendAddressPools/pool"}]))["id"]
    arm.get(path_of(rg, "networkInterfaces", "nic", "ipConfigurations"))
    arm.get(path_of(rg, "networkInterfaces", "nic", "ipConfigurations", "ipconfig1"))
    health = arm.post(path_of(rg, "loadBalancers", "lb", "loadBalancingRules", "rule", "health"))
    arm.follow(health.headers.get("Location"))
    arm.patch(path_of(rg, "loadBalancers", "lb"), {"tags": {"k": "v"}})
    for kind in ("publicIPAddresses", "networkSecurityGroups", "virtualNetworks", "loadBalancers", "networkInterfaces"):
        arm.get(f"/resourceGroups/{rg}/providers/Microsoft.Network/{kind}")
        arm.get(f"/providers/Microsoft.Network/{kind}")
    delete_done(arm, path_of(rg, "loadBalancers", "lb", "inboundNatRules", "ssh2"))
    delete_done(arm, path_of(rg, "virtualNetworks", "vnet", "subnets", "two"))
    delete_done(arm, path_of(rg, "networkSecurityGroups", "nsg", "securityRules", "http"))
    return nic


def _compute(arm, rg):
    images = "/providers/Microsoft.Compute/locations/westus/publishers"
    call(arm, "GET", images)
    call(arm, "GET", f"{images}/Canonical/artifacttypes/vmimage/offers")
    call(arm, "GET", f"{images}/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus")
    versions = call(arm, "GET", f"{images}/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus/server/versions")
    call(arm, "GET", f"{images}/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus/server/versions",
         query="$expand=Properties")
    call(arm, "GET", f"{images}/Canonical/artifacttypes/vmimage/offers/ubuntu-24_04-lts/skus/server/versions/"
                     f"{versions.body[0]['name']}")
    assert call(arm, "PUT", avset_path(rg), {"location": "westus", "sku": {"name": "Aligned"}, "properties": {
        "platformFaultDomainCount": 2, "platformUpdateDomainCount": 2}}).status == 200
    # The VM is in westus: its NIC goes in a westus VNet (a NIC must be in its VNet's region).
    vm = make_vm(arm, rg, nic_ids=[make_nic(arm, rg, "vm1-nic", vnet="vnet-westus")],
                 availabilitySet={"id": f"/subscriptions/{arm.sub}{avset_path(rg)}"})
    call(arm, "GET", vm_path(rg), query="$expand=instanceView")
    call(arm, "GET", vm_path(rg, "vm1", "instanceView"))
    call(arm, "GET", f"/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines")
    call(arm, "GET", "/providers/Microsoft.Compute/virtualMachines")
    call(arm, "GET", "/providers/Microsoft.Compute/locations/westus/vmSizes")
    patched = call(arm, "PATCH", vm_path(rg), {"tags": {"k": "v"}})
    wait_operation(arm, patched)
    for action in ("powerOff", "start", "restart", "deallocate", "start"):
        resp = call(arm, "POST", vm_path(rg, "vm1", action))
        assert resp.status == 202, resp
        wait_operation(arm, resp)
    run = call(arm, "POST", vm_path(rg, "vm1", "runCommand"), {"commandId": "RunShellScript", "script": ["hostname"]})
    wait_operation(arm, run)
    deleted = call(arm, "DELETE", vm_path(rg))
    wait_operation(arm, deleted)
    assert vm["name"] == "vm1"
