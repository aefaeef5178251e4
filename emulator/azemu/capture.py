"""What azemu answered, one JSON line per ARM response, for checkers outside the process.

Off by default; `azemu serve --capture-responses PATH` turns it on (tests do, through
`azemu.testing.Azemu`). Each line: `{"method", "path", "query", "status", "headers", "body"}`
with the body parsed when it is JSON (`"body_text"` when it is not). azemu only writes the
file: the checker (`azemu_specs`) reads it in another process, so a bug in a check can never
change an answer. Token, identity, metadata and test API responses are not ARM and are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web

from .requestlog import kind_of


class ResponseCapture:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Appended to: a restarted azemu adds to what it answered before.
        self._file = open(path, "a", encoding="utf-8")

    def add(self, request: web.Request, response: web.StreamResponse) -> None:
        if kind_of(request.path, request.method) != "arm":
            return
        transport = request.transport
        if transport is None or transport.is_closing():
            return     # a connection closed before the answer (a dropped-answer fault): no client got it
        entry: dict[str, Any] = {"method": request.method, "path": request.path, "query": request.query_string,
                                 "status": response.status, "headers": dict(response.headers)}
        raw = getattr(response, "body", None)
        if isinstance(raw, (bytes, bytearray)) and raw.strip():
            try:
                entry["body"] = json.loads(raw)
            except ValueError:
                entry["body_text"] = raw.decode("utf-8", "replace")
        else:
            entry["body"] = None
        self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._file.flush()     # a checker may read while azemu runs; a killed azemu loses nothing

    def close(self) -> None:
        self._file.close()


def middleware(capture: ResponseCapture):
    @web.middleware
    async def capture_responses(request: web.Request, handler):
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            capture.add(request, exc)
            raise
        capture.add(request, response)
        return response
    return capture_responses
