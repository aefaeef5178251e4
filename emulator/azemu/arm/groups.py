"""Microsoft.Resources: subscriptions, tenants, providers, resource groups and the generic
`/resources` listings. These are ARM's own routes rather than a resource provider's, so they
are written out here instead of as ResourceTypes.

Resource groups behave as Azure's do: PUT is synchronous (201 create, 200 update) and returns
the group; HEAD answers 204/404 (the SDK's check_existence); DELETE answers 202 with a
`Location` under `/subscriptions/{sub}/operationresults/`, which answers 202 until the group
and everything in it are gone, then 200. A group being deleted refuses new writes. The lists'
`$filter` is filters.py's.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from aiohttp import web

from ..errors import ArmError
from ..store import Record
from . import conditions, registry
from .context import Ctx
from .filters import groups_filter, resources_filter
from .http import json_body, operation_headers, respond
from .lro import RESOURCES, ResourcesStyle
from .paging import page
from .regions import REGIONS

RG_TYPE = "Microsoft.Resources/resourceGroups"
RG_KEY = RG_TYPE.lower()
RG_NAME_RE = re.compile(r"^[-\w.()]{1,90}$")


def group_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def find_group(ctx: Ctx, sub: str, rg: str) -> Record | None:
    record = ctx.store.get(group_id(sub, rg))
    return record if record and record.type_key == RG_KEY else None


def deleting(record: Record) -> bool:
    return record.body.get("properties", {}).get("provisioningState") == "Deleting"


def require_group(ctx: Ctx, sub: str, rg: str, *, write: bool) -> Record:
    record = find_group(ctx, sub, rg)
    if record is None:
        raise ArmError.resource_group_not_found(rg)
    if write and deleting(record):
        raise ArmError.resource_group_being_deleted(record.body["name"])
    return record


def _groups(ctx: Ctx, sub: str) -> list[Record]:
    prefix = f"/subscriptions/{sub}/resourcegroups/".lower()
    return [r for r in ctx.store.all() if r.type_key == RG_KEY and r.key.startswith(prefix)]


# --- resource groups ------------------------------------------------------------------------

def render_group(record: Record) -> dict[str, Any]:
    return copy.deepcopy(record.body)


def list_groups(ctx: Ctx, sub: str) -> web.Response:
    ctx.request["azemu_type"] = RG_TYPE
    if ctx.request.method != "GET":
        raise ArmError.method_not_allowed(ctx.request.method)
    wanted = groups_filter(ctx.query.get("$filter"))
    items = [render_group(r) for r in _groups(ctx, sub) if wanted.keeps(r.body)]
    return respond(page(ctx.request, items, ctx.settings.page_size))


def group(ctx: Ctx, sub: str, rg: str) -> web.StreamResponse:
    request = ctx.request
    request["azemu_type"] = RG_TYPE
    method = request.method
    record = find_group(ctx, sub, rg)
    if method == "HEAD":
        return web.Response(status=204 if record else 404)
    if method == "GET":
        if record is None:
            raise ArmError.resource_group_not_found(rg)
        return respond(render_group(record))
    if method == "DELETE":
        if record is not None:
            conditions.check(request.headers, None, True)
        return delete_group(ctx, record, rg)
    if method not in ("PUT", "PATCH"):
        raise ArmError.method_not_allowed(method)
    body = json_body(request)
    if not isinstance(body, dict):
        raise ArmError.invalid_content("the resource group must be a JSON object")
    conditions.check(request.headers, None, record is not None)
    if method == "PATCH":
        if record is None:
            raise ArmError.resource_group_not_found(rg)
        merged = copy.deepcopy(record.body)
        for key in ("tags", "managedBy"):
            if key in body:
                merged[key] = body[key]
        body = merged
    return write_group(ctx, sub, rg, body, record, created_status=201 if method == "PUT" else 200)


def write_group(ctx: Ctx, sub: str, rg: str, body: dict[str, Any], record: Record | None,
                created_status: int) -> web.Response:
    if record is not None and deleting(record):
        raise ArmError.resource_group_being_deleted(record.body["name"])
    if record is None:
        bad = sorted({c for c in rg if not re.match(r"[-\w.()]", c)})
        if bad or not RG_NAME_RE.match(rg) or rg.endswith("."):
            raise ArmError.bad_request(
                "InvalidResourceGroup",
                f"The provided resource group name '{rg}' has these invalid characters: '{''.join(bad)}'. The name "
                "can only be a letter, digit, '-', '.', '(', ')' or '_'.")
    location = body.get("location")
    if not isinstance(location, str) or not location.strip():
        raise ArmError.location_required()
    location = "".join(location.split()).lower()
    if location not in REGIONS:
        raise ArmError.bad_request(
            "LocationNotAvailableForResourceGroup",
            f"The provided location '{location}' is not available for resource group. List of available regions "
            f"is '{','.join(sorted(REGIONS))}'.")
    if record is not None and record.body["location"] != location:
        raise ArmError.conflict(
            "InvalidResourceGroupLocation",
            f"Invalid resource group location '{location}'. The Resource group already exists in location "
            f"'{record.body['location']}'.")
    tags = body.get("tags")
    if tags is not None and (not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values())):
        raise ArmError.invalid_content("'tags' must be an object of string values")
    name = record.body["name"] if record else rg
    new: dict[str, Any] = {"id": group_id(sub, name), "name": name, "type": RG_TYPE, "location": location}
    if tags is not None:
        new["tags"] = dict(tags)
    if body.get("managedBy"):
        new["managedBy"] = body["managedBy"]
    new["properties"] = {"provisioningState": "Succeeded"}
    now = ctx.now_iso()
    ctx.store.put(Record(body=new, type_key=RG_KEY, created=record.created if record else now, changed=now))
    ctx.emu.save()
    return respond(copy.deepcopy(new), 200 if record else created_status)


def delete_group(ctx: Ctx, record: Record | None, rg: str) -> web.Response:
    if record is None:
        raise ArmError.resource_group_not_found(rg)
    op = ctx.emu.ops.get(record.op) if record.op else None
    if op is None or op.done:
        record.body["properties"]["provisioningState"] = "Deleting"
        op = ctx.emu.ops.start(ctx, kind="rg-delete", style=RESOURCES, target_id=record.id,
                               location=record.body["location"])
        record.op = op.id
        ctx.emu.save()
    return web.Response(status=202, headers=operation_headers(ctx, op, RESOURCES.delete_headers))


def complete_group_delete(ctx: Ctx, op) -> None:
    from .engine import remove
    record = ctx.store.get(op.target)
    if record is None or record.op != op.id:
        return
    record.op = None
    remove(ctx, record.id)


def operation_result(ctx: Ctx, sub: str, token: str) -> web.Response:
    from .handlers import operation_result as result_of
    op = ctx.emu.ops.get(token)
    if op is None or op.subscription.lower() != sub.lower() or not isinstance(ctx.emu.ops.style(op), ResourcesStyle):
        raise ArmError(404, "NotFound", f"The operation '{token}' could not be found.")
    return result_of(ctx, op)


# --- generic resource listings --------------------------------------------------------------

def list_resources(ctx: Ctx, sub: str, rg: str | None) -> web.Response:
    """GET .../resourcegroups/{rg}/resources and /subscriptions/{sub}/resources: every
    top-level resource, in the GenericResourceExpanded shape."""
    if ctx.request.method != "GET":
        raise ArmError.method_not_allowed(ctx.request.method)
    scope = require_group(ctx, sub, rg, write=False).id if rg else f"/subscriptions/{sub}"
    wanted = resources_filter(ctx.query.get("$filter"))
    expand = {e.strip().lower() for e in ctx.query.get("$expand", "").split(",") if e.strip()}
    items = []
    for record in ctx.store.under(scope):
        rtype = registry.get(record.type_key)
        if rtype is None or not rtype.is_top_level or not rtype.listed:
            continue
        body = record.body
        item = {k: copy.deepcopy(body[k]) for k in
                ("id", "name", "type", "sku", "kind", "location", "tags", "managedBy", "identity", "plan", "zones")
                if k in body}
        if "createdtime" in expand:
            item["createdTime"] = record.created
        if "changedtime" in expand:
            item["changedTime"] = record.changed
        if "provisioningstate" in expand:
            item["provisioningState"] = body.get("properties", {}).get("provisioningState")
        if wanted.keeps(item):
            if wanted.hides_tags:
                item.pop("tags", None)
            items.append(item)
    return respond(page(ctx.request, items, ctx.settings.page_size))


# --- subscriptions, tenants, providers ------------------------------------------------------

def _subscription_doc(tenant) -> dict[str, Any]:
    return {"id": f"/subscriptions/{tenant.subscription_id}", "authorizationSource": "RoleBased",
            "managedByTenants": [], "subscriptionId": tenant.subscription_id, "tenantId": tenant.tenant_id,
            "displayName": tenant.subscription_name, "state": "Enabled",
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01",
                                     "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"}}


def subscriptions(ctx: Ctx, claims: dict[str, Any]) -> web.Response:
    tenant = ctx.emu.identities.tenant(claims.get("tid", ""))
    value = [_subscription_doc(tenant)] if tenant else []
    return respond({"value": value, "count": {"type": "Total", "value": len(value)}})


def subscription(ctx: Ctx, sub: str) -> web.Response:
    return respond(_subscription_doc(ctx.emu.identities.subscription(sub)))


def tenants(ctx: Ctx, claims: dict[str, Any]) -> web.Response:
    tid = claims.get("tid", "")
    return respond({"value": [{"id": f"/tenants/{tid}", "tenantId": tid, "tenantCategory": "Home",
                               "displayName": "azemu", "defaultDomain": "azemu.local"}]})


def _provider_doc(sub: str, namespace: str) -> dict[str, Any]:
    types = [t for t in registry.all_types() if t.provider == namespace]
    return {"id": f"/subscriptions/{sub}/providers/{namespace}", "namespace": namespace,
            "registrationState": "Registered", "registrationPolicy": "RegistrationRequired",
            "resourceTypes": [{"resourceType": t.type, "locations": sorted(REGIONS)} for t in types]}


def providers(ctx: Ctx, sub: str, namespace: str | None, *, register: bool) -> web.Response:
    if namespace is None:
        names = sorted({t.provider for t in registry.all_types()} | {"Microsoft.Resources"})
        return respond({"value": [_provider_doc(sub, n) for n in names]})
    canonical = registry.namespace(namespace) or ("Microsoft.Resources" if namespace.lower() == "microsoft.resources"
                                                  else None)
    if canonical is None:
        raise ArmError.invalid_namespace(namespace)
    if register and ctx.request.method != "POST":
        raise ArmError.method_not_allowed(ctx.request.method)
    return respond(_provider_doc(sub, canonical))
