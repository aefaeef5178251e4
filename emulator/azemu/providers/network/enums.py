"""The enums Microsoft.Network checks, as the 2024-05-01 specs name and spell them
(`loadBalancer.json`, `publicIpAddress.json`, `network.json`, `networkSecurityGroup.json`,
`virtualNetwork.json`, `networkInterface.json`): accepted in any case, stored and answered in these spellings."""

from __future__ import annotations

from typing import Any

from ...arm.fields import Enum, enum
from ...errors import ArmError

NS = "Microsoft.Network"


def refuse(value: Any, what: str, allowed: Enum) -> ArmError:
    return ArmError.invalid(f"The value '{value}' of '{what}' is invalid. Allowed values: "
                            f"{', '.join(allowed.values)}.", target=what)


def refuse_rule(value: Any, what: str, allowed: Enum) -> ArmError:
    """A security rule's field, as Azure words it ("Security rule has invalid Protocol. Value
    provided: ... Allowed values: ...", code SecurityRuleInvalidProtocol, Azure/azure-cli#25181)."""
    field = what[0].upper() + what[1:]
    return ArmError.bad_request(f"SecurityRuleInvalid{field}", f"Security rule has invalid {field}. Value provided: "
                                f"{value} Allowed values: {','.join(allowed.values)}.", target=f"properties.{what}")


LB_SKU = enum(NS, "LoadBalancerSkuName", "Basic", "Standard", "Gateway", refuse=refuse)
LB_TIER = enum(NS, "LoadBalancerSkuTier", "Regional", "Global", refuse=refuse)
PIP_SKU = enum(NS, "PublicIPAddressSkuName", "Basic", "Standard", refuse=refuse)
PIP_TIER = enum(NS, "PublicIPAddressSkuTier", "Regional", "Global", refuse=refuse)
DDOS_MODE = enum(NS, "DdosSettingsProtectionMode", "VirtualNetworkInherited", "Enabled", "Disabled", refuse=refuse)
NIC_TYPE = enum(NS, "NetworkInterfaceNicType", "Standard", "Elastic", refuse=refuse)
AUXILIARY_MODE = enum(NS, "NetworkInterfaceAuxiliaryMode", "None", "MaxConnections", "Floating",
                      "AcceleratedConnections", refuse=refuse)
AUXILIARY_SKU = enum(NS, "NetworkInterfaceAuxiliarySku", "None", "A1", "A2", "A4", "A8", refuse=refuse)
ALLOCATION = enum(NS, "IPAllocationMethod", "Static", "Dynamic", refuse=refuse)
IP_VERSION = enum(NS, "IPVersion", "IPv4", "IPv6", refuse=refuse)
PROBE_PROTOCOL = enum(NS, "ProbeProtocol", "Http", "Tcp", "Https", refuse=refuse)
NO_HEALTHY_BACKENDS = enum(NS, "ProbeNoHealthyBackendsBehavior", "AllProbedDown", "AllProbedUp", refuse=refuse)
TRANSPORT = enum(NS, "TransportProtocol", "Udp", "Tcp", "All", refuse=refuse)
OUTBOUND_PROTOCOL = enum(NS, "LoadBalancerOutboundRuleProtocol", "Tcp", "Udp", "All", refuse=refuse)
DISTRIBUTION = enum(NS, "LoadDistribution", "Default", "SourceIP", "SourceIPProtocol", refuse=refuse)
ADMIN_STATE = enum(NS, "LoadBalancerBackendAddressAdminState", "None", "Up", "Down", refuse=refuse)
RULE_PROTOCOL = enum(NS, "SecurityRuleProtocol", "Tcp", "Udp", "Icmp", "Esp", "*", "Ah", refuse=refuse_rule)
RULE_ACCESS = enum(NS, "SecurityRuleAccess", "Allow", "Deny", refuse=refuse_rule)
RULE_DIRECTION = enum(NS, "SecurityRuleDirection", "Inbound", "Outbound", refuse=refuse_rule)
ENDPOINT_POLICIES = enum(NS, "VirtualNetworkPrivateEndpointNetworkPolicies", "Enabled", "Disabled",
                         "NetworkSecurityGroupEnabled", "RouteTableEnabled", refuse=refuse)
LINK_SERVICE_POLICIES = enum(NS, "VirtualNetworkPrivateLinkServiceNetworkPolicies", "Enabled", "Disabled",
                             refuse=refuse)
