#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lb_pool_member
short_description: Put a network interface in a load balancer backend pool, or take it out
version_added: 0.1.0
description:
  - Add one ip configuration of a network interface (NIC) to one backend pool of a load
    balancer, or remove it; the C(az network nic ip-config address-pool add|remove) of Ansible.
  - Nothing else on the NIC changes; a NIC in two pools that leaves one stays in the other.
  - Azure records pool membership on the NIC, so the module writes the NIC, with the C(ETag) it
    read in C(If-Match); when another task wrote the NIC in between, the module reads it again
    and re-applies its change (up to 20 times), so it never undoes another task's change.
  - With O(admin_state), it also sets or clears the member's admin state in the pool, which
    takes it out of new connections (or keeps it in) whatever the health probe says.
  - Returns the members of the pool after the change.
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  resource_group:
    description: Resource group of the NIC (and of the load balancer, unless given by ID).
    type: str
    required: true
  network_interface:
    description: The NIC, by name (in O(resource_group)) or by resource ID.
    type: str
    required: true
    aliases: [nic_name]
  ip_configuration:
    description: Name of the NIC's ip configuration. Defaults to its primary one.
    type: str
    aliases: [ip_config_name]
  load_balancer:
    description:
      - The load balancer, by name (in O(resource_group)) or by resource ID.
      - Required unless O(backend_pool) is a resource ID.
    type: str
    aliases: [lb_name]
  backend_pool:
    description: Name of the backend pool of O(load_balancer), or the resource ID of a backend pool.
    type: str
    required: true
    aliases: [address_pool]
  state:
    description:
      - V(present) puts the ip configuration in the pool, V(absent) takes it out.
      - Azure refuses to add an ip configuration to a pool when that would give it two rules with
        the same protocol and backend port (C(RulesUseSameBackendPortProtocolAndIPConfig)).
    type: str
    choices: [present, absent]
    default: present
  admin_state:
    description:
      - The member's administrative state in the pool, which overrides the health probe for new
        connections (C(az network lb address-pool address update --admin-state)).
      - V(Down) takes it out of rotation whatever the probe says; its established connections
        continue. V(Up) keeps it in rotation whatever the probe says. V(None) lets the probe
        decide again. Omitted, the admin state is left as it is.
      - Azure keeps it on the pool's entry for this ip configuration, so setting it is a write
        of the pool (with the C(ETag) it read in C(If-Match)), after the NIC's write when the NIC
        joins the pool in the same task. It takes effect in the rules with a health probe only.
      - Azure has it for V(Standard) load balancers only; refused with O(state=absent).
    type: str
    choices: [Up, Down, None]
  wait:
    description:
      - Wait until Azure reports the NIC (and the pool, for O(admin_state)) updated (provisioning
        state C(Succeeded)); the load balancer then sends new flows to the member (once its
        probe passes, or as O(admin_state) says), or none when removed.
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
    details: The diff shows the backend pools of the ip configuration and its admin state in this pool before and after.
seealso:
  - module: cloudlb.azure.network_interface
  - module: cloudlb.azure.lb_backend_address
  - module: cloudlb.azure.load_balancer_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Take myNic2 out of the tutorial's pool (az network nic ip-config address-pool remove)
  cloudlb.azure.lb_pool_member:
    resource_group: myTutorial8
    network_interface: myNic2
    ip_configuration: ipConfig1
    load_balancer: myLoadBalancer
    backend_pool: myBackEndPool
    state: absent

- name: Put it back
  cloudlb.azure.lb_pool_member:
    resource_group: myTutorial8
    network_interface: myNic2
    load_balancer: myLoadBalancer
    backend_pool: myBackEndPool
  register: joined

- name: Take it out of new connections while its open ones finish (admin state)
  cloudlb.azure.lb_pool_member:
    resource_group: myResourceGroupLoadBalancer
    network_interface: myNic2
    load_balancer: myLoadBalancer
    backend_pool: myBackEndPool
    admin_state: Down

- name: Show who is in the pool now
  ansible.builtin.debug:
    msg: "{{ joined.backend_pool.members }}"
"""

RETURN = r"""
backend_pool:
  description: The backend pool after the change (as predicted in check mode or with O(wait=false)).
  returned: always
  type: dict
  contains:
    id:
      description: Resource ID of the pool.
      type: str
      returned: always
      sample: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/loadBalancers/myLoadBalancer/backendAddressPools/myBackEndPool
    name:
      description: Name of the pool.
      type: str
      returned: always
      sample: myBackEndPool
    members:
      description: Resource IDs of the NIC ip configurations in the pool.
      type: list
      elements: str
      returned: always
      sample:
        - /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/networkInterfaces/myNic1/ipConfigurations/ipconfig1
admin_state:
  description: The member's admin state in the pool after the change (V(None) when it has none or left the pool).
  returned: always
  type: str
  sample: Down
ip_configuration:
  description: The NIC ip configuration after the change.
  returned: always
  type: dict
  contains:
    id:
      description: Resource ID of the ip configuration.
      type: str
      returned: always
    name:
      description: Name of the ip configuration.
      type: str
      returned: always
      sample: ipconfig1
    network_interface:
      description: Name of the NIC.
      type: str
      returned: always
      sample: myNic2
    load_balancer_backend_address_pools:
      description: Resource IDs of every backend pool the ip configuration is in.
      type: list
      elements: str
      returned: always
"""

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_admin_state import set_admin_state
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import ADMIN_STATES, admin_states
from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import as_json, fetch, read
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import (
    NETWORK_INTERFACE,
    name_of,
    parse_id,
    same_id,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, OptionError, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import (
    POOLS,
    child_reference,
    find_ip_configuration,
    reference,
    with_references_added,
    with_references_removed,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result

ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    network_interface=dict(type="str", required=True, aliases=["nic_name"]),
    ip_configuration=dict(type="str", aliases=["ip_config_name"]),
    load_balancer=dict(type="str", aliases=["lb_name"]),
    backend_pool=dict(type="str", required=True, aliases=["address_pool"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    admin_state=dict(type="str", choices=list(ADMIN_STATES)),
)


def options(module):
    """(NIC id, pool id) from the options; OptionError for anything Azure would refuse. No request yet."""
    params = module.params
    group = params["resource_group"]
    problem = group_problem(group)
    if not problem and params["ip_configuration"] is not None:
        problem = name_problem(params["ip_configuration"], "ip configuration name")
    if not problem and params["admin_state"] is not None and params["state"] == "absent":
        problem = "admin_state cannot be used with state=absent: a network interface out of the pool has none"
    check_options([problem])
    pool = params["backend_pool"]
    if not pool.startswith("/") and not params["load_balancer"]:
        raise OptionError("Invalid options: backend_pool is a name: give load_balancer too, or the pool's resource ID")
    try:
        nic_id = reference(params["network_interface"], module.subscription_id, group, NETWORK_INTERFACE,
                           "network interface")
        pool_id = child_reference(pool if pool.startswith("/") else {"load_balancer": params["load_balancer"],
                                                                     "name": pool},
                                  module.subscription_id, group, "backendAddressPools", "backend pool")
    except OptionError as exc:
        raise OptionError(f"Invalid options: {exc}") from None
    return nic_id, pool_id


def config_view(config, nic_id):
    props = (config or {}).get("properties") or {}
    return {"id": (config or {}).get("id"), "name": (config or {}).get("name"), "network_interface": name_of(nic_id),
            "load_balancer_backend_address_pools": [ref["id"] for ref in props.get(POOLS) or []]}


def members_of(pool):
    return [ref["id"] for ref in ((pool or {}).get("properties") or {}).get("backendIPConfigurations") or []]


def vnet_of(config):
    """The id of the virtual network of an ip configuration's subnet (Azure's JSON), or None."""
    subnet = (((config or {}).get("properties") or {}).get("subnet") or {}).get("id") or ""
    return subnet.split("/subnets/")[0].lower() or None


def members_vnet(module, network, pool, nic_id):
    """The virtual network the pool's other members are in (one GET of one of their NICs), or None."""
    for member in members_of(pool):
        other = parse_id(member)
        if other is None or member.lower().startswith(nic_id.lower() + "/"):
            continue
        doc = read(module, network.network_interfaces, other["resource_group"], other["name"],
                   f"network interface {other['name']}")
        configs = ((doc or {}).get("properties") or {}).get("ipConfigurations") or []
        config = next((c for c in configs if same_id(c.get("id"), member)), None)
        if config is not None:
            return vnet_of(config)
    return None


def ensure_present(module, references):
    """The NIC's ip configuration in the pool (with the admin state asked, if any)."""
    return membership(module, references, True)


def ensure_absent(module, references):
    """The NIC's ip configuration out of the pool."""
    return membership(module, references, False)


def membership(module, references, present):
    """Add the ip configuration to the pool or remove it, as ``present`` says; Result with the ip
    configuration, its admin state and the pool's members."""
    params = module.params
    nic_id, pool_id = references
    nic, pool = parse_id(nic_id), parse_id(pool_id)
    pool_name = pool["children"][0][1]
    pool_what = f"backend pool {pool_name} of load balancer {pool['name']}"
    nic_what = f"network interface {nic['name']}"
    network = module.client("network")
    pools = network.load_balancer_backend_address_pools

    def read_pool():
        return fetch(module, lambda: as_json(pools.get(pool["resource_group"], pool["name"], pool_name)), pool_what)

    before_pool = read_pool()
    if before_pool is None and present:
        raise ModuleFailure(f"The {pool_what} does not exist (resource group {pool['resource_group']})")

    def apply(current):
        if current is None:
            raise ModuleFailure(f"The {nic_what} does not exist (resource group {nic['resource_group']})")
        configs = (current.get("properties") or {}).get("ipConfigurations") or []
        config = find_ip_configuration(configs, params["ip_configuration"])
        if config is None:
            raise ModuleFailure(f"The {nic_what} has no ip configuration {params['ip_configuration']}; it has "
                                + ", ".join(c.get("name", "") for c in configs))
        props = config.get("properties") or {}
        change = with_references_added if present else with_references_removed
        refs, changed = change(props.get(POOLS), [pool_id])
        if not changed:
            return None
        if present:
            # Azure keeps a backend pool in one virtual network (BackendAddressPoolMembersInDifferentVirtualNetworks).
            theirs, ours = members_vnet(module, network, before_pool, nic_id), vnet_of(config)
            if theirs and ours and theirs != ours:
                raise ModuleFailure(f"network_interface: {nic_what} is in virtual network {name_of(ours)}, and the"
                                    f" members of {pool_what} are in virtual network {name_of(theirs)}; the members"
                                    " of a backend pool must all be in one virtual network")
        body = copy.deepcopy(current)
        find_ip_configuration(body["properties"]["ipConfigurations"], config["name"]).setdefault(
            "properties", {})[POOLS] = refs
        return body

    before, after, changed = update(module, network.network_interfaces, nic["resource_group"], nic["name"], apply,
                                    nic_what, model="NetworkInterface",
                                    failure=lambda _c: f"Failed to {'add' if present else 'remove'} {nic_what}"
                                                       f" {'to' if present else 'from'} {pool_what}")

    def config_of(doc):
        configs = ((doc or {}).get("properties") or {}).get("ipConfigurations") or []
        return find_ip_configuration(configs, params["ip_configuration"])

    def provisioned():
        nic_now = read(module, network.network_interfaces, nic["resource_group"], nic["name"], nic_what) or {}
        return (nic_now.get("properties") or {}).get("provisioningState") == "Succeeded"

    config = config_view(config_of(after), nic_id)
    config["id"] = config["id"] or f"{nic_id}/ipConfigurations/{config['name']}"
    admin_before = admin_after = admin_states(before_pool).get(config["id"].lower(), "None")
    admin_changed = False
    if params["admin_state"] is not None:
        if module.check_mode and changed:
            admin_changed = params["admin_state"] != "None"      # it joins the pool with this admin state
        else:
            _was, _now, admin_changed = set_admin_state(module, pool["resource_group"], pool["name"], pool_name,
                                                        config["id"], params["admin_state"])
        admin_after = params["admin_state"]
    elif not present:
        admin_after = "None"
    if changed and params["wait"] and not module.check_mode:
        if (after.get("properties") or {}).get("provisioningState") != "Succeeded":
            module.wait_until(provisioned, f"{nic_what} to be updated")
        members = members_of(read_pool())
    else:
        members = members_of(before_pool)
        if changed:
            members = [m for m in members if not same_id(m, config["id"])] + ([config["id"]] if present else [])
    key = "load_balancer_backend_address_pools"
    diff_before = {key: config_view(config_of(before), nic_id)[key], "admin_state": admin_before}
    diff_after = {key: config[key], "admin_state": admin_after}
    return Result(changed or admin_changed, diff_before, diff_after, ip_configuration=config, admin_state=admin_after,
                  backend_pool={"id": pool_id, "name": pool_name, "members": members})


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True)
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
