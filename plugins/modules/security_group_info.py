#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group_info
short_description: List Azure network security groups and their rules
version_added: 0.1.0
description:
  - Get one network security group (NSG), those of a resource group, or all those of the
    subscription, each with its rules, Azure's default rules and who uses it.
options:
  resource_group:
    description:
      - Resource group to look in. Without it, every NSG of the subscription is listed.
    type: str
  name:
    description:
      - Name of one NSG. Needs O(resource_group).
      - A name Azure cannot give one fails the task before any request, as a resource group name
        Azure cannot have does (rather than answering an empty list).
    type: str
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.security_group
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Get the tutorial's NSG
  cloudlb.azure.security_group_info:
    resource_group: myResourceGroupLB
    name: myNSG
  register: found

- name: Print the priorities of its inbound rules
  ansible.builtin.debug:
    msg: "{{ found.security_groups[0].rules | selectattr('direction', '==', 'Inbound') | map(attribute='priority') }}"
  when: found.security_groups | length > 0
"""

RETURN = r"""
security_groups:
  description:
    - The NSGs found, sorted by ID; empty when there are none.
    - Each has the fields of RV(cloudlb.azure.security_group#module:security_group).
  returned: always
  type: list
  elements: dict
  sample:
    - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Network/networkSecurityGroups/myNSG
      name: myNSG
      location: westus
      tags: {}
      rules: []
      default_rules: []
      network_interfaces: []
      subnets: []
      provisioning_state: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._info import by_id, check_names, info_module, network_items
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._security_group import to_dict


def options(module):
    """The options; OptionError for names Azure would refuse. No request yet."""
    return check_names(module, lambda name: name_problem(name, "security group name"))


def info(module, spec):
    items = network_items(spec, module.client("network").network_security_groups, "security group", "security groups")
    return Result(False, diff=False, security_groups=by_id(to_dict(item) for item in items))


def main():
    module = info_module()
    module.run(options, info)


if __name__ == "__main__":
    main()
