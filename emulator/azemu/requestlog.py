"""Every request azemu answered, numbered, and counters over them: what tests and benchmarks
read (at /_azemu/requests and /_azemu/counters) to assert "zero writes" or count round trips.
Calls to /_azemu itself are not logged, so reading the log does not change it."""

from __future__ import annotations

import time
from collections import Counter, deque
from typing import Any

MAX_ENTRIES = 20000   # older entries are dropped; sequence numbers keep counting


def kind_of(path: str, method: str) -> str:
    """arm | token | identity | metadata | other: the part of Azure the request went to."""
    first = path.lstrip("/").split("/", 1)[0].lower()
    if first in ("subscriptions", "tenants", "providers"):
        return "arm"
    if first == "metadata":
        return "metadata"
    if "/oauth2/" in path.lower() and method == "POST":
        return "token"
    if "/.well-known/" in path.lower() or "/discovery/" in path.lower():
        return "identity"
    return "other"


class RequestLog:
    def __init__(self):
        self.seq = 0
        self.entries: deque[dict[str, Any]] = deque(maxlen=MAX_ENTRIES)
        self.counters: Counter[str] = Counter()

    def add(self, *, method: str, path: str, query: str, status: int, duration: float,
            resource_type: str | None, user_agent: str, read_only: bool = False, host: str = "") -> dict[str, Any]:
        self.seq += 1
        kind = kind_of(path, method)
        write = kind == "arm" and method not in ("GET", "HEAD") and not read_only
        entry = {"seq": self.seq, "time": time.time(), "method": method, "path": path, "query": query,
                 "status": status, "kind": kind, "write": write, "type": resource_type,
                 "duration_ms": round(duration * 1000, 3), "user_agent": user_agent, "host": host}
        self.entries.append(entry)
        c = self.counters
        c["total"] += 1
        c[f"kind:{kind}"] += 1
        c[f"method:{method}"] += 1
        c[f"status:{status}"] += 1
        if write:
            c["writes"] += 1
        if resource_type:
            c[f"type:{method} {resource_type}"] += 1
        return entry

    def since(self, seq: int) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["seq"] > seq]

    def counters_doc(self) -> dict[str, Any]:
        """{"seq", "total", "writes", "by_kind": {}, "by_method": {}, "by_status": {}, "by_type": {}}"""
        doc: dict[str, Any] = {"seq": self.seq, "total": self.counters["total"], "writes": self.counters["writes"],
                               "by_kind": {}, "by_method": {}, "by_status": {}, "by_type": {}}
        groups = {"kind": "by_kind", "method": "by_method", "status": "by_status", "type": "by_type"}
        for key, value in sorted(self.counters.items()):
            prefix, _, rest = key.partition(":")
            if prefix in groups:
                doc[groups[prefix]][rest] = value
        return doc
