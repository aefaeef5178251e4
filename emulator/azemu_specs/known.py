"""The two explicit lists the checker works with. Both can only be edited on purpose.

NO_SPEC: ARM routes azemu serves for which the reference holds no Swagger operation. A
response on one of these is counted and listed, not validated. An ARM response that matches
neither a spec operation nor an entry here is a violation (`no-spec`), so a mistyped route
cannot hide.

KNOWN_VIOLATIONS: what azemu answers today against the spec, each a class (operation, kind,
JSON pointer pattern) with the reason and whose work it is. Sessions do not fail on these;
`emulator/tests/test_spec_check.py` reproduces every one of them and fails when an entry
stops occurring (fixed: delete it) or a violation is not listed here. The list can only shrink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from azemu.providers.unemulated import TYPES as UNEMULATED


@dataclass(frozen=True)
class NoSpec:
    pattern: str          # regex on the path, case-insensitive, anchored at both ends
    what: str             # the operations it covers
    why: str              # why the reference has no spec for it

    def matches(self, path: str) -> bool:
        return re.fullmatch(self.pattern, path.rstrip("/"), re.I) is not None


_SUB = r"/subscriptions/[^/]+"
_RG = _SUB + r"/resourcegroups/[^/]+"
_RESOURCES_JSON = "Microsoft.Resources' resources.json is not in the reference (README: not copied, size)"

NO_SPEC: tuple[NoSpec, ...] = (
    NoSpec(r"/tenants", "Tenants_List", "subscriptions.json is not in the reference"),
    NoSpec(r"/subscriptions(/[^/]+)?", "Subscriptions_List, Subscriptions_Get", "subscriptions.json is not in the reference"),
    NoSpec(_SUB + r"/resourcegroups(/[^/]+)?", "ResourceGroups_*", _RESOURCES_JSON),
    NoSpec(_SUB + r"(/resourcegroups/[^/]+)?/resources", "Resources_List, Resources_ListByResourceGroup", _RESOURCES_JSON),
    NoSpec(_SUB + r"/operationresults/[^/]+", "resource group delete's Location URL", _RESOURCES_JSON),
    NoSpec(_SUB + r"/providers(/[^/]+(/register)?)?", "Providers_List, Providers_Get, Providers_Register",
           _RESOURCES_JSON),
    NoSpec(_SUB + r"/providers/[^/]+/locations/[^/]+/(operations|operationresults)/[^/]+",
           "long-running operation status and result URLs (Network, Compute)",
           "ARM's async operation protocol (ARM RPC), which no resource provider's Swagger describes"),
    NoSpec(_RG + r"/providers/Microsoft\.Resources/deployments/[^/]+/operationstatuses/[^/]+",
           "deployment operation status URL", "ARM's async operation protocol (ARM RPC), not in deployments.json"),
    NoSpec(_SUB + r"(/resourcegroups/[^/]+)?/providers/Microsoft\.Compute/availabilitySets(/[^/]+(/vmSizes)?)?",
           "AvailabilitySets_*", "Compute's availabilitySet.json is not in the reference"),
    NoSpec(_SUB + r"(/resourcegroups/[^/]+)?/providers/Microsoft\.Compute/disks(/[^/]+)?",
           "Disks_*", "Compute's DiskRP disk.json is not in the reference"),
    NoSpec(_RG + r"/providers/Microsoft\.Compute/virtualMachines/[^/]+/runCommand",
           "VirtualMachines_RunCommand", "Compute's runCommand.json is not in the reference"),
    NoSpec(_SUB + r"(/resourcegroups/[^/]+)?/providers/(" + "|".join(
               rf"{re.escape(ns)}/({'|'.join(names)})" for ns, names in UNEMULATED.items()) + r")(/.*)?",
           "types azemu does not emulate, answered as empty (azemu/providers/unemulated.py)",
           "their specs are not in the reference, and azemu answers only what no resource looks like"),
    NoSpec(_SUB + r"(/resourcegroups/[^/]+)?/providers/Microsoft\.Azemu(/.*)?",
           "azemu's example types (emulator/tests/widgets.py)", "Microsoft.Azemu is not an Azure namespace"),
)


@dataclass(frozen=True)
class Known:
    operation: str        # regex on the operationId, anchored at both ends
    kind: str             # violation kind ("undocumented-property", "enum-casing", "status", ...)
    pointer: str          # regex on the JSON pointer (array indices are *), or "header:NAME"
    reason: str           # what azemu does and why; for a bug, whose work the fix is
    # For "Azure itself answers so" (the spec lags the service): the reference file showing
    # it; test_spec_check.py checks the file has it. Empty for azemu's own bugs.
    evidence: str = ""
    # Or, where the reference holds no such file, the public source that shows it (a URL), with
    # a test of azemu's answer against the real client that reads it.
    source: str = ""

    def matches(self, violation) -> bool:
        return (re.fullmatch(self.operation, violation.operation) is not None and self.kind == violation.kind
                and re.fullmatch(self.pointer, violation.pointer) is not None)


_LB_OPS = r"LoadBalancers_\w+|LoadBalancerLoadBalancingRules_\w+|InboundNatRules_\w+"

KNOWN_VIOLATIONS: tuple[Known, ...] = (
    Known(_LB_OPS, "undocumented-property",
          r"(/.*)?/properties/(enableDestinationServiceEndpoint|allowBackendPortConflict)",
          "Azure answers these two rule flags (newer than the 2024-05-01 spec) on every load balancing and "
          "inbound NAT rule, whatever the api-version; azemu answers as Azure does",
          evidence="recordings/network/test_cli_mgmt_network_load_balancer.pyTestMgmtNetworktest_network.json"),
    Known(r"LoadBalancers_\w+|LoadBalancerOutboundRules_\w+", "undocumented-property",
          r"(/.*)?/properties/(allocationPolicy)",
          "Azure answers an outbound rule's allocationPolicy (onDemandAllocation, portReuse), which the 2024-05-01 "
          "spec lacks; azemu answers as Azure does",
          evidence="recordings/network/test_cli_mgmt_network_load_balancer.pyTestMgmtNetworktest_network.json"),
    Known(r"(LoadBalancer)?NetworkInterfaces_\w+", "undocumented-property", r"(/value/\*)?/(kind|properties/(allowPort25Out))",
          "Azure answers a network interface's kind (Regular) and allowPort25Out, which the 2024-05-01 spec lacks; "
          "azemu answers as Azure does",
          evidence="recordings/azure-cli/vm/test_vm_create_existing_nic.yaml"),
    Known(r"VirtualMachineImages(EdgeZone)?_Get", "undocumented-property",
          r"/properties/(replicaType|osDiskImage/sizeInBytes)",
          "Azure answers an image version's replicaType and osDiskImage.sizeInBytes, which the 2024-11-01 spec "
          "lacks; azemu answers as Azure does",
          evidence="recordings/azure-cli/vm/test_vm_image_show.yaml"),
    Known(r"VirtualMachineImages_ListWithProperties", "type", r"",
          "Azure answers $expand=Properties with a bare array, as VirtualMachineImages_List does: Compute's feature "
          "owner in Azure/azure-rest-api-specs#33958 (keep the original list format); az 2.91 at api-version "
          "2024-11-01 reads a list, both in `az vm create --image URN:latest` ($expand=properties&$orderby=name desc"
          "&$top=1, the tutorial's step in make conformance) and `az vm image list --all` (aaz VMImageList), and so "
          "does azure-mgmt-compute 39's list_with_properties (tests/test_compute_images.py runs it); the 2024-11-01 "
          "swagger copied into the reference documents a {value, nextLink} page",
          source="https://github.com/Azure/azure-rest-api-specs/pull/33958"),
)
