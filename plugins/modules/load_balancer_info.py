#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: load_balancer_info
short_description: List Azure load balancers with their frontends, pools, probes and rules
version_added: 0.1.0
description:
  - Get one load balancer, those of a resource group, or all those of the subscription, each
    with its frontend IP configurations (and their public addresses), backend pools (and the
    network interfaces and virtual machines in them), health probes and load balancing rules.
  - Resolving pool members and public addresses costs one read per network interface and per
    public IP address; O(resolve=false) skips it.
options:
  resource_group:
    description:
      - Resource group to look in. Without it, every load balancer of the subscription is listed.
    type: str
  name:
    description:
      - Name of one load balancer. Needs O(resource_group).
      - A name Azure cannot give one fails the task before any request, as a resource group name
        Azure cannot have does (rather than answering an empty list).
    type: str
  resolve:
    description:
      - Read the network interfaces in the pools (for their names, addresses and virtual
        machines) and the frontends' public IP addresses (for their addresses).
    type: bool
    default: true
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.load_balancer
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Get the tutorial's load balancer
  cloudlb.azure.load_balancer_info:
    resource_group: myTutorial8
    name: myLoadBalancer
  register: found

- name: Print the address to browse to and the VMs behind it
  ansible.builtin.debug:
    msg: >-
      http://{{ found.load_balancers[0].frontend_ip_configurations[0].ip_address }}/ is served by
      {{ found.load_balancers[0].backend_pools[0].members | map(attribute='virtual_machine') | join(', ') }}

- name: List every load balancer of a resource group, without extra reads
  cloudlb.azure.load_balancer_info:
    resource_group: myTutorial8
    resolve: false
"""

RETURN = r"""
load_balancers:
  description:
    - The load balancers found, sorted by ID; empty when there are none.
    - Each has the fields cloudlb.azure.load_balancer returns as RV(cloudlb.azure.load_balancer#module:load_balancer),
      plus RV(load_balancers[].frontend_ip_configurations[].ip_address) and
      RV(load_balancers[].backend_pools[].members), the pool's members of either kind with
      their admin state.
  returned: always
  type: list
  elements: dict
  contains:
    frontend_ip_configurations:
      description: Frontend IP configurations.
      type: list
      elements: dict
      returned: always
      contains:
        ip_address:
          description:
            - The address clients reach the frontend on, public or private; V(null) when
              O(resolve=false) for a public frontend.
          type: str
          returned: always
          sample: 20.39.52.210
    backend_pools:
      description: Backend address pools.
      type: list
      elements: dict
      returned: always
      contains:
        members:
          description:
            - The members of the pool, its NIC ip configurations (a NIC-based pool) or its IP
              addresses (an IP-based one), each with its admin state.
          type: list
          elements: dict
          returned: always
          contains:
            name:
              description:
                - Name of the member's entry in the pool (C(az network lb address-pool address
                  --name)); Azure names a NIC member's after it; V(null) where Azure lists no
                  entry (a V(Basic) load balancer).
              type: str
              returned: always
              sample: myVM1
            ip_address:
              description: The member's address in the pool (an IP-based member's; a NIC member's private address).
              type: str
              returned: always
              sample: 10.0.0.4
            admin_state:
              description:
                - V(Down) (out of new connections whatever the probe says), V(Up) (in them whatever
                  the probe says) or V(None) (the probe decides).
              type: str
              returned: always
              sample: None
            ip_configuration:
              description:
                - Resource ID of the NIC ip configuration; for an IP-based member the one holding its
                  address, V(null) when no network interface holds it.
              type: str
              returned: always
            network_interface:
              description: Name of the NIC; V(null) when none.
              type: str
              returned: always
              sample: myNic1
            ip_configuration_name:
              description: Name of the ip configuration.
              type: str
              returned: always
              sample: ipconfig1
            private_ip_address:
              description: Its private address; V(null) when O(resolve=false).
              type: str
              returned: always
              sample: 10.0.0.4
            virtual_machine:
              description: Name of the VM the NIC is attached to; V(null) when none or O(resolve=false).
              type: str
              returned: always
              sample: myVM1
  sample:
    - id: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/loadBalancers/myLoadBalancer
      name: myLoadBalancer
      location: westus
      sku: Standard
      tags: {}
      provisioning_state: Succeeded
      frontend_ip_configurations:
        - name: myFrontEndPool
          ip_address: 20.39.52.210
      backend_pools:
        - name: myBackEndPool
          members:
            - network_interface: myNic1
              ip_configuration_name: ipconfig1
              private_ip_address: 10.0.0.4
              virtual_machine: myVM1
      probes:
        - name: myHealthProbe
          protocol: Tcp
          port: 80
      rules:
        - name: myLoadBalancerRule
          frontend_port: 80
          backend_port: 80
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._info import by_id, check_names, info_module, network_items
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import lb_to_dict
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import read
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import name_of, parse_id
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import find_ip_configuration


class Resolver:
    """Reads each NIC and public IP once, however many pools and frontends name it."""

    def __init__(self, module):
        self.module = module
        self.network = module.client("network")
        self.cache = {}

    def get(self, operations, resource_id, what):
        key = resource_id.lower()
        if key not in self.cache:
            parts = parse_id(resource_id)
            self.cache[key] = read(self.module, operations, parts["resource_group"], parts["name"], what) or {}
        return self.cache[key]

    def member(self, ipconfig_id):
        nic_id = ipconfig_id.rsplit("/ipConfigurations/", 1)[0]
        nic = self.get(self.network.network_interfaces, nic_id, f"network interface {name_of(nic_id)}")
        props = nic.get("properties") or {}
        config = find_ip_configuration(props.get("ipConfigurations") or [], name_of(ipconfig_id)) or {}
        vm = (props.get("virtualMachine") or {}).get("id")
        return {"private_ip_address": (config.get("properties") or {}).get("privateIPAddress"),
                "virtual_machine": name_of(vm) if vm else None}

    def address(self, pip_id):
        pip = self.get(self.network.public_ip_addresses, pip_id, f"public IP address {name_of(pip_id)}")
        return (pip.get("properties") or {}).get("ipAddress")


def member(ipconfig_id, address, resolver):
    """A pool member: its NIC ip configuration (if any) and its entry in the pool (if any)."""
    out = {"name": address.get("name"), "ip_address": address.get("ip_address"),
           "admin_state": address.get("admin_state") or "None", "ip_configuration": ipconfig_id,
           "network_interface": name_of(ipconfig_id.rsplit("/ipConfigurations/", 1)[0]) if ipconfig_id else None,
           "ip_configuration_name": name_of(ipconfig_id) if ipconfig_id else None,
           "private_ip_address": address.get("ip_address"), "virtual_machine": None}
    if resolver and ipconfig_id:
        out.update(resolver.member(ipconfig_id))
        out["ip_address"] = out["ip_address"] or out["private_ip_address"]
    return out


def describe(lb, resolver):
    out = lb_to_dict(lb)
    for frontend in out["frontend_ip_configurations"]:
        pip = frontend["public_ip_address"]
        frontend["ip_address"] = frontend["private_ip_address"] if not pip else (
            resolver.address(pip) if resolver else None)
    for pool in out["backend_pools"]:
        entries = {(a["ip_configuration"] or "").lower(): a for a in pool["backend_addresses"]}
        if pool["kind"] == "ip":
            pool["members"] = [member(a["ip_configuration"], a, resolver) for a in pool["backend_addresses"]]
        else:
            pool["members"] = [member(ipconfig_id, entries.get(ipconfig_id.lower(), {}), resolver)
                               for ipconfig_id in pool["backend_ip_configurations"]]
    return out


def options(module):
    """The options; OptionError for names Azure would refuse. No request yet."""
    return check_names(module, lambda name: name_problem(name, "load balancer name"))


def info(module, spec):
    items = network_items(spec, module.client("network").load_balancers, "load balancer", "load balancers")
    resolver = Resolver(module) if spec["resolve"] else None
    return Result(False, diff=False, load_balancers=by_id(describe(lb, resolver) for lb in items))


def main():
    module = info_module(resolve=dict(type="bool", default=True))
    module.run(options, info)


if __name__ == "__main__":
    main()
