"""The tutorial's "test your load balanced app", done as a browser's force-refresh does it: new
connections to the public IP the client printed, each answered `Hello World from host myVMn!`
by the VM the load balancer chose (azemu's data plane, on loopback).

Each check waits, within a time limit, until a round of new connections shows what the tutorial
says: all three VMs answering; then, after step 5's remove, no new connection reaching myVM2;
after its add, myVM2 answering again (once the probe sees it up).
"""

from __future__ import annotations

import http.client
import time
from collections import Counter
from typing import Callable

from results import FAILED, NOT_RUN, PASSED, RouteResult, Step

ROUND = 30              # new connections per look
PREFIX = "Hello World from host "
VMS = ("myVM1", "myVM2", "myVM3")


def listen_port(dataplane: dict, address: str, port: int = 80) -> int | None:
    """The port azemu listens on for `address`:`port` (port + offset where it may not bind 80)."""
    for frontend in dataplane["frontends"]:
        if frontend["address"] == address and frontend["port"] == port:
            return frontend["listen_port"]
    return None


def fetch(address: str, port: int) -> str:
    """Who answered one new connection: a VM's name, or what went wrong in brackets."""
    conn = http.client.HTTPConnection(address, port, timeout=3)
    try:
        conn.request("GET", "/", headers={"Connection": "close"})
        body = conn.getresponse().read().decode(errors="replace")
    except OSError as err:
        return f"({type(err).__name__})"
    finally:
        conn.close()
    if body.startswith(PREFIX) and body.endswith("!"):
        return body[len(PREFIX):-1]
    return f"(answer {body[:40]!r})"


def one_round(address: str, port: int) -> Counter:
    return Counter(fetch(address, port) for _ in range(ROUND))


def describe(seen: Counter) -> str:
    return ", ".join(f"{name} {n}" for name, n in sorted(seen.items()))


def wait_for(dataplane: Callable[[], dict], address: str, wanted: Callable[[Counter], bool],
             timeout: float) -> tuple[bool, str]:
    """Rounds of new connections to `address`:80 until one satisfies `wanted`, or `timeout`
    seconds. Returns (satisfied, what the last round saw)."""
    started = time.monotonic()
    seen: Counter = Counter()
    port = None
    while True:
        port = port or listen_port(dataplane(), address)
        if port is not None:
            seen = one_round(address, port)
            if wanted(seen):
                return True, f"{ROUND} new connections to {address}:{port}: {describe(seen)} " \
                             f"(after {time.monotonic() - started:.1f} s)"
        if time.monotonic() - started > timeout:
            if port is None:
                return False, f"azemu's data plane listens on no frontend {address}:80"
            return False, f"after {timeout:.0f} s, {ROUND} new connections to {address}:{port}: {describe(seen)}"
        time.sleep(0.5)


def spread(seen: Counter) -> bool:
    return all(seen[vm] for vm in VMS)


def without_vm2(seen: Counter) -> bool:
    return not seen["myVM2"] and seen["myVM1"] + seen["myVM3"] == ROUND


def with_vm2(seen: Counter) -> bool:
    return bool(seen["myVM2"]) and spread(seen)


CHECKS = {
    # name: (what it looks for, predicate, time limit in seconds)
    "spread": ("new connections spread over myVM1, myVM2 and myVM3", spread, 120.0),
    "vm2-out": ("no new connection reaches myVM2; myVM1 and myVM3 answer", without_vm2, 30.0),
    "vm2-back": ("myVM2 answers new connections again", with_vm2, 60.0),
}


def check(route: RouteResult, name: str, dataplane: Callable[[], dict], address: str | None,
          runnable: bool) -> None:
    """Run check `name` of CHECKS against `address` and record it as a step of `route`; not run
    when a step it needs failed (`runnable` false, or no address printed)."""
    what, wanted, timeout = CHECKS[name]
    step = Step("check", what)
    if not runnable or not address:
        route.add(step, NOT_RUN, "an earlier step it needs failed")
        return
    started = time.time()
    ok, seen = wait_for(dataplane, address, wanted, timeout)
    route.add(step, PASSED if ok else FAILED, "" if ok else seen, seen if ok else "", started=started, ended=time.time())
