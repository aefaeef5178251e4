"""Resource types Azure has in the namespaces azemu serves, which azemu does not emulate.

ARM tells a type it does not know from a resource it does not have: a GET of a missing
resource of a real type is 404 `ResourceNotFound`, of an unknown type 400 `InvalidResourceType`.
Clients probe with such GETs (`az vm create --image NAME` looks for a managed image
`Microsoft.Compute/images/NAME` before giving up on NAME), so these types answer as empty
(`handlers.absent_type_request`).

The lists are every top-level resource-group type of the current SDKs, which are generated from
the REST specs (the URL templates of azure-mgmt-compute 39 and azure-mgmt-network 33, in their
path casing), less those azemu emulates; `tests/test_unemulated_types.py` keeps them so.
"""

from __future__ import annotations

from ..arm.registry import real_types

TYPES: dict[str, tuple[str, ...]] = {"Microsoft.Compute": (
    "capacityReservationGroups", "diskAccesses", "diskEncryptionSets", "galleries", "hostGroups", "images",
    "interconnectBlocks", "proximityPlacementGroups", "restorePointCollections", "snapshots", "sshPublicKeys",
    "virtualMachineScaleSets",
), "Microsoft.Network": (
    "ApplicationGatewayWebApplicationFirewallPolicies", "ExpressRoutePorts", "IpAllocations", "applicationGateways",
    "applicationSecurityGroups", "authenticationPolicies", "azureFirewalls", "bastionHosts", "connections",
    "customIpPrefixes", "ddosCustomPolicies", "ddosProtectionPlans", "dscpConfigurations", "expressRouteCircuits",
    "expressRouteCrossConnections", "expressRouteGateways", "expressRouteLags", "firewallPolicies",
    "firstPartyServiceTags", "interconnectGroups", "ipGroups", "localNetworkGateways", "natGateways",
    "networkManagers", "networkProfiles", "networkSecurityPerimeters", "networkVirtualAppliances", "networkWatchers",
    "p2svpnGateways",
    "privateEndpoints", "privateLinkServices", "publicIPPrefixes", "routeFilters", "routeTables",
    "securityPartnerProviders", "serviceEndpointPolicies", "serviceGateways", "virtualHubs",
    "virtualNetworkAppliances", "virtualNetworkGateways", "virtualNetworkTaps", "virtualRouters", "virtualWans",
    "vpnGateways", "vpnServerConfigurations", "vpnSites",
)}

for _namespace, _types in TYPES.items():
    real_types(_namespace, _types)
