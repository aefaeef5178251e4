"""A backend pool's `loadBalancerBackendAddresses`: its members as addresses, of two kinds.

- IP-based members (Standard SKU only): `ipAddress` in a `virtualNetwork` (or a `subnet` of
  one), each named by the client (`LBBackendAddressPoolWithBackendAddressesPut.json`). The
  pool's own `virtualNetwork` says which VNet they are in when an entry does not. An address
  held by a NIC ip configuration in that VNet shows it as the read-only
  `networkInterfaceIPConfiguration`; one nobody holds yet is kept as given (Azure lets a pool be
  filled before its VMs exist, "Backend pool management").
- NIC-based members: the NIC ip configurations whose `loadBalancerBackendAddressPools` name the
  pool. On a Standard load balancer Azure lists each as an entry too, named after its NIC
  (`{NIC resource group}_{NIC}{ip configuration}`, as Azure's answers show them, e.g.
  `myRG_webNic2ipconfig1`) with its `networkInterfaceIPConfiguration`; Basic load balancers list
  none (the az CLI recording `test_network_lb.yaml` shows both). Membership changes only through
  the NIC: a pool write that adds one, or names one that is not a member, is refused with
  `ModificationOfNICIpConfigBackendPoolNotSupported` (Azure's code and message, quoted in
  hashicorp/terraform-provider-azurerm#10496). Such an entry carries one thing a client may
  set: `adminState` (what az's `network lb address-pool address update --admin-state` sends).
  A NIC entry left out of a write keeps its admin state (SDKs send back what they read, without
  the read-only `networkInterfaceIPConfiguration`: entries are matched by name).

`adminState` (`None`, `Up`, `Down`; "Administrative State (Admin State) in Azure Load
Balancer") is kept per entry; the data plane honours it. A pool cannot mix the two kinds
(`CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool`, quoted in
hashicorp/terraform-provider-azurerm#25962), whether the pool or a NIC is written.

Azure's "Backend pool management" documents what it refuses: IP-based members only on Standard
load balancers, in the virtual network given. The codes for those refusals are not in Azure's
public material; azemu names them in Azure's style (marked below).

Entries are answered in the spec's shape (`LoadBalancerBackendAddress`: `name` and the
properties it lists). Azure's own answers also give each an `id`, `etag`, `type` and
`provisioningState` (the az CLI recording), which the spec does not have: azemu leaves them out.
"""

from __future__ import annotations

import copy
from typing import Any

from ...errors import ArmError
from . import addresses
from .enums import ADMIN_STATE
from .references import require, sub_resource
from .virtual_network import subnet_prefixes

ENTRIES = "loadBalancerBackendAddresses"
VNET_TYPE = "Microsoft.Network/virtualNetworks"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
NIC_TYPE = "Microsoft.Network/networkInterfaces"
NIC_REF = "networkInterfaceIPConfiguration"
# What an entry's answer (Azure's, or one read back) carries that a client never sets.
SERVER_PROPERTIES = ("provisioningState", NIC_REF, "inboundNatRulesPortMapping")


def entries(pool_body: dict[str, Any]) -> list[dict[str, Any]]:
    return pool_body.get("properties", {}).get(ENTRIES) or []


def is_ip_based(pool_body: dict[str, Any]) -> bool:
    """A pool of IP-based members: one with an address, or with a virtual network of its own."""
    props = pool_body.get("properties", {})
    return props.get("virtualNetwork") is not None or any(
        e.get("properties", {}).get("ipAddress") for e in entries(pool_body))


def nic_entry_name(ipconfig_id: str) -> str:
    """`/.../resourceGroups/rg/.../networkInterfaces/nic/ipConfigurations/ipconfig1` -> `rg_nicipconfig1`."""
    segs = ipconfig_id.split("/")
    return f"{segs[4]}_{segs[8]}{segs[10]}"


def admin_states(pool_body: dict[str, Any]) -> dict[str, str]:
    """{lower-case NIC ip configuration id: adminState} of the NIC entries stored."""
    out = {}
    for entry in entries(pool_body):
        props = entry.get("properties", {})
        ref = (props.get(NIC_REF) or {}).get("id")
        if ref and props.get("adminState"):
            out[ref.lower()] = props["adminState"]
    return out


def _refused(code: str, message: str) -> ArmError:
    return ArmError.bad_request(code, message)


def modification_refused(pool_id: str) -> ArmError:
    return _refused(
        "ModificationOfNICIpConfigBackendPoolNotSupported",
        f"Operation on backend pool {pool_id} not allowed since it adds/modifies/deletes backend address pool "
        "members that are specified with a network interface IP configuration.")


def mixed_refused(pool_id: str) -> ArmError:
    return _refused(
        "CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackendAddressPool",
        f"Backend address pool {pool_id} cannot have both IP based backend addresses and network interface ip "
        "configurations.")


def validate(props: dict[str, Any]) -> None:
    """The shape of the entries (pool validate): objects with a name, unique without regard
    to case, server fields dropped, `adminState` in the spec's spelling."""
    items = props.setdefault(ENTRIES, [])
    if not isinstance(items, list) or not all(isinstance(a, dict) for a in items):
        raise ArmError.invalid(f"'{ENTRIES}' must be an array of objects.")
    seen: set[str] = set()
    cleaned = []
    for item in items:
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ArmError.invalid(f"Each item of '{ENTRIES}' needs a name.")
        if name.lower() in seen:
            raise ArmError.invalid(f"Cannot parse the request. Duplicate name '{name}' in '{ENTRIES}'.")
        seen.add(name.lower())
        eprops = item.get("properties") or {}
        if not isinstance(eprops, dict):
            raise ArmError.invalid(f"The properties of backend address {name} must be an object.")
        entry = {"name": name, "properties": {k: copy.deepcopy(v) for k, v in eprops.items()
                                              if k not in SERVER_PROPERTIES}}
        nic = sub_resource(eprops.get(NIC_REF), NIC_REF)
        if nic:
            entry["nic"] = nic          # kept only to match the entry to a member (fill)
        ADMIN_STATE.normalize(entry["properties"], "adminState")
        cleaned.append(entry)
    props[ENTRIES] = cleaned


def fill(ctx, pool, current, sku: str, members: list[str]) -> None:
    """Check the entries against the store and keep them as stored (pool fill). `members` are
    the NIC ip configurations in the pool; `current` is the pool as stored, or None."""
    props = pool.props
    stored_admin = admin_states(current.body) if current is not None else {}
    by_name = {nic_entry_name(m).lower(): m for m in members}
    by_id = {m.lower(): m for m in members}
    kept: list[dict[str, Any]] = []
    nic_states: dict[str, str] = {}
    for entry in props[ENTRIES]:
        given_nic = entry.pop("nic", None)
        eprops = entry["properties"]
        if eprops.get("ipAddress") is not None:
            kept.append(entry)
            continue
        member = by_id.get((given_nic or "").lower()) if given_nic else by_name.get(entry["name"].lower())
        if member is None or sku != "Standard" or any(k != "adminState" for k in eprops):
            if members or given_nic:
                raise modification_refused(pool.id)
            # Code not found in Azure's public material.
            raise _refused("BackendAddressIpAddressNotSpecified",
                           f"Backend address {entry['name']} of backend pool {pool.id} must specify an ipAddress.")
        if eprops.get("adminState"):
            nic_states[member.lower()] = eprops["adminState"]
    for member in members:
        state = nic_states.get(member.lower(), stored_admin.get(member.lower()))
        if state:
            kept.append({"name": nic_entry_name(member), "properties": {NIC_REF: {"id": member}, "adminState": state}})
    props[ENTRIES] = kept
    ip_entries = [e for e in kept if "ipAddress" in e["properties"]]
    vnet = sub_resource(props.get("virtualNetwork"), "virtualNetwork")
    if members and (ip_entries or vnet):
        raise mixed_refused(pool.id)
    if vnet:
        require(ctx, vnet, VNET_TYPE, pool.id)
        props["virtualNetwork"] = {"id": vnet}
    if (ip_entries or vnet) and sku != "Standard":
        # Code not found in Azure's public material ("IP based backends can only be used for
        # Standard Load Balancers", Backend pool management).
        raise _refused("IPBasedBackendAddressPoolRequiresStandardSku",
                       f"Backend pool {pool.id} has IP based backend addresses, which only Standard sku load "
                       f"balancers support; this load balancer is {sku}.")
    _check_ip_entries(ctx, pool, ip_entries, vnet)


def _check_ip_entries(ctx, pool, ip_entries: list[dict[str, Any]], pool_vnet: str | None) -> None:
    seen: dict[str, str] = {}
    vnets: set[str] = {pool_vnet.lower()} if pool_vnet else set()
    for entry in ip_entries:
        eprops, name = entry["properties"], entry["name"]
        text = eprops["ipAddress"]
        try:
            address = addresses.parse_address(text)
        except addresses.AddressError:
            # Code not found in Azure's public material.
            raise _refused("InvalidBackendAddressIpAddress",
                           f"Backend address {name} of backend pool {pool.id} has an invalid IP address {text}.") \
                from None
        eprops["ipAddress"] = str(address)
        given_vnet = vnet = sub_resource(eprops.get("virtualNetwork"), "virtualNetwork")
        if given_vnet:
            eprops["virtualNetwork"] = {"id": given_vnet}
        subnet_id = sub_resource(eprops.get("subnet"), "subnet")
        if subnet_id:
            subnet = require(ctx, subnet_id, SUBNET_TYPE, pool.id)
            eprops["subnet"] = {"id": subnet_id}
            if vnet and subnet.parent.id.lower() != vnet.lower():
                # Code not found in Azure's public material.
                raise _refused("BackendAddressSubnetNotInVirtualNetwork",
                               f"Subnet {subnet_id} of backend address {name} is not in virtual network {vnet}.")
            vnet = vnet or subnet.parent.id
            spaces = subnet_prefixes(subnet.body)
        else:
            vnet = vnet or pool_vnet
            if not vnet:
                # Code not found in Azure's public material.
                raise _refused("BackendAddressVirtualNetworkNotSpecified",
                               f"Backend address {name} of backend pool {pool.id} must reference a virtual network "
                               "or a subnet.")
            network = require(ctx, vnet, VNET_TYPE, pool.id)
            spaces = [addresses.parse_prefix(p) for p in
                      (network.props.get("addressSpace") or {}).get("addressPrefixes") or []]
        if not any(address in space for space in spaces if space.version == address.version):
            # Code not found in Azure's public material ("IP Address belonging to the referenced
            # virtual network", the spec's description of ipAddress).
            raise _refused("BackendAddressIpAddressNotInVirtualNetwork",
                           f"IP address {address} of backend address {name} does not belong to "
                           f"{'subnet ' + subnet_id if subnet_id else 'virtual network ' + vnet}.")
        vnets.add(vnet.lower())
        if len(vnets) > 1:
            # Code not found in Azure's public material ("The backend resources must be in the
            # same virtual network", Backend pool management).
            raise _refused("BackendAddressesInDifferentVirtualNetworks",
                           f"Backend addresses of backend pool {pool.id} must all be in one virtual network.")
        if str(address) in seen:
            # Code not found in Azure's public material; named like DuplicateIpConfigurationReferenceOnBackendAddressPool.
            raise _refused("DuplicateIpAddressOnBackendAddressPool",
                           f"Backend addresses {seen[str(address)]} and {name} of backend pool {pool.id} have the same "
                           f"IP address {address}.")
        seen[str(address)] = name
        if eprops.get("loadBalancerFrontendIPConfiguration") is not None:
            eprops["loadBalancerFrontendIPConfiguration"] = {
                "id": sub_resource(eprops["loadBalancerFrontendIPConfiguration"], "loadBalancerFrontendIPConfiguration")}


def holder_of(ctx, vnet_id: str, subnet_id: str | None, ip: str) -> str | None:
    """The NIC ip configuration holding `ip` in the VNet (or the subnet), or None."""
    scope = (subnet_id or vnet_id + "/subnets/").lower()
    for nic in ctx.resources(NIC_TYPE):
        for config in nic.children("ipConfigurations"):
            props = config.props
            subnet = str((props.get("subnet") or {}).get("id", "")).lower()
            if props.get("privateIPAddress") == ip and (subnet == scope or (not subnet_id and subnet.startswith(scope))):
                return config.id
    return None


def render(ctx, pool, out: dict[str, Any], sku: str, members: list[str]) -> None:
    """The entries as answered: the stored ones (IP-based, resolved to the NIC ip configuration
    holding the address) and, on a Standard load balancer, one per NIC member."""
    props = out.setdefault("properties", {})
    pool_vnet = (props.get("virtualNetwork") or {}).get("id")
    shown = []
    for entry in entries(out):
        eprops = entry.setdefault("properties", {})
        if "ipAddress" not in eprops:
            continue
        vnet = (eprops.get("virtualNetwork") or {}).get("id") or pool_vnet
        subnet = (eprops.get("subnet") or {}).get("id")
        if subnet and not vnet:
            vnet = subnet.rsplit("/subnets/", 1)[0]
        holder = holder_of(ctx, vnet or "", subnet, eprops["ipAddress"]) if vnet else None
        if holder:
            eprops[NIC_REF] = {"id": holder}
        shown.append(entry)
    if sku == "Standard":
        states = admin_states(pool.body)
        for member in members:
            eprops = {NIC_REF: {"id": member}}
            if member.lower() in states:
                eprops["adminState"] = states[member.lower()]
            shown.append({"name": nic_entry_name(member), "properties": eprops})
    props[ENTRIES] = [{"name": e["name"], "properties": e["properties"]} for e in shown]
