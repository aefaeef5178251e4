# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network security groups and their rules as the modules see them (security_group writes the
whole NSG, security_rule one rule of it): the rule options, Azure's JSON to the returned dict,
rule merging by name, and the PUT bodies.

Azure stores a rule's addresses and ports either in the singular field
(``sourceAddressPrefix: "*"``) or in the plural one (``sourceAddressPrefixes: [...]``); the
modules always show and take lists, and write the singular field for one value, as the
Azure CLI does.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import PRIORITY_MIN, rule_problems

# module option -> (Azure's singular field, Azure's plural field)
LIST_FIELDS = {
    "source_address_prefixes": ("sourceAddressPrefix", "sourceAddressPrefixes"),
    "source_port_ranges": ("sourcePortRange", "sourcePortRanges"),
    "destination_address_prefixes": ("destinationAddressPrefix", "destinationAddressPrefixes"),
    "destination_port_ranges": ("destinationPortRange", "destinationPortRanges"),
}
SCALAR_FIELDS = {"priority": "priority", "direction": "direction", "access": "access", "protocol": "protocol",
                 "description": "description"}
# What a rule compares on (the name is the key).
COMPARED = tuple(SCALAR_FIELDS) + tuple(LIST_FIELDS)
# What a new rule takes for an option left out: the defaults of `az network nsg rule create`.
RULE_DEFAULTS = {
    "direction": "Inbound", "access": "Allow", "protocol": "*", "source_address_prefixes": ["*"],
    "source_port_ranges": ["*"], "destination_address_prefixes": ["*"], "destination_port_ranges": ["80"],
}


def rule_spec(defaults=True, required=()):
    """The argument spec of one rule's options (without ``name``). ``defaults``: options left out
    take RULE_DEFAULTS (a rule given whole, as in security_group); else they stay None, so that
    an existing rule keeps its value (security_rule). ``required``: options that must be given."""
    spec = dict(
        priority=dict(type="int"),
        direction=dict(type="str", choices=["Inbound", "Outbound"]),
        access=dict(type="str", choices=["Allow", "Deny"]),
        protocol=dict(type="str", choices=["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"]),
        source_address_prefixes=dict(type="list", elements="str", aliases=["source_address_prefix"]),
        source_port_ranges=dict(type="list", elements="str", aliases=["source_port_range"]),
        destination_address_prefixes=dict(type="list", elements="str", aliases=["destination_address_prefix"]),
        destination_port_ranges=dict(type="list", elements="str", aliases=["destination_port_range"]),
        description=dict(type="str"),
    )
    if defaults:
        for key, value in RULE_DEFAULTS.items():
            spec[key]["default"] = value
    for key in required:
        spec[key]["required"] = True
    return spec


def rule_option_problems(rule):
    """What Azure would refuse in one rule's options, where ``priority`` may be left out (an
    existing rule keeps its own): checked with a valid stand-in then."""
    priority = rule.get("priority")
    return rule_problems([dict(rule, priority=PRIORITY_MIN if priority is None else priority)])


def rule_to_dict(rule):
    props = rule.get("properties") or {}
    out = {"name": rule.get("name"), "id": rule.get("id")}
    for option, field in SCALAR_FIELDS.items():
        out[option] = props.get(field)
    for option, (one, many) in LIST_FIELDS.items():
        out[option] = list(props.get(many) or ([props[one]] if props.get(one) not in (None, "") else []))
    out["provisioning_state"] = props.get("provisioningState")
    return out


def _by_priority(rules):
    return sorted(rules, key=lambda r: ((r["direction"] or ""), r["priority"] or 0, r["name"].lower()))


def to_dict(nsg):
    """The module's view of a network security group (Azure's JSON)."""
    props = nsg.get("properties") or {}
    return {
        "id": nsg.get("id"),
        "name": nsg.get("name"),
        "location": nsg.get("location"),
        "tags": dict(nsg.get("tags") or {}),
        "rules": _by_priority(rule_to_dict(r) for r in props.get("securityRules") or []),
        "default_rules": _by_priority(rule_to_dict(r) for r in props.get("defaultSecurityRules") or []),
        "network_interfaces": [i.get("id") for i in props.get("networkInterfaces") or []],
        "subnets": [s.get("id") for s in props.get("subnets") or []],
        "provisioning_state": props.get("provisioningState"),
    }


def _comparable(rule):
    out = {}
    for key in COMPARED:
        value = rule.get(key)
        if key in LIST_FIELDS:
            value = sorted(str(v) for v in value or [])
        elif key == "description":
            value = value or None
        out[key] = value
    return out


def rule_differs(current, wanted):
    return _comparable(current) != _comparable(wanted)


def desired_rule(wanted, have, rule_id, keep=False):
    """The rule ``wanted`` (rule options) asks for, over ``have`` (a rule_to_dict() or None).
    An option that is None keeps ``have``'s value when ``keep``, else takes RULE_DEFAULTS (None
    for a description). Returns ``have`` itself when nothing differs."""
    rule = {"name": wanted["name"], "id": rule_id, "provisioning_state": None}
    if have:
        rule.update(name=have["name"], id=have["id"], provisioning_state=have["provisioning_state"])
    for key in COMPARED:
        value = wanted.get(key)
        if value is None:
            value = have[key] if have and keep else copy.deepcopy(RULE_DEFAULTS.get(key))
        rule[key] = [str(v) for v in value] if key in LIST_FIELDS and value is not None else value
    return have if have and not rule_differs(have, rule) else rule


def merge_rules(current, wanted, purge, nsg_id):
    """The rules the NSG should have: ``current`` (to_dict rules) with ``wanted`` (the module's
    rule options) added or replacing those of the same name, without the unlisted ones when
    ``purge``."""
    by_name = {r["name"].lower(): r for r in current}
    listed = set()
    merged = []
    for want in wanted:
        listed.add(want["name"].lower())
        have = by_name.get(want["name"].lower())
        merged.append(desired_rule(want, have, f"{nsg_id}/securityRules/{want['name']}"))
    if not purge:
        merged.extend(r for r in current if r["name"].lower() not in listed)
    return _by_priority(merged)


def rules_differ(current, desired):
    def key(rules):
        return {r["name"].lower(): _comparable(r) for r in rules}
    return key(current) != key(desired)


def rule_body(rule, existing=None):
    item = copy.deepcopy(existing) if existing else {"name": rule["name"]}
    props = item.setdefault("properties", {})
    for option, field in SCALAR_FIELDS.items():
        if rule[option] is None:
            props.pop(field, None)
        else:
            props[field] = rule[option]
    for option, (one, many) in LIST_FIELDS.items():
        values = list(rule[option])
        if len(values) == 1:
            props[one] = values[0]
            props[many] = []
        else:
            props.pop(one, None)
            props[many] = values
    return item


def body_for(desired, current_json=None):
    """The PUT body for ``desired`` (a to_dict() shape), keeping the NSG's other properties."""
    body = copy.deepcopy(current_json) if current_json else {}
    body["location"] = desired["location"]
    body["tags"] = desired["tags"]
    props = body.setdefault("properties", {})
    existing = {r.get("name", "").lower(): r for r in props.get("securityRules") or []}
    props["securityRules"] = [rule_body(r, existing.get(r["name"].lower())) for r in desired["rules"]]
    return body
