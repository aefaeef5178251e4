# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Admin state of one member of a backend pool, of either kind, as modules set it and wait on
it: the calls lb_pool_member and lb_backend_address make, and a drain can make.

- ``set_admin_state(module, group, load_balancer, pool, member, state)`` sets ``Up`` or
  ``Down`` on the member's entry in the pool, or clears it (``None``), with one conditional
  write of the pool (_lb_backend_pool.update_pool); no write when it already is so.
- ``wait_for_member(module, group, load_balancer, member, wait_for, what)`` waits within
  ``wait_timeout`` until the load balancer's own health view says the member takes new
  connections in every rule that has it (``healthy``) or in none (``unhealthy``): the waiter of
  lb_health_info's ``wait_for``, failing with what still differs when the time is up.

``module`` is an AzureModule made with ``wait=True`` (they follow its ``wait`` and
``wait_timeout``). Both raise OptionError for what Azure would refuse or the load balancer
lacks, and ModuleFailure with Azure's code for Azure's errors (_conditional_write.update); they
never exit the module themselves.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import (
    address_to_dict,
    find_member,
    with_admin_state,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import update_pool
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_health import Health, rules_of
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import read
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, OptionError


def read_load_balancer(module, resource_group, load_balancer, planned=False):
    """The load balancer as Azure's JSON; OptionError when it does not exist. With ``planned``
    (check mode: an earlier task of the run may plan it, as _references says) a warning and None."""
    lb = read(module, module.client("network").load_balancers, resource_group, load_balancer,
              f"load balancer {load_balancer}")
    if lb is None:
        missing = f"load balancer {load_balancer} does not exist in resource group {resource_group}"
        if not planned:
            raise OptionError(missing)
        module.warn(f"load_balancer: {missing} yet; the write fails unless an earlier task creates it")
    return lb


def sku_of(lb):
    return (lb.get("sku") or {}).get("name") or "Basic"


def set_admin_state(module, resource_group, load_balancer, pool, member, state, lb=None):
    """Set ``state`` (Up, Down or None) on ``member`` of ``pool``: an entry name, an IP address,
    or the resource ID of a NIC ip configuration. ``lb`` is the load balancer if already read.
    Returns (before, after, changed), the member as address_to_dict gives it (after: as
    predicted in check mode or with wait=false)."""
    sku = sku_of(lb or read_load_balancer(module, resource_group, load_balancer))
    what = f"backend pool {pool} of load balancer {load_balancer}"

    def apply(current):
        if current is None:
            raise OptionError(f"load balancer {load_balancer} has no backend pool {pool}")
        body, changed = with_admin_state(current, member, state, sku)
        return body if changed else None

    before, after, changed = update_pool(module, resource_group, load_balancer, pool, apply, what,
                                         failure=lambda _c: f"Failed to set the admin state of {member} in {what}")
    return (address_to_dict(find_member(before, member)), address_to_dict(find_member(after, member) or {}),
            changed)


def wait_for_member(module, resource_group, load_balancer, member, wait_for, what, interval=2.0, vms=None):
    """Wait within wait_timeout until the load balancer sees ``member`` (a VM, NIC or ip
    configuration id, or an IP address) ``healthy`` (up in every rule that has it) or
    ``unhealthy`` (up in none), as lb_health_info's wait_for does; return the rules' health as
    lb_health_info reports it. When the time is up, fail saying what still differs (``what``:
    the member in words). ``vms``: the VMs already known by NIC id (_lb_health.Health)."""
    lb = read_load_balancer(module, resource_group, load_balancer)
    rules = rules_of(lb)
    if not rules:
        raise OptionError(f"load balancer {load_balancer} has no load balancing rule to see {member} through")

    def timed_out(waiting, _report):
        return ModuleFailure(f"Timed out after {module.params['wait_timeout']} seconds waiting for the load balancer"
                             f" to see {what} {wait_for}; still: {waiting}")

    return Health(module, resource_group, lb, vms).wait(rules, wait_for, member, interval, timed_out)
