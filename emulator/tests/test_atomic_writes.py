"""Conditional writes are atomic: the If-Match / If-None-Match check and the write it guards are
one step, for every write route.

The race: two raw HTTP/1.1 connections send their headers (the same precondition) at once and
their bodies half a second later. A server that read the resource (and its etag) before the
body arrived would check both against the etag of before and let both through, losing the
first write. Exactly one may succeed; the other gets 412, and the state shows the winner's
change. Every route runs the race ROUNDS times, all routes at once.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import json
import pkgutil
import ssl
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import azemu.arm
import azemu.providers
from armclient import NETWORK_API
from network_helpers import finish, path_of

ROUNDS = 5
BODY_DELAY = 0.5     # seconds between the headers and the body
SECOND_GAP = 0.1     # the second body after the first, where the order decides who must win
RG_API = "2021-04-01"


@dataclass
class Call:
    method: str
    path: str                    # relative to the subscription, as Arm.path takes it
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    api_version: str = NETWORK_API


async def send_late(emu, token: str, sub: str, call: Call, body_at: float) -> tuple[int, Any]:
    """One request over its own TLS connection: headers now, the body after `body_at` s."""
    url = urlsplit(emu.url)
    context = ssl.create_default_context(cafile=emu.ca_file)
    reader, writer = await asyncio.open_connection(url.hostname, url.port, ssl=context)
    target = call.path if call.path.startswith("/subscriptions") else f"/subscriptions/{sub}{call.path}"
    payload = b"{}" if call.body is None else json.dumps(call.body).encode()
    head = [f"{call.method} {target}?api-version={call.api_version} HTTP/1.1", f"Host: {url.netloc}",
            f"Authorization: Bearer {token}", "Content-Type: application/json",
            f"Content-Length: {len(payload)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in call.headers.items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    await writer.drain()
    await asyncio.sleep(body_at)
    writer.write(payload)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    head_text, _, body = raw.partition(b"\r\n\r\n")
    status = int(head_text.split(b" ", 2)[1])
    return status, json.loads(body) if body.strip() else None


@dataclass
class Race:
    """Two conflicting calls on one route. `ordered`: the first must win (the second does not
    change what the first checks, so only the order tells them apart); otherwise either may."""
    route: str
    first: Call
    second: Call
    ordered: bool
    check: Any                   # check(arm, winner_index) -> None: the winner's change is there


async def run_races(emu, arm, races: list[Race]) -> list[tuple[int, int]]:
    async def one(race):
        gap = SECOND_GAP if race.ordered else 0.0
        return await asyncio.gather(send_late(emu, arm.token, arm.sub, race.first, BODY_DELAY),
                                    send_late(emu, arm.token, arm.sub, race.second, BODY_DELAY + gap))
    results = await asyncio.gather(*(one(r) for r in races))
    return [(a[0], b[0]) for a, b in results]


# --- the routes -------------------------------------------------------------------------------

def widget_races(arm, rg):
    """Top-level PUT, PATCH, DELETE; embedded child PUT and DELETE; a separately stored child;
    an action with a body: each on its own widget."""
    races = []

    def widget(name, **extra):
        body = {"location": "westus", "tags": {"v": "0"}, "properties": {
            "gadgets": [{"name": "g1", "properties": {"size": 1}}, {"name": "g2", "properties": {"size": 1}}]}}
        resp = arm.put(arm.widget(rg, name), body)
        assert resp.status == 201, resp
        assert finish(arm, resp) == {"status": "Succeeded"}
        return arm.get(arm.widget(rg, name)).body["etag"]

    def cond(etag):
        return {"If-Match": etag}

    def tags_are(path, *wanted):
        def check(arm, winner):
            got = arm.get(path).body
            assert got.get("tags") == {"v": wanted[winner]}, got
        return check

    def gone(path):
        def check(arm, winner):
            assert arm.get(path).status == 404
        return check

    def gadget_sizes(path, *wanted):
        def check(arm, winner):
            gadgets = {g["name"]: g["properties"]["size"] for g in arm.get(path).body["properties"]["gadgets"]}
            assert gadgets == wanted[winner], gadgets
        return check

    w = arm.widget(rg, "put")
    etag = widget("put")
    races.append(Race("PUT", Call("PUT", w, {"location": "westus", "tags": {"v": "a"}}, cond(etag)),
                      Call("PUT", w, {"location": "westus", "tags": {"v": "b"}}, cond(etag)), False,
                      tags_are(w, "a", "b")))
    w = arm.widget(rg, "patch")
    etag = widget("patch")
    races.append(Race("PATCH", Call("PATCH", w, {"tags": {"v": "a"}}, cond(etag)),
                      Call("PATCH", w, {"tags": {"v": "b"}}, cond(etag)), False, tags_are(w, "a", "b")))
    w = arm.widget(rg, "delete")
    etag = widget("delete")
    races.append(Race("DELETE vs PUT", Call("DELETE", w, None, cond(etag)),
                      Call("PUT", w, {"location": "westus", "tags": {"v": "b"}}, cond(etag)), True, gone(w)))
    w = arm.widget(rg, "delete2")
    etag = widget("delete2")
    races.append(Race("DELETE vs DELETE", Call("DELETE", w, None, cond(etag)), Call("DELETE", w, None, cond(etag)),
                      True, gone(w)))

    w = arm.widget(rg, "child")
    etag = widget("child")
    races.append(Race("embedded child PUT (siblings)",
                      Call("PUT", f"{w}/gadgets/g1", {"properties": {"size": 5}}, cond(etag)),
                      Call("PUT", f"{w}/gadgets/g2", {"properties": {"size": 7}}, cond(etag)), False,
                      gadget_sizes(w, {"g1": 5, "g2": 1}, {"g1": 1, "g2": 7})))
    w = arm.widget(rg, "child-del")
    etag = widget("child-del")
    races.append(Race("embedded child DELETE vs PUT",
                      Call("DELETE", f"{w}/gadgets/g1", None, cond(etag)),
                      Call("PUT", f"{w}/gadgets/g2", {"properties": {"size": 7}}, cond(etag)), True,
                      gadget_sizes(w, {"g2": 1})))
    w = arm.widget(rg, "parent")
    etag = widget("parent")
    races.append(Race("parent PUT vs embedded child PUT",
                      Call("PUT", w, {"location": "westus", "tags": {"v": "a"}, "properties": {
                          "gadgets": [{"name": "g1", "properties": {"size": 3}}]}}, cond(etag)),
                      Call("PUT", f"{w}/gadgets/g2", {"properties": {"size": 7}}, cond(etag)), False,
                      gadget_sizes(w, {"g1": 3}, {"g1": 1, "g2": 7})))

    widget("cogs")
    cog = f"{arm.widget(rg, 'cogs')}/cogs/c1"
    resp = arm.put(cog, {"properties": {"teeth": 1}})
    assert resp.status == 201, resp
    assert finish(arm, resp) == {"status": "Succeeded"}
    etag = arm.get(cog).body["etag"]

    def teeth(arm, winner):
        got = arm.get(cog).body["properties"]["teeth"]
        assert got == (2, 3)[winner], got
    races.append(Race("separately stored child PUT", Call("PUT", cog, {"properties": {"teeth": 2}}, cond(etag)),
                      Call("PUT", cog, {"properties": {"teeth": 3}}, cond(etag)), False, teeth))

    w = arm.widget(rg, "action")
    etag = widget("action")
    races.append(Race("POST action with a body vs PUT",
                      Call("PUT", w, {"location": "westus", "tags": {"v": "a"}}, cond(etag)),
                      Call("POST", f"{w}/polish", {"shine": 2}, cond(etag)), True, tags_are(w, "a")))
    return races


def probe_races(arm, rg):
    """LB probes, embedded in their load balancer, change as the collection changes them: a PUT
    of the whole load balancer with one probe changed or removed, conditional on the etag read
    (Azure serves no PUT or DELETE on a probe itself: its spec has only the GET)."""
    def lb_with_probes(name):
        path = path_of(rg, "loadBalancers", name)
        resp = arm.put(path, body({"p1": 81, "p2": 82}))
        assert resp.status == 201, resp
        assert finish(arm, resp) == {"status": "Succeeded"}
        return path, {"If-Match": arm.get(path).body["etag"]}

    def body(ports):
        probes = [{"name": n, "properties": {"protocol": "Tcp", "port": p}} for n, p in ports.items()]
        return {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"probes": probes}}

    def ports(lb, *wanted):
        def check(arm, winner):
            got = {p["name"]: p["properties"]["port"] for p in arm.get(lb).body["properties"]["probes"]}
            assert got == wanted[winner], got
        return check
    lb, cond = lb_with_probes("lb-siblings")
    races = [Race("LB PUT changing a probe (siblings)",
                  Call("PUT", lb, body({"p1": 91, "p2": 82}), cond),
                  Call("PUT", lb, body({"p1": 81, "p2": 92}), cond), False,
                  ports(lb, {"p1": 91, "p2": 82}, {"p1": 81, "p2": 92}))]
    # The lost probe removal of issue 11: a removal, then a write that read the LB before it.
    lb, cond = lb_with_probes("lb-removal")
    races.append(Race("LB PUT removing a probe vs one changing another", Call("PUT", lb, body({"p2": 82}), cond),
                      Call("PUT", lb, body({"p1": 81, "p2": 92}), cond), False,
                      ports(lb, {"p2": 82}, {"p1": 81, "p2": 92})))
    return races


def group_races(arm, prefix):
    """Resource groups have no etag: create-only PUTs (If-None-Match: *) and a PATCH that needs
    the group (If-Match: *) while it is deleted."""
    new = f"/resourcegroups/{prefix}-new"
    doomed = f"/resourcegroups/{prefix}-doomed"
    assert arm.put(doomed, {"location": "westus"}, api_version=RG_API).status == 201

    def created_with(*wanted):
        def check(arm, winner):
            assert arm.get(new, api_version=RG_API).body["tags"] == {"v": wanted[winner]}
        return check

    def group_gone(arm, winner):
        assert arm.get(doomed, api_version=RG_API).status == 404
    create = {"If-None-Match": "*"}
    return [
        Race("resource group PUT", Call("PUT", new, {"location": "westus", "tags": {"v": "a"}}, create, RG_API),
             Call("PUT", new, {"location": "westus", "tags": {"v": "b"}}, create, RG_API), False,
             created_with("a", "b")),
        Race("resource group PATCH vs DELETE", Call("DELETE", doomed, None, {"If-Match": "*"}, RG_API),
             Call("PATCH", doomed, {"tags": {"v": "b"}}, {"If-Match": "*"}, RG_API), True, group_gone),
    ]


def test_every_write_route_lets_exactly_one_of_two_racing_writes_through(emu, arm, record_property):
    tried: dict[str, int] = {}
    lost, wrong = 0, []
    for _ in range(ROUNDS):
        rg = f"rg-race-{uuid.uuid4().hex[:8]}"
        assert arm.put(f"/resourcegroups/{rg}", {"location": "westus"}, api_version=RG_API).status == 201
        races = widget_races(arm, rg) + probe_races(arm, rg) + group_races(arm, rg)
        results = asyncio.run(run_races(emu, arm, races))
        for race, (a, b) in zip(races, results):
            tried[race.route] = tried.get(race.route, 0) + 1
            succeeded = [s for s in (a, b) if 200 <= s < 300]
            lost += max(0, len(succeeded) - 1)
            expected = (200 <= a < 300 and b == 412) if race.ordered else (len(succeeded) == 1 and 412 in (a, b))
            if not expected:
                wrong.append((race.route, a, b))
                continue
            race.check(arm, 0 if 200 <= a < 300 else 1)
    record_property("races", {"per_route": tried, "lost_updates": lost})
    assert not wrong, "\n".join(f"{route}: {a}, {b}" for route, a, b in wrong)
    assert lost == 0


# --- the guard: nothing can yield between reading state and writing it -------------------------

def test_arm_requests_await_only_the_body_before_touching_state():
    """azemu is one asyncio loop: code that never awaits cannot be interleaved. In the ARM layer
    and every provider the one coroutine is the entry point, and it awaits only the body,
    before it reads anything; so every read-check-write after it is atomic."""
    coroutines, awaits = [], []
    for package in (azemu.arm, azemu.providers):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for node in ast.walk(ast.parse(inspect.getsource(module))):
                if isinstance(node, ast.AsyncFunctionDef):
                    coroutines.append(f"{info.name}.{node.name}")
                elif isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
                    awaits.append(f"{info.name}: {ast.unparse(node)}")
    assert coroutines == ["azemu.arm.handlers.arm_entry"]
    assert awaits == ["azemu.arm.handlers: await request.read()"]
