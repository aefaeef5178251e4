"""What a deployment would change (Deployments_WhatIf, PostDeploymentWhatIfOnResourceGroup.json):
for each resource of the template `Create`, `Modify` (with the changed properties as `delta`),
`NoChange`, or `Deploy` when its body needs resources deployed first; for the group's other
resources `Delete` in Complete mode and `Ignore` in Incremental mode. The predicted body is what
the resource's provider would store (`engine.check`), else the evaluated template resource."""

from __future__ import annotations

from typing import Any

from ..arm import engine
from ..arm.context import Ctx, render
from ..errors import ArmError
from .functions import same
from .prepare import Prepared
from .runner import deletable

NOISE = ("etag", "provisioningState")


def delta(before: dict, after: dict, path: str = "") -> list[dict]:
    out: list[dict] = []
    for key, value in after.items():
        if key in NOISE:
            continue
        where = f"{path}.{key}" if path else key
        old = next((v for k, v in before.items() if k.lower() == key.lower()), None)
        if isinstance(value, dict) and (old is None or isinstance(old, dict)):
            out.extend(delta(old or {}, value, where))      # leaves, as "tags.myNewTag" in the example
        elif old is None and value is not None:
            out.append({"path": where, "propertyChangeType": "Create", "after": value})
        elif not same(old, value):
            out.append({"path": where, "propertyChangeType": "Modify", "before": old, "after": value})
    return out


def changes(ctx: Ctx, prepared: Prepared, result_format: str = "FullResourcePayloads") -> dict[str, Any]:
    out = []
    ids_only = result_format.lower() == "resourceidonly"
    for node in prepared.plan.nodes:
        current = ctx.resolve(node.id)
        before = dict(render(Ctx(ctx.emu, api_version=node.apiVersion), current), apiVersion=node.apiVersion) \
            if current else None
        body = prepared.bodies.get(node.key)
        frame = {"id": node.id, "name": node.name.split("/")[-1], "type": node.type, "apiVersion": node.apiVersion}
        if body is None:
            change = {"changeType": "Deploy" if current else "Create"}
        else:
            try:
                after = dict(engine.check(Ctx(ctx.emu, api_version=node.apiVersion), node.id, body),
                             apiVersion=node.apiVersion)
            except ArmError:
                after = dict(frame, **body)
            found = delta(before, after) if before else []
            change = {"changeType": "Create" if before is None else ("Modify" if found else "NoChange"),
                      "after": after}
            if found:
                change["delta"] = found
        if before is not None:
            change["before"] = before
        out.append({"resourceId": node.id, **change})
    group = "/".join(prepared.context.deployment_id.split("/")[:5])
    keep = set(prepared.plan.by_key)
    for record in ctx.store.under(group):
        if deletable(record) and record.key not in keep:
            out.append({"resourceId": record.id, "changeType": "Delete" if prepared.mode == "Complete" else "Ignore",
                        "before": dict(record.body)})
    if ids_only:
        out = [{"resourceId": c["resourceId"], "changeType": c["changeType"]} for c in out]
    return {"status": "Succeeded", "properties": {"changes": out}}
