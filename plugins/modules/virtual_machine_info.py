#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: virtual_machine_info
short_description: List Azure virtual machines with their power state
version_added: 0.1.0
description:
  - Get one virtual machine by name, the VMs of a resource group, or all VMs of the
    subscription, optionally only those carrying some tags, each with its power state.
  - Always returns a list, empty when nothing matches.
  - A VM got by name takes one request (Azure returns it with its instance view). A listing takes
    one request per page, plus one per VM for its instance view unless O(instance_view=false).
options:
  resource_group:
    description: Resource group of the VMs. Without it, the VMs of the whole subscription are listed.
    type: str
  name:
    description: Name of the VM to get. Needs O(resource_group).
    type: str
  tags:
    description:
      - Return only the VMs that carry all of these tags.
      - Each item is V(name), matching any value, or V(name:value).
    type: list
    elements: str
  instance_view:
    description:
      - Read each VM's instance view, for RV(virtual_machines[].power_state).
      - With V(false), a listing takes one request per page and the power state is V(null).
        A VM got by O(name) always comes with its instance view.
    type: bool
    default: true
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.virtual_machine
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Wait until the tutorial's VMs, created with wait=false, are running
  cloudlb.azure.virtual_machine_info:
    resource_group: myResourceGroupLB
  register: vms
  until: >-
    vms.virtual_machines | selectattr('name', 'in', ['myVM1', 'myVM2', 'myVM3'])
    | selectattr('power_state', 'equalto', 'running') | list | length == 3
  retries: 60
  delay: 5

- name: One VM
  cloudlb.azure.virtual_machine_info:
    resource_group: myResourceGroupLB
    name: myVM1
  register: vm1
"""

RETURN = r"""
virtual_machines:
  description:
    - The matching VMs; V([]) when none match. Each has the keys RV(cloudlb.azure.virtual_machine#module:virtual_machine)
      has, except the IP addresses.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Resource ID of the VM.
      type: str
      returned: always
    name:
      description: Name of the VM.
      type: str
      returned: always
      sample: myVM1
    location:
      description: Region of the VM.
      type: str
      returned: always
    size:
      description: VM size.
      type: str
      returned: always
      sample: Standard_D2s_v5
    image:
      description: Image reference (C(publisher), C(offer), C(sku), C(version), C(exact_version)).
      type: dict
      returned: always
    computer_name:
      description: Host name.
      type: str
      returned: always
    admin_username:
      description: Administrator account.
      type: str
      returned: always
    os_disk:
      description: The OS disk (C(name), C(id), C(type), C(size_gb), C(delete_option)).
      type: dict
      returned: always
    network_interfaces:
      description: Resource IDs of the NICs.
      type: list
      elements: str
      returned: always
    availability_set:
      description: Resource ID of the availability set, or V(null).
      type: str
      returned: always
    tags:
      description: Tags of the VM.
      type: dict
      returned: always
    provisioning_state:
      description: Provisioning state, such as V(Succeeded) or V(Creating).
      type: str
      returned: always
    power_state:
      description:
        - Power state from the instance view (C(PowerState/...) without the prefix), such as
          V(running), V(starting), V(stopped) or V(deallocated); V(null) with O(instance_view=false).
      type: str
      returned: always
      sample: running
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._compute import power_state, statuses_of, vm_name_problem, vm_to_dict
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError, ResourceNotFoundError
from ansible_collections.cloudlb.azure.plugins.module_utils._info import check_names, get_or_list, info_module, matches, parse_tag_filters
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import as_json
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import parse_id
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result


def with_power_state(vms, vm):
    """Add the power state from the VM's instance view; False when the VM is gone meanwhile."""
    parts = parse_id(vm["id"])
    try:
        view = as_json(vms.instance_view(parts["resource_group"], parts["name"]))
    except ResourceNotFoundError:
        return False
    vm["power_state"] = power_state(statuses_of(view))
    return True


def options(module):
    """The options and the tag filters; OptionError for what Azure would refuse. No request yet."""
    params = check_names(module, vm_name_problem)
    filters = parse_tag_filters(params["tags"])
    if any(not tag_name for tag_name, _value in filters):
        raise OptionError("Invalid options: each tags item is name or name:value, with a non-empty name")
    return dict(params, filters=filters)


def info(module, spec):
    vms = module.client("compute").virtual_machines
    group, name, filters = spec["resource_group"], spec["name"], spec["filters"]

    def listed():
        items = vms.list(group) if group else vms.list_all()
        found = [vm for vm in (vm_to_dict(as_json(item)) for item in items) if matches(vm["tags"], filters)]
        return [vm for vm in found if with_power_state(vms, vm)] if spec["instance_view"] else found

    found = get_or_list((lambda: vm_to_dict(as_json(vms.get(group, name, expand="instanceView"))))
                        if name is not None else None, listed, f"Failed to read virtual machine {name}",
                        "Failed to list virtual machines")
    return Result(False, diff=False, virtual_machines=[vm for vm in found if matches(vm["tags"], filters)])


def main():
    module = info_module(tags=dict(type="list", elements="str"), instance_view=dict(type="bool", default=True))
    module.run(options, info)


if __name__ == "__main__":
    main()
