#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_rule
short_description: Create, update or delete one security rule of an Azure network security group
version_added: 0.1.0
description:
  - Create a security rule in an existing network security group (NSG), change it, or delete it;
    the C(az network nsg rule create|update|delete) of Ansible.
  - Only this rule changes. The module writes Azure's C(securityRules) child resource, not the
    whole NSG, so tasks writing different rules of one NSG at the same time (the VMs of a batch
    handled in parallel) do not overwrite each other.
  - Options are checked before any request is sent (priority, port ranges, address prefixes,
    names). Azure itself refuses a priority another rule of the NSG has in the same direction
    (C(SecurityRuleConflict)); the module fails with that code.
  - A second run with the same options changes nothing and sends no write request to Azure.
  - Options left out keep their current value on an existing rule and take the defaults of
    C(az network nsg rule create) on a new one.
options:
  resource_group:
    description: Resource group of the NSG.
    type: str
    required: true
  security_group:
    description: Name of the NSG, which must exist.
    type: str
    required: true
    aliases: [nsg_name]
  name:
    description: Name of the rule, unique in the NSG.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the rule, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  priority:
    description:
      - Priority, 100 to 4096; lower numbers are processed first. Each priority can be used once
        per direction in an NSG.
      - Required to create a rule.
    type: int
  direction:
    description: Traffic the rule applies to. V(Inbound) for a new rule.
    type: str
    choices: [Inbound, Outbound]
  access:
    description: Whether matching traffic is allowed or denied. V(Allow) for a new rule.
    type: str
    choices: [Allow, Deny]
  protocol:
    description: Protocol the rule applies to; V(*) for any, the default for a new rule.
    type: str
    choices: [Tcp, Udp, Icmp, Esp, Ah, "*"]
  source_address_prefixes:
    description:
      - Source addresses, each V(*), an IP address, a CIDR prefix such as V(10.0.0.0/24) or a
        service tag such as V(Internet), V(VirtualNetwork) or V(AzureLoadBalancer).
      - V([*]) for a new rule.
    type: list
    elements: str
    aliases: [source_address_prefix]
  source_port_ranges:
    description:
      - Source ports, each V(*), a port such as V(80) or a range such as V(1000-2000).
      - V([*]) for a new rule.
    type: list
    elements: str
    aliases: [source_port_range]
  destination_address_prefixes:
    description:
      - Destination addresses, in the forms of O(source_address_prefixes). V([*]) for a new rule.
    type: list
    elements: str
    aliases: [destination_address_prefix]
  destination_port_ranges:
    description:
      - Destination ports, in the forms of O(source_port_ranges). V([80]) for a new rule.
    type: list
    elements: str
    aliases: [destination_port_range]
  description:
    description: Description, at most 140 characters.
    type: str
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
  - module: cloudlb.azure.security_group
  - module: cloudlb.azure.security_group_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Allow HTTP from the Internet, as the tutorial's az network nsg rule create does
  cloudlb.azure.security_rule:
    resource_group: myResourceGroupLB
    security_group: myNetworkSecurityGroup
    name: myNetworkSecurityGroupRule
    priority: 1001
    protocol: Tcp
    destination_port_ranges: ["80"]

- name: Keep the load balancer's health probe off one VM (it then gets no new connections)
  cloudlb.azure.security_rule:
    resource_group: myResourceGroupLB
    security_group: myNetworkSecurityGroup
    name: cloudlb-drain-myNic1
    priority: 1000
    access: Deny
    protocol: Tcp
    source_address_prefixes: [AzureLoadBalancer]
    destination_address_prefixes: [10.0.0.4]
    destination_port_ranges: ["80"]

- name: Delete the rule
  cloudlb.azure.security_rule:
    resource_group: myResourceGroupLB
    security_group: myNetworkSecurityGroup
    name: cloudlb-drain-myNic1
    state: absent
"""

RETURN = r"""
security_rule:
  description: The rule after the change, or as it would be after it in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID of the rule.
      type: str
      returned: always
      sample: /subscriptions/.../resourceGroups/myRG/providers/Microsoft.Network/networkSecurityGroups/myNSG/securityRules/http
    name:
      description: Name of the rule.
      type: str
      returned: always
      sample: http
    priority:
      description: Priority.
      type: int
      returned: always
      sample: 1001
    direction:
      description: V(Inbound) or V(Outbound).
      type: str
      returned: always
      sample: Inbound
    access:
      description: V(Allow) or V(Deny).
      type: str
      returned: always
      sample: Allow
    protocol:
      description: Protocol, V(*) for any.
      type: str
      returned: always
      sample: Tcp
    source_address_prefixes:
      description: Source addresses.
      type: list
      elements: str
      returned: always
      sample: ["*"]
    source_port_ranges:
      description: Source ports.
      type: list
      elements: str
      returned: always
      sample: ["*"]
    destination_address_prefixes:
      description: Destination addresses.
      type: list
      elements: str
      returned: always
      sample: ["*"]
    destination_port_ranges:
      description: Destination ports.
      type: list
      elements: str
      returned: always
      sample: ["80"]
    description:
      description: Description, V(null) when none.
      type: str
      returned: always
      sample: null
    provisioning_state:
      description: Provisioning state Azure reports; V(null) in check mode for a new rule.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import NetworkResource, fetch
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import SECURITY_GROUP, resource_id
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._security_group import (
    COMPARED,
    desired_rule,
    rule_body,
    rule_option_problems,
    rule_spec,
    rule_to_dict,
)

ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    security_group=dict(type="str", required=True, aliases=["nsg_name"]),
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    **rule_spec(defaults=False),
)


def diff_view(rule):
    return {key: value for key, value in rule.items() if key != "provisioning_state"} if rule else {}


def options(module):
    """The rule the task names; OptionError for what Azure would refuse, before any request."""
    params = module.params
    group, nsg, name = params["resource_group"], params["security_group"], params["name"]
    problems = [group_problem(group), name_problem(nsg, "security group name")]
    if params["state"] == "present":
        problems += rule_option_problems({key: params[key] for key in ("name",) + COMPARED})
    else:
        problems.append(name_problem(name, "rule name"))
    check_options(problems)
    return NetworkResource(module, "security_rules", (group, nsg, name),
                           f"security rule {name} of security group {nsg}", rule_to_dict, "security_rule", diff_view)


def ensure_present(module, rule):
    params = module.params
    group, nsg, name = rule.path
    current = rule.read()
    if current is None and params["priority"] is None:
        raise ModuleFailure(f"Cannot create {rule.what}: priority is required to create a rule")
    if current is None and fetch(module, lambda: module.client("network").network_security_groups.get(group, nsg),
                                 f"security group {nsg}") is None:
        # The rule's GET says 404 for a missing group too: read the group before writing into it.
        raise ModuleFailure(f"Cannot create {rule.what}: security_group: security group {nsg} does not exist in"
                            f" resource group {group}")
    rule_id = resource_id(module.subscription_id, group, SECURITY_GROUP, nsg, "securityRules", name)
    desired = desired_rule(params, current, rule_id, keep=True)
    return rule.ensure_present(desired, desired is not current, rule_body)


def ensure_absent(module, rule):
    return rule.ensure_absent()


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True)
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
