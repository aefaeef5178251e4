# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flow of a module that owns one named entry of a load balancer (lb_probe: a probe,
lb_rule: a load balancing rule): add or change it, or remove it, with a conditional write of
the whole load balancer (see _conditional_write.update), leaving every other part as it is.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._ids import load_balancer_id
from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import (
    diff_view,
    entries,
    find,
    merge_entry,
    with_ids,
    without_entry,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem

# The options such a module starts with.
ENTRY_ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    load_balancer=dict(type="str", required=True, aliases=["lb_name"]),
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def entry_view(lb, collection, name, to_dict):
    """The entry ``name`` of ``lb``'s ``collection`` as returned (``to_dict``), or None."""
    entry = find(entries(lb, collection), name)
    return to_dict(entry) if entry else None


def manage_entry(module, spec_keys, noun, collection, to_dict, spec_problems, properties, key, removal_refusal=None):
    """Validate the options, then make the entry ``name`` of ``collection`` as the task asks; exits.

    ``spec_problems(spec)`` checks the options (``spec``: those named by ``spec_keys``) for
    state=present; ``properties(spec, current, lb_id)`` gives the entry's properties from the
    load balancer as read; ``removal_refusal(current)`` is why Azure would refuse to remove the
    entry, or None: check mode, which sends nothing Azure could refuse, fails with it, and it
    explains a refused delete. The entry is returned under ``key`` with state=present.
    """
    params = module.params
    group, balancer, name = params["resource_group"], params["load_balancer"], params["name"]
    present = params["state"] == "present"
    spec = {k: params[k] for k in spec_keys}
    problems = [p for p in (group_problem(group), name_problem(balancer, "load balancer name")) if p]
    problems += spec_problems(spec) if present else [p for p in (name_problem(name, f"{noun} name"),) if p]
    module.fail_invalid(problems)

    what = f"load balancer {balancer}"
    lb_id = load_balancer_id(module.subscription_id, group, balancer)

    def apply(current):
        if current is None:
            if present:
                module.fail_json(msg=f"Load balancer {balancer} does not exist in resource group {group}; create it"
                                     " first (cloudlb.azure.load_balancer)")
            return None
        items = entries(current, collection)
        if present:
            try:
                new, changed = merge_entry(items, name, properties(spec, current, lb_id))
            except OptionError as exc:
                module.fail_json(msg=str(exc))
        else:
            refusal = removal_refusal and module.check_mode and removal_refusal(current)
            if refusal:
                module.fail_json(msg=refusal)
            new, changed = without_entry(items, name)
        if not changed:
            return None
        body = copy.deepcopy(current)
        body["properties"][collection] = new
        return body

    def failure(current):
        refusal = not present and removal_refusal and removal_refusal(current)
        return refusal or f"Failed to {'write' if present else 'delete'} {noun} {name} of {what}"

    before, after, changed = update(module, module.client("network").load_balancers, group, balancer, apply, what,
                                    model="LoadBalancer", failure=failure)
    old = entry_view(before, collection, name, to_dict)
    new = entry_view(after and with_ids(after, lb_id), collection, name, to_dict)
    result = {key: new} if present else {}
    module.exit_with_diff(changed, diff_view(old), diff_view(new), **result)
