#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lb_rule
short_description: Create, update or delete one load balancing rule of an Azure load balancer
version_added: 0.1.0
description:
  - Create a load balancing rule on an existing load balancer, change it, or delete it; the
    C(az network lb rule create|update|delete) of Ansible.
  - A rule sends the flows that reach a frontend on O(protocol) and O(frontend_port) to
    O(backend_port) of the healthy members of a backend pool, health being what O(probe) says.
  - Only this rule changes. Azure takes rules only in a write of the whole load balancer, so
    the module reads the load balancer, changes this one rule and writes it back with the
    C(ETag) it read in C(If-Match). When another task wrote the load balancer in between, Azure
    refuses the write and the module reads again and re-applies its change (up to 20 times,
    after a random pause), so tasks changing different rules or probes of one load balancer at
    the same time, from any number of hosts or jobs, all take effect.
  - A second run with the same options changes nothing and sends no write request to Azure.
  - Options left out keep their current value on an existing rule and take Azure's default on
    a new one.
options:
  resource_group:
    description: Resource group of the load balancer.
    type: str
    required: true
  load_balancer:
    description: Name of the load balancer, which must exist.
    type: str
    required: true
    aliases: [lb_name]
  name:
    description: Name of the rule.
    type: str
    required: true
  state:
    description: V(present) creates or updates the rule, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  protocol:
    description:
      - Transport protocol of the flows. Required to create a rule.
      - V(All) with O(frontend_port=0) and O(backend_port=0) balances every port (HA ports,
        internal Standard load balancers only).
    type: str
    choices: [Tcp, Udp, All]
  frontend_port:
    description:
      - Port of the frontend, 0 to 65534; unique per frontend and protocol. Required to create a rule.
    type: int
  backend_port:
    description:
      - Port of the backends the flows go to, 0 to 65535. Required to create a rule.
      - Two rules with the same protocol and backend port cannot share a backend pool unless
        O(floating_ip) is on in both.
    type: int
  frontend_ip_configuration:
    description:
      - Name of the frontend IP configuration. A new rule defaults to the load balancer's only one.
    type: str
    aliases: [frontend_ip_name]
  backend_pool:
    description:
      - Name of the backend pool. A new rule defaults to the load balancer's only one.
    type: str
    aliases: [backend_pool_name]
  probe:
    description:
      - Name of the health probe whose verdict decides which members get new flows.
        Without one, every member gets flows.
      - V('') takes the probe off the rule.
    type: str
    aliases: [probe_name]
  idle_timeout:
    description: Minutes an idle TCP flow stays open, 4 to 30. Azure's default is 4.
    type: int
  load_distribution:
    description:
      - How flows are spread. V(Default) hashes the 5-tuple (a client's connections may land on
        different backends); V(SourceIP) and V(SourceIPProtocol) keep a client on one backend.
    type: str
    choices: [Default, SourceIP, SourceIPProtocol]
  floating_ip:
    description: Floating IP (direct server return). Azure's default is V(false).
    type: bool
  enable_tcp_reset:
    description: Send TCP resets to both ends when an idle flow times out. Azure's default is V(false).
    type: bool
  disable_outbound_snat:
    description:
      - Do not let the backends use the frontend's address for their outbound connections.
        Azure's default is V(false).
    type: bool
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
    details: The diff shows the rule before and after (V({}) when absent).
seealso:
  - module: cloudlb.azure.load_balancer
  - module: cloudlb.azure.lb_probe
  - module: cloudlb.azure.load_balancer_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create the tutorial's rule, port 80 to port 80 of the pool, behind the health probe
  cloudlb.azure.lb_rule:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    name: myLoadBalancerRule
    protocol: Tcp
    frontend_port: 80
    backend_port: 80
    frontend_ip_configuration: myFrontEndPool
    backend_pool: myBackEndPool
    probe: myHealthProbe

- name: Keep each client on one backend
  cloudlb.azure.lb_rule:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    name: myLoadBalancerRule
    load_distribution: SourceIP

- name: Delete the rule
  cloudlb.azure.lb_rule:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    name: myLoadBalancerRule
    state: absent
"""

RETURN = r"""
rule:
  description:
    - The rule after the change, or as it would be after it in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID of the rule.
      type: str
      returned: always
      sample: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/loadBalancers/myLoadBalancer/loadBalancingRules/myLoadBalancerRule
    name:
      description: Name of the rule.
      type: str
      returned: always
      sample: myLoadBalancerRule
    protocol:
      description: V(Tcp), V(Udp) or V(All).
      type: str
      returned: always
      sample: Tcp
    frontend_port:
      description: Frontend port.
      type: int
      returned: always
      sample: 80
    backend_port:
      description: Backend port.
      type: int
      returned: always
      sample: 80
    frontend_ip_configuration:
      description: Name of the frontend IP configuration.
      type: str
      returned: always
      sample: myFrontEndPool
    backend_pool:
      description: Name of the backend pool.
      type: str
      returned: always
      sample: myBackEndPool
    probe:
      description: Name of the health probe, V(null) when none.
      type: str
      returned: always
      sample: myHealthProbe
    idle_timeout:
      description: Idle timeout in minutes; V(null) in check mode for a new rule that does not set it.
      type: int
      returned: always
      sample: 4
    load_distribution:
      description: Distribution mode.
      type: str
      returned: always
      sample: Default
    floating_ip:
      description: Whether floating IP is on.
      type: bool
      returned: always
      sample: false
    enable_tcp_reset:
      description: Whether TCP resets are sent on idle timeout.
      type: bool
      returned: always
      sample: false
    disable_outbound_snat:
      description: Whether outbound SNAT through the frontend is off.
      type: bool
      returned: always
      sample: false
    provisioning_state:
      description: Provisioning state Azure reports; V(null) in check mode for a new rule.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_entry import (
    ENTRY_ARGUMENT_SPEC,
    EntryKind,
    boundary,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import (
    DISTRIBUTIONS,
    RULE_PROTOCOLS,
    RULES,
    rule_problems,
    rule_properties,
    rule_to_dict,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule

ARGUMENT_SPEC = dict(
    ENTRY_ARGUMENT_SPEC,
    protocol=dict(type="str", choices=list(RULE_PROTOCOLS)),
    frontend_port=dict(type="int"),
    backend_port=dict(type="int"),
    frontend_ip_configuration=dict(type="str", aliases=["frontend_ip_name"]),
    backend_pool=dict(type="str", aliases=["backend_pool_name"]),
    probe=dict(type="str", aliases=["probe_name"]),
    idle_timeout=dict(type="int"),
    load_distribution=dict(type="str", choices=list(DISTRIBUTIONS)),
    floating_ip=dict(type="bool"),
    enable_tcp_reset=dict(type="bool"),
    disable_outbound_snat=dict(type="bool"),
)
SPEC_KEYS = ("name", "protocol", "frontend_port", "backend_port", "frontend_ip_configuration", "backend_pool",
             "probe", "idle_timeout", "load_distribution", "floating_ip", "enable_tcp_reset", "disable_outbound_snat")


RULE = EntryKind("rule", RULES, rule_to_dict, SPEC_KEYS, rule_problems, rule_properties, None)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True)
    module.run(*boundary(RULE))


if __name__ == "__main__":
    main()
