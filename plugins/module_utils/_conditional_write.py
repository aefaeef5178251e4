# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changing one part of a resource Azure only takes whole (a load balancer's probes and rules,
a NIC's pool memberships) without undoing anyone else's change.

Two tasks that each read the load balancer, change their own probe and PUT it back would lose
one change. So every write here is conditional: the body is what we read plus our one change,
sent with ``If-Match: <the etag we read>``; when anyone wrote in between, Azure refuses it
(412 PreconditionFailed) and we read again and re-apply, up to WRITE_ATTEMPTS times, pausing a
random and growing time so that competing writers spread out. This holds across processes,
hosts and AWX jobs, which no in-process lock does.

A write whose answer was lost is sent again by azure-core (_retries) and then refused with
412, its own write having changed the etag: we read again and find our change made.

A long-running write can also end Canceled: Azure cancels it when a later write supersedes it,
which with If-Match means a write that read ours. We read again then: our change is there, and
is reported made (or, if it is not, applied again).

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import random
import time

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import (
    HttpResponseError,
    ModuleFailure,
    azure_failure,
    error_details,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import as_json, left_failed, read
from ansible_collections.cloudlb.azure.plugins.module_utils._retries import answer_lost
from ansible_collections.cloudlb.azure.plugins.module_utils._wait import wait_for_poller

WRITE_ATTEMPTS = 20
PAUSE_BASE, PAUSE_CAP = 0.25, 4.0
SUPERSEDED = object()


def pause(attempt, uniform=random.uniform, sleep=time.sleep):
    """Sleep a random time below an exponentially growing cap ("full jitter")."""
    sleep(uniform(0, min(PAUSE_CAP, PAUSE_BASE * 2 ** attempt)))


def nic_entries(lb):
    """{pool name: sorted names of its entries that NICs hold}: what Azure lists in a NIC-based
    pool's ``loadBalancerBackendAddresses`` from the NICs, not from the load balancer."""
    pools = ((lb or {}).get("properties") or {}).get("backendAddressPools") or []
    return {pool.get("name"): sorted(e.get("name") or "" for e in (pool.get("properties") or {}).get(
        "loadBalancerBackendAddresses") or [] if (e.get("properties") or {}).get("networkInterfaceIPConfiguration"))
        for pool in pools}


def members_moved(exc, before, now):
    """A write refused because a NIC joined or left a pool since our read: Azure lists NIC
    members as pool entries, which our body sends back, yet a NIC's change does not change the
    load balancer's etag, so If-Match cannot catch it. Read again and re-apply, as after a 412."""
    return (error_details(exc).get("error_code") == "ModificationOfNICIpConfigBackendPoolNotSupported"
            and nic_entries(before) != nic_entries(now))


def sdk_body(model, desired):
    """``desired`` as the SDK model ``model`` ("LoadBalancer"), which sends it without the
    read-only fields (etags, back-references, provisioning states), as az does."""
    if model is None:
        return desired
    from azure.mgmt.network import models  # imported already by module.client("network")

    return getattr(models, model)(desired)


def update(module, operations, resource_group, name, apply, what, model=None, failure=None):
    """Read-modify-write of one resource under optimistic concurrency.

    ``apply(current)`` gets the resource as Azure's JSON (None when it does not exist) and
    returns the body to PUT, or None when the resource is already as wanted (it may raise
    ModuleFailure); a resource left Failed is written back as it is then (_resource_ops.left_failed).
    ``failure(current)`` gives the message of a refused write (default: "Failed to write {what}").
    Returns (before, after, changed): the resource as read before the write that took effect, and
    after it (the predicted body in check mode or with wait=false).
    """
    wrote, wrote_over, fresh = False, None, None
    for attempt in range(WRITE_ATTEMPTS):
        current = fresh if fresh is not None else read(module, operations, resource_group, name, what)
        fresh = None
        desired = apply(current)
        if desired is None and left_failed(current) and not wrote:
            desired = current
        if desired is None:
            return (wrote_over, current, True) if wrote else (current, current, False)
        if module.check_mode:
            return current, desired, True
        if current is None:
            condition = {"If-None-Match": "*"}
        else:
            condition = {"If-Match": current["etag"]} if current.get("etag") else {}
        try:
            poller = operations.begin_create_or_update(resource_group, name, sdk_body(model, desired),
                                                       headers=condition)
        except HttpResponseError as exc:
            if getattr(exc, "status_code", None) == 412:
                if answer_lost(exc):
                    # Our write took effect, its answer was lost and azure-core's resend met it:
                    # the next read finds our change (or re-applies it on top of a later one).
                    wrote, wrote_over = True, current
                else:
                    pause(attempt)
                continue
            fresh = read(module, operations, resource_group, name, what)
            if members_moved(exc, current, fresh):
                pause(attempt)          # and re-apply on what was just read, not a third read
                continue
            raise azure_failure(exc, failure(current) if failure else f"Failed to write {what}") from exc
        wrote, wrote_over = True, current
        if not module.params["wait"]:
            return current, desired, True
        done = wait_for_poller(module, poller, f"{what} to be provisioned", superseded=SUPERSEDED)
        if done is not SUPERSEDED:
            return current, as_json(done), True
    raise ModuleFailure(f"Gave up writing {what} after {WRITE_ATTEMPTS} attempts: other writers changed it every "
                        "time between our read and our write (412 PreconditionFailed). Run the task again.")
