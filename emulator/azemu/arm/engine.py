"""Writes and deletes, independent of HTTP: turn a client body into the stored resource, give
it a new etag and provisioningState, start its operation, cascade deletes.

A write to an embedded child (PUT/DELETE `loadBalancers/lb/probes/p`) is a write of the
stored resource that holds it with that one child replaced or removed, so the parent's
validation (cross-references between children) runs on every change, and the parent and all
its children share one new etag, as in Azure's Network provider.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..errors import ArmError
from ..store import Record
from . import registry
from .context import ID_RE, Ctx, Res
from .lro import FAILED, Operation
from .operations import claim, completes
from .regions import REGIONS
from .resource_type import ResourceType, input_view

FRAMEWORK_KEYS = ("id", "etag", "type")


def new_etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def normalize_location(value: Any) -> str:
    """Azure stores "East US" as "eastus"."""
    if not isinstance(value, str) or not value.strip():
        raise ArmError.location_required()
    return "".join(value.split()).lower()


def descendants(res: Res) -> list[Res]:
    """The resource and all its embedded children, depth first."""
    out = [res]
    for ctype in res.rtype.embedded_children():
        for child in res.children(ctype.segment):
            out.extend(descendants(child))
    return out


def set_state(res: Res, state: str, etag: str | None) -> None:
    for r in descendants(res):
        if "properties" in r.body or r is res:
            r.props["provisioningState"] = state
        if etag and r.rtype.has_etag:
            r.body["etag"] = etag


def _strip(rtype: ResourceType, body: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in body.items() if k not in FRAMEWORK_KEYS}
    props = clean.get("properties")
    if isinstance(props, dict):
        clean["properties"] = {k: v for k, v in props.items()
                               if k != "provisioningState" and k not in rtype.read_only}
    return clean


def build(ctx: Ctx, rtype: ResourceType, body: Any, current: Res | None, rid: str, name: str,
          record: Record, parent: Res | None) -> dict[str, Any]:
    """Validate and normalise `body` into the body to store (recursing into embedded children)."""
    if not isinstance(body, dict):
        raise ArmError.invalid_content("the resource must be a JSON object")
    new = rtype.validate(ctx, _strip(rtype, body), current)
    stored: dict[str, Any] = {"name": name, "id": rid}
    if rtype.has_etag:
        stored["etag"] = current.etag if current else None
    stored["type"] = rtype.full_type
    props = new.pop("properties", None)
    props = {} if props is None else props
    stored["properties"] = props
    for key, value in new.items():
        if key not in ("name", "location", "tags"):
            stored[key] = value
    res = Res(rtype, stored, record, parent)
    if parent is None:
        record.body = stored
    for ctype in rtype.embedded_children():
        if ctype.collection in rtype.read_only:
            continue
        items = props.get(ctype.collection)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise ArmError.invalid(f"'{ctype.collection}' must be an array.")
        existing = {c.name.lower(): c for c in current.children(ctype.segment)} if current else {}
        seen: set[str] = set()
        out = []
        for item in items:
            child_name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(child_name, str) or not child_name:
                raise ArmError.invalid(f"Each item of '{ctype.collection}' needs a name.")
            if child_name.lower() in seen:
                raise ArmError.bad_request(
                    "InvalidRequestFormat",
                    f"Cannot parse the request. Duplicate name '{child_name}' in '{ctype.collection}'.")
            seen.add(child_name.lower())
            out.append(build(ctx, ctype, item, existing.get(child_name.lower()),
                             f"{rid}/{ctype.segment}/{child_name}", child_name, record, res))
        props[ctype.collection] = out
    if current is not None:
        for key in rtype.read_only:
            if key in current.props and key not in props:
                props[key] = copy.deepcopy(current.props[key])
    if parent is None:
        # location and tags before fill, which checks references against the region.
        _top_fields(ctx, rtype, body, stored, current)
    rtype.fill(ctx, res, current)
    return stored


def _top_fields(ctx: Ctx, rtype: ResourceType, body: dict[str, Any], stored: dict[str, Any],
                current: Res | None) -> None:
    """location and tags, which only stored (non-embedded) resources carry."""
    ordered = {k: stored.pop(k) for k in list(stored) if k in ("name", "id", "etag", "type")}
    loc = body.get("location")
    if rtype.is_top_level and (rtype.location_required or loc is not None):
        if loc is None and current is not None:
            loc = current.body.get("location")
        location = normalize_location(loc)
        if location not in REGIONS and location != "global":
            raise ArmError.bad_request(
                "LocationNotAvailableForResourceType",
                f"The provided location '{location}' is not available for resource type '{rtype.full_type}'. "
                f"List of available regions for the resource type is '{','.join(sorted(REGIONS))}'.")
        if current is not None and current.body.get("location") and current.body["location"] != location:
            raise ArmError.bad_request(
                "InvalidResourceLocation",
                f"The resource '{current.name}' already exists in location '{current.body['location']}' in "
                f"resource group '{current.resource_group}'. A resource with the same name cannot be created "
                f"in location '{location}'. Please select a new resource name.")
        ordered["location"] = location
    if rtype.has_tags and "tags" in body:
        tags = body["tags"]
        if tags is not None:
            if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
                raise ArmError.invalid("The 'tags' member must be an object of string values.")
            ordered["tags"] = dict(tags)
    ordered.update(stored)
    stored.clear()
    stored.update(ordered)


def ensure_writable(ctx: Ctx, res: Res | None) -> None:
    """A write on a resource whose delete is still running is refused, as Network does."""
    if res is None or res.record is None or not res.record.op:
        return
    op = ctx.emu.ops.get(res.record.op)
    if op and not op.done and op.kind == "delete":
        raise ArmError.conflict(
            "AnotherOperationInProgress",
            f"Another operation on this or dependent resource is in progress. To retrieve status of the "
            f"operation use uri: {ctx.emu.ops.style(op).status_url(ctx.url, op)}.")


def write(ctx: Ctx, rtype: ResourceType, rid: str, name: str, body: Any, current: Res | None,
          parent: Res | None, *, long_running: bool | None = None) -> tuple[Res, Operation | None]:
    """PUT of a stored resource (top-level or separately stored child): store it, start its
    operation. Returns the stored resource and the operation (None when synchronous)."""
    ensure_writable(ctx, current)
    if not isinstance(body, dict):
        raise ArmError.invalid_content("the resource must be a JSON object")
    internal = copy.deepcopy(current.record.internal) if current else {}
    now = ctx.now_iso()
    record = Record(body={}, type_key=rtype.key, internal=internal,
                    created=current.record.created if current else now, changed=now)
    stored = build(ctx, rtype, body, current, rid, name, record, None)
    record.body = stored
    res = Res(rtype, stored, record, parent)
    lro = rtype.long_running if long_running is None else long_running
    etag = new_etag()
    if lro:
        set_state(res, rtype.updating_state if current else rtype.creating_state, etag)
    else:
        set_state(res, "Succeeded", etag)
        for r in descendants(res):
            r.rtype.on_provisioned(ctx, r)
    ops = ctx.emu.ops
    if current is not None and current.record.op:
        ops.supersede(current.record.op)
    ctx.store.put(record)
    op = None
    if lro:
        op = ops.start(ctx, kind="put", target=res, rtype=rtype)
        record.op = op.id
    ctx.emu.publish("write", ctx, res)
    ctx.emu.save()
    return res, op


def chain(res: Res) -> list[Res]:
    out = []
    node: Res | None = res
    while node is not None:
        out.append(node)
        node = node.parent
    return list(reversed(out))


def stored_owner(res: Res) -> Res:
    """The nearest resource (itself or an ancestor) that is its own record."""
    node = res
    while node.rtype.embedded:
        node = node.parent
    return node


def write_embedded(ctx: Ctx, parent: Res, ctype: ResourceType, name: str, body: Any | None
                   ) -> tuple[Res, Operation | None]:
    """PUT (body) or DELETE (body None) of an embedded child: rewrite its stored owner."""
    owner = stored_owner(parent)
    doc = input_view(owner)
    node = doc
    for step in chain(parent)[len(chain(owner)):]:
        items = node.get("properties", {}).get(step.rtype.collection, [])
        node = next(i for i in items if i.get("name", "").lower() == step.name.lower())
    items = node.setdefault("properties", {}).setdefault(ctype.collection, [])
    idx = next((i for i, it in enumerate(items) if it.get("name", "").lower() == name.lower()), None)
    if body is None:
        if idx is not None:
            items.pop(idx)
    else:
        if not isinstance(body, dict):
            raise ArmError.invalid_content("the resource must be a JSON object")
        item = dict(body)
        item["name"] = items[idx]["name"] if idx is not None else name
        if idx is None:
            items.append(item)
        else:
            items[idx] = item
    new_owner, op = write(ctx, owner.rtype, owner.id, owner.name, doc, owner, owner.parent)
    return new_owner, op


def delete(ctx: Ctx, res: Res) -> Operation | None:
    """DELETE of an existing resource. Returns its operation, None when done at once."""
    rtype = res.rtype
    rtype.check_delete(ctx, res)
    if rtype.embedded:
        _, op = write_embedded(ctx, res.parent, rtype, res.name, None)
        return op
    ensure_writable(ctx, res)
    ops = ctx.emu.ops
    if res.record.op:
        ops.supersede(res.record.op)
    if not rtype.is_long_running_delete:
        remove(ctx, res.id)
        ctx.emu.save()
        return None
    set_state(res, rtype.deleting_state, None)
    op = ops.start(ctx, kind="delete", target=res, rtype=rtype)
    res.record.op = op.id
    ctx.emu.save()
    return op


def remove(ctx: Ctx, resource_id: str) -> None:
    """Drop a stored resource and everything under it; tell each type."""
    for record in reversed(ctx.store.remove(resource_id)):
        rtype = registry.get(record.type_key)
        if rtype is None:
            continue
        res = Res(rtype, record.body, record)
        if record.op:
            ctx.emu.ops.supersede(record.op)
        rtype.on_deleted(ctx, res)
        ctx.emu.publish("delete", ctx, res)


def locate(ctx: Ctx, resource_id: str) -> tuple[ResourceType, Res | None, Res | None, str, str]:
    """What a PUT at `resource_id` would write, without HTTP (template deployments): the type,
    the stored resource (None: a create), the parent (None: top-level), the id to store under
    (canonical namespace and type casing) and the name. Raises what the routes raise for an
    unknown namespace or type or a missing parent."""
    m = ID_RE.match(resource_id or "")
    segs = m.group(4).split("/") if m and m.group(3) else []
    if not segs or len(segs) % 2:
        raise ArmError.no_route(resource_id)
    sub, rg, ns = m.group(1), m.group(2), m.group(3)
    canonical = registry.namespace(ns)
    if canonical is None:
        raise ArmError.invalid_namespace(ns)
    rtype = registry.get(f"{canonical}/{segs[0]}")
    if rtype is None or not rtype.is_top_level:
        raise registry.type_error(canonical, segs[0], ctx.api_version)
    rid = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{canonical}/{rtype.type}/{segs[1]}"
    parent = None
    for i in range(2, len(segs), 2):
        ctype = registry.child(rtype, segs[i])
        if ctype is None:
            raise ArmError.invalid_resource_type("/".join(segs[0:i + 1:2]), canonical, ctx.api_version)
        parent = ctx.resolve(rid)
        if parent is None:
            raise ArmError.parent_not_found(rid)
        rtype, rid = ctype, f"{parent.id}/{ctype.segment}/{segs[i + 1]}"
    return rtype, ctx.resolve(rid), parent, rid, segs[-1]


def put(ctx: Ctx, resource_id: str, body: Any) -> tuple[Res, Operation | None]:
    """PUT of any resource by id, as the routes do it: name rules on create, embedded children
    through their owner. Returns the resource and its operation (None when synchronous)."""
    rtype, current, parent, rid, name = locate(ctx, resource_id)
    if current is None:
        rtype.check_name(ctx, name)
    if rtype.embedded:
        _, op = write_embedded(ctx, parent, rtype, name, body)
        return ctx.resolve(rid), op
    return write(ctx, rtype, current.id if current else rid, current.name if current else name, body, current,
                 parent)


def check(ctx: Ctx, resource_id: str, body: Any) -> dict[str, Any]:
    """The body a PUT at `resource_id` would store, validated as a write validates it, without
    storing anything (preflight validation and what-if of template deployments)."""
    rtype, current, parent, rid, name = locate(ctx, resource_id)
    if current is None:
        rtype.check_name(ctx, name)
    record = Record(body={}, type_key=rtype.key, internal=copy.deepcopy(current.record.internal) if current else {})
    stored = build(ctx, rtype, body, current, current.id if current else rid, current.name if current else name,
                   record, parent)
    if not rtype.embedded:
        _top_fields(ctx, rtype, body, stored, current)
    return stored


# --- how the engine's operations end (registered with operations.py) -----------------------

def _target(ctx: Ctx, op: Operation) -> Res | None:
    rtype = registry.get(op.type_key)
    record = ctx.store.get(op.target)
    if rtype is None or record is None:
        return ctx.resolve(op.target)
    return Res(rtype, record.body, record)


def _fail_write(ctx: Ctx, op: Operation) -> None:
    """An injected failure of a write or delete leaves the resource in place, Failed."""
    if claim(ctx, op) is not None:
        set_state(_target(ctx, op), FAILED, new_etag())


@completes("put", fail=_fail_write)
def complete_put(ctx: Ctx, op: Operation) -> None:
    res = _target(ctx, op)
    if res is None or res.record is None or res.record.op != op.id:
        return
    try:
        for r in descendants(res):
            r.rtype.on_provisioned(ctx, r)
    except ArmError:
        res.record.op = None
        set_state(res, "Failed", new_etag())
        raise
    res.record.op = None
    set_state(res, "Succeeded", new_etag())
    ctx.emu.publish("provisioned", ctx, res)


@completes("delete", fail=_fail_write)
def complete_delete(ctx: Ctx, op: Operation) -> None:
    if claim(ctx, op) is not None:
        remove(ctx, op.target)
