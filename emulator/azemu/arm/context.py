"""What resource-type hooks get: `Res`, a handle on one resource, and `Ctx`, the request's view
of the emulator (store queries, settings, time)."""

from __future__ import annotations

import copy
import re
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator

from ..hosts import Names, addressed
from ..store import Record
from . import registry
from .resource_type import ResourceType

if TYPE_CHECKING:
    from ..emulator import Emulator

ID_RE = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)(?:/providers/([^/]+)/(.+))?$", re.I)


class Res:
    """One resource: a top-level or separately stored child (own `Record`), or an embedded
    child (a dict inside its parent's body). `body` is the stored dict itself: change it in
    `fill`, in action hooks or in `on_provisioned`, and the framework saves it."""

    def __init__(self, rtype: ResourceType, body: dict[str, Any], record: Record | None,
                 parent: "Res | None" = None):
        self.rtype = rtype
        self.body = body
        self.record = record          # the Record that stores this body (the parent's, if embedded)
        self.parent = parent

    id = property(lambda self: self.body.get("id", ""))
    name = property(lambda self: self.body.get("name", ""))
    etag = property(lambda self: self.body.get("etag"))
    location = property(lambda self: self.body.get("location") or (self.parent.location if self.parent else None))

    @property
    def props(self) -> dict[str, Any]:
        return self.body.setdefault("properties", {})

    @property
    def provisioning_state(self) -> str | None:
        return self.body.get("properties", {}).get("provisioningState")

    @property
    def internal(self) -> dict[str, Any]:
        """Persisted state the client never sees as such (power state, allocations)."""
        if self.record is None:
            raise RuntimeError("internal state exists once the resource is stored")
        if not self.rtype.embedded:
            return self.record.internal
        slot = f"{self.rtype.segment}/{self.name}".lower()
        return self.record.internal.setdefault("children", {}).setdefault(slot, {})

    @property
    def subscription(self) -> str:
        return self.id.split("/")[2]

    @property
    def resource_group(self) -> str:
        return self.id.split("/")[4]

    @property
    def top(self) -> "Res":
        return self.parent.top if self.parent else self

    def children(self, segment: str) -> "list[Res]":
        """Embedded children of this resource in the collection `segment` ("probes")."""
        ctype = registry.child(self.rtype, segment)
        if ctype is None or not ctype.embedded:
            raise KeyError(f"{self.rtype.full_type} has no embedded child type '{segment}'")
        items = self.body.get("properties", {}).get(ctype.collection) or []
        return [Res(ctype, item, self.record, self) for item in items]

    def child(self, segment: str, name: str) -> "Res | None":
        for c in self.children(segment):
            if c.name.lower() == name.lower():
                return c
        return None

    def __repr__(self) -> str:
        return f"<Res {self.id}>"


def input_view(res: Res) -> dict[str, Any]:
    """The stored body as a client would PUT it back (a deep copy)."""
    return copy.deepcopy(res.body)


class Ctx:
    def __init__(self, emu: "Emulator", *, api_version: str = "", query: Any = None, request: Any = None):
        self.emu = emu
        self.api_version = api_version
        self.query = query if query is not None else {}
        self.request = request
        self.operation = None     # the Operation being completed, inside completion hooks
        self.target_id = None     # the id an action was requested on (also when nothing is stored there)

    store = property(lambda self: self.emu.store)
    settings = property(lambda self: self.emu.settings)

    @property
    def names(self) -> Names:
        """How the client addressed azemu; outside a request (operations completing), azemu's own URL."""
        return addressed(self.request) if self.request is not None else Names(self.emu.url, False)

    url = property(lambda self: self.names.base)     # the base URL of URLs in responses

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    @staticmethod
    def now_iso() -> str:
        return iso(datetime.now(timezone.utc))

    @staticmethod
    def new_guid() -> str:
        return str(uuid.uuid4())

    def resolve(self, resource_id: str) -> Res | None:
        """Find any resource by id (case-insensitive), including embedded children."""
        m = ID_RE.match(resource_id or "")
        if not m or not m.group(3):
            return None
        sub, rg, ns, rest = m.groups()
        segs = rest.split("/")
        if len(segs) % 2:
            return None
        key = f"{ns}/{segs[0]}".lower()
        rtype = registry.get(key)
        if rtype is None:
            return None
        top_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{segs[0]}/{segs[1]}"
        record = self.store.get(top_id)
        if record is None:
            return None
        res = Res(rtype, record.body, record)
        for i in range(2, len(segs), 2):
            ctype = registry.child(res.rtype, segs[i])
            if ctype is None:
                return None
            if ctype.embedded:
                nxt = res.child(ctype.segment, segs[i + 1])
            else:
                rec = self.store.get(f"{res.id}/{ctype.segment}/{segs[i + 1]}")
                nxt = Res(ctype, rec.body, rec, res) if rec else None
            if nxt is None:
                return None
            res = nxt
        return res

    def resources(self, type_key: str, scope: str | None = None) -> list[Res]:
        """Stored resources of a top-level or separately stored type ("Microsoft.Network/
        publicIPAddresses"), optionally under a scope id (a resource group, a parent)."""
        rtype = registry.get(type_key)
        if rtype is None:
            return []
        out = []
        for record in (self.store.under(scope) if scope else self.store.all()):
            if record.type_key == rtype.key:
                out.append(self.resolve(record.id) if rtype.parent_type else Res(rtype, record.body, record))
        return [r for r in out if r is not None]

    def referrers(self, target_id: str, *, exclude_self: bool = True) -> list[tuple[Res, str]]:
        """Who points at `target_id` (or at anything under it) with a `{"id": ...}` reference:
        [(top-level resource holding the reference, JSON path of the reference)]. The basis
        for back-references in `render` and for in-use checks in `check_delete`."""
        target = target_id.lower()
        hits = []
        for record in self.store.all():
            if exclude_self and (record.key == target or record.key.startswith(target + "/")
                                 or target.startswith(record.key + "/")):
                continue
            rtype = registry.get(record.type_key)
            if rtype is None or not rtype.refers:
                continue
            for path, ref in _references(record.body.get("properties", {}), "properties"):
                low = ref.lower()
                if low == target or low.startswith(target + "/"):
                    hits.append((Res(rtype, record.body, record), path))
        return hits

    def in_group(self, subscription: str, resource_group: str) -> Iterator[Record]:
        return self.store.under(f"/subscriptions/{subscription}/resourceGroups/{resource_group}")


def _references(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        ref = value.get("id")
        # A SubResource reference is {"id": ...} (maybe with "properties"); a resource or an
        # embedded child carries its own id next to a name.
        if isinstance(ref, str) and ref.startswith("/") and "name" not in value:
            yield path, ref
        for k, v in value.items():
            if k != "id":
                yield from _references(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _references(v, f"{path}[{i}]")


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds").replace("+00:00", "Z")


def render(ctx: Ctx, res: Res) -> dict[str, Any]:
    """The response body of a resource: a copy of the stored body, children rendered by their
    type, then the type's own render hook."""
    out = copy.deepcopy(res.body)
    _render_into(ctx, res, out)
    return out


def _render_into(ctx: Ctx, res: Res, out: dict[str, Any]) -> None:
    for ctype in res.rtype.embedded_children():
        items = out.get("properties", {}).get(ctype.collection)
        if isinstance(items, list):
            for child, item_out in zip(res.children(ctype.segment), items):
                _render_into(ctx, child, item_out)
    res.rtype.render(ctx, res, out)
