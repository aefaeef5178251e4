#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: public_ip
short_description: Create, update or delete an Azure public IP address
version_added: 0.1.0
description:
  - Create a public IP address, change its settings or tags, or delete it.
  - Returns the address Azure gave and its fully qualified domain name.
  - A second run with the same options changes nothing and sends no write request to Azure.
  - Options left out keep their current value on an existing address and take the documented
    default on a new one.
options:
  resource_group:
    description: Name of the resource group of the address.
    type: str
    required: true
  name:
    description:
      - Name of the public IP address.
      - 1 to 80 letters, digits, underscores, periods and hyphens; it begins with a letter,
        digit or underscore and ends with a letter, digit or underscore.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the address, V(absent) deletes it.
      - Azure refuses to delete an address a network interface or a load balancer still uses.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Region of the address. Defaults to the region of O(resource_group) when creating.
      - The region of an existing address cannot change.
    type: str
  sku:
    description:
      - SKU of the address. V(Standard) when creating, if not given.
      - V(Basic) is accepted for existing deployments, but Azure retired Basic public IP
        addresses on 2025-09-30; use V(Standard).
      - Azure can upgrade V(Basic) to V(Standard) (a static address only) but not the reverse.
    type: str
    choices: [Standard, Basic]
  allocation_method:
    description:
      - V(Static) keeps the same address for the life of the resource; V(Dynamic) (Basic only)
        gets an address only while a running VM uses it.
      - Defaults to V(Static) for a V(Standard) address and V(Dynamic) for a V(Basic) one.
      - A V(Standard) address must be V(Static).
    type: str
    choices: [Static, Dynamic]
  version:
    description:
      - IP version. V(IPv4) when creating, if not given. It cannot change later.
    type: str
    choices: [IPv4, IPv6]
  domain_name_label:
    description:
      - DNS label; Azure publishes C(<label>.<region>.cloudapp.azure.com) for the address.
      - 3 to 63 lower-case letters, digits and hyphens, starting with a letter, not ending
        with a hyphen, and unique in the region.
      - An empty string removes the label.
    type: str
  idle_timeout:
    description:
      - TCP idle timeout in minutes, 4 to 30. 4 when creating, if not given.
    type: int
  zones:
    description:
      - Availability zones of the address (C("1"), C("2"), C("3")); none (regional) when not
        given on creation.
      - Azure cannot change the zones of an existing address.
    type: list
    elements: str
    choices: ["1", "2", "3"]
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.wait
  - cloudlb.azure.tags
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details: In check mode the address of a new public IP is not known and RV(public_ip.ip_address) is V(null).
  diff_mode:
    support: full
seealso:
  - module: cloudlb.azure.public_ip_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create the tutorial's public IP (Standard, static, zone redundant)
  cloudlb.azure.public_ip:
    resource_group: myResourceGroupLB
    name: myPublicIP
    zones: ["1", "2", "3"]
  register: pip

- name: Show the address
  ansible.builtin.debug:
    msg: "The load balancer will answer on {{ pip.public_ip.ip_address }}"

- name: Give it a DNS name and a longer idle timeout
  cloudlb.azure.public_ip:
    resource_group: myResourceGroupLB
    name: myPublicIP
    domain_name_label: myapp-demo
    idle_timeout: 15

- name: Delete it
  cloudlb.azure.public_ip:
    resource_group: myResourceGroupLB
    name: myPublicIP
    state: absent
"""

RETURN = r"""
public_ip:
  description:
    - The public IP address after the change, or as it would be after it in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Network/publicIPAddresses/myPublicIP
    name:
      description: Name.
      type: str
      returned: always
      sample: myPublicIP
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
    sku:
      description: SKU name.
      type: str
      returned: always
      sample: Standard
    tier:
      description: SKU tier.
      type: str
      returned: always
      sample: Regional
    allocation_method:
      description: Allocation method.
      type: str
      returned: always
      sample: Static
    version:
      description: IP version.
      type: str
      returned: always
      sample: IPv4
    ip_address:
      description: The address; V(null) for a dynamic address not in use, or in check mode for a new one.
      type: str
      returned: always
      sample: 20.39.52.210
    domain_name_label:
      description: DNS label, or V(null).
      type: str
      returned: always
      sample: myapp-demo
    fqdn:
      description:
        - Fully qualified domain name Azure gives the label, or V(null) without a label.
        - In check mode, V(null) when the label would change, as Azure has not named it yet.
      type: str
      returned: always
      sample: myapp-demo.westus.cloudapp.azure.com
    idle_timeout:
      description: TCP idle timeout in minutes.
      type: int
      returned: always
      sample: 4
    zones:
      description: Availability zones, sorted; empty for a regional address.
      type: list
      elements: str
      returned: always
      sample: ["1", "2", "3"]
    ip_configuration:
      description: ID of the NIC IP configuration or load balancer frontend using the address, or V(null).
      type: str
      returned: always
      sample: null
    provisioning_state:
      description: Provisioning state Azure reports; V(null) in check mode for a new address.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import NetworkResource, group_location
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import PUBLIC_IP, resource_id
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import (
    domain_name_label_problem,
    idle_timeout_problem,
    name_problem,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._public_ip import (
    DEFAULT_IDLE_TIMEOUT,
    body_for,
    to_dict,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import location_problem, moved_problem, normalize_location
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags

SETTINGS = ("sku", "allocation_method", "version", "domain_name_label", "idle_timeout", "zones", "tags")


def options(module):
    """The address the task names; OptionError for what Azure would refuse, before any request."""
    params = module.params
    problems = [
        name_problem(params["name"], "public IP name"),
        location_problem(params["location"]),
        idle_timeout_problem(params["idle_timeout"]),
        domain_name_label_problem(params["domain_name_label"]),
    ]
    if params["allocation_method"] == "Dynamic" and params["sku"] != "Basic":
        problems.append("allocation_method=Dynamic needs sku=Basic: a Standard public IP address must be Static")
    check_options(problems)
    return NetworkResource(module, "public_ip_addresses", (params["resource_group"], params["name"]),
                           f"public IP {params['name']}", to_dict, "public_ip")


def desired_state(module, current):
    """The address as it should be; ModuleFailure for a change Azure cannot make."""
    params = module.params
    label = params["domain_name_label"]
    if current is None:
        sku = params["sku"] or "Standard"
        location = normalize_location(params["location"]) or group_location(module, params["resource_group"])
        return {
            "id": resource_id(module.subscription_id, params["resource_group"], PUBLIC_IP, params["name"]),
            "name": params["name"],
            "location": location,
            "tags": merge_tags({}, params["tags"], params["append_tags"])[0],
            "sku": sku,
            "tier": "Regional",
            "allocation_method": params["allocation_method"] or ("Static" if sku == "Standard" else "Dynamic"),
            "version": params["version"] or "IPv4",
            "ip_address": None,
            "domain_name_label": label or None,
            "fqdn": None,
            "idle_timeout": params["idle_timeout"] or DEFAULT_IDLE_TIMEOUT,
            "zones": sorted(params["zones"] or []),
            "ip_configuration": None,
            "provisioning_state": None,
        }
    refusals = [moved_problem("public IP address", current["location"], params["location"])]
    if params["version"] and params["version"] != current["version"]:
        refusals.append(f"it is {current['version']}, and Azure cannot change the IP version")
    if params["zones"] is not None and sorted(params["zones"]) != current["zones"]:
        refusals.append(f"its zones are {current['zones']}, and Azure cannot change the zones of an address")
    if params["sku"] == "Basic" and current["sku"] == "Standard":
        refusals.append("sku is Basic, but it is Standard, and Azure cannot downgrade a public IP address to Basic")
    refusals = [refusal for refusal in refusals if refusal]
    if refusals:
        raise ModuleFailure(f"Cannot update public IP {params['name']}: " + "; ".join(refusals)
                            + ". Delete it and create it again to change this.")
    desired = dict(current)
    for key in ("sku", "allocation_method", "idle_timeout"):
        if params[key] is not None:
            desired[key] = params[key]
    if desired["sku"] == "Standard" and params["allocation_method"] is None:
        desired["allocation_method"] = "Static"
    if desired["sku"] == "Standard" and desired["allocation_method"] != "Static":
        raise ModuleFailure(f"Cannot update public IP {params['name']}: a Standard public IP address must be Static")
    if label is not None and (label or None) != current["domain_name_label"]:
        desired["domain_name_label"] = label or None
        desired["fqdn"] = None
    desired["tags"] = merge_tags(current["tags"], params["tags"], params["append_tags"])[0]
    return desired


def ensure_present(module, ip):
    current = ip.read()
    desired = desired_state(module, current)
    return ip.ensure_present(desired, current and any(desired[key] != current[key] for key in SETTINGS), body_for)


def ensure_absent(module, ip):
    return ip.ensure_absent()


def main():
    module = AzureModule(
        argument_spec=dict(
            RESOURCE_ARGUMENT_SPEC,
            sku=dict(type="str", choices=["Standard", "Basic"]),
            allocation_method=dict(type="str", choices=["Static", "Dynamic"]),
            version=dict(type="str", choices=["IPv4", "IPv6"]),
            domain_name_label=dict(type="str"),
            idle_timeout=dict(type="int"),
            zones=dict(type="list", elements="str", choices=["1", "2", "3"]),
        ),
        wait=True,
        tags=True,
    )
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
