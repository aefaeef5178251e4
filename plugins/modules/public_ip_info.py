#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: public_ip_info
short_description: List Azure public IP addresses
version_added: 0.1.0
description:
  - Get one public IP address, those of a resource group, or all those of the subscription.
options:
  resource_group:
    description:
      - Resource group to look in. Without it, every public IP address of the subscription is listed.
    type: str
  name:
    description:
      - Name of one public IP address. Needs O(resource_group).
      - A name Azure cannot give one fails the task before any request, as a resource group name
        Azure cannot have does (rather than answering an empty list).
    type: str
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.public_ip
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Get the tutorial's public IP
  cloudlb.azure.public_ip_info:
    resource_group: myResourceGroupLB
    name: myPublicIP
  register: found

- name: Print its address
  ansible.builtin.debug:
    msg: "{{ found.public_ips[0].ip_address }}"
  when: found.public_ips | length > 0

- name: List every public IP address of the subscription
  cloudlb.azure.public_ip_info:
"""

RETURN = r"""
public_ips:
  description:
    - The public IP addresses found, sorted by ID; empty when there are none.
    - Each has the fields of RV(cloudlb.azure.public_ip#module:public_ip).
  returned: always
  type: list
  elements: dict
  sample:
    - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Network/publicIPAddresses/myPublicIP
      name: myPublicIP
      location: westus
      tags: {}
      sku: Standard
      tier: Regional
      allocation_method: Static
      version: IPv4
      ip_address: 20.39.52.210
      domain_name_label: null
      fqdn: null
      idle_timeout: 4
      zones: ["1", "2", "3"]
      ip_configuration: null
      provisioning_state: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._info import by_id, check_names, info_module, network_items
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._public_ip import to_dict


def options(module):
    """The options; OptionError for names Azure would refuse. No request yet."""
    return check_names(module, lambda name: name_problem(name, "public IP name"))


def info(module, spec):
    items = network_items(spec, module.client("network").public_ip_addresses, "public IP", "public IP addresses")
    return Result(False, diff=False, public_ips=by_id(to_dict(item) for item in items))


def main():
    module = info_module()
    module.run(options, info)


if __name__ == "__main__":
    main()
