"""The persisted state: every stored resource and every long-running operation.

One JSON file (`state.json` in the state dir), rewritten atomically after each change, so a
stopped azemu restarts with everything it had. Resources are keyed by their id in lower case
(ARM ids are case-insensitive); the stored body keeps the casing the client used at creation.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

STATE_VERSION = 1


@dataclass
class Record:
    """One stored resource: its ARM body, its type and state the client never sees directly."""
    body: dict[str, Any]
    type_key: str                                   # "microsoft.network/loadbalancers"
    internal: dict[str, Any] = field(default_factory=dict)
    op: str | None = None                           # latest operation still running on it
    created: str | None = None                      # ISO times, for the /resources $expand
    changed: str | None = None

    @property
    def id(self) -> str:
        return self.body["id"]

    @property
    def key(self) -> str:
        return self.body["id"].lower()

    def to_json(self) -> dict[str, Any]:
        return {"body": self.body, "type": self.type_key, "internal": self.internal, "op": self.op,
                "created": self.created, "changed": self.changed}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Record":
        return cls(body=data["body"], type_key=data["type"], internal=data.get("internal", {}), op=data.get("op"),
                   created=data.get("created"), changed=data.get("changed"))


class Store:
    def __init__(self, path: Path):
        self.path = path
        self.records: dict[str, Record] = {}
        self.operations: dict[str, dict[str, Any]] = {}
        if path.exists():
            data = json.loads(path.read_text())
            self.records = {k: Record.from_json(v) for k, v in data.get("resources", {}).items()}
            self.operations = data.get("operations", {})

    def get(self, resource_id: str) -> Record | None:
        return self.records.get(resource_id.lower())

    def put(self, record: Record) -> None:
        self.records[record.key] = record

    def remove(self, resource_id: str) -> list[Record]:
        """Remove a resource and everything stored under its id; returns what was removed."""
        key = resource_id.lower()
        gone = [r for k, r in self.records.items() if k == key or k.startswith(key + "/")]
        for record in gone:
            del self.records[record.key]
        return gone

    def under(self, prefix: str) -> Iterator[Record]:
        """Records whose id starts with `prefix/` (everything in a group, children of a parent)."""
        prefix = prefix.lower().rstrip("/") + "/"
        return (r for k, r in list(self.records.items()) if k.startswith(prefix))

    def all(self) -> Iterator[Record]:
        return iter(list(self.records.values()))

    def save(self) -> None:
        data = {
            "version": STATE_VERSION,
            "resources": {k: r.to_json() for k, r in self.records.items()},
            "operations": self.operations,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".state-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(data, f, separators=(",", ":"))
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
