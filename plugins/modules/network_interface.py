#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: network_interface
short_description: Create, update or delete an Azure network interface
version_added: 0.1.0
description:
  - Create a network interface (NIC) in a subnet, with an optional network security group,
    public IP address, static private IP address, load balancer backend pools and inbound NAT
    rules, and more ip configurations than the primary one; change these; or delete the NIC.
  - The top-level options describe the NIC's primary ip configuration, which
    C(az network nic create) and this module name V(ipconfig1) when they create it.
  - Updating a NIC never removes what the task does not name. Backend pools and inbound NAT
    rules given here are added to those the ip configuration already has; to take an ip
    configuration out of a pool, use M(cloudlb.azure.lb_pool_member) with O(cloudlb.azure.lb_pool_member#module:state=absent).
    Ip configurations not listed in O(ip_configurations) are kept.
  - A second run with the same options changes nothing and sends no write request to Azure.
  - Before its first write the module reads what the NIC is to refer to, and a subnet, security
    group, public IP, backend pool or NAT rule that does not exist or is in another region, or a
    static address outside its subnet (or among the five Azure keeps), fails the task naming the
    option, with nothing written.
  - Updates are sent with the NIC's C(ETag) in C(If-Match); when another task changed the NIC in
    between, the module reads it again and re-applies its change, so concurrent tasks on one NIC
    (for example M(cloudlb.azure.lb_pool_member)) do not undo each other.
options:
  resource_group:
    description: Resource group of the NIC.
    type: str
    required: true
  name:
    description:
      - Name of the NIC.
      - 1 to 80 letters, digits, underscores, periods and hyphens; it starts with a letter, digit
        or underscore and ends with a letter, digit or underscore.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the NIC.
      - V(absent) deletes it. Azure refuses (C(NicInUse)) while a virtual machine uses the NIC.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Azure region of the NIC, such as V(westus).
      - Defaults to the region of the virtual network of O(subnet), where Azure requires the NIC to be.
      - The region of an existing NIC cannot be changed; a different value is an error.
    type: str
  virtual_network:
    description:
      - The virtual network of O(subnet) and of the subnets of O(ip_configurations) given by name,
        itself given by name (in O(resource_group)) or by resource ID.
      - Needed when O(subnet) is a name.
    type: str
  subnet:
    description:
      - The subnet of the primary ip configuration, by name (in O(virtual_network)) or by resource ID.
      - Required with O(state=present). Changing it moves the primary ip configuration to that
        subnet of the same virtual network; a dynamic private IP address changes with it.
    type: str
  security_group:
    description:
      - Network security group of the NIC, by name (in O(resource_group)) or by resource ID.
      - V('') removes the NIC's security group. When omitted, the NIC's group is left as it is.
    type: str
  public_ip_address:
    description:
      - Public IP address of the primary ip configuration, by name (in O(resource_group)) or by
        resource ID. A public IP address serves one ip configuration at a time.
      - V('') removes it. When omitted, it is left as it is.
    type: str
  private_ip_address:
    description:
      - Static private IPv4 address of the primary ip configuration. It must lie in the subnet,
        be free, and not be one of the five addresses Azure reserves (the first four and the last).
      - Implies O(private_ip_allocation_method=Static). Without it, Azure gives the lowest free
        address of the subnet, from the fourth on.
    type: str
  private_ip_allocation_method:
    description:
      - V(Static) keeps O(private_ip_address); V(Dynamic) lets Azure choose the address.
      - Defaults to V(Static) when O(private_ip_address) is set, else to what the NIC has (V(Dynamic) for a new NIC).
    type: str
    choices: [Dynamic, Static]
  ip_forwarding:
    description: Whether the NIC forwards traffic not addressed to it (C(enableIPForwarding)).
    type: bool
  accelerated_networking:
    description:
      - Whether the NIC uses accelerated networking (C(enableAcceleratedNetworking)). The VM size
        must support it.
    type: bool
  load_balancer_backend_address_pools:
    description:
      - Load balancer backend pools of the primary ip configuration, each a resource ID or a dict
        with C(load_balancer) (name or ID), C(name) and optionally C(resource_group) (defaults to
        O(resource_group)).
      - Added to the pools the ip configuration has; none is removed.
    type: list
    elements: raw
  load_balancer_inbound_nat_rules:
    description:
      - Load balancer inbound NAT rules of the primary ip configuration, given like
        O(load_balancer_backend_address_pools). Added to those it has.
    type: list
    elements: raw
  ip_configurations:
    description:
      - Ip configurations besides the primary one, matched by name without regard to case; each
        is created or updated, and those not listed are kept.
      - An item with O(ip_configurations[].primary=true), or named like the primary ip
        configuration, describes the primary one; its settings must not contradict the top-level options.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the ip configuration (same rules as O(name)).
        type: str
        required: true
      primary:
        description: Whether this is the primary ip configuration. At most one item may say so.
        type: bool
      subnet:
        description:
          - Subnet by name (in O(virtual_network)) or resource ID. All ip configurations of a NIC
            are in one virtual network.
          - Defaults to O(subnet) for a new ip configuration.
        type: str
      private_ip_address:
        description: Static private IPv4 address, as O(private_ip_address).
        type: str
      private_ip_allocation_method:
        description: As O(private_ip_allocation_method).
        type: str
        choices: [Dynamic, Static]
      public_ip_address:
        description: Public IP address by name or resource ID; V('') removes it.
        type: str
      load_balancer_backend_address_pools:
        description: As O(load_balancer_backend_address_pools), for this ip configuration.
        type: list
        elements: raw
      load_balancer_inbound_nat_rules:
        description: As O(load_balancer_inbound_nat_rules), for this ip configuration.
        type: list
        elements: raw
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.wait
  - cloudlb.azure.tags
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details: For a new NIC, the private IP addresses Azure would choose are V(null).
  diff_mode:
    support: full
    details: The diff shows the NIC as RV(network_interface) shows it, without provisioning states.
notes:
  - Options are checked before any request to Azure (names, resource IDs, IPv4 addresses), so a
    mistake fails without touching anything. Azure's own refusals keep Azure's code in
    C(error_code), such as C(InvalidResourceReference) for a subnet, security group, public IP
    address or pool that does not exist, C(PrivateIPAddressIsAllocated) for a static address
    already in use, or C(NicInUse) when deleting a NIC a VM uses.
seealso:
  - module: cloudlb.azure.network_interface_info
  - module: cloudlb.azure.lb_pool_member
  - module: cloudlb.azure.virtual_network
  - module: cloudlb.azure.security_group
  - module: cloudlb.azure.public_ip
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create a NIC in the tutorial's subnet, with its security group
  cloudlb.azure.network_interface:
    resource_group: myResourceGroupLB
    name: myNicVM1
    virtual_network: myVnet
    subnet: mySubnet
    security_group: myNetworkSecurityGroup

- name: Create a NIC already in a load balancer's backend pool, with a static address
  cloudlb.azure.network_interface:
    resource_group: myResourceGroupLB
    name: myNicVM2
    virtual_network: myVnet
    subnet: mySubnet
    private_ip_address: 10.0.0.10
    load_balancer_backend_address_pools:
      - load_balancer: myLoadBalancer
        name: myBackEndPool

- name: Give a NIC a public IP address and a second ip configuration
  cloudlb.azure.network_interface:
    resource_group: myResourceGroupLB
    name: myNicVM3
    virtual_network: myVnet
    subnet: mySubnet
    public_ip_address: myPublicIPVM3
    ip_configurations:
      - name: ipconfig2
        private_ip_address: 10.0.0.20

- name: Take the NIC's security group away
  cloudlb.azure.network_interface:
    resource_group: myResourceGroupLB
    name: myNicVM1
    virtual_network: myVnet
    subnet: mySubnet
    security_group: ""

- name: Take a NIC out of a backend pool (network_interface only adds pools)
  cloudlb.azure.lb_pool_member:
    resource_group: myResourceGroupLB
    network_interface: myNicVM2
    load_balancer: myLoadBalancer
    backend_pool: myBackEndPool
    state: absent

- name: Delete a NIC
  cloudlb.azure.network_interface:
    resource_group: myResourceGroupLB
    name: myNicVM3
    state: absent
"""

RETURN = r"""
network_interface:
  description:
    - The NIC after the change, or as it would be after it in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID of the NIC.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Network/networkInterfaces/myNicVM1
    name:
      description: Name of the NIC.
      type: str
      returned: always
      sample: myNicVM1
    location:
      description: Region of the NIC.
      type: str
      returned: always
      sample: westus
    tags:
      description: Tags of the NIC.
      type: dict
      returned: always
      sample: {environment: demo}
    provisioning_state:
      description: Provisioning state Azure reports; V(null) in check mode for a new NIC.
      type: str
      returned: always
      sample: Succeeded
    security_group:
      description: Resource ID of the NIC's network security group, or V(null).
      type: str
      returned: always
    ip_forwarding:
      description: Whether IP forwarding is enabled.
      type: bool
      returned: always
      sample: false
    accelerated_networking:
      description: Whether accelerated networking is enabled.
      type: bool
      returned: always
      sample: false
    private_ip_address:
      description: Private IP address of the primary ip configuration (V(null) in check mode until Azure chose it).
      type: str
      returned: always
      sample: 10.0.0.4
    mac_address:
      description: MAC address, which Azure gives once a virtual machine uses the NIC; V(null) before.
      type: str
      returned: always
      sample: 00-0D-3A-1B-C7-21
    primary:
      description: Whether the NIC is its virtual machine's primary NIC; V(null) without a virtual machine.
      type: bool
      returned: always
    virtual_machine:
      description: Resource ID of the virtual machine that uses the NIC, or V(null).
      type: str
      returned: always
    ip_configurations:
      description: The NIC's ip configurations.
      type: list
      elements: dict
      returned: always
      contains:
        id:
          description: Resource ID of the ip configuration (what backend pools list).
          type: str
          returned: always
          sample: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/\
            Microsoft.Network/networkInterfaces/myNicVM1/ipConfigurations/ipconfig1"
        name:
          description: Name of the ip configuration.
          type: str
          returned: always
          sample: ipconfig1
        primary:
          description: Whether it is the primary ip configuration.
          type: bool
          returned: always
          sample: true
        private_ip_address:
          description: Its private IP address.
          type: str
          returned: always
          sample: 10.0.0.4
        private_ip_allocation_method:
          description: V(Dynamic) or V(Static).
          type: str
          returned: always
          sample: Dynamic
        private_ip_address_version:
          description: V(IPv4) or V(IPv6).
          type: str
          returned: always
          sample: IPv4
        subnet:
          description: Resource ID of its subnet.
          type: str
          returned: always
        public_ip_address:
          description: Resource ID of its public IP address, or V(null).
          type: str
          returned: always
        load_balancer_backend_address_pools:
          description: Resource IDs of the backend pools it is in.
          type: list
          elements: str
          returned: always
        load_balancer_inbound_nat_rules:
          description: Resource IDs of its inbound NAT rules.
          type: list
          elements: str
          returned: always
        provisioning_state:
          description: Provisioning state Azure reports.
          type: str
          returned: always
          sample: Succeeded
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import NetworkResource
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import (
    NETWORK_INTERFACE,
    SECURITY_GROUP,
    parse_id,
    resource_id,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, OptionError
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import (
    address_outside,
    comparable,
    desired_ip_configurations,
    desired_nic,
    diff_view,
    nic_to_dict,
    reference,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._references import References, child
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import (
    location_problem,
    moved_problem,
    normalize_location,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags

REFERENCE_LIST = dict(type="list", elements="raw")
ALLOCATION = dict(type="str", choices=["Dynamic", "Static"])
ARGUMENT_SPEC = dict(
    RESOURCE_ARGUMENT_SPEC,
    virtual_network=dict(type="str"),
    subnet=dict(type="str"),
    security_group=dict(type="str"),
    public_ip_address=dict(type="str"),
    private_ip_address=dict(type="str"),
    private_ip_allocation_method=ALLOCATION,
    ip_forwarding=dict(type="bool"),
    accelerated_networking=dict(type="bool"),
    load_balancer_backend_address_pools=REFERENCE_LIST,
    load_balancer_inbound_nat_rules=REFERENCE_LIST,
    ip_configurations=dict(
        type="list",
        elements="dict",
        options=dict(
            name=dict(type="str", required=True),
            primary=dict(type="bool"),
            subnet=dict(type="str"),
            private_ip_address=dict(type="str"),
            private_ip_allocation_method=ALLOCATION,
            public_ip_address=dict(type="str"),
            load_balancer_backend_address_pools=REFERENCE_LIST,
            load_balancer_inbound_nat_rules=REFERENCE_LIST,
        ),
    ),
)


def options(module):
    """(ip configuration specs, security group id), None for state=absent; OptionError for
    anything Azure would refuse, before any request."""
    params = module.params
    problem = (group_name_problem(params["resource_group"]) or name_problem(params["name"], "network interface name")
               or location_problem(params["location"]))
    if problem:
        raise OptionError(f"Invalid option: {problem}")
    if params["state"] == "absent":
        return None
    if not params["subnet"]:
        raise OptionError("subnet is required with state=present: the subnet of the NIC's primary ip configuration")
    # Resource IDs need the subscription; resolving it reads options and environment only.
    subscription = module.subscription_id
    specs = desired_ip_configurations(params, subscription, params["resource_group"])
    security_group = reference(params["security_group"], subscription, params["resource_group"], SECURITY_GROUP,
                               "network security group")
    return specs, security_group


class PlannedInterface:
    """The NIC a task asks for, as its read-modify-write sees it: where it goes and what it refers
    to, each checked once, before the first write."""

    def __init__(self, module, specs, security_group):
        self.module = module
        self.params = module.params
        self.name = module.params["name"]
        self.specs = specs
        self.security_group = security_group
        self.what = f"network interface {self.name}"
        self.nic_id = resource_id(module.subscription_id, module.params["resource_group"], NETWORK_INTERFACE, self.name)
        self.refs = References(module, module.client("network"))
        self.checked = False

    def apply(self, current):
        """The body to PUT over ``current`` (Azure's JSON, None for a new NIC); None when it is as wanted."""
        tags, _changed = merge_tags(current and current.get("tags"), self.params["tags"], self.params["append_tags"])
        settings = {
            "location": self.location(current),
            "tags": tags,
            "security_group": self.security_group,
            "ip_forwarding": self.params["ip_forwarding"],
            "accelerated_networking": self.params["accelerated_networking"],
        }
        body = desired_nic(current, settings, self.specs, self.nic_id)
        if comparable(current) == comparable(body):
            return None
        self.check_references(settings["location"])
        return body

    def location(self, current):
        wanted = normalize_location(self.params["location"])
        if current:
            moved = moved_problem("network interface", current["location"], self.params["location"])
            if moved:
                raise ModuleFailure(f"Cannot update network interface {self.name}: {moved}")
            return current["location"]
        region = self.vnet_location(wanted)
        if wanted and wanted != normalize_location(region):
            # Azure refuses a NIC whose subnet is in another region (InvalidResourceReference).
            raise ModuleFailure(f"location: virtual network {parse_id(self.specs[0]['subnet'])['name']} is in"
                                f" {region}, not {self.params['location']}; a NIC must be in its virtual network's"
                                " region")
        return region

    def vnet_location(self, wanted):
        """A new NIC goes where its virtual network is (one GET, before any write). Under check
        mode a network an earlier task only planned is not there yet: the NIC is planned in
        ``wanted``, the location the task gives."""
        vnet = self.refs.resource(self.specs[0]["subnet"])
        if vnet is None and self.module.check_mode and wanted:
            return wanted
        if vnet is None:
            raise ModuleFailure(f"subnet: virtual network {parse_id(self.specs[0]['subnet'])['name']} does not"
                                f" exist (resource group {parse_id(self.specs[0]['subnet'])['resource_group']})")
        return vnet["location"]

    def check_references(self, location):
        """Raise, before the first write, on what Azure would refuse in what the NIC refers to: a
        subnet, security group, public IP, backend pool or NAT rule that does not exist or is in
        another region, a static address outside its subnet."""
        if self.checked:
            return
        self.checked = True
        refs = [("security_group", self.security_group, "network security group")] if self.security_group else []
        for spec in self.specs:
            refs += [("subnet", spec["subnet"], "subnet")] if spec["subnet"] else []
            refs += [("public_ip_address", spec["public_ip_address"], "public IP address")] if spec["public_ip_address"] else []
            refs += [("load_balancer_backend_address_pools", pool, "backend address pool") for pool in spec["pools"]]
            refs += [("load_balancer_inbound_nat_rules", rule, "inbound NAT rule") for rule in spec["nat_rules"]]
        problems = self.refs.problems(refs, location, "network interface")
        for spec in self.specs:
            subnet = child(self.refs.resource(spec["subnet"]), spec["subnet"]) if spec["subnet"] else None
            problem = address_outside(spec["private_ip_address"], subnet)
            if problem:
                problems.append(f"private_ip_address: {problem}")
        if problems:
            raise ModuleFailure(f"Cannot write {self.what}: " + "; ".join(problems) + ". Nothing was changed")


def ensure_present(module, spec):
    nic = PlannedInterface(module, *spec)
    # Read, change, PUT with If-Match; on 412 (someone wrote in between) read again and re-apply.
    before, after, changed = update(
        module, module.client("network").network_interfaces, module.params["resource_group"], nic.name, nic.apply,
        nic.what, model="NetworkInterface", failure=lambda current: f"Failed to {'update' if current else 'create'} {nic.what}")
    return Result(changed, diff_view(before), diff_view(after), network_interface=nic_to_dict(after))


def ensure_absent(module, _spec):
    params = module.params
    return NetworkResource(module, "network_interfaces", (params["resource_group"], params["name"]),
                           f"network interface {params['name']}", diff_view).ensure_absent()


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True, tags=True)
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()
