"""Microsoft.Network/networkInterfaces and their ip configurations (stored inside the NIC, also
served at `networkInterfaces/{nic}/ipConfigurations[/{name}]`).

What Azure does and azemu copies:
- every reference must resolve: subnet, NSG, public IP, load balancer backend pools and inbound
  NAT rules (`InvalidResourceReference`, naming the NIC as the referrer), and the subnet, NSG
  and public IP must be in the NIC's region (the same error: its message names both causes);
- one ip configuration is primary: the one marked so, or the first when none is
  (NetworkInterfaceCreate example); two marked primary are refused; the primary one can be
  neither dropped nor renamed (`IpConfigDeleteNotSupported`); an ip configuration without a
  subnet takes the primary's, unless that subnet has no prefix of its IP version: then it stays
  without a subnet and an address (an IPv6 configuration on an IPv4 subnet, as
  `az network nic ip-config create --private-ip-address-version IPv6` adds one:
  recordings/azure-cli/vm/test_vm_create_existing_nic.yaml);
- private addresses come from the subnet, lowest free first from `.4` (Azure reserves the first
  four and the last); a Dynamic address is kept across updates while it stays in the subnet; a
  Static one must lie in the subnet (`PrivateIPAddressNotInSubnet`), outside the reserved
  addresses (`PrivateIPAddressInReservedRange`) and be free (`PrivateIPAddressIsAllocated`);
  `privateIPAddressPrefixLength` gets an aligned block (`172.20.2.16/28`);
- a public IP serves one ip configuration at a time (`PublicIPAddressInUse`);
- `virtualMachine`, `primary` and `macAddress` appear once a VM's `networkProfile` names the
  NIC, and the NIC cannot be deleted while it does (`NicInUse`);
- backend pools and NAT rules are kept as given (ids); the load balancer side lists them back;
- the ipConfigurations routes are for reading: a DELETE there is refused (405);
- what Azure answers on every NIC (the azure-cli recordings test_vm_create_*.yaml,
  test_network_nic_lb_address_pools.yaml): `nicType` `Standard`, `auxiliaryMode` and
  `auxiliarySku` `None`, `disableTcpStateTracking` false (enums checked, values kept, no
  behaviour), empty `hostedWorkloads` and `tapConfigurations`, `allowPort25Out` true and
  `kind: Regular` (both newer than the 2024-05-01 spec), and `dnsSettings.internalDomainNameSuffix`,
  the virtual network's DNS suffix (`<26 characters>.<2>.internal.cloudapp.net`, made from the
  VNet's id and guid, so every NIC of a VNet has the same).

Codes seen in Azure's answers (issues, docs): InvalidResourceReference, PrivateIPAddressIsAllocated,
PrivateIPAddressInReservedRange, PrivateIPAddressNotInSubnet, PublicIPAddressInUse, NicInUse,
IpConfigDeleteNotSupported, SubnetIsFull, NetworkInterfaceMustHaveOneOneIPConfigAsPrimary (Azure
gave it for "none primary"; azemu for "two primary", as the example makes the first one primary
when none is). Not found in public material, so named in Azure's style: InvalidPrivateIPAddress.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ...arm.fields import flag
from ...arm.registry import register
from ...arm.resource_type import READ_ONLY_METHODS, ResourceType
from ...errors import ArmError, in_use
from . import load_balancer_checks
from .addresses import allocate_block, dynamic_address, expand, static_address
from .enums import ALLOCATION, AUXILIARY_MODE, AUXILIARY_SKU, IP_VERSION, NIC_TYPE
from .references import holders, require, sub_resource
from .virtual_network import subnet_prefixes, taken_addresses

SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
NSG_TYPE = "Microsoft.Network/networkSecurityGroups"
PUBLIC_IP_TYPE = "Microsoft.Network/publicIPAddresses"
POOL_TYPE = "Microsoft.Network/loadBalancers/backendAddressPools"
NAT_RULE_TYPE = "Microsoft.Network/loadBalancers/inboundNatRules"
VM_TYPE_KEY = "microsoft.compute/virtualmachines"

# Microsoft's OUI, as Azure NICs show it (NetworkInterfaceGet example: 00-0D-3A-1B-C7-21).
MAC_PREFIX = "00-0D-3A"
LIST_REFERENCES = ("loadBalancerBackendAddressPools", "loadBalancerInboundNatRules", "applicationSecurityGroups")
ATTACHED_BY = ("loadBalancerBackendAddressPools", "loadBalancerInboundNatRules", "publicIPAddress")
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def attached_vm(ctx, nic_id: str) -> tuple[str, bool] | None:
    """(VM id, primary) of the VM whose networkProfile names the NIC, or None. Scans the store
    directly, so it needs nothing from the Compute provider but its stored shape."""
    target = nic_id.lower()
    for record in ctx.store.all():
        if record.type_key != VM_TYPE_KEY:
            continue
        nics = (record.body.get("properties", {}).get("networkProfile") or {}).get("networkInterfaces") or []
        for ref in nics:
            if isinstance(ref, dict) and str(ref.get("id", "")).lower() == target:
                primary = (ref.get("properties") or {}).get("primary")
                # A VM with several NICs marks one primary; Azure takes the first when none is.
                return record.body["id"], bool(primary) if primary is not None else ref is nics[0]
    return None


def dns_suffix(vnet: dict[str, Any]) -> str:
    """The VNet's internal DNS suffix, shaped as Azure's (`sbpxtana130engrjj1fsf3alhb.dx.internal.cloudapp.net`)."""
    number = int(hashlib.sha256(f"{vnet['id'].lower()}/{vnet['properties'].get('resourceGuid', '')}".encode())
                 .hexdigest(), 16)
    chars = []
    for _ in range(28):
        number, digit = divmod(number, 36)
        chars.append(BASE36[digit])
    region = "".join(BASE36[10 + ord(c) % 26] for c in chars[26:])
    return f"{''.join(chars[:26])}.{region}.internal.cloudapp.net"


def mac_address(nic: dict[str, Any]) -> str:
    """A stable MAC for the NIC: Microsoft's prefix and three bytes from its id and guid."""
    seed = f"{nic['id'].lower()}/{nic.get('properties', {}).get('resourceGuid', '')}"
    tail = hashlib.sha256(seed.encode()).hexdigest()[:6].upper()
    return "-".join([MAC_PREFIX, tail[0:2], tail[2:4], tail[4:6]])


@register
class NetworkInterfaces(ResourceType):
    provider = "Microsoft.Network"
    type = "networkInterfaces"
    read_only = ("resourceGuid", "macAddress", "virtualMachine", "primary", "vnetEncryptionSupported",
                 "hostedWorkloads", "tapConfigurations", "privateEndpoint", "dscpConfiguration")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        flag(props, "enableIPForwarding")
        flag(props, "enableAcceleratedNetworking")
        flag(props, "disableTcpStateTracking")
        NIC_TYPE.normalize(props, "nicType", "Standard")
        AUXILIARY_MODE.normalize(props, "auxiliaryMode", "None")
        AUXILIARY_SKU.normalize(props, "auxiliarySku", "None")
        nsg = sub_resource(props.get("networkSecurityGroup"), "networkSecurityGroup")
        if nsg is None:
            props.pop("networkSecurityGroup", None)
        dns = props.get("dnsSettings") or {}
        if not isinstance(dns, dict) or not isinstance(dns.get("dnsServers", []), list):
            raise ArmError.invalid("'dnsSettings.dnsServers' must be an array.", target="dnsSettings")
        servers = list(dns.get("dnsServers") or [])
        props["dnsSettings"] = dict(dns, dnsServers=servers, appliedDnsServers=servers)
        configs = props.get("ipConfigurations")
        if not isinstance(configs, list) or not configs:
            raise ArmError.invalid("Network interface must have at least one IP configuration.",
                                   target="properties.ipConfigurations")
        return out

    def fill(self, ctx, res, current):
        props = res.props
        if current is None:
            props["resourceGuid"] = ctx.new_guid()
        props.setdefault("vnetEncryptionSupported", False)
        props.update(hostedWorkloads=props.get("hostedWorkloads") or [],
                     tapConfigurations=props.get("tapConfigurations") or [], allowPort25Out=True)
        res.body["kind"] = "Regular"
        configs = res.children("ipConfigurations")
        primary = self._primary(res, configs, current)
        nsg = (props.get("networkSecurityGroup") or {}).get("id")
        if nsg:
            require(ctx, nsg, NSG_TYPE, res.id, location=res.location)
        primary_subnet = (primary.props.get("subnet") or {}).get("id")
        if not primary_subnet:
            raise ArmError.invalid(f"The primary IP configuration {primary.name} of network interface {res.id} "
                                   "must reference a subnet.", target="properties.ipConfigurations")
        olds = {c.name.lower(): c for c in current.children("ipConfigurations")} if current else {}
        mine: dict[str, str] = {}     # addresses this NIC's ip configurations took so far
        unattached = self._unattached(ctx, res, configs, primary_subnet)
        for config in configs:
            if config in unattached:
                continue
            cprops = config.props
            cprops.setdefault("subnet", {"id": primary_subnet})
            subnet = require(ctx, cprops["subnet"]["id"], SUBNET_TYPE, res.id, location=res.location)
            for key, type_name in (("loadBalancerBackendAddressPools", POOL_TYPE),
                                   ("loadBalancerInboundNatRules", NAT_RULE_TYPE)):
                for ref in cprops.get(key, []):
                    require(ctx, ref["id"], type_name, res.id)
            self._check_public_ip(ctx, res, config)
            self._address(ctx, res, config, subnet, olds.get(config.name.lower()), mine)
        load_balancer_checks.check_network_interface(ctx, res.body)
        vnet = ctx.resolve(primary_subnet.rsplit("/subnets/", 1)[0])
        props["dnsSettings"]["internalDomainNameSuffix"] = dns_suffix(vnet.body)

    @staticmethod
    def _unattached(ctx, res, configs, primary_subnet) -> list:
        """The ip configurations given without a subnet (and nothing that needs one) whose IP
        version the primary's subnet has no prefix for: they stay so, with no address."""
        versions = {f"IPv{n.version}" for n in subnet_prefixes(require(ctx, primary_subnet, SUBNET_TYPE, res.id).body)}
        out = []
        for config in configs:
            cprops = config.props
            if cprops.get("subnet") or cprops["privateIPAddressVersion"] in versions or \
                    any(cprops.get(key) for key in ATTACHED_BY):
                continue
            cprops.pop("privateIPAddress", None)
            out.append(config)
        return out

    @staticmethod
    def _primary(res, configs, current):
        marked = [c for c in configs if c.props.get("primary")]
        if len(marked) > 1:
            raise ArmError.bad_request(
                "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary",
                f"Network Interface {res.name} specifies more than one IPConfiguration as Primary: "
                f"{', '.join(c.name for c in marked)}.")
        primary = marked[0] if marked else configs[0]
        for config in configs:
            config.props["primary"] = config is primary
        if current is not None:
            old = next((c for c in current.children("ipConfigurations") if c.props.get("primary")), None)
            if old is not None and old.name.lower() not in {c.name.lower() for c in configs}:
                raise ArmError.bad_request(
                    "IpConfigDeleteNotSupported",
                    f"IP Configuration {old.name} cannot be deleted. Deletion and renaming of primary IP "
                    "Configuration is not supported")
        return primary

    @staticmethod
    def _check_public_ip(ctx, res, config):
        pip = (config.props.get("publicIPAddress") or {}).get("id")
        if not pip:
            return
        require(ctx, pip, PUBLIC_IP_TYPE, res.id, location=res.location)
        others = [h["id"] for _top, h in holders(ctx, pip, via=("publicIPAddress",))
                  if not h["id"].lower().startswith(res.id.lower() + "/")]
        siblings = [c.id for c in res.children("ipConfigurations") if c.name.lower() != config.name.lower()
                    and str((c.props.get("publicIPAddress") or {}).get("id", "")).lower() == pip.lower()]
        holder = (others or siblings or [None])[0]
        if holder:
            raise ArmError.bad_request(
                "PublicIPAddressInUse",
                f"Resource {config.id} is referencing public IP address {pip} that is already allocated to "
                f"resource {holder}.")

    @staticmethod
    def _address(ctx, res, config, subnet, old, mine):
        """Give the ip configuration its private address (or prefix) in `subnet`."""
        cprops = config.props
        version = cprops["privateIPAddressVersion"]
        nets = [n for n in subnet_prefixes(subnet.body) if f"IPv{n.version}" == version]
        if not nets:
            raise ArmError.invalid(f"Subnet {subnet.id} has no {version} address prefix for IP configuration "
                                   f"{config.id}.", target="privateIPAddressVersion")
        taken = taken_addresses(ctx, subnet.id, res.id)
        taken.update({a: h for a, h in mine.items() if a not in taken})
        length = cprops.get("privateIPAddressPrefixLength")
        if length is not None:
            address = next((b for b in (allocate_block(n, length, set(taken)) for n in nets) if b), None)
        elif cprops["privateIPAllocationMethod"] == "Static":
            address = static_address(config, nets, taken)
        else:
            address = dynamic_address(old, subnet.id, nets, taken)
        if address is None:
            raise ArmError.bad_request(
                "SubnetIsFull",
                f"Subnet {subnet.name} with address prefix {', '.join(map(str, nets))} does not have enough "
                "capacity for 1 IP addresses.")
        cprops["privateIPAddress"] = address
        mine.update({a: config.id for a in expand(address)})

    def render(self, ctx, res, out):
        vm = attached_vm(ctx, res.id)
        if vm is not None:
            props = out.setdefault("properties", {})
            props["virtualMachine"] = {"id": vm[0]}
            props["primary"] = vm[1]
            props["macAddress"] = mac_address(res.body)

    def check_delete(self, ctx, res):
        vm = attached_vm(ctx, res.id)
        if vm is not None:
            raise in_use(
                "NicInUse",
                f"Network Interface {res.id} is used by existing resource {vm[0]}. In order to delete the network "
                "interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.")


@register
class NetworkInterfaceIPConfigurations(ResourceType):
    provider = "Microsoft.Network"
    type = "networkInterfaces/ipConfigurations"
    embedded = True
    methods = READ_ONLY_METHODS     # Azure serves them read-only: they change through their NIC
    read_only = ("privateLinkConnectionProperties",)

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        ALLOCATION.normalize(props, "privateIPAllocationMethod", "Dynamic")
        IP_VERSION.normalize(props, "privateIPAddressVersion", "IPv4")
        primary = props.get("primary")
        if primary is not None and not isinstance(primary, bool):
            raise ArmError.invalid("'primary' must be true or false.", target="primary")
        for key in ("subnet", "publicIPAddress"):
            ref = sub_resource(props.get(key), key)
            if ref is None:
                props.pop(key, None)
            else:
                props[key] = {"id": ref}
        for key in LIST_REFERENCES:
            items = props.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                raise ArmError.invalid(f"'{key}' must be an array.", target=key)
            refs = [sub_resource(item, key) for item in items]
            if None in refs:
                raise ArmError.invalid(f"'{key}' must hold objects with an 'id'.", target=key)
            props[key] = [{"id": ref} for ref in refs]
        return out
