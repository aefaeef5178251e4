# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource ids (of Microsoft.Network resources unless said otherwise): build them from names, take a name or an id
from an option, compare them as Azure does (without regard to case).

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import re

ID_RE = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<resource_group>[^/]+)"
    r"/providers/(?P<namespace>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+)(?P<children>(?:/[^/]+/[^/]+)*)$",
    re.IGNORECASE,
)

PUBLIC_IP = "publicIPAddresses"
VIRTUAL_NETWORK = "virtualNetworks"
SECURITY_GROUP = "networkSecurityGroups"
NETWORK_INTERFACE = "networkInterfaces"
LOAD_BALANCER = "loadBalancers"


def resource_id(subscription_id, resource_group, type_name, name, *children, namespace="Microsoft.Network"):
    """``/subscriptions/.../providers/Microsoft.Network/{type}/{name}[/{child}/{name}...]``."""
    rid = f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/{namespace}/{type_name}/{name}"
    for i in range(0, len(children), 2):
        rid += f"/{children[i]}/{children[i + 1]}"
    return rid


def load_balancer_id(subscription_id, resource_group, name):
    return resource_id(subscription_id, resource_group, LOAD_BALANCER, name)


def parse_id(value):
    """The parts of a resource id (subscription, resource_group, namespace, type, name,
    children as [(type, name), ...]), or None when ``value`` is not one."""
    match = ID_RE.match(value or "")
    if not match:
        return None
    parts = match.groupdict()
    segs = [s for s in parts.pop("children").split("/") if s]
    parts["children"] = list(zip(segs[0::2], segs[1::2]))
    return parts


def reference_problem(value, type_name, what, namespace="Microsoft.Network"):
    """Why ``value`` (a name, or an id) cannot reference a ``namespace/type_name`` resource, or None."""
    if not value or not value.strip():
        return f"{what} cannot be empty"
    if not value.startswith("/"):
        return None if "/" not in value else f"{what} {value!r} is neither a name nor a resource id"
    parts = parse_id(value)
    if not parts or parts["children"] or f"{parts['namespace']}/{parts['type']}".lower() != f"{namespace}/{type_name}".lower():
        return f"{what} {value!r} is not the id of a {namespace}/{type_name} resource"
    return None


def to_id(value, subscription_id, resource_group, type_name):
    """A resource id for an option that takes a name (in ``resource_group``) or an id."""
    if value is None or value.startswith("/"):
        return value
    return resource_id(subscription_id, resource_group, type_name, value)


def same_id(first, second):
    return (first or "").lower() == (second or "").lower()


def name_of(value):
    """The last name in a resource id (or the value itself when it is a plain name)."""
    return value.rstrip("/").rsplit("/", 1)[-1] if value else value


def group_of(value):
    """The resource group in a resource id, or None when ``value`` is not one."""
    return (parse_id(value) or {}).get("resource_group")
