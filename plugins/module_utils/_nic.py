# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network interfaces as the modules see them: references given by name or id, the ip
configurations a task asks for, merging them into a NIC without dropping what the task did not
name, and the returned dict.

Pure functions over ARM JSON (the REST shape: ``{"properties": {"ipConfigurations": [...]}}``),
so ``network_interface`` and ``lb_pool_member`` share them and unit tests need no SDK.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy
import ipaddress

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import (
    LOAD_BALANCER,
    PUBLIC_IP,
    VIRTUAL_NETWORK,
    parse_id,
    reference_problem,
    same_id,
    to_id,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem

# az network nic create names the first ip configuration ipconfig1; Azure compares names
# without regard to case, so the tutorial's ipConfig1 is the same one.
PRIMARY_NAME = "ipconfig1"

ALLOCATIONS = {"dynamic": "Dynamic", "static": "Static"}
POOLS = "loadBalancerBackendAddressPools"
NAT_RULES = "loadBalancerInboundNatRules"


def _checked_name(name, what):
    problem = name_problem(name, f"{what} name")
    if problem:
        raise OptionError(f"Invalid {what}: {problem}")
    return name


def reference(value, subscription, group, type_name, what):
    """The id of a top-level resource given by name (in ``group``) or by id; "" stays "" (remove)."""
    if value is None or value == "":
        return value
    problem = reference_problem(value, type_name, what)
    if problem:
        raise OptionError(f"Invalid {what}: {problem}")
    if not value.startswith("/"):
        _checked_name(value, what)
    return to_id(value, subscription, group, type_name)


def _child_id(value, parent_type, child_type, what):
    """``value`` if it is the id of a ``parent_type``/``child_type`` Microsoft.Network resource."""
    parts = parse_id(value)
    if (
        not parts
        or parts["namespace"].lower() != "microsoft.network"
        or parts["type"].lower() != parent_type.lower()
        or len(parts["children"]) != 1
        or parts["children"][0][0].lower() != child_type.lower()
    ):
        raise OptionError(f"Invalid {what}: {value!r} is not the id of a Microsoft.Network/{parent_type}/{child_type}"
                          " resource")
    return value


def subnet_reference(subnet, virtual_network, subscription, group):
    """The subnet id from ``subnet`` (a name or an id) and ``virtual_network`` (a name or an id)."""
    if subnet is None:
        return None
    if subnet.startswith("/"):
        return _child_id(subnet, VIRTUAL_NETWORK, "subnets", "subnet")
    _checked_name(subnet, "subnet")
    if not virtual_network:
        raise OptionError(f"subnet {subnet!r} is a name: give virtual_network too, or the subnet's resource ID")
    return f"{reference(virtual_network, subscription, group, VIRTUAL_NETWORK, 'virtual network')}/subnets/{subnet}"


def child_reference(item, subscription, group, child_type, what):
    """The id of a load balancer child (backend pool, inbound NAT rule): an id, or
    ``{load_balancer, name[, resource_group]}`` with the load balancer by name or id."""
    if isinstance(item, str):
        return _child_id(item, LOAD_BALANCER, child_type, what)
    if not isinstance(item, dict) or set(item) - {"load_balancer", "name", "resource_group"}:
        raise OptionError(f"each {what} is a resource ID or a dict with load_balancer, name and optionally"
                          f" resource_group; got {item!r}")
    name, balancer = item.get("name"), item.get("load_balancer")
    if not name or not balancer:
        raise OptionError(f"a {what} given as a dict needs both load_balancer and name; got {item!r}")
    _checked_name(name, what)
    balancer_id = reference(balancer, subscription, item.get("resource_group") or group, LOAD_BALANCER,
                            "load balancer")
    return f"{balancer_id}/{child_type}/{name}"


def _allocation(address, method, what):
    """(address, method) of an ip configuration: an address means Static; Static needs one."""
    if method is not None:
        method = ALLOCATIONS[method.lower()]
    if address is not None:
        try:
            address = str(ipaddress.IPv4Address(address))
        except ValueError:
            raise OptionError(f"private_ip_address {address!r} of {what} is not an IPv4 address") from None
        if method == "Dynamic":
            raise OptionError(f"{what}: private_ip_address {address} needs private_ip_allocation_method=Static")
        method = "Static"
    elif method == "Static":
        raise OptionError(f"{what}: private_ip_allocation_method=Static needs private_ip_address")
    return address, method


def desired_ip_configurations(params, subscription, group):
    """The ip configurations a task asks for, from the module's options, with every reference
    turned into an id: a list of dicts ``name`` (None: the primary, whatever its name),
    ``primary``, ``subnet``, ``private_ip_address``, ``private_ip_allocation_method``,
    ``public_ip_address`` ("" removes it), ``pools``, ``nat_rules``; None means "leave as is".

    The top-level options describe the primary ip configuration; ``ip_configurations`` items
    describe others, or the primary again (named like it or marked primary) when no top-level
    option says the same thing. Raises OptionError for anything Azure would refuse.
    """
    subnet = subnet_reference(params.get("subnet"), params.get("virtual_network"), subscription, group)
    items = params.get("ip_configurations") or []
    primary = {
        "name": None,
        "primary": True,
        "subnet": subnet,
        "public_ip_address": reference(params.get("public_ip_address"), subscription, group, PUBLIC_IP,
                                       "public IP address"),
        "pools": [child_reference(p, subscription, group, "backendAddressPools", "backend address pool")
                  for p in params.get("load_balancer_backend_address_pools") or []],
        "nat_rules": [child_reference(r, subscription, group, "inboundNatRules", "inbound NAT rule")
                      for r in params.get("load_balancer_inbound_nat_rules") or []],
    }
    primary["private_ip_address"], primary["private_ip_allocation_method"] = _allocation(
        params.get("private_ip_address"), params.get("private_ip_allocation_method"), "the primary ip configuration")
    marked = [item for item in items if item.get("primary")]
    if len(marked) > 1:
        raise OptionError("only one item of ip_configurations can have primary=true, got "
                          + ", ".join(repr(item["name"]) for item in marked))
    out = [primary]
    seen = set()
    for item in items:
        name = item["name"]
        what = f"ip configuration {name!r}"
        _checked_name(name, "ip configuration")
        if name.lower() in seen:
            raise OptionError(f"ip_configurations names {name!r} twice (names are compared without regard to case)")
        seen.add(name.lower())
        address, method = _allocation(item.get("private_ip_address"), item.get("private_ip_allocation_method"), what)
        spec = {
            "name": name,
            "primary": item.get("primary"),
            "subnet": subnet_reference(item.get("subnet"), params.get("virtual_network"), subscription, group),
            "private_ip_address": address,
            "private_ip_allocation_method": method,
            "public_ip_address": reference(item.get("public_ip_address"), subscription, group, PUBLIC_IP,
                                           "public IP address"),
            "pools": [child_reference(p, subscription, group, "backendAddressPools", "backend address pool")
                      for p in item.get("load_balancer_backend_address_pools") or []],
            "nat_rules": [child_reference(r, subscription, group, "inboundNatRules", "inbound NAT rule")
                          for r in item.get("load_balancer_inbound_nat_rules") or []],
        }
        if item.get("primary"):
            _fold_into_primary(primary, spec)
        else:
            out.append(spec)
    return out


def _fold_into_primary(primary, item):
    """An item marked primary names the primary ip configuration; its settings join the
    top-level ones, which must not say something else."""
    for key in ("subnet", "public_ip_address", "private_ip_address", "private_ip_allocation_method"):
        if item[key] is None:
            continue
        if primary[key] is not None and primary[key] != item[key]:
            raise OptionError(f"the primary ip configuration gets {key} both from the top-level option and from"
                              f" ip_configurations item {item['name']!r}; set it in one place")
        primary[key] = item[key]
    primary["name"] = item["name"]
    primary["pools"] += item["pools"]
    primary["nat_rules"] += item["nat_rules"]


def primary_ip_configuration(configs):
    """The primary ip configuration of a NIC's list: the one marked primary, else the first."""
    marked = [c for c in configs if (c.get("properties") or {}).get("primary")]
    return (marked or configs or [None])[0]


def find_ip_configuration(configs, name):
    """The ip configuration called ``name`` (any case); ``None`` as name means the primary one."""
    if name is None:
        return primary_ip_configuration(configs)
    return next((c for c in configs if c.get("name", "").lower() == name.lower()), None)


def with_references_added(refs, ids):
    """``refs`` (``[{"id": ...}]``) plus each id not already there, order kept: (new list, changed)."""
    out = [dict(ref) for ref in refs or []]
    for ref_id in ids:
        if not any(same_id(ref.get("id"), ref_id) for ref in out):
            out.append({"id": ref_id})
    return out, len(out) != len(refs or [])


def with_references_removed(refs, ids):
    """``refs`` without the given ids, every other one kept: (new list, changed)."""
    out = [dict(ref) for ref in refs or [] if not any(same_id(ref.get("id"), ref_id) for ref_id in ids)]
    return out, len(out) != len(refs or [])


def _apply(config, spec, new):
    """Set what ``spec`` asks for on the ip configuration ``config`` (ARM JSON, changed in place)."""
    props = config.setdefault("properties", {})
    subnet_changed = spec["subnet"] is not None and not same_id(props.get("subnet", {}).get("id"), spec["subnet"])
    if subnet_changed:
        props["subnet"] = {"id": spec["subnet"]}
    method = spec["private_ip_allocation_method"]
    if method is not None:
        props["privateIPAllocationMethod"] = method
    if spec["private_ip_address"] is not None:
        props["privateIPAddress"] = spec["private_ip_address"]
    elif subnet_changed and props.get("privateIPAllocationMethod", "Dynamic") == "Dynamic":
        # A dynamic address belongs to the old subnet: let Azure pick one in the new subnet.
        props.pop("privateIPAddress", None)
    pip = spec["public_ip_address"]
    if pip == "":
        props.pop("publicIPAddress", None)
    elif pip is not None and not same_id(props.get("publicIPAddress", {}).get("id"), pip):
        props["publicIPAddress"] = {"id": pip}
    if spec["pools"]:
        props[POOLS], _changed = with_references_added(props.get(POOLS), spec["pools"])
    if spec["nat_rules"]:
        props[NAT_RULES], _changed = with_references_added(props.get(NAT_RULES), spec["nat_rules"])
    if new:
        props["primary"] = bool(spec["primary"])


def merged_ip_configurations(current, specs):
    """The NIC's ip configurations (ARM JSON) after applying ``specs`` (``specs[0]`` is the
    primary, as desired_ip_configurations gives them): named ones are updated or added,
    everything not asked about (other ip configurations, pools, NAT rules) is kept.
    ``current`` is not changed."""
    configs = copy.deepcopy(current or [])
    for spec in specs:
        config = find_ip_configuration(configs, spec["name"])
        new = config is None
        if new:
            config = {"name": spec["name"] or PRIMARY_NAME, "properties": {}}
            if spec["subnet"] is None and spec is not specs[0]:
                spec = dict(spec, subnet=specs[0]["subnet"])
            configs.append(config)
        _apply(config, spec, new)
        if spec is specs[0] and len(configs) > 1:
            # The primary named by the task becomes the only primary one.
            for other in configs:
                other.setdefault("properties", {})["primary"] = other is config
    return configs


def desired_nic(current, settings, specs, nic_id):
    """The NIC (ARM JSON) to PUT: ``current`` (None to create) with ``settings`` (``location``,
    ``tags``, ``security_group`` id or "" to remove, ``ip_forwarding``,
    ``accelerated_networking``; None leaves a value as is) and the ip configuration ``specs``.
    New parts get the ids Azure will give them, so check mode can show them."""
    body = copy.deepcopy(current) if current else {
        "id": nic_id, "name": nic_id.rsplit("/", 1)[1], "location": settings["location"], "properties": {}}
    props = body.setdefault("properties", {})
    nsg = settings["security_group"]
    if nsg == "":
        props.pop("networkSecurityGroup", None)
    elif nsg is not None and not same_id((props.get("networkSecurityGroup") or {}).get("id"), nsg):
        props["networkSecurityGroup"] = {"id": nsg}
    for option, key in (("ip_forwarding", "enableIPForwarding"), ("accelerated_networking", "enableAcceleratedNetworking")):
        if settings[option] is not None:
            props[key] = settings[option]
    props["ipConfigurations"] = merged_ip_configurations(props.get("ipConfigurations"), specs)
    for config in props["ipConfigurations"]:
        config.setdefault("id", f"{nic_id}/ipConfigurations/{config['name']}")
    body["tags"] = settings["tags"]
    return body


def comparable(nic):
    """What the modules manage on a NIC (ARM JSON), in a form where equal means unchanged:
    ids in lower case, ip configurations by name."""
    if not nic:
        return {}
    props = nic.get("properties") or {}
    configs = {}
    for config in props.get("ipConfigurations") or []:
        cprops = config.get("properties") or {}
        configs[config["name"].lower()] = {
            "primary": bool(cprops.get("primary")),
            "subnet": (cprops.get("subnet") or {}).get("id", "").lower(),
            "method": cprops.get("privateIPAllocationMethod", "Dynamic"),
            "address": cprops.get("privateIPAddress") if cprops.get("privateIPAllocationMethod") == "Static" else None,
            "public_ip": (cprops.get("publicIPAddress") or {}).get("id", "").lower(),
            "pools": sorted(ref["id"].lower() for ref in cprops.get(POOLS) or []),
            "nat_rules": sorted(ref["id"].lower() for ref in cprops.get(NAT_RULES) or []),
        }
    return {
        "location": nic.get("location"),
        "tags": nic.get("tags") or {},
        "security_group": (props.get("networkSecurityGroup") or {}).get("id", "").lower(),
        "ip_forwarding": bool(props.get("enableIPForwarding")),
        "accelerated_networking": bool(props.get("enableAcceleratedNetworking")),
        "ip_configurations": configs,
    }


def _ref(value):
    return (value or {}).get("id")


def ip_configuration_to_dict(config):
    props = config.get("properties") or {}
    return {
        "id": config.get("id"),
        "name": config.get("name"),
        "primary": props.get("primary"),
        "private_ip_address": props.get("privateIPAddress"),
        "private_ip_allocation_method": props.get("privateIPAllocationMethod"),
        "private_ip_address_version": props.get("privateIPAddressVersion"),
        "subnet": _ref(props.get("subnet")),
        "public_ip_address": _ref(props.get("publicIPAddress")),
        "load_balancer_backend_address_pools": [ref["id"] for ref in props.get(POOLS) or []],
        "load_balancer_inbound_nat_rules": [ref["id"] for ref in props.get(NAT_RULES) or []],
        "provisioning_state": props.get("provisioningState"),
    }


def nic_to_dict(nic):
    """The NIC (ARM JSON) as the modules return it."""
    props = nic.get("properties") or {}
    configs = [ip_configuration_to_dict(c) for c in props.get("ipConfigurations") or []]
    primary = primary_ip_configuration(props.get("ipConfigurations") or [])
    return {
        "id": nic.get("id"),
        "name": nic.get("name"),
        "location": nic.get("location"),
        "tags": dict(nic.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
        "security_group": _ref(props.get("networkSecurityGroup")),
        "ip_forwarding": bool(props.get("enableIPForwarding")),
        "accelerated_networking": bool(props.get("enableAcceleratedNetworking")),
        "mac_address": props.get("macAddress") or None,
        "primary": props.get("primary"),
        "virtual_machine": _ref(props.get("virtualMachine")),
        "private_ip_address": ((primary or {}).get("properties") or {}).get("privateIPAddress"),
        "ip_configurations": configs,
    }


def diff_view(nic):
    """The NIC for ``diff``: what a task can change, without server bookkeeping."""
    if not nic:
        return {}
    view = nic_to_dict(nic)
    view.pop("provisioning_state")
    for config in view["ip_configurations"]:
        config.pop("provisioning_state")
    return view


def address_outside(address, subnet):
    """Why Azure would refuse the static ``address`` in ``subnet`` (Azure's JSON of it), or None:
    it must be in one of the subnet's prefixes (PrivateIPAddressNotInSubnet) and not among the
    five Azure keeps in each, the first four and the last (PrivateIPAddressInReservedRange)."""
    if not address or not subnet:
        return None
    props = subnet.get("properties") or {}
    prefixes = props.get("addressPrefixes") or [props.get("addressPrefix")]
    nets = [ipaddress.ip_network(prefix, strict=False) for prefix in prefixes if prefix]
    ip = ipaddress.ip_address(address)
    net = next((n for n in nets if ip.version == n.version and ip in n), None)
    if net is None:
        return f"{address} is not in subnet {subnet.get('name')} ({', '.join(map(str, nets))})"
    if not net[4] <= ip <= net[-2]:
        return (f"{address} is one of the addresses Azure keeps in subnet {subnet.get('name')} ({net}): the first"
                " four and the last")
    return None
