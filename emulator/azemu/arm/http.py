"""Small HTTP helpers shared by the ARM handlers: JSON bodies, responses, operation headers and
the answer of an operation's result URL."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import json5
from aiohttp import web

from ..errors import ArmError
from . import latency
from .context import BODY_KEY, Ctx
from .lro import SUCCEEDED

if TYPE_CHECKING:
    from ..emulator import Emulator
    from .lro import Operation


def json_body(request: web.Request, *, required: bool = True) -> Any:
    raw = request[BODY_KEY]
    if not raw.strip():
        if required:
            raise ArmError.invalid_content("the request body is empty")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        strict_error = err
    # ARM reads bodies as Newtonsoft's JsonTextReader does: comments, unquoted property names,
    # single quotes, trailing commas. az sends templates so (azure-cli's JsonCTemplatePolicy
    # splices the template file, comments and all, after an unquoted `template:`).
    try:
        return json5.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ArmError.invalid_content(str(strict_error)) from None


def respond(body: Any = None, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    if body is None:
        return web.Response(status=status, headers=headers)
    return web.json_response(body, status=status, headers=headers)


def retry_after(emu: "Emulator", op: "Operation", *, poll: bool) -> str:
    # Always an integer >= 1: azure-core waits its 30 s default when the header is missing,
    # and sleeps exactly this many seconds between polls otherwise. The value: `retry_after`,
    # or the latency profile's for this provider and operation (latency.py).
    return str(latency.retry_after(emu.settings, op, poll=poll))


def operation_headers(ctx: "Ctx", op: "Operation", names: tuple[str, ...], *, running: bool = True,
                      poll: bool = False) -> dict[str, str]:
    """The operation's URL headers, built at response time from the name the client addressed
    (operations are stored without one, so either route polls the same operation). `poll`:
    the answer to a poll of its Location URL, not to the write that started it."""
    style = ctx.emu.ops.style(op)
    headers = {name: style.header_url(name, ctx.url, op) for name in names}
    if running:
        headers["Retry-After"] = retry_after(ctx.emu, op, poll=poll)
    return headers


def operation_result(ctx: "Ctx", op: "Operation") -> web.Response:
    """The answer to a poll of an operation's result (Location) URL: 202 while it runs, then
    its result, its error or its style's empty done status."""
    emu = ctx.emu
    style = emu.ops.style(op)
    if not op.done:
        return web.Response(status=202, headers=operation_headers(ctx, op, style.result_headers, poll=True))
    headers = operation_headers(ctx, op, style.result_headers, running=False)
    if op.status != SUCCEEDED:
        return respond({"error": op.error}, op.error_status, headers)
    if op.result is not None:
        return respond(op.result, 200, headers)
    return web.Response(status=style.done_status, headers=headers, content_type="application/json")
