#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: virtual_network
short_description: Create, update or delete an Azure virtual network and its subnets
version_added: 0.1.0
description:
  - Create a virtual network (VNet) with its subnets, change its address space, DNS servers,
    subnets or tags, or delete it.
  - Subnets are given inline. Subnets not listed are kept unless O(purge_subnets=true).
  - Azure replaces a VNet's whole subnet list on every update, so the module always sends
    every subnet that should remain, with their other settings unchanged.
  - Address prefixes are checked before any request is sent; a malformed prefix, a subnet
    outside the address space and overlapping subnets fail at once.
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  resource_group:
    description: Name of the resource group of the VNet.
    type: str
    required: true
  name:
    description:
      - Name of the VNet.
      - 1 to 80 letters, digits, underscores, periods and hyphens; it begins with a letter,
        digit or underscore and ends with a letter, digit or underscore.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the VNet, V(absent) deletes it with its subnets.
      - Azure refuses to delete a VNet while a network interface uses one of its subnets.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Region of the VNet. Defaults to the region of O(resource_group) when creating.
      - The region of an existing VNet cannot change.
    type: str
  address_prefixes:
    description:
      - The VNet's address space, as CIDR prefixes such as V(10.1.0.0/16).
      - Required to create the VNet. When given for an existing VNet it replaces the address
        space; every subnet must stay inside it.
    type: list
    elements: str
  dns_servers:
    description:
      - IP addresses of the DNS servers of the VNet, in order. V([]) goes back to Azure's DNS.
      - When omitted, left as they are.
    type: list
    elements: str
  subnets:
    description:
      - Subnets of the VNet. A listed subnet is created or updated; see O(purge_subnets) for
        the others.
      - Azure keeps the first four and the last address of every subnet, so the smallest
        IPv4 subnet is a /29.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the subnet.
        type: str
        required: true
      address_prefix:
        description: Address range of the subnet, inside O(address_prefixes), overlapping no other subnet.
        type: str
        required: true
      security_group:
        description:
          - Network security group of the subnet, by name (in O(resource_group)) or by resource ID.
          - When omitted, the subnet's current security group is kept; V("") removes it.
        type: str
  purge_subnets:
    description:
      - With V(true), subnets of the VNet that O(subnets) does not list are deleted.
      - Azure refuses to delete a subnet a network interface uses.
    type: bool
    default: false
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
seealso:
  - module: cloudlb.azure.virtual_network_info
  - module: cloudlb.azure.security_group
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create the tutorial's VNet with its backend subnet
  cloudlb.azure.virtual_network:
    resource_group: myResourceGroupLB
    name: myVNet
    address_prefixes: [10.1.0.0/16]
    subnets:
      - name: myBackendSubnet
        address_prefix: 10.1.0.0/24
        security_group: myNSG

- name: Add a subnet, keeping the others
  cloudlb.azure.virtual_network:
    resource_group: myResourceGroupLB
    name: myVNet
    subnets:
      - name: AzureBastionSubnet
        address_prefix: 10.1.1.0/26

- name: Keep exactly one subnet, deleting the others
  cloudlb.azure.virtual_network:
    resource_group: myResourceGroupLB
    name: myVNet
    subnets:
      - name: myBackendSubnet
        address_prefix: 10.1.0.0/24
    purge_subnets: true
"""

RETURN = r"""
virtual_network:
  description: The VNet after the change, or as it would be after it in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Network/virtualNetworks/myVNet
    name:
      description: Name.
      type: str
      returned: always
      sample: myVNet
    location:
      description: Region.
      type: str
      returned: always
      sample: westus
    tags:
      description: Tags.
      type: dict
      returned: always
      sample: {}
    address_prefixes:
      description: Address space.
      type: list
      elements: str
      returned: always
      sample: [10.1.0.0/16]
    dns_servers:
      description: DNS servers; empty when the VNet uses Azure's DNS.
      type: list
      elements: str
      returned: always
      sample: []
    subnets:
      description: Subnets, sorted by name.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Name.
          type: str
          sample: backend
        id:
          description: Resource ID.
          type: str
          sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myRG/providers/Microsoft.Network/virtualNetworks/myVNet/subnets/backend
        address_prefix:
          description: Address range (V(null) when the subnet has several; see RV(virtual_network.subnets[].address_prefixes)).
          type: str
          sample: 10.1.0.0/24
        address_prefixes:
          description: Every address range of the subnet.
          type: list
          elements: str
          sample: [10.1.0.0/24]
        security_group:
          description: Resource ID of the subnet's network security group, or V(null).
          type: str
          sample: null
        ip_configurations:
          description: IDs of the NIC IP configurations (and load balancer frontends) in the subnet.
          type: list
          elements: str
          sample: []
        provisioning_state:
          description: Provisioning state; V(null) in check mode for a new subnet.
          type: str
          sample: Succeeded
    provisioning_state:
      description: Provisioning state; V(null) in check mode for a new VNet.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import NetworkResource, group_location
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import (
    SECURITY_GROUP,
    VIRTUAL_NETWORK,
    reference_problem,
    resource_id,
    to_id,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import (
    address_space_problems,
    ip_address_problem,
    name_problem,
    subnet_problems,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import location_problem, moved_problem, normalize_location
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags
from ansible_collections.cloudlb.azure.plugins.module_utils._virtual_network import (
    body_for,
    merge_subnets,
    subnets_differ,
    to_dict,
)


def options(module):
    """The virtual network the task names; OptionError for what Azure would refuse, before any request."""
    params = module.params
    problems = [name_problem(params["name"], "virtual network name", shortest=2, longest=64), location_problem(params["location"])]
    if params["address_prefixes"] is not None:
        problems.extend(address_space_problems(params["address_prefixes"]))
    problems.extend(ip_address_problem(s, "DNS server") for s in params["dns_servers"] or [])
    subnets = params["subnets"] or []
    problems.extend(subnet_problems(subnets, params["address_prefixes"]))
    for subnet in subnets:
        if subnet.get("security_group"):
            problems.append(reference_problem(subnet["security_group"], SECURITY_GROUP,
                                              f"security_group of subnet {subnet['name']!r}"))
    check_options(problems)
    return NetworkResource(module, "virtual_networks", (params["resource_group"], params["name"]),
                           f"virtual network {params['name']}", to_dict, "virtual_network")


def desired_state(module, current):
    params = module.params
    rg = params["resource_group"]
    vnet_id = current["id"] if current else resource_id(module.subscription_id, rg, VIRTUAL_NETWORK, params["name"])
    wanted = []
    for subnet in params["subnets"] or []:
        nsg = subnet["security_group"]
        wanted.append(dict(subnet, security_group=to_id(nsg, module.subscription_id, rg, SECURITY_GROUP) if nsg else nsg))
    if current is None:
        if not params["address_prefixes"]:
            raise ModuleFailure(f"address_prefixes is required to create virtual network {params['name']}")
        return {
            "id": vnet_id,
            "name": params["name"],
            "location": normalize_location(params["location"]) or group_location(module, rg),
            "tags": merge_tags({}, params["tags"], params["append_tags"])[0],
            "address_prefixes": list(params["address_prefixes"]),
            "dns_servers": list(params["dns_servers"] or []),
            "subnets": merge_subnets([], wanted, True, vnet_id),
            "provisioning_state": None,
        }
    moved = moved_problem("virtual network", current["location"], params["location"])
    if moved:
        raise ModuleFailure(f"Cannot update virtual network {params['name']}: {moved}")
    desired = dict(current)
    if params["address_prefixes"] is not None and sorted(params["address_prefixes"]) != sorted(current["address_prefixes"]):
        desired["address_prefixes"] = list(params["address_prefixes"])
    if params["dns_servers"] is not None:
        desired["dns_servers"] = list(params["dns_servers"])
    if params["subnets"] is not None:
        desired["subnets"] = merge_subnets(current["subnets"], wanted, params["purge_subnets"], vnet_id)
    desired["tags"] = merge_tags(current["tags"], params["tags"], params["append_tags"])[0]
    # The kept subnets and the address space are only known now: check the whole picture
    # before anything is written.
    problems = subnet_problems(
        [{"name": s["name"], "address_prefix": p} for s in desired["subnets"] for p in s["address_prefixes"]],
        desired["address_prefixes"],
    )
    if problems:
        raise ModuleFailure(f"Cannot update virtual network {params['name']}: " + "; ".join(problems))
    return desired


def differs(current, desired):
    return (
        sorted(current["address_prefixes"]) != sorted(desired["address_prefixes"])
        or current["dns_servers"] != desired["dns_servers"]
        or current["tags"] != desired["tags"]
        or subnets_differ(current["subnets"], desired["subnets"])
    )


def ensure_present(module, vnet):
    current = vnet.read()
    desired = desired_state(module, current)
    return vnet.ensure_present(desired, current and differs(current, desired), body_for)


def ensure_absent(module, vnet):
    return vnet.ensure_absent()


def main():
    module = AzureModule(
        argument_spec=dict(
            RESOURCE_ARGUMENT_SPEC,
            address_prefixes=dict(type="list", elements="str"),
            dns_servers=dict(type="list", elements="str"),
            subnets=dict(
                type="list",
                elements="dict",
                options=dict(
                    name=dict(type="str", required=True),
                    address_prefix=dict(type="str", required=True),
                    security_group=dict(type="str"),
                ),
            ),
            purge_subnets=dict(type="bool", default=False),
        ),
        wait=True,
        tags=True,
    )
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
