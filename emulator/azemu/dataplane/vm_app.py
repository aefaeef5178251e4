"""The tutorial's web application on one VM: nginx on port 80 (or the ports its cloud-init
configures) in front of a Node.js (Express) app that answers `GET /` with
`Hello World from host <hostname>!`, and `GET /healthz` with `OK` when the app has that route
(cloudlb.azure's does, for HTTP health probes).

It serves on the VM's loopback addresses and behaves as that stack does on the wire:
- HTTP/1.1 keep-alive by default (HTTP/1.0 only when asked), pipelined requests answered in
  order, an idle keep-alive connection closed after 75 s and a connection after 1000 requests
  (nginx's keepalive_timeout and keepalive_requests defaults), a request whose header has not
  arrived within 60 s dropped (client_header_timeout);
- `GET /` and `HEAD /` (and the health route) answer 200, anything else Express's 404 `Cannot GET /path`, a request
  that does not parse nginx's 400, each with nginx's and Express's headers.

Stopping is graceful by default, as when the guest shuts down: the listening sockets close at
once, idle keep-alive connections are closed, a request already begun is answered (with
`Connection: close`) and its connection then closed; whatever is still open after the grace
period is reset. A hard stop (the VM's power cut) resets every connection at once.
"""

from __future__ import annotations

import asyncio
from email.utils import formatdate

from .tcp import reset

KEEPALIVE_TIMEOUT = 75.0
KEEPALIVE_REQUESTS = 1000
CLIENT_HEADER_TIMEOUT = 60.0
MAX_HEADER_BYTES = 32 * 1024       # nginx: large_client_header_buffers 4 8k
SERVER = "nginx/1.24.0 (Ubuntu)"

BAD_REQUEST_PAGE = ("<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"
                    "<center><h1>400 Bad Request</h1></center>\r\n"
                    f"<hr><center>{SERVER}</center>\r\n</body>\r\n</html>\r\n")
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


class HelloApp:
    """The app of one VM. `start` on its addresses, `stop` when the VM stops or reboots."""

    def __init__(self, hostname: str, health_path: str | None = None):
        self.hostname = hostname
        self.health_path = health_path
        self.servers: list[asyncio.AbstractServer] = []
        self.connections: set[_Connection] = set()
        self.stopping = False
        self.requests = 0

    @property
    def greeting(self) -> str:
        return f"Hello World from host {self.hostname}!"

    async def start(self, hosts: list[str], *ports: int) -> None:
        """Listen on every address in `hosts`, on each port; OSError (address in use, ...) leaves none open."""
        loop = asyncio.get_running_loop()
        try:
            for host in hosts:
                for port in ports:
                    self.servers.append(await loop.create_server(lambda: _Connection(self), host, port,
                                                                 reuse_address=True))
        except OSError:
            await self._close_servers()
            raise

    def stop_listening(self) -> None:
        """Close the listening sockets now, so the addresses are free for the next boot."""
        self.stopping = True
        for server in self.servers:
            server.close()

    async def stop(self, *, graceful: bool = True, grace: float = 30.0) -> None:
        self.stop_listening()
        await self._close_servers()
        if graceful:
            for conn in list(self.connections):
                conn.shutdown()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + grace
            while self.connections and loop.time() < deadline:
                await asyncio.sleep(0.02)
        for conn in list(self.connections):
            conn.reset()

    async def _close_servers(self) -> None:
        servers, self.servers = self.servers, []
        for server in servers:
            server.close()
        for server in servers:
            await server.wait_closed()


class _Connection(asyncio.Protocol):
    def __init__(self, app: HelloApp):
        self.app = app
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.served = 0
        self.timer: asyncio.TimerHandle | None = None

    # --- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.app.connections.add(self)
        self._arm(CLIENT_HEADER_TIMEOUT)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._serve()

    def eof_received(self) -> bool:
        return False             # the client is done: close our side too

    def connection_lost(self, exc) -> None:
        self.app.connections.discard(self)
        if self.timer:
            self.timer.cancel()

    # --- stopping -------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Graceful stop: an idle connection closes now, a busy one after its response."""
        if not self.buffer:
            self.transport.close()

    def reset(self) -> None:
        reset(self.transport)

    # --- serving --------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self.transport.is_closing():
            parsed = parse_request(self.buffer)
            if parsed is None:
                if len(self.buffer) > MAX_HEADER_BYTES:
                    self._answer_bad_request()
                break
            if parsed is BAD:
                self._answer_bad_request()
                break
            request, used = parsed
            del self.buffer[:used]
            self.served += 1
            self.app.requests += 1
            keep = request.keep_alive and not self.app.stopping and self.served < KEEPALIVE_REQUESTS
            self.transport.write(self.app_response(request, keep))
            if not keep:
                self.transport.close()
        if not self.transport.is_closing():
            self._arm(KEEPALIVE_TIMEOUT if not self.buffer else CLIENT_HEADER_TIMEOUT)

    def app_response(self, request: "Request", keep: bool) -> bytes:
        path = request.target.split("?", 1)[0]
        if request.method in ("GET", "HEAD") and path == "/":
            status, body = 200, self.app.greeting
            extra = []
        elif request.method in ("GET", "HEAD") and path == self.app.health_path:
            status, body = 200, "OK"
            extra = []
        else:
            status, body = 404, express_not_found(request.method, path)
            extra = ["Content-Security-Policy: default-src 'none'", "X-Content-Type-Options: nosniff"]
        return response(status, body, keep, head=request.method == "HEAD", extra=["X-Powered-By: Express", *extra])

    def _answer_bad_request(self) -> None:
        self.buffer.clear()
        self.transport.write(response(400, BAD_REQUEST_PAGE, False, content_type="text/html"))
        self.transport.close()

    def _arm(self, timeout: float) -> None:
        if self.timer:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(timeout, self.transport.close)


class Request:
    def __init__(self, method: str, target: str, version: str, headers: dict[str, str]):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in self.headers.get("connection", "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


BAD = object()


def parse_request(buffer: bytearray):
    """(Request, bytes used) for the first complete request in `buffer`, None when incomplete,
    BAD when it cannot be a request."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    try:
        head = bytes(buffer[:end]).decode("latin-1")
        lines = head.split("\r\n")
        method, target, version = lines[0].split(" ")
        if version not in ("HTTP/1.0", "HTTP/1.1") or not method.isalpha() or not target.startswith("/"):
            return BAD
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                return BAD
            headers[name.lower()] = value.strip()
        if "transfer-encoding" in headers:
            return BAD            # the app takes no request bodies; only a length is accepted
        length = int(headers.get("content-length", "0"))
    except ValueError:
        return BAD
    if length < 0:
        return BAD
    total = end + 4 + length
    if len(buffer) < total:
        return None
    return Request(method, target, version, headers), total


def express_not_found(method: str, path: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n"
            f"</head>\n<body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n")


def response(status: int, body: str, keep: bool, *, head: bool = False,
             content_type: str = "text/html; charset=utf-8", extra: list[str] = ()) -> bytes:
    data = body.encode()
    lines = [f"HTTP/1.1 {status} {REASONS[status]}", f"Server: {SERVER}",
             f"Date: {formatdate(usegmt=True)}", f"Content-Type: {content_type}",
             f"Content-Length: {len(data)}", f"Connection: {'keep-alive' if keep else 'close'}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else data)
