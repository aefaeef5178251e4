"""The ARM front door: one catch-all handler that authenticates, checks api-version and the
subscription, routes the (case-insensitive) path and serves resources of any registered type.

Routes:
  /tenants, /subscriptions, /subscriptions/{sub}                         (groups.py)
  /subscriptions/{sub}/resourcegroups[/{rg}[/resources]]                 (groups.py)
  /subscriptions/{sub}/resources, /subscriptions/{sub}/operationresults/{id}  (groups.py)
  /subscriptions/{sub}/providers[/{ns}[/register]]                       (groups.py)
  /subscriptions/{sub}/providers/{ns}/locations/{loc}/operations|operationResults/{id}
  /subscriptions/{sub}/providers/{ns}/locations/{loc}/{pattern...}       registry.location_endpoint
  /subscriptions/{sub}/providers/{ns}/{type}                             list in subscription
  /subscriptions/{sub}/resourcegroups/{rg}/providers/{ns}/{type}         list in group
  .../providers/{ns}/{type}/{name}[/{child}/{name}...]                   one resource
  .../providers/{ns}/{type}/{name}[/{child}/{name}...]/{child}           list children
  .../providers/{ns}/{type}/{name}[/{child}/{name}...]/{action}          action
"""

from __future__ import annotations

import re

from aiohttp import web

from ..errors import ArmError
from ..hosts import addressed
from ..identity.armauth import check_subscription, check_token
from . import conditions, engine, groups, registry
from .context import Ctx, Res, render
from .http import BODY_KEY, json_body, operation_headers, respond, retry_after
from .lro import SUCCEEDED
from .paging import page
from .regions import REGIONS
from .resource_type import ResourceType

API_VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-[A-Za-z0-9.]+)?$")


async def arm_entry(request: web.Request) -> web.StreamResponse:
    """The only await of an ARM request: its whole body, before any state is read. azemu is one
    asyncio loop, so everything after it (read the resource, check If-Match, write) is one
    step no other request can interleave with: conditional writes are atomic on every route."""
    request[BODY_KEY] = await request.read()
    return route(request)


def route(request: web.Request) -> web.StreamResponse:
    emu = request.app["emu"]
    emu.ops.settle()
    names = addressed(request)
    claims = check_token(emu, request.headers.get("Authorization"), names)
    api_version = request.query.get("api-version")
    if not api_version:
        raise ArmError.missing_api_version()
    if not API_VERSION_RE.match(api_version):
        raise ArmError.invalid_api_version(api_version)
    ctx = Ctx(emu, api_version=api_version, query=request.query, request=request)
    segs = [s for s in request.path.split("/") if s]
    low = [s.lower() for s in segs]
    n = len(segs)
    if low == ["tenants"]:
        return groups.tenants(ctx, claims)
    if low[0] != "subscriptions":
        raise ArmError.no_route(request.path)
    if n == 1:
        return groups.subscriptions(ctx, claims)
    sub = segs[1]
    check_subscription(emu, claims, sub, names)
    if n == 2:
        return groups.subscription(ctx, sub)
    if low[2] == "resourcegroups":
        if n == 3:
            return groups.list_groups(ctx, sub)
        rg = segs[3]
        if n == 4:
            return groups.group(ctx, sub, rg)
        if n == 5 and low[4] == "resources":
            return groups.list_resources(ctx, sub, rg)
        if n >= 7 and low[4] == "providers":
            return resource_request(ctx, sub, rg, segs[5], segs[6:])
        if n >= 6 and low[4] == "deployments":
            # DeploymentOperations_List/Get in the spec have no /providers/Microsoft.Resources.
            return resource_request(ctx, sub, rg, "Microsoft.Resources", segs[4:])
    elif low[2] == "resources" and n == 3:
        return groups.list_resources(ctx, sub, None)
    elif low[2] == "operationresults" and n == 4:
        return groups.operation_result(ctx, sub, segs[3])
    elif low[2] == "providers":
        if n <= 5 and (n < 5 or low[4] == "register"):
            return groups.providers(ctx, sub, segs[3] if n > 3 else None, register=n == 5)
        if n == 8 and low[4] == "locations" and low[6] in ("operations", "operationresults"):
            return operation(ctx, sub, segs[7], result=low[6] == "operationresults"
                             or request.query.get("monitor", "").lower() == "true")
        if n >= 7 and low[4] == "locations":
            return location_request(ctx, sub, segs[3], segs[5], segs[6:])
        if n == 5:
            real = registry.real_type(_namespace(ctx, segs[3]), segs[4])
            if real:
                return absent_type_request(ctx, real, None, segs[4:])
            rtype = _top_type(ctx, segs[3], segs[4])
            scoped = "subscription" in rtype.list_scopes      # deployments: only those at subscription scope
            return _list(ctx, rtype, [r for r in ctx.store.under(f"/subscriptions/{sub}")
                                      if scoped and r.type_key == rtype.key])
    raise ArmError.no_route(request.path)


def location_request(ctx: Ctx, sub: str, ns: str, location: str, rest: list[str]) -> web.Response:
    """GET .../providers/{ns}/locations/{loc}/{rest...}, served by a registry.location_endpoint."""
    canonical = _namespace(ctx, ns)
    found = registry.location_handler(canonical, rest)
    type_name = "/".join(["locations"] + rest[0::2])
    if found is None:
        raise ArmError.invalid_resource_type(type_name, canonical, ctx.api_version)
    endpoint, params = found
    ctx.request["azemu_type"] = f"{canonical}/{endpoint.type_name}"
    if ctx.request.method != "GET":
        raise ArmError.method_not_allowed(ctx.request.method)
    region = "".join(location.split()).lower()
    if region not in REGIONS:
        raise ArmError(404, "NoRegisteredProviderFound",
                       f"No registered resource provider found for location '{location}' and API version "
                       f"'{ctx.api_version}' for type '{endpoint.type_name}'.")
    return respond(endpoint.fn(ctx, sub, region, **params))


def _namespace(ctx: Ctx, ns: str) -> str:
    canonical = registry.namespace(ns)
    if canonical is None:
        raise ArmError.invalid_namespace(ns)
    return canonical


def _top_type(ctx: Ctx, ns: str, type_seg: str) -> ResourceType:
    canonical = _namespace(ctx, ns)
    rtype = registry.get(f"{canonical}/{type_seg}")
    if rtype is None or not rtype.is_top_level:
        raise ArmError.invalid_resource_type(type_seg, canonical, ctx.api_version)
    ctx.request["azemu_type"] = rtype.full_type
    return rtype


def _list(ctx: Ctx, rtype: ResourceType, records) -> web.Response:
    if ctx.request.method != "GET":
        raise ArmError.method_not_allowed(ctx.request.method)
    items = [render(ctx, Res(rtype, r.body, r)) for r in records]
    return respond(page(ctx.request, items, ctx.settings.page_size))


def resource_request(ctx: Ctx, sub: str, rg: str, ns: str, rest: list[str]) -> web.StreamResponse:
    request = ctx.request
    real = registry.real_type(_namespace(ctx, ns), rest[0])
    if real:
        groups.require_group(ctx, sub, rg, write=request.method not in ("GET", "HEAD"))
        return absent_type_request(ctx, real, rg, rest)
    top = _top_type(ctx, ns, rest[0])
    group = groups.require_group(ctx, sub, rg, write=request.method not in ("GET", "HEAD"))
    if len(rest) == 1:
        scope = group.id
        return _list(ctx, top, [r for r in ctx.store.under(scope) if r.type_key == top.key])
    if len(rest) == 4 and rest[2].lower() == "operationstatuses":
        return operation(ctx, sub, rest[3], result=False)     # {id}/operationStatuses/{op}: DEPLOYMENTS style
    rtype = top
    new_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{top.provider}/{top.type}/{rest[1]}"
    record = ctx.store.get(new_id)
    res: Res | None = Res(top, record.body, record) if record else None
    parent: Res | None = None
    missing_ancestor = False
    i = 2
    while i < len(rest):
        seg = rest[i]
        ctype = registry.child(rtype, seg)
        last = i == len(rest) - 1
        if ctype is None:
            if last and seg.lower() in rtype.actions:
                return action_request(ctx, rtype, res, rtype.actions[seg.lower()], new_id)
            raise ArmError.invalid_resource_type("/".join(rest[0:i + 1:2]), top.provider, ctx.api_version)
        request["azemu_type"] = ctype.full_type
        if last:
            return _list_children(ctx, ctype, res)
        parent = res
        missing_ancestor = missing_ancestor or parent is None
        name = rest[i + 1]
        new_id = f"{parent.id if parent else new_id}/{ctype.segment}/{name}"
        if parent is None:
            res = None
        elif ctype.embedded:
            res = parent.child(ctype.segment, name)
        else:
            child_record = ctx.store.get(new_id)
            res = Res(ctype, child_record.body, child_record, parent) if child_record else None
        rtype = ctype
        i += 2
    return instance_request(ctx, rtype, res, parent, rest[-1], new_id, missing_ancestor)


def absent_type_request(ctx: Ctx, full_type: str, rg: str | None, rest: list[str]) -> web.Response:
    """A type Azure has and azemu does not emulate (registry.real_types): no resource of it
    exists, so azemu answers as Azure does then: lists are empty, a GET, PATCH or action 404
    ResourceNotFound (where an unknown type is InvalidResourceType, which stops clients that
    probe for a resource, such as `az vm create --image NAME` looking for a managed image), a
    DELETE 204. Only a create is refused, saying why (ArmError.not_emulated)."""
    method = ctx.request.method
    ctx.request["azemu_type"] = full_type
    if method == "PUT":
        raise ArmError.not_emulated(full_type)
    if len(rest) == 1:
        if method != "GET":
            raise ArmError.method_not_allowed(method)
        return respond(page(ctx.request, [], ctx.settings.page_size))
    if method == "HEAD":
        return web.Response(status=404)
    if method == "DELETE":
        return web.Response(status=204)
    raise ArmError.resource_not_found(full_type, rest[1], rg)


def _not_found(rtype: ResourceType, name: str, res_id: str) -> ArmError:
    if rtype.is_top_level:
        return ArmError.resource_not_found(rtype.full_type, name, res_id.split("/")[4])
    return ArmError.child_not_found(res_id)


def _list_children(ctx: Ctx, ctype: ResourceType, parent: Res | None) -> web.Response:
    if ctx.request.method != "GET":
        raise ArmError.method_not_allowed(ctx.request.method)
    if parent is None:
        raise ArmError(404, "ResourceNotFound", "The parent resource was not found.")
    if ctype.embedded:
        children = parent.children(ctype.segment)
    else:
        children = [Res(ctype, r.body, r, parent) for r in ctx.store.under(parent.id)
                    if r.type_key == ctype.key and r.key.rsplit("/", 2)[0] == parent.id.lower()]
    items = [render(ctx, c) for c in children]
    return respond(page(ctx.request, items, ctx.settings.page_size))


def instance_request(ctx: Ctx, rtype: ResourceType, res: Res | None, parent: Res | None, name: str,
                           new_id: str, missing_ancestor: bool) -> web.StreamResponse:
    request = ctx.request
    method = request.method
    request["azemu_type"] = rtype.full_type
    if method not in rtype.methods:
        raise ArmError.method_not_allowed(method)
    if method in ("GET", "HEAD"):
        if res is None:
            if method == "HEAD":
                return web.Response(status=404)
            raise _not_found(rtype, name, new_id)
        if method == "HEAD":
            return web.Response(status=204)
        headers = {"ETag": res.etag} if rtype.has_etag and res.etag else None
        return respond(render(ctx, res), 200, headers)
    if method == "DELETE":
        # If-Match on a resource that is gone fails (RFC 9110 13.1.1): a delete that read it
        # must not be told it deleted it when another did.
        conditions.check(request.headers, res.etag if res else None, res is not None)
        if res is None:
            return web.Response(status=rtype.delete_missing_status)
        op = engine.delete(ctx, res)
        if op is None:
            return web.Response(status=rtype.sync_delete_status)
        return web.Response(status=202, headers=operation_headers(ctx, op, ctx.emu.ops.style(op).delete_headers))
    if method not in ("PUT", "PATCH"):
        raise ArmError.method_not_allowed(method)
    if missing_ancestor:
        raise ArmError.parent_not_found(new_id.rsplit("/", 2)[0])
    body = json_body(request)
    if method == "PATCH":
        if res is None:
            raise _not_found(rtype, name, new_id)
        if not isinstance(body, dict):
            raise ArmError.invalid_content("the patch must be a JSON object")
        conditions.check(request.headers, res.etag, True)
        body = rtype.patch(ctx, res, body)
        long_running = rtype.long_running_patch
    else:
        conditions.check(request.headers, res.etag if res else None, res is not None)
        if res is None:
            rtype.check_name(ctx, name)
        long_running = None
    if rtype.embedded:
        owner, op = engine.write_embedded(ctx, parent, rtype, name, body)
        result = ctx.resolve(new_id if res is None else res.id)
    else:
        result, op = engine.write(ctx, rtype, res.id if res else new_id, res.name if res else name, body, res,
                                  parent, long_running=long_running)
    status = 200 if res is not None else rtype.create_status
    headers = operation_headers(ctx, op, ctx.emu.ops.style(op).put_headers) if op else None
    return respond(render(ctx, result), status, headers)


def action_request(ctx: Ctx, rtype: ResourceType, res: Res | None, spec, target_id: str) -> web.StreamResponse:
    request = ctx.request
    request["azemu_type"] = f"{rtype.full_type}/{spec.name}"
    request["azemu_read_only"] = spec.read_only
    if request.method != spec.method:
        raise ArmError.method_not_allowed(request.method)
    if res is None and spec.requires_resource:
        raise ArmError(404, "ResourceNotFound", "The resource the action was requested on was not found.")
    ctx.target_id = res.id if res else target_id
    if spec.method != "GET":
        conditions.check(request.headers, res.etag if res else None, res is not None)
    body = json_body(request, required=False) if spec.method != "GET" else None
    if not spec.long_running:
        result = spec.begin(rtype, ctx, res, body)
        ctx.emu.save()
        return respond(result, spec.status)
    engine.ensure_writable(ctx, res)
    state = spec.begin(rtype, ctx, res, body)
    op = ctx.emu.ops.start(ctx, kind="action", target=res, rtype=rtype, target_id=ctx.target_id,
                           action=spec.name.lower(), state=state)
    ctx.emu.save()
    return web.Response(status=202, headers=operation_headers(ctx, op, ctx.emu.ops.style(op).action_headers))


def operation(ctx: Ctx, sub: str, op_id: str, *, result: bool) -> web.Response:
    """Poll an operation: its status document, or (result=True) the Location semantics."""
    emu = ctx.emu
    op = emu.ops.get(op_id)
    if op is None or op.subscription.lower() != sub.lower():
        raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
    style = emu.ops.style(op)
    if not result:
        headers = None if op.done else {"Retry-After": retry_after(emu)}
        return respond(style.status_body(op), 200, headers)
    return operation_result(ctx, op)


def operation_result(ctx: Ctx, op) -> web.Response:
    emu = ctx.emu
    style = emu.ops.style(op)
    if not op.done:
        return web.Response(status=202, headers=operation_headers(ctx, op, style.result_headers))
    headers = operation_headers(ctx, op, style.result_headers, running=False)
    if op.status != SUCCEEDED:
        return respond({"error": op.error}, op.error_status, headers)
    if op.result is not None:
        return respond(op.result, 200, headers)
    return web.Response(status=style.done_status, headers=headers, content_type="application/json")
