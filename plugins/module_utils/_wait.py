# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one waiter for Azure's long-running operations: the wait/wait_timeout options, an SDK
poller (wait_for_poller), and a state no poller covers (wait_until: a VM's power state, a
resource another run is deleting, what a load balancer's health probe reports).

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import time

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, azure_failure

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)


def timeout_message(what, timeout, status=None):
    state = f" (last status: {status})" if status else ""
    return (
        f"Timed out after {timeout} seconds waiting for {what}{state}. The operation goes on in Azure;"
        " raise wait_timeout, or set wait=false and check the resource later."
    )


def wait_for_poller(module, poller, what, superseded=None):
    """Wait for an SDK LROPoller within wait_timeout and return its result.

    With wait=false it returns None at once: the request that started the operation has
    already been accepted by Azure, and the poller's daemon thread dies with the module.
    ``superseded`` (a marker) is returned instead of failing when Azure canceled the operation,
    as it does with a write a later write supersedes (_conditional_write).
    """
    if not module.params["wait"]:
        return None
    timeout = module.params["wait_timeout"]
    try:
        poller.wait(timeout=timeout)
        done = poller.done()
        result = poller.result() if done else None
    except Exception as exc:  # the poller re-raises what the polling thread met
        if superseded is not None and (poller.status() or "").lower() == "canceled":
            return superseded
        raise azure_failure(exc, f"Failed waiting for {what}") from exc
    if not done:
        raise ModuleFailure(timeout_message(what, timeout, poller.status()))
    return result


def wait_until(module, check, what, interval=2.0, timeout=None, expired=None, clock=time.monotonic, sleep=time.sleep):
    """Call ``check()`` until it returns something truthy, within ``timeout`` (default: the
    wait_timeout option); return that.

    For states no poller covers: a VM's power state, a resource another run is deleting, what a
    health probe reports, a member's connections. When the time is up, ``expired()`` is
    returned (it may raise a ModuleFailure of its own, or give what a grace period leaves);
    without it, a ModuleFailure says what was awaited.
    """
    timeout = module.params["wait_timeout"] if timeout is None else timeout
    deadline = clock() + timeout
    while True:
        result = check()
        if result:
            return result
        if clock() >= deadline:
            if expired is not None:
                return expired()
            raise ModuleFailure(timeout_message(what, timeout))
        sleep(min(interval, max(deadline - clock(), 0)))
