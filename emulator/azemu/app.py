"""The aiohttp application: routes and the two middlewares (request log, ARM envelope)."""

from __future__ import annotations

import logging
import time
import uuid

from aiohttp import web

from . import dataplane, metadata, testapi
from .arm.handlers import arm_entry
from .emulator import Emulator
from .errors import ArmError
from .identity import aad
from .requestlog import error_of, kind_of

log = logging.getLogger("azemu")


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


def make_app(emu: Emulator) -> web.Application:
    app = web.Application(middlewares=[request_log, arm_envelope], client_max_size=32 * 1024 * 1024)
    app["emu"] = emu
    testapi.add_routes(app)
    dataplane.install(app)
    app.router.add_get("/metadata/endpoints", metadata.endpoints)
    aad.add_routes(app)
    # Everything else is ARM (or not found, answered in ARM's envelope).
    app.router.add_route("*", "/{tail:.*}", arm_entry)
    return app
