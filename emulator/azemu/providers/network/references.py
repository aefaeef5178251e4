"""References between Microsoft.Network resources: who points at a resource (for back-references
and in-use checks) and the check that a referenced resource exists.

Azure reports a reference by the innermost named object that holds it: a NIC's
`ipConfigurations/ipconfig1`, a load balancer's `frontendIPConfigurations/fe`, a VNet's
`subnets/default`, or the resource itself for a top-level reference (a NIC's NSG).
"""

from __future__ import annotations

import re
from typing import Any

from ...arm.context import Ctx, Res
from ...errors import ArmError

_TOKEN = re.compile(r"[^.\[\]]+|\[\d+\]")


def _walk(body: dict[str, Any], path: str) -> tuple[dict[str, Any], str, Any]:
    """Follow `path` in `body`: (innermost object on it with its own id and name, last key,
    the value at the end of the path)."""
    node: Any = body
    holder = body
    key = ""
    for token in _TOKEN.findall(path):
        node = node[int(token[1:-1])] if token.startswith("[") else node.get(token)
        if not token.startswith("["):
            key = token
        if isinstance(node, dict) and isinstance(node.get("id"), str) and "name" in node:
            holder = node
    return holder, key, node


def holders(ctx: Ctx, target_id: str, via: tuple[str, ...] = ()) -> list[tuple[Res, dict[str, Any]]]:
    """[(top-level resource, stored object holding the reference)] for every reference to
    `target_id` itself (not to something under it), optionally only through a property named
    in `via` ("subnet", "publicIPAddress", ...). Sorted by holder id so answers are stable."""
    found: dict[str, tuple[Res, dict[str, Any]]] = {}
    target = target_id.lower()
    for top, path in ctx.referrers(target_id):
        holder, key, ref = _walk(top.body, path)
        if str(ref.get("id", "")).lower() != target or (via and key not in via):
            continue
        found.setdefault(holder["id"].lower(), (top, holder))
    return [found[k] for k in sorted(found)]


def sub_resource(value: Any, what: str) -> str | None:
    """The id of a `{"id": ...}` reference (None when absent); 400 when malformed."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"]:
        raise ArmError.invalid(f"'{what}' must be an object with an 'id'.")
    return value["id"]


def invalid_reference(ref_id: str, referrer_id: str) -> ArmError:
    return ArmError.bad_request(
        "InvalidResourceReference",
        f"Resource {ref_id} referenced by resource {referrer_id} was not found. Please make sure that the "
        "referenced resource exists, and that both resources are in the same region.")


def require(ctx: Ctx, ref_id: str, type_key: str, referrer_id: str, location: str | None = None) -> Res:
    """The referenced resource, which must exist, be of `type_key` and, given the referrer's
    `location`, be in that region (a subnet: its VNet's); else Azure's 400, whose message
    names both causes ("...exists, and that both resources are in the same region.")."""
    res = ctx.resolve(ref_id)
    if res is None or res.rtype.key != type_key.lower():
        raise invalid_reference(ref_id, referrer_id)
    if location and (res.location or "").lower() != location.lower():
        raise invalid_reference(ref_id, referrer_id)
    return res
