"""The bad-input table: for every module, options Azure refuses (names per Azure's "Naming rules
and restrictions" for that type, ports, priorities, CIDRs, enums, mutual exclusions, references
to missing resources, immutable properties), each with the words the refusal must contain: the
option's name, or the name of what it names. test_bad_input_*.py run them, one playbook per
file, every case a task.

The naming rules (learn.microsoft.com, azure-resource-manager/management/resource-name-rules):
resource groups 1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending
in a period; Microsoft.Network resources 1-80 (virtual networks 2-64) letters, digits, '_', '.'
and '-', from a letter, digit or '_' to a letter, digit or '_'; Linux VMs 1-64.

A shared check (the group name, a network name) gets every bad value where it names what the
module manages, and two or three where it names a resource the module only refers to: enough to
show the module applies it, without paying for the same check 20 times in `make test`.

``GROUP`` is a resource group the test file builds with the plain SDK (``build``): public IPs
``pip`` and ``pip2`` (Standard, westus), VNets ``vnet`` and ``vnet-other`` (subnet ``web``),
NSG ``nsg``; with ``lb``: load balancer ``lb`` (frontend ``fe`` on pip, pool ``pool``, probe
``http``, rule ``web``, empty pool ``ippool``), NIC ``nic1`` in the pool and ``nic-other`` in
vnet-other; with ``compute``: availability sets ``avset`` and ``avset2`` (2 fault domains) and VM ``vm1`` on nic1.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter

GROUP = "{group}"
G = {"resource_group": GROUP}
BAD_GROUPS = ("", "rg/1", "rg#1", "rg.", "r" * 91, "rg 1", "rg?")
BAD_NETWORK_NAMES = ("-lead", "trail.", "trail-", "a b", "a/b", "a#b")
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx5CjX0ZZ0mUAg8KVBqvEwB4J1QWbF4a6XGm8VhyPG9 test@cloudlb"


def without(options, *keys):
    return {k: v for k, v in options.items() if k not in keys}


def bad_groups(module, options, every=False):
    """Resource group names Azure refuses, for a module with resource_group: all of them, or two."""
    for value in BAD_GROUPS if every else ("rg/1", "r" * 91):
        yield module, dict(without(options, "resource_group"), resource_group=value), "resource group"


def bad_names(module, options, what, option="name", longest=80, shortest=1, every=True):
    """Network names Azure refuses (see the docstring): all of them, or three."""
    values = list(BAD_NETWORK_NAMES if every else BAD_NETWORK_NAMES[::2]) + ["x" * (longest + 1)]
    if shortest > 1:
        values.append("x" * (shortest - 1))
    for value in values:
        yield module, dict(options, **{option: value}), what


def choices(module, options, option, *bad):
    for value in bad:
        yield module, dict(options, **{option: value}), option


def network_cases():
    """resource_group, public_ip, virtual_network and their _info modules."""
    for value in BAD_GROUPS:
        yield "resource_group_info", {"name": value}, "resource group"
        yield "resource_group", {"name": value, "location": "westus"}, "resource group"
    group = {"name": "rg-ok", "location": "westus"}
    yield from choices("resource_group", group, "location", "west-us", "west_us!")
    yield from choices("resource_group", {"name": "rg-ok"}, "state", "gone")
    yield "resource_group", dict(group, tags={"k" * 513: "v"}), "tag"
    yield "resource_group", dict(group, tags={"k": "v" * 257}), "tag"
    yield "resource_group", dict(group, tags={f"k{i}": "v" for i in range(51)}), "tag"
    yield "resource_group", dict(group, tags={"a<b": "v"}), "tag"
    yield "resource_group", {"name": "rg-ok", "wait_timeout": 0}, "wait_timeout"

    pip = dict(G, name="pip2")
    yield from bad_groups("public_ip", pip)
    yield from bad_names("public_ip", G, "public IP")
    yield from choices("public_ip", pip, "sku", "Premium", "standard2")
    yield from choices("public_ip", pip, "allocation_method", "Sometimes")
    yield from choices("public_ip", pip, "version", "IPv5")
    yield from choices("public_ip", pip, "zones", ["4"], ["0"])
    yield from choices("public_ip", pip, "idle_timeout", 3, 31, 0)
    yield from choices("public_ip", pip, "domain_name_label", "Upper", "-lead", "a", "x" * 64, "a_b")
    yield from choices("public_ip", pip, "location", "Mars", "west-us")
    yield "public_ip", dict(G, name="pip", sku="Basic"), "sku"
    yield "public_ip", dict(G, name="pip3", sku="Standard", allocation_method="Dynamic"), "allocation"
    yield "public_ip", dict(G, name="pip", location="eastus"), "location"
    yield from bad_groups("public_ip_info", G)
    yield from bad_names("public_ip_info", G, "public IP", every=False)

    vnet = dict(G, name="vnet2", address_prefixes=["10.9.0.0/16"])
    yield from bad_groups("virtual_network", vnet)
    yield from bad_names("virtual_network", without(vnet, "name"), "virtual network name", longest=64, shortest=2)
    yield from choices("virtual_network", without(vnet, "address_prefixes"), "address_prefixes",
                       ["10.9.0.1/16"], ["10.9.0.0/33"], ["abc"], ["10.9.0.0/16", "10.9.1.0/24"], ["10.9.0.0"],
                       ["300.1.0.0/16"], [])
    for subnets, words in (([{"name": "s", "address_prefix": "10.8.0.0/24"}], "outside"),
                           ([{"name": "s", "address_prefix": "10.9.0.0/30"}], "too small"),
                           ([{"name": "s", "address_prefix": "10.9.0.1/24"}], "host bits"),
                           ([{"name": "s", "address_prefix": "10.9.0.0/24"}, {"name": "t", "address_prefix": "10.9.0.0/25"}],
                            "overlap"),
                           ([{"name": "s", "address_prefix": "10.9.0.0/24"}, {"name": "S", "address_prefix": "10.9.1.0/24"}],
                            "twice"),
                           ([{"name": "-s", "address_prefix": "10.9.0.0/24"}], "subnet name"),
                           ([{"name": "s" * 81, "address_prefix": "10.9.0.0/24"}], "subnet name")):
        yield "virtual_network", dict(vnet, subnets=subnets), words
    yield from choices("virtual_network", vnet, "location", "west-us")
    yield "virtual_network", dict(G, name="vnet", address_prefixes=["10.0.0.0/16"], location="eastus"), "location"
    yield from bad_groups("virtual_network_info", G)
    yield from bad_names("virtual_network_info", G, "virtual network name", longest=64, shortest=2, every=False)


RULE = {"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "destination_port_ranges": ["80"]}


def security_cases():
    """security_group, security_rule and security_group_info."""
    nsg = dict(G, name="nsg2")
    yield from bad_groups("security_group", nsg)
    yield from bad_names("security_group", G, "security group")
    for change, words in (({"priority": 99}, "priority"), ({"priority": 4097}, "priority"), ({"priority": 0}, "priority"),
                          ({"direction": "Sideways"}, "direction"), ({"access": "Maybe"}, "access"),
                          ({"protocol": "Tcpx"}, "protocol"), ({"destination_port_ranges": ["70000"]}, "port range"),
                          ({"destination_port_ranges": ["90-80"]}, "port range"),
                          ({"destination_port_ranges": ["http"]}, "port range"),
                          ({"destination_port_ranges": ["1-2-3"]}, "port range"),
                          ({"source_port_ranges": ["-1"]}, "port range"),
                          ({"source_address_prefixes": ["NotATag"]}, "service tag"),
                          ({"source_address_prefixes": ["10.0.0.1/24"]}, "host bits"),
                          ({"source_address_prefixes": ["300.0.0.1"]}, "address prefix"),
                          ({"destination_address_prefixes": ["Storage."]}, "address prefix"),
                          ({"destination_address_prefixes": ["InternetX"]}, "service tag"),
                          ({"name": "-r"}, "rule name"), ({"name": "r" * 81}, "rule name"),
                          ({"description": "d" * 141}, "description")):
        yield "security_group", dict(nsg, rules=[dict(RULE, **change)]), words
    yield "security_group", dict(nsg, rules=[RULE, dict(RULE, name="r2")]), "priority"
    yield "security_group", dict(nsg, rules=[RULE, dict(RULE, priority=200)]), "twice"
    yield from choices("security_group", nsg, "location", "west-us")
    yield "security_group", dict(G, name="nsg", location="eastus"), "location"
    yield from bad_groups("security_group_info", G)
    yield from bad_names("security_group_info", G, "security group", every=False)

    rule = dict(G, security_group="nsg", name="r9", priority=300, direction="Inbound", access="Allow", protocol="Tcp",
                destination_port_ranges=["80"])
    yield from bad_groups("security_rule", rule)
    yield from bad_names("security_rule", without(rule, "name"), "rule name")
    yield from bad_names("security_rule", without(rule, "security_group"), "security group", option="security_group",
                         every=False)
    yield from choices("security_rule", rule, "priority", 99, 4097, -5)
    yield from choices("security_rule", rule, "direction", "Up")
    yield from choices("security_rule", rule, "access", "Perhaps")
    yield from choices("security_rule", rule, "protocol", "Http")
    yield "security_rule", dict(rule, destination_port_ranges=["65536"]), "port range"
    yield "security_rule", dict(rule, destination_port_ranges=["443-80"]), "port range"
    yield "security_rule", dict(rule, source_address_prefixes=["NoSuchTag"]), "service tag"
    yield "security_rule", dict(rule, source_address_prefixes=["10.1.2.3/8"]), "host bits"
    yield "security_rule", dict(rule, description="x" * 141), "description"
    yield "security_rule", dict(rule, security_group="nsg-missing"), "nsg-missing"


def lb_cases():
    """load_balancer(_info), lb_probe and lb_rule."""
    lb = dict(G, name="lb2", frontend_ip_configurations=[{"name": "fe", "public_ip_address": "pip2"}],
              backend_pools=["pool"])
    yield from bad_groups("load_balancer", lb)
    yield from bad_names("load_balancer", without(lb, "name"), "load balancer")
    yield from choices("load_balancer", lb, "sku", "Gateway2")
    yield from choices("load_balancer", lb, "location", "west-us")
    for frontends, words in (([{"name": "-fe", "public_ip_address": "pip2"}], "frontend IP configuration name"),
                             ([{"name": "fe"}], "fe"),
                             ([{"name": "fe", "public_ip_address": "pip2", "subnet": "web", "virtual_network": "vnet"}], "fe"),
                             ([{"name": "fe", "subnet": "web", "virtual_network": "vnet",
                                "private_ip_address": "10.0.0.300"}], "private_ip_address"),
                             ([{"name": "fe", "subnet": "web", "virtual_network": "vnet",
                                "private_ip_allocation_method": "Manual"}], "private_ip_allocation_method"),
                             ([{"name": "fe", "public_ip_address": "pip-missing"}], "pip-missing")):
        yield "load_balancer", dict(lb, frontend_ip_configurations=frontends), words
    yield "load_balancer", dict(lb, backend_pools=["-pool"]), "pool"
    yield "load_balancer", dict(lb, backend_pools=["p" * 81]), "pool"
    yield "load_balancer", dict(lb, probes=[{"name": "p", "protocol": "Icmp", "port": 80}]), "protocol"
    yield "load_balancer", dict(lb, probes=[{"name": "p", "protocol": "Tcp", "port": 0}]), "port"
    yield "load_balancer", dict(lb, rules=[{"name": "r", "protocol": "Tcp", "frontend_port": 80, "backend_port": 70000}]), \
        "backend_port"
    yield "load_balancer", dict(G, name="lb", sku="Basic"), "sku"
    yield "load_balancer", dict(lb, location="eastus"), "location"
    yield from bad_groups("load_balancer_info", G)
    yield from bad_names("load_balancer_info", G, "load balancer", every=False)

    probe = dict(G, load_balancer="lb", name="p9", protocol="Tcp", port=80)
    yield from bad_groups("lb_probe", probe)
    yield from bad_names("lb_probe", without(probe, "name"), "probe name")
    yield from bad_names("lb_probe", without(probe, "load_balancer"), "load balancer", option="load_balancer",
                         every=False)
    yield from choices("lb_probe", probe, "protocol", "Icmp", "tcp2")
    yield from choices("lb_probe", probe, "port", 0, 65536, -1)
    yield from choices("lb_probe", probe, "interval", 4, 0, 2147483648)
    yield from choices("lb_probe", probe, "number_of_probes", 0)
    yield from choices("lb_probe", probe, "probe_threshold", 0)
    yield "lb_probe", dict(probe, request_path="/health"), "request_path"
    yield "lb_probe", dict(probe, protocol="Http"), "request_path"
    # Not a case: a request_path without a leading "/" (Azure's own examples send "healthcheck.aspx",
    # specs/network/*/examples/LoadBalancerCreate.json) is accepted.
    yield "lb_probe", dict(probe, load_balancer="lb-missing"), "lb-missing"

    rule = dict(G, load_balancer="lb", name="r9", protocol="Tcp", frontend_port=8080, backend_port=80,
                frontend_ip_configuration="fe", backend_pool="pool", probe="http")
    yield from bad_groups("lb_rule", rule)
    yield from bad_names("lb_rule", without(rule, "name"), "rule name")
    yield from choices("lb_rule", rule, "protocol", "Icmp", "Http")
    yield from choices("lb_rule", rule, "frontend_port", 65535, 65536, -1)
    yield from choices("lb_rule", rule, "backend_port", 65536, -1)
    yield from choices("lb_rule", rule, "idle_timeout", 3, 31)
    yield from choices("lb_rule", rule, "load_distribution", "RoundRobin")
    yield "lb_rule", dict(rule, frontend_port=0), "frontend_port"
    yield "lb_rule", dict(rule, protocol="All", frontend_port=0, backend_port=0), "HA ports"
    yield "lb_rule", dict(rule, probe="missing-probe"), "missing-probe"
    yield "lb_rule", dict(rule, backend_pool="missing-pool"), "missing-pool"
    yield "lb_rule", dict(rule, frontend_ip_configuration="missing-fe"), "missing-fe"
    yield "lb_rule", dict(rule, load_balancer="lb-missing"), "lb-missing"
    yield "lb_rule", without(rule, "protocol"), "protocol"


def lb_member_cases():
    """lb_pool_member, lb_backend_address, lb_drain, lb_health_info and network_tags."""
    member = dict(G, network_interface="nic1", load_balancer="lb", backend_pool="pool")
    yield from bad_groups("lb_pool_member", member)
    yield from bad_names("lb_pool_member", without(member, "network_interface"), "network interface",
                         option="network_interface", every=False)
    yield from bad_names("lb_pool_member", without(member, "backend_pool"), "backend pool", option="backend_pool",
                         every=False)
    yield from choices("lb_pool_member", member, "state", "in")
    yield "lb_pool_member", dict(member, network_interface="nic-missing"), "nic-missing"
    yield "lb_pool_member", dict(member, backend_pool="pool-missing"), "pool-missing"
    yield "lb_pool_member", dict(member, load_balancer="lb-missing"), "lb-missing"
    yield "lb_pool_member", dict(member, ip_configuration="ipconfig9"), "ipconfig9"
    yield "lb_pool_member", dict(member, network_interface="nic-other"), "virtual network"

    address = dict(G, load_balancer="lb", backend_pool="pool", name="addr1", ip_address="10.0.0.9",
                   virtual_network="vnet")
    yield from bad_groups("lb_backend_address", address)
    yield from bad_names("lb_backend_address", without(address, "name"), "backend address name", every=False)
    yield from bad_names("lb_backend_address", without(address, "backend_pool"), "backend pool name",
                         option="backend_pool", every=False)
    yield from choices("lb_backend_address", address, "ip_address", "10.0.0.300", "abc")
    yield from choices("lb_backend_address", address, "admin_state", "Drain", "down")
    yield from choices("lb_backend_address", address, "state", "gone")
    yield "lb_backend_address", dict(without(address, "ip_address", "virtual_network"), state="absent",
                                     admin_state="Down"), "admin_state"
    yield "lb_backend_address", dict(without(address, "virtual_network"), subnet="web"), "subnet"
    yield "lb_backend_address", dict(without(address, "ip_address"), backend_pool="ippool"), "ip_address"
    yield "lb_backend_address", address, "holds network interfaces"        # pool is NIC-based
    yield "lb_backend_address", dict(address, backend_pool="pool-missing"), "pool-missing"
    yield "lb_backend_address", dict(address, load_balancer="lb-missing"), "lb-missing"

    health = dict(G, load_balancer="lb")
    yield from bad_groups("lb_health_info", health)
    yield from bad_names("lb_health_info", G, "load balancer", option="load_balancer", every=False)
    yield from bad_names("lb_health_info", health, "rule name", option="rule", every=False)
    yield from choices("lb_health_info", health, "wait_for", "ready")
    yield "lb_health_info", dict(health, rule="no-such-rule"), "no-such-rule"
    yield "lb_health_info", dict(health, wait_for="healthy"), "member"
    yield "lb_health_info", dict(health, member="vm1"), "member"
    # Not in the pool: refused at once, not after the whole wait_timeout.
    yield "lb_health_info", dict(health, wait_for="healthy", member="vm-elsewhere", wait_timeout=600), "member"

    drain = dict(G, load_balancer="lb", backend_pool="pool", network_interface="nic1")
    rule = {"security_group": "nsg", "priority": 200}
    yield from bad_groups("lb_drain", drain)
    yield from bad_names("lb_drain", without(drain, "load_balancer"), "load balancer", option="load_balancer",
                         every=False)
    yield from bad_names("lb_drain", without(drain, "backend_pool"), "backend pool", option="backend_pool",
                         every=False)
    yield from choices("lb_drain", drain, "state", "drain")
    yield from choices("lb_drain", drain, "method", "nsg", "admin-state")
    yield "lb_drain", dict(drain, method="probe"), "drain_rule"
    yield "lb_drain", dict(drain, method="probe", drain_rule={"security_group": "nsg"}), "drain_rule.priority"
    yield "lb_drain", dict(drain, method="probe", drain_rule=dict(rule, priority=4097)), "drain_rule.priority"
    yield "lb_drain", dict(drain, method="probe", drain_rule=dict(rule, security_group="a/b")), "security group"
    yield "lb_drain", dict(drain, drain_timeout=-1), "drain_timeout"
    yield "lb_drain", dict(drain, connections_url="ftp://x"), "connections_url"
    yield "lb_drain", dict(drain, mark={"run": "run 1", "rollout": "r1"}), "mark.run"
    yield "lb_drain", dict(drain, network_interface="nic-missing"), "nic-missing"
    yield "lb_drain", dict(drain, backend_pool="pool-missing"), "pool-missing"
    yield "lb_drain", dict(drain, load_balancer="lb-missing"), "lb-missing"

    tags = dict(G, load_balancer="lb", set={"a": "b"})
    yield from bad_groups("network_tags", tags)
    yield "network_tags", dict(G, set={"a": "b"}), "load_balancer"
    yield "network_tags", dict(tags, network_interface="nic1"), "load_balancer"
    yield "network_tags", dict(tags, set={"k" * 513: "v"}), "tag"
    yield "network_tags", dict(tags, load_balancer="lb-missing"), "lb-missing"


VM = dict(G, name="vm9", network_interfaces=["nic-other"], size="Standard_B1s", admin_username="azureuser",
          ssh_public_keys=[SSH])
VM1 = dict(VM, name="vm1", network_interfaces=["nic1"])


def compute_cases():
    """network_interface(_info), availability_set, virtual_machine(_info) and vm_run_command."""
    nic = dict(G, name="nic9", virtual_network="vnet", subnet="web")
    yield from bad_groups("network_interface", nic)
    yield from bad_names("network_interface", without(nic, "name"), "network interface")
    yield from choices("network_interface", nic, "private_ip_address", "10.0.0.256", "abc")
    yield from choices("network_interface", nic, "location", "west-us")
    yield "network_interface", dict(nic, location="eastus"), "location"
    yield "network_interface", dict(nic, virtual_network="vnet-missing"), "vnet-missing"
    yield "network_interface", dict(nic, subnet="subnet-missing"), "subnet-missing"
    yield "network_interface", dict(nic, security_group="nsg-missing"), "nsg-missing"
    yield "network_interface", dict(nic, public_ip_address="pip-missing"), "pip-missing"
    missing_pool = [{"load_balancer": "lb", "name": "pool-missing"}]
    yield "network_interface", dict(nic, load_balancer_backend_address_pools=missing_pool), "pool-missing"
    yield "network_interface", dict(nic, private_ip_address="10.0.1.5"), "private_ip_address"
    yield "network_interface", without(nic, "subnet"), "subnet"
    yield from bad_groups("network_interface_info", G)
    yield from bad_names("network_interface_info", G, "network interface", every=False)

    avset = dict(G, name="avset3", platform_fault_domain_count=2, platform_update_domain_count=2)
    yield from bad_groups("availability_set", avset)
    yield from bad_names("availability_set", without(avset, "name"), "availability set")
    yield from choices("availability_set", avset, "platform_fault_domain_count", 0, 4)
    yield from choices("availability_set", avset, "platform_update_domain_count", 0, 21)
    yield from choices("availability_set", avset, "sku", "Premium")
    yield from choices("availability_set", avset, "location", "west-us")
    yield "availability_set", dict(avset, name="avset", platform_fault_domain_count=3), "fault domain"
    yield "availability_set", dict(avset, name="avset", sku="Classic"), "sku"
    yield "availability_set", dict(avset, name="avset", location="eastus"), "location"

    yield from bad_groups("virtual_machine", VM)
    for value in ("-vm", "vm.", "vm-", "a b", "a/b", "a#b", "a_b!", "v" * 65):
        yield "virtual_machine", dict(VM, name=value), "name"
    yield from choices("virtual_machine", VM, "size", "Standard_Q9", "huge")
    yield from choices("virtual_machine", VM, "admin_username", "root", "admin", "Administrator", "-user", "u" * 65,
                       "a b")
    yield from choices("virtual_machine", VM, "computer_name", "-host", "h" * 65, "a_b")
    yield from choices("virtual_machine", VM, "ssh_public_keys", ["not a key"], ["ssh-rsa"])
    yield from choices("virtual_machine", VM, "admin_password", "short", "alllowercase123")
    yield from choices("virtual_machine", VM, "os_disk_size_gb", 0, 5000, -1)
    yield from choices("virtual_machine", VM, "os_disk_type", "Turbo_LRS")
    yield from choices("virtual_machine", VM, "power_state", "asleep")
    yield from choices("virtual_machine", VM, "image", "NoSuchAlias", {"publisher": "Canonical"})
    # A VM goes where its NICs are: nic-other is in westus.
    yield from choices("virtual_machine", VM, "location", "west-us", "eastus")
    yield "virtual_machine", dict(VM, custom_data="x" * 70000), "custom_data"
    yield "virtual_machine", dict(VM, network_interfaces=[]), "network_interfaces"
    yield "virtual_machine", dict(VM, network_interfaces=["nic-missing"]), "nic-missing"
    yield "virtual_machine", dict(VM, network_interfaces=["nic1"]), "nic1"          # used by vm1
    yield "virtual_machine", dict(VM, availability_set="avset-missing"), "avset-missing"
    yield "virtual_machine", without(VM, "ssh_public_keys"), "ssh_public_keys"
    yield "virtual_machine", dict(VM1, admin_username="otheruser"), "admin_username"
    yield "virtual_machine", dict(VM1, os_disk_size_gb=1), "os_disk_size_gb"
    yield "virtual_machine", dict(VM1, computer_name="other"), "computer_name"
    yield "virtual_machine", dict(VM1, availability_set="avset2"), "availability_set"
    yield "virtual_machine", dict(VM1, location="eastus"), "location"
    yield from bad_groups("virtual_machine_info", G)
    yield from choices("virtual_machine_info", G, "name", "-vm", "v" * 65)

    run = dict(G, name="vm1", script="echo hi")
    yield from bad_groups("vm_run_command", run)
    yield from choices("vm_run_command", run, "name", "-vm", "v" * 65)
    yield "vm_run_command", dict(run, script=""), "script"
    yield "vm_run_command", dict(run, name="vm-missing"), "vm-missing"


def fill(value, group):
    """``value`` with every GROUP placeholder replaced by the test's resource group."""
    if isinstance(value, str):
        return value.replace(GROUP, group)
    if isinstance(value, dict):
        return {k: fill(v, group) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, group) for v in value]
    return value


def build(sdk, group, lb=False, compute=False):
    """The resources the cases refer to (see the docstring), with the plain SDK."""
    from azure.mgmt.compute import ComputeManagementClient

    net, sub = sdk.network, sdk.env["AZURE_SUBSCRIPTION_ID"]
    base = f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network"
    sdk.resource.resource_groups.create_or_update(group, {"location": "westus"})
    pollers = [net.public_ip_addresses.begin_create_or_update(group, name, {
        "location": "westus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})
        for name in ("pip", "pip2")]
    pollers += [net.virtual_networks.begin_create_or_update(group, name, {"location": "westus", "properties": {
        "addressSpace": {"addressPrefixes": [space]},
        "subnets": [{"name": "web", "properties": {"addressPrefix": space.replace("/16", "/24")}}]}})
        for name, space in (("vnet", "10.0.0.0/16"), ("vnet-other", "10.5.0.0/16"))]
    pollers.append(net.network_security_groups.begin_create_or_update(group, "nsg", {"location": "westus"}))
    for poller in pollers:
        poller.result()
    if not (lb or compute):
        return
    lb_id = f"{base}/loadBalancers/lb"
    net.load_balancers.begin_create_or_update(group, "lb", {"location": "westus", "sku": {"name": "Standard"}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": f"{base}/publicIPAddresses/pip"}}}],
        "backendAddressPools": [{"name": "pool"}, {"name": "ippool"}],
        "probes": [{"name": "http", "properties": {"protocol": "Tcp", "port": 80, "intervalInSeconds": 5}}],
        "loadBalancingRules": [{"name": "web", "properties": {
            "protocol": "Tcp", "frontendPort": 80, "backendPort": 80,
            "frontendIPConfiguration": {"id": f"{lb_id}/frontendIPConfigurations/fe"},
            "backendAddressPool": {"id": f"{lb_id}/backendAddressPools/pool"},
            "probe": {"id": f"{lb_id}/probes/http"}}}]}}).result()
    pollers = [net.network_interfaces.begin_create_or_update(group, name, {"location": "westus", "properties": {
        "ipConfigurations": [{"name": "ipconfig1", "properties": {
            "subnet": {"id": f"{base}/virtualNetworks/{vnet}/subnets/web"}, "loadBalancerBackendAddressPools": pools}}]}})
        for name, vnet, pools in (("nic1", "vnet", [{"id": f"{lb_id}/backendAddressPools/pool"}]),
                                  ("nic-other", "vnet-other", []))]
    for poller in pollers:
        poller.result()
    if not compute:
        return
    client = sdk.client(ComputeManagementClient)
    for name in ("avset", "avset2"):
        client.availability_sets.create_or_update(group, name, {"location": "westus", "sku": {"name": "Aligned"},
                                                  "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 2}})
    client.virtual_machines.begin_create_or_update(group, "vm1", {"location": "westus", "properties": {
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server",
                                              "version": "latest"}, "osDisk": {"createOption": "FromImage"}},
        "osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "linuxConfiguration": {
            "disablePasswordAuthentication": True,
            "ssh": {"publicKeys": [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": SSH}]}}},
        "networkProfile": {"networkInterfaces": [{"id": f"{base}/networkInterfaces/nic1"}]}}}).result()


def refused(run_playbook, azemu, sdk, cases, label, **build_options):
    """The cases run against a resource group of their own (``build``), deleted afterwards."""
    group = f"rg-bad-{label}-{uuid.uuid4().hex[:8]}"
    build(sdk, group, **build_options)
    try:
        return run_cases(run_playbook, azemu, group, list(cases), label)
    finally:
        sdk.resource.resource_groups.begin_delete(group)


def run_cases(run_playbook, azemu, group, cases, label):
    """Every case as one task of one playbook (ignore_errors). Asserts that each was refused
    with its words, without a traceback, and that the run sent no write (a write is shown with
    the case that sent it); prints and returns the number of cases per module."""
    cases = [(module, fill(options, group), words) for module, options, words in cases]
    tasks = [{"name": f"{module} {i}", f"cloudlb.azure.{module}": options, "ignore_errors": True}
             for i, (module, options, _words) in enumerate(cases)]
    mark, started = azemu.mark(), time.monotonic()
    run = run_playbook(tasks)
    seconds = time.monotonic() - started
    records = [run.record(task["name"]) for task in tasks]
    requests = azemu.requests(since=mark)
    # Every request is some case's, or case_at could not name the case of a write below.
    unplaced = [(r["method"], r["path"]) for r in requests if case_at(run, tasks, r) is None]
    assert unplaced == [], f"requests made while no case ran: {unplaced}"
    writes = [(w["method"], w["path"], w["status"], case_at(run, tasks, w)) for w in requests if w["write"]]
    wrong = []
    for (module, options, words), record in zip(cases, records):
        message = str(record["result"].get("msg", ""))
        if record["status"] != "failed" or words.lower() not in message.lower() or "Traceback" in message:
            wrong.append((module, options, words, record["status"], message[:300]))
    counts = Counter(module for module, _options, _words in cases)
    print(f"\n[bad input] {label}: {len(cases)} cases in {seconds:.0f} s, {len(cases) - len(wrong)} refused as expected,"
          f" {len(writes)} writes; per module: {dict(sorted(counts.items()))}")
    assert (wrong, writes) == ([], []), "\n".join(map(repr, wrong + writes))
    return counts


def case_at(run, tasks, request):
    """The name of the case (one of ``tasks``) whose task was running when azemu logged ``request``."""
    return next((task["name"] for task in tasks if run.during(task["name"], [request])), None)
