"""TCP helpers shared by the frontends and the VM apps."""

from __future__ import annotations

import asyncio
import socket
import struct


def reset(transport: asyncio.BaseTransport | None) -> None:
    """Close with a TCP RST rather than a FIN, as a host that vanished mid-connection causes."""
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


async def relay(source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, chunk: int = 65536) -> None:
    """Copy `source` into `sink` until EOF, then half-close `sink`. A reset on either side
    raises (ConnectionError/OSError) for the caller to pass on."""
    while True:
        data = await source.read(chunk)
        if not data:
            break
        sink.write(data)
        await sink.drain()
    if sink.can_write_eof() and not sink.is_closing():
        sink.write_eof()
