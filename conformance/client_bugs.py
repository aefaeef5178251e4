"""Failures that are a client's own bug, shown with evidence that no server could change them.

Such a step is counted as "client bug", not "failed", and says why. The list is strict, as a
strict xfail: a listed step that passes is a failure of the run ("no longer fails: remove it
from conformance/client_bugs.py"), so a fixed client, or a wrong entry, cannot hide anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from results import CLIENT_BUG, FAILED, PASSED, RouteResult


@dataclass(frozen=True)
class ClientBug:
    client: str
    command: str          # the step's command, exactly
    why: str


BUGS = (
    ClientBug(
        "azcollection", "no new connection reaches myVM2; myVM1 and myVM3 answer",
        "azure.azcollection 3.21.0 cannot take a NIC out of a pool: azure_rm_networkinterface's "
        "construct_ip_configuration_set turns `load_balancer_backend_address_pools: []` into None, and "
        "default_compare (module_utils/azure_rm_common_ext.py) treats None as 'no change'; the step 5 task "
        "reports changed=false and sends no write request at all (see the run's requests.json), so no "
        "server, Azure or azemu, is asked to change anything."),
)


def apply(route: RouteResult) -> None:
    """Mark the route's listed failures as client bugs; a listed step that passed fails."""
    for bug in BUGS:
        if bug.client != route.client:
            continue
        for result in route.results:
            if result.step.command != bug.command:
                continue
            if result.outcome == FAILED:
                result.outcome = CLIENT_BUG
                result.error = f"{bug.why} Seen: {result.error}"
            elif result.outcome == PASSED:
                result.outcome = FAILED
                result.error = "listed as a client bug but passed: remove it from conformance/client_bugs.py"
