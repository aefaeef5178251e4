#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: load_balancer
short_description: Create, update or delete an Azure load balancer
version_added: 0.1.0
description:
  - Create a load balancer with its frontend IP configurations and backend pools, change them
    or its tags, or delete it; the C(az network lb create|update|delete) of Ansible.
  - Probes and rules can be given here too, but are usually managed one by one with
    M(cloudlb.azure.lb_probe) and M(cloudlb.azure.lb_rule). The probes, rules and backend pools
    this task does not name are left alone, unless O(purge_probes), O(purge_rules) or
    O(purge_backend_pools) say otherwise. The frontend IP configurations, when given, are
    exactly the load balancer's.
  - Every change, adding a backend pool included, is one write of the whole load balancer sent
    with the C(ETag) the module read in C(If-Match); when another task wrote the load balancer
    in between, the module reads it again and re-applies its change (up to 20 times), so it
    never undoes a probe or rule another task added meanwhile.
  - Before its first write the module reads the frontends' public IPs and subnets, and one that does
    not exist or is in another region than the load balancer fails the task, with nothing written.
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  resource_group:
    description: Resource group of the load balancer.
    type: str
    required: true
  name:
    description:
      - Name of the load balancer.
      - 1 to 80 letters, digits, underscores, periods and hyphens; it begins with a letter,
        digit or underscore and ends with a letter, digit or underscore.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the load balancer, V(absent) deletes it.
      - Azure refuses to delete a load balancer while network interfaces are in its backend pools.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Region of the load balancer. Defaults to the region of O(resource_group) when creating.
      - The region of an existing load balancer cannot change.
    type: str
  sku:
    description:
      - SKU of the load balancer; V(Standard) when creating, if not given. It cannot change later.
      - Its public IP addresses must have the same SKU. Azure retired V(Basic) load balancers on
        2025-09-30.
    type: str
    choices: [Standard, Basic]
  frontend_ip_configurations:
    description:
      - The frontend IP configurations (C(az network lb create --frontend-ip-name)); when given,
        exactly these, when omitted the existing ones are kept.
      - Each is on a public IP address (a public load balancer) or in a subnet (an internal one).
    type: list
    elements: dict
    aliases: [frontends]
    suboptions:
      name:
        description: Name of the frontend IP configuration.
        type: str
        required: true
      public_ip_address:
        description: The public IP address, by name (in O(resource_group)) or by resource ID.
        type: str
      subnet:
        description: The subnet of an internal frontend, by name (in O(frontend_ip_configurations[].virtual_network)) or by resource ID.
        type: str
      virtual_network:
        description: The virtual network of a subnet given by name, by name or by resource ID.
        type: str
      private_ip_address:
        description: Static private address of an internal frontend; without it Azure gives a free one.
        type: str
      private_ip_allocation_method:
        description: V(Static) needs O(frontend_ip_configurations[].private_ip_address).
        type: str
        choices: [Dynamic, Static]
  backend_pools:
    description:
      - Backend address pools to have (C(az network lb create --backend-pool-name)), each a name,
        or a dict with C(name) and C(virtual_network) (by name in O(resource_group), or by
        resource ID) for a pool of IP addresses in that network (C(az network lb address-pool
        create --vnet)). Pools not named are kept unless O(purge_backend_pools=true).
      - A pool holds one kind of member, which Azure decides by the first ones it gets, network
        interfaces (put them in with M(cloudlb.azure.lb_pool_member)) or IP addresses (with
        M(cloudlb.azure.lb_backend_address), on V(Standard) load balancers only). A pool with a
        virtual network of its own takes IP addresses only.
    type: list
    elements: raw
  purge_backend_pools:
    description:
      - Delete the backend pools not named in O(backend_pools). Azure refuses to delete a pool
        that network interfaces or rules still use.
    type: bool
    default: false
  probes:
    description:
      - Health probes to have, with the options of M(cloudlb.azure.lb_probe). Probes not named
        are kept unless O(purge_probes=true).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the probe.
        type: str
        required: true
      protocol:
        description: Required for a new probe.
        type: str
        choices: [Tcp, Http, Https]
      port:
        description: Required for a new probe.
        type: int
      request_path:
        description: Required for V(Http) and V(Https) probes, refused for V(Tcp) ones.
        type: str
      interval:
        description: Seconds between probes, at least 5.
        type: int
      number_of_probes:
        description: Azure's older C(numberOfProbes); the health decision follows O(probes[].probe_threshold).
        type: int
      probe_threshold:
        description: Consecutive results, failed or successful, after which a backend leaves or rejoins the rotation.
        type: int
  purge_probes:
    description: Delete the probes not named in O(probes).
    type: bool
    default: false
  rules:
    description:
      - Load balancing rules to have, with the options of M(cloudlb.azure.lb_rule). Rules not
        named are kept unless O(purge_rules=true).
    type: list
    elements: dict
    aliases: [load_balancing_rules]
    suboptions:
      name:
        description: Name of the rule.
        type: str
        required: true
      protocol:
        description: Required for a new rule.
        type: str
        choices: [Tcp, Udp, All]
      frontend_port:
        description: Required for a new rule.
        type: int
      backend_port:
        description: Required for a new rule.
        type: int
      frontend_ip_configuration:
        description: Name of the frontend; defaults to the only one for a new rule.
        type: str
      backend_pool:
        description: Name of the backend pool; defaults to the only one for a new rule.
        type: str
      probe:
        description: Name of the health probe; V('') removes it from the rule.
        type: str
      idle_timeout:
        description: Minutes, 4 to 30.
        type: int
      load_distribution:
        description: Session persistence.
        type: str
        choices: [Default, SourceIP, SourceIPProtocol]
      floating_ip:
        description: Direct server return.
        type: bool
      enable_tcp_reset:
        description: Send TCP resets on idle timeout.
        type: bool
      disable_outbound_snat:
        description: Do not use the frontend address for outbound connections of the backends.
        type: bool
  purge_rules:
    description: Delete the load balancing rules not named in O(rules).
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
    details: The diff shows the load balancer and its parts, without provisioning states and back-references.
seealso:
  - module: cloudlb.azure.lb_probe
  - module: cloudlb.azure.lb_rule
  - module: cloudlb.azure.lb_pool_member
  - module: cloudlb.azure.lb_backend_address
  - module: cloudlb.azure.load_balancer_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create the tutorial's load balancer on its public IP
  cloudlb.azure.load_balancer:
    resource_group: myTutorial8
    name: myLoadBalancer
    frontend_ip_configurations:
      - name: myFrontEndPool
        public_ip_address: myPublicIP
    backend_pools: [myBackEndPool]

- name: The same with its probe and rule inline, removing any other probe and rule
  cloudlb.azure.load_balancer:
    resource_group: myTutorial8
    name: myLoadBalancer
    frontend_ip_configurations:
      - name: myFrontEndPool
        public_ip_address: myPublicIP
    backend_pools: [myBackEndPool]
    probes:
      - name: myHealthProbe
        protocol: Tcp
        port: 80
    rules:
      - name: myLoadBalancerRule
        protocol: Tcp
        frontend_port: 80
        backend_port: 80
        probe: myHealthProbe
    purge_probes: true
    purge_rules: true

- name: A pool of IP addresses beside the NIC-based one (az network lb address-pool create --vnet)
  cloudlb.azure.load_balancer:
    resource_group: myResourceGroupLoadBalancer
    name: myLoadBalancer
    backend_pools:
      - myBackEndPool
      - name: myIpPool
        virtual_network: myVNet

- name: An internal load balancer with a static address
  cloudlb.azure.load_balancer:
    resource_group: myTutorial8
    name: myInternalLoadBalancer
    frontend_ip_configurations:
      - name: internal
        virtual_network: myVnet
        subnet: mySubnet
        private_ip_address: 10.0.0.100
    backend_pools: [myBackEndPool]

- name: Delete it
  cloudlb.azure.load_balancer:
    resource_group: myTutorial8
    name: myInternalLoadBalancer
    state: absent
"""

RETURN = r"""
load_balancer:
  description:
    - The load balancer after the change, or as it would be after it in check mode (where
      provisioning states and back-references of new parts are V(null) or empty).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID.
      type: str
      returned: always
      sample: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/loadBalancers/myLoadBalancer
    name:
      description: Name.
      type: str
      returned: always
      sample: myLoadBalancer
    location:
      description: Region.
      type: str
      returned: always
      sample: westus
    sku:
      description: SKU name.
      type: str
      returned: always
      sample: Standard
    tags:
      description: Tags.
      type: dict
      returned: always
      sample: {}
    provisioning_state:
      description: Provisioning state Azure reports.
      type: str
      returned: always
      sample: Succeeded
    frontend_ip_configurations:
      description: Frontend IP configurations.
      type: list
      elements: dict
      returned: always
      sample:
        - id: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/loadBalancers/myLoadBalancer/frontendIPConfigurations/myFrontEndPool
          name: myFrontEndPool
          public_ip_address: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/publicIPAddresses/myPublicIP
          subnet: null
          private_ip_address: null
          private_ip_allocation_method: Dynamic
          load_balancing_rules: [myLoadBalancerRule]
          provisioning_state: Succeeded
    backend_pools:
      description:
        - Backend address pools, with the ids of the NIC ip configurations in them
          (C(backend_ip_configurations)), their kind (V(nic), V(ip), or V(null) while it has
          no member and no virtual network of its own), their own C(virtual_network), and their
          members as Azure lists them (C(backend_addresses), as
          M(cloudlb.azure.lb_backend_address) returns one, with each member's admin state).
      type: list
      elements: dict
      returned: always
      sample:
        - id: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/loadBalancers/myLoadBalancer/backendAddressPools/myBackEndPool
          name: myBackEndPool
          kind: nic
          virtual_network: null
          backend_ip_configurations: []
          backend_addresses: []
          load_balancing_rules: [myLoadBalancerRule]
          provisioning_state: Succeeded
    probes:
      description: Health probes, as M(cloudlb.azure.lb_probe) returns one.
      type: list
      elements: dict
      returned: always
    rules:
      description: Load balancing rules, as M(cloudlb.azure.lb_rule) returns one.
      type: list
      elements: dict
      returned: always
"""

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._ids import load_balancer_id
from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, OptionError, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import (
    DISTRIBUTIONS,
    FRONTENDS,
    POOLS,
    PROBE_PROTOCOLS,
    PROBES,
    RULE_PROTOCOLS,
    RULES,
    diff_view,
    find,
    frontend_properties,
    lb_to_dict,
    merge_entry,
    pool_name,
    pool_problem,
    pool_properties,
    probe_problems,
    probe_properties,
    rule_problems,
    rule_properties,
    with_ids,
    without_entry,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import NetworkResource, group_location
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._references import References
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import location_problem, moved_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import normalize_location
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags

ARGUMENT_SPEC = dict(
    RESOURCE_ARGUMENT_SPEC,
    sku=dict(type="str", choices=["Standard", "Basic"]),
    frontend_ip_configurations=dict(type="list", elements="dict", aliases=["frontends"], options=dict(
        name=dict(type="str", required=True),
        public_ip_address=dict(type="str"),
        subnet=dict(type="str"),
        virtual_network=dict(type="str"),
        private_ip_address=dict(type="str"),
        private_ip_allocation_method=dict(type="str", choices=["Dynamic", "Static"]),
    )),
    backend_pools=dict(type="list", elements="raw"),
    purge_backend_pools=dict(type="bool", default=False),
    probes=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        protocol=dict(type="str", choices=list(PROBE_PROTOCOLS)),
        port=dict(type="int"),
        request_path=dict(type="str"),
        interval=dict(type="int"),
        number_of_probes=dict(type="int"),
        probe_threshold=dict(type="int"),
    )),
    purge_probes=dict(type="bool", default=False),
    rules=dict(type="list", elements="dict", aliases=["load_balancing_rules"], options=dict(
        name=dict(type="str", required=True),
        protocol=dict(type="str", choices=list(RULE_PROTOCOLS)),
        frontend_port=dict(type="int"),
        backend_port=dict(type="int"),
        frontend_ip_configuration=dict(type="str"),
        backend_pool=dict(type="str"),
        probe=dict(type="str"),
        idle_timeout=dict(type="int"),
        load_distribution=dict(type="str", choices=list(DISTRIBUTIONS)),
        floating_ip=dict(type="bool"),
        enable_tcp_reset=dict(type="bool"),
        disable_outbound_snat=dict(type="bool"),
    )),
    purge_rules=dict(type="bool", default=False),
)


def option_problems(params):
    """Everything wrong with the options that needs no request to know."""
    problems = [p for p in (group_problem(params["resource_group"]),
                            name_problem(params["name"], "load balancer name"),
                            location_problem(params["location"])) if p]
    for pool in params["backend_pools"] or []:
        problem = pool_problem(pool)
        if problem:
            problems.append(problem)
    for probe in params["probes"] or []:
        problems += probe_problems(probe)
    for rule in params["rules"] or []:
        problems += rule_problems(rule)
    for key, label in (("frontend_ip_configurations", "frontend IP configuration"), ("backend_pools", "backend pool"),
                       ("probes", "probe"), ("rules", "rule")):
        names = [(pool_name(item) if key == "backend_pools" else item["name"]).lower() for item in params[key] or []]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            problems.append(f"{key} names the {label} {', '.join(twice)} twice (names are compared without regard"
                            " to case)")
    return problems


class LoadBalancerChange:
    """What this task asks of the load balancer, applied to it as read (see _conditional_write.update)."""

    def __init__(self, module, frontends):
        self.module = module
        self.params = module.params
        self.frontends = frontends
        self.lb_id = load_balancer_id(module.subscription_id, self.params["resource_group"], self.params["name"])
        self._location = None
        self.checked = False

    def location(self):
        wanted = normalize_location(self.params["location"])
        if wanted:
            return wanted
        if self._location is None:
            self._location = group_location(self.module, self.params["resource_group"])
        return self._location

    def skeleton(self):
        return {"location": self.location(), "sku": {"name": self.params["sku"] or "Standard"},
                "properties": {FRONTENDS: [], POOLS: [], PROBES: [], RULES: []}}

    def apply(self, current):
        """The body to write, or None when the load balancer is already as asked."""
        params = self.params
        body = copy.deepcopy(current) if current else self.skeleton()
        changed = current is None
        if current is not None:
            self.check_fixed(current)
        tags, tags_changed = merge_tags(current and current.get("tags"), params["tags"], params["append_tags"])
        body["tags"] = tags
        props = body.setdefault("properties", {})
        for step in (self.set_frontends, self.set_pools, self.set_probes, self.set_rules):
            changed = step(props) or changed
        if not (changed or tags_changed):
            return None
        self.check_references(body["location"])
        return body

    def check_references(self, location):
        """Fail, before the first write, on a frontend's public IP or subnet that does not exist
        or is in another region than the load balancer (one GET each)."""
        if self.checked or not self.frontends:
            return
        self.checked = True
        refs = [("frontend_ip_configurations", ref["id"], what) for _name, props in self.frontends
                for key, what in (("publicIPAddress", "public IP address"), ("subnet", "subnet"))
                for ref in [props.get(key)] if isinstance(ref, dict) and ref.get("id")]
        problems = References(self.module, self.module.client("network")).problems(refs, location, "load balancer")
        if problems:
            raise ModuleFailure(f"Cannot write load balancer {self.params['name']}: " + "; ".join(problems)
                                + ". Nothing was changed")

    def check_fixed(self, current):
        params = self.params
        moved = moved_problem("load balancer", current["location"], params["location"])
        if moved:
            raise ModuleFailure(f"Cannot update load balancer {params['name']}: {moved}")
        sku = (current.get("sku") or {}).get("name")
        if params["sku"] and params["sku"] != sku:
            raise ModuleFailure(f"Load balancer {params['name']} has the {sku} SKU; Azure cannot change the SKU"
                                f" of a load balancer to {params['sku']}")

    def set_frontends(self, props):
        if self.frontends is None:
            return False
        items = props.get(FRONTENDS) or []
        changed = False
        for name, properties in self.frontends:
            items, one = merge_entry(items, name, properties)
            changed = changed or one
        wanted = {name.lower() for name, _props in self.frontends}
        for item in list(items):
            if item["name"].lower() not in wanted:
                items, _removed = without_entry(items, item["name"])
                changed = True
        props[FRONTENDS] = items
        return changed

    def set_pools(self, props):
        pools = self.params["backend_pools"]
        if pools is None:
            return False
        items = props.get(POOLS) or []
        changed = False
        names = [pool_name(pool) for pool in pools]
        for pool in pools:
            properties = pool_properties(pool, self.module.subscription_id, self.params["resource_group"])
            items, one = merge_entry(items, pool_name(pool), properties)
            changed = changed or one
        if self.params["purge_backend_pools"]:
            for item in list(items):
                if not any(item["name"].lower() == n.lower() for n in names):
                    items, _removed = without_entry(items, item["name"])
                    changed = True
        props[POOLS] = items
        return changed

    def set_probes(self, props):
        specs = self.params["probes"]
        return self.set_entries(props, PROBES, specs, lambda spec, items: probe_properties(spec, find(items, spec["name"])),
                                self.params["purge_probes"])

    def set_rules(self, props):
        specs = self.params["rules"]
        return self.set_entries(props, RULES, specs, lambda spec, _items: rule_properties(spec, {"properties": props},
                                                                                          self.lb_id),
                                self.params["purge_rules"])

    @staticmethod
    def set_entries(props, collection, specs, properties, purge):
        if specs is None:
            return False
        items = props.get(collection) or []
        changed = False
        for spec in specs:
            items, one = merge_entry(items, spec["name"], properties(spec, items))
            changed = changed or one
        if purge:
            for item in list(items):
                if not any(item["name"].lower() == spec["name"].lower() for spec in specs):
                    items, _removed = without_entry(items, item["name"])
                    changed = True
        props[collection] = items
        return changed


def view(lb, lb_id):
    return lb_to_dict(with_ids(lb, lb_id)) if lb else None


def options(module):
    """The frontends as (name, properties), None when the task leaves them as they are;
    OptionError for anything Azure would refuse. No request yet."""
    params = module.params
    check_options(option_problems(params))
    if params["state"] != "present" or params["frontend_ip_configurations"] is None:
        return None
    try:
        return [(spec["name"], frontend_properties(spec, module.subscription_id, params["resource_group"]))
                for spec in params["frontend_ip_configurations"]]
    except OptionError as exc:
        raise OptionError(f"Invalid options: {exc}") from None


def ensure_present(module, frontends):
    """Create the load balancer, or change what the task gives of it; Result with it as
    load_balancer."""
    name = module.params["name"]
    what = f"load balancer {name}"
    change = LoadBalancerChange(module, frontends)
    before, after, changed = update(module, module.client("network").load_balancers, module.params["resource_group"],
                                    name, change.apply, what, model="LoadBalancer",
                                    failure=lambda current: f"Failed to {'update' if current else 'create'} {what}")
    result = view(after, change.lb_id)
    return Result(changed, diff_view(view(before, change.lb_id)), diff_view(result), load_balancer=result)


def ensure_absent(module, _frontends):
    """Delete the load balancer when it exists."""
    group, name = module.params["resource_group"], module.params["name"]
    lb_id = load_balancer_id(module.subscription_id, group, name)
    return NetworkResource(module, "load_balancers", (group, name), f"load balancer {name}",
                           lambda lb: view(lb, lb_id), view=diff_view).ensure_absent()


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True, tags=True)
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
