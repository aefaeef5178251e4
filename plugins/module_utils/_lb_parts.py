# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parts of a load balancer as the modules see them: options checked before any request,
turned into Azure's JSON, merged into the load balancer's lists one entry at a time, and
returned in snake_case.

Pure functions over ARM JSON (``{"name": ..., "properties": {...}}``, camelCase), shared by
load_balancer, lb_probe, lb_rule and load_balancer_info, so unit tests need no SDK.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import address_to_dict
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import entries as pool_entries
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import kind as pool_kind
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import (
    PUBLIC_IP,
    VIRTUAL_NETWORK,
    name_of,
    reference_problem,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import ip_address_problem, name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import reference, subnet_reference

PROBE_PROTOCOLS = ("Tcp", "Http", "Https")
RULE_PROTOCOLS = ("Tcp", "Udp", "All")
DISTRIBUTIONS = ("Default", "SourceIP", "SourceIPProtocol")
MIN_INTERVAL = 5
# intervalInSeconds is an int32 in Azure's spec (loadBalancer.json): larger numbers are refused.
MAX_INTERVAL = 2147483647
IDLE_TIMEOUT = (4, 30)
FRONTENDS = "frontendIPConfigurations"
POOLS = "backendAddressPools"
PROBES = "probes"
RULES = "loadBalancingRules"

# In a properties dict given to merge_entry: delete this key from the entry.
REMOVE = object()


def part_id(lb_id, collection, name):
    return f"{lb_id}/{collection}/{name}"


def _name(ref):
    """The last name of a ``{"id": ...}`` reference, or None."""
    return name_of((ref or {}).get("id")) or None


def _names(refs):
    return [_name(ref) for ref in refs or []]


def entries(lb, collection):
    return ((lb or {}).get("properties") or {}).get(collection) or []


def find(items, name):
    """The entry called ``name`` (Azure compares names without regard to case), or None."""
    return next((item for item in items or [] if item.get("name", "").lower() == name.lower()), None)


# --- comparing and merging ----------------------------------------------------------------

def same(current, desired):
    """Equal as Azure means it: references by id without regard to case."""
    if isinstance(desired, dict) and set(desired) == {"id"}:
        return isinstance(current, dict) and (current.get("id") or "").lower() == desired["id"].lower()
    return current == desired


def merge_entry(items, name, properties):
    """``items`` (a load balancer's list) with the entry ``name`` added, or its properties set to
    the non-None values of ``properties`` (REMOVE deletes a key); everything else is kept.
    Returns (new list, changed); ``items`` is not modified."""
    out = copy.deepcopy(items or [])
    entry = find(out, name)
    if entry is None:
        out.append({"name": name, "properties": {k: v for k, v in properties.items()
                                                 if v is not None and v is not REMOVE}})
        return out, True
    props = entry.setdefault("properties", {})
    changed = False
    for key, value in properties.items():
        if value is REMOVE:
            if props.get(key) is not None:
                props.pop(key)
                changed = True
        elif value is not None and not same(props.get(key), value):
            props[key] = value
            changed = True
    return out, changed


def without_entry(items, name):
    """``items`` without the entry ``name``: (new list, changed)."""
    out = [copy.deepcopy(item) for item in items or [] if item.get("name", "").lower() != name.lower()]
    return out, len(out) != len(items or [])


# --- probes -------------------------------------------------------------------------------

def probe_problems(spec):
    """Why Azure would refuse the probe ``spec`` (name, protocol, port, request_path, interval,
    number_of_probes, probe_threshold; None = not given)."""
    problems = []
    problem = name_problem(spec.get("name"), "probe name")
    if problem:
        problems.append(problem)
    protocol, path = spec.get("protocol"), spec.get("request_path")
    if protocol is not None and protocol not in PROBE_PROTOCOLS:
        problems.append(f"protocol must be one of {', '.join(PROBE_PROTOCOLS)}, got {protocol!r}")
    if protocol == "Tcp" and path:
        problems.append("request_path is only for Http and Https probes; Azure refuses it for a Tcp probe")
    if protocol in ("Http", "Https") and path is not None and not path:
        problems.append(f"request_path cannot be empty for an {protocol} probe")
    port = spec.get("port")
    if port is not None and not 1 <= port <= 65535:
        problems.append(f"port must be between 1 and 65535, got {port}")
    interval = spec.get("interval")
    if interval is not None and not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        problems.append(f"interval must be between {MIN_INTERVAL} and {MAX_INTERVAL} seconds, got {interval}")
    for key in ("number_of_probes", "probe_threshold"):
        if spec.get(key) is not None and spec[key] < 1:
            problems.append(f"{key} must be at least 1, got {spec[key]}")
    return problems


def probe_properties(spec, current=None):
    """Azure's properties for the probe ``spec``; ``current`` is the probe as it is (or None).
    Raises OptionError when a new probe lacks what Azure needs."""
    props = (current or {}).get("properties") or {}
    protocol = spec.get("protocol") or props.get("protocol")
    if current is None:
        missing = [key for key in ("protocol", "port") if spec.get(key) is None]
        if missing:
            raise OptionError(f"probe {spec['name']} does not exist yet: {' and '.join(missing)} needed to create it")
    path = spec.get("request_path")
    if protocol == "Tcp":
        if path:
            raise OptionError(f"probe {spec['name']} is a Tcp probe: request_path is only for Http and Https probes")
        path = REMOVE
    elif path is None and not props.get("requestPath"):
        raise OptionError(f"request_path is required for an {protocol} probe, such as /healthz")
    return {
        "protocol": spec.get("protocol"),
        "port": spec.get("port"),
        "requestPath": path,
        "intervalInSeconds": spec.get("interval"),
        "numberOfProbes": spec.get("number_of_probes"),
        "probeThreshold": spec.get("probe_threshold"),
    }


def probe_to_dict(probe):
    props = probe.get("properties") or {}
    return {
        "id": probe.get("id"),
        "name": probe.get("name"),
        "protocol": props.get("protocol"),
        "port": props.get("port"),
        "request_path": props.get("requestPath"),
        "interval": props.get("intervalInSeconds"),
        "number_of_probes": props.get("numberOfProbes"),
        "probe_threshold": props.get("probeThreshold"),
        "load_balancing_rules": _names(props.get("loadBalancingRules")),
        "provisioning_state": props.get("provisioningState"),
    }


# --- load balancing rules -----------------------------------------------------------------

def rule_problems(spec):
    """Why Azure would refuse the rule ``spec`` (name, protocol, frontend_port, backend_port,
    frontend_ip_configuration, backend_pool, probe, idle_timeout, load_distribution, ...)."""
    problems = []
    for key, what in (("name", "rule name"), ("frontend_ip_configuration", "frontend IP configuration name"),
                      ("backend_pool", "backend pool name"), ("probe", "probe name")):
        value = spec.get(key)
        if value is None or (key == "probe" and value == ""):
            continue
        problem = name_problem(value, what)
        if problem:
            problems.append(problem)
    protocol = spec.get("protocol")
    if protocol is not None and protocol not in RULE_PROTOCOLS:
        problems.append(f"protocol must be one of {', '.join(RULE_PROTOCOLS)}, got {protocol!r}")
    for key, high in (("frontend_port", 65534), ("backend_port", 65535)):
        port = spec.get(key)
        if port is None:
            continue
        if not 0 <= port <= high:
            problems.append(f"{key} must be between 0 and {high}, got {port}")
        elif port == 0 and protocol not in (None, "All"):
            problems.append(f"{key} 0 (all ports) needs protocol All")
    timeout = spec.get("idle_timeout")
    if timeout is not None and not IDLE_TIMEOUT[0] <= timeout <= IDLE_TIMEOUT[1]:
        problems.append(f"idle_timeout must be between {IDLE_TIMEOUT[0]} and {IDLE_TIMEOUT[1]} minutes, got {timeout}")
    distribution = spec.get("load_distribution")
    if distribution is not None and distribution not in DISTRIBUTIONS:
        problems.append(f"load_distribution must be one of {', '.join(DISTRIBUTIONS)}, got {distribution!r}")
    return problems


def _only(lb, collection, what, rule_name):
    """The name of the load balancer's only frontend (or pool), the default of a new rule."""
    names = [item["name"] for item in entries(lb, collection)]
    if len(names) == 1:
        return names[0]
    raise OptionError(f"rule {rule_name} does not exist yet and the load balancer has "
                      f"{len(names) or 'no'} {what}s{(': ' + ', '.join(names)) if names else ''}; name the {what}")


def rule_properties(spec, lb, lb_id):
    """Azure's properties for the rule ``spec`` on the load balancer ``lb`` (ARM JSON). A new
    rule defaults to the load balancer's only frontend and only backend pool. Raises
    OptionError when a new rule lacks what Azure needs or names a part the load balancer lacks."""
    name = spec["name"]
    current = find(entries(lb, RULES), name)
    frontend, pool, probe = spec.get("frontend_ip_configuration"), spec.get("backend_pool"), spec.get("probe")
    if current is None:
        missing = [key for key in ("protocol", "frontend_port", "backend_port") if spec.get(key) is None]
        if missing:
            raise OptionError(f"rule {name} does not exist yet: {', '.join(missing)} needed to create it")
        frontend = frontend or _only(lb, FRONTENDS, "frontend IP configuration", name)
        pool = pool or _only(lb, POOLS, "backend pool", name)
    for value, collection, what in ((frontend, FRONTENDS, "frontend IP configuration"), (pool, POOLS, "backend pool"),
                                    (probe, PROBES, "probe")):
        if value and find(entries(lb, collection), value) is None:
            known = ", ".join(item["name"] for item in entries(lb, collection)) or "none"
            raise OptionError(f"the load balancer has no {what} {value} (it has: {known})")

    def ref(value, collection):
        return {"id": part_id(lb_id, collection, find(entries(lb, collection), value)["name"])} if value else None

    used = find(entries(lb, FRONTENDS), frontend or _name((current or {}).get("properties", {}).get(
        "frontendIPConfiguration")) or "")
    protocol = spec.get("protocol") or ((current or {}).get("properties") or {}).get("protocol")
    port = spec.get("frontend_port") if spec.get("frontend_port") is not None else \
        ((current or {}).get("properties") or {}).get("frontendPort")
    if protocol == "All" and port == 0 and used and (used.get("properties") or {}).get("publicIPAddress"):
        # "HA ports are available only for an internal Standard load balancer" (Azure's HA ports overview).
        raise OptionError(f"protocol All with frontend_port 0 (HA ports) needs an internal frontend; frontend IP "
                          f"configuration {used['name']} of the load balancer is public")

    pool_ref = ref(pool, POOLS)
    return {
        "protocol": spec.get("protocol"),
        "frontendPort": spec.get("frontend_port"),
        "backendPort": spec.get("backend_port"),
        "frontendIPConfiguration": ref(frontend, FRONTENDS),
        "backendAddressPool": pool_ref,
        # Azure keeps the list form in step with the single pool; send both so they agree.
        "backendAddressPools": [pool_ref] if pool_ref else None,
        "probe": REMOVE if probe == "" else ref(probe, PROBES),
        "idleTimeoutInMinutes": spec.get("idle_timeout"),
        "loadDistribution": spec.get("load_distribution"),
        "enableFloatingIP": spec.get("floating_ip"),
        "enableTcpReset": spec.get("enable_tcp_reset"),
        "disableOutboundSnat": spec.get("disable_outbound_snat"),
    }


def rule_to_dict(rule):
    props = rule.get("properties") or {}
    return {
        "id": rule.get("id"),
        "name": rule.get("name"),
        "protocol": props.get("protocol"),
        "frontend_port": props.get("frontendPort"),
        "backend_port": props.get("backendPort"),
        "frontend_ip_configuration": _name(props.get("frontendIPConfiguration")),
        "backend_pool": _name(props.get("backendAddressPool")),
        "probe": _name(props.get("probe")),
        "idle_timeout": props.get("idleTimeoutInMinutes"),
        "load_distribution": props.get("loadDistribution"),
        "floating_ip": props.get("enableFloatingIP"),
        "enable_tcp_reset": props.get("enableTcpReset"),
        "disable_outbound_snat": props.get("disableOutboundSnat"),
        "provisioning_state": props.get("provisioningState"),
    }


# --- frontends and pools ------------------------------------------------------------------

def frontend_properties(spec, subscription, group):
    """Azure's properties for a frontend ``spec`` (name, public_ip_address, subnet,
    virtual_network, private_ip_address, private_ip_allocation_method), references given by name
    (in ``group``) or id. Raises OptionError for anything Azure would refuse."""
    name = spec.get("name")
    problem = name_problem(name, "frontend IP configuration name")
    if problem:
        raise OptionError(problem)
    pip, subnet = spec.get("public_ip_address"), spec.get("subnet")
    if bool(pip) == bool(subnet):
        raise OptionError(f"frontend IP configuration {name} needs either public_ip_address (a public load balancer)"
                          " or subnet (an internal one)")
    address, method = spec.get("private_ip_address"), spec.get("private_ip_allocation_method")
    if pip:
        if address or method:
            raise OptionError(f"frontend IP configuration {name}: private_ip_address and private_ip_allocation_method"
                              " are for a frontend in a subnet, not one on a public IP address")
        return {"publicIPAddress": {"id": reference(pip, subscription, group, PUBLIC_IP, "public IP address")},
                "subnet": REMOVE, "privateIPAddress": REMOVE, "privateIPAllocationMethod": "Dynamic"}
    if address:
        problem = ip_address_problem(address, "private_ip_address")
        if problem:
            raise OptionError(f"frontend IP configuration {name}: {problem}")
        if method == "Dynamic":
            raise OptionError(f"frontend IP configuration {name}: private_ip_address needs"
                              " private_ip_allocation_method=Static")
        method = "Static"
    elif method == "Static":
        raise OptionError(f"frontend IP configuration {name}: private_ip_allocation_method=Static needs"
                          " private_ip_address")
    return {"subnet": {"id": subnet_reference(subnet, spec.get("virtual_network"), subscription, group)},
            "publicIPAddress": REMOVE, "privateIPAllocationMethod": method or "Dynamic",
            "privateIPAddress": address}


POOL_KEYS = ("name", "virtual_network")


def pool_name(item):
    """The name of a backend pool as a task gives it: a name, or a dict with one."""
    return item if isinstance(item, str) else (item or {}).get("name")


def pool_problem(item):
    """Why a backend pool item of a task (a name, or ``{name, virtual_network}``) is wrong, or None."""
    if isinstance(item, dict):
        unknown = sorted(set(item) - set(POOL_KEYS))
        if unknown:
            return f"backend_pools items take {' and '.join(POOL_KEYS)}, not {', '.join(unknown)}"
        vnet = item.get("virtual_network")
        if vnet is not None:
            problem = reference_problem(vnet, VIRTUAL_NETWORK, "virtual network") if isinstance(vnet, str) else \
                "it is a name or a resource ID"
            if problem:
                return f"backend_pools: virtual_network of {item.get('name')!r}: {problem}"
    elif not isinstance(item, str):
        return f"backend_pools items are names or dicts, got {item!r}"
    name = pool_name(item)
    return name_problem(name if isinstance(name, str) else "", "backend pool name")


def pool_properties(item, subscription, group):
    """Azure's properties for a backend pool item: a virtual network of its own makes it a pool
    of IP addresses. Raises OptionError for a reference Azure would refuse."""
    vnet = item.get("virtual_network") if isinstance(item, dict) else None
    return {"virtualNetwork": {"id": reference(vnet, subscription, group, VIRTUAL_NETWORK, "virtual network")}
            if vnet else None}


def with_ids(lb, lb_id):
    """The load balancer (ARM JSON) with the ids Azure gives it and its parts, where a predicted
    body (check mode) lacks them."""
    out = copy.deepcopy(lb)
    out.setdefault("id", lb_id)
    out.setdefault("name", lb_id.rsplit("/", 1)[1])
    for collection in (FRONTENDS, POOLS, PROBES, RULES):
        for item in entries(out, collection):
            item.setdefault("id", part_id(lb_id, collection, item["name"]))
    return out


def frontend_to_dict(frontend):
    props = frontend.get("properties") or {}
    return {
        "id": frontend.get("id"),
        "name": frontend.get("name"),
        "public_ip_address": (props.get("publicIPAddress") or {}).get("id"),
        "subnet": (props.get("subnet") or {}).get("id"),
        "private_ip_address": props.get("privateIPAddress"),
        "private_ip_allocation_method": props.get("privateIPAllocationMethod"),
        "load_balancing_rules": _names(props.get("loadBalancingRules")),
        "provisioning_state": props.get("provisioningState"),
    }


def pool_to_dict(pool):
    props = pool.get("properties") or {}
    return {
        "id": pool.get("id"),
        "name": pool.get("name"),
        "kind": pool_kind(pool),
        "virtual_network": (props.get("virtualNetwork") or {}).get("id"),
        "backend_ip_configurations": [ref["id"] for ref in props.get("backendIPConfigurations") or []],
        "backend_addresses": [address_to_dict(entry) for entry in pool_entries(pool)],
        "load_balancing_rules": _names(props.get("loadBalancingRules")),
        "provisioning_state": props.get("provisioningState"),
    }


def lb_to_dict(lb):
    return {
        "id": lb.get("id"),
        "name": lb.get("name"),
        "location": lb.get("location"),
        "sku": (lb.get("sku") or {}).get("name"),
        "tags": dict(lb.get("tags") or {}),
        "provisioning_state": (lb.get("properties") or {}).get("provisioningState"),
        "frontend_ip_configurations": [frontend_to_dict(f) for f in entries(lb, FRONTENDS)],
        "backend_pools": [pool_to_dict(p) for p in entries(lb, POOLS)],
        "probes": [probe_to_dict(p) for p in entries(lb, PROBES)],
        "rules": [rule_to_dict(r) for r in entries(lb, RULES)],
    }


# Fields Azure changes without the task asking (state, back-references), or that other modules
# manage (a pool's members and their admin state: lb_pool_member, lb_backend_address): kept out
# of diffs.
BOOKKEEPING = ("provisioning_state", "load_balancing_rules", "backend_ip_configurations", "backend_addresses", "kind")


def diff_view(item):
    """A returned dict (or list of them, nested) without BOOKKEEPING, for ``diff``."""
    if isinstance(item, list):
        return [diff_view(i) for i in item]
    if isinstance(item, dict):
        return {k: diff_view(v) for k, v in item.items() if k not in BOOKKEEPING}
    return item
