#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lb_health_info
short_description: Report the health of an Azure load balancer's backends, per rule, and wait on it
version_added: 0.1.0
description:
  - For one load balancing rule, or every rule of a load balancer, ask Azure which backends
    its health probe sees up or down and why (Azure's health status API,
    C(POST .../loadBalancingRules/{rule}/health)), with the network interface and virtual
    machine of each backend.
  - Naming each backend's virtual machine costs one read of its network interface per call;
    O(resolve=false) skips it, so a call costs the same whatever the size of the pool.
  - With O(wait_for), ask again every O(wait_interval) seconds until the load balancer's own
    view says what you wait for, so a playbook waits on the load balancer rather than on a
    fixed pause.
  - Always returns a list, empty when the load balancer does not exist; a O(rule) the load
    balancer does not have fails the task, naming the rules it has.
  - The health query is a C(POST) for Azure, but it changes nothing.
options:
  resource_group:
    description: Resource group of the load balancer.
    type: str
    required: true
  load_balancer:
    description: Name of the load balancer.
    type: str
    required: true
  rule:
    description:
      - Name of one load balancing rule. Without it, every rule of the load balancer is reported.
    type: str
  wait_for:
    description:
      - Ask again until this holds, within O(wait_timeout).
      - V(healthy) waits until O(member) is up in every reported rule that has it as a backend
        (and it is a backend of at least one; a member in no reported rule's pool fails at once).
      - V(unhealthy) waits until O(member) takes no new connections from any reported rule,
        being down in each one or no longer a backend at all.
      - V(all_healthy) waits until every reported rule has at least one backend and all of
        them are up.
      - When the load balancer or the rule does not exist, the module fails rather than wait.
    type: str
    choices: [healthy, unhealthy, all_healthy]
  member:
    description:
      - The backend O(wait_for=healthy) and O(wait_for=unhealthy) wait on, by the name of its
        virtual machine, the name of its network interface, the resource ID of its NIC ip
        configuration, or its IP address (a member of an IP-based pool); names compare without
        regard to case.
      - Required with those two, refused otherwise.
      - O(resolve=false) is refused with them, as a member given by its VM's name would never match.
    type: str
  resolve:
    version_added: 0.2.0
    description:
      - Read each backend's network interface for the name of its virtual machine.
      - With V(false), C(virtual_machine) is V(null) in every backend and no network interface
        is read; match backends by C(ip_configuration) or C(ip_address) instead (as the
        cloudlb.azure.rolling_maintenance role's health gate does).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for O(wait_for), and for each health query to answer.
    type: int
    default: 300
  wait_interval:
    description:
      - Seconds between two health queries while waiting.
    type: float
    default: 5
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
  - cloudlb.azure.attributes.info_module
seealso:
  - module: cloudlb.azure.load_balancer_info
  - module: cloudlb.azure.lb_pool_member
  - module: cloudlb.azure.lb_backend_address
  - name: Manage Azure Load Balancer health status
    description: The states and reason codes Azure reports.
    link: https://learn.microsoft.com/azure/load-balancer/load-balancer-manage-health-status
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Show which VMs the tutorial's rule sends traffic to
  cloudlb.azure.lb_health_info:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    rule: myHTTPRule
  register: health

- name: Print each backend's state and reason
  ansible.builtin.debug:
    msg: "{{ item.virtual_machine }}: {{ item.state }} ({{ item.reason }})"
  loop: "{{ health.rules[0].backends }}"

- name: Wait until the load balancer sees every VM up
  cloudlb.azure.lb_health_info:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    wait_for: all_healthy
    wait_timeout: 600

- name: After maintenance, wait until myVM2 takes traffic again
  cloudlb.azure.lb_health_info:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    wait_for: healthy
    member: myVM2
"""

RETURN = r"""
rules:
  description:
    - One entry per reported load balancing rule, sorted by name; V([]) when the load balancer
      does not exist. A O(rule) the load balancer does not have fails the task, naming the rules it has.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the rule.
      type: str
      returned: always
      sample: myHTTPRule
    id:
      description: Resource ID of the rule.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/loadBalancingRules/myHTTPRule
    up:
      description: How many backends the rule's probe sees up.
      type: int
      returned: always
      sample: 3
    down:
      description: How many backends the rule's probe sees down.
      type: int
      returned: always
      sample: 0
    backends:
      description: The rule's backends, as Azure lists them.
      type: list
      elements: dict
      returned: always
      contains:
        ip_address:
          description: The backend's (private) IP address.
          type: str
          returned: always
          sample: 10.1.0.4
        ip_configuration:
          description:
            - Resource ID of the backend's NIC ip configuration; for a member of an IP-based pool
              the one holding its address, V(null) when no network interface holds it.
          type: str
          returned: always
        network_interface:
          description: Name of the backend's network interface.
          type: str
          returned: always
          sample: myNicVM1
        ip_configuration_name:
          description: Name of the NIC ip configuration.
          type: str
          returned: always
          sample: ipconfig1
        virtual_machine:
          description: Name of the VM the network interface is attached to; V(null) when none or O(resolve=false).
          type: str
          returned: always
          sample: myVM1
        state:
          description: V(Up) (takes new connections) or V(Down).
          type: str
          returned: always
          sample: Up
        reason:
          description:
            - Azure's reason code, such as V(Up_Probe_Success), V(Down_Probe_HttpStatusCodeError)
              or V(Down_Probe_ApproachingHealthyThreshold); V(Down_Admin) or V(Up_Admin) when
              the backend's admin state decides rather than the probe.
          type: str
          returned: always
          sample: Up_Probe_Success
        admin_state:
          description:
            - The backend's admin state in the rule's backend pool, read from the pool.
              V(Down) takes it out of new connections and V(Up) keeps it in whatever the probe
              says, V(None) lets the probe decide. Set it with M(cloudlb.azure.lb_pool_member) or
              M(cloudlb.azure.lb_backend_address).
          type: str
          returned: always
          sample: None
"""

import time

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_health import (
    MEMBER_CONDITIONS,
    Health,
    is_member,
    rules_of,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import read
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result


def option_problems(params):
    """What is wrong with the options, checked before any request."""
    problems = [group_problem(params["resource_group"]),
                name_problem(params["load_balancer"], "load balancer name")]
    if params["rule"] is not None:
        problems.append(name_problem(params["rule"], "rule name"))
    if params["wait_for"] in MEMBER_CONDITIONS and not params["member"]:
        problems.append(f"wait_for={params['wait_for']} needs member (a VM name, a NIC name, an ip configuration id"
                        " or an IP address)")
    if params["member"] and params["wait_for"] not in MEMBER_CONDITIONS:
        problems.append("member is only used with wait_for=healthy or wait_for=unhealthy")
    if params["wait_for"] in MEMBER_CONDITIONS and not params["resolve"]:
        problems.append(f"wait_for={params['wait_for']} needs resolve=true: without it no backend is named by its VM,"
                        " and a member given by VM name would never match")
    if params["wait_timeout"] <= 0:
        problems.append(f"wait_timeout must be a positive number of seconds, got {params['wait_timeout']}")
    if params["wait_interval"] <= 0:
        problems.append(f"wait_interval must be a positive number of seconds, got {params['wait_interval']}")
    return [p for p in problems if p]


def rule_names(report, lb_name):
    names = ", ".join(r["name"] for r in report)
    return f"rule {names} of load balancer {lb_name}" if names else f"any rule of load balancer {lb_name}"


ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    load_balancer=dict(type="str", required=True),
    rule=dict(type="str"),
    wait_for=dict(type="str", choices=["healthy", "unhealthy", "all_healthy"]),
    member=dict(type="str"),
    wait_timeout=dict(type="int", default=300),
    wait_interval=dict(type="float", default=5),
    resolve=dict(type="bool", default=True),
)


def options(module):
    """Nothing to carry to health_info but the options, checked here before any request."""
    check_options(option_problems(module.params))


def health_info(module, _spec):
    """The rules' health, once the backends are as wait_for asks; Result(False, rules=[...])."""
    p = module.params
    lb_name = p["load_balancer"]
    lb = read(module, module.client("network").load_balancers, p["resource_group"], lb_name,
              f"load balancer {lb_name}")
    rules = rules_of(lb, p["rule"])
    if lb is not None and p["rule"] and not rules:
        known = ", ".join(sorted(r["name"] for r in lb["properties"].get("loadBalancingRules") or [])) or "none"
        raise ModuleFailure(f"rule: load balancer {lb_name} has no rule {p['rule']} (it has: {known})", rules=[])
    if p["wait_for"] and not rules:
        if lb is None:
            why = f"load balancer {lb_name} does not exist"
        else:
            why = f"load balancer {lb_name} has no load balancing rule"
        raise ModuleFailure(f"Cannot wait for {p['wait_for']}: {why}", rules=[])

    # vms={}: no VM is known and none is looked up (Health reads a NIC only when given no vms).
    health = Health(module, p["resource_group"], lb, vms=None if p["resolve"] else {})
    if not p["wait_for"]:
        return Result(False, diff=False, rules=health.report(rules, time.monotonic() + p["wait_timeout"]))
    if p["wait_for"] == "healthy":
        # Not in any rule's pool, it cannot become healthy there, however long we wait.
        report = health.report(rules, time.monotonic() + p["wait_timeout"])
        if not any(is_member(b, p["member"]) for r in report for b in r["backends"]):
            raise ModuleFailure(f"member: {p['member']} is not a backend of {rule_names(report, lb_name)}; add it to "
                                "the backend pool first (cloudlb.azure.lb_pool_member)", rules=report)

    def timed_out(waiting, report):
        target = f"{p['member']} to be {p['wait_for']}" if p["member"] else "all backends to be healthy"
        return ModuleFailure(f"Timed out after {p['wait_timeout']} seconds waiting for {target} on load balancer "
                             f"{lb_name}; still: {waiting}", rules=report)

    report = health.wait(rules, p["wait_for"], p["member"], p["wait_interval"], timed_out)
    return Result(False, diff=False, rules=report)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC)
    module.run(options, health_info)


if __name__ == "__main__":
    main()
