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

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import (
    as_json,
    delete_and_exit,
    fetch,
    group_location,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import location_problem, moved_problem, normalize_location
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


class AvailabilitySetManager:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.what = f"availability set {self.params['name']}"
        self.sets = module.client("compute").availability_sets

    def current(self):
        return fetch(self.module, lambda: to_dict(as_json(self.sets.get(self.params["resource_group"],
                                                                        self.params["name"]))), self.what)

    def present(self, current):
        params = self.params
        if current is None:
            desired = {
                "id": (f"/subscriptions/{self.module.subscription_id}/resourceGroups/{params['resource_group']}"
                       f"/providers/Microsoft.Compute/availabilitySets/{params['name']}"),
                "name": params["name"],
                "location": normalize_location(params["location"]) or group_location(self.module, params["resource_group"]),
                "sku": params["sku"] or "Aligned",
                "platform_fault_domain_count": params["platform_fault_domain_count"] or DEFAULT_FAULT_DOMAINS,
                "platform_update_domain_count": params["platform_update_domain_count"] or DEFAULT_UPDATE_DOMAINS,
                "virtual_machines": [],
                "tags": merge_tags({}, params["tags"], params["append_tags"])[0],
            }
            return self.write(current, desired, "create")
        self.check_fixed(current)
        tags, tags_changed = merge_tags(current["tags"], params["tags"], params["append_tags"])
        sku = params["sku"] or current["sku"]
        if not tags_changed and sku == current["sku"]:
            self.module.exit_with_diff(False, diff_view(current), diff_view(current), availability_set=current)
        return self.write(current, dict(current, tags=tags, sku=sku), "update")

    def check_fixed(self, current):
        params = self.params
        moved = moved_problem("availability set", current["location"], params["location"])
        if moved:
            self.module.fail_json(msg=f"Cannot update {self.what}: {moved}. Nothing was changed")
        for option, what, _bounds in COUNTS:
            if params[option] is not None and params[option] != current[option]:
                self.module.fail_json(
                    msg=f"The {self.what} has {current[option]} {what}s and {option} asks for {params[option]}:"
                    f" Azure cannot change the {what} count of an existing availability set. Nothing was changed;"
                    " to change it, delete the set (it must hold no VMs) and create it again")
        if params["sku"] == "Classic" and current["sku"] == "Aligned":
            self.module.fail_json(msg=f"Cannot update {self.what}: sku is Classic, but it is Aligned, and Azure"
                                  " cannot change an Aligned availability set back to Classic. Nothing was changed")

    def write(self, current, desired, action):
        result = desired
        if not self.module.check_mode:
            body = {
                "location": desired["location"],
                "sku": {"name": desired["sku"]},
                "tags": desired["tags"],
                "properties": {
                    "platformFaultDomainCount": desired["platform_fault_domain_count"],
                    "platformUpdateDomainCount": desired["platform_update_domain_count"],
                },
            }
            try:
                written = as_json(self.sets.create_or_update(self.params["resource_group"], self.params["name"], body))
            except Exception as exc:
                self.module.fail_azure(exc, f"Failed to {action} {self.what}")
            # The answer to a PUT does not list the member VMs; they are unchanged by it.
            result = dict(to_dict(written), virtual_machines=desired["virtual_machines"])
        self.module.exit_with_diff(True, diff_view(current), diff_view(result), availability_set=result)

    def absent(self, current):
        if current is None:
            self.module.exit_with_diff(False, {}, {})
        if current["virtual_machines"]:
            self.module.fail_json(
                msg=f"The {self.what} still holds the VMs {', '.join(current['virtual_machines'])}; Azure deletes an"
                " availability set only when it is empty. Delete the VMs first. Nothing was changed",
                virtual_machines=current["virtual_machines"])
        # Azure deletes an availability set at once: no poller to wait for.
        delete_and_exit(self.module, diff_view(current),
                        lambda: self.sets.delete(self.params["resource_group"], self.params["name"]), self.what)


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
    try:
        module.fail_invalid(option_problems(module.params))
        manager = AvailabilitySetManager(module)
        current = manager.current()
        if module.params["state"] == "present":
            manager.present(current)
        else:
            manager.absent(current)
    except ModuleFailure as failure:
        module.fail_with(failure)


if __name__ == "__main__":
    main()
