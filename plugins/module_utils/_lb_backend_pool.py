# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A load balancer backend pool's members as Azure lists them, ``loadBalancerBackendAddresses``,
and their admin state.

A pool is one of two kinds (Azure refuses a pool that mixes them,
``CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool``):
- NIC-based: NIC ip configurations join it (recorded on the NIC, lb_pool_member); on a Standard
  load balancer Azure lists each as an entry with its ``networkInterfaceIPConfiguration``, and
  that entry carries the member's admin state;
- IP-based (Standard SKU only): entries of an ``ipAddress`` in a virtual network (or a subnet),
  named by whoever adds them (lb_backend_address); the pool may name the network itself.

``adminState`` (``Up``, ``Down``, ``None``) overrides the health probe for a member
("Administrative State (Admin State) in Azure Load Balancer"): ``Down`` takes no new
connections, established ones continue; ``Up`` takes them whatever the probe says; ``None``
follows the probe.

Pure functions over ARM JSON, so unit tests need no SDK.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import same_id
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import ip_address_problem, name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError

ENTRIES = "loadBalancerBackendAddresses"
NIC_REF = "networkInterfaceIPConfiguration"
ADMIN_STATES = ("Up", "Down", "None")
NIC, IP = "nic", "ip"


def entries(pool):
    return ((pool or {}).get("properties") or {}).get(ENTRIES) or []


def _ref(value):
    return (value or {}).get("id")


def kind(pool):
    """V(ip), V(nic), or None for a pool with no member yet and no virtual network of its own."""
    props = (pool or {}).get("properties") or {}
    if props.get("virtualNetwork") or any((e.get("properties") or {}).get("ipAddress") for e in entries(pool)):
        return IP
    if props.get("backendIPConfigurations") or any(_ref((e.get("properties") or {}).get(NIC_REF))
                                                   for e in entries(pool)):
        return NIC
    return None


def admin_state(entry):
    """The entry's admin state; an entry that never had one is V(None), as Azure treats it."""
    return ((entry or {}).get("properties") or {}).get("adminState") or "None"


def find_member(pool, member):
    """The entry of ``member``: an entry name, an IP address, or the resource ID of a NIC ip
    configuration (compared as Azure does, without regard to case); None when not in the pool."""
    for entry in entries(pool):
        props = entry.get("properties") or {}
        if (entry.get("name", "").lower() == member.lower() or props.get("ipAddress") == member
                or same_id(_ref(props.get(NIC_REF)), member)):
            return entry
    return None


def with_admin_state(pool, member, state, sku):
    """The pool (ARM JSON) with ``member``'s admin state set to ``state``: (new pool, changed).
    Raises OptionError for what Azure refuses or the pool lacks. ``sku`` is the load balancer's."""
    if state not in ADMIN_STATES:
        raise OptionError(f"admin_state must be one of {', '.join(ADMIN_STATES)}, got {state!r}")
    if sku != "Standard":
        raise OptionError(f"admin state is a feature of Standard load balancers; this one is {sku}")
    body = copy.deepcopy(pool)
    entry = find_member(body, member)
    if entry is None:
        known = ", ".join(describe(e) for e in entries(pool)) or "none"
        raise OptionError(f"{member} is not a member of backend pool {pool.get('name')} (its members: {known})")
    if admin_state(entry) == state:
        return body, False
    entry.setdefault("properties", {})["adminState"] = state
    return body, True


def describe(entry):
    props = entry.get("properties") or {}
    return props.get("ipAddress") or _ref(props.get(NIC_REF)) or entry.get("name")


# --- IP-based members (lb_backend_address) --------------------------------------------------

def address_problems(spec):
    """Why Azure would refuse the backend address ``spec`` (name, ip_address, virtual_network,
    subnet, admin_state, state); None values are "not given"."""
    problems = [p for p in (name_problem(spec["name"], "backend address name"),) if p]
    if spec.get("ip_address") is not None:
        problem = ip_address_problem(spec["ip_address"], "ip_address")
        if problem:
            problems.append(problem)
    if spec.get("state") == "absent":
        given = [k for k in ("ip_address", "virtual_network", "subnet", "admin_state") if spec.get(k) is not None]
        if given:
            problems.append(f"{', '.join(given)} cannot be used with state=absent: the address is removed")
    elif spec.get("subnet") and not spec["subnet"].startswith("/") and not spec.get("virtual_network"):
        problems.append(f"subnet {spec['subnet']!r} is a name: give virtual_network too, or the subnet's resource ID")
    return problems


def address_properties(spec, current, planned=False):
    """The properties of the address entry ``spec`` (references as ids already) over the entry
    as it is (``current``, or None for a new one). Raises OptionError when a new one lacks what
    Azure needs; ``planned`` (check mode, a pool an earlier task plans) lets its address be
    unknown, as that of a NIC the same run plans is."""
    props = copy.deepcopy((current or {}).get("properties") or {})
    for key in (NIC_REF, "provisioningState", "inboundNatRulesPortMapping"):
        props.pop(key, None)
    if current is None and spec.get("ip_address") is None and not planned:
        raise OptionError(f"backend address {spec['name']} does not exist yet: ip_address is needed to add it")
    if spec.get("ip_address") is not None:
        props["ipAddress"] = spec["ip_address"]
    if spec.get("subnet"):
        props["subnet"] = {"id": spec["subnet"]}
        if not spec.get("virtual_network"):
            props.pop("virtualNetwork", None)
    if spec.get("virtual_network"):
        props["virtualNetwork"] = {"id": spec["virtual_network"]}
    if spec.get("admin_state") is not None:
        props["adminState"] = spec["admin_state"]
    return props


def _comparable(props):
    """An entry's properties where equal means unchanged: ids without regard to case, no admin
    state the same as V(None)."""
    return {"ip_address": props.get("ipAddress"), "admin_state": props.get("adminState") or "None",
            **{key: (_ref(props.get(key)) or "").lower() for key in ("virtualNetwork", "subnet")}}


def with_address(pool, spec, planned=False):
    """The pool with the IP-based entry ``spec`` added or changed: (new pool, changed).
    Raises OptionError when Azure would refuse it on this pool; ``planned``: as address_properties."""
    if kind(pool) == NIC:
        raise OptionError(f"backend pool {pool.get('name')} holds network interfaces; Azure refuses IP addresses"
                          " in it (CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool)."
                          " Use a pool of its own for IP addresses")
    body = copy.deepcopy(pool)
    items = body.setdefault("properties", {}).setdefault(ENTRIES, [])
    current = next((e for e in items if e.get("name", "").lower() == spec["name"].lower()), None)
    props = address_properties(spec, current, planned)
    if current is None and not spec.get("virtual_network") and not spec.get("subnet") \
            and not _ref(body["properties"].get("virtualNetwork")):
        raise OptionError(f"backend address {spec['name']} does not exist yet: virtual_network or subnet is needed to"
                          " add it (the pool names no virtual network)")
    clash = next((e for e in items if e is not current and props.get("ipAddress") is not None
                  and (e.get("properties") or {}).get("ipAddress") == props["ipAddress"]), None)
    if clash is not None:
        raise OptionError(f"backend pool {pool.get('name')} has {props['ipAddress']} already, as backend address"
                          f" {clash.get('name')}")
    if current is None:
        items.append({"name": spec["name"], "properties": props})
        return body, True
    if _comparable(current.get("properties") or {}) == _comparable(props):
        return body, False
    current["properties"] = props
    return body, True


def without_address(pool, name):
    """The pool without the entry ``name``: (new pool, changed)."""
    body = copy.deepcopy(pool)
    items = entries(body)
    kept = [e for e in items if e.get("name", "").lower() != name.lower()]
    if len(kept) == len(items):
        return body, False
    body["properties"][ENTRIES] = kept
    return body, True


# --- what the modules return ----------------------------------------------------------------

def address_to_dict(entry):
    props = (entry or {}).get("properties") or {}
    return {
        "name": entry.get("name"),
        "ip_address": props.get("ipAddress"),
        "virtual_network": _ref(props.get("virtualNetwork")),
        "subnet": _ref(props.get("subnet")),
        "ip_configuration": _ref(props.get(NIC_REF)),
        "admin_state": admin_state(entry),
    }


def admin_states(pool):
    """{lower-case NIC ip configuration id or IP address: admin state} of the pool's members."""
    out = {}
    for entry in entries(pool):
        props = entry.get("properties") or {}
        for key in (_ref(props.get(NIC_REF)), props.get("ipAddress")):
            if key:
                out[key.lower()] = admin_state(entry)
    return out


class _PoolOperations:
    """One load balancer's backend pools as an operations group of top-level resources
    (``get(group, name)``, ``begin_create_or_update(group, name, body)``), so update() serves them."""

    def __init__(self, operations, load_balancer):
        self.operations = operations
        self.load_balancer = load_balancer

    def get(self, resource_group, name):
        return self.operations.get(resource_group, self.load_balancer, name)

    def begin_create_or_update(self, resource_group, name, body, **kwargs):
        return self.operations.begin_create_or_update(resource_group, self.load_balancer, name, body, **kwargs)


def update_pool(module, resource_group, load_balancer, pool, apply, what, failure=None):
    """update() of one backend pool at its own URL (``PUT .../backendAddressPools/{pool}``), as
    az's ``network lb address-pool address add|update|remove`` writes it.

    The pool's etag is its load balancer's (Azure gives the load balancer and all its parts one
    etag), so ``If-Match`` makes the write conditional on nobody having written any part of the
    load balancer since we read it; and the body is that pool alone, so nothing else of the load
    balancer is sent back. Azure also applies IP-based addresses only at this URL on a Standard
    load balancer (Azure/azure-rest-api-specs#11234), so it is the one that works everywhere.
    """
    operations = _PoolOperations(module.client("network").load_balancer_backend_address_pools, load_balancer)
    return update(module, operations, resource_group, pool, apply, what, model="BackendAddressPool", failure=failure)
