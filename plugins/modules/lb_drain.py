#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lb_drain
short_description: Drain a load balancer backend pool member for maintenance, or put it back in service
version_added: 0.1.0
description:
  - Take one member of a backend pool (a network interface's ip configuration, in a NIC-based or
    an IP-based pool) out of new connections and wait until it is drained, or put it back and
    wait until the load balancer sees it healthy; in the spirit of community.aws C(elb_target)
    (a state plus a target-health wait).
  - O(state=drained) takes the member out of new connections by O(method), waits until the load
    balancer's own health view sees it down (Azure's health status API), then waits up to
    O(drain_timeout) for its established connections to end. With O(method=probe) it then takes
    the member out of the pool, as nothing is left there for the load balancer to reset.
  - O(state=in_service) puts the member back in the pool, clears its admin state V(Down) and
    deletes the deny rule of O(drain_rule), waits until the load balancer sees it healthy, and
    clears the drain mark. It undoes O(method) and also the method its mark names, so it puts
    back a member whichever way an earlier (perhaps killed) run drained it.
  - With O(mark), the member's network interface carries a drain mark while it is drained (the
    tag C(cloudlb-rolling-drained)), saying which run took it out, how far it got and by which
    method; the role M(cloudlb.azure.rolling_maintenance) finds what a killed run left by it.
  - Each step reads first and writes only what differs, so a second run with the same options
    sends no write request to Azure. Options are checked before any request.
options:
  resource_group:
    description: Resource group of the load balancer.
    type: str
    required: true
  load_balancer:
    description: Name of the load balancer.
    type: str
    required: true
    aliases: [lb_name]
  backend_pool:
    description: Name of the backend pool the member belongs to.
    type: str
    required: true
    aliases: [pool_name]
  network_interface:
    description:
      - The member's network interface, by name (in O(resource_group)) or by resource ID. In an
        IP-based pool, the member is the entry of its ip configuration's private IP address.
    type: str
    required: true
    aliases: [nic_name]
  ip_configuration:
    description: Name of the network interface's ip configuration. Defaults to its primary one.
    type: str
  state:
    description:
      - V(drained) takes the member out of new connections and waits until it is drained.
      - V(in_service) puts it back and waits until the load balancer sees it healthy.
    type: str
    choices: [drained, in_service]
    default: drained
  method:
    description:
      - How the member stops taking new connections.
      - V(admin_state) sets its administrative state in the pool to V(Down) (and back to V(None)),
        Azure's own mechanism for this. The load balancer sends it no new flows whatever the
        probe says, and its established connections continue. Azure has admin state on
        V(Standard) load balancers only; the module refuses the others before it writes.
      - V(probe) denies the load balancer's health probe (source C(AzureLoadBalancer)) with the
        NSG rule O(drain_rule), so the probe sees the member down; after the drain it leaves the
        pool. It works on every SKU but needs an NSG filtering the member and a free priority.
      - V(pool) takes the member out of the pool at once (a load balancer that resets the flows
        of a member leaving its pool cuts the requests in flight).
    type: str
    choices: [admin_state, probe, pool]
    default: admin_state
  drain_rule:
    description:
      - The NSG rule of O(method=probe), denying the health probe's ports to the member's address.
      - Required with O(method=probe). With O(state=in_service) and any method, the rule is
        deleted when it exists (an earlier run may have left it).
    type: dict
    suboptions:
      security_group:
        description: Name of the network security group that filters the member's traffic.
        type: str
        required: true
      resource_group:
        description: Resource group of the security group. Defaults to the network interface's.
        type: str
      name:
        description: Name of the rule. Defaults to C(cloudlb-drain-) and the network interface's name.
        type: str
      priority:
        description:
          - Priority of the rule, 100 to 4096; it must come before the rules that allow the
            probe. Required with O(state=drained).
        type: int
  mark:
    description:
      - The drain mark to keep on the member's network interface (tag C(cloudlb-rolling-drained)).
      - With O(state=drained) it is set, unless it is there already; a mark of another run or
        pool is refused (put that member back in service first).
      - With O(state=in_service) this pool's mark is cleared once the member is healthy, whoever
        set it, and the tag C(cloudlb-rolling-done) records the rollout when the member got past
        its maintenance (O(mark.phase=maintained) for this run's mark, or the mark itself says so)
        in rollout O(mark.rollout).
    type: dict
    suboptions:
      run:
        description: Id of the run (1 to 64 letters, digits, C(.), C(_) or C(-)).
        type: str
        required: true
      rollout:
        description: Id of the rollout the run belongs to.
        type: str
        required: true
      phase:
        description: How far the run got with the member; a mark never goes back from V(maintained).
        type: str
        choices: [drained, maintained]
        default: drained
      keep:
        description: With O(state=in_service), keep the mark (moved on to O(mark.phase)) rather than clear it.
        type: bool
        default: false
  address_name:
    description:
      - In an IP-based pool, the name of the member's entry when it rejoins the pool (after
        O(method=pool) or O(method=probe)). Defaults to the name it had, recorded in the mark,
        else the network interface's name.
    type: str
  drain_timeout:
    description:
      - Seconds to wait for the member's established connections to end once it gets no new
        ones. Connections still open then are left to the maintenance.
      - Without O(connections_url), the module waits all of it, and only when it drained the
        member itself.
    type: int
    default: 30
  drain_poll:
    description: Seconds between two reads of O(connections_url).
    type: float
    default: 1
  connections_url:
    description:
      - URL of a data plane status document that counts each backend's established connections
        (azemu's C(/_azemu/dataplane); Azure has none). Read with the CA bundle the SDK trusts
        (E(REQUESTS_CA_BUNDLE)).
    type: str
  wait:
    description:
      - Wait for the load balancer to see the member down (and drained) or healthy. With
        V(false) the module makes its changes and returns.
    type: bool
    default: true
  wait_interval:
    description: Seconds between two health queries while waiting.
    type: float
    default: 5
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.wait
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details: Check mode reports what would change and waits for nothing.
  diff_mode:
    support: full
    details: The diff shows the member (in the pool or not, admin state, drain rule, mark) before and after.
notes:
  - The waits read the load balancer's health view with M(cloudlb.azure.lb_health_info)'s
    conditions; a member out of the pool counts as down.
seealso:
  - module: cloudlb.azure.lb_pool_member
  - module: cloudlb.azure.lb_backend_address
  - module: cloudlb.azure.lb_health_info
  - name: Administrative State (Admin State) in Azure Load Balancer
    description: What Up, Down and None do to new and existing connections.
    link: https://learn.microsoft.com/azure/load-balancer/admin-state-overview
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Drain myVM1 for maintenance (admin state Down; its open connections end first)
  cloudlb.azure.lb_drain:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    backend_pool: myBackEndPool
    network_interface: myNicVM1
    drain_timeout: 60

- name: Put it back once maintained, and wait until it is healthy
  cloudlb.azure.lb_drain:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    backend_pool: myBackEndPool
    network_interface: myNicVM1
    state: in_service

- name: Drain by denying the health probe (any SKU), with a drain mark
  cloudlb.azure.lb_drain:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    backend_pool: myBackEndPool
    network_interface: myNic2
    method: probe
    drain_rule:
      security_group: myNetworkSecurityGroup
      priority: 1000
    mark:
      run: run-42
      rollout: run-42
"""

RETURN = r"""
member:
  description: The member after the task (as predicted in check mode).
  returned: always
  type: dict
  contains:
    network_interface:
      description: Name of the network interface.
      type: str
      returned: always
      sample: myNicVM1
    ip_configuration:
      description: Resource ID of its ip configuration.
      type: str
      returned: always
    ip_address:
      description: Its private IP address.
      type: str
      returned: always
      sample: 10.0.0.4
    pool_kind:
      description: V(nic) or V(ip), the kind of the backend pool.
      type: str
      returned: always
      sample: nic
    in_pool:
      description: Whether it is in the pool.
      type: bool
      returned: always
    admin_state:
      description: Its admin state in the pool, V(None) when it has none or is out of the pool.
      type: str
      returned: always
      sample: Down
    drain_rule:
      description: Name of the deny rule of O(drain_rule) when it is there, else V(null).
      type: str
      returned: always
    mark:
      description: This pool's drain mark on the network interface, decoded (C(run), C(rollout), C(phase), ...); V({}) when none.
      type: dict
      returned: always
at:
  description:
    - When the steps ended, in seconds since the epoch. O(state=drained) gives C(out) (out of new
      connections) and C(drained) (connections ended or drain_timeout up); O(state=in_service)
      gives C(back) (back in the pool) and C(healthy).
  returned: always
  type: dict
  sample: {out: 1767225600.2, drained: 1767225611.9}
connections_left:
  description: Established connections left at the end of the drain; V(null) when not counted.
  returned: always
  type: int
  sample: 0
"""

import re

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_drain import (
    METHODS,
    STATES,
    Member,
    admin_state_refusal,
    drain,
    in_service,
    url_opener,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_admin_state import sku_of
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import NETWORK_INTERFACE, group_of, name_of
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import OptionError, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import reference
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._rolling import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    RollingError,
    check_run_id,
    drain_rule_name,
)

ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    load_balancer=dict(type="str", required=True, aliases=["lb_name"]),
    backend_pool=dict(type="str", required=True, aliases=["pool_name"]),
    network_interface=dict(type="str", required=True, aliases=["nic_name"]),
    ip_configuration=dict(type="str"),
    state=dict(type="str", choices=list(STATES), default="drained"),
    method=dict(type="str", choices=list(METHODS), default="admin_state"),
    drain_rule=dict(type="dict", options=dict(
        security_group=dict(type="str", required=True),
        resource_group=dict(type="str"),
        name=dict(type="str"),
        priority=dict(type="int"),
    )),
    mark=dict(type="dict", options=dict(
        run=dict(type="str", required=True),
        rollout=dict(type="str", required=True),
        phase=dict(type="str", choices=["drained", "maintained"], default="drained"),
        keep=dict(type="bool", default=False),
    )),
    address_name=dict(type="str"),
    drain_timeout=dict(type="int", default=30),
    drain_poll=dict(type="float", default=1),
    connections_url=dict(type="str"),
    wait_interval=dict(type="float", default=5),
)


def option_problems(params):
    """What is wrong with the options, found before any request."""
    problems = [group_problem(params["resource_group"]), name_problem(params["load_balancer"], "load balancer name"),
                name_problem(params["backend_pool"], "backend pool name")]
    if params["ip_configuration"] is not None:
        problems.append(name_problem(params["ip_configuration"], "ip configuration name"))
    if params["address_name"] is not None:
        problems.append(name_problem(params["address_name"], "address name"))
    rule = params["drain_rule"]
    if params["method"] == "probe" and not rule:
        problems.append("method=probe needs drain_rule (the security group to deny the health probe in)")
    if rule:
        problems.append(name_problem(rule["security_group"], "security group name"))
        if rule["resource_group"] is not None:
            problems.append(group_problem(rule["resource_group"]))
        if rule["name"] is not None:
            problems.append(name_problem(rule["name"], "drain rule name"))
        if params["method"] == "probe" and params["state"] == "drained" and rule["priority"] is None:
            problems.append("method=probe needs drain_rule.priority to create the rule")
        if rule["priority"] is not None and not PRIORITY_MIN <= rule["priority"] <= PRIORITY_MAX:
            problems.append(f"drain_rule.priority must be from {PRIORITY_MIN} to {PRIORITY_MAX}, got {rule['priority']}")
    if params["mark"]:
        for key in ("run", "rollout"):
            try:
                check_run_id(params["mark"][key])
            except RollingError as exc:
                problems.append(f"mark.{key}: {exc}")
    if params["drain_timeout"] < 0:
        problems.append(f"drain_timeout cannot be negative, got {params['drain_timeout']}")
    for key in ("drain_poll", "wait_interval"):
        if params[key] <= 0:
            problems.append(f"{key} must be a positive number of seconds, got {params[key]}")
    if params["connections_url"] and not re.match(r"^https?://", params["connections_url"]):
        problems.append(f"connections_url must be an http(s) URL, got {params['connections_url']!r}")
    return [p for p in problems if p]


def options(module):
    """The NIC's id and the drain rule (None without one) from the options; OptionError for
    anything Azure would refuse. No request yet."""
    params = module.params
    check_options(option_problems(params))
    try:
        nic_id = reference(params["network_interface"], module.subscription_id, params["resource_group"],
                           NETWORK_INTERFACE, "network interface")
    except OptionError as exc:
        raise OptionError(f"Invalid options: {exc}") from None
    rule = params["drain_rule"] and {
        "security_group": params["drain_rule"]["security_group"], "priority": params["drain_rule"]["priority"],
        "resource_group": params["drain_rule"]["resource_group"] or group_of(nic_id),
        "name": params["drain_rule"]["name"] or drain_rule_name(name_of(nic_id)),
        "description": "cloudlb.azure lb_drain" + (f" run {params['mark']['run']}" if params["mark"] else "")}
    return {"nic_id": nic_id, "rule": rule}


def read_member(module, spec):
    """The member as Azure has it (its drain rule read too, with one); admin state refused on a
    load balancer without it."""
    params = module.params
    member = Member(module, params["resource_group"], params["load_balancer"], params["backend_pool"], spec["nic_id"],
                    params["ip_configuration"], f"{params['load_balancer']}/{params['backend_pool']}")
    refusal = params["method"] == "admin_state" and params["state"] == "drained" and admin_state_refusal(
        sku_of(member.lb))
    if refusal:
        raise OptionError(refusal)
    if spec["rule"]:
        member.read_rule(spec["rule"])
    return member


def ensure_drained(module, spec):
    params, rule = module.params, spec["rule"]
    member = read_member(module, spec)
    before = member.view(rule)
    changed, at, left = drain(member, params["method"], rule, params["mark"], params, url_opener())
    after = member.view(rule)
    return Result(changed, before, after, member=after, at=at, connections_left=left)


def ensure_in_service(module, spec):
    params, rule = module.params, spec["rule"]
    member = read_member(module, spec)
    before = member.view(rule)
    changed, at = in_service(member, params["method"], rule, params["mark"], params, params["address_name"])
    after = member.view(rule)
    return Result(changed, before, after, member=after, at=at, connections_left=None)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True)
    module.run(options, {"drained": ensure_drained, "in_service": ensure_in_service})


if __name__ == "__main__":
    main()
