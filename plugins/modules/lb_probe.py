#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lb_probe
short_description: Create, update or delete one health probe of an Azure load balancer
version_added: 0.1.0
description:
  - Create a health probe on an existing load balancer, change it, or delete it; the
    C(az network lb probe create|update|delete) of Ansible.
  - A probe tells the load balancer which backends may receive new flows. V(Tcp) probes pass
    when the backend accepts the connection; V(Http) and V(Https) probes pass on a C(200 OK)
    answer to O(request_path).
  - Only this probe changes. Azure takes probes only in a write of the whole load balancer, so
    the module reads the load balancer, changes this one probe and writes it back with the
    C(ETag) it read in C(If-Match). When another task wrote the load balancer in between, Azure
    refuses the write and the module reads again and re-applies its change (up to 20 times,
    after a random pause), so tasks changing different probes or rules of one load balancer at
    the same time, from any number of hosts or jobs, all take effect.
  - A second run with the same options changes nothing and sends no write request to Azure.
  - Options left out keep their current value on an existing probe and take Azure's default on
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
    description: Name of the probe.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the probe.
      - V(absent) deletes it. Azure refuses while a load balancing rule uses the probe; the
        module then fails naming those rules and carrying Azure's error code.
    type: str
    choices: [present, absent]
    default: present
  protocol:
    description:
      - How the probe checks a backend. Required to create a probe.
    type: str
    choices: [Tcp, Http, Https]
  port:
    description:
      - Backend port the probe connects to, 1 to 65535. Required to create a probe.
    type: int
  request_path:
    description:
      - Path the probe requests, such as V(/healthz). Required for V(Http) and V(Https) probes,
        refused for V(Tcp) ones; changing a probe to V(Tcp) removes it.
    type: str
    aliases: [path]
  interval:
    description:
      - Seconds between two probes of a backend, at least 5. Azure's default is 15.
    type: int
  number_of_probes:
    description:
      - Number of failed probes after which a backend is taken out of rotation (Azure's
        C(numberOfProbes)). Azure's default is 2.
    type: int
  probe_threshold:
    description:
      - Number of consecutive probe results, failed or successful, that flip a backend down or
        up. Azure's default is 1.
    type: int
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
    details: The diff shows the probe before and after (V({}) when absent).
seealso:
  - module: cloudlb.azure.load_balancer
  - module: cloudlb.azure.lb_rule
  - module: cloudlb.azure.load_balancer_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create the tutorial's TCP health probe
  cloudlb.azure.lb_probe:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    name: myHealthProbe
    protocol: Tcp
    port: 80

- name: Probe an HTTP health page instead, every 5 seconds
  cloudlb.azure.lb_probe:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    name: myHealthProbe
    protocol: Http
    port: 80
    request_path: /healthz
    interval: 5

- name: Delete the probe (after the rules that use it)
  cloudlb.azure.lb_probe:
    resource_group: myResourceGroupLoadBalancer
    load_balancer: myLoadBalancer
    name: myHealthProbe
    state: absent
"""

RETURN = r"""
probe:
  description:
    - The probe after the change, or as it would be after it in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID of the probe.
      type: str
      returned: always
      sample: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/loadBalancers/myLoadBalancer/probes/myHealthProbe
    name:
      description: Name of the probe.
      type: str
      returned: always
      sample: myHealthProbe
    protocol:
      description: V(Tcp), V(Http) or V(Https).
      type: str
      returned: always
      sample: Tcp
    port:
      description: Backend port probed.
      type: int
      returned: always
      sample: 80
    request_path:
      description: Path requested by V(Http) and V(Https) probes; V(null) for V(Tcp) ones.
      type: str
      returned: always
      sample: null
    interval:
      description: Seconds between probes; V(null) in check mode for a new probe that does not set it.
      type: int
      returned: always
      sample: 15
    number_of_probes:
      description: Failed probes that take a backend out of rotation.
      type: int
      returned: always
      sample: 2
    probe_threshold:
      description: Consecutive results that flip a backend down or up.
      type: int
      returned: always
      sample: 1
    load_balancing_rules:
      description: Names of the load balancing rules that use the probe.
      type: list
      elements: str
      returned: always
      sample: [myLoadBalancerRule]
    provisioning_state:
      description: Provisioning state Azure reports; V(null) in check mode for a new probe.
      type: str
      returned: always
      sample: Succeeded
"""

import copy

from ansible_collections.cloudlb.azure.plugins.module_utils._lb import load_balancer_id, update
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import (
    PROBE_PROTOCOLS,
    PROBES,
    OptionError,
    diff_view,
    entries,
    find,
    merge_entry,
    probe_problems,
    probe_properties,
    probe_to_dict,
    with_ids,
    without_entry,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem

ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    load_balancer=dict(type="str", required=True, aliases=["lb_name"]),
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    protocol=dict(type="str", choices=list(PROBE_PROTOCOLS)),
    port=dict(type="int"),
    request_path=dict(type="str", aliases=["path"]),
    interval=dict(type="int"),
    number_of_probes=dict(type="int"),
    probe_threshold=dict(type="int"),
)
SPEC_KEYS = ("name", "protocol", "port", "request_path", "interval", "number_of_probes", "probe_threshold")


def view(lb, name):
    probe = find(entries(lb, PROBES), name)
    return probe_to_dict(probe) if probe else None


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True)
    params = module.params
    group, balancer, name = params["resource_group"], params["load_balancer"], params["name"]
    spec = {key: params[key] for key in SPEC_KEYS}
    problems = [p for p in (group_problem(group), name_problem(balancer, "load balancer name")) if p]
    if params["state"] == "present":
        problems += probe_problems(spec)
    else:
        problems += [p for p in (name_problem(name, "probe name"),) if p]
    if problems:
        module.fail_json(msg="Invalid options: " + "; ".join(problems))

    what = f"load balancer {balancer}"
    lb_id = load_balancer_id(module.subscription_id, group, balancer)

    def apply(current):
        if current is None:
            if params["state"] == "present":
                module.fail_json(msg=f"Load balancer {balancer} does not exist in resource group {group}; create it"
                                     " first (cloudlb.azure.load_balancer)")
            return None
        probes = entries(current, PROBES)
        if params["state"] == "absent":
            users = (view(current, name) or {}).get("load_balancing_rules")
            if users and module.check_mode:
                module.fail_json(msg=in_use_message(users))
            new, changed = without_entry(probes, name)
        else:
            try:
                new, changed = merge_entry(probes, name, probe_properties(spec, find(probes, name)))
            except OptionError as exc:
                module.fail_json(msg=str(exc))
        if not changed:
            return None
        body = copy.deepcopy(current)
        body["properties"][PROBES] = new
        return body

    def in_use_message(users):
        return (f"Cannot delete probe {name} of load balancer {balancer}: load balancing rule(s) {', '.join(users)}"
                " use it; delete those rules or give them another probe first")

    def failure(current):
        users = (view(current, name) or {}).get("load_balancing_rules")
        if params["state"] == "absent" and users:
            return in_use_message(users)
        return f"Failed to {'delete' if params['state'] == 'absent' else 'write'} probe {name} of {what}"

    network = module.client("network")
    before, after, changed = update(module, network.load_balancers, group, balancer, apply, what,
                                    model="LoadBalancer", failure=failure)
    old, new = view(before, name), view(after and with_ids(after, lb_id), name)
    result = {"probe": new} if params["state"] == "present" else {}
    module.exit_with_diff(changed, diff_view(old), diff_view(new), **result)


if __name__ == "__main__":
    main()
