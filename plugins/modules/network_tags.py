#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: network_tags
short_description: Set or remove some tags of a load balancer or network interface, only if others are as expected
version_added: 0.1.0
description:
  - Add, change or remove individual tags of an Azure load balancer or network interface (NIC),
    leaving its other tags and everything else as they are.
  - With O(expect), change them only when some tags hold the values you expect, and fail
    otherwise. The check and the write are one atomic step, as the module writes the resource with
    the C(ETag) it read in C(If-Match), and when anyone wrote it in between, it reads it again
    and checks again. This makes a tag a lock or a lease several processes, hosts or AWX jobs can
    compete for; the role C(cloudlb.azure.rolling_maintenance) keeps its lock and its drain marks so.
  - Without changes to make, the module only reads, and returns the tags.
  - A second run with the same options changes nothing and sends no write request to Azure.
options:
  resource_group:
    description: Resource group of the resource.
    type: str
    required: true
  load_balancer:
    description:
      - Name of the load balancer whose tags to change. Exactly one of O(load_balancer) and
        O(network_interface) is required.
    type: str
  network_interface:
    description: Name of the network interface whose tags to change.
    type: str
  set:
    description: Tags to add or change, name to value.
    type: dict
    default: {}
  remove:
    description: Names of tags to remove; a name that is not there is ignored.
    type: list
    elements: str
    default: []
  expect:
    description:
      - Tags that must hold these values for the change to be made, name to value; V(null)
        means the tag must be absent.
      - When one does not, the module fails, changes nothing, and returns RV(tags) as they are
        and RV(conflicts).
    type: dict
    default: {}
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
    details: The diff shows the tags before and after.
notes:
  - Azure takes a load balancer or a NIC only whole, so the module writes the whole resource
    as it read it, with the tags changed; on a load balancer that is an update operation.
seealso:
  - module: cloudlb.azure.lb_pool_member
  - module: cloudlb.azure.load_balancer_info
  - module: cloudlb.azure.network_interface_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Take a lock on the load balancer, unless someone holds it
  cloudlb.azure.network_tags:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    set:
      maintenance-lock: "run=1234;expires=1767225600"
    expect:
      maintenance-lock: null

- name: Release it, if it is still ours
  cloudlb.azure.network_tags:
    resource_group: myTutorial8
    load_balancer: myLoadBalancer
    remove: [maintenance-lock]
    expect:
      maintenance-lock: "run=1234;expires=1767225600"

- name: Read a NIC's tags
  cloudlb.azure.network_tags:
    resource_group: myTutorial8
    network_interface: myNicVM1
  register: nic_tags
"""

RETURN = r"""
tags:
  description:
    - The tags after the change (as predicted in check mode), or as they are when the module
      failed on O(expect).
  returned: always
  type: dict
  sample: {environment: demo, maintenance-lock: "run=1234;expires=1767225600"}
conflicts:
  description: The tags of O(expect) that did not hold, each with C(name), C(expected) and C(actual).
  returned: when O(expect) did not hold
  type: list
  elements: dict
  sample: [{name: maintenance-lock, expected: null, actual: "run=999;expires=1767225000"}]
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import normalize_tags, tag_problems

KINDS = {
    "load_balancer": ("load_balancers", "LoadBalancer", "load balancer"),
    "network_interface": ("network_interfaces", "NetworkInterface", "network interface"),
}


def conflicts(tags, expect):
    """The entries of ``expect`` that ``tags`` do not satisfy."""
    return [{"name": name, "expected": wanted, "actual": tags.get(name)}
            for name, wanted in expect.items() if tags.get(name) != wanted]


def changed_tags(tags, to_set, to_remove):
    result = {name: value for name, value in tags.items() if name not in to_remove}
    result.update(to_set)
    return result


def options(module):
    """(kind, name, tags to set, tags expected); OptionError for what Azure would refuse, before any request."""
    p = module.params
    kind = "load_balancer" if p["load_balancer"] else "network_interface"
    name = p[kind]
    to_set = normalize_tags(p["set"])
    expect = {key: None if value is None else str(value) for key, value in p["expect"].items()}
    problems = [group_problem(p["resource_group"]), name_problem(name, f"{KINDS[kind][2]} name")] + tag_problems(to_set)
    both = sorted(set(to_set) & set(p["remove"]))
    if both:
        problems.append(f"tags {', '.join(both)} are both in set and in remove")
    check_options(problems)
    return kind, name, to_set, expect


def ensure_tags(module, spec):
    """Set and remove the tags under If-Match, provided the tags in ``expect`` have the values expected."""
    kind, name, to_set, expect = spec
    p = module.params
    operations_name, model, noun = KINDS[kind]
    what = f"{noun} {name}"

    def apply(current):
        if current is None:
            raise ModuleFailure(f"The {what} does not exist (resource group {p['resource_group']})", tags={})
        tags = dict(current.get("tags") or {})
        unmet = conflicts(tags, expect)
        if unmet:
            said = "; ".join(f"{c['name']} is {c['actual']!r}, expected {c['expected']!r}" for c in unmet)
            raise ModuleFailure(f"Tags of {what} are not as expected, nothing changed: {said}", tags=tags,
                                conflicts=unmet)
        wanted = changed_tags(tags, to_set, p["remove"])
        if wanted == tags:
            return None
        problems = tag_problems(wanted)
        if problems:
            raise ModuleFailure(f"The tags of {what} would be invalid: " + "; ".join(problems), tags=tags)
        return dict(current, tags=wanted)

    operations = getattr(module.client("network"), operations_name)
    before, after, changed = update(module, operations, p["resource_group"], name, apply, what, model=model,
                                    failure=lambda _c: f"Failed to change the tags of {what}")
    before_tags, after_tags = dict(before.get("tags") or {}), dict(after.get("tags") or {})
    return Result(changed, {"tags": before_tags}, {"tags": after_tags}, tags=after_tags)


def main():
    module = AzureModule(
        argument_spec=dict(
            resource_group=dict(type="str", required=True),
            load_balancer=dict(type="str"),
            network_interface=dict(type="str"),
            set=dict(type="dict", default={}),
            remove=dict(type="list", elements="str", default=[]),
            expect=dict(type="dict", default={}),
        ),
        wait=True,
        mutually_exclusive=[("load_balancer", "network_interface")],
        required_one_of=[("load_balancer", "network_interface")],
    )
    module.run(options, ensure_tags)


if __name__ == "__main__":
    main()
