# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Virtual networks as the modules see them: Azure's JSON to the returned dict, the subnet
list merge, and the PUT body.

A VNet PUT replaces the whole subnet list (Azure deletes a subnet the body leaves out), so
the body always carries every subnet that should remain, with the properties Azure has for
it (delegations, service endpoints, ...) kept as they are.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._ids import same_id


def subnet_to_dict(subnet):
    props = subnet.get("properties") or {}
    prefixes = props.get("addressPrefixes") or ([props["addressPrefix"]] if props.get("addressPrefix") else [])
    return {
        "name": subnet.get("name"),
        "id": subnet.get("id"),
        "address_prefix": prefixes[0] if len(prefixes) == 1 else None,
        "address_prefixes": prefixes,
        "security_group": (props.get("networkSecurityGroup") or {}).get("id"),
        "ip_configurations": [c.get("id") for c in props.get("ipConfigurations") or []],
        "provisioning_state": props.get("provisioningState"),
    }


def to_dict(vnet):
    """The module's view of a virtual network (Azure's JSON); subnets sorted by name."""
    props = vnet.get("properties") or {}
    subnets = [subnet_to_dict(s) for s in props.get("subnets") or []]
    return {
        "id": vnet.get("id"),
        "name": vnet.get("name"),
        "location": vnet.get("location"),
        "tags": dict(vnet.get("tags") or {}),
        "address_prefixes": list((props.get("addressSpace") or {}).get("addressPrefixes") or []),
        "dns_servers": list((props.get("dhcpOptions") or {}).get("dnsServers") or []),
        "subnets": sorted(subnets, key=lambda s: s["name"].lower()),
        "provisioning_state": props.get("provisioningState"),
    }


def merge_subnets(current, wanted, purge, vnet_id):
    """The subnets the VNet should have: ``current`` (to_dict subnets) updated with ``wanted``
    (dicts with name, address_prefix and security_group as an id, "" or None), and without the
    unlisted ones when ``purge``. A security group of None keeps the current one, "" removes it."""
    by_name = {s["name"].lower(): s for s in current}
    listed = set()
    merged = []
    for want in wanted:
        listed.add(want["name"].lower())
        have = by_name.get(want["name"].lower())
        subnet = dict(have) if have else {
            "name": want["name"], "id": f"{vnet_id}/subnets/{want['name']}", "security_group": None,
            "ip_configurations": [], "provisioning_state": None,
        }
        subnet["address_prefix"] = want["address_prefix"]
        subnet["address_prefixes"] = [want["address_prefix"]]
        nsg = want.get("security_group")
        if nsg == "":
            subnet["security_group"] = None
        elif nsg is not None and not same_id(nsg, subnet["security_group"]):
            subnet["security_group"] = nsg
        merged.append(subnet)
    if not purge:
        merged.extend(s for s in current if s["name"].lower() not in listed)
    return sorted(merged, key=lambda s: s["name"].lower())


def subnets_differ(current, desired):
    def key(subnets):
        return sorted(
            (s["name"].lower(), tuple(s["address_prefixes"]), (s["security_group"] or "").lower()) for s in subnets
        )
    return key(current) != key(desired)


def body_for(desired, current_json=None):
    """The PUT body for ``desired`` (a to_dict() shape), keeping each remaining subnet's
    other properties and the VNet's other properties."""
    body = copy.deepcopy(current_json) if current_json else {}
    body["location"] = desired["location"]
    body["tags"] = desired["tags"]
    props = body.setdefault("properties", {})
    props["addressSpace"] = dict(props.get("addressSpace") or {}, addressPrefixes=list(desired["address_prefixes"]))
    if desired["dns_servers"]:
        props["dhcpOptions"] = {"dnsServers": list(desired["dns_servers"])}
    else:
        props.pop("dhcpOptions", None)
    existing = {s.get("name", "").lower(): s for s in props.get("subnets") or []}
    subnets = []
    for subnet in desired["subnets"]:
        item = copy.deepcopy(existing.get(subnet["name"].lower())) or {"name": subnet["name"]}
        sprops = item.setdefault("properties", {})
        if len(subnet["address_prefixes"]) == 1:
            sprops["addressPrefix"] = subnet["address_prefixes"][0]
            sprops.pop("addressPrefixes", None)
        else:
            sprops["addressPrefixes"] = list(subnet["address_prefixes"])
            sprops.pop("addressPrefix", None)
        if subnet["security_group"]:
            sprops["networkSecurityGroup"] = {"id": subnet["security_group"]}
        else:
            sprops.pop("networkSecurityGroup", None)
        subnets.append(item)
    props["subnets"] = subnets
    return body
