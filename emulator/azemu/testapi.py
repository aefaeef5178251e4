"""`/_azemu/...`: endpoints for tests and benchmarks.

GET  /_azemu/requests?since=N[&log=ID]   {"last": SEQ, "log": ID, "requests": [entries with seq > N]}
GET  /_azemu/counters           totals by kind, method, status, resource type
GET  /_azemu/settings           the settings document
PUT  /_azemu/settings           change some settings (partial document); answers the new document
GET  /_azemu/faults             the fault rules and what each injected; PUT replaces them (faults.py)
GET  /_azemu/identities         every tenant, subscription and principal, without secrets
GET  /_azemu/state              every stored resource and operation (debugging), without secrets
GET  /_azemu/health             {"status": "ok"}, or "degraded" with provider modules that failed

They change azemu's behaviour and show what clients stored, so they need a credential of their
own, `Authorization: Bearer <DIR/testapi-token>` (no Azure identity opens them), and they
never answer a secret. Only `/_azemu/health` (a status word and import errors) and the data
plane's `/_azemu/dataplane` (addresses and counts; the rolling_maintenance role reads it
knowing only the ARM URL) are open: they reveal nothing a client could misuse.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict
from typing import Any, Awaitable, Callable

from aiohttp import web

from .arm import registry
from .identity.identities import TEST_API_TOKEN_FILE
from .requestlog import MarkError

Handler = Callable[[web.Request], Awaitable[web.Response]]
REDACTED = "<redacted>"
# Values a client sent as secrets, kept in a resource's internal state (VM custom data and
# what cloud-init received of it, run-command scripts), and the principals' secrets.
SECRET_KEYS = frozenset({"client_secret", "custom_data", "user_data", "script", "adminPassword", "customData"})
# What an operation carries of its request and answer (an action's input, a run command's output).
OPERATION_PAYLOAD = ("state", "result", "status_extra")


def _emu(request: web.Request):
    return request.app["emu"]


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


def authenticated(handler: Handler) -> Handler:
    async def check(request: web.Request) -> web.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expected = _emu(request).test_api_token
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
            return _error(401, "Unauthorized", f"azemu's test API needs 'Authorization: Bearer <token>' with the "
                          f"token in {TEST_API_TOKEN_FILE} of azemu's state dir",
                          {"WWW-Authenticate": 'Bearer realm="azemu test API"'})
        return await handler(request)
    return check


def redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if k in SECRET_KEYS and v is not None else redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


async def requests(request: web.Request) -> web.Response:
    log = _emu(request).log
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        return _error(400, "BadRequest", "since must be an integer")
    try:
        entries = log.since(since, request.query.get("log"))
    except MarkError as err:
        return _error(400, "InvalidMark", str(err))
    return web.json_response({"last": log.seq, "log": log.id, "requests": entries})


async def counters(request: web.Request) -> web.Response:
    return web.json_response(_emu(request).log.counters_doc())


async def get_settings(request: web.Request) -> web.Response:
    return web.json_response(_emu(request).settings.as_dict())


async def put_settings(request: web.Request) -> web.Response:
    emu = _emu(request)
    try:
        changes = json.loads(await request.read() or b"{}")
        if not isinstance(changes, dict):
            raise ValueError("the settings document must be a JSON object")
        emu.settings.update(changes)
    except ValueError as err:
        return _error(400, "InvalidSetting", str(err))
    emu.ops.schedule()
    return web.json_response(emu.settings.as_dict())


async def get_faults(request: web.Request) -> web.Response:
    return web.json_response(_emu(request).faults.to_json())


async def put_faults(request: web.Request) -> web.Response:
    faults = _emu(request).faults
    try:
        faults.configure(json.loads(await request.read() or b"{}"))
    except ValueError as err:
        return _error(400, "InvalidFaults", str(err))
    return web.json_response(faults.to_json())


async def identities(request: web.Request) -> web.Response:
    tenants = [{k: v for k, v in asdict(t).items() if k != "client_secret"} for t in _emu(request).identities.tenants]
    return web.json_response({"tenants": tenants})


async def state(request: web.Request) -> web.Response:
    emu = _emu(request)
    operations = [{k: v for k, v in op.to_json().items() if k not in OPERATION_PAYLOAD} for op in emu.ops.ops.values()]
    return web.json_response({"resources": [redacted(r.to_json()) for r in emu.store.all()],
                              "operations": operations})


async def health(request: web.Request) -> web.Response:
    if registry.load_errors:
        return web.json_response({"status": "degraded", "provider_errors": registry.load_errors})
    return web.json_response({"status": "ok"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/_azemu/requests", authenticated(requests))
    app.router.add_get("/_azemu/counters", authenticated(counters))
    app.router.add_get("/_azemu/settings", authenticated(get_settings))
    app.router.add_put("/_azemu/settings", authenticated(put_settings))
    app.router.add_get("/_azemu/faults", authenticated(get_faults))
    app.router.add_put("/_azemu/faults", authenticated(put_faults))
    app.router.add_get("/_azemu/identities", authenticated(identities))
    app.router.add_get("/_azemu/state", authenticated(state))
    app.router.add_get("/_azemu/health", health)
