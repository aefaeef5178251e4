"""The VM's hello-world app on the wire: answers, keep-alive, graceful and hard stops."""

from __future__ import annotations

import asyncio

import pytest

from azemu.dataplane.vm_app import HelloApp

HOST = "127.0.0.1"
TIMEOUT = 10


async def started(hostname="myVM1"):
    app = HelloApp(hostname)
    await app.start([HOST], 0)
    return app, app.servers[0].sockets[0].getsockname()[1]


async def read_response(reader):
    """(status, headers, body) of one response read off a stream."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), TIMEOUT)
    return status, headers, body.decode()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_answers_hello_and_keeps_the_connection_alive():
    async def scenario():
        app, port = await started()
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        first = await read_response(reader)
        # Two pipelined requests on the same connection, answered in order.
        writer.write(b"GET /?a=1 HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        second = await read_response(reader)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        writer.close()
        await app.stop()
        return first, second, head, app.requests

    first, second, head, count = run(scenario())
    status, headers, body = first
    assert (status, body) == (200, "Hello World from host myVM1!")
    assert headers["connection"] == "keep-alive"
    assert headers["server"].startswith("nginx")
    assert headers["x-powered-by"] == "Express"
    assert second[0] == 200 and second[2] == "Hello World from host myVM1!"
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 28" in head
    assert count == 3


def test_other_paths_are_express_404_and_garbage_is_nginx_400():
    async def scenario():
        app, port = await started()
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        missing = await read_response(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        bad = await read_response(reader)
        closed = await asyncio.wait_for(reader.read(), TIMEOUT)
        writer.close()
        await app.stop()
        return missing, bad, closed

    missing, bad, closed = run(scenario())
    assert missing[0] == 404 and "Cannot GET /health" in missing[2]
    assert bad[0] == 400 and "400 Bad Request" in bad[2] and bad[1]["connection"] == "close"
    assert closed == b""


def test_http10_closes_unless_asked_to_keep_alive():
    async def scenario():
        app, port = await started()
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        answer = await read_response(reader)
        eof = await asyncio.wait_for(reader.read(), TIMEOUT)
        reader2, writer2 = await asyncio.open_connection(HOST, port)
        writer2.write(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        kept = await read_response(reader2)
        writer2.write(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        again = await read_response(reader2)
        writer.close()
        writer2.close()
        await app.stop()
        return answer, eof, kept, again

    answer, eof, kept, again = run(scenario())
    assert answer[1]["connection"] == "close" and eof == b""
    assert kept[1]["connection"] == "keep-alive" and again[0] == 200


def test_graceful_stop_finishes_requests_in_flight_and_closes_idle_connections():
    async def scenario():
        app, port = await started()
        idle_reader, idle_writer = await asyncio.open_connection(HOST, port)
        idle_writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await read_response(idle_reader)
        busy_reader, busy_writer = await asyncio.open_connection(HOST, port)
        busy_writer.write(b"GET / HTTP/1.1\r\nHo")          # a request begun, not finished
        await asyncio.sleep(0.1)
        stopping = asyncio.ensure_future(app.stop(graceful=True, grace=TIMEOUT))
        idle_eof = await asyncio.wait_for(idle_reader.read(), TIMEOUT)
        try:
            await asyncio.open_connection(HOST, port)
            refused = False
        except ConnectionRefusedError:
            refused = True
        busy_writer.write(b"st: x\r\n\r\n")
        finished = await read_response(busy_reader)
        busy_eof = await asyncio.wait_for(busy_reader.read(), TIMEOUT)
        await stopping
        return idle_eof, refused, finished, busy_eof, len(app.connections)

    idle_eof, refused, finished, busy_eof, left = run(scenario())
    assert idle_eof == b""
    assert refused
    assert finished[0] == 200 and finished[1]["connection"] == "close"
    assert busy_eof == b""
    assert left == 0


def test_hard_stop_resets_every_connection():
    async def scenario():
        app, port = await started()
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await read_response(reader)
        await app.stop(graceful=False)
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(reader.read(), TIMEOUT)

    run(scenario())
