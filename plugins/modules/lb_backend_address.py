#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lb_backend_address
short_description: Put an IP address in a load balancer backend pool, set its admin state, or take it out
version_added: 0.1.0
description:
  - Add one backend address (an IP address in a virtual network) to an IP-based backend pool of
    a Standard load balancer, change it or its admin state, or remove it; the
    C(az network lb address-pool address add|update|remove) of Ansible.
  - Nothing else in the pool or the load balancer changes. The module reads the pool, changes
    this one address and writes the pool back at its own URL with the C(ETag) it read in
    C(If-Match). The pool's etag is its load balancer's, so when another task wrote any part of
    the load balancer in between, Azure refuses the write and the module reads again and
    re-applies its change (up to 20 times); it never undoes another task's change.
  - A separate module from M(cloudlb.azure.lb_pool_member) because the two kinds of member live
    in different places. A network interface joins a NIC-based pool through its own ip
    configuration (a write of the NIC); an IP address is an entry of the pool itself (a write
    of the pool), named by you, as az and Terraform (C(azurerm_lb_backend_address_pool_address))
    keep them apart. Azure refuses a pool that mixes both kinds.
  - The address is what the load balancer sends traffic to; the VM whose network interface holds
    that address in the virtual network serves it (RV(backend_address.ip_configuration)). The
    address may also be added before any VM has it.
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  resource_group:
    description: Resource group of the load balancer.
    type: str
    required: true
  load_balancer:
    description: Name of the load balancer. It must have the V(Standard) SKU.
    type: str
    required: true
    aliases: [lb_name]
  backend_pool:
    description:
      - Name of the backend pool. It must exist (create it with M(cloudlb.azure.load_balancer))
        and hold no network interfaces.
    type: str
    required: true
    aliases: [pool_name]
  name:
    description:
      - Name of the backend address in the pool (C(az network lb address-pool address add --name)).
    type: str
    required: true
  ip_address:
    description:
      - The IP address. Required to add the address; it must belong to O(virtual_network) (or
        O(subnet)) and be in the pool once only.
    type: str
  virtual_network:
    description:
      - The virtual network of the address, by name (in O(resource_group)) or by resource ID.
      - Needed to add an address unless O(subnet) is given or the pool names a virtual network
        of its own. Azure wants all the addresses of a pool in one virtual network.
    type: str
    aliases: [vnet]
  subnet:
    description:
      - The subnet of the address, by name (in O(virtual_network)) or by resource ID.
    type: str
  admin_state:
    description:
      - The address's administrative state, which overrides the health probe for new connections
        (C(az network lb address-pool address add|update --admin-state)).
      - V(Down) takes it out of rotation whatever the probe says; its established connections
        continue. V(Up) keeps it in rotation whatever the probe says. V(None) lets the probe
        decide again.
      - It takes effect in the rules with a health probe only. Omitted, an existing address
        keeps its admin state.
    type: str
    choices: [Up, Down, None]
  state:
    description: V(present) adds or changes the address, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until Azure reports the pool provisioned; the load balancer then acts on the change.
    type: bool
    default: true
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.wait
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the backend address before and after.
notes:
  - Azure supports IP-based backend pools and admin state on V(Standard) load balancers only;
    the module refuses the others before it writes anything.
  - To set the admin state of a network interface in a NIC-based pool, use
    M(cloudlb.azure.lb_pool_member) O(cloudlb.azure.lb_pool_member#module:admin_state).
seealso:
  - module: cloudlb.azure.lb_pool_member
  - module: cloudlb.azure.load_balancer
  - module: cloudlb.azure.lb_health_info
  - name: Backend pool management
    description: IP-based backend pools and what Azure refuses in them.
    link: https://learn.microsoft.com/azure/load-balancer/backend-pool-management
  - name: Administrative State (Admin State) in Azure Load Balancer
    description: What Up, Down and None do to new and existing connections.
    link: https://learn.microsoft.com/azure/load-balancer/admin-state-overview
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Put myVM1's address in the IP-based pool (az network lb address-pool address add)
  cloudlb.azure.lb_backend_address:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    backend_pool: myIpPool
    name: myVM1
    ip_address: 10.1.0.4
    virtual_network: myVNet

- name: Take it out of rotation for maintenance; its open connections continue
  cloudlb.azure.lb_backend_address:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    backend_pool: myIpPool
    name: myVM1
    admin_state: Down

- name: Let the health probe decide again
  cloudlb.azure.lb_backend_address:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    backend_pool: myIpPool
    name: myVM1
    admin_state: None

- name: Remove it from the pool (az network lb address-pool address remove)
  cloudlb.azure.lb_backend_address:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    backend_pool: myIpPool
    name: myVM1
    state: absent
"""

RETURN = r"""
backend_address:
  description: The backend address after the change (as predicted in check mode or with O(wait=false)).
  returned: when O(state=present)
  type: dict
  contains:
    name:
      description: Name of the address in the pool.
      type: str
      returned: always
      sample: myVM1
    ip_address:
      description: The IP address.
      type: str
      returned: always
      sample: 10.1.0.4
    virtual_network:
      description: Resource ID of its virtual network, when the address names one.
      type: str
      returned: always
    subnet:
      description: Resource ID of its subnet, when the address names one.
      type: str
      returned: always
    ip_configuration:
      description:
        - Resource ID of the NIC ip configuration holding the address in that network, as Azure
          resolves it; V(null) when no network interface holds it (and in check mode for a new
          address).
      type: str
      returned: always
    admin_state:
      description: V(Up), V(Down) or V(None).
      type: str
      returned: always
      sample: None
backend_pool:
  description: The pool after the change.
  returned: always
  type: dict
  contains:
    id:
      description: Resource ID of the pool.
      type: str
      returned: always
    name:
      description: Name of the pool.
      type: str
      returned: always
      sample: myIpPool
    backend_addresses:
      description: Every address of the pool, as RV(backend_address).
      type: list
      elements: dict
      returned: always
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_admin_state import read_load_balancer, sku_of
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import (
    ADMIN_STATES,
    address_problems,
    address_to_dict,
    entries,
    find_member,
    with_address,
    without_address,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import load_balancer_id
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import update_pool
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import VIRTUAL_NETWORK
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import reference, subnet_reference
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result

ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    load_balancer=dict(type="str", required=True, aliases=["lb_name"]),
    backend_pool=dict(type="str", required=True, aliases=["pool_name"]),
    name=dict(type="str", required=True),
    ip_address=dict(type="str"),
    virtual_network=dict(type="str", aliases=["vnet"]),
    subnet=dict(type="str"),
    admin_state=dict(type="str", choices=list(ADMIN_STATES)),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
# What a task can change of an address; the NIC ip configuration holding it is Azure's.
DIFF_KEYS = ("name", "ip_address", "virtual_network", "subnet", "admin_state")


def options(module):
    """The task's address with references as ids; OptionError for anything Azure would refuse."""
    params = module.params
    group = params["resource_group"]
    check_options([group_problem(group), name_problem(params["load_balancer"], "load balancer name"),
                   name_problem(params["backend_pool"], "backend pool name")] + address_problems(params))
    spec = {key: params[key] for key in ("name", "ip_address", "admin_state")}
    try:
        spec["virtual_network"] = reference(params["virtual_network"], module.subscription_id, group, VIRTUAL_NETWORK,
                                            "virtual network")
        spec["subnet"] = subnet_reference(params["subnet"], params["virtual_network"], module.subscription_id, group)
    except OptionError as exc:
        raise OptionError(f"Invalid options: {exc}") from None
    return spec


def view(pool, name):
    entry = find_member(pool, name) if pool else None
    return address_to_dict(entry) if entry else None


def diff_view(address):
    return {key: address[key] for key in DIFF_KEYS} if address else {}


def result(module, changed, before, after, name, present):
    """The Result: the address as the diff shows it, and the pool (and the address) as returned."""
    params = module.params
    pool_id = f"{load_balancer_id(module.subscription_id, params['resource_group'], params['load_balancer'])}" \
              f"/backendAddressPools/{params['backend_pool']}"
    old, new = view(before, name), view(after, name)
    returned = {"backend_pool": {"id": (after or {}).get("id") or pool_id, "name": params["backend_pool"],
                                 "backend_addresses": [address_to_dict(e) for e in entries(after)]}}
    if present:
        returned["backend_address"] = new
    return Result(changed, diff_view(old), diff_view(new), **returned)


def ensure_present(module, spec):
    params = module.params
    group, balancer, pool = params["resource_group"], params["load_balancer"], params["backend_pool"]
    lb = read_load_balancer(module, group, balancer, planned=module.check_mode)
    if lb is None:      # check mode: planned by an earlier task; its pool gets the address
        if spec["ip_address"] is None:
            module.warn(f"ip_address: the address of backend address {spec['name']} is not known yet (that of a"
                        " network interface an earlier task plans); the write fails unless it is given")
        planned, _changed = with_address({"name": pool, "properties": {}}, spec, planned=True)
        return result(module, True, None, planned, spec["name"], True)
    sku = sku_of(lb)
    if sku != "Standard":
        raise OptionError(f"Load balancer {balancer} has the {sku} SKU: Azure takes IP-based backend addresses in"
                          " Standard load balancers only")
    what = f"backend pool {pool} of load balancer {balancer}"

    def apply(current):
        if current is None:
            raise OptionError(f"Load balancer {balancer} has no backend pool {pool}; create it first"
                              " (cloudlb.azure.load_balancer, backend_pools)")
        body, changed = with_address(current, spec)
        return body if changed else None

    before, after, changed = update_pool(module, group, balancer, pool, apply, what,
                                         failure=lambda _c: f"Failed to write backend address {spec['name']} of {what}")
    return result(module, changed, before, after, spec["name"], True)


def ensure_absent(module, spec):
    params = module.params
    group, balancer, pool = params["resource_group"], params["load_balancer"], params["backend_pool"]
    what = f"backend pool {pool} of load balancer {balancer}"

    def apply(current):
        if current is None:
            return None
        body, changed = without_address(current, spec["name"])
        return body if changed else None

    before, after, changed = update_pool(module, group, balancer, pool, apply, what,
                                         failure=lambda _c: f"Failed to remove backend address {spec['name']} from"
                                                            f" {what}")
    return result(module, changed, before, after, spec["name"], False)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True)
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
