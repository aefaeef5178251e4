#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: resource_group_info
short_description: List Azure resource groups
version_added: 0.1.0
description:
  - Get one resource group by name, or all resource groups of the subscription, optionally
    only those carrying some tags.
  - Always returns a list, empty when nothing matches.
options:
  name:
    description:
      - Name of the resource group to get. Without it, all groups of the subscription are listed.
    type: str
  tags:
    description:
      - Return only the groups that carry all of these tags.
      - Each item is V(name), matching any value, or V(name:value).
    type: list
    elements: str
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.resource_group
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Get one resource group
  cloudlb.azure.resource_group_info:
    name: myResourceGroupLB
  register: found

- name: Say whether it exists
  ansible.builtin.debug:
    msg: "{{ 'exists' if found.resource_groups else 'does not exist' }}"

- name: List the groups of the demo environment
  cloudlb.azure.resource_group_info:
    tags:
      - environment:demo
      - owner
"""

RETURN = r"""
resource_groups:
  description: The matching resource groups; V([]) when none match.
  returned: always
  type: list
  elements: dict
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
      description: Region of the group.
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

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError
from ansible_collections.cloudlb.azure.plugins.module_utils._info import get_or_list, matches, parse_tag_filters
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import group_to_dict, name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    tags=dict(type="list", elements="str"),
)


def options(module):
    """The name and the tag filters; OptionError for either Azure would refuse. No request yet."""
    name = module.params["name"]
    problem = name_problem(name) if name is not None else None
    if problem:
        raise OptionError(f"Invalid name: {problem}")
    filters = parse_tag_filters(module.params["tags"])
    if any(not tag_name for tag_name, _value in filters):
        raise OptionError("Invalid tags: each item is name or name:value, with a non-empty name")
    return {"name": name, "filters": filters}


def info(module, spec):
    name = spec["name"]
    groups_api = module.client("resource").resource_groups
    groups = get_or_list((lambda: groups_api.get(name)) if name is not None else None,
                         lambda: list(groups_api.list()), f"Failed to read resource group {name}",
                         "Failed to list resource groups", missing_list_is_empty=False)
    found = [group_to_dict(group) for group in groups]
    return Result(False, diff=False, resource_groups=[group for group in found if matches(group["tags"], spec["filters"])])


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC)
    module.run(options, info)


if __name__ == "__main__":
    main()
