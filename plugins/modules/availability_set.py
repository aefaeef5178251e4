#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: availability_set
short_description: Create, update or delete an Azure availability set
version_added: 0.1.0
description:
  - Create an availability set, change its tags or SKU, or delete it.
  - Azure spreads the virtual machines of a set over its fault domains (racks with their own
    power and network) and update domains (groups rebooted together during platform maintenance).
  - The fault and update domain counts are fixed when the set is created. A task asking for
    other counts on an existing set fails, saying so, and changes nothing.
  - A VM joins a set only when it is created (see O(cloudlb.azure.virtual_machine#module:availability_set)).
  - Azure answers availability set requests at once, so there is nothing to wait for.
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  resource_group:
    description: Resource group of the availability set.
    type: str
    required: true
  name:
    description:
      - Name of the availability set, 1 to 80 letters, digits, underscores, periods and hyphens.
    type: str
    required: true
  state:
    description:
      - V(present) creates the set or updates it.
      - V(absent) deletes it. Azure refuses while the set holds VMs; the module then fails,
        naming them, before sending any request.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Azure region of the set. Defaults to the region of O(resource_group).
      - The region of an existing set cannot be changed.
    type: str
  platform_fault_domain_count:
    description:
      - Number of fault domains, 1 to 3 (some regions have only 2).
      - Defaults to V(2) when the set is created. Cannot be changed afterwards.
    type: int
  platform_update_domain_count:
    description:
      - Number of update domains, 1 to 20.
      - Defaults to V(5) when the set is created. Cannot be changed afterwards.
    type: int
  sku:
    description:
      - V(Aligned) for VMs with managed disks (which all VMs made by M(cloudlb.azure.virtual_machine) have),
        V(Classic) for VMs with unmanaged (blob) disks.
      - Defaults to V(Aligned) when the set is created; when omitted, an existing set keeps its SKU.
      - A V(Classic) set can become V(Aligned); Azure does not allow the reverse.
    type: str
    choices: [Aligned, Classic]
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.tags
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the set's name, location, SKU, domain counts and tags.
seealso:
  - module: cloudlb.azure.virtual_machine
  - name: Availability sets overview
    description: How Azure places the VMs of an availability set.
    link: https://learn.microsoft.com/azure/virtual-machines/availability-set-overview
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: The tutorial's availability set
  cloudlb.azure.availability_set:
    resource_group: myResourceGroupLB
    name: myAvailabilitySet
    platform_fault_domain_count: 3
    platform_update_domain_count: 2

- name: Delete it (it must hold no VMs)
  cloudlb.azure.availability_set:
    resource_group: myResourceGroupLB
    name: myAvailabilitySet
    state: absent
"""

RETURN = r"""
availability_set:
  description:
    - The availability set after the change, or as it would be in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID of the set.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myRG/providers/Microsoft.Compute/availabilitySets/myAvailabilitySet
    name:
      description: Name of the set.
      type: str
      returned: always
      sample: myAvailabilitySet
    location:
      description: Region of the set.
      type: str
      returned: always
      sample: westus
    sku:
      description: V(Aligned) or V(Classic).
      type: str
      returned: always
      sample: Aligned
    platform_fault_domain_count:
      description: Number of fault domains.
      type: int
      returned: always
      sample: 3
    platform_update_domain_count:
      description: Number of update domains.
      type: int
      returned: always
      sample: 2
    virtual_machines:
      description: Resource IDs of the VMs in the set, as Azure returns them (it upper-cases some parts).
      type: list
      elements: str
      returned: always
      sample: [/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MYRESOURCEGROUPLB/providers/Microsoft.Compute/virtualMachines/MYVM1]
    tags:
      description: Tags of the set.
      type: dict
      returned: always
      sample: {environment: demo}
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, azure_call, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import (
    as_json,
    ensure_deleted,
    fetch,
    group_location,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import location_problem, moved_problem, normalize_location
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags

FAULT_DOMAINS = (1, 3)
UPDATE_DOMAINS = (1, 20)
DEFAULT_FAULT_DOMAINS = 2
DEFAULT_UPDATE_DOMAINS = 5
COUNTS = (
    ("platform_fault_domain_count", "fault domain", FAULT_DOMAINS),
    ("platform_update_domain_count", "update domain", UPDATE_DOMAINS),
)


def to_dict(avset):
    props = avset.get("properties") or {}
    return {
        "id": avset["id"],
        "name": avset["name"],
        "location": avset["location"],
        "sku": (avset.get("sku") or {}).get("name", "Classic"),
        "platform_fault_domain_count": props.get("platformFaultDomainCount"),
        "platform_update_domain_count": props.get("platformUpdateDomainCount"),
        "virtual_machines": [vm["id"] for vm in props.get("virtualMachines") or []],
        "tags": dict(avset.get("tags") or {}),
    }


def diff_view(avset):
    return {key: value for key, value in avset.items() if key not in ("id", "virtual_machines")} if avset else {}


def option_problems(params):
    problems = []
    problem = name_problem(params["name"], "availability set name")
    if problem:
        problems.append(problem)
    problem = location_problem(params["location"])
    if problem:
        problems.append(problem)
    for option, what, (low, high) in COUNTS:
        value = params[option]
        if value is not None and not low <= value <= high:
            problems.append(f"{option} must be from {low} to {high} (the {what}s Azure offers), got {value}")
    return problems


def options(module):
    """The task's options checked; OptionError for anything Azure would refuse. No request yet."""
    check_options(option_problems(module.params))
    return module.params


def read(module, spec):
    """The set as the module returns it, or None."""
    sets = module.client("compute").availability_sets
    return fetch(module, lambda: to_dict(as_json(sets.get(spec["resource_group"], spec["name"]))), what_of(spec))


def what_of(spec):
    return f"availability set {spec['name']}"


def check_fixed(spec, current):
    """Fail, changing nothing, when the task asks to change what Azure keeps from creation."""
    what = what_of(spec)
    moved = moved_problem("availability set", current["location"], spec["location"])
    if moved:
        raise ModuleFailure(f"Cannot update {what}: {moved}. Nothing was changed")
    for option, noun, _bounds in COUNTS:
        if spec[option] is not None and spec[option] != current[option]:
            raise ModuleFailure(
                f"The {what} has {current[option]} {noun}s and {option} asks for {spec[option]}:"
                f" Azure cannot change the {noun} count of an existing availability set. Nothing was changed;"
                " to change it, delete the set (it must hold no VMs) and create it again")
    if spec["sku"] == "Classic" and current["sku"] == "Aligned":
        raise ModuleFailure(f"Cannot update {what}: sku is Classic, but it is Aligned, and Azure"
                            " cannot change an Aligned availability set back to Classic. Nothing was changed")


def write(module, spec, current, desired, action):
    """PUT ``desired`` (not in check mode); the Result of the change."""
    result = desired
    if not module.check_mode:
        body = {
            "location": desired["location"],
            "sku": {"name": desired["sku"]},
            "tags": desired["tags"],
            "properties": {
                "platformFaultDomainCount": desired["platform_fault_domain_count"],
                "platformUpdateDomainCount": desired["platform_update_domain_count"],
            },
        }
        sets = module.client("compute").availability_sets
        written = as_json(azure_call(f"Failed to {action} {what_of(spec)}", sets.create_or_update,
                                     spec["resource_group"], spec["name"], body))
        # The answer to a PUT does not list the member VMs; they are unchanged by it.
        result = dict(to_dict(written), virtual_machines=desired["virtual_machines"])
    return Result(True, diff_view(current), diff_view(result), availability_set=result)


def ensure_present(module, spec):
    current = read(module, spec)
    if current is None:
        desired = {
            "id": (f"/subscriptions/{module.subscription_id}/resourceGroups/{spec['resource_group']}"
                   f"/providers/Microsoft.Compute/availabilitySets/{spec['name']}"),
            "name": spec["name"],
            "location": normalize_location(spec["location"]) or group_location(module, spec["resource_group"]),
            "sku": spec["sku"] or "Aligned",
            "platform_fault_domain_count": spec["platform_fault_domain_count"] or DEFAULT_FAULT_DOMAINS,
            "platform_update_domain_count": spec["platform_update_domain_count"] or DEFAULT_UPDATE_DOMAINS,
            "virtual_machines": [],
            "tags": merge_tags({}, spec["tags"], spec["append_tags"])[0],
        }
        return write(module, spec, current, desired, "create")
    check_fixed(spec, current)
    tags, tags_changed = merge_tags(current["tags"], spec["tags"], spec["append_tags"])
    sku = spec["sku"] or current["sku"]
    if not tags_changed and sku == current["sku"]:
        return Result(False, diff_view(current), diff_view(current), availability_set=current)
    return write(module, spec, current, dict(current, tags=tags, sku=sku), "update")


def ensure_absent(module, spec):
    current = read(module, spec)
    if current is None:
        return Result(False, {}, {})
    if current["virtual_machines"]:
        raise ModuleFailure(
            f"The {what_of(spec)} still holds the VMs {', '.join(current['virtual_machines'])}; Azure deletes an"
            " availability set only when it is empty. Delete the VMs first. Nothing was changed",
            virtual_machines=current["virtual_machines"])
    sets = module.client("compute").availability_sets
    # Azure deletes an availability set at once: no poller to wait for.
    return ensure_deleted(module, diff_view(current), lambda: sets.delete(spec["resource_group"], spec["name"]),
                          what_of(spec))


def main():
    module = AzureModule(
        argument_spec=dict(
            RESOURCE_ARGUMENT_SPEC,
            platform_fault_domain_count=dict(type="int"),
            platform_update_domain_count=dict(type="int"),
            sku=dict(type="str", choices=["Aligned", "Classic"]),
        ),
        tags=True,
    )
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
