"""A load balancer frontend: a TCP listener on a public IP's loopback address and a rule's
frontend port. Each new connection asks the engine for a backend (hash of the flow among
the backends that take new flows, then the backend's NSGs), is connected to it and relayed
both ways until either side closes; the flow stays on that backend whatever happens to the
pool or the probes afterwards, unless the engine resets it.

Azure's load balancer drops the packets of a flow it cannot deliver (no backend up, or an NSG
denies it): it never answers a SYN with a reset, the client's connect times out, and a later
retransmission of the SYN gets through once a backend is there again. azemu does the same on
loopback, without privileges, with the kernel's accept queue:
- when the engine says no new flow can get through (`admit(False)`), the frontend stops
  accepting, shrinks its listen backlog to 0 and fills the one place left with a connection of
  its own (the plug). The kernel drops every SYN that meets a full accept queue, silently, so
  clients see exactly Azure's timeout; established flows are other sockets and carry on.
- `admit(True)` restores the backlog and accepts again (closing the plug); the clients'
  retransmitted SYNs then complete as usual.
- a connection the kernel completed before the engine could say no (it arrived just before
  the frontend closed, or only some flows are denied, by a source-specific NSG rule or the
  backend the hash picked) is accepted already: azemu holds it without a byte, a FIN or a reset
  (what a client of a dropped flow sees after its handshake), until the client gives up.
A backend that refuses the connection is passed on as the reset its guest would send.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from typing import Callable

from .tcp import relay, reset

log = logging.getLogger("azemu.dataplane")
BACKEND_CONNECT_TIMEOUT = 5.0
BACKLOG = 512
ACCEPT_RETRY_SECONDS = 1.0
HOLD_SECONDS = 300.0       # a dropped flow is let go (reset) after this, should its client never close


@dataclass(frozen=True)
class Route:
    """Where a new flow goes: the backend's address on this machine and who it is."""
    host: str
    port: int
    backend: str         # lower-case NIC ip configuration id
    rule: str            # lower-case rule id


class Flow:
    """One client connection relayed to one backend."""

    def __init__(self, route: Route, client: asyncio.StreamWriter, server: asyncio.StreamWriter):
        self.route = route
        self.client = client
        self.server = server

    def reset(self) -> None:
        reset(self.client.transport)
        reset(self.server.transport)


class Frontend:
    def __init__(self, address: str, port: int, bind_port: int,
                 router: Callable[[str, int, str, int], Route | None], flows: set[Flow]):
        self.address = address
        self.port = port              # the frontend port, as the rule says
        self.bind_port = bind_port    # the port listened on (differs when unprivileged)
        self.router = router
        self.flows = flows
        self.mine: set[Flow] = set()
        self.held: set[asyncio.StreamWriter] = set()
        self.open = True              # takes new connections
        self.sock: socket.socket | None = None
        self._plugs: dict[tuple[str, int], socket.socket] = {}
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setblocking(False)
            sock.bind((self.address, self.bind_port))
            sock.listen(BACKLOG)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        asyncio.get_running_loop().add_reader(sock, self._accept_ready)

    def admit(self, new_flows: bool) -> None:
        """Take new connections or drop their SYNs (see the module docstring)."""
        if self.sock is None or new_flows == self.open:
            return
        self.open = new_flows
        log.info("frontend %s:%s %s", self.address, self.port,
                 "takes new connections" if new_flows else "drops new connections' SYNs")
        loop = asyncio.get_running_loop()
        if new_flows:
            self.sock.listen(BACKLOG)
            loop.add_reader(self.sock, self._accept_ready)
            self._accept_ready()
            for plug in self._plugs.values():     # one that never got in: no longer needed
                plug.close()
            self._plugs.clear()
            return
        loop.remove_reader(self.sock)
        self.sock.listen(0)
        self._accept_ready()                     # what the kernel completed already: held
        plug = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            plug.setblocking(False)
            plug.bind((self.address, 0))
            try:
                plug.connect((self.address, self.bind_port))
            except BlockingIOError:
                pass
            self._plugs[plug.getsockname()] = plug
        except OSError as err:                   # one client may get in, and is held
            plug.close()
            log.warning("frontend %s:%s: cannot fill its accept queue: %s", self.address, self.port, err)

    async def stop(self) -> None:
        """The frontend is gone: stop listening and reset its flows."""
        if self.sock is not None:
            asyncio.get_running_loop().remove_reader(self.sock)
            self.sock.close()
            self.sock = None
        for plug in self._plugs.values():
            plug.close()
        self._plugs.clear()
        for flow in list(self.mine):
            flow.reset()
        for writer in list(self.held):
            reset(writer.transport)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _accept_ready(self) -> None:
        while self.sock is not None:
            try:
                conn, peer = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:          # the client gave up while queued
                continue
            except OSError as err:                  # out of file descriptors: pause, as asyncio's servers do
                log.warning("frontend %s:%s: accept failed: %s", self.address, self.port, err)
                loop = asyncio.get_running_loop()
                loop.remove_reader(self.sock)
                loop.call_later(ACCEPT_RETRY_SECONDS, self._resume_accepting)
                return
            plug = self._plugs.pop(peer, None)
            if plug is not None:
                conn.close()
                plug.close()
                continue
            conn.setblocking(False)
            task = asyncio.get_running_loop().create_task(self._accept(conn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _resume_accepting(self) -> None:
        if self.sock is not None and self.open:
            asyncio.get_running_loop().add_reader(self.sock, self._accept_ready)

    async def _accept(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(lambda: protocol, conn)
        except OSError:
            conn.close()
            return
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        try:
            await self._serve(reader, writer)
        except Exception:       # a bug here must not leave the client hanging
            log.exception("frontend %s:%s failed a connection", self.address, self.port)
            reset(writer.transport)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        route = self.router(self.address, self.port, peer[0], peer[1]) if self.open else None
        if route is None:
            await self._hold(reader, writer)
            return
        try:
            async with asyncio.timeout(BACKEND_CONNECT_TIMEOUT):
                up_reader, up_writer = await asyncio.open_connection(route.host, route.port)
        except TimeoutError:
            await self._hold(reader, writer)
            return
        except OSError:
            reset(writer.transport)
            return
        flow = Flow(route, writer, up_writer)
        self.flows.add(flow)
        self.mine.add(flow)
        loop = asyncio.get_running_loop()
        directions = [loop.create_task(relay(reader, up_writer)), loop.create_task(relay(up_reader, writer))]
        try:
            for done in asyncio.as_completed(directions):
                try:
                    await done
                except (ConnectionError, OSError):
                    flow.reset()       # a reset on one side is passed on to the other
        finally:
            for task in directions:
                task.cancel()
            self.flows.discard(flow)
            self.mine.discard(flow)
            writer.close()
            up_writer.close()

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A dropped flow the kernel had accepted: answer nothing until the client closes."""
        self.held.add(writer)
        try:
            async with asyncio.timeout(HOLD_SECONDS):
                while await reader.read(65536):
                    pass
        except (TimeoutError, ConnectionError, OSError):
            pass
        finally:
            self.held.discard(writer)
            reset(writer.transport)
