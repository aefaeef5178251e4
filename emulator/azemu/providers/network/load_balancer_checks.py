"""The checks Azure makes when a load balancer, or a NIC that joins one of its pools, is written:
references between the parts, the frontends' public IPs and subnets, port conflicts between
rules, and parts still in use by NICs; frontends reference public IPs and subnets of their own
region, HA ports rules only internal frontends, and a pool's NICs share one virtual network.

Codes and messages are Azure's as quoted in public reports of real failures
(`InvalidResourceReference`, `PublicIPAndLBSkuDoNotMatch`, `ProbeRequestPathIsNotNull`,
`RulesUseSameBackendPortProtocolAndPool`, `RulesUseSameBackendPortProtocolAndIPConfig`,
`RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig`; a NIC joining a pool of IP
addresses gets backend_addresses' `CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool`).
The few found nowhere are marked where they are raised, named in Azure's style.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from ...errors import ArmError, in_use
from . import backend_addresses
from .addresses import dynamic_address, static_address
from .public_ip import users as public_ip_users
from .references import holders, invalid_reference, require, sub_resource
from .virtual_network import subnet_prefixes, taken_addresses

IDLE_TIMEOUT = (4, 30)
MIN_PROBE_INTERVAL = 5

PIP_TYPE = "Microsoft.Network/publicIPAddresses"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
# Which NIC ip configuration property points at which part of a load balancer.
NIC_REFERENCES = {"backendAddressPools": "loadBalancerBackendAddressPools",
                  "inboundNatRules": "loadBalancerInboundNatRules"}


def ref_id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else None


def ref_ids(props: dict[str, Any], key: str) -> list[str]:
    """The ids a property holds, whether one reference or a list of them."""
    value = props.get(key)
    values = value if isinstance(value, list) else [value]
    return [v["id"] for v in values if isinstance(v, dict) and isinstance(v.get("id"), str)]


def owner_id(part_id: str) -> str:
    """`.../loadBalancers/lb/backendAddressPools/p` -> `.../loadBalancers/lb`."""
    return part_id.rsplit("/", 2)[0]


def overlap(a: str, b: str) -> bool:
    return a == b or "All" in (a, b)


def users(ctx, part_id: str, collection: str) -> list[str]:
    """Ids of the NIC ip configurations that use a pool or an inbound NAT rule."""
    return [holder["id"] for _top, holder in holders(ctx, part_id, via=(NIC_REFERENCES[collection],))]


def pool_members(ctx, pool_id: str) -> list[str]:
    return users(ctx, pool_id, "backendAddressPools")


def check_probe(probe) -> None:
    props = probe.props
    path = props.get("requestPath")
    if props["protocol"] == "Tcp" and path is not None:
        raise ArmError.bad_request(
            "ProbeRequestPathIsNotNull",
            f"Request path for probe {probe.id} must be null when its protocol is Tcp.")
    if props["protocol"] != "Tcp" and not path:
        # Code not found in Azure's public material; the counterpart of ProbeRequestPathIsNotNull.
        raise ArmError.bad_request(
            "ProbeRequestPathIsNull",
            f"Request path for probe {probe.id} must be specified when its protocol is {props['protocol']}.")


def check_load_balancer(ctx, lb, current) -> None:
    """Everything that involves more than one part, run on every write of the load balancer."""
    ids = {segment: {c.id.lower() for c in lb.children(segment)}
           for segment in ("frontendIPConfigurations", "backendAddressPools", "probes")}
    _check_frontends(ctx, lb, current)
    _check_references(lb, ids)
    _check_frontend_ports(lb)
    _check_backend_ports(lb)
    _check_ha_ports(lb)
    if current is not None:
        for collection in NIC_REFERENCES:
            kept = {c.id.lower() for c in lb.children(collection)}
            for part in current.children(collection):
                if part.id.lower() not in kept:
                    check_unused(ctx, part.id, collection)
    _check_members(ctx, lb)


def check_unused(ctx, part_id: str, collection: str) -> None:
    """A pool or NAT rule that NIC ip configurations use can be neither removed nor deleted."""
    used_by = users(ctx, part_id, collection)
    if used_by:
        kind = "Backend address pool" if collection == "backendAddressPools" else "Inbound NAT rule"
        # Code not found in Azure's public material; named like InUseSubnetCannotBeDeleted.
        code = "InUseBackendAddressPoolCannotBeDeleted" if collection == "backendAddressPools" \
            else "InUseInboundNatRuleCannotBeDeleted"
        raise in_use(code, f"{kind} {part_id} is in use by {used_by[0]} and cannot be deleted. Remove it from "
                           "the network interface ip configurations that use it first.")


def _check_frontends(ctx, lb, current) -> None:
    sku = lb.body["sku"]["name"]
    mine: dict[str, str] = {}       # private addresses this load balancer's frontends took so far
    public: dict[str, str] = {}     # public IPs this load balancer's frontends took so far
    for fe in lb.children("frontendIPConfigurations"):
        props = fe.props
        pip = sub_resource(props.get("publicIPAddress"), "publicIPAddress")
        prefix = sub_resource(props.get("publicIPPrefix"), "publicIPPrefix")
        subnet = sub_resource(props.get("subnet"), "subnet")
        if sum(x is not None for x in (pip, prefix, subnet)) != 1:
            raise ArmError.invalid(f"Frontend IP configuration {fe.id} must reference exactly one of a public IP "
                                   "address, a public IP prefix or a subnet.")
        if prefix:
            require(ctx, prefix, "Microsoft.Network/publicIPPrefixes", fe.id)
        if pip:
            address = require(ctx, pip, PIP_TYPE, fe.id, location=lb.location)
            pip_sku = address.body.get("sku", {}).get("name", "Basic")
            if pip_sku != sku:
                raise ArmError.bad_request(
                    "PublicIPAndLBSkuDoNotMatch",
                    f"{sku} sku load balancer {lb.id} cannot reference {pip_sku} sku publicIP {pip}.")
            others = [u for u in public_ip_users(ctx, pip) if not u.lower().startswith(lb.id.lower() + "/")]
            holder = public.get(pip.lower()) or next(iter(others), None)
            if holder:
                raise ArmError.bad_request(
                    "PublicIPAddressInUse",
                    f"Resource {fe.id} is referencing public IP address {pip} that is already allocated to "
                    f"resource {holder}.")
            public[pip.lower()] = fe.id
            props["publicIPAddress"] = {"id": pip}
            props.pop("privateIPAddress", None)
        if subnet:
            network = require(ctx, subnet, SUBNET_TYPE, fe.id, location=lb.location)
            props["subnet"] = {"id": subnet}
            before = current.child("frontendIPConfigurations", fe.name) if current else None
            props["privateIPAddress"] = _private_address(ctx, lb, fe, network, before, mine)


def _private_address(ctx, lb, fe, subnet, before, mine: dict[str, str]) -> str:
    """The frontend's address in the subnet, given as a NIC ip configuration's is: the one asked
    for (Static), else the one it had, else the lowest free one."""
    props = fe.props
    nets = [n for n in subnet_prefixes(subnet.body) if f"IPv{n.version}" == props["privateIPAddressVersion"]]
    if not nets:
        raise ArmError.invalid(f"Subnet {subnet.id} has no {props['privateIPAddressVersion']} address prefix for "
                               f"frontend IP configuration {fe.id}.", target="privateIPAddressVersion")
    taken = taken_addresses(ctx, subnet.id, lb.id)
    taken.update({a: h for a, h in mine.items() if a not in taken})
    if props["privateIPAllocationMethod"] == "Static":
        address = static_address(fe, nets, taken)
    else:
        address = dynamic_address(before, subnet.id, nets, taken)
    if address is None:
        raise ArmError.bad_request(
            "SubnetIsFull", f"Subnet {subnet.name} with address prefix {', '.join(map(str, nets))} does not have "
                            "enough capacity for 1 IP addresses.")
    mine[address] = fe.id
    return address


KINDS = {"loadBalancingRules": "Load balancing rule", "inboundNatRules": "Inbound NAT rule",
         "outboundRules": "Outbound rule"}


def _check_references(lb, ids: dict[str, set[str]]) -> None:
    def need(part, key: str, segment: str, required: bool = False) -> list[str]:
        value = part.props.get(key)
        found = [sub_resource(v, key) for v in (value if isinstance(value, list) else [value]) if v is not None]
        if required and not found:
            raise ArmError.invalid(f"{KINDS[part.rtype.segment]} {part.id} must reference '{key}'.", target=key)
        for target in found:
            if target.lower() not in ids[segment]:
                raise invalid_reference(target, part.id)
        return found

    for rule in lb.children("loadBalancingRules"):
        need(rule, "frontendIPConfiguration", "frontendIPConfigurations", required=True)
        need(rule, "probe", "probes")
        pool = need(rule, "backendAddressPool", "backendAddressPools")
        pools = need(rule, "backendAddressPools", "backendAddressPools")
        # Azure derives the list from the single pool (the recording shows both).
        if pool:
            rule.props["backendAddressPools"] = [{"id": pool[0]}]
        elif len(pools) == 1:
            rule.props["backendAddressPool"] = {"id": pools[0]}
    for nat in lb.children("inboundNatRules"):
        need(nat, "frontendIPConfiguration", "frontendIPConfigurations", required=True)
        need(nat, "backendAddressPool", "backendAddressPools")
        if nat.props.get("frontendPort") is None and nat.props.get("frontendPortRangeStart") is None:
            raise ArmError.invalid(f"Inbound NAT rule {nat.id} needs a 'frontendPort' or a frontend port range.")
    for outbound in lb.children("outboundRules"):
        need(outbound, "frontendIPConfigurations", "frontendIPConfigurations", required=True)
        need(outbound, "backendAddressPool", "backendAddressPools", required=True)


def _check_ha_ports(lb) -> None:
    """HA ports (protocol All, ports 0) only on an internal frontend: "HA ports are available
    only for an internal Standard load balancer" (Azure's "High availability ports overview").
    Code not found in Azure's public material; named in Azure's style."""
    for rule in lb.children("loadBalancingRules"):
        props = rule.props
        if props.get("protocol") == "All" and props.get("frontendPort") == 0 and _is_public(lb, rule):
            raise ArmError.bad_request(
                "HaPortsRuleNotAllowedOnPublicLoadBalancer",
                f"Load balancing rule {rule.id} uses HA ports (protocol All and port 0), which only an internal "
                f"frontend IP configuration can have; {ref_id(props['frontendIPConfiguration'])} is public.")


def _check_frontend_ports(lb) -> None:
    seen: list[tuple[str, str, int, Any]] = []
    for part in lb.children("loadBalancingRules") + lb.children("inboundNatRules"):
        props = part.props
        if props.get("frontendPort") is None:
            continue
        frontend = ref_id(props.get("frontendIPConfiguration")).lower()
        for other_frontend, protocol, port, other in seen:
            if other_frontend == frontend and port == props["frontendPort"] and overlap(protocol, props["protocol"]):
                # Code not found in Azure's public material; named like the backend port conflicts.
                raise ArmError.bad_request(
                    "RulesUseSameFrontendPortProtocolAndIPConfig",
                    f"Load balancer rules {other.id} and {part.id} use the same frontend IP configuration "
                    f"{ref_id(props['frontendIPConfiguration'])}, protocol {protocol} and frontend port {port}.")
        seen.append((frontend, props["protocol"], props["frontendPort"], part))


def _conflicting(a, b) -> bool:
    """Two rules that would deliver the same flows to one backend IP."""
    pa, pb = a.props, b.props
    return (not pa["enableFloatingIP"] and not pb["enableFloatingIP"] and pa["backendPort"] == pb["backendPort"]
            and overlap(pa["protocol"], pb["protocol"]))


def _check_backend_ports(lb) -> None:
    for a, b in combinations(lb.children("loadBalancingRules"), 2):
        shared = {p.lower() for p in ref_ids(a.props, "backendAddressPools")} & \
                 {p.lower() for p in ref_ids(b.props, "backendAddressPools")}
        if shared and _conflicting(a, b):
            pool = next(p for p in ref_ids(a.props, "backendAddressPools") if p.lower() in shared)
            raise ArmError.bad_request(
                "RulesUseSameBackendPortProtocolAndPool",
                f"Load balancing rules {a.id} and {b.id} with floating IP disabled use the same protocol "
                f"{a.props['protocol']} and backend port {a.props['backendPort']}, and must not be used with the "
                f"same backend address pool {pool}.")


def _check_members(ctx, lb) -> None:
    """NIC ip configurations already in the pools must not end up in conflicting rules."""
    for pool in lb.children("backendAddressPools"):
        for _nic, ipconfig in holders(ctx, pool.id, via=(NIC_REFERENCES["backendAddressPools"],)):
            _check_ip_configuration(ctx, ipconfig, {lb.id.lower(): lb})


def _is_public(lb, rule) -> bool:
    frontend = lb.child("frontendIPConfigurations", ref_id(rule.props["frontendIPConfiguration"]).rsplit("/", 1)[1])
    return frontend is not None and frontend.props.get("publicIPAddress") is not None


def _check_ip_configuration(ctx, ipconfig: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Rules reaching this ip configuration through its pools must not deliver the same flows;
    `overrides` holds load balancers being written (not yet stored)."""
    pools = {p.lower() for p in ref_ids(ipconfig.get("properties", {}), "loadBalancerBackendAddressPools")}
    rules: dict[str, tuple[Any, Any]] = {}
    for lb_id in {owner_id(p) for p in pools}:
        lb = overrides.get(lb_id) or ctx.resolve(lb_id)
        if lb is None:
            continue
        for rule in lb.children("loadBalancingRules"):
            if pools & {p.lower() for p in ref_ids(rule.props, "backendAddressPools")}:
                rules[rule.id.lower()] = (lb, rule)
    for (lb_a, a), (lb_b, b) in combinations([rules[k] for k in sorted(rules)], 2):
        if not _conflicting(a, b):
            continue
        if lb_a.id.lower() == lb_b.id.lower():
            raise ArmError.bad_request(
                "RulesUseSameBackendPortProtocolAndIPConfig",
                f"Load balancer rules {a.id} and {b.id} with floating IP disabled use the same backend port "
                f"{a.props['backendPort']} and protocol {a.props['protocol']}, and must not be used with the same "
                f"backend IP {ipconfig['id']}.")
        if _is_public(lb_a, a) == _is_public(lb_b, b):
            raise ArmError.bad_request(
                "RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig",
                f"Load balancer rules {a.id} and {b.id} use the same backend port ({a.props['backendPort']}) and "
                f"protocol ({a.props['protocol']}), and must not be used with the same backend ip ({ipconfig['id']}).")


def check_network_interface(ctx, nic_body: dict[str, Any]) -> None:
    """For the NIC type, once its references are known to exist: joining the pools its ip
    configurations name breaks none of the load balancers' rules. `nic_body` is the NIC as it
    will be stored."""
    for ipconfig in nic_body.get("properties", {}).get("ipConfigurations") or []:
        for pool_id in ref_ids(ipconfig.get("properties", {}), NIC_REFERENCES["backendAddressPools"]):
            pool = ctx.resolve(pool_id)
            if pool is not None and backend_addresses.is_ip_based(pool.body):
                raise backend_addresses.mixed_refused(pool_id)
            _check_same_network(ctx, pool_id, ipconfig)
        _check_ip_configuration(ctx, ipconfig, {})


def _vnet_of(subnet_id: str) -> str:
    return subnet_id.lower().split("/subnets/")[0]


def _check_same_network(ctx, pool_id: str, ipconfig: dict[str, Any]) -> None:
    """A NIC-based pool's members share one virtual network ("All resources in a backend pool
    must be in the same virtual network", Azure's "Backend pool management"). Code not found in
    Azure's public material; named in Azure's style."""
    subnet = ref_id(ipconfig.get("properties", {}).get("subnet"))
    if not subnet:
        return
    for _nic, other in holders(ctx, pool_id, via=(NIC_REFERENCES["backendAddressPools"],)):
        theirs = ref_id(other.get("properties", {}).get("subnet"))
        if other["id"].lower() != ipconfig.get("id", "").lower() and theirs and _vnet_of(theirs) != _vnet_of(subnet):
            raise ArmError.bad_request(
                "BackendAddressPoolMembersInDifferentVirtualNetworks",
                f"Network interface ip configuration {ipconfig.get('id')} in virtual network {_vnet_of(subnet)} "
                f"cannot join backend address pool {pool_id}, whose members are in virtual network "
                f"{_vnet_of(theirs)}: the members of a backend pool must be in one virtual network.")
