"""`/_azemu/...`: endpoints for tests and benchmarks, no authentication.

GET  /_azemu/requests?since=N   {"last": SEQ, "requests": [entries with seq > N]}
GET  /_azemu/counters           totals by kind, method, status, resource type
GET  /_azemu/settings           the settings document
PUT  /_azemu/settings           change some settings (partial document); answers the new document
GET  /_azemu/identities         every tenant, subscription and principal (the second tenant too)
GET  /_azemu/state              every stored resource and operation (debugging)
GET  /_azemu/health             {"status": "ok"}, or "degraded" with provider modules that failed
"""

from __future__ import annotations

import json
from dataclasses import asdict

from aiohttp import web


def _emu(request: web.Request):
    return request.app["emu"]


async def requests(request: web.Request) -> web.Response:
    log = _emu(request).log
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        return web.json_response({"error": {"code": "BadRequest", "message": "since must be an integer"}}, status=400)
    return web.json_response({"last": log.seq, "requests": log.since(since)})


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
        return web.json_response({"error": {"code": "InvalidSetting", "message": str(err)}}, status=400)
    emu.ops.schedule()
    return web.json_response(emu.settings.as_dict())


async def identities(request: web.Request) -> web.Response:
    return web.json_response({"tenants": [asdict(t) for t in _emu(request).identities.tenants]})


async def state(request: web.Request) -> web.Response:
    emu = _emu(request)
    return web.json_response({"resources": [r.to_json() for r in emu.store.all()],
                              "operations": [op.to_json() for op in emu.ops.ops.values()]})


async def health(request: web.Request) -> web.Response:
    from .arm import registry
    if registry.load_errors:
        return web.json_response({"status": "degraded", "provider_errors": registry.load_errors})
    return web.json_response({"status": "ok"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/_azemu/requests", requests)
    app.router.add_get("/_azemu/counters", counters)
    app.router.add_get("/_azemu/settings", get_settings)
    app.router.add_put("/_azemu/settings", put_settings)
    app.router.add_get("/_azemu/identities", identities)
    app.router.add_get("/_azemu/state", state)
    app.router.add_get("/_azemu/health", health)
