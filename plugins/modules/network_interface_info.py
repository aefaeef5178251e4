#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: network_interface_info
short_description: List Azure network interfaces
version_added: 0.1.0
description:
  - Get one network interface (NIC) by name, the NICs of a resource group, or all NICs of the
    subscription.
  - Always returns a list, empty when nothing matches.
options:
  resource_group:
    description:
      - Resource group to look in. Without it, the NICs of the whole subscription are listed.
    type: str
  name:
    description:
      - Name of the NIC to get. Needs O(resource_group).
    type: str
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.network_interface
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Get one NIC
  cloudlb.azure.network_interface_info:
    resource_group: myResourceGroupLB
    name: myNicVM1
  register: found

- name: Show its private address and the VM that uses it
  ansible.builtin.debug:
    msg: "{{ found.network_interfaces[0].private_ip_address }} on {{ found.network_interfaces[0].virtual_machine }}"
  when: found.network_interfaces

- name: List the NICs of a resource group
  cloudlb.azure.network_interface_info:
    resource_group: myResourceGroupLB
"""

RETURN = r"""
network_interfaces:
  description:
    - The matching NICs; V([]) when none match.
    - Each has the keys of RV(cloudlb.azure.network_interface#module:network_interface).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Resource ID of the NIC.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Network/networkInterfaces/myNicVM1
    name:
      description: Name of the NIC.
      type: str
      returned: always
      sample: myNicVM1
    location:
      description: Region of the NIC.
      type: str
      returned: always
      sample: westus
    tags:
      description: Tags of the NIC.
      type: dict
      returned: always
    provisioning_state:
      description: Provisioning state Azure reports.
      type: str
      returned: always
      sample: Succeeded
    security_group:
      description: Resource ID of the NIC's network security group, or V(null).
      type: str
      returned: always
    ip_forwarding:
      description: Whether IP forwarding is enabled.
      type: bool
      returned: always
    accelerated_networking:
      description: Whether accelerated networking is enabled.
      type: bool
      returned: always
    private_ip_address:
      description: Private IP address of the primary ip configuration.
      type: str
      returned: always
      sample: 10.0.0.4
    mac_address:
      description: MAC address, once a virtual machine uses the NIC; V(null) before.
      type: str
      returned: always
    primary:
      description: Whether the NIC is its virtual machine's primary NIC; V(null) without a virtual machine.
      type: bool
      returned: always
    virtual_machine:
      description: Resource ID of the virtual machine that uses the NIC, or V(null).
      type: str
      returned: always
    ip_configurations:
      description:
        - The NIC's ip configurations, with C(id), C(name), C(primary), C(private_ip_address),
          C(private_ip_allocation_method), C(private_ip_address_version), C(subnet),
          C(public_ip_address), C(load_balancer_backend_address_pools),
          C(load_balancer_inbound_nat_rules) and C(provisioning_state).
      type: list
      elements: dict
      returned: always
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._info import check_names, get_or_list, info_module
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import nic_to_dict
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result


def options(module):
    """The options; OptionError for names Azure would refuse. No request yet."""
    return check_names(module, lambda name: name_problem(name, "network interface name"))


def info(module, spec):
    group, name = spec["resource_group"], spec["name"]
    nics = module.client("network").network_interfaces
    # A 404 listing a resource group's NICs means no group, so no NICs; the subscription's is an error.
    found = get_or_list((lambda: nics.get(group, name)) if name is not None else None,
                        lambda: list(nics.list(group) if group is not None else nics.list_all()),
                        f"Failed to read network interface {name}",
                        f"Failed to read the network interfaces of {group or 'the subscription'}",
                        missing_list_is_empty=group is not None)
    return Result(False, diff=False, network_interfaces=[nic_to_dict(nic.as_dict()) for nic in found])


def main():
    module = info_module()
    module.run(options, info)


if __name__ == "__main__":
    main()
