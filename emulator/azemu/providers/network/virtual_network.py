"""Microsoft.Network/virtualNetworks and their subnets (stored inside the VNet, also served at
`virtualNetworks/{vnet}/subnets/{name}`).

What Azure does and azemu copies:
- a VNet's name has 2 to 64 characters (`InvalidResourceName`), other Network names 1 to 80;
- address prefixes must be CIDR with no host bits (`InvalidAddressPrefixFormat`,
  `InvalidCIDRNotation`); a subnet lies inside the VNet's address space
  (`NetcfgSubnetRangeOutsideVnet`) and overlaps no other subnet (`NetcfgSubnetRangesOverlap`);
- a VNet PUT replaces the subnet list: a subnet left out is deleted, which fails while a NIC
  ip configuration or an LB frontend uses it (`InUseSubnetCannotBeDeleted`), as does deleting
  the subnet or the VNet;
- a subnet's `networkSecurityGroup` must exist (`InvalidResourceReference`);
- `subnet.ipConfigurations` lists the ip configurations that use the subnet.
"""

from __future__ import annotations

from typing import Any

from ...arm import registry
from ...arm.registry import register
from ...arm.resource_type import CHILD_METHODS, ResourceType
from ...errors import ArmError, in_use
from . import addresses
from .enums import ENDPOINT_POLICIES, LINK_SERVICE_POLICIES
from .references import holders, require, sub_resource

NSG_TYPE = "Microsoft.Network/networkSecurityGroups"


def parse_prefix(text: Any, resource_id: str) -> addresses.Network:
    """A prefix of `resource_id`, or Azure's 400 for a malformed one."""
    try:
        return addresses.parse_prefix(text)
    except addresses.AddressError as err:
        if err.suggestion is None:
            raise ArmError.bad_request(
                "InvalidAddressPrefixFormat",
                f"Address prefix {text} of resource {resource_id} is not formatted correctly. It should follow "
                "CIDR notation, for example 10.0.0.0/24.") from None
        raise ArmError.bad_request(
            "InvalidCIDRNotation",
            f"The address prefix {text} in resource {resource_id} has an invalid CIDR notation. For the given "
            f"prefix length, the address prefix should be {err.suggestion}.") from None


def subnet_prefixes(subnet: dict[str, Any]) -> list[addresses.Network]:
    """The parsed prefixes of a stored (already validated) subnet body."""
    props = subnet.get("properties", {})
    texts = props.get("addressPrefixes") or ([props["addressPrefix"]] if props.get("addressPrefix") else [])
    return [addresses.parse_prefix(t) for t in texts]


def subnet_users(ctx, subnet_id: str) -> list[dict[str, Any]]:
    """The stored ip configurations (NIC ip configurations, LB frontends) in the subnet."""
    return [holder for _top, holder in holders(ctx, subnet_id, via=("subnet",))]


def taken_addresses(ctx, subnet_id: str, owner_id: str) -> dict[str, str]:
    """Addresses resources other than `owner_id` (the NIC or load balancer being written) hold
    in the subnet: {address: holder id}. A prefix ("10.0.0.16/28") counts as every address in it."""
    taken: dict[str, str] = {}
    for holder in subnet_users(ctx, subnet_id):
        if holder["id"].lower().startswith(owner_id.lower() + "/"):
            continue
        for address in addresses.expand(holder.get("properties", {}).get("privateIPAddress")):
            taken[address] = holder["id"]
    return taken


def in_use_error(subnet_name: str, user_id: str) -> ArmError:
    return in_use(
        "InUseSubnetCannotBeDeleted",
        f"Subnet {subnet_name} is in use by {user_id} and cannot be deleted. In order to delete the subnet, "
        "delete all the resources within the subnet. See aka.ms/deletesubnet.")


@register
class VirtualNetworks(ResourceType):
    provider = "Microsoft.Network"
    type = "virtualNetworks"
    read_only = ("resourceGuid", "flowLogs")

    def check_name(self, ctx, name):
        """2 to 64 characters, else as Network's other names (Azure's "Naming rules and
        restrictions", Microsoft.Network/virtualNetworks); the wording is azemu's, in ARM's style."""
        if not 2 <= len(name) <= 64:
            raise ArmError.bad_request(
                "InvalidResourceName",
                f"Resource name {name} is invalid. The name can be between 2 and 64 characters long. It must "
                "begin with a word character, and it must end with a word character or with '_'. The name may "
                "contain word characters or '.', '-', '_'.")
        super().check_name(ctx, name)

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        subnet_type = registry.child(self, "subnets")
        subnets = props.get("subnets")
        if isinstance(subnets, list):
            known = {c.name.lower() for c in current.children("subnets")} if current else set()
            for item in subnets:
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(name, str) and name.lower() not in known:
                    subnet_type.check_name(ctx, name)
        return out

    def fill(self, ctx, res, current):
        props = res.props
        space = props.get("addressSpace")
        texts = space.get("addressPrefixes") if isinstance(space, dict) else None
        if not isinstance(texts, list) or not texts:
            raise ArmError.bad_request(
                "VirtualNetworkAddressSpaceMissing",
                f"Virtual network {res.id} must have an address space with at least one address prefix.")
        spaces = [parse_prefix(t, res.id) for t in texts]
        clash = addresses.first_overlap(spaces)
        if clash:
            raise ArmError.bad_request(
                "VnetAddressSpacesOverlap",
                f"Address space {clash[1]} overlaps with address space {clash[0]} of virtual network {res.name}.")
        dhcp = props.get("dhcpOptions")
        if dhcp is not None:
            servers = dhcp.get("dnsServers") if isinstance(dhcp, dict) else None
            for server in servers or []:
                try:
                    addresses.parse_address(server)
                except addresses.AddressError:
                    raise ArmError.invalid(f"DNS server {server} of virtual network {res.id} is not a valid IP "
                                           "address.", target="dhcpOptions.dnsServers") from None
        self._check_subnets(res, spaces)
        if current is not None:
            self._check_kept_in_use(ctx, res, current)
        else:
            props["resourceGuid"] = ctx.new_guid()
        props.setdefault("virtualNetworkPeerings", [])
        props.setdefault("enableDdosProtection", False)

    @staticmethod
    def _check_subnets(res, spaces):
        seen: list[tuple[str, addresses.Network]] = []
        for subnet in res.props.get("subnets", []):
            for net in subnet_prefixes(subnet):
                if not addresses.within_any(spaces, net):
                    raise ArmError.bad_request(
                        "NetcfgSubnetRangeOutsideVnet",
                        f"Subnet '{subnet['name']}' is not valid because its IP address range is outside the IP "
                        f"address range of virtual network '{res.name}'.")
                if any(addresses.overlaps(other, net) for _n, other in seen):
                    raise ArmError.bad_request(
                        "NetcfgSubnetRangesOverlap",
                        f"Subnet '{subnet['name']}' is not valid because its IP address range overlaps with that "
                        f"of an existing subnet in virtual network '{res.name}'.")
                seen.append((subnet["name"], net))

    @staticmethod
    def _check_kept_in_use(ctx, res, current):
        """Subnets a NIC or frontend uses may be neither dropped nor shrunk away from it."""
        new = {s["name"].lower(): s for s in res.props.get("subnets", [])}
        for old in current.children("subnets"):
            users = subnet_users(ctx, old.id)
            if not users:
                continue
            kept = new.get(old.name.lower())
            if kept is None:
                raise in_use_error(old.name, users[0]["id"])
            nets = subnet_prefixes(kept)
            for user in users:
                address = user.get("properties", {}).get("privateIPAddress")
                if address and not any(addresses.parse_address(address) in n for n in nets):
                    raise ArmError.bad_request(
                        "InUseSubnetCannotBeUpdated",
                        f"Subnet {old.name} is in use by {user['id']} and its address prefix cannot be changed "
                        f"to leave out {address}.")

    def check_delete(self, ctx, res):
        for subnet in res.children("subnets"):
            users = subnet_users(ctx, subnet.id)
            if users:
                raise in_use_error(subnet.name, users[0]["id"])


@register
class Subnets(ResourceType):
    provider = "Microsoft.Network"
    type = "virtualNetworks/subnets"
    embedded = True
    methods = CHILD_METHODS
    read_only = ("ipConfigurations", "ipConfigurationProfiles", "privateEndpoints", "resourceNavigationLinks",
                 "serviceAssociationLinks", "purpose")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        props.setdefault("delegations", [])
        ENDPOINT_POLICIES.normalize(props, "privateEndpointNetworkPolicies", "Disabled")
        LINK_SERVICE_POLICIES.normalize(props, "privateLinkServiceNetworkPolicies", "Enabled")
        return out

    def fill(self, ctx, res, current):
        props = res.props
        many = props.get("addressPrefixes")
        if many is not None and not isinstance(many, list):
            raise ArmError.invalid(f"'addressPrefixes' of subnet {res.id} must be an array.")
        texts = many or ([props["addressPrefix"]] if props.get("addressPrefix") else [])
        if not texts:
            raise ArmError.bad_request(
                "NetcfgInvalidSubnet",
                f"Subnet '{res.name}' is not valid in virtual network '{res.parent.name}': it has no address prefix.")
        for text in texts:
            net = parse_prefix(text, res.id)
            if addresses.usable_range(net) is None:
                raise ArmError.bad_request(
                    "NetcfgInvalidSubnet",
                    f"Subnet '{res.name}' is not valid in virtual network '{res.parent.name}': the prefix {net} "
                    "is too small (Azure reserves five addresses in every subnet).")
        nsg = sub_resource(props.get("networkSecurityGroup"), "networkSecurityGroup")
        if nsg:
            require(ctx, nsg, NSG_TYPE, res.id)
            props["networkSecurityGroup"] = {"id": nsg}

    def render(self, ctx, res, out):
        users = subnet_users(ctx, res.id)
        if users:
            out.setdefault("properties", {})["ipConfigurations"] = [{"id": u["id"]} for u in users]

    def check_delete(self, ctx, res):
        users = subnet_users(ctx, res.id)
        if users:
            raise in_use_error(res.name, users[0]["id"])
