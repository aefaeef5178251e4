"""Health probes: single attempts against a live app, and how results add up to Up or Down."""

from __future__ import annotations

import asyncio
import socket

from azemu.dataplane import prober
from azemu.dataplane.prober import DOWN, UP, Health, Outcome, attempt
from azemu.dataplane.vm_app import HelloApp

HOST = "127.0.0.1"
FAIL = Outcome(False, "Down_Probe_TcpProbeTimeout")
HTTP_FAIL = Outcome(False, prober.REASON_HTTP_STATUS, immediate=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def test_threshold_consecutive_results_flip_the_state():
    health = Health()
    assert (health.state, health.reason) == (DOWN, prober.REASON_APPROACHING_HEALTHY)
    assert not health.record(Outcome(True), 2)
    assert (health.state, health.reason) == (DOWN, prober.REASON_APPROACHING_HEALTHY)
    assert health.record(Outcome(True), 2)
    assert (health.state, health.reason) == (UP, prober.REASON_SUCCESS)
    assert not health.record(FAIL, 2)
    assert (health.state, health.reason) == (UP, prober.REASON_APPROACHING_UNHEALTHY)
    assert not health.record(Outcome(True), 2)          # a success in between starts the count again
    assert not health.record(FAIL, 2)
    assert health.record(FAIL, 2)
    assert (health.state, health.reason) == (DOWN, "Down_Probe_TcpProbeTimeout")


def test_http_errors_take_a_backend_down_at_once():
    health = Health()
    health.record(Outcome(True), 1)
    assert health.state == UP
    assert health.record(HTTP_FAIL, 5)
    assert (health.state, health.reason) == (DOWN, prober.REASON_HTTP_STATUS)


def test_attempts_against_a_live_app_and_a_closed_port():
    async def scenario():
        app = HelloApp("vm1")
        await app.start([HOST], 0)
        port = app.servers[0].sockets[0].getsockname()[1]
        results = {
            "tcp": await attempt("Tcp", HOST, port, None, "10.1.0.4", 5),
            "http": await attempt("Http", HOST, port, "/", "10.1.0.4", 5),
            "http_404": await attempt("Http", HOST, port, "/health", "10.1.0.4", 5),
        }
        await app.stop()
        closed = free_port()
        results["tcp_closed"] = await attempt("Tcp", HOST, closed, None, "10.1.0.4", 5)
        results["http_closed"] = await attempt("Http", HOST, closed, "/", "10.1.0.4", 5)
        results["https_plain"] = await attempt("Https", HOST, closed, "/", "10.1.0.4", 5)
        return results

    r = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert r["tcp"].ok and r["http"].ok
    assert r["http_404"] == Outcome(False, prober.REASON_HTTP_STATUS, immediate=True)
    assert r["tcp_closed"] == Outcome(False, "Down_Probe_TcpProbeTimeout", immediate=False)
    assert r["http_closed"] == Outcome(False, "Down_Probe_HttpEndpointUnreachable", immediate=True)
    assert r["https_plain"] == Outcome(False, "Down_Probe_HttpsEndpointUnreachable", immediate=True)


def test_a_prober_follows_its_target_until_it_is_gone():
    async def scenario():
        app = HelloApp("vm1")
        await app.start([HOST], 0)
        port = app.servers[0].sockets[0].getsockname()[1]
        target = {"value": prober.Target("Http", HOST, port, "/", "10.1.0.4", 0.02, 2, blocked=False)}
        flips = []
        probe = prober.Prober(lambda: target["value"], lambda: flips.append(probe.health.state))
        probe.start()
        for _ in range(500):
            if probe.health.state == UP:
                break
            await asyncio.sleep(0.01)
        target["value"] = prober.Target("Http", HOST, port, "/", "10.1.0.4", 0.02, 2, blocked=True)
        for _ in range(500):
            if probe.health.state == DOWN:
                break
            await asyncio.sleep(0.01)
        reason = probe.health.reason
        target["value"] = None
        await asyncio.wait_for(probe.task, 10)
        await app.stop()
        return flips, reason

    flips, reason = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert flips == [UP, DOWN]
    assert reason == "Down_Probe_HttpEndpointUnreachable"
