"""Small HTTP helpers shared by the ARM handlers: JSON bodies, responses, operation headers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import json5
from aiohttp import web

from ..errors import ArmError

if TYPE_CHECKING:
    from ..emulator import Emulator
    from .context import Ctx
    from .lro import Operation


BODY_KEY = "azemu_body"      # the raw body, read by handlers.arm_entry before anything else


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


def retry_after(emu: "Emulator") -> str:
    # Always an integer >= 1: azure-core waits its 30 s default when the header is missing,
    # and sleeps exactly this many seconds between polls otherwise.
    return str(max(1, int(emu.settings.retry_after)))


def operation_headers(ctx: "Ctx", op: "Operation", names: tuple[str, ...], *, running: bool = True
                      ) -> dict[str, str]:
    """The operation's URL headers, built at response time from the name the client addressed
    (operations are stored without one, so either route polls the same operation)."""
    style = ctx.emu.ops.style(op)
    headers = {name: style.header_url(name, ctx.url, op) for name in names}
    if running:
        headers["Retry-After"] = retry_after(ctx.emu)
    return headers
