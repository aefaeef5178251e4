# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Public IP addresses as the modules see them: Azure's JSON to the returned dict and back.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy

DEFAULT_IDLE_TIMEOUT = 4


def to_dict(ip):
    """The module's view of a public IP address (Azure's JSON)."""
    props = ip.get("properties") or {}
    sku = ip.get("sku") or {}
    dns = props.get("dnsSettings") or {}
    return {
        "id": ip.get("id"),
        "name": ip.get("name"),
        "location": ip.get("location"),
        "tags": dict(ip.get("tags") or {}),
        "sku": sku.get("name"),
        "tier": sku.get("tier"),
        "allocation_method": props.get("publicIPAllocationMethod"),
        "version": props.get("publicIPAddressVersion"),
        "ip_address": props.get("ipAddress"),
        "domain_name_label": dns.get("domainNameLabel") or None,
        "fqdn": dns.get("fqdn"),
        "idle_timeout": props.get("idleTimeoutInMinutes"),
        "zones": sorted(ip.get("zones") or []),
        "ip_configuration": (props.get("ipConfiguration") or {}).get("id"),
        "provisioning_state": props.get("provisioningState"),
    }


def body_for(desired, current_json=None):
    """The PUT body for ``desired`` (a to_dict() shape), keeping whatever else the current
    resource has (ip tags, DDoS settings, ...)."""
    body = copy.deepcopy(current_json) if current_json else {}
    body["location"] = desired["location"]
    body["tags"] = desired["tags"]
    body["sku"] = {"name": desired["sku"], "tier": desired["tier"] or "Regional"}
    if desired["zones"]:
        body["zones"] = list(desired["zones"])
    else:
        body.pop("zones", None)
    props = body.setdefault("properties", {})
    props["publicIPAllocationMethod"] = desired["allocation_method"]
    props["publicIPAddressVersion"] = desired["version"]
    props["idleTimeoutInMinutes"] = desired["idle_timeout"]
    if desired["domain_name_label"]:
        dns = dict(props.get("dnsSettings") or {})
        dns.pop("fqdn", None)
        dns["domainNameLabel"] = desired["domain_name_label"]
        props["dnsSettings"] = dns
    else:
        props.pop("dnsSettings", None)
    return body
