#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: virtual_network_info
short_description: List Azure virtual networks and their subnets
version_added: 0.1.0
description:
  - Get one virtual network (VNet), those of a resource group, or all those of the subscription,
    each with its subnets.
options:
  resource_group:
    description:
      - Resource group to look in. Without it, every VNet of the subscription is listed.
    type: str
  name:
    description:
      - Name of one VNet. Needs O(resource_group).
      - A name Azure cannot give one fails the task before any request, as a resource group name
        Azure cannot have does (rather than answering an empty list).
    type: str
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.virtual_network
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Get the tutorial's VNet
  cloudlb.azure.virtual_network_info:
    resource_group: myResourceGroupLB
    name: myVNet
  register: found

- name: Print the IDs of its subnets
  ansible.builtin.debug:
    msg: "{{ found.virtual_networks[0].subnets | map(attribute='id') }}"
  when: found.virtual_networks | length > 0
"""

RETURN = r"""
virtual_networks:
  description:
    - The VNets found, sorted by ID; empty when there are none.
    - Each has the fields of RV(cloudlb.azure.virtual_network#module:virtual_network).
  returned: always
  type: list
  elements: dict
  sample:
    - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myRG/providers/Microsoft.Network/virtualNetworks/myVNet
      name: myVNet
      location: westus
      tags: {}
      address_prefixes: [10.1.0.0/16]
      dns_servers: []
      subnets:
        - name: myBackendSubnet
          id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myRG/providers/Microsoft.Network/virtualNetworks/myVNet/subnets/myBackendSubnet
          address_prefix: 10.1.0.0/24
          address_prefixes: [10.1.0.0/24]
          security_group: null
          ip_configurations: []
          provisioning_state: Succeeded
      provisioning_state: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._info import by_id, check_names, info_module, network_items
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._virtual_network import to_dict


def options(module):
    """The options; OptionError for names Azure would refuse. No request yet."""
    return check_names(module, lambda name: name_problem(name, "virtual network name", shortest=2, longest=64))


def info(module, spec):
    items = network_items(spec, module.client("network").virtual_networks, "virtual network", "virtual networks")
    return Result(False, diff=False, virtual_networks=by_id(to_dict(item) for item in items))


def main():
    module = info_module()
    module.run(options, info)


if __name__ == "__main__":
    main()
