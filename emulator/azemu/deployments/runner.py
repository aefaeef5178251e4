"""Deploying a planned template through the ARM engine, as Azure Resource Manager does it.

Every resource is written by `engine.put`, the write path of a direct PUT (the provider's
validation, its own long-running operation, etags, the data plane's listeners), so what a
template makes is what a client would have made. Resources whose dependencies have succeeded
start together; the deployment's operation follows theirs (`OperationManager.follow`) and is
woken when one ends, so nothing polls. A resource that fails is recorded with Azure's status
in the deployment operations; what depends on it never starts; the deployment ends `Failed`
with `DeploymentFailed` and one detail per failed resource once nothing runs any more.
`Complete` mode then deletes the group's other resources. Outputs are evaluated at the end.

All state is in the deployment's record (`internal["deployment"]`) and the operations, both
persisted, so a deployment stopped by an azemu restart goes on when azemu is back.
"""

from __future__ import annotations

from ..arm import engine, registry
from ..arm.context import Ctx, Res
from ..arm.lro import SUCCEEDED
from ..arm.operations import Pending
from ..errors import ArmError
from ..store import Record
from .errors import DEPLOYMENT_FAILED, Deferred, ExpressionError, at
from .plan import Plan, body_of
from .positions import position
from .prepare import Prepared
from .template import Context
from .views import elapsed, new_operation_id, operation_body, status_code

STATE = "deployment"                      # key of the runner's state in the record's internal
OPERATIONS_KEY = "microsoft.resources/deployments/operations"
GROUP_RESOURCE_SKIP = ("microsoft.resources/deployments",)      # Complete mode never deletes these


def begin(ctx: Ctx, res: Res, prepared: Prepared) -> None:
    """Keep what the run needs in the deployment's record (called when the PUT is stored)."""
    context = prepared.context
    res.internal[STATE] = {
        "template": context.template, "values": context.values, "mode": prepared.mode,
        "hash": context.template_hash, "base": context.base_url, "started": ctx.now_iso(),
        "nodes": [dict(n.to_json(), state="Pending", where=at(position(context.raw, n.path)))
                  for n in prepared.plan.nodes],
        "cleanup": None, "begun": False}


def context_of(ctx: Ctx, res: Res) -> tuple[Context, Plan, dict]:
    state = res.internal[STATE]
    context = Context(ctx, res.id, state["template"], mode=state["mode"], template_hash=state["hash"],
                      values=state["values"], base_url=state.get("base"))
    context.plan = Plan.from_json(state["nodes"])
    context.runtime = True
    return context, context.plan, state


def running(res: Res) -> bool:
    return res.provisioning_state in ("Accepted", "Running")


def step(ctx: Ctx, res: Res) -> None:
    """Advance the deployment (its operation is due): start what can start, take in what ended.
    Raises Pending while resources run, ArmError when the deployment failed."""
    context, plan, state = context_of(ctx, res)
    if not state["begun"]:                 # a new run replaces the operations of the previous one
        for record in list(ctx.store.under(res.id)):
            ctx.store.remove(record.id)
        state["begun"] = True
    res.props["provisioningState"] = "Running"
    entries = {n["id"].lower(): n for n in state["nodes"]}
    progress = True
    while progress:
        progress = False
        for entry in state["nodes"]:
            if entry["state"] == "Running" and _ended(ctx, res, entry):
                progress = True
            elif entry["state"] == "Pending":
                deps = [entries[d]["state"] for d in entry["depends"]]
                if any(s in ("Failed", "Skipped") for s in deps):
                    entry["state"] = "Skipped"
                    progress = True
                elif all(s == "Succeeded" for s in deps):
                    _start(ctx, res, context, plan, entry)
                    progress = True
    if any(e["state"] == "Running" for e in state["nodes"]):
        raise Pending()
    failed = [e for e in state["nodes"] if e["state"] == "Failed"]
    if not failed and state["mode"] == "Complete":
        _clean_up(ctx, res, state)
        failed = [e for e in state["cleanup"] if e["state"] == "Failed"]
    _finish(ctx, res, context, state, failed)


def _finish(ctx: Ctx, res: Res, context: Context, state: dict, failed: list[dict]) -> None:
    try:
        _conclude(ctx, res, context, state, failed)
    finally:
        _forget_secrets(context, state)


def _forget_secrets(context: Context, state: dict) -> None:
    """A run that ended keeps no password (securestring parameter) it was given."""
    for name in context.secure_parameters():
        state["values"].pop(name, None)


def _conclude(ctx: Ctx, res: Res, context: Context, state: dict, failed: list[dict]) -> None:
    now = ctx.now_iso()
    props = res.props
    props["timestamp"] = now
    props["duration"] = elapsed(state["started"], now)
    if failed:
        props["error"] = {"code": "DeploymentFailed", "message": DEPLOYMENT_FAILED,
                          "details": [e["detail"] for e in failed]}
        raise ArmError(400, "DeploymentFailed", DEPLOYMENT_FAILED, details=props["error"]["details"])
    if context.section("outputs"):
        entry = _entry(ctx, "EvaluateDeploymentOutput")
        try:
            props["outputs"] = context.outputs()
        except ArmError as err:
            _end(ctx, res, entry, "Failed", err.status, err.error())
            props["error"] = err.error()
            raise
        _end(ctx, res, entry, "Succeeded", 200)
    else:
        props["outputs"] = {}
    props["outputResources"] = [{"id": e["id"]} for e in
                                sorted((e for e in state["nodes"] if e["state"] == "Succeeded"),
                                       key=lambda e: e["id"].lower())]


# --- one resource -------------------------------------------------------------------------

def _entry(ctx: Ctx, operation: str, node: dict | None = None) -> dict:
    entry = node if node is not None else {}
    entry.update(provisioningOperation=operation, operation=new_operation_id(), trackingId=ctx.new_guid(),
                 start=ctx.now_iso(), end=None, statusCode=None, statusMessage=None)
    return entry


def _record(ctx: Ctx, res: Res, entry: dict) -> None:
    """The deployment operation the client lists, stored under the deployment."""
    body = operation_body(res.id, entry, now=ctx.now_iso())
    ctx.store.put(Record(body=body, type_key=OPERATIONS_KEY, created=entry["start"], changed=ctx.now_iso()))


def _end(ctx: Ctx, res: Res, entry: dict, state: str, status: int, error: dict | None = None) -> None:
    entry["state"] = state
    entry["end"] = ctx.now_iso()
    entry["statusCode"] = status_code(status)
    if error is not None:
        entry["detail"] = error
        entry["statusMessage"] = {"status": "Failed", "error": error}
    _record(ctx, res, entry)


def _start(ctx: Ctx, res: Res, context: Context, plan: Plan, entry: dict) -> None:
    node = plan.by_key[entry["id"].lower()]
    _entry(ctx, "Create", entry)
    entry["state"] = "Running"
    try:
        body = body_of(context, node)
    except (ExpressionError, Deferred) as err:
        _end(ctx, res, entry, "Failed", 400, {
            "code": "InvalidTemplate", "target": node.id,
            "message": f"Unable to process template language expressions for resource '{node.id}'"
                       f"{entry.get('where', '')}. '{err}'"})
        return
    except ArmError as err:                 # a variable or parameter the expressions use is invalid
        _end(ctx, res, entry, "Failed", err.status, err.error())
        return
    wctx = Ctx(ctx.emu, api_version=node.apiVersion)
    created = ctx.resolve(node.id) is None
    try:
        _, op = engine.put(wctx, node.id, body)
    except ArmError as err:
        _end(ctx, res, entry, "Failed", err.status, err.error())
        return
    entry["created"] = created
    if op is None:
        _end(ctx, res, entry, "Succeeded", 201 if created else 200)
        return
    entry["op"] = op.id
    _record(ctx, res, entry)
    ctx.emu.ops.follow(op, ctx.operation)


def _ended(ctx: Ctx, res: Res, entry: dict) -> bool:
    """Take in the end of a running resource's (or cleanup delete's) operation, if it ended."""
    op = ctx.emu.ops.get(entry["op"]) if entry.get("op") else None
    if op is not None and not op.done:
        return False
    ok_status = 200 if entry["provisioningOperation"] == "Delete" else (201 if entry.get("created") else 200)
    if op is None or op.status == SUCCEEDED:
        _end(ctx, res, entry, "Succeeded", ok_status)
        return True
    terminal = "Canceled" if op.status == "Canceled" else "Failed"
    _end(ctx, res, entry, "Failed", op.error_status, {
        "code": "ResourceDeploymentFailure", "target": entry["id"],
        "message": f"The resource write operation failed to complete successfully, because it reached terminal "
                   f"provisioning state '{terminal}'.", "details": [op.error] if op.error else []})
    return True


# --- Complete mode ------------------------------------------------------------------------

def _clean_up(ctx: Ctx, res: Res, state: dict) -> None:
    """Delete the group's resources the template does not have (Complete mode), referrers first.
    Resources another one manages (`managedBy`: a VM's OS disk) go with their manager."""
    if state["cleanup"] is None:
        keep = {e["id"].lower() for e in state["nodes"]}
        for entry in state["nodes"]:                  # what nested deployments made is the template's too
            nested = ctx.resolve(entry["id"]) if entry["type"].lower() in GROUP_RESOURCE_SKIP else None
            keep |= {r["id"].lower() for r in (nested.props.get("outputResources") or [])} if nested else set()
        group = "/".join(res.id.split("/")[:5])
        state["cleanup"] = [
            {"id": r.body["id"], "type": r.body.get("type"), "name": r.body.get("name"), "state": "Pending"}
            for r in ctx.store.under(group) if deletable(r) and r.key not in keep]
    pending = {e["id"].lower() for e in state["cleanup"] if e["state"] in ("Pending", "Running")}
    for entry in state["cleanup"]:
        if entry["state"] == "Running":
            _ended(ctx, res, entry)
    for entry in state["cleanup"]:
        if entry["state"] != "Pending":
            continue
        target = ctx.resolve(entry["id"])
        if target is None:
            entry["state"] = "Succeeded"
            continue
        if any(user.id.lower() in pending - {entry["id"].lower()} for user, _ in ctx.referrers(target.id)):
            continue                                   # still used by another resource to delete
        _entry(ctx, "Delete", entry)
        entry["state"] = "Running"
        try:
            op = engine.delete(ctx, target)
        except ArmError as err:
            _end(ctx, res, entry, "Failed", err.status, err.error())
            continue
        if op is None:
            _end(ctx, res, entry, "Succeeded", 200)
        else:
            entry["op"] = op.id
            _record(ctx, res, entry)
            ctx.emu.ops.follow(op, ctx.operation)
    if any(e["state"] in ("Pending", "Running") for e in state["cleanup"]):
        raise Pending()


def deletable(record: Record) -> bool:
    """Whether Complete mode deletes this record of the group (when the template lacks it)."""
    rtype = registry.get(record.type_key)
    return (rtype is not None and rtype.is_top_level and rtype.listed and record.type_key not in GROUP_RESOURCE_SKIP
            and not record.body.get("managedBy"))


def cancel(ctx: Ctx, res: Res) -> None:
    """Stop a running deployment: what runs goes on, nothing new starts (Deployments_Cancel)."""
    op = ctx.emu.ops.get(res.record.op) if res.record.op else None
    if op is not None and not op.done:
        ctx.emu.ops.cancel(op)
    res.record.op = None
    now = ctx.now_iso()
    res.props.update(provisioningState="Canceled", timestamp=now,
                     duration=elapsed(res.internal[STATE]["started"], now))
    context, _, state = context_of(ctx, res)
    _forget_secrets(context, state)

