# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flow of a module that owns one named entry of a load balancer (lb_probe: a probe,
lb_rule: a load balancing rule): add or change it (``ensure_present``), or remove it
(``ensure_absent``), with a conditional write of the whole load balancer (see
_conditional_write.update), leaving every other part as it is. What differs between the two
modules is their ``EntryKind``.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy
from collections import namedtuple

from ansible_collections.cloudlb.azure.plugins.module_utils._ids import load_balancer_id
from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, check_options
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
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result

# The options such a module starts with.
ENTRY_ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    load_balancer=dict(type="str", required=True, aliases=["lb_name"]),
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)

# One kind of entry: ``noun`` ("probe", also the key it is returned under), its ``collection``
# in the load balancer's properties, ``to_dict`` (its returned shape), ``spec_keys`` (the options
# that describe it), ``problems(spec)`` (what is wrong with them, for state=present),
# ``properties(spec, lb, lb_id)`` (its properties from the load balancer as read), and
# ``removal_refusal(params, lb)``: why Azure would refuse to remove it, or None (check mode, which
# sends nothing Azure could refuse, fails with it, and it explains a refused delete).
EntryKind = namedtuple("EntryKind", "noun collection to_dict spec_keys problems properties removal_refusal")


def entry_view(lb, collection, name, to_dict):
    """The entry ``name`` of ``lb``'s ``collection`` as returned (``to_dict``), or None."""
    entry = find(entries(lb, collection), name)
    return to_dict(entry) if entry else None


def options(module, kind):
    """The entry's options (those named by ``kind.spec_keys``); OptionError for anything Azure
    would refuse. No request yet."""
    params = module.params
    spec = {k: params[k] for k in kind.spec_keys}
    problems = [group_problem(params["resource_group"]), name_problem(params["load_balancer"], "load balancer name")]
    if params["state"] == "present":
        problems += kind.problems(spec)
    else:
        problems.append(name_problem(params["name"], f"{kind.noun} name"))
    check_options(problems)
    return spec


def ensure_present(module, kind, spec):
    """Add the entry, or change it as ``spec`` says; Result with the entry under ``kind.noun``."""
    params = module.params
    balancer, lb_id = params["load_balancer"], _lb_id(module)

    def apply(current):
        if current is None:
            raise ModuleFailure(f"Load balancer {balancer} does not exist in resource group {params['resource_group']};"
                                " create it first (cloudlb.azure.load_balancer)")
        items, changed = merge_entry(entries(current, kind.collection), spec["name"],
                                     kind.properties(spec, current, lb_id))
        return _with_entries(current, kind.collection, items) if changed else None

    failure = f"Failed to write {kind.noun} {spec['name']} of load balancer {balancer}"
    old, new, changed = _write(module, kind, apply, lambda _current: failure)
    return Result(changed, diff_view(old), diff_view(new), **{kind.noun: new})


def ensure_absent(module, kind, spec):
    """Remove the entry when the load balancer has it; Result without a returned entry."""
    params = module.params
    name = spec["name"]

    def refusal(current):
        return kind.removal_refusal and kind.removal_refusal(params, current)

    def apply(current):
        if current is None:
            return None
        if module.check_mode and refusal(current):
            raise ModuleFailure(refusal(current))
        items, changed = without_entry(entries(current, kind.collection), name)
        return _with_entries(current, kind.collection, items) if changed else None

    old, new, changed = _write(module, kind, apply, lambda current: refusal(current) or (
        f"Failed to delete {kind.noun} {name} of load balancer {params['load_balancer']}"))
    return Result(changed, diff_view(old), diff_view(new))


def boundary(kind):
    """AzureModule.run's arguments for the module of an entry of ``kind``."""
    return (lambda module: options(module, kind),
            {"present": lambda module, spec: ensure_present(module, kind, spec),
             "absent": lambda module, spec: ensure_absent(module, kind, spec)})


def _lb_id(module):
    params = module.params
    return load_balancer_id(module.subscription_id, params["resource_group"], params["load_balancer"])


def _with_entries(lb, collection, items):
    body = copy.deepcopy(lb)
    body["properties"][collection] = items
    return body


def _write(module, kind, apply, failure):
    """update() of the load balancer with ``apply``; (the entry before, after, changed)."""
    params = module.params
    balancer = params["load_balancer"]
    before, after, changed = update(module, module.client("network").load_balancers, params["resource_group"],
                                    balancer, apply, f"load balancer {balancer}", model="LoadBalancer",
                                    failure=failure)
    old = entry_view(before, kind.collection, params["name"], kind.to_dict)
    new = entry_view(after and with_ids(after, _lb_id(module)), kind.collection, params["name"], kind.to_dict)
    return old, new, changed
