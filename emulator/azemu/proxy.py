"""Proxy mode: an HTTPS CONNECT proxy that makes azemu public Azure, for clients that know no
other cloud (`azemu serve --proxy-port N`):

    HTTPS_PROXY=http://127.0.0.1:N REQUESTS_CA_BUNDLE=DIR/ca.pem  <any Azure client, unmodified>

A client asks `CONNECT management.azure.com:443` (or a login or document host:
`hosts.TUNNELED_HOSTS`); the proxy answers `200 Connection established` and is itself the far
end of the tunnel: it terminates TLS on that connection with a certificate for the requested
host, issued by azemu's CA (one per host, made on first use), and hands the decrypted
connection to azemu's own aiohttp server (`runner.server`, the protocol factory the direct
listener uses): the same application, middlewares and request log. The request's Host header
tells the application which name the client addressed, so the URLs it answers name
management.azure.com (`hosts.addressed`).

Why in the process rather than relaying bytes to azemu's HTTPS listener: one TLS termination,
no second socket per connection, the direct listener keeps its certificate and configuration,
and the proxy never opens a connection of its own: there is no code path by which a request
could leave the machine. CONNECT to any other host or port gets 403, any other request
(plain-HTTP proxying) 405, each logged with its reason.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Callable
from urllib.parse import urlsplit

from . import tls
from .hosts import TUNNELED_HOSTS

log = logging.getLogger("azemu.proxy")

PORT = 443
MAX_HEAD = 16384          # bytes of CONNECT request head accepted
HEAD_TIMEOUT = 30.0       # seconds a client may take to send its CONNECT request
HANDSHAKE_TIMEOUT = 10.0
ALLOWED = ", ".join(sorted(TUNNELED_HOSTS))


class Refused(Exception):
    def __init__(self, status: int, reason: str, headers: str = ""):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers


def tunnel_host(method: str, target: str) -> str:
    """The public host a request may tunnel to (lower case), or Refused saying why not."""
    if method != "CONNECT":
        raise Refused(405, f"{method} {target}: azemu's proxy only tunnels CONNECT to {ALLOWED} on port {PORT}",
                      "Allow: CONNECT\r\n")
    try:
        parts = urlsplit(f"//{target}")
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise Refused(400, f"CONNECT {target}: not host:port") from None
    if host not in TUNNELED_HOSTS or port != PORT:
        raise Refused(403, f"CONNECT {target}: azemu answers only for {ALLOWED} on port {PORT}; "
                           "nothing leaves this machine")
    return host


class Proxy:
    """The listening proxy: `await Proxy.start(runner.server, ca, host, port)`, then `close()`."""

    def __init__(self, http_protocol: Callable[[], asyncio.Protocol], ca, host: str):
        self.http_protocol = http_protocol
        self.ca = ca
        self.host = host
        self.contexts: dict[str, ssl.SSLContext] = {}
        self.pending: set[asyncio.BaseTransport] = set()    # connections not yet handed over
        self.listener: asyncio.Server | None = None
        self.port = 0

    @classmethod
    async def start(cls, http_protocol: Callable[[], asyncio.Protocol], ca, host: str, port: int) -> "Proxy":
        proxy = cls(http_protocol, ca, host)
        loop = asyncio.get_running_loop()
        proxy.listener = await loop.create_server(lambda: _Tunnel(proxy), host, port, reuse_address=True)
        proxy.port = proxy.listener.sockets[0].getsockname()[1]
        return proxy

    def context(self, host: str) -> ssl.SSLContext:
        if host not in self.contexts:
            self.contexts[host] = tls.context_for(self.ca, host)
        return self.contexts[host]

    def close(self) -> None:
        """Stop listening and drop tunnels not yet handed over; the HTTP server closes the rest."""
        if self.listener is not None:
            self.listener.close()
        for transport in list(self.pending):
            transport.close()


class _Tunnel(asyncio.Protocol):
    """One client connection: its CONNECT request, then TLS, then azemu's HTTP protocol."""

    def __init__(self, proxy: Proxy):
        self.proxy = proxy
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.upgrading = False
        self.early: list[bytes] = []      # decrypted bytes that arrive with the end of the handshake
        self.eof = False
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport       # type: ignore[assignment]
        self.proxy.pending.add(transport)
        self.timer = asyncio.get_running_loop().call_later(HEAD_TIMEOUT, transport.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self.proxy.pending.discard(self.transport)
        if self.timer:
            self.timer.cancel()

    def eof_received(self) -> bool:
        self.eof = True
        return False

    def data_received(self, data: bytes) -> None:
        if self.upgrading:     # TLS is up: the client's first request, before the handover
            self.early.append(data)
            return
        self.head += data
        head, sep, rest = self.head.partition(b"\r\n\r\n")
        if not sep:
            if len(self.head) > MAX_HEAD:
                self.refuse(Refused(431, "request head too large"))
            return
        self.timer.cancel()
        method, target = (head.split(b"\r\n", 1)[0].decode("latin-1").split(" ") + ["", ""])[:2]
        try:
            host = tunnel_host(method, target)
            if rest:
                raise Refused(400, f"CONNECT {target}: data sent before the tunnel was established")
        except Refused as refusal:
            self.refuse(refusal)
            return
        log.debug("tunnel to %s for %s", host, self.transport.get_extra_info("peername"))
        self.upgrading = True
        self.transport.pause_reading()     # the client's TLS bytes are for start_tls, not for us
        self.transport.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        asyncio.get_running_loop().create_task(self.hand_over(host))

    def refuse(self, refusal: Refused) -> None:
        log.warning("proxy refused a request from %s: %s", self.transport.get_extra_info("peername"), refusal.reason)
        body = f"azemu proxy: {refusal.reason}\n".encode()
        phrase = {400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed",
                  431: "Request Header Fields Too Large"}[refusal.status]
        self.transport.write(
            f"HTTP/1.1 {refusal.status} {phrase}\r\n{refusal.headers}Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        self.transport.close()

    async def hand_over(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            secure = await loop.start_tls(self.transport, self, self.proxy.context(host), server_side=True,
                                          ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        except (OSError, ssl.SSLError, asyncio.TimeoutError) as err:
            log.info("proxy: TLS handshake for %s failed: %r", host, err)
            self.transport.close()
            return
        finally:
            self.proxy.pending.discard(self.transport)
        if secure is None or secure.is_closing():
            return
        http = self.proxy.http_protocol()
        secure.set_protocol(http)
        http.connection_made(secure)
        for chunk in self.early:
            http.data_received(chunk)
        if self.eof:
            http.eof_received()
