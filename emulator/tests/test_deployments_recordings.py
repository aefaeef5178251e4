"""The templates `az network lb create`, `az vm availability-set create` and `az vm create` sent
to Azure (recordings/azure-cli/), replayed against azemu with the writes the recordings make
before them: azemu answers the deployment exchanges as Azure did (status, async-operation URL,
bodies with the recorded members), and a template's resources are what direct PUTs make."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from deployment_helpers import RESOURCES_API, wait_deployment
from reference import GUID, assert_covers, cli_recording, header_set
from network_helpers import finish

ZERO = "00000000-0000-0000-0000-000000000000"
DEPLOYMENTS = "/providers/Microsoft.Resources/deployments/"
VOLATILE = ("etag", "resourceGuid", "ipAddress", "vmId", "timeCreated", "macAddress", "name")


def recorded_group(exchanges) -> str:
    return next(re.search(r"/resourcegroups/([^/?]+)", e.uri, re.I).group(1) for e in exchanges
                if DEPLOYMENTS in e.uri)


def retarget(value, arm, recorded_rg: str, rg: str):
    text = json.dumps(value).replace(ZERO, arm.sub)
    return json.loads(re.sub(re.escape(recorded_rg), rg, text, flags=re.I))


def new_group(arm, location: str) -> str:
    rg = f"rg-rec-{uuid.uuid4().hex[:8]}"
    assert arm.put(f"/resourcegroups/{rg}", {"location": location}, api_version=RESOURCES_API).status == 201
    return rg


def replay(arm, name: str, *, skip: tuple[int, ...] = ()):
    """Replay the recording's writes (but those at `skip`) up to its last deployment in a new
    group; for each deployment (recorded PUT, recorded final GET, our PUT response, our final
    status, our final GET, our group)."""
    exchanges = cli_recording(name)
    recorded_rg = recorded_group(exchanges)
    deployments = [i for i, e in enumerate(exchanges) if e.method == "PUT" and DEPLOYMENTS in e.uri]
    location = re.search(r'"location": "(\w+)"', json.dumps(exchanges[deployments[0]].request_body)).group(1)
    rg = new_group(arm, location)
    out = []
    for i, e in enumerate(exchanges[:deployments[-1] + 1]):
        if e.method != "PUT" or i in skip:
            continue
        path = "/" + e.path.split("/", 3)[3]                # relative to the subscription
        path = retarget(path, arm, recorded_rg, rg)
        body = retarget(e.request_body, arm, recorded_rg, rg)
        api_version = e.query["api-version"][0]
        if DEPLOYMENTS not in e.uri:
            resp = arm.put(path, body, api_version=api_version)
            assert resp.status in (200, 201), (path, resp)
            if resp.headers.get("Azure-AsyncOperation"):
                assert finish(arm, resp) == {"status": "Succeeded"}
            continue
        path = path.replace("/mock-deployment", f"/dep{i}")   # the recordings sanitise every name to this
        resp = arm.put(path, body, api_version=api_version)
        final = next((x for x in exchanges[i + 1:] if x.method == "GET" and DEPLOYMENTS in x.uri
                      and "/operationStatuses/" not in x.uri), None)
        status = wait_deployment(arm, resp) if resp.status in (200, 201) else None
        ours = arm.get(path, api_version=api_version)
        out.append((e, final, resp, status, ours, rg))
    return out


def _shape_of_status_url(url: str, names: tuple[str, ...]) -> str:
    path = url.split("?")[0].split("/subscriptions/", 1)[1]
    for name in names:
        path = re.sub(f"/{re.escape(name)}(/|$)", "/{name}\\1", path, flags=re.I)
    return re.sub(r"/operationStatuses/\d+$", "/operationStatuses/{op}", re.sub(GUID, "{sub}", path)).lower()


@pytest.mark.parametrize("recording", ["test_network_lb", "test_network_lb_probes", "test_network_lb_rules",
                                       "test_network_lb_address_pool", "test_network_nic_lb_address_pools",
                                       "test_vm_availset"])
def test_az_templates_deploy_as_in_azure(arm, recording):
    for put, final, resp, status, ours, rg in replay(arm, recording):
        assert resp.status == put.status == 201, resp
        assert header_set(put.response_headers) <= header_set(resp.headers)
        recorded_url, our_url = put.header("azure-asyncoperation"), resp.headers.get("Azure-AsyncOperation")
        recorded_rg = recorded_group([put])
        assert _shape_of_status_url(our_url, (rg, resp.body["name"])) == \
            _shape_of_status_url(recorded_url, (recorded_rg, put.response_body["name"]))
        assert_covers(resp.body, put.response_body)
        assert resp.body["properties"]["provisioningState"] == put.response_body["properties"]["provisioningState"]
        assert status == {"status": "Succeeded"}
        assert ours.status == final.status == 200
        assert_covers(ours.body, final.response_body)
        ours_props, recorded = ours.body["properties"], final.response_body["properties"]
        assert [r["id"].rsplit("/", 2)[1:] for r in ours_props["outputResources"]] == \
            [r["id"].rsplit("/", 2)[1:] for r in recorded["outputResources"]]
        assert [d["resourceName"] for d in ours_props["dependencies"]] == \
            [d["resourceName"] for d in recorded["dependencies"]]
        assert {k: v["type"] for k, v in ours_props["outputs"].items()} == \
            {k: v["type"] for k, v in recorded["outputs"].items()}


def comparable(value, rg: str):
    """A GET body without what differs between two equal resources (group, GUIDs, addresses)."""
    text = re.sub(GUID, "{guid}", re.sub(re.escape(rg), "{rg}", json.dumps(value), flags=re.I))
    text = re.sub(r'W/\\"[^"\\]*\\"', "{etag}", text)

    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in VOLATILE or k == "name" and isinstance(x, str)
                    and "{guid}" not in x}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return strip(json.loads(text))


def same_as_direct_puts(arm, template: dict, deployed_rg: str, location: str) -> None:
    """PUT the template's resources one by one into a new group; GETs of both are equal."""
    rg = new_group(arm, location)
    for resource in template["resources"]:
        body = retarget({k: v for k, v in resource.items() if k not in ("type", "apiVersion", "name", "dependsOn")},
                        arm, deployed_rg, rg)
        path = f"/resourceGroups/{rg}/providers/{resource['type']}/{resource['name']}"
        resp = arm.put(path, body, api_version=resource["apiVersion"])
        assert resp.status in (200, 201), resp
        if resp.headers.get("Azure-AsyncOperation"):
            assert finish(arm, resp)["status"] == "Succeeded"
    for resource in template["resources"]:
        tail = f"providers/{resource['type']}/{resource['name']}"
        direct = arm.get(f"/resourceGroups/{rg}/{tail}", api_version=resource["apiVersion"]).body
        deployed = arm.get(f"/resourceGroups/{deployed_rg}/{tail}", api_version=resource["apiVersion"]).body
        assert comparable(deployed, deployed_rg) == comparable(direct, rg), tail


@pytest.mark.parametrize("recording", ["test_network_lb", "test_vm_availset"])
def test_template_resources_are_what_direct_puts_make(arm, recording):
    put, _, resp, status, _, rg = replay(arm, recording)[0]
    assert status == {"status": "Succeeded"}
    template = retarget(put.request_body["properties"]["template"], arm, recorded_group([put]), rg)
    same_as_direct_puts(arm, template, rg, arm.get(f"/resourcegroups/{rg}", api_version=RESOURCES_API).body["location"])


# test_vm_create_existing_nic's write 19 (`az network nic ip-config create`: an IPv6 configuration
# without a subnet, 200 in Azure) is refused by azemu's NIC checks; it is no part of the template.
VM_RECORDINGS = [("test_vm_create_custom_data", ()), ("test_vm_create_no_wait", ()),
                 ("test_vm_create_existing_nic", (19,))]


@pytest.mark.parametrize("recording, skip", VM_RECORDINGS, ids=[r for r, _ in VM_RECORDINGS])
def test_az_vm_create_templates(arm, recording, skip):
    """The whole VM (NIC, VNet, NSG, public IP) from az's template as recorded: its image URNs
    and `osDisk.createOption: "fromImage"` as az spells it."""
    put, final, resp, status, ours, rg = replay(arm, recording, skip=skip)[-1]
    assert resp.status == 201, resp
    assert status == {"status": "Succeeded"}, status
    if final is not None:                              # --no-wait: az never read the deployment again
        assert_covers(ours.body, final.response_body)
    template = put.request_body["properties"]["template"]
    for resource in template["resources"]:
        made = arm.get(f"/resourceGroups/{rg}/providers/{resource['type']}/{resource['name']}",
                       api_version=resource["apiVersion"])
        assert made.status == 200 and made.body["properties"]["provisioningState"] == "Succeeded", made
    vm = next(r for r in template["resources"] if r["type"] == "Microsoft.Compute/virtualMachines")
    if "customData" in vm["properties"]["osProfile"]:
        stored = json.loads((arm.emu.state_dir / "state.json").read_text())["resources"]
        record = stored[f"/subscriptions/{arm.sub}/resourcegroups/{rg}/providers/microsoft.compute/virtualmachines/"
                        f"{vm['name']}".lower()]
        assert record["internal"]["cloud_init"]["user_data"].startswith("#cloud-config")


def test_a_vm_template_with_a_parameter(arm):
    """az sends the admin password as a securestring parameter: Azure answers its type only."""
    put, _, resp, status, ours, rg = replay(arm, "test_vm_create_no_wait")[-1]
    assert ours.body["properties"]["parameters"] == {"adminPassword": {"type": "SecureString"}}
    assert resp.body["properties"]["parameters"] == put.response_body["properties"]["parameters"]
    vm = arm.get(f"/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/vmnowait2",
                 api_version="2024-07-01").body
    assert status == {"status": "Succeeded"}
    assert "adminPassword" not in json.dumps(vm) and vm["properties"]["osProfile"]["adminUsername"] == "user12"
    assert "testPassword0" not in (arm.emu.state_dir / "state.json").read_text()      # not kept once done
