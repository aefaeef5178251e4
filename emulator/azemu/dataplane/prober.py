"""Health probes: what one probe of one backend sees, and how the results add up to Up or Down.

As Azure documents it:
- a TCP probe succeeds when the connection is accepted; an HTTP(S) probe when `GET request_path`
  answers 200;
- `probeThreshold` consecutive results flip a backend: that many failures take an Up backend
  down, that many successes bring a Down one up;
- whatever the threshold, an HTTP(S) probe marks the backend down at once when it answers
  anything but 200 or resets the connection;
- probes come from AzureLoadBalancer (168.63.129.16): when NSG rules drop them they time out.

A backend not yet probed is Down; the reasons are the health status API's reason codes.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Callable

UP = "Up"
DOWN = "Down"
USER_AGENT = "Load Balancer Agent"
MIN_TIMEOUT = 2.0       # real seconds: a busy test machine must not fail probes of a live backend

REASON_SUCCESS = "Up_Probe_Success"
REASON_APPROACHING_UNHEALTHY = "Up_Probe_ApproachingUnhealthyThreshold"
REASON_ALL_DOWN_IS_UP = "Up_Probe_AllDownIsUp"
REASON_ADMIN_UP = "Up_Admin"            # admin state Up: in rotation whatever the probe says
REASON_APPROACHING_HEALTHY = "Down_Probe_ApproachingHealthyThreshold"
REASON_ADMIN_DOWN = "Down_Admin"        # admin state Down: no new flows whatever the probe says
REASON_HTTP_STATUS = "Down_Probe_HttpStatusCodeError"
REASON_UNREACHABLE = {"Http": "Down_Probe_HttpEndpointUnreachable",
                      "Https": "Down_Probe_HttpsEndpointUnreachable",
                      "Tcp": "Down_Probe_TcpProbeTimeout"}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""           # the Down_Probe_* reason of a failure
    immediate: bool = False    # an HTTP(S) failure that takes the backend down at once


class Health:
    """The load balancer's view of one backend through one probe."""

    def __init__(self):
        self.state = DOWN
        self.reason = REASON_APPROACHING_HEALTHY
        self.successes = 0
        self.failures = 0

    def record(self, outcome: Outcome, threshold: int) -> bool:
        """Count one probe result; True when the state flipped."""
        before = self.state
        if outcome.ok:
            self.failures = 0
            self.successes += 1
            if self.state == DOWN and self.successes >= threshold:
                self.state = UP
            self.reason = REASON_SUCCESS if self.state == UP else REASON_APPROACHING_HEALTHY
        else:
            self.successes = 0
            self.failures += 1
            if self.state == UP and (outcome.immediate or self.failures >= threshold):
                self.state = DOWN
            self.reason = outcome.reason if self.state == DOWN else REASON_APPROACHING_UNHEALTHY
        return self.state != before


def dropped(protocol: str) -> Outcome:
    """The result of a probe an NSG dropped: no answer at all."""
    return Outcome(False, REASON_UNREACHABLE[protocol])


async def attempt(protocol: str, host: str, port: int, path: str | None, host_header: str,
                  timeout: float) -> Outcome:
    """Probe `host:port` once (host: the backend's loopback address; host_header: its private IP)."""
    unreachable = REASON_UNREACHABLE[protocol]
    http = protocol in ("Http", "Https")
    # asyncio.timeout rather than wait_for, which on Python 3.11 can swallow the cancellation
    # that stops the prober.
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host, port, ssl=_insecure_tls() if protocol == "Https" else None)
    except TimeoutError:
        return Outcome(False, unreachable)
    except (OSError, ssl.SSLError):
        return Outcome(False, unreachable, immediate=http)
    try:
        if not http:
            return Outcome(True)
        writer.write(f"GET {path or '/'} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {USER_AGENT}\r\n"
                     "Connection: close\r\n\r\n".encode("latin-1"))
        async with asyncio.timeout(timeout):
            status_line = await reader.readline()
    except TimeoutError:
        return Outcome(False, unreachable)
    except (OSError, ssl.SSLError):
        return Outcome(False, unreachable, immediate=True)
    finally:
        writer.close()
    parts = status_line.decode("latin-1").split()
    if not parts:
        return Outcome(False, unreachable, immediate=True)     # closed without an answer
    if len(parts) >= 2 and parts[0].startswith("HTTP/") and parts[1] == "200":
        return Outcome(True)
    return Outcome(False, REASON_HTTP_STATUS, immediate=True)


def probe_timeout(interval_real: float) -> float:
    return max(interval_real, MIN_TIMEOUT)


def _insecure_tls() -> ssl.SSLContext:
    # Azure's HTTPS probes do not validate the backend's certificate.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(frozen=True)
class Target:
    """Everything one probe attempt needs, as the engine sees it now."""
    protocol: str
    host: str               # the backend's loopback address
    port: int               # the port to connect to on this machine
    path: str | None
    host_header: str        # the backend's private IP
    interval: float         # real seconds between attempts
    threshold: int
    blocked: bool           # an NSG drops the probe


class Prober:
    """Probes one backend for one probe, every interval, until `target()` returns None."""

    def __init__(self, target: Callable[[], Target | None], on_change: Callable[[], None]):
        self.target = target
        self.on_change = on_change
        self.health = Health()
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            target = self.target()
            if target is None:
                return
            if target.blocked:
                outcome = dropped(target.protocol)
            else:
                outcome = await attempt(target.protocol, target.host, target.port, target.path,
                                        target.host_header, probe_timeout(target.interval))
            if self.health.record(outcome, target.threshold):
                self.on_change()
            await asyncio.sleep(target.interval)
