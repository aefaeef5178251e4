"""Fault injection: ARM answering as it does on a bad day, on purpose and reproducibly.

`PUT /_azemu/faults` (or `azemu serve --faults FILE`) with
`{"seed": N, "rules": [{"status": 429, "share": 0.1}, {"drop": "after", "share": 0.02}, ...]}`;
`{"rules": []}` turns it off. A rule is one of

- `{"status": 429}`: ARM's throttling answer: `SubscriptionRequestsThrottled`, `Retry-After`
  (`retry_after`, default 1) and `x-ms-ratelimit-remaining-subscription-reads|writes|deletes: 0`;
- `{"status": 500}`: ARM's `InternalServerError`;
- `{"drop": "before"}`: the connection closes and nothing is done; `{"drop": "after"}`: the
  request takes effect, then the connection closes instead of the answer;
- `{"lro": "Failed" | "Canceled"}`: the long-running operation the request starts is accepted
  as usual and later ends so, with the operation status error Azure's provider gives;
- `{"delay": SECONDS}`: the request waits that long before azemu handles it;

with `share` (0-1, default 1: the fraction of matching requests it hits) and optional limits:
`method` (a method or a list), `path` (a glob over the request path, case-insensitive) and
`type` (a resource type, which also covers its children and actions: what the request log
calls `type`). Faults hit ARM requests only: never the token and metadata endpoints, the test
API or the data plane.

Deterministic: each rule has its own random generator seeded from (seed, its position) and
draws once for every request it matches, so the same seed and the same requests give the
same faults. Of the rules that hit one request, every delay applies, and the first status,
drop or lro rule in order decides the rest. `GET /_azemu/faults` shows the rules with what
each matched and injected; the request log names the fault of each request (`fault`).
"""

from __future__ import annotations

import asyncio
import fnmatch
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from .arm.lro import CANCELED, FAILED, LRO_FAULT
from .errors import ArmError
from .hosts import addressed
from .identity.armauth import check_token
from .requestlog import kind_of

FAULT_KEY = "azemu_fault"      # what the request log shows for the request
KINDS = ("status", "drop", "lro", "delay")
LIMITS = ("method", "path", "type")
STATUSES = (429, 500)
DROPS = ("before", "after")
OUTCOMES = {"failed": FAILED, "canceled": CANCELED}


@dataclass
class Rule:
    kind: str
    value: Any
    share: float
    rng: random.Random
    methods: frozenset[str] | None = None
    path: str | None = None
    type: str | None = None
    retry_after: int = 1
    matched: int = 0
    injected: int = 0

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.value}"

    def matches(self, method: str, path: str, rtype: str | None) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.path is not None and not fnmatch.fnmatchcase(path.lower(), self.path):
            return False
        if self.type is not None and not (rtype and (rtype.lower() == self.type
                                                     or rtype.lower().startswith(self.type + "/"))):
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {self.kind: self.value, "share": self.share}
        if self.kind == "status" and self.value == 429:
            doc["retry_after"] = self.retry_after
        if self.methods is not None:
            doc["method"] = sorted(self.methods)
        if self.path is not None:
            doc["path"] = self.path
        if self.type is not None:
            doc["type"] = self.type
        doc.update(matched=self.matched, injected=self.injected)
        return doc


def parse_rule(doc: Any, seed: int, index: int) -> Rule:
    """One rule of the document; ValueError saying what is wrong with it."""
    where = f"rule {index}"
    if not isinstance(doc, dict):
        raise ValueError(f"{where} must be an object")
    kinds = [k for k in KINDS if k in doc]
    if len(kinds) != 1:
        raise ValueError(f"{where} must have exactly one of {', '.join(KINDS)}")
    kind = kinds[0]
    unknown = set(doc) - {kind, "share", "retry_after", *LIMITS}
    if unknown:
        raise ValueError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    value = doc[kind]
    if kind == "status" and value not in STATUSES:
        raise ValueError(f"{where}: status must be one of {', '.join(map(str, STATUSES))}")
    if kind == "drop" and value not in DROPS:
        raise ValueError(f"{where}: drop must be 'before' or 'after'")
    if kind == "lro":
        if not isinstance(value, str) or value.lower() not in OUTCOMES:
            raise ValueError(f"{where}: lro must be 'Failed' or 'Canceled'")
        value = OUTCOMES[value.lower()]
    if kind == "delay" and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 600):
        raise ValueError(f"{where}: delay must be a number of seconds from 0 to 600")
    share = doc.get("share", 1.0)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise ValueError(f"{where}: share must be a number from 0 to 1")
    retry_after = doc.get("retry_after", 1)
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 1:
        raise ValueError(f"{where}: retry_after must be an integer >= 1")
    methods = doc.get("method")
    if methods is not None:
        methods = [methods] if isinstance(methods, str) else methods
        if not isinstance(methods, list) or not methods or not all(isinstance(m, str) for m in methods):
            raise ValueError(f"{where}: method must be a method or a list of them")
        methods = frozenset(m.upper() for m in methods)
    for key in ("path", "type"):
        if doc.get(key) is not None and not isinstance(doc[key], str):
            raise ValueError(f"{where}: {key} must be a string")
    return Rule(kind=kind, value=value, share=float(share), rng=random.Random(f"{seed}/{index}"), methods=methods,
                path=doc["path"].lower() if doc.get("path") else None,
                type=doc["type"].lower().strip("/") if doc.get("type") else None, retry_after=retry_after)


def resource_type(path: str) -> str | None:
    """The resource type a request path addresses, as the request log names it
    (`Microsoft.Network/loadBalancers/probes`, `.../virtualMachines/powerOff`), from the path alone:
    faults are drawn before the request is routed."""
    segs = [s for s in path.split("/") if s]
    low = [s.lower() for s in segs]
    if "providers" in low:
        rest = segs[len(low) - 1 - low[::-1].index("providers") + 1:]
        return "/".join([rest[0], *rest[1::2]]) if len(rest) >= 2 else None
    if len(low) >= 4 and low[0] == "subscriptions" and low[2] == "resourcegroups":
        return "Microsoft.Resources/resourceGroups"
    return None


@dataclass
class Faults:
    seed: int = 0
    rules: list[Rule] = field(default_factory=list)

    def configure(self, doc: Any) -> None:
        """Replace the rules (and restart every generator and counter); ValueError if `doc` is
        not a valid fault document, leaving the rules as they were."""
        if not isinstance(doc, dict) or set(doc) - {"seed", "rules"}:
            raise ValueError("the fault document is an object with 'seed' and 'rules'")
        seed = doc.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError("seed must be an integer")
        rules = doc.get("rules", [])
        if not isinstance(rules, list):
            raise ValueError("rules must be a list")
        self.rules = [parse_rule(r, seed, i) for i, r in enumerate(rules)]
        self.seed = seed

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "rules": [r.to_json() for r in self.rules],
                "injected": sum(r.injected for r in self.rules)}

    def draw(self, method: str, path: str) -> tuple[float, list[Rule], Rule | None]:
        """(seconds to wait, the delay rules that hit, the status, drop or lro rule that hit
        first): every rule matching the request draws once."""
        rtype = resource_type(path)
        delay, delays, decisive = 0.0, [], None
        for rule in self.rules:
            if not rule.matches(method, path, rtype):
                continue
            rule.matched += 1
            if rule.rng.random() >= rule.share:
                continue
            if rule.kind == "delay":
                delay += rule.value
                delays.append(rule)
            elif decisive is None:
                decisive = rule
        return delay, delays, decisive


@dataclass
class LroFault:
    """Handed to the operation the request starts (OperationManager.start takes it once)."""
    outcome: str
    taken: bool = False


def _drop(request: web.Request, status: int) -> web.Response:
    request.transport.close()
    return web.Response(status=status)    # never sent: the connection is closed


def _throttled(request: web.Request, rule: Rule, claims: dict[str, Any]) -> ArmError:
    # The body and headers of ARM's subscription throttling, as clients quote it (for example
    # velero-io/velero#9171, 2025); the remaining-count header is the one ARM sends for the
    # kind of request (recordings in azure-reference: reads, writes, deletes).
    kind = {"GET": "read", "HEAD": "read", "DELETE": "delete"}.get(request.method, "write")
    segs = [s for s in request.path.split("/") if s]
    scope = (f"subscription '{segs[1]}'" if len(segs) > 1 and segs[0].lower() == "subscriptions"
             else f"tenant '{claims.get('tid', '')}'")
    return ArmError(429, "SubscriptionRequestsThrottled",
                    f"Number of '{kind}' requests for {scope} actor '{claims.get('oid', '')}' exceeded. Please try "
                    f"again after '{rule.retry_after}' seconds after additional tokens are available. Refer to "
                    "https://aka.ms/arm-throttling for additional information.",
                    headers={"Retry-After": str(rule.retry_after),
                             f"x-ms-ratelimit-remaining-subscription-{kind}s": "0"})


def _internal_error(request: web.Request) -> ArmError:
    # ARM's own answer when something behind it failed.
    segs = [s for s in request.path.split("/") if s]
    sub = segs[1] if len(segs) > 1 and segs[0].lower() == "subscriptions" else ""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    correlation = request.headers.get("x-ms-correlation-request-id", str(uuid.uuid4()))
    return ArmError(500, "InternalServerError",
                    f"Encountered internal server error. Diagnostic information: timestamp '{stamp}', subscription "
                    f"id '{sub}', tracking id '{uuid.uuid4()}', request correlation id '{correlation}'.")


def _principal(request: web.Request) -> dict[str, Any] | None:
    """The token's claims; None when ARM would answer 401 anyway (a throttle or a failure
    behind ARM comes after authentication)."""
    try:
        return check_token(request.app["emu"], request.headers.get("Authorization"), addressed(request))
    except ArmError:
        return None


@web.middleware
async def inject(request: web.Request, handler):
    """The middleware: inside the ARM envelope (so errors get its shape and request ids),
    inside the request log (so it records each fault)."""
    faults: Faults = request.app["emu"].faults
    if not faults.rules or kind_of(request.path, request.method) != "arm":
        return await handler(request)
    delay, applied, rule = faults.draw(request.method, request.path)
    lro = LroFault(rule.value) if rule is not None and rule.kind == "lro" else None
    try:
        if delay:
            await asyncio.sleep(delay)
        if rule is not None and rule.kind == "status":
            claims = _principal(request)
            if claims is not None:
                applied.append(rule)
                raise _throttled(request, rule, claims) if rule.value == 429 else _internal_error(request)
        if rule is not None and rule.kind == "drop" and rule.value == "before":
            applied.append(rule)
            return _drop(request, 0)
        if lro is not None:
            request[LRO_FAULT] = lro
        try:
            response = await handler(request)
        except ArmError as err:    # an error answer is lost as well as a success
            if rule is None or rule.kind != "drop":
                raise
            applied.append(rule)
            return _drop(request, err.status)
        if rule is not None and rule.kind == "drop":
            applied.append(rule)
            return _drop(request, response.status)
        return response
    finally:
        if lro is not None and lro.taken:
            applied.append(rule)
        for hit in applied:
            hit.injected += 1
        if applied:
            request[FAULT_KEY] = ", ".join(hit.label for hit in applied)
