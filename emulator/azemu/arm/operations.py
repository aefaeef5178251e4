"""Running long-running operations: start, complete when due, supersede, survive restarts.

An operation is due `settings.latency` seconds after it starts. It completes at the first
moment azemu looks after that: a timer, or the start of any ARM request (so with latency 0
the first poll always sees it done). Completion of each kind is a registered function, so
providers with their own kinds (resource group delete) plug in the same way.

An operation can wait for others (a template deployment for its resources): its completion
raises `Pending` and it sleeps (`due` None) until an operation it `follow`s ends, which makes
it due again, so its completion runs once more and looks at what its children did.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Callable

from ..errors import ArmError
from . import registry
from .context import Ctx, Res
from .lro import CANCELED, CANCELED_ERROR, FAILED, IN_PROGRESS, LRO_FAULT, STYLES, SUCCEEDED, LroStyle, Operation

if TYPE_CHECKING:
    from ..emulator import Emulator

log = logging.getLogger("azemu.operations")
KEEP_DONE = 2000      # finished operations kept so late polls still get an answer


class Pending(Exception):
    """Raised by a completion (a type's `on_provisioned`) that is not finished yet: the operation
    stays InProgress until an operation it follows ends."""


class OperationManager:
    def __init__(self, emu: "Emulator"):
        self.emu = emu
        self.ops: dict[str, Operation] = {k: Operation.from_json(v) for k, v in emu.store.operations.items()}
        from .groups import complete_group_delete
        self.completers: dict[str, Callable[[Ctx, Operation], None]] = {
            "put": complete_put, "delete": complete_delete, "action": complete_action,
            "rg-delete": complete_group_delete}
        self._timer: asyncio.TimerHandle | None = None

    def get(self, op_id: str) -> Operation | None:
        return self.ops.get(op_id)

    @staticmethod
    def style(op: Operation) -> LroStyle:
        return STYLES[op.style]

    def start(self, ctx: Ctx, *, kind: str, target: Res | None = None, rtype=None, style: LroStyle | None = None,
              target_id: str | None = None, location: str | None = None, action: str | None = None,
              state=None) -> Operation:
        rtype = rtype or (target.rtype if target else None)
        style = style or rtype.lro
        op = Operation(
            id=style.new_id(),
            subscription=(target_id or target.id).split("/")[2],
            provider=rtype.provider if rtype else "Microsoft.Resources",
            location=(location or (target.location if target else None) or "global"),
            style=style.name, kind=kind, target=target_id or target.id,
            type_key=rtype.key if rtype else "", api_version=ctx.api_version or "2020-01-01",
            due=time.time() + (rtype.operation_seconds(ctx, kind, target, action) if rtype else ctx.settings.latency),
            start=ctx.now_iso(), action=action, state=state)
        fault = ctx.request.get(LRO_FAULT) if ctx.request is not None else None
        if fault is not None and not fault.taken:     # the first operation the request starts
            fault.taken, op.fault = True, fault.outcome
        self.ops[op.id] = op
        self._sync()
        self.schedule()
        return op

    def supersede(self, op_id: str) -> None:
        """A newer write replaces a running one: the old operation ends Canceled, as in Azure."""
        op = self.ops.get(op_id)
        if op is None or op.done:
            return
        self.cancel(op, {**CANCELED_ERROR, "details": [{
            "code": "CanceledAndSupersededDueToAnotherOperation",
            "message": f"Operation {op.id} was canceled and superseded by another operation on the resource."}]})

    def cancel(self, op: Operation, error: dict | None = None) -> None:
        """End a running operation Canceled (its target is left as it is)."""
        op.status = CANCELED
        op.error_status = 409
        op.end = Ctx.now_iso()
        op.error = error
        self._wake(op)
        self._sync()

    def follow(self, child: Operation, parent: Operation) -> None:
        """`parent` waits for `child`: when `child` ends, `parent` is due again."""
        child.parent = parent.id
        if child.done:
            self._wake(child)
        self._sync()

    def _wake(self, op: Operation) -> None:
        parent = self.ops.get(op.parent) if op.parent else None
        if parent is not None and not parent.done:
            parent.due = time.time()

    def settle(self) -> None:
        """Complete every operation that is due, and those their completions make due (a
        deployment woken by its resources), until none is."""
        finished = False
        while True:
            now = time.time()
            due = sorted((op for op in self.ops.values() if not op.done and op.due is not None and op.due <= now),
                         key=lambda o: o.due)
            if not due:
                break
            for op in due:
                if not op.done and op.due is not None:     # not superseded or put to sleep meanwhile
                    self.finish(op)
            finished = True
        if finished:
            self._sync()
            self.emu.save()
        self.schedule()

    def finish(self, op: Operation) -> None:
        ctx = Ctx(self.emu, api_version=op.api_version)
        ctx.operation = op
        op.status = SUCCEEDED
        if op.fault:
            fail_injected(ctx, op, self.completers[op.kind])
            op.end = ctx.now_iso()
            self._wake(op)
            return
        try:
            self.completers[op.kind](ctx, op)
        except Pending:
            op.status = IN_PROGRESS
            op.due = None
            return
        except ArmError as err:
            op.status = FAILED
            op.error = err.error()
            op.error_status = err.status
        except Exception as err:   # a bug in a type must not wedge the operation forever
            log.exception("operation %s (%s) failed", op.id, op.kind)
            op.status = FAILED
            op.error = {"code": "InternalServerError", "message": f"An internal error occurred: {err}"}
            op.error_status = 500
        op.end = ctx.now_iso()
        self._wake(op)

    def schedule(self) -> None:
        """Arm one timer for the earliest pending operation (when an event loop runs)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        pending = [op.due for op in self.ops.values() if not op.done and op.due is not None]
        if self._timer:
            self._timer.cancel()
            self._timer = None
        if pending:
            self._timer = loop.call_later(max(0.0, min(pending) - time.time()), self.settle)

    def _sync(self) -> None:
        done = [op for op in self.ops.values() if op.done]
        for op in done[:-KEEP_DONE] if len(done) > KEEP_DONE else []:
            del self.ops[op.id]
        self.emu.store.operations = {k: v.to_json() for k, v in self.ops.items()}


def _target(ctx: Ctx, op: Operation) -> Res | None:
    rtype = registry.get(op.type_key)
    record = ctx.store.get(op.target)
    if rtype is None or record is None:
        return ctx.resolve(op.target)
    return Res(rtype, record.body, record)


def complete_put(ctx: Ctx, op: Operation) -> None:
    from .engine import descendants, new_etag, set_state
    res = _target(ctx, op)
    if res is None or res.record is None or res.record.op != op.id:
        return
    try:
        for r in descendants(res):
            r.rtype.on_provisioned(ctx, r)
    except ArmError:
        res.record.op = None
        set_state(res, "Failed", new_etag())
        raise
    res.record.op = None
    set_state(res, "Succeeded", new_etag())
    ctx.emu.publish("provisioned", ctx, res)


def complete_delete(ctx: Ctx, op: Operation) -> None:
    from .engine import remove
    record = ctx.store.get(op.target)
    if record is None or record.op != op.id:
        return
    record.op = None
    remove(ctx, op.target)


def complete_action(ctx: Ctx, op: Operation) -> None:
    res = ctx.resolve(op.target)
    rtype = res.rtype if res else registry.get(op.type_key)
    spec = rtype.actions.get(op.action) if rtype else None
    if spec is None or (res is None and spec.requires_resource):
        raise ArmError(404, "NotFound", f"Resource {op.target} not found.")
    ctx.target_id = op.target
    if spec.finish is not None:
        op.result = spec.finish(rtype, ctx, res, op.state)
    if res is not None:
        ctx.emu.publish("action", ctx, res)


def fail_injected(ctx: Ctx, op: Operation, complete: Callable[[Ctx, Operation], None]) -> None:
    """End an operation with its injected outcome. A write or delete leaves the resource in
    place, `Failed`, as a provider that failed half-way does (a resource group being deleted
    is kept whole); an action has taken effect first, so that nothing stays half-done (a VM
    stuck `stopping`)."""
    from .engine import new_etag, set_state
    if op.kind == "action":
        try:
            complete(ctx, op)
        except ArmError:
            pass
    record = ctx.store.get(op.target)
    if op.kind != "action" and record is not None and record.op == op.id:
        record.op = None
        if op.kind == "rg-delete":
            record.body["properties"]["provisioningState"] = SUCCEEDED
        else:
            set_state(_target(ctx, op), FAILED, new_etag())
    op.status = op.fault
    op.error = dict(CANCELED_ERROR if op.fault == CANCELED else STYLES[op.style].failure)
    op.error_status = 409 if op.fault == CANCELED else 500
