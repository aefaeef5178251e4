"""A bounded load generator for the rolling maintenance tests: continuous HTTP requests to a
load balancer frontend on loopback, from two kinds of client, counting every failure.

- NewConnectionClient opens a new TCP connection for every request (``Connection: close``)
  and never retries: any request the load balancer sends to a backend that cannot answer fails.
- KeepAliveClient reuses one keep-alive connection through urllib3 and retries idempotent GETs
  as urllib3 does by default (a connection the server closed, a reset, a refused connect), as
  browsers and HTTP libraries do when a reused connection dies under them.

Both stop by themselves after ``duration`` seconds or ``max_requests`` requests, whichever comes
first, and only ever connect to loopback addresses.

    with Load("127.224.0.5", 8080, duration=300) as load:
        ...                                   # run the rollout
    load.report()                             # per client: ok, failures, answers per host
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import urllib3

GREETING = re.compile(rb"Hello World from host ([^!<\s]+)!")
TIMEOUT = 10.0


@dataclass
class Failure:
    at: float           # seconds since the client started
    wall: float         # time.time() when the request began, to set against azemu's request log
    error: str


@dataclass
class Tally:
    name: str
    ok: int = 0
    retried: int = 0    # requests that succeeded only after urllib3 retried them
    failures: list[Failure] = field(default_factory=list)
    hosts: Counter = field(default_factory=Counter)
    answers: list[tuple[float, str]] = field(default_factory=list)   # (at, host) of each success

    def summary(self):
        return {"client": self.name, "ok": self.ok, "failed": len(self.failures), "retried": self.retried,
                "hosts": dict(self.hosts), "first_failures": [(round(f.at, 2), f.error) for f in self.failures[:5]]}


class _Client(threading.Thread):
    def __init__(self, name, address, port, interval, deadline, max_requests, stop):
        super().__init__(name=name, daemon=True)
        self.address, self.port, self.interval = address, port, interval
        self.deadline, self.max_requests, self.stop_event = deadline, max_requests, stop
        self.tally = Tally(name)
        self.started = None

    def run(self):
        self.started = time.monotonic()
        sent = 0
        while not self.stop_event.is_set() and time.monotonic() < self.deadline and sent < self.max_requests:
            sent += 1
            at, wall = time.monotonic() - self.started, time.time()
            try:
                host = self.request()
            except Exception as exc:     # every way a request can fail is a failure to count
                self.tally.failures.append(Failure(at, wall, f"{type(exc).__name__}: {exc}"))
            else:
                self.tally.ok += 1
                self.tally.hosts[host] += 1
                self.tally.answers.append((at, host))
            self.stop_event.wait(self.interval)
        self.close()

    def request(self):
        raise NotImplementedError

    def close(self):
        pass


def _host_of(status, body):
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:80]!r}")
    match = GREETING.search(body)
    if not match:
        raise RuntimeError(f"unexpected answer {body[:80]!r}")
    return match.group(1).decode()


class NewConnectionClient(_Client):
    def request(self):
        with socket.create_connection((self.address, self.port), timeout=TIMEOUT) as sock:
            sock.sendall(f"GET / HTTP/1.1\r\nHost: {self.address}\r\nConnection: close\r\n\r\n".encode())
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        data = b"".join(chunks)
        head, _sep, body = data.partition(b"\r\n\r\n")
        if not head:
            raise ConnectionError("connection closed without an answer")
        status = int(head.split(b" ", 2)[1])
        return _host_of(status, body)


class KeepAliveClient(_Client):
    def __init__(self, *args):
        super().__init__(*args)
        # urllib3's defaults: GET is idempotent, so connect and read errors are retried.
        self.pool = urllib3.HTTPConnectionPool(self.address, self.port, maxsize=1, block=True,
                                               timeout=urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT),
                                               retries=urllib3.Retry(total=3, backoff_factor=0.05, redirect=0))

    def request(self):
        response = self.pool.request("GET", "/")
        if response.retries is not None and response.retries.history:
            self.tally.retried += 1
        return _host_of(response.status, response.data)

    def close(self):
        self.pool.close()


class Load:
    """Both clients, started together, stopped together (or by their own bounds)."""

    def __init__(self, address, port, duration=600.0, max_requests=50000, interval=0.05):
        if not ipaddress.ip_address(address).is_loopback:
            raise ValueError(f"the load generator only targets loopback addresses, not {address}")
        self.stop_event = threading.Event()
        deadline = time.monotonic() + duration
        self.clients = [cls(cls.__name__, address, port, interval, deadline, max_requests, self.stop_event)
                        for cls in (NewConnectionClient, KeepAliveClient)]

    def __enter__(self):
        for client in self.clients:
            client.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stop_event.set()
        for client in self.clients:
            client.join(TIMEOUT * 4)

    @property
    def tallies(self):
        return {client.name: client.tally for client in self.clients}

    def failures(self):
        return {name: tally.failures for name, tally in self.tallies.items() if tally.failures}

    def report(self):
        return [tally.summary() for tally in self.tallies.values()]


class Sampler(threading.Thread):
    """Calls ``sample()`` every ``interval`` seconds until stopped (bounded by ``duration``), keeping
    (time, value) pairs; for watching how many VMs serve while a rollout runs."""

    def __init__(self, sample, interval=0.25, duration=900.0):
        super().__init__(name="sampler", daemon=True)
        self.sample, self.interval = sample, interval
        self.deadline = time.monotonic() + duration
        self.values: list[tuple[float, object]] = []
        self.errors: list[str] = []
        self.stop_event = threading.Event()

    def run(self):
        start = time.monotonic()
        while not self.stop_event.is_set() and time.monotonic() < self.deadline:
            try:
                self.values.append((time.monotonic() - start, self.sample()))
            except Exception as exc:     # a sample that failed is kept, not fatal
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self.stop_event.wait(self.interval)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.join(30)
