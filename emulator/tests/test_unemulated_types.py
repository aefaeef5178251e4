"""Types Azure has that azemu does not emulate answer as Azure does for a resource that does not
exist (404 ResourceNotFound, empty lists), not as for a type that does not exist (400
InvalidResourceType); the declared list is exactly the SDKs' types azemu does not serve."""

from __future__ import annotations

import re
from pathlib import Path

import azure.mgmt.compute
import azure.mgmt.network
import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azemu.arm import registry
from dataplane_lab import Sdk

RG_PATH = re.compile(r'"/subscriptions/\{subscriptionId\}/resourceGroups/\{resourceGroupName\}/providers/'
                     r'(Microsoft\.\w+)/(\w+)/\{\w+\}"')
COMPUTE_API = "2024-11-01"


def sdk_types(package) -> set[str]:
    """Every top-level resource-group type in the URL templates of an SDK (generated from the specs)."""
    found = set()
    for source in Path(package.__file__).parent.rglob("*.py"):
        found |= {f"{ns}/{name}" for ns, name in RG_PATH.findall(source.read_text())}
    return found


def test_the_declared_types_are_the_sdks_less_what_azemu_serves():
    registry.load_providers()
    served = {t.full_type.lower() for t in registry.all_types()}
    for package, namespace in ((azure.mgmt.compute, "Microsoft.Compute"), (azure.mgmt.network, "Microsoft.Network")):
        real = sdk_types(package)
        assert real, package.__name__
        unserved = {t for t in real if t.lower() not in served}
        declared = {t for t in (registry.real_type(namespace, name.split("/")[1]) for name in real) if t}
        assert declared == unserved, (sorted(unserved - declared), sorted(declared - unserved))


def test_reads_answer_as_for_no_resource(arm, rg):
    one = f"/resourceGroups/{rg}/providers/Microsoft.Compute/images/Ubuntu2404"
    r = arm.get(one, api_version=COMPUTE_API)
    assert r.status == 404 and r.body["error"] == {
        "code": "ResourceNotFound",
        "message": f"The Resource 'Microsoft.Compute/images/Ubuntu2404' under resource group '{rg}' was not found. "
                   "For more details please go to https://aka.ms/ARMResourceNotFoundFix"}
    assert arm.head(one, api_version=COMPUTE_API).status == 404
    assert arm.patch(one, {"tags": {}}, api_version=COMPUTE_API).status == 404
    assert arm.delete(one, api_version=COMPUTE_API).status == 204
    for listing in (f"/resourceGroups/{rg}/providers/Microsoft.Compute/images", "/providers/Microsoft.Compute/images",
                    f"/resourceGroups/{rg}/providers/microsoft.network/PUBLICIPPREFIXES"):
        r = arm.get(listing, api_version=COMPUTE_API)
        assert r.status == 200 and r.body == {"value": []}, (listing, r)


def test_a_create_is_refused_saying_why_and_unknown_types_stay_unknown(arm, rg):
    r = arm.put(f"/resourceGroups/{rg}/providers/Microsoft.Network/natGateways/nat", {"location": "westus"})
    assert r.status == 501 and r.body["error"]["code"] == "NotImplemented"
    assert "'Microsoft.Network/natGateways'" in r.body["error"]["message"]
    for path in (f"/resourceGroups/{rg}/providers/Microsoft.Compute/imagez/x", "/providers/Microsoft.Compute/imagez"):
        r = arm.get(path, api_version=COMPUTE_API)
        assert r.status == 400 and r.body["error"]["code"] == "InvalidResourceType", r
    missing_group = arm.get("/resourceGroups/no-such-group/providers/Microsoft.Compute/images/x", api_version=COMPUTE_API)
    assert missing_group.status == 404 and missing_group.body["error"]["code"] == "ResourceGroupNotFound"


def test_the_sdk_sees_a_missing_image(emu, rg):
    """azure-mgmt-compute raises ResourceNotFoundError, as on Azure, where it raised the generic
    HttpResponseError for a 400."""
    compute = Sdk(emu).compute
    with pytest.raises(ResourceNotFoundError):
        compute.images.get(rg, "Ubuntu2404")
    assert list(compute.images.list_by_resource_group(rg)) == []
    with pytest.raises(HttpResponseError) as refused:
        compute.snapshots.begin_create_or_update(rg, "snap", {"location": "westus",
                                                              "creation_data": {"create_option": "Empty"}}).result()
    assert refused.value.status_code == 501
