"""Every request azemu answered, numbered, and counters over them: what tests and benchmarks
read (at /_azemu/requests and /_azemu/counters) to assert "zero writes" or count round trips.
Calls to /_azemu itself are not logged, so reading the log does not change it.

The log lives in the state dir (`requests.jsonl`: a header line with the log's id, then one
line per request, appended as it is answered), so after a restart, even a SIGKILL, the
sequence goes on where it was and a mark taken before still sees everything after it. A mark
names its log (`log`, the id): a mark of another azemu or of a log that was removed, a mark
from the future, or one so old that the entries after it were dropped, is refused rather
than answered with nothing.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter, deque
from pathlib import Path
from typing import Any

MAX_ENTRIES = 20000   # older entries are dropped; sequence numbers keep counting
LOG_FILE = "requests.jsonl"


class MarkError(ValueError):
    """A `since` the log cannot answer truthfully."""


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


def error_of(status: int, body: bytes | None) -> dict[str, str] | None:
    """{"code", "message"} of an error answer: ARM's {"error": {"code", "message"}} or AAD's
    {"error": code, "error_description": message}; None for a success or another body."""
    if status < 400 or not body:
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    error = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(error, dict):
        return {"code": str(error.get("code", "")), "message": str(error.get("message", ""))}
    if isinstance(error, str):
        return {"code": error, "message": str(doc.get("error_description", ""))}
    return None


class RequestLog:
    def __init__(self, path: Path | None = None):
        self.path = path
        self.id = str(uuid.uuid4())
        self.seq = 0
        self.entries: deque[dict[str, Any]] = deque(maxlen=MAX_ENTRIES)
        self.counters: Counter[str] = Counter()
        self._dropped = 0          # highest sequence number no longer held
        self._lines = 0            # entry lines in the file, to know when to compact it
        self._file = None
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text().splitlines()
            header = json.loads(lines[0])
            self.id, self.seq = header["log"], header["seq"]
        except (OSError, ValueError, IndexError, KeyError, TypeError):
            self._rewrite()       # no log yet (or not one we can read): a new log, with a new id
            return
        torn = False
        for line in lines[1:]:
            try:
                entry = json.loads(line)
            except ValueError:      # a line cut short when the machine went down
                torn = True
                continue
            self.entries.append(entry)
            self.seq = max(self.seq, entry["seq"])
        self._lines = len(lines) - 1
        self._dropped = self.entries[0]["seq"] - 1 if self.entries else self.seq
        if torn:                    # its number may have been seen (a mark): never give it again
            self.seq += 1
            self._rewrite()         # and the next line must not continue the cut one
        else:
            self._file = path.open("a")

    def _rewrite(self) -> None:
        """The file anew, atomically: the header, then the entries still held."""
        if self._file is not None:
            self._file.close()
        header = {"log": self.id, "seq": self.seq}     # the sequence reached, whatever the entries say
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in [header, *self.entries]))
        tmp.replace(self.path)
        self._lines = len(self.entries)
        self._file = self.path.open("a")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def add(self, *, method: str, path: str, query: str, status: int, duration: float,
            resource_type: str | None, user_agent: str, read_only: bool = False, host: str = "",
            fault: str | None = None, error: dict[str, str] | None = None) -> dict[str, Any]:
        self.seq += 1
        kind = kind_of(path, method)
        write = kind == "arm" and method not in ("GET", "HEAD") and not read_only
        entry = {"seq": self.seq, "time": time.time(), "method": method, "path": path, "query": query,
                 "status": status, "kind": kind, "write": write, "type": resource_type,
                 "duration_ms": round(duration * 1000, 3), "user_agent": user_agent, "host": host,
                 "error": error}
        if fault:
            entry["fault"] = fault
        if len(self.entries) == MAX_ENTRIES:
            self._dropped = self.entries[0]["seq"]
        self.entries.append(entry)
        if self._file is not None:
            self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
            self._file.flush()     # in the kernel's hands: a killed azemu loses no entry
            self._lines += 1
            if self._lines > 2 * MAX_ENTRIES:
                self._rewrite()
        c = self.counters
        c["total"] += 1
        c[f"kind:{kind}"] += 1
        c[f"method:{method}"] += 1
        c[f"status:{status}"] += 1
        if write:
            c["writes"] += 1
        if resource_type:
            c[f"type:{method} {resource_type}"] += 1
        if fault:
            c["faults"] += 1
        return entry

    def since(self, seq: int, log: str | None = None) -> list[dict[str, Any]]:
        """Entries after `seq`. `log`: the id of the log the mark was taken from. 0 (no mark)
        means whatever the log still holds."""
        if log is not None and log != self.id:
            raise MarkError(f"the mark belongs to request log {log}, not to this azemu's ({self.id}): it was "
                            "taken from another azemu or before its state dir was reset")
        if seq > self.seq:
            raise MarkError(f"the mark {seq} is from the future: this log has only reached {self.seq}")
        if 0 < seq < self._dropped:
            raise MarkError(f"the requests after {seq} are no longer in the log (it keeps the last {MAX_ENTRIES}; "
                            f"it starts after {self._dropped})")
        return [e for e in self.entries if e["seq"] > seq]

    def counters_doc(self) -> dict[str, Any]:
        """{"seq", "log", "total", "writes", "faults", "by_kind": {}, "by_method": {}, "by_status": {},
        "by_type": {}}"""
        c = self.counters
        doc: dict[str, Any] = {"seq": self.seq, "log": self.id, "total": c["total"], "writes": c["writes"],
                               "faults": c["faults"], "by_kind": {}, "by_method": {}, "by_status": {}, "by_type": {}}
        groups = {"kind": "by_kind", "method": "by_method", "status": "by_status", "type": "by_type"}
        for key, value in sorted(self.counters.items()):
            prefix, _, rest = key.partition(":")
            if prefix in groups:
                doc[groups[prefix]][rest] = value
        return doc
