#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group
short_description: Create, update or delete an Azure network security group and its rules
version_added: 0.1.0
description:
  - Create a network security group (NSG) with its security rules, change its rules or tags,
    or delete it.
  - Rules are given inline and matched by name; a listed rule that differs is updated.
    Rules not listed are kept unless O(purge_rules=true).
  - The six default rules Azure adds to every NSG (priorities 65000 to 65500) cannot be
    changed; they are returned as RV(security_group.default_rules).
  - Rules are checked before any request is sent (priorities, port ranges, address prefixes,
    names, and that no two rules share a priority in the same direction).
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  resource_group:
    description: Name of the resource group of the NSG.
    type: str
    required: true
  name:
    description:
      - Name of the NSG.
      - 1 to 80 letters, digits, underscores, periods and hyphens; it begins with a letter,
        digit or underscore and ends with a letter, digit or underscore.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the NSG, V(absent) deletes it.
      - Azure refuses to delete an NSG that a subnet or a network interface uses.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Region of the NSG. Defaults to the region of O(resource_group) when creating.
      - The region of an existing NSG cannot change.
    type: str
  rules:
    description:
      - Security rules. Omitted fields take the defaults of C(az network nsg rule create).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the rule, unique in the NSG.
        type: str
        required: true
      priority:
        description:
          - Priority, 100 to 4096; lower numbers are processed first.
          - Each priority can be used once per direction.
        type: int
        required: true
      direction:
        description: Traffic the rule applies to.
        type: str
        choices: [Inbound, Outbound]
        default: Inbound
      access:
        description: Whether matching traffic is allowed or denied.
        type: str
        choices: [Allow, Deny]
        default: Allow
      protocol:
        description: Protocol the rule applies to; V(*) for any.
        type: str
        choices: [Tcp, Udp, Icmp, Esp, Ah, "*"]
        default: "*"
      source_address_prefixes:
        description:
          - Source addresses, each V(*), an IP address, a CIDR prefix such as V(10.0.0.0/24) or a
            service tag such as V(Internet), V(VirtualNetwork) or V(AzureLoadBalancer).
        type: list
        elements: str
        default: ["*"]
        aliases: [source_address_prefix]
      source_port_ranges:
        description: Source ports, each V(*), a port such as V(80) or a range such as V(1000-2000).
        type: list
        elements: str
        default: ["*"]
        aliases: [source_port_range]
      destination_address_prefixes:
        description: Destination addresses, in the forms of O(rules[].source_address_prefixes).
        type: list
        elements: str
        default: ["*"]
        aliases: [destination_address_prefix]
      destination_port_ranges:
        description: Destination ports, in the forms of O(rules[].source_port_ranges).
        type: list
        elements: str
        default: ["80"]
        aliases: [destination_port_range]
      description:
        description: Description, at most 140 characters.
        type: str
  purge_rules:
    description:
      - With V(true), rules of the NSG that O(rules) does not list are deleted.
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
seealso:
  - module: cloudlb.azure.security_group_info
  - module: cloudlb.azure.virtual_network
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create the tutorial's NSG, allowing HTTP from the Internet
  cloudlb.azure.security_group:
    resource_group: myResourceGroupLB
    name: myNSG
    rules:
      - name: myNSGRuleHTTP
        priority: 200
        protocol: Tcp
        source_address_prefixes: [Internet]
        destination_port_ranges: ["80"]

- name: Allow SSH from one network too, keeping the other rules
  cloudlb.azure.security_group:
    resource_group: myResourceGroupLB
    name: myNSG
    rules:
      - name: ssh
        priority: 300
        protocol: Tcp
        source_address_prefixes: [203.0.113.0/24]
        destination_port_ranges: ["22"]

- name: Keep exactly these rules
  cloudlb.azure.security_group:
    resource_group: myResourceGroupLB
    name: myNSG
    purge_rules: true
    rules:
      - name: myNSGRuleHTTP
        priority: 200
        protocol: Tcp
        source_address_prefixes: [Internet]
        destination_port_ranges: ["80", "443"]
"""

RETURN = r"""
security_group:
  description: The NSG after the change, or as it would be after it in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Network/networkSecurityGroups/myNSG
    name:
      description: Name.
      type: str
      returned: always
      sample: myNSG
    location:
      description: Region.
      type: str
      returned: always
      sample: westus
    tags:
      description: Tags.
      type: dict
      returned: always
      sample: {}
    rules:
      description:
        - Security rules, sorted by direction and priority, with the fields of O(rules) plus
          C(id) and C(provisioning_state).
      type: list
      elements: dict
      returned: always
      sample:
        - name: http
          id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myRG/providers/Microsoft.Network/networkSecurityGroups/myNSG/securityRules/http
          priority: 200
          direction: Inbound
          access: Allow
          protocol: Tcp
          source_address_prefixes: [Internet]
          source_port_ranges: ["*"]
          destination_address_prefixes: ["*"]
          destination_port_ranges: ["80"]
          description: null
          provisioning_state: Succeeded
    default_rules:
      description: The default rules Azure adds, in the shape of RV(security_group.rules); empty in check mode for a new NSG.
      type: list
      elements: dict
      returned: always
    network_interfaces:
      description: IDs of the network interfaces that use the NSG.
      type: list
      elements: str
      returned: always
      sample: []
    subnets:
      description: IDs of the subnets that use the NSG.
      type: list
      elements: str
      returned: always
      sample: []
    provisioning_state:
      description: Provisioning state; V(null) in check mode for a new NSG.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import NetworkResource, group_location
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import SECURITY_GROUP, resource_id
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem, rule_problems
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import location_problem, moved_problem, normalize_location
from ansible_collections.cloudlb.azure.plugins.module_utils._security_group import (
    body_for,
    merge_rules,
    rule_spec,
    rules_differ,
    to_dict,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags

RULE_SPEC = dict(name=dict(type="str", required=True), **rule_spec(required=("priority",)))


def options(module):
    """The security group the task names; OptionError for what Azure would refuse, before any request."""
    params = module.params
    check_options([name_problem(params["name"], "security group name"), location_problem(params["location"])]
                  + rule_problems(params["rules"]))
    return NetworkResource(module, "network_security_groups", (params["resource_group"], params["name"]),
                           f"security group {params['name']}", to_dict, "security_group")


def desired_state(module, current):
    params = module.params
    rg = params["resource_group"]
    if current is None:
        nsg_id = resource_id(module.subscription_id, rg, SECURITY_GROUP, params["name"])
        return {
            "id": nsg_id,
            "name": params["name"],
            "location": normalize_location(params["location"]) or group_location(module, rg),
            "tags": merge_tags({}, params["tags"], params["append_tags"])[0],
            "rules": merge_rules([], params["rules"] or [], True, nsg_id),
            "default_rules": [],
            "network_interfaces": [],
            "subnets": [],
            "provisioning_state": None,
        }
    moved = moved_problem("security group", current["location"], params["location"])
    if moved:
        raise ModuleFailure(f"Cannot update security group {params['name']}: {moved}")
    desired = dict(current)
    if params["rules"] is not None:
        desired["rules"] = merge_rules(current["rules"], params["rules"], params["purge_rules"], current["id"])
        # Kept rules are only known now: a listed rule may take the priority of one of them.
        problems = rule_problems(desired["rules"])
        if problems:
            raise ModuleFailure(f"Cannot update security group {params['name']}: " + "; ".join(problems))
    desired["tags"] = merge_tags(current["tags"], params["tags"], params["append_tags"])[0]
    return desired


def ensure_present(module, nsg):
    current = nsg.read()
    desired = desired_state(module, current)
    return nsg.ensure_present(desired, current and (current["tags"] != desired["tags"]
                                                    or rules_differ(current["rules"], desired["rules"])), body_for)


def ensure_absent(module, nsg):
    return nsg.ensure_absent()


def main():
    module = AzureModule(
        argument_spec=dict(
            RESOURCE_ARGUMENT_SPEC,
            rules=dict(type="list", elements="dict", options=RULE_SPEC),
            purge_rules=dict(type="bool", default=False),
        ),
        wait=True,
        tags=True,
    )
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
