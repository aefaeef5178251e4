"""The aiohttp application: routes and the middlewares (doubled slashes, request log, document
hosts, response capture when asked, ARM envelope, faults)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web
from yarl import URL

from . import dataplane, documents, faults, metadata, testapi
from .arm import registry
from .capture import ResponseCapture, middleware as capture_middleware
from .arm.handlers import arm_entry
from .emulator import Emulator
from .errors import ArmError
from .identity import aad
from .requestlog import error_of, kind_of

log = logging.getLogger("azemu")
SLASHES = re.compile(r"/{2,}")
MERGED = "azemu_slashes_merged"


@web.middleware
async def merge_slashes(request: web.Request, handler):
    """ARM serves a path with doubled slashes as the path with single ones, without a redirect:
    az asks for `//metadata/endpoints` when `--endpoint-resource-manager` ends in `/`
    (Azure/azure-cli#30682's testing guide does), Microsoft's docs use
    `armclient post https://management.azure.com//subscriptions/.../register` and
    `DELETE https://management.azure.com//Subscriptions/...`. The path is merged before any
    other middleware reads it; `dispatch` then routes it."""
    raw = request.rel_url.raw_path
    if "//" not in raw:
        return await handler(request)
    merged = request.clone(rel_url=URL.build(path=SLASHES.sub("/", raw),
                                             query_string=request.rel_url.raw_query_string, encoded=True))
    merged[MERGED] = True
    return await handler(merged)


async def dispatch(request: web.Request) -> web.StreamResponse:
    """The catch-all route: a path whose slashes were merged goes to the route it now names;
    everything else is ARM (or not found, answered in ARM's envelope)."""
    if request.get(MERGED):
        match = await request.app.router.resolve(request)
        if match.http_exception is None and match.handler is not dispatch:
            request.match_info.clear()
            request.match_info.update(match)
            return await match.handler(request)
    return await arm_entry(request)


@web.middleware
async def request_log(request: web.Request, handler):
    if request.path.startswith("/_azemu/"):
        return await handler(request)
    started = time.monotonic()
    status, body = 500, None
    try:
        response = await handler(request)
        status, body = response.status, getattr(response, "body", None)
        return response
    except web.HTTPException as exc:
        status, body = exc.status, exc.body
        raise
    finally:
        request.app["emu"].log.add(
            method=request.method, path=request.path, query=request.query_string, status=status,
            duration=time.monotonic() - started, resource_type=request.get("azemu_type"),
            read_only=request.get("azemu_read_only", False), user_agent=request.headers.get("User-Agent", ""),
            host=request.headers.get("Host", ""), fault=request.get(faults.FAULT_KEY),
            error=error_of(status, body if isinstance(body, bytes) else None))


@web.middleware
async def arm_envelope(request: web.Request, handler):
    """ARM answers every error as {"error": {"code", "message"}} and tags every response with
    request ids; identity endpoints keep their own (AAD) error shape."""
    if kind_of(request.path, request.method) in ("token", "identity"):
        return await handler(request)
    try:
        response = await handler(request)
    except ArmError as err:
        response = web.json_response(err.body(), status=err.status, headers=err.headers)
    except web.HTTPException:
        raise
    except Exception as err:   # report bugs as Azure reports its own: a 500 with the envelope
        log.exception("internal error on %s %s", request.method, request.path)
        response = web.json_response(
            {"error": {"code": "InternalServerError", "message": f"azemu internal error: {err!r}"}}, status=500)
    request_id = str(uuid.uuid4())
    response.headers.setdefault("Cache-Control", "no-cache")
    response.headers.setdefault("Pragma", "no-cache")
    response.headers.setdefault("Expires", "-1")
    response.headers["x-ms-request-id"] = request_id
    response.headers["x-ms-correlation-request-id"] = request.headers.get("x-ms-correlation-request-id", request_id)
    if "x-ms-client-request-id" in request.headers:
        response.headers["x-ms-client-request-id"] = request.headers["x-ms-client-request-id"]
    return response


def make_app(emu: Emulator, capture: ResponseCapture | None = None) -> web.Application:
    # The capture sits outside the envelope, so it records the answer as the client gets it;
    # faults sit inside it, so an injected error has ARM's envelope. A document host's answers
    # are neither ARM's nor captured.
    middlewares = [merge_slashes, request_log, documents.middleware(documents.at_public_hosts()),
                   *([capture_middleware(capture)] if capture else []), arm_envelope, faults.inject]
    app = web.Application(middlewares=middlewares, client_max_size=32 * 1024 * 1024)
    app["emu"] = emu
    testapi.add_routes(app)
    dataplane.install(app)
    app.router.add_get("/metadata/endpoints", metadata.endpoints)
    for path, document in registry.documents().items():
        app.router.add_get(path, documents.own_route(document))
    aad.add_routes(app)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
