"""A VM's power state as azemu keeps it: in the VM's internal state, with the time of each
change, so the data plane can tell whether (and since when) a VM is up."""

from __future__ import annotations

from ...arm.context import Ctx, Res

DISPLAY = {"starting": "VM starting", "running": "VM running", "stopping": "VM stopping",
           "stopped": "VM stopped", "deallocating": "VM deallocating", "deallocated": "VM deallocated"}
IN_TRANSITION = ("starting", "stopping", "deallocating")


def power(res: Res) -> str:
    return res.internal.get("power", {}).get("state", "running")


def set_power(ctx: Ctx, res: Res, state: str) -> None:
    """The power state and when it changed; `booted_at` and `boots` for the data plane."""
    entry = res.internal.setdefault("power", {})
    entry["state"] = state
    entry["since"] = ctx.now_iso()
    if state == "running":
        entry["booted_at"] = entry["since"]
        entry["boots"] = entry.get("boots", 0) + 1
