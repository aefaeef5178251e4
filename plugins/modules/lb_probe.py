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
      - Azure's older C(numberOfProbes) - in the REST API's words, the number of unanswered probes
        after which traffic stops. Azure's default is 2.
      - The load balancer's up/down decision follows O(probe_threshold); set that one to change how
        fast a backend leaves and rejoins the rotation. azemu ignores this value.
    type: int
  probe_threshold:
    description:
      - Number of consecutive probe results, failed or successful, after which a backend leaves or
        rejoins the rotation (Azure's C(probeThreshold)). Azure's default is 1.
      - The tutorial's "two consecutive failures at 15-second intervals" is V(2) with O(interval=15).
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
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    name: myHealthProbe
    protocol: Tcp
    port: 80

- name: Probe an HTTP health page instead, every 5 seconds
  cloudlb.azure.lb_probe:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    name: myHealthProbe
    protocol: Http
    port: 80
    request_path: /healthz
    interval: 5

- name: Delete the probe (after the rules that use it)
  cloudlb.azure.lb_probe:
    resource_group: myTutorial8
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

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_entry import (
    ENTRY_ARGUMENT_SPEC,
    EntryKind,
    boundary,
    entry_view,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_parts import (
    PROBE_PROTOCOLS,
    PROBES,
    entries,
    find,
    probe_problems,
    probe_properties,
    probe_to_dict,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule

ARGUMENT_SPEC = dict(
    ENTRY_ARGUMENT_SPEC,
    protocol=dict(type="str", choices=list(PROBE_PROTOCOLS)),
    port=dict(type="int"),
    request_path=dict(type="str", aliases=["path"]),
    interval=dict(type="int"),
    number_of_probes=dict(type="int"),
    probe_threshold=dict(type="int"),
)
SPEC_KEYS = ("name", "protocol", "port", "request_path", "interval", "number_of_probes", "probe_threshold")


def in_use(params, lb):
    """Azure refuses to delete a probe that load balancing rules use."""
    users = (entry_view(lb, PROBES, params["name"], probe_to_dict) or {}).get("load_balancing_rules")
    if users:
        return (f"Cannot delete probe {params['name']} of load balancer {params['load_balancer']}: load balancing"
                f" rule(s) {', '.join(users)} use it; delete those rules or give them another probe first")
    return None


PROBE = EntryKind("probe", PROBES, probe_to_dict, SPEC_KEYS, probe_problems,
                  lambda spec, lb, _lb_id: probe_properties(spec, find(entries(lb, PROBES), spec["name"])), in_use)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True)
    module.run(*boundary(PROBE))


if __name__ == "__main__":
    main()
