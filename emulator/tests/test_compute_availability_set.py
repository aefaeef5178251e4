"""Microsoft.Compute/availabilitySets over real HTTPS, against Azure's recording of the SDK test
(test_compute_availability_sets) and the AvailabilitySet_Create example."""

from __future__ import annotations

import pytest

from azemu.providers.compute import vm_sizes
from compute_helpers import avset_path, call, make_vm
from dataplane_lab import Sdk
from reference import assert_covers, cli_recording, find, header_set, recording, spec_file

EXAMPLE = "specs/compute/2026-04-01/examples/availabilitySetExamples/AvailabilitySet_Create.json"
RECORDING = "test_compute_availability_sets"


def test_same_exchange_as_the_recording(arm, rg):
    """PUT 200 even on create, GET with virtualMachines, PATCH 200, DELETE 200 without a body;
    no etag, no provisioningState, no operation headers: all synchronous."""
    exchanges = recording(RECORDING)
    for exchange in find(exchanges, path_re=r"/availabilitySets/"):
        body = exchange.request_body if exchange.method in ("PUT", "PATCH") else None
        resp = call(arm, exchange.method, avset_path(rg), body)
        assert resp.status == exchange.status, (exchange.method, resp)
        assert header_set(resp.headers) - {"Content-Type"} == header_set(exchange.response_headers) - {"Content-Type"}
        if exchange.response_body is None:
            assert resp.body is None
            continue
        assert_covers(resp.body, exchange.response_body)
        assert set(resp.body["properties"]) == set(exchange.response_body["properties"]), exchange.method
        assert "etag" not in resp.body


def test_create_example(arm, rg):
    example = spec_file(EXAMPLE)
    resp = call(arm, "PUT", avset_path(rg, "myAvailabilitySet"), example["parameters"]["parameters"])
    assert resp.status == 200, resp
    recorded = example["responses"]["200"]["body"]
    ignore = ("virtualMachineScaleSetMigrationInfo",)   # a preview feature azemu does not offer
    assert_covers(resp.body, recorded, ignore=ignore)
    assert (resp.body["sku"], resp.body["properties"]["platformFaultDomainCount"],
            resp.body["properties"]["platformUpdateDomainCount"]) == ({"name": "Classic"}, 2, 20)


@pytest.mark.parametrize("props, message, target", [
    ({"platformFaultDomainCount": 4}, "The specified fault domain count 4 must fall in the range 1 to 3.",
     "platformFaultDomainCount"),
    ({"platformFaultDomainCount": 0}, "The specified fault domain count 0 must fall in the range 1 to 3.",
     "platformFaultDomainCount"),
    ({"platformUpdateDomainCount": 21}, "The specified update domain count 21 must fall in the range 1 to 20.",
     "platformUpdateDomainCount"),
    ({"platformUpdateDomainCount": "5"}, "The value of parameter platformUpdateDomainCount is invalid.",
     "platformUpdateDomainCount"),
])
def test_domain_count_ranges(arm, rg, props, message, target):
    resp = call(arm, "PUT", avset_path(rg), {"location": "westus", "properties": props})
    assert resp.status == 400, resp
    assert resp.body["error"] == {"code": "InvalidParameter", "message": message, "target": target}
    assert call(arm, "GET", avset_path(rg)).status == 404


def test_defaults_and_counts_fixed_after_creation(arm, rg):
    resp = call(arm, "PUT", avset_path(rg), {"location": "westus", "sku": {"name": "aligned"}})
    assert resp.status == 200, resp
    props = resp.body["properties"]
    assert (resp.body["sku"], props["platformFaultDomainCount"], props["platformUpdateDomainCount"]) == (
        {"name": "Aligned"}, 2, 5)
    for key, value in (("platformFaultDomainCount", 3), ("platformUpdateDomainCount", 2)):
        resp = call(arm, "PUT", avset_path(rg), {"location": "westus", "sku": {"name": "Aligned"},
                                                 "properties": {key: value}})
        assert resp.status == 409, resp
        assert resp.body["error"] == {"code": "PropertyChangeNotAllowed",
                                      "message": f"Changing property '{key}' is not allowed.", "target": key}
    resp = call(arm, "PATCH", avset_path(rg), {"sku": {"name": "Classic"}})
    assert resp.status == 409 and resp.body["error"]["code"] == "OperationNotAllowed", resp
    assert "from 'Aligned' to 'Classic' is not allowed" in resp.body["error"]["message"]
    resp = call(arm, "PATCH", avset_path(rg), {"tags": {"a": "b"}})
    assert resp.status == 200 and resp.body["tags"] == {"a": "b"}, resp


def test_members_are_listed_and_block_the_delete(arm, rg):
    avset = call(arm, "PUT", avset_path(rg), {"location": "westus", "sku": {"name": "Aligned"},
                                              "properties": {"platformFaultDomainCount": 3,
                                                             "platformUpdateDomainCount": 2}}).body
    vms = [make_vm(arm, rg, f"vm{i}", availabilitySet={"id": avset["id"]}) for i in range(3)]
    listed = call(arm, "GET", avset_path(rg)).body["properties"]["virtualMachines"]
    # Azure returns these references with the group and the VM name upper-cased.
    assert [m["id"] for m in listed] == [
        vm["id"].replace(f"/resourceGroups/{rg}/", f"/resourceGroups/{rg.upper()}/").rsplit("/", 1)[0]
        + "/" + vm["name"].upper() for vm in vms]
    views = [call(arm, "GET", f"/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/vm{i}/instanceView")
             .body for i in range(3)]
    assert [(v["platformFaultDomain"], v["platformUpdateDomain"]) for v in views] == [(0, 0), (1, 1), (2, 0)]

    resp = call(arm, "DELETE", avset_path(rg))
    assert resp.status == 409, resp
    assert resp.body["error"] == {"code": "OperationNotAllowed", "message": (
        "Availability Set avset cannot be deleted. Before deleting an Availability Set please ensure that it "
        "does not contain any VM.")}
    assert call(arm, "DELETE", avset_path(rg, "nosuch")).status == 204


def test_available_sizes_as_the_sdk_lists_them(emu, arm, rg):
    """AvailabilitySets_ListAvailableSizes (`az vm availability-set list-sizes`): each size shaped
    as the recorded answer's entries (test_vm_availset.yaml), every size azemu offers."""
    assert call(arm, "PUT", avset_path(rg), {"location": "westus", "sku": {"name": "Aligned"}}).status == 200
    sizes = list(Sdk(emu).compute.availability_sets.list_available_sizes(rg, avset_path(rg).rsplit("/", 1)[1]))
    assert [s.name for s in sizes] == [s.name for s in vm_sizes.SIZES]
    recorded = next(e for e in cli_recording("test_vm_availset") if e.uri.split("?")[0].endswith("/vmSizes"))
    by_name = {entry["name"]: entry for entry in recorded.response_body["value"]}
    answered = call(arm, "GET", avset_path(rg) + "/vmSizes").body["value"]
    assert answered[0] == by_name[answered[0]["name"]]
    missing = call(arm, "GET", avset_path(rg, "nosuchset") + "/vmSizes")
    assert missing.status == 404, missing
