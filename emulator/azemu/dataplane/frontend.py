"""A load balancer frontend: a TCP listener on a public IP's loopback address and a rule's
frontend port. Each new connection asks the engine for a backend (hash of the flow among
the backends that take new flows, then the backend's NSGs), is connected to it and relayed
both ways until either side closes; the flow stays on that backend whatever happens to the
pool or the probes afterwards, unless the engine resets it.

Azure drops the packets of a flow that has no backend, or that an NSG denies, and the
client's connect times out. azemu has already accepted the connection when it finds out, so
it resets it instead: the client sees the same failure at once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Callable

from .tcp import relay, reset

log = logging.getLogger("azemu.dataplane")
BACKEND_CONNECT_TIMEOUT = 5.0
BACKLOG = 512


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
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, self.address, self.bind_port,
                                                 reuse_address=True, backlog=BACKLOG)

    async def stop(self) -> None:
        """The frontend is gone: stop listening and reset its flows."""
        if self.server is not None:
            self.server.close()
        for flow in list(self.mine):
            flow.reset()
        if self.server is not None:
            await self.server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        except Exception:       # a bug here must not leave the client hanging
            log.exception("frontend %s:%s failed a connection", self.address, self.port)
            reset(writer.transport)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        route = self.router(self.address, self.port, peer[0], peer[1])
        if route is None:
            reset(writer.transport)
            return
        try:
            async with asyncio.timeout(BACKEND_CONNECT_TIMEOUT):
                up_reader, up_writer = await asyncio.open_connection(route.host, route.port)
        except (OSError, TimeoutError):
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
