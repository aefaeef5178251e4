#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: resource_group
short_description: Create, update or delete an Azure resource group
version_added: 0.1.0
description:
  - Create a resource group, change its tags, or delete it.
  - By default a group that still holds resources is not deleted; see O(force_delete_nonempty).
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  name:
    description:
      - Name of the resource group.
      - 1 to 90 letters, digits, underscores, hyphens, periods and parentheses; it cannot end
        with a period. Azure compares names without regard to case.
    type: str
    required: true
  state:
    description:
      - V(present) creates the group or updates its tags.
      - V(absent) deletes the group.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Azure region of the group, such as V(westeurope) or V(West Europe).
      - Required to create the group. The region of an existing group cannot be changed; a
        different value is an error.
    type: str
  force_delete_nonempty:
    description:
      - With O(state=absent), delete the group even when it holds resources, and with it
        everything it holds.
      - With V(false), the module fails on a group that holds resources, listing a few of them.
    type: bool
    default: false
  wait:
    description:
      - Wait until Azure has deleted the group.
      - Creating or updating a group is immediate; O(wait) applies to the deletion, which
        Azure runs in the background. With V(false) the module returns as soon as Azure has
        accepted the deletion, and the group may still exist for a while.
    type: bool
    default: true
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.wait
  - cloudlb.azure.tags
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the group's name, location and tags.
seealso:
  - module: cloudlb.azure.resource_group_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create a resource group
  cloudlb.azure.resource_group:
    name: myResourceGroupLB
    location: westus
    tags:
      environment: demo

- name: Set exactly these tags, removing any other
  cloudlb.azure.resource_group:
    name: myResourceGroupLB
    tags:
      environment: production
    append_tags: false

- name: Delete the group and everything it holds, without waiting for Azure to finish
  cloudlb.azure.resource_group:
    name: myResourceGroupLB
    state: absent
    force_delete_nonempty: true
    wait: false

- name: Authenticate once for every module of the collection
  module_defaults:
    group/cloudlb.azure.azure:
      auth_source: credential_file
      profile: production
  block:
    - name: Create the group
      cloudlb.azure.resource_group:
        name: myResourceGroupLB
        location: westeurope
"""

RETURN = r"""
resource_group:
  description:
    - The resource group after the change, or as it would be after it in check mode.
    - In check mode, for a group to be created, RV(resource_group.provisioning_state) is V(null).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID of the group.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB
    name:
      description: Name of the group.
      type: str
      returned: always
      sample: myResourceGroupLB
    location:
      description: Region of the group, as Azure names it.
      type: str
      returned: always
      sample: westus
    tags:
      description: Tags of the group.
      type: dict
      returned: always
      sample: {environment: demo}
    provisioning_state:
      description: Provisioning state Azure reports.
      type: str
      returned: always
      sample: Succeeded
    managed_by:
      description: ID of the resource that manages the group, if any.
      type: str
      returned: always
      sample: null
"""

from itertools import islice

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, OptionError, azure_call, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import ensure_deleted, fetch
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import (
    group_to_dict,
    location_problem,
    moved_problem,
    name_problem,
    normalize_location,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    location=dict(type="str"),
    force_delete_nonempty=dict(type="bool", default=False),
)
NONEMPTY_SAMPLE = 5


def options(module):
    """The group's name; OptionError for a name or location Azure would refuse, before any request."""
    params = module.params
    problem = name_problem(params["name"])
    if problem:
        raise OptionError(f"Invalid name: {problem}")
    check_options([location_problem(params["location"])])
    return params["name"]


def diff_view(group):
    return {key: group[key] for key in ("name", "location", "tags")} if group else {}


def read(module, name):
    """The group as the module returns it, or None when it does not exist."""
    return fetch(module, lambda: group_to_dict(module.client("resource").resource_groups.get(name)),
                 f"resource group {name}")


def ensure_present(module, name):
    """Create the group, or set its tags; the region of a group cannot change."""
    params = module.params
    current = read(module, name)
    if current is None:
        location = normalize_location(params["location"])
        if not location:
            raise ModuleFailure(f"location is required to create resource group {name}")
        desired = {
            "id": f"/subscriptions/{module.subscription_id}/resourceGroups/{name}",
            "name": name,
            "location": location,
            "tags": merge_tags({}, params["tags"], params["append_tags"])[0],
            "provisioning_state": None,
            "managed_by": None,
        }
        return write(module, current, desired, "create")
    moved = moved_problem("resource group", current["location"], params["location"])
    if moved:
        raise ModuleFailure(f"Cannot update resource group {name}: {moved}")
    tags, changed = merge_tags(current["tags"], params["tags"], params["append_tags"])
    if not changed:
        return Result(False, diff_view(current), diff_view(current), resource_group=current)
    return write(module, current, dict(current, tags=tags), "update")


def write(module, current, desired, action):
    """PUT the group (not in check mode): Azure answers it at once, there is no operation to wait for."""
    result = desired
    if not module.check_mode:
        body = {"location": desired["location"], "tags": desired["tags"]}
        if desired.get("managed_by"):
            body["managedBy"] = desired["managed_by"]
        result = group_to_dict(azure_call(f"Failed to {action} resource group {desired['name']}",
                                          module.client("resource").resource_groups.create_or_update,
                                          desired["name"], body))
    return Result(True, diff_view(current), diff_view(desired), resource_group=result)


def ensure_absent(module, name):
    """Delete the group; one that holds resources only with force_delete_nonempty."""
    current = read(module, name)
    if current is None:
        return Result(False, {}, {})
    what = f"resource group {name}"
    if (current["provisioning_state"] or "").lower() == "deleting":
        # Someone else's deletion is under way: do not start another, wait for theirs.
        if module.params["wait"] and not module.check_mode:
            module.wait_until(lambda: read(module, name) is None, f"{what} to be deleted")
        return Result(False, diff_view(current), {})
    if not module.params["force_delete_nonempty"]:
        held = resources_in(module, name)
        if held:
            more = " and more" if len(held) >= NONEMPTY_SAMPLE else ""
            raise ModuleFailure(f"Resource group {name} is not empty, it holds {', '.join(held)}{more};"
                                " set force_delete_nonempty=true to delete it with everything it holds", resources=held)
    return ensure_deleted(module, diff_view(current), lambda: module.client("resource").resource_groups.begin_delete(name),
                          what)


def resources_in(module, name):
    """The ids of up to NONEMPTY_SAMPLE resources the group holds."""
    def first_ids():
        listed = module.client("resource").resources.list_by_resource_group(name, top=NONEMPTY_SAMPLE)
        return [resource.id for resource in islice(listed, NONEMPTY_SAMPLE)]  # no request for a next page

    return azure_call(f"Failed to list the resources of resource group {name}", first_ids)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True, tags=True)
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
