"""Microsoft.Network/networkSecurityGroups, their securityRules (stored inside the NSG, also
served at `networkSecurityGroups/{nsg}/securityRules/{name}`) and the read-only
defaultSecurityRules Azure adds to every NSG.

What Azure does and azemu copies:
- every NSG gets six default rules (priorities 65000, 65001, 65500 in each direction);
- a rule's priority is 100-4096 (`SecurityRuleInvalidPriority`), unique per direction
  (`SecurityRuleConflict`); ports are `*`, a port or a range `low-high` within 0-65535
  (`SecurityRuleInvalidPortRange`); address prefixes are `*`, an address, a CIDR prefix or a
  service tag of Azure's list (`service_tags.py`), alone or regional (`Storage.WestUS`); anything
  else is `SecurityRuleInvalidAddressPrefix`;
- `networkInterfaces` and `subnets` list who uses the NSG; while any does, it cannot be deleted
  (`InUseNetworkSecurityGroupCannotBeDeleted`).
"""

from __future__ import annotations

import re
from typing import Any

from ...arm.fields import is_integer
from ...arm.registry import register
from ...arm.resource_type import CHILD_METHODS, READ_ONLY_METHODS, ResourceType
from ...errors import ArmError, in_use
from . import addresses
from .enums import RULE_ACCESS, RULE_DIRECTION, RULE_PROTOCOL
from .references import holders
from .service_tags import known_tag

PRIORITY_RANGE = (100, 4096)
DESCRIPTION_MAX = 140
PORT_RE = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")
SERVICE_TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)?$")

# (name, description, source, destination, access, priority, direction): Azure's defaults.
DEFAULT_RULES = (
    ("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET",
     "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"),
    ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer",
     "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"),
    ("DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", 65500, "Inbound"),
    ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET",
     "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"),
    ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet",
     "*", "Internet", "Allow", 65001, "Outbound"),
    ("DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", 65500, "Outbound"),
)


def default_rules(nsg_id: str) -> list[dict[str, Any]]:
    return [{
        "name": name,
        "id": f"{nsg_id}/defaultSecurityRules/{name}",
        "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
        "properties": {
            "description": description, "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
            "sourceAddressPrefix": source, "destinationAddressPrefix": destination, "access": access,
            "priority": priority, "direction": direction, "sourcePortRanges": [], "destinationPortRanges": [],
            "sourceAddressPrefixes": [], "destinationAddressPrefixes": [],
        },
    } for name, description, source, destination, access, priority, direction in DEFAULT_RULES]


def port_range_ok(value: Any) -> bool:
    if value == "*":
        return True
    match = PORT_RE.match(value) if isinstance(value, str) else None
    if not match:
        return False
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    return low <= high <= 65535


def address_prefix_ok(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if value == "*":
        return True
    if SERVICE_TAG_RE.match(value):
        return known_tag(value)
    try:
        if "/" in value:
            addresses.parse_prefix(value)
        else:
            addresses.parse_address(value)
    except addresses.AddressError:
        return False
    return True


def nsg_users(ctx, nsg_id: str) -> tuple[list[str], list[str]]:
    """(NIC ids, subnet ids) that use the NSG."""
    nics, subnets = [], []
    for top, holder in holders(ctx, nsg_id, via=("networkSecurityGroup",)):
        if holder is top.body and top.rtype.key == "microsoft.network/networkinterfaces":
            nics.append(holder["id"])
        elif "/subnets/" in holder["id"].lower():
            subnets.append(holder["id"])
    return nics, subnets


def _missing(field: str, rule_id: str) -> ArmError:
    return ArmError.bad_request(
        "SecurityRuleParameterIsNullOrEmpty",
        f"Security rule parameter {field} for rule with Id {rule_id} cannot be null or empty.")


@register
class NetworkSecurityGroups(ResourceType):
    provider = "Microsoft.Network"
    type = "networkSecurityGroups"
    read_only = ("defaultSecurityRules", "networkInterfaces", "subnets", "resourceGuid", "flowLogs")

    def fill(self, ctx, res, current):
        if current is None:
            res.props["resourceGuid"] = ctx.new_guid()
            res.props["defaultSecurityRules"] = default_rules(res.id)
        taken: dict[tuple[str, int], str] = {}
        for rule in res.props.get("securityRules", []):
            key = (rule["properties"]["direction"], rule["properties"]["priority"])
            if key in taken:
                raise ArmError.bad_request(
                    "SecurityRuleConflict",
                    f"Security rule {taken[key]} conflicts with rule {rule['name']}. Rules cannot have the same "
                    "Priority and Direction. To learn more, see aka.ms/nsgrules.")
            taken[key] = rule["name"]

    def render(self, ctx, res, out):
        nics, subnets = nsg_users(ctx, res.id)
        props = out.setdefault("properties", {})
        if nics:
            props["networkInterfaces"] = [{"id": i} for i in nics]
        if subnets:
            props["subnets"] = [{"id": i} for i in subnets]

    def check_delete(self, ctx, res):
        nics, subnets = nsg_users(ctx, res.id)
        if nics or subnets:
            raise in_use(
                "InUseNetworkSecurityGroupCannotBeDeleted",
                f"Network security group {res.id} cannot be deleted because it is in use by the following "
                f"resources: {', '.join(subnets + nics)}. In order to delete the Network security group, remove "
                "the association with the resource(s). To learn how to do this, see aka.ms/deletensg.")


@register
class SecurityRules(ResourceType):
    provider = "Microsoft.Network"
    type = "networkSecurityGroups/securityRules"
    embedded = True
    methods = CHILD_METHODS

    def fill(self, ctx, res, current):
        props = res.props
        for field, allowed in (("protocol", RULE_PROTOCOL), ("access", RULE_ACCESS), ("direction", RULE_DIRECTION)):
            if props.get(field) in (None, ""):
                raise _missing(field[0].upper() + field[1:], res.id)
            allowed.normalize(props, field)
        priority = props.get("priority")
        if priority is None:
            raise _missing("Priority", res.id)
        if not is_integer(priority) or not (
                PRIORITY_RANGE[0] <= priority <= PRIORITY_RANGE[1]):
            raise ArmError.bad_request(
                "SecurityRuleInvalidPriority",
                f"Security rule has invalid Priority. Value provided: {priority} Allowed values are from "
                f"{PRIORITY_RANGE[0]} to {PRIORITY_RANGE[1]}.")
        description = props.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > DESCRIPTION_MAX):
            raise ArmError.invalid(f"The description of security rule {res.id} is longer than "
                                   f"{DESCRIPTION_MAX} characters.", target="properties.description")
        for side in ("source", "destination"):
            self._ports(props, side, res.id)
            self._prefixes(props, side, res.id)

    @staticmethod
    def _ports(props, side, rule_id):
        values = _one_or_many(props, f"{side}PortRange", f"{side}PortRanges", rule_id)
        if not values:
            raise _missing(f"{side[0].upper()}{side[1:]}PortRange", rule_id)
        for value in values:
            if not port_range_ok(value):
                raise ArmError.bad_request(
                    "SecurityRuleInvalidPortRange",
                    f"Security rule has invalid Port range. Value provided: {value}. Value should be an integer "
                    "OR integer range with '-' delimiter. Valid range 0-65535.")

    @staticmethod
    def _prefixes(props, side, rule_id):
        values = _one_or_many(props, f"{side}AddressPrefix", f"{side}AddressPrefixes", rule_id)
        if not values and not props.get(f"{side}ApplicationSecurityGroups"):
            raise _missing(f"{side[0].upper()}{side[1:]}AddressPrefix", rule_id)
        for value in values:
            if not address_prefix_ok(value):
                raise ArmError.bad_request(
                    "SecurityRuleInvalidAddressPrefix",
                    f"Security rule {rule_id} has invalid Address prefix. Value provided: {value}")


def _one_or_many(props: dict[str, Any], one: str, many: str, rule_id: str) -> list[Any]:
    """The values of a singular/plural pair (`sourcePortRange`/`sourcePortRanges`): Azure takes
    one or the other and shows the plural as [] when the singular is used."""
    single = props.get(one)
    plural = props.get(many)
    if plural is not None and not isinstance(plural, list):
        raise ArmError.invalid(f"'{many}' of security rule {rule_id} must be an array.")
    if single not in (None, "") and plural:
        raise ArmError.bad_request(
            "SecurityRuleParameterContainsUnsupportedValue",
            f"Security rule {rule_id} sets both {one} and {many}; use one of them.")
    props[many] = plural or []
    if single in (None, ""):
        props.pop(one, None)
        return list(plural or [])
    return [single]


@register
class DefaultSecurityRules(ResourceType):
    """Read-only: GET and list only. Their stored bodies come from the NSG's fill."""
    provider = "Microsoft.Network"
    type = "networkSecurityGroups/defaultSecurityRules"
    embedded = True
    methods = READ_ONLY_METHODS
