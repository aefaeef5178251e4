"""Latency profiles: how long Azure takes per resource type and operation, and the
`Retry-After` each resource provider sends, so that a client meets Azure-like waits on azemu.

`latency_profile: none` (the default) keeps azemu fast: every operation takes `latency`
seconds and every `Retry-After` is `retry_after`. `latency_profile: azure` takes both from
the table below, multiplied by `latency_scale` (0.2: five times shorter; a `Retry-After` stays
an integer >= 1). Set `time_scale` to 1 / `latency_scale` to run the probe's clock at the same
pace.

Every figure says where it comes from. The recordings are those of
`../shared/azure-reference/recordings/` (the Azure CLI's own test recordings, whose
`Retry-After` headers were stripped, and the SDK's test-proxy recordings, which keep them) and
two SDK recordings of the azure-sdk-for-python repositories read through the code index:
`sdk-vm-2021` (azure-sdk-for-python, sdk/compute/azure-mgmt-compute/tests/recordings/
test_mgmt_compute_vm.test_compute_vm.yaml, recorded 2021-10-09, headers stripped) and
`sdk-vm-2023` (azure-sdk-assets, python/sdk/compute/azure-mgmt-compute/tests/recordings/
test_mgmt_compute_vm.pyTestMgmtComputetest_compute_vm.json, recorded 2023-12-28, headers
kept). Compute's operation status documents carry `startTime` and `endTime`, so their figures
are exact; the others are the time from the write to the first poll that saw it done (a bound
set by the client's polling), or the `duration` ARM gives a deployment.

azure-core polls once at once, then waits each poll answer's `Retry-After` (its
`polling_interval`, 30 s, when there is none): the poll values decide what a client waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..settings import Settings
    from .context import Res
    from .lro import Operation

PROFILES = ("none", "azure")


@dataclass(frozen=True)
class Figure:
    seconds: float
    source: str


# Shorthands for the recordings (see the module docstring).
LB_SDK = "recordings/network/test_cli_mgmt_network_load_balancer (SDK, 2023-12-06)"
IP_SDK = "recordings/network/test_cli_mgmt_network_ip_addresses (SDK)"
CLI_LB = "recordings/azure-cli/network/test_network_lb (az 2.45)"
CLI_NIC_POOLS = "recordings/azure-cli/network/test_network_nic_lb_address_pools (az 2.51)"
CLI_RULES = "recordings/azure-cli/network/test_network_lb_rules (az 2.51)"
CLI_VM_NIC = "recordings/azure-cli/vm/test_vm_create_existing_nic (az 2.55)"
CLI_AVSET = "recordings/azure-cli/vm/test_vm_availset (az 2.55)"

# Seconds an operation runs on Azure: (resource type, operation) -> Figure. An operation is
# "create" or "update" (a PUT of a new or an existing resource; an embedded child's PUT, such
# as a probe or a rule, updates its parent), "delete", or an action's name in lower case.
# Availability sets, resource group PUTs and NICs' synchronous answers are no operations.
AZURE_SECONDS: dict[tuple[str, str], Figure] = {
    ("Microsoft.Network/virtualNetworks", "create"): Figure(3, (
        "sdk-vm-2021: PUT 06:51:42, Succeeded at the poll of 06:51:45; its subnet PUT the same 3 s; "
        f"{CLI_LB}: vnet create 3 s")),
    ("Microsoft.Network/virtualNetworks", "update"): Figure(3, "sdk-vm-2021: subnet PUT 06:51:46, Succeeded 06:51:49"),
    ("Microsoft.Network/networkSecurityGroups", "create"): Figure(1, (
        f"{CLI_VM_NIC}: nsg create Succeeded at the first poll, in the second of the PUT")),
    ("Microsoft.Network/networkSecurityGroups", "update"): Figure(1, "as its create (no recording of a rule PUT)"),
    ("Microsoft.Network/publicIPAddresses", "create"): Figure(2, (
        f"{LB_SDK}: PUT 06:59:20, Succeeded at the poll of 06:59:21; {CLI_VM_NIC}: 3 s (one InProgress poll); "
        f"{CLI_LB}: 2 s")),
    ("Microsoft.Network/loadBalancers", "create"): Figure(1, (
        f"{LB_SDK}: Succeeded at the first poll, in the second of the PUT; az lb create of the load "
        f"balancer alone deploys in PT6.6S-PT7.4S ({CLI_LB}), ARM's ~7 s of deployment included "
        f"(an availability set, synchronous, deploys in PT8S: {CLI_AVSET})")),
    ("Microsoft.Network/loadBalancers", "update"): Figure(1, (
        f"{CLI_RULES}: 9 rule and pool PUTs Succeeded within 0-1 s; {CLI_NIC_POOLS}: pool create 0 s")),
    ("Microsoft.Network/networkInterfaces", "create"): Figure(1, (
        f"sdk-vm-2021: the PUT answers provisioningState Succeeded; {CLI_VM_NIC}, {CLI_NIC_POOLS}: "
        "Succeeded at the first poll, in the second of the PUT")),
    ("Microsoft.Network/networkInterfaces", "update"): Figure(1, (
        f"{CLI_NIC_POOLS}: ip-config address-pool add/remove Succeeded within 0-1 s")),
    ("Microsoft.Network/loadBalancers/loadBalancingRules", "health"): Figure(1, (
        "no recording (LoadBalancerHealth.json documents 200, or 202 + Location): as the load balancer's "
        "other quick operations")),
    ("Microsoft.Compute/virtualMachines", "create"): Figure(53, (
        "sdk-vm-2023: startTime 06:13:33.17, endTime 06:14:25.57 (52.4 s); sdk-vm-2021: 53.7 s (both a "
        f"Standard_D2_v2 from an image); {CLI_VM_NIC}: az vm create of the VM alone deploys in PT1M19.6S, "
        "ARM's deployment time included")),
    ("Microsoft.Compute/virtualMachines", "update"): Figure(5, "no recording: an estimate"),
    ("Microsoft.Compute/virtualMachines", "restart"): Figure(42, (
        "sdk-vm-2023: startTime 06:17:06.32, endTime 06:17:48.73 (42.4 s; sdk-vm-2021 has 0.3 s)")),
    ("Microsoft.Compute/virtualMachines", "start"): Figure(8, "sdk-vm-2021: 06:57:26.34 to 06:57:34.50 (8.2 s)"),
    ("Microsoft.Compute/virtualMachines", "poweroff"): Figure(11, "sdk-vm-2021: 06:56:56.06 to 06:57:07.11 (11.0 s)"),
    ("Microsoft.Compute/virtualMachines", "deallocate"): Figure(30, "no recording: an estimate"),
    ("Microsoft.Compute/virtualMachines", "runcommand"): Figure(27, (
        "sdk-vm-2023: 06:16:34.40 to 06:17:01.72 (27.3 s); sdk-vm-2021: 40.3 s")),
    ("Microsoft.Compute/virtualMachines", "delete"): Figure(30, "no recording: an estimate"),
}

# What any other operation of a provider takes.
AZURE_DEFAULT_SECONDS: dict[str, Figure] = {
    "Microsoft.Network": Figure(1, (
        f"deletes: {LB_SDK} (load balancer, NAT rule) and {IP_SDK} (public IP) Succeeded at the first poll")),
    "Microsoft.Compute": Figure(10, "no recording: an estimate"),
    "Microsoft.Resources": Figure(30, "no recording of a resource group delete: an estimate"),
}


@dataclass(frozen=True)
class RetryAfter:
    """`Retry-After` of an operation's first answer (the write), of its first poll answer
    while it runs, and of the later ones."""
    write: int
    first_poll: int
    later_polls: int
    source: str


# (provider, operation) -> RetryAfter, with "*" for any operation of the provider.
AZURE_RETRY_AFTER: dict[tuple[str, str], RetryAfter] = {
    ("Microsoft.Network", "*"): RetryAfter(3, 10, 10, (
        "PUT: 3 (sdk-vm-2023 virtual network, public IP prefix in " + IP_SDK + "); polls while InProgress: "
        "10 (sdk-vm-2023 virtual network, the prefix's delete)")),
    ("Microsoft.Network", "create:publicIPAddresses"): RetryAfter(1, 10, 10, f"PUT: 1 ({LB_SDK}, {IP_SDK})"),
    ("Microsoft.Network", "delete"): RetryAfter(10, 10, 10, f"DELETE: 10 ({LB_SDK}, {IP_SDK}: all four)"),
    ("Microsoft.Compute", "*"): RetryAfter(10, 10, 30, (
        "sdk-vm-2023: restart POST 10, its polls 10, 30, 30; VM PUT 10")),
    ("Microsoft.Compute", "create"): RetryAfter(10, 50, 30, (
        "sdk-vm-2023: VM PUT 10, its first poll 50; later polls as the restart's, 30")),
    ("Microsoft.Resources", "*"): RetryAfter(15, 15, 15, "no recording: an estimate"),
}


_SECONDS = {(t.lower(), o): f for (t, o), f in AZURE_SECONDS.items()}
_DEFAULT_SECONDS = {p.lower(): f for p, f in AZURE_DEFAULT_SECONDS.items()}
_RETRY_AFTER = {(p.lower(), o.lower()): r for (p, o), r in AZURE_RETRY_AFTER.items()}


def active(settings: "Settings") -> bool:
    return settings.latency_profile == "azure"


def operation_name(kind: str, res: "Res | None", action: str | None) -> str:
    """The profile's name of an operation: create, update, delete or the action's name."""
    if kind == "action":
        return (action or "").lower()
    if kind == "put":
        record = res.record if res is not None else None
        return "create" if record is not None and record.created == record.changed else "update"
    return "delete"


def figure(full_type: str, operation: str) -> Figure:
    """What Azure takes for `operation` on `full_type` ("Microsoft.Network/loadBalancers")."""
    found = _SECONDS.get((full_type.lower(), operation))
    if found:
        return found
    return _DEFAULT_SECONDS.get(full_type.split("/")[0].lower(), _DEFAULT_SECONDS["microsoft.resources"])


def seconds(settings: "Settings", full_type: str, operation: str) -> float | None:
    """Wall-clock seconds of an operation under the profile; None without a profile."""
    if not active(settings):
        return None
    return figure(full_type, operation).seconds * settings.latency_scale


def retry_after_figure(full_type: str, operation: str) -> RetryAfter:
    """The provider's `Retry-After` for an operation on a type: by type, by operation, any."""
    provider, _, type_name = full_type.lower().partition("/")
    for key in (f"{operation}:{type_name}", operation, "*"):
        found = _RETRY_AFTER.get((provider, key))
        if found:
            return found
    return _RETRY_AFTER[("microsoft.resources", "*")]


def retry_after(settings: "Settings", op: "Operation", *, poll: bool) -> int:
    """`Retry-After` of an answer about `op`: its write (poll=False), or a poll while it runs
    (counted on the operation: Compute's later polls wait longer than its first). A poll's is
    at least 1: azure-core reads 0 as none and waits its 30 s default."""
    if not active(settings):
        if not poll and settings.latency <= 0:
            # Over before its write is answered: nothing to wait for (a client that waits the
            # write's Retry-After before its first poll, as Azure's value asks, waits nothing).
            return 0
        return max(1, int(settings.retry_after))
    found = retry_after_figure(op.type_key or "Microsoft.Resources/resourceGroups", op.verb)
    if not poll:
        value = found.write
    else:
        value = found.first_poll if op.polls == 0 else found.later_polls
        op.polls += 1
    return scaled_retry_after(value, settings.latency_scale)


def scaled_retry_after(value: float, scale: float) -> int:
    """A profile's Retry-After at `latency_scale`: an integer of seconds, at least 1."""
    return max(1, round(value * scale))
