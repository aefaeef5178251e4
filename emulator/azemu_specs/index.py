"""The spec index: Azure's Swagger 2.0 files, as (method, path) -> operation -> responses.

Every `*.json` under `<reference>/specs/` that has `"swagger": "2.0"` is loaded (examples are
not specs). A path template matches a request path segment by segment: literal segments
case-insensitively (ARM routes so), `{param}` segments any one segment, and a parameter
declared `x-ms-skip-url-encoding` (Deployments' `{scope}`) one or more segments. When several
templates match, the one with the most literal segments wins, so `/resourcegroups/{rg}/...
/deployments/{name}` beats `/{scope}/.../deployments/{name}`. `x-ms-paths` keys carry a query
(`...versions?$expand=Properties`): they match only when the request has those parameters.
Two files answering the same (method, template) keep the newer `info.version`.

`$ref`s resolve across the loaded files; a ref into a file that is not there (the
`common-types/...` files were not copied, nor some Network siblings such as `natGateway.json`)
resolves to None, and the caller decides what stands in for it (`schema.py`: accept anything)
and counts it in `missing_refs`, so a reduced check is always reported, never silent.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

METHODS = ("get", "put", "patch", "post", "delete", "head")


@dataclass(frozen=True)
class Segment:
    text: str            # literal (lower-cased) or parameter name
    param: bool = False
    multi: bool = False  # matches one or more segments


@dataclass
class Operation:
    id: str                       # operationId, e.g. "LoadBalancers_CreateOrUpdate"
    method: str                   # upper case
    template: str                 # the spec's path, e.g. "/subscriptions/{subscriptionId}/..."
    file: str                     # spec file, relative to specs/ ("network/2024-05-01/loadBalancer.json")
    version: str                  # info.version of that file
    responses: dict[str, Any]     # "200" | "default" | ... -> the response object
    long_running: bool = False
    final_state_via: str | None = None
    query: tuple[tuple[str, str], ...] = ()     # x-ms-paths query conditions
    segments: tuple[Segment, ...] = field(default=(), repr=False)

    @property
    def literals(self) -> int:
        return sum(not s.param for s in self.segments)


class SpecIndex:
    def __init__(self, specs_dir: Path):
        self.specs_dir = Path(specs_dir)
        self.files: dict[str, dict[str, Any]] = {}
        for path in sorted(self.specs_dir.rglob("*.json")):
            if "examples" in path.relative_to(self.specs_dir).parts:
                continue
            doc = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(doc, dict) and doc.get("swagger") == "2.0":
                self.files[path.relative_to(self.specs_dir).as_posix()] = doc
        self.missing_refs: Counter[str] = Counter()      # "file#pointer" -> refs to it, over all files
        for file, doc in self.files.items():
            for ref in _refs(doc):
                if self.resolve(file, ref) is None:
                    self.missing_refs[self.ref_target(file, ref)[0] + "#" + ref.partition("#")[2]] += 1
        self.operations: list[Operation] = []
        self._load_operations()

    # --- $ref ------------------------------------------------------------------------------

    def ref_target(self, file: str, ref: str) -> tuple[str, str]:
        """(file, JSON pointer) a `$ref` written in `file` points at."""
        target, _, pointer = ref.partition("#")
        if target:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(file), target))
        return (target or file), pointer

    def resolve(self, file: str, ref: str) -> tuple[str, str, Any] | None:
        """(file, pointer, node) of a `$ref`, or None when its file is not in the reference."""
        target, pointer = self.ref_target(file, ref)
        doc = self.files.get(target)
        if doc is None:
            return None
        node: Any = doc
        for part in pointer.lstrip("/").split("/") if pointer.strip("/") else ():
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return target, pointer, node

    # --- operations ------------------------------------------------------------------------

    def _load_operations(self) -> None:
        chosen: dict[tuple[str, str, tuple], Operation] = {}
        for file, doc in self.files.items():
            version = str(doc.get("info", {}).get("version", ""))
            for key in ("paths", "x-ms-paths"):
                for raw_path, item in (doc.get(key) or {}).items():
                    path, _, query = raw_path.partition("?")
                    shared = item.get("parameters", [])
                    for method in METHODS:
                        op = item.get(method)
                        if op is None:
                            continue
                        params = [self._parameter(file, p) for p in [*shared, *op.get("parameters", [])]]
                        multi = {p["name"] for p in params if p and p.get("in") == "path"
                                 and p.get("x-ms-skip-url-encoding")}
                        options = op.get("x-ms-long-running-operation-options") or {}
                        operation = Operation(
                            id=op.get("operationId", f"{method.upper()} {path}"), method=method.upper(),
                            template=raw_path, file=file, version=version, responses=op.get("responses", {}),
                            long_running=bool(op.get("x-ms-long-running-operation")),
                            final_state_via=options.get("final-state-via"),
                            query=tuple(sorted((k.lower(), v.lower()) for k, v in parse_qsl(query))),
                            segments=parse_template(path, multi))
                        slot = (operation.method, "/".join(s.text if not s.param else "{}" for s in
                                                           operation.segments), operation.query)
                        if slot not in chosen or chosen[slot].version < version:
                            chosen[slot] = operation
        self.operations = list(chosen.values())
        self._by_method: dict[str, list[Operation]] = {}
        for op in self.operations:
            self._by_method.setdefault(op.method, []).append(op)

    def _parameter(self, file: str, param: dict[str, Any]) -> dict[str, Any] | None:
        if "$ref" not in param:
            return param
        found = self.resolve(file, param["$ref"])
        return found[2] if found else None      # a common-types parameter: api-version, subscriptionId

    def match(self, method: str, path: str, query: str = "") -> Operation | None:
        """The operation that serves `method path?query`, or None."""
        return self._match(method.upper(), path.lower().strip("/"), _query_keys(query))

    @lru_cache(maxsize=4096)
    def _match(self, method: str, path: str, query: frozenset[tuple[str, str]]) -> Operation | None:
        segs = [s for s in path.split("/") if s]
        best: Operation | None = None
        for op in self._by_method.get(method, ()):
            if op.query and not set(op.query) <= query:
                continue
            if _segments_match(op.segments, segs):
                rank = (len(op.query), op.literals, -sum(s.multi for s in op.segments))
                if best is None or rank > (len(best.query), best.literals, -sum(s.multi for s in best.segments)):
                    best = op
        return best


def _refs(node: Any):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def parse_template(path: str, multi: set[str]) -> tuple[Segment, ...]:
    out = []
    for seg in (s for s in path.split("/") if s):
        m = re.fullmatch(r"\{([^}]+)\}", seg)
        out.append(Segment(m.group(1), True, m.group(1) in multi) if m else Segment(seg.lower()))
    return tuple(out)


def _segments_match(template: tuple[Segment, ...], segs: list[str]) -> bool:
    if not template:
        return not segs
    head, rest = template[0], template[1:]
    if head.multi:
        return any(_segments_match(rest, segs[n:]) for n in range(1, len(segs) - len(rest) + 1))
    if not segs:
        return False
    return (head.param or head.text == segs[0]) and _segments_match(rest, segs[1:])


def _query_keys(query: str) -> frozenset[tuple[str, str]]:
    return frozenset((k.lower(), v.lower()) for k, v in parse_qsl(query, keep_blank_values=True))
