"""Shared by the template deployment tests: a template context on an in-process emulator (for
the language and the plan, no HTTP), and deploying a template through azemu's REST API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from azemu.arm.context import Ctx
from azemu.deployments.evaluator import Scope, resolve
from azemu.deployments.template import Context
from azemu.emulator import Emulator
from azemu.store import Record

RESOURCES_API = "2022-09-01"          # what az 2.45+ sends (test_network_lb.yaml)
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
GROUP = "rg1"


def local_emulator(state_dir: Path) -> Emulator:
    """A real emulator in this process (no server), with resource group rg1 in westus."""
    emu = Emulator(state_dir)
    emu.url = "https://azemu.test"
    sub = emu.identities.primary.subscription_id
    gid = f"/subscriptions/{sub}/resourceGroups/{GROUP}"
    emu.store.put(Record(body={"id": gid, "name": GROUP, "type": "Microsoft.Resources/resourceGroups",
                               "location": "westus", "tags": {"env": "test"},
                               "properties": {"provisioningState": "Succeeded"}},
                         type_key="microsoft.resources/resourcegroups"))
    return emu


def context_for(emu: Emulator, template: dict | None = None, parameters: dict | None = None,
                name: str = "dep1") -> Context:
    sub = emu.identities.primary.subscription_id
    context = Context(Ctx(emu), f"/subscriptions/{sub}/resourceGroups/{GROUP}/providers/Microsoft.Resources/"
                                f"deployments/{name}", template or {"resources": []})
    context.bind(parameters or {})
    return context


def ev(context: Context, value: Any, section: str = "properties", **copy: int) -> Any:
    """A JSON value with expressions, evaluated where `section` says (copy loops as keywords)."""
    scope = Scope(context, section)
    for loop, index in copy.items():
        scope = scope.with_copy(loop, index, own=True)
    return resolve(value, scope, copies=True)


def template(resources: list | None = None, **sections: Any) -> dict:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources or [], **sections}


def deployment_path(rg: str, name: str = "dep1", *rest: str) -> str:
    return "/".join([f"/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{name}", *rest])


def put_deployment(arm, rg: str, name: str, tpl: dict, parameters: dict | None = None, mode: str = "Incremental",
                   **kw):
    body = {"properties": {"template": tpl, "parameters": parameters or {}, "mode": mode}}
    return arm.put(deployment_path(rg, name), body, api_version=RESOURCES_API, **kw)


def wait_deployment(arm, resp, timeout: float = 60.0) -> dict:
    """Poll the deployment's operationStatuses URL until it ends; its final status document."""
    url = resp.headers.get("Azure-AsyncOperation")
    assert url and "/operationStatuses/" in url, resp
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = arm.follow(url)
        assert status.status == 200, status
        if status.body["status"] not in ("Accepted", "Running"):
            return status.body
        time.sleep(0.05)
    raise AssertionError(f"deployment {url} did not end within {timeout} s")


def deploy(arm, rg: str, name: str, tpl: dict, parameters: dict | None = None, mode: str = "Incremental") -> dict:
    """PUT, wait, and the deployment as GET shows it then."""
    resp = put_deployment(arm, rg, name, tpl, parameters, mode)
    assert resp.status in (200, 201), resp
    wait_deployment(arm, resp)
    return arm.get(deployment_path(rg, name), api_version=RESOURCES_API).body
