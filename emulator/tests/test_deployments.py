"""Microsoft.Resources/deployments over HTTPS: the deployment's life cycle and shape (spec
deployments.json 2025-04-01 and the az CLI recordings), its resources written through their
providers, dependsOn order and parallelism, failures, outputs, validate, whatIf, cancel,
exportTemplate, Complete mode, the deployment operations, nested deployments."""

from __future__ import annotations

import json
import time

import pytest

from deployment_helpers import (RESOURCES_API, deploy, deployment_path, put_deployment, template,
                                wait_deployment)
from network_helpers import id_of, path_of

NET = "Microsoft.Network"


def ip(name, **extra):
    return {"type": f"{NET}/publicIPAddresses", "apiVersion": "2024-05-01", "name": name,
            "location": "[resourceGroup().location]", "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Static"}, **extra}


def nsg(name, **extra):
    return {"type": f"{NET}/networkSecurityGroups", "apiVersion": "2024-05-01", "name": name,
            "location": "[resourceGroup().location]", **extra}


def gizmo(name, **props):
    return {"type": "Microsoft.Azemu/gizmos", "apiVersion": "2024-01-01", "name": name, "location": "westus",
            "properties": props}


def get(arm, rg, name="dep1", *rest):
    return arm.get(deployment_path(rg, name, *rest), api_version=RESOURCES_API)


# --- life cycle -----------------------------------------------------------------------------

def test_put_answers_accepted_then_the_deployment_succeeds(arm, rg, settings):
    settings(latency=0.3)
    tpl = template([ip("ip1"), nsg("nsg1", dependsOn=["ip1"])],
                   parameters={"tagValue": {"type": "string", "defaultValue": "t"}},
                   outputs={"address": {"type": "string", "value": "[reference('ip1').ipAddress]"},
                            "nsgId": {"type": "string",
                                      "value": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg1')]"}})
    resp = put_deployment(arm, rg, "dep1", tpl)
    assert resp.status == 201
    assert resp.headers.get("Retry-After") == "1" and resp.headers.get("Location") is None
    status_url = resp.headers.get("Azure-AsyncOperation")
    assert "/providers/Microsoft.Resources/deployments/dep1/operationStatuses/" in status_url
    props = resp.body["properties"]
    assert list(props) == ["templateHash", "parameters", "mode", "provisioningState", "timestamp", "duration",
                           "correlationId", "providers", "dependencies"]
    assert props["provisioningState"] == "Accepted" and props["mode"] == "Incremental"
    assert props["parameters"] == {"tagValue": {"type": "String", "value": "t"}}
    assert props["templateHash"].isdigit()
    assert resp.body["type"] == "Microsoft.Resources/deployments" and "etag" not in resp.body
    assert arm.follow(status_url).body["status"] in ("Accepted", "Running")
    assert wait_deployment(arm, resp) == {"status": "Succeeded"}

    done = get(arm, rg).body["properties"]
    assert done["provisioningState"] == "Succeeded"
    address = arm.get(path_of(rg, "publicIPAddresses", "ip1")).body["properties"]["ipAddress"]
    assert done["outputs"] == {"address": {"type": "String", "value": address},
                               "nsgId": {"type": "String", "value": id_of(arm, rg, "networkSecurityGroups", "nsg1")}}
    assert done["outputResources"] == [{"id": id_of(arm, rg, "networkSecurityGroups", "nsg1")},
                                       {"id": id_of(arm, rg, "publicIPAddresses", "ip1")}]
    assert done["dependencies"][0]["resourceName"] == "nsg1"
    assert done["duration"].startswith("PT") and done["timestamp"] > props["timestamp"]
    # the resources are what a direct PUT makes: provider defaults, etags, their own provisioning state
    made = arm.get(path_of(rg, "networkSecurityGroups", "nsg1"))
    assert made.body["properties"]["provisioningState"] == "Succeeded"
    assert made.headers.get("ETag") == made.body["etag"]
    assert [r["name"] for r in made.body["properties"]["defaultSecurityRules"]][:1] == ["AllowVnetInBound"]


def test_redeploying_answers_200_and_replaces_the_operations(arm, rg):
    deploy(arm, rg, "dep1", template([ip("ip1")]))
    first = {o["operationId"] for o in get(arm, rg, "dep1", "operations").body["value"]}
    resp = put_deployment(arm, rg, "dep1", template([ip("ip1", tags={"v": "2"})]))
    assert resp.status == 200
    wait_deployment(arm, resp)
    second = get(arm, rg, "dep1", "operations").body["value"]
    assert len(second) == 1 and second[0]["operationId"] not in first
    assert second[0]["properties"]["statusCode"] == "OK"
    assert arm.get(path_of(rg, "publicIPAddresses", "ip1")).body["tags"] == {"v": "2"}


def test_get_head_list_delete(arm, rg, settings):
    deploy(arm, rg, "a", template([ip("ip1")]))
    deploy(arm, rg, "b", template([]))
    assert arm.head(deployment_path(rg, "a"), api_version=RESOURCES_API).status == 204
    assert arm.head(deployment_path(rg, "nope"), api_version=RESOURCES_API).status == 404
    missing = get(arm, rg, "nope")
    assert missing.status == 404 and missing.body["error"]["code"] == "ResourceNotFound"
    listed = arm.get(f"/resourcegroups/{rg}/providers/Microsoft.Resources/deployments", api_version=RESOURCES_API)
    assert sorted(d["name"] for d in listed.body["value"]) == ["a", "b"]
    # deployments are not resources of the group, and these are not subscription-scope deployments
    resources = arm.get(f"/resourcegroups/{rg}/resources", api_version=RESOURCES_API).body["value"]
    assert [r["type"] for r in resources] == ["Microsoft.Network/publicIPAddresses"]
    at_subscription = arm.get("/providers/Microsoft.Resources/deployments", api_version=RESOURCES_API)
    assert at_subscription.status == 200 and at_subscription.body == {"value": []}

    settings(latency=0.2)
    resp = arm.delete(deployment_path(rg, "a"), api_version=RESOURCES_API)
    assert resp.status == 202 and resp.headers.get("Azure-AsyncOperation") is None
    location = resp.headers.get("Location")
    assert "/operationresults/" in location and resp.headers.get("Retry-After")
    assert arm.follow(location).status == 202
    time.sleep(0.3)
    assert arm.follow(location).status == 204
    assert get(arm, rg, "a").status == 404
    assert get(arm, rg, "a", "operations").status == 404
    assert arm.get(path_of(rg, "publicIPAddresses", "ip1")).status == 200     # its resources stay
    assert arm.delete(deployment_path(rg, "a"), api_version=RESOURCES_API).status == 204


def test_deployment_operations_list_and_get(arm, rg):
    dep = deploy(arm, rg, "dep1", template([ip("ip1")], outputs={"n": {"type": "int", "value": 1}}))
    for base in (f"/resourcegroups/{rg}/deployments/dep1/operations",           # DeploymentOperations_List's route
                 f"/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/dep1/operations"):
        ops = arm.get(base, api_version=RESOURCES_API).body["value"]
        assert [o["properties"]["provisioningOperation"] for o in ops] == ["Create", "EvaluateDeploymentOutput"]
    create = ops[0]
    assert create["id"] == f"{dep['id']}/operations/{create['operationId']}"
    assert create["properties"]["targetResource"] == {
        "id": id_of(arm, rg, "publicIPAddresses", "ip1"), "resourceType": f"{NET}/publicIPAddresses",
        "resourceName": "ip1", "apiVersion": "2024-05-01"}
    assert (create["properties"]["provisioningState"], create["properties"]["statusCode"]) == ("Succeeded", "Created")
    one = arm.get(f"/resourcegroups/{rg}/deployments/dep1/operations/{create['operationId']}",
                  api_version=RESOURCES_API)
    assert one.body == create
    refused = arm.put(f"/resourcegroups/{rg}/deployments/dep1/operations/{create['operationId']}", {},
                      api_version=RESOURCES_API)
    assert refused.status == 405


# --- order and parallelism ------------------------------------------------------------------

def test_independent_resources_start_together_dependents_after(arm, rg, settings):
    latency = 1.0
    settings(latency=latency)
    tpl = template([ip("a"), ip("b"), nsg("c", dependsOn=["a", "b"])])
    started = time.monotonic()
    deploy(arm, rg, "par", tpl)
    took = time.monotonic() - started
    ops = {o["properties"]["targetResource"]["resourceName"]: o["properties"]
           for o in get(arm, rg, "par", "operations").body["value"]}
    # a and b ran side by side: two latencies in all, not three
    assert 2 * latency <= took < 2.8 * latency, took
    for name in ("a", "b"):
        assert latency * 0.9 <= _seconds(ops[name]["duration"]) < latency * 1.5
    assert abs(_start(ops["a"]) - _start(ops["b"])) < 0.2
    assert _start(ops["c"]) >= max(_start(ops["a"]) + _seconds(ops["a"]["duration"]),
                                   _start(ops["b"]) + _seconds(ops["b"]["duration"])) - 0.05


def _seconds(duration: str) -> float:
    import re
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?([\d.]+)S", duration)
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3))


def _start(props: dict) -> float:
    from datetime import datetime
    end = datetime.fromisoformat(props["timestamp"].replace("Z", "+00:00")).timestamp()
    return end - _seconds(props["duration"])


def test_copy_loops_and_property_copies(arm, rg):
    tpl = template([
        ip("[concat('ip', copyIndex())]", copy={"name": "ips", "count": "[parameters('n')]"}),
        nsg("guard", dependsOn=["ips"], properties={"copy": [{
            "name": "securityRules", "count": "[parameters('n')]",
            "input": {"name": "[concat('allow', copyIndex('securityRules'))]", "properties": {
                "priority": "[add(100, copyIndex('securityRules'))]", "protocol": "Tcp", "access": "Allow",
                "direction": "Inbound", "sourceAddressPrefix": "*", "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "[string(add(8000, copyIndex('securityRules')))]"}}}]})],
        parameters={"n": {"type": "int", "defaultValue": 3}})
    assert deploy(arm, rg, "loops", tpl)["properties"]["provisioningState"] == "Succeeded"
    for i in range(3):
        assert arm.get(path_of(rg, "publicIPAddresses", f"ip{i}")).status == 200
    rules = arm.get(path_of(rg, "networkSecurityGroups", "guard")).body["properties"]["securityRules"]
    assert [(r["name"], r["properties"]["priority"], r["properties"]["destinationPortRange"]) for r in rules] == \
        [("allow0", 100, "8000"), ("allow1", 101, "8001"), ("allow2", 102, "8002")]


def test_child_types_nested_and_top_level(arm, rg):
    vnet = {"type": f"{NET}/virtualNetworks", "apiVersion": "2024-05-01", "name": "vn", "location": "westus",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                           "subnets": [{"name": "first", "properties": {"addressPrefix": "10.0.0.0/24"}}]},
            "resources": [{"type": "subnets", "apiVersion": "2024-05-01", "name": "second", "dependsOn": ["vn"],
                           "properties": {"addressPrefix": "10.0.1.0/24"}}]}
    third = {"type": f"{NET}/virtualNetworks/subnets", "apiVersion": "2024-05-01", "name": "vn/third",
             "dependsOn": [f"{NET}/virtualNetworks/vn/subnets/second"], "properties": {"addressPrefix": "10.0.2.0/24"}}
    dep = deploy(arm, rg, "kids", template([vnet, third]))
    assert dep["properties"]["provisioningState"] == "Succeeded", dep
    subnets = arm.get(path_of(rg, "virtualNetworks", "vn")).body["properties"]["subnets"]
    assert sorted(s["name"] for s in subnets) == ["first", "second", "third"]
    child = arm.get(path_of(rg, "virtualNetworks", "vn", "subnets", "third")).body
    assert child["properties"]["addressPrefix"] == "10.0.2.0/24"


def test_nested_deployment_with_inner_scope(arm, rg):
    inner = template([ip("[parameters('ipName')]")], parameters={"ipName": {"type": "string"}},
                     outputs={"name": {"type": "string", "value": "[parameters('ipName')]"}})
    tpl = template([{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
                     "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                                    "parameters": {"ipName": {"value": "[concat('nested-', resourceGroup().name)]"}},
                                    "template": inner}}],
                   outputs={"fromInner": {"type": "string", "value": "[reference('inner').outputs.name.value]"}})
    dep = deploy(arm, rg, "outer", tpl)
    assert dep["properties"]["outputs"]["fromInner"]["value"] == f"nested-{rg}"
    assert get(arm, rg, "inner").body["properties"]["provisioningState"] == "Succeeded"
    assert arm.get(path_of(rg, "publicIPAddresses", f"nested-{rg}")).status == 200


# --- failures -------------------------------------------------------------------------------

def test_a_failing_resource_fails_the_deployment(arm, rg):
    """A NIC naming a subnet that does not exist fails as a direct PUT does; what depends on it
    never starts; what does not goes on; the error is DeploymentFailed with the NIC's error."""
    bad_subnet = id_of(arm, rg, "virtualNetworks", "nowhere", "subnets", "none")
    nic = {"type": f"{NET}/networkInterfaces", "apiVersion": "2024-05-01", "name": "nic1", "location": "westus",
           "dependsOn": ["ip1"], "properties": {"ipConfigurations": [{"name": "c1", "properties": {
               "subnet": {"id": bad_subnet}}}]}}
    tpl = template([ip("ip1"), nic, nsg("after", dependsOn=["nic1"]), nsg("aside")])
    resp = put_deployment(arm, rg, "bad", tpl)
    assert resp.status == 201
    status = wait_deployment(arm, resp)
    assert status["status"] == "Failed"
    error = status["error"]
    assert error["code"] == "DeploymentFailed"
    assert error["message"].startswith("At least one resource deployment operation failed. Please list deployment "
                                       "operations for details.")
    direct = arm.put(path_of(rg, "networkInterfaces", "nic2"), {"location": "westus", "properties": nic["properties"]})
    assert [{k: d[k] for k in ("code", "message")} for d in error["details"]] == \
        [{"code": direct.body["error"]["code"], "message": direct.body["error"]["message"].replace("nic2", "nic1")}]
    dep = get(arm, rg, "bad").body["properties"]
    assert dep["provisioningState"] == "Failed" and dep["error"] == error and "outputs" not in dep
    ops = {o["properties"]["targetResource"]["resourceName"]: o["properties"]
           for o in get(arm, rg, "bad", "operations").body["value"]}
    assert set(ops) == {"ip1", "nic1", "aside"}                               # "after" never started
    assert ops["nic1"]["provisioningState"] == "Failed" and ops["nic1"]["statusCode"] == "BadRequest"
    assert ops["nic1"]["statusMessage"] == {"status": "Failed", "error": error["details"][0]}
    assert arm.get(path_of(rg, "networkSecurityGroups", "aside")).status == 200
    assert arm.get(path_of(rg, "networkSecurityGroups", "after")).status == 404


def test_an_operation_that_fails_later_fails_the_deployment(arm, rg, settings):
    settings(latency=0.2)
    resp = put_deployment(arm, rg, "later", template([gizmo("g1", breaks=True), gizmo("g2")]))
    status = wait_deployment(arm, resp)
    detail = status["error"]["details"][0]
    assert detail["code"] == "ResourceDeploymentFailure"
    assert detail["message"] == ("The resource write operation failed to complete successfully, because it reached "
                                 "terminal provisioning state 'Failed'.")
    assert detail["details"][0]["code"] == "GizmoBroke"
    gizmos = f"/resourceGroups/{rg}/providers/Microsoft.Azemu/gizmos"
    assert arm.get(f"{gizmos}/g1").body["properties"]["provisioningState"] == "Failed"
    assert arm.get(f"{gizmos}/g2").body["properties"]["provisioningState"] == "Succeeded"


def test_template_errors_answer_400_at_once(arm, rg):
    resp = put_deployment(arm, rg, "broken", template([ip("[nope()]")]))
    assert resp.status == 400
    assert resp.body["error"]["code"] == "InvalidTemplate"
    assert "The template function 'nope' is not valid." in resp.body["error"]["message"]
    assert resp.body["error"]["additionalInfo"][0]["type"] == "TemplateViolation"
    assert get(arm, rg, "broken").status == 404
    missing = put_deployment(arm, rg, "p", template([], parameters={"x": {"type": "string"}}))
    assert "The value for the template parameter 'x' at line '1' and column '" in missing.body["error"]["message"]


def test_preflight_refuses_what_the_provider_refuses(arm, rg):
    tpl = template([{**ip("ok")}, {**ip("bad"), "properties": {"publicIPAllocationMethod": "Sometimes"}}])
    resp = put_deployment(arm, rg, "pre", tpl)
    assert resp.status == 400
    error = resp.body["error"]
    assert error["code"] == "InvalidTemplateDeployment"
    assert error["message"].startswith("The template deployment 'pre' is not valid according to the validation "
                                       "procedure.")
    assert error["details"][0]["code"] == "PreflightValidationCheckFailed"
    assert "Sometimes" in error["details"][0]["details"][0]["message"]
    assert arm.get(path_of(rg, "publicIPAddresses", "ok")).status == 404


def test_an_active_deployment_cannot_be_replaced_or_deleted(arm, rg, settings):
    settings(latency=1.0)
    resp = put_deployment(arm, rg, "busy", template([ip("ip1")]))
    again = put_deployment(arm, rg, "busy", template([ip("ip1")]))
    assert again.status == 409 and again.body["error"]["code"] == "DeploymentActive"
    assert "Unable to edit or replace deployment 'busy'" in again.body["error"]["message"]
    gone = arm.delete(deployment_path(rg, "busy"), api_version=RESOURCES_API)
    assert gone.status == 409 and gone.body["error"]["code"] == "DeploymentActive"
    assert wait_deployment(arm, resp)["status"] == "Succeeded"


# --- actions --------------------------------------------------------------------------------

def test_validate(arm, rg, emu):
    body = {"properties": {"mode": "Incremental", "template": template([ip("v1"), nsg("v2", dependsOn=["v1"])])}}
    mark = emu.mark()
    resp = arm.post(deployment_path(rg, "check", "validate"), body, api_version=RESOURCES_API)
    assert resp.status == 200, resp
    assert resp.body["id"].endswith(f"/resourceGroups/{rg}/providers/Microsoft.Resources/deployments/check")
    props = resp.body["properties"]
    assert props["provisioningState"] == "Succeeded"
    assert props["validatedResources"] == [{"id": id_of(arm, rg, "publicIPAddresses", "v1")},
                                           {"id": id_of(arm, rg, "networkSecurityGroups", "v2")}]
    assert get(arm, rg, "check").status == 404 and arm.get(path_of(rg, "publicIPAddresses", "v1")).status == 404
    assert [w["method"] for w in emu.writes(since=mark)] == ["POST"]
    body["properties"]["template"]["resources"][0]["properties"]["publicIPAllocationMethod"] = "Sometimes"
    refused = arm.post(deployment_path(rg, "check", "validate"), body, api_version=RESOURCES_API)
    assert refused.status == 400 and refused.body["error"]["code"] == "InvalidTemplateDeployment"
    body["properties"]["template"]["resources"][0]["name"] = "[bad("
    refused = arm.post(deployment_path(rg, "check", "validate"), body, api_version=RESOURCES_API)
    assert refused.status == 400 and refused.body["error"]["code"] == "InvalidTemplate"


def test_what_if(arm, rg):
    deploy(arm, rg, "base", template([ip("keep"), ip("change"), nsg("other")]))
    body = {"properties": {"mode": "Incremental", "template": template(
        [ip("keep"), ip("change", tags={"new": "tag"}), ip("fresh")])}}
    resp = arm.post(deployment_path(rg, "w", "whatIf"), body, api_version=RESOURCES_API)
    assert resp.status == 202 and "/operationresults/" in resp.headers.get("Location")
    result = arm.follow(resp.headers.get("Location"))
    assert result.status == 200 and result.body["status"] == "Succeeded"
    changes = {c["resourceId"].rsplit("/", 1)[-1]: c for c in result.body["properties"]["changes"]}
    assert {k: c["changeType"] for k, c in changes.items()} == {
        "keep": "NoChange", "change": "Modify", "fresh": "Create", "other": "Ignore"}
    assert changes["change"]["delta"] == [{"path": "tags.new", "propertyChangeType": "Create", "after": "tag"}]
    assert changes["fresh"]["after"]["properties"]["publicIPAllocationMethod"] == "Static"
    assert "before" not in changes["fresh"] and changes["keep"]["before"]["name"] == "keep"
    assert arm.get(path_of(rg, "publicIPAddresses", "fresh")).status == 404
    body["properties"]["mode"] = "Complete"
    body["properties"]["whatIfSettings"] = {"resultFormat": "ResourceIdOnly"}
    resp = arm.post(deployment_path(rg, "w", "whatIf"), body, api_version=RESOURCES_API)
    changes = arm.follow(resp.headers.get("Location")).body["properties"]["changes"]
    assert {"resourceId": id_of(arm, rg, "networkSecurityGroups", "other"), "changeType": "Delete"} in changes


def test_cancel(arm, rg, settings):
    settings(latency=1.0)
    resp = put_deployment(arm, rg, "stop", template([ip("first"), nsg("second", dependsOn=["first"])]))
    cancel = arm.post(deployment_path(rg, "stop", "cancel"), api_version=RESOURCES_API)
    assert cancel.status == 204
    assert arm.follow(resp.headers.get("Azure-AsyncOperation")).body["status"] == "Canceled"
    assert get(arm, rg, "stop").body["properties"]["provisioningState"] == "Canceled"
    time.sleep(1.2)
    assert arm.get(path_of(rg, "publicIPAddresses", "first")).body["properties"]["provisioningState"] == "Succeeded"
    assert arm.get(path_of(rg, "networkSecurityGroups", "second")).status == 404
    again = arm.post(deployment_path(rg, "stop", "cancel"), api_version=RESOURCES_API)
    assert again.status == 409 and again.body["error"]["code"] == "DeploymentCannotBeCancelled"


def test_export_template(arm, rg):
    tpl = template([ip("[parameters('n')]")], parameters={"n": {"type": "string", "defaultValue": "x"}})
    deploy(arm, rg, "exp", tpl)
    resp = arm.post(deployment_path(rg, "exp", "exportTemplate"), api_version=RESOURCES_API)
    assert resp.status == 200 and resp.body == {"template": tpl}


def test_complete_mode_deletes_what_the_template_lacks(arm, rg):
    deploy(arm, rg, "first", template([ip("stay"), ip("goes"), nsg("also-goes")]))
    dep = deploy(arm, rg, "second", template([ip("stay")]), mode="Complete")
    assert dep["properties"]["mode"] == "Complete" and dep["properties"]["provisioningState"] == "Succeeded"
    names = [r["name"] for r in arm.get(f"/resourcegroups/{rg}/resources", api_version=RESOURCES_API).body["value"]]
    assert names == ["stay"]
    assert get(arm, rg, "first").status == 200                                  # deployments are not deleted
    ops = [o["properties"] for o in get(arm, rg, "second", "operations").body["value"]]
    assert sorted((o["provisioningOperation"], o["targetResource"]["resourceName"]) for o in ops) == \
        [("Create", "stay"), ("Delete", "also-goes"), ("Delete", "goes")]
    nested = {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
              "properties": {"mode": "Incremental", "template": template([ip("from-inner")])}}
    deploy(arm, rg, "third", template([ip("stay"), nested]), mode="Complete")
    names = [r["name"] for r in arm.get(f"/resourcegroups/{rg}/resources", api_version=RESOURCES_API).body["value"]]
    assert sorted(names) == ["from-inner", "stay"]                           # a nested template's are kept


@pytest.mark.parametrize("body, code", [
    ({"properties": {"template": {"resources": []}}}, "InvalidRequestContent"),                 # no mode
    ({"properties": {"mode": "Sometimes", "template": {"resources": []}}}, "InvalidRequestContent"),
    ({"properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/t.json"}}},
     "InvalidContentLink"),
    ({}, "InvalidRequestContent"),
    ({"properties": {"mode": "Incremental", "template": {"languageVersion": "2.0", "resources": {}}}},
     "InvalidTemplate"),
    ({"properties": {"mode": "Incremental", "template": {"resources": []},
                     "onErrorDeployment": {"type": "LastSuccessful"}}}, "InvalidDeployment"),
])
def test_bad_requests(arm, rg, body, code):
    resp = arm.put(deployment_path(rg, "x"), body, api_version=RESOURCES_API)
    assert resp.status == 400 and resp.body["error"]["code"] == code


def test_deployment_names(arm, rg):
    long = arm.put(deployment_path(rg, "d" * 65), {"properties": {"mode": "Incremental", "template": template()}},
                   api_version=RESOURCES_API)
    assert long.status == 400 and long.body["error"]["code"] == "DeploymentNameLengthLimitExceeded"
    ok = put_deployment(arm, rg, "Name_with-(all).chars", template())
    assert ok.status == 201


def test_a_deployment_goes_on_after_a_restart(tmp_path):
    """Its state is in the store: stopped while its first resource is provisioning, azemu
    finishes that resource when it is back, then starts the next one and ends the deployment."""
    from armclient import Arm
    from conftest import start_azemu
    emu = start_azemu(tmp_path / "state")
    try:
        arm = Arm(emu)
        assert arm.put("/resourcegroups/keep", {"location": "westus"}, api_version=RESOURCES_API).status == 201
        emu.settings(latency=1.0)
        resp = put_deployment(arm, "keep", "dep1", template([ip("first"), nsg("second", dependsOn=["first"])]))
        assert arm.follow(resp.headers.get("Azure-AsyncOperation")).body == {"status": "Running"}
        emu.stop()
        time.sleep(1.1)
        emu.start()
        arm = Arm(emu, token=arm.token)
        assert wait_deployment(arm, resp) == {"status": "Succeeded"}
        ops = get(arm, "keep", "dep1", "operations").body["value"]
        assert sorted(o["properties"]["targetResource"]["resourceName"] for o in ops) == ["first", "second"]
        assert arm.get(path_of("keep", "networkSecurityGroups", "second")).status == 200
    finally:
        emu.stop()


def test_reference_full_and_of_resources_outside_the_template(arm, rg):
    deploy(arm, rg, "first", template([ip("existing")]))
    existing = "resourceId('Microsoft.Network/publicIPAddresses', 'existing')"
    tpl = template([ip("new", tags={"copied": f"[reference({existing}, '2024-05-01').ipAddress]"})], outputs={
        "full": {"type": "object", "value": "[reference('new', '2024-05-01', 'Full')]"},
        "sku": {"type": "string", "value": f"[reference({existing}, '2024-05-01', 'Full').sku.name]"}})
    dep = deploy(arm, rg, "second", tpl)
    outputs = dep["properties"]["outputs"]
    new = arm.get(path_of(rg, "publicIPAddresses", "new")).body
    assert outputs["full"]["value"]["id"] == new["id"] and outputs["full"]["value"]["apiVersion"] == "2024-05-01"
    assert outputs["full"]["value"]["properties"]["ipAddress"] == new["properties"]["ipAddress"]
    assert outputs["sku"]["value"] == "Standard"
    address = arm.get(path_of(rg, "publicIPAddresses", "existing")).body["properties"]["ipAddress"]
    assert new["tags"] == {"copied": address}
    missing = "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'missing'), '2024-05-01').ipAddress]"
    resp = put_deployment(arm, rg, "third", template([], outputs={"x": {"type": "string", "value": missing}}))
    status = wait_deployment(arm, resp)
    assert status["error"]["code"] == "DeploymentOutputEvaluationFailed"
    assert "The Resource 'Microsoft.Network/publicIPAddresses/missing' under resource group" in \
        status["error"]["details"][0]["message"]


def test_through_the_proxy_a_deployment_names_public_azure(tmp_path):
    """A client that reaches azemu as management.azure.com polls management.azure.com, and the
    template's environment() is public Azure's, also when evaluated after the request."""
    import requests
    from conftest import start_azemu
    emu = start_azemu(tmp_path / "state", proxy=True)
    arm_url = "https://management.azure.com"
    try:
        tenant = emu.identities()[0]
        with requests.Session() as public:
            public.trust_env = False
            public.proxies, public.verify = {"https": emu.info["proxy_url"]}, emu.ca_file
            token = public.post(f"https://login.microsoftonline.com/{tenant['tenant_id']}/oauth2/v2.0/token", data={
                "grant_type": "client_credentials", "client_id": tenant["client_id"],
                "client_secret": tenant["client_secret"], "scope": arm_url + "/.default"}, timeout=30).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            group = f"{arm_url}/subscriptions/{tenant['subscription_id']}/resourcegroups/viaproxy"
            assert public.put(f"{group}?api-version={RESOURCES_API}", json={"location": "westus"}, headers=headers,
                              timeout=30).status_code == 201
            tpl = template([ip("ip1"), nsg("nsg1", dependsOn=["ip1"])], outputs={
                "arm": {"type": "string", "value": "[environment().resourceManager]"}})
            emu.settings(latency=0.3)
            resp = public.put(f"{group}/providers/Microsoft.Resources/deployments/d1?api-version={RESOURCES_API}",
                              json={"properties": {"mode": "Incremental", "template": tpl}}, headers=headers,
                              timeout=30)
            assert resp.status_code == 201
            status_url = resp.headers["Azure-AsyncOperation"]
            assert status_url.startswith(f"{group.replace('resourcegroups', 'resourceGroups')}/providers/")
            for _ in range(100):
                if public.get(status_url, headers=headers, timeout=30).json()["status"] == "Succeeded":
                    break
                time.sleep(0.1)
            done = public.get(f"{group}/providers/Microsoft.Resources/deployments/d1?api-version={RESOURCES_API}",
                              headers=headers, timeout=30).json()
            assert done["properties"]["outputs"]["arm"]["value"] == arm_url + "/"
    finally:
        emu.stop()


TEMPLATE_FILE = """{
  // a template file as people write them: comments are allowed
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"name": {"type": "string"}},
  "resources": [
    /* one public IP */
    {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-05-01", "name": "[parameters('name')]",
     "location": "westus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "%s"}}
  ]
}
"""


def _az_body(template_text: str, parameters: dict) -> bytes:
    """The body `az deployment group create --template-file` sends: azure-cli's JsonCTemplatePolicy
    splices the file as it is after an unquoted `template:`; ARM (Newtonsoft) reads that."""
    partial = json.dumps({"properties": {"parameters": parameters, "mode": "Incremental"}})
    return (partial[:-2] + ", template:" + template_text + "}}").encode()


def test_az_template_files_with_comments_and_an_unquoted_template_key(arm, rg, emu):
    import requests
    url = f"{emu.url}/subscriptions/{arm.sub}{deployment_path(rg, 'azfile')}?api-version={RESOURCES_API}"
    headers = {"Authorization": f"Bearer {arm.token}", "Content-Type": "application/json"}
    resp = requests.put(url, data=_az_body(TEMPLATE_FILE % "Static", {"name": {"value": "from-file"}}),
                        headers=headers, verify=emu.ca_file, timeout=30)
    assert resp.status_code == 201, resp.text
    assert arm.get(path_of(rg, "publicIPAddresses", "from-file")).status == 200
    body = _az_body(TEMPLATE_FILE % "[nope()]", {"name": {"value": "x"}})
    resp = requests.put(url.replace("azfile", "azbad"), data=body, headers=headers, verify=emu.ca_file, timeout=30)
    error = resp.json()["error"]
    assert resp.status_code == 400 and error["code"] == "InvalidTemplate"
    text = body.decode()           # ARM names the resource whose expression failed, where it starts
    index = text.index('{"type": "Microsoft.Network/publicIPAddresses"')
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    assert error["additionalInfo"][0]["info"] == {"lineNumber": line, "linePosition": column,
                                                  "path": "properties.template.resources[0]"}
    assert f"The template resource 'x' at line '{line}' and column '{column}' is not valid: The template " \
           "function 'nope' is not valid." in error["message"]
