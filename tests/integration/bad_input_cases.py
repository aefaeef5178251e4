"""The bad-input table: for every module, options Azure refuses (names per Azure's "Naming rules
and restrictions" for that type, ports, priorities, CIDRs, enums, mutual exclusions, references
to missing resources, immutable properties), each with the words the refusal must contain, at
least the option's name. test_bad_input_*.py run them, one playbook per module.

``GROUP`` is a resource group the test file builds with the plain SDK (see ``build``): a VNet
``vnet`` (subnet ``web``), NSG ``nsg``, public IP ``pip``, load balancer ``lb`` (frontend ``fe``,
pool ``pool``, probe ``http``, rule ``web``), NIC ``nic1`` in the pool, availability set
``avset`` (2 fault domains) and VM ``vm1`` on nic1 (admin ``azureuser``).
"""

from __future__ import annotations

GROUP = "{group}"
LONG = "n" * 81


def bad_group_names(module, **options):
    """Resource group names Azure refuses (1-90 letters, digits, underscores, hyphens, periods
    and parentheses; not ending in a period), for any module with resource_group."""
    for value in ("", "rg/1", "rg#1", "rg.", "r" * 91, "rg 1", "rg?"):
        yield module, dict(options, resource_group=value), "resource group"


def bad_names(module, what="name", option="name", shortest=1, longest=80, **options):
    """Network names Azure refuses: 1-80 (a VNet 2-64) letters, digits, '_', '.', '-', from a
    letter, digit or '_' to a letter, digit or '_'."""
    values = ["-lead", "trail.", "trail-", "a b", "a/b", "a#b", "a%b", "a*b", "x" * (longest + 1)]
    if shortest > 1:
        values.append("x")
    for value in values:
        yield module, dict(options, **{option: value}), what


def choices(module, option, *bad, **options):
    for value in bad:
        yield module, dict(options, **{option: value}), option


G = {"resource_group": GROUP}
RULE = {"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "destination_port_ranges": ["80"]}
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx5CjX0ZZ0mUAg8KVBqvEwB4J1QWbF4a6XGm8VhyPG9 test@cloudlb"
VM = dict(G, name="vm9", network_interfaces=["nic9"], size="Standard_B1s", admin_username="azureuser",
          ssh_public_keys=[SSH])


def network_cases():
    """resource_group, public_ip, virtual_network, security_group, security_rule and their _info."""
    yield from bad_group_names("resource_group_info")
    yield from bad_names("resource_group", "resource group", longest=90, location="westus")
    yield from choices("resource_group", "location", "Mars", "west us 9", name="rg-ok")
    yield from choices("resource_group", "state", "gone", name="rg-ok")
    yield "resource_group", {"name": "rg-ok", "location": "westus", "tags": {"k" * 513: "v"}}, "tag"
    yield "resource_group", {"name": "rg-ok", "location": "westus", "tags": {"k": "v" * 257}}, "tag"
    yield "resource_group", {"name": "rg-ok", "location": "westus", "tags": {f"k{i}": "v" for i in range(51)}}, "tag"
    yield "resource_group", {"name": "rg-ok", "location": "westus", "tags": {"a<b": "v"}}, "tag"
    yield "resource_group", {"name": "rg-ok", "wait_timeout": 0}, "wait_timeout"

    yield from bad_group_names("public_ip", name="pip2")
    yield from bad_names("public_ip", "public IP", **G)
    yield from choices("public_ip", "sku", "Premium", "standard2", **G, name="pip2")
    yield from choices("public_ip", "allocation_method", "Sometimes", **G, name="pip2")
    yield from choices("public_ip", "version", "IPv5", **G, name="pip2")
    yield from choices("public_ip", "zones", ["4"], ["0"], **G, name="pip2")
    yield from choices("public_ip", "idle_timeout", 3, 31, 0, **G, name="pip2")
    yield from choices("public_ip", "domain_name_label", "Upper", "-lead", "a", "x" * 64, "a_b", **G, name="pip2")
    yield from choices("public_ip", "location", "Mars", **G, name="pip2")
    yield "public_ip", dict(G, name="pip", sku="Basic"), "sku"
    yield "public_ip", dict(G, name="pip2", sku="Standard", allocation_method="Dynamic"), "allocation"
    yield "public_ip", dict(G, name="pip", location="eastus"), "location"
    yield from bad_group_names("public_ip_info")
    yield from bad_names("public_ip_info", **G)

    vnet = dict(G, name="vnet2", address_prefixes=["10.9.0.0/16"])
    yield from bad_group_names("virtual_network", name="vnet2", address_prefixes=["10.9.0.0/16"])
    yield from bad_names("virtual_network", "virtual network name", shortest=2, longest=64,
                         **dict(G, address_prefixes=["10.9.0.0/16"]))
    yield from choices("virtual_network", "address_prefixes", ["10.9.0.1/16"], ["10.9.0.0/33"], ["abc"],
                       ["10.9.0.0/16", "10.9.1.0/24"], ["10.9.0.0"], ["300.1.0.0/16"], [], **dict(G, name="vnet2"))
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
    yield from choices("virtual_network", "location", "Mars", **vnet)
    yield "virtual_network", dict(G, name="vnet", address_prefixes=["10.0.0.0/16"], location="eastus"), "location"
    yield from bad_group_names("virtual_network_info")
    yield from bad_names("virtual_network_info", "virtual network name", shortest=2, longest=64, **G)

    nsg = dict(G, name="nsg2")
    yield from bad_group_names("security_group", name="nsg2")
    yield from bad_names("security_group", "security group", **G)
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
    yield from choices("security_group", "location", "Mars", **nsg)
    yield from bad_group_names("security_group_info")
    yield from bad_names("security_group_info", "security group", **G)

    rule = dict(G, security_group="nsg", name="r9", priority=300, direction="Inbound", access="Allow", protocol="Tcp",
                destination_port_ranges=["80"])
    yield from bad_group_names("security_rule", **{k: v for k, v in rule.items() if k != "resource_group"})
    yield from bad_names("security_rule", "rule name", **{k: v for k, v in rule.items() if k != "name"})
    yield from bad_names("security_rule", "security group", option="security_group",
                         **{k: v for k, v in rule.items() if k != "security_group"})
    yield from choices("security_rule", "priority", 99, 4097, -5, **rule)
    yield from choices("security_rule", "direction", "Up", **rule)
    yield from choices("security_rule", "access", "Perhaps", **rule)
    yield from choices("security_rule", "protocol", "Http", **rule)
    yield "security_rule", dict(rule, destination_port_ranges=["65536"]), "port range"
    yield "security_rule", dict(rule, destination_port_ranges=["443-80"]), "port range"
    yield "security_rule", dict(rule, source_address_prefixes=["NoSuchTag"]), "service tag"
    yield "security_rule", dict(rule, source_address_prefixes=["10.1.2.3/8"]), "host bits"
    yield "security_rule", dict(rule, description="x" * 141), "description"
    yield "security_rule", dict(rule, security_group="nsg-missing"), "nsg-missing"


def lb_cases():
    """load_balancer, lb_probe, lb_rule, lb_pool_member, lb_health_info, load_balancer_info,
    network_interface(_info) and network_tags."""
    lb = dict(G, name="lb2", frontend_ip_configurations=[{"name": "fe", "public_ip_address": "pip2"}],
              backend_pools=["pool"])
    yield from bad_group_names("load_balancer", **{k: v for k, v in lb.items() if k != "resource_group"})
    yield from bad_names("load_balancer", "load balancer", **{k: v for k, v in lb.items() if k != "name"})
    yield from choices("load_balancer", "sku", "Gateway2", **lb)
    yield from choices("load_balancer", "location", "Mars", **lb)
    for frontends, words in (([{"name": "-fe", "public_ip_address": "pip2"}], "frontend IP configuration name"),
                             ([{"name": "fe"}], "fe"),
                             ([{"name": "fe", "public_ip_address": "pip2", "subnet": "web", "virtual_network": "vnet"}], "fe"),
                             ([{"name": "fe", "subnet": "web", "virtual_network": "vnet",
                                "private_ip_address": "10.0.0.300"}], "private_ip_address"),
                             ([{"name": "fe", "subnet": "web", "virtual_network": "vnet",
                                "private_ip_allocation_method": "Manual"}], "private_ip_allocation_method")):
        yield "load_balancer", dict(lb, frontend_ip_configurations=frontends), words
    yield "load_balancer", dict(lb, backend_pools=["-pool"]), "pool"
    yield "load_balancer", dict(lb, backend_pools=["p" * 81]), "pool"
    yield "load_balancer", dict(lb, probes=[{"name": "p", "protocol": "Icmp", "port": 80}]), "protocol"
    yield "load_balancer", dict(lb, probes=[{"name": "p", "protocol": "Tcp", "port": 0}]), "port"
    yield "load_balancer", dict(lb, rules=[{"name": "r", "protocol": "Tcp", "frontend_port": 80, "backend_port": 70000}]), \
        "backend_port"
    yield "load_balancer", dict(G, name="lb", sku="Basic"), "sku"
    yield from bad_group_names("load_balancer_info")
    yield from bad_names("load_balancer_info", "load balancer", **G)

    probe = dict(G, load_balancer="lb", name="p9", protocol="Tcp", port=80)
    yield from bad_group_names("lb_probe", **{k: v for k, v in probe.items() if k != "resource_group"})
    yield from bad_names("lb_probe", "probe name", **{k: v for k, v in probe.items() if k != "name"})
    yield from bad_names("lb_probe", "load balancer", option="load_balancer",
                         **{k: v for k, v in probe.items() if k != "load_balancer"})
    yield from choices("lb_probe", "protocol", "Icmp", "tcp2", **probe)
    yield from choices("lb_probe", "port", 0, 65536, -1, **probe)
    yield from choices("lb_probe", "interval", 4, 0, 2147483648, **probe)
    yield from choices("lb_probe", "number_of_probes", 0, **probe)
    yield from choices("lb_probe", "probe_threshold", 0, **probe)
    yield "lb_probe", dict(probe, request_path="/health"), "request_path"
    yield "lb_probe", dict(probe, protocol="Http"), "request_path"
    yield "lb_probe", dict(probe, protocol="Http", request_path="health"), "request_path"
    yield "lb_probe", dict(probe, load_balancer="lb-missing"), "lb-missing"

    rule = dict(G, load_balancer="lb", name="r9", protocol="Tcp", frontend_port=8080, backend_port=80,
                frontend_ip_configuration="fe", backend_pool="pool", probe="http")
    yield from bad_group_names("lb_rule", **{k: v for k, v in rule.items() if k != "resource_group"})
    yield from bad_names("lb_rule", "rule name", **{k: v for k, v in rule.items() if k != "name"})
    yield from choices("lb_rule", "protocol", "Icmp", "Http", **rule)
    yield from choices("lb_rule", "frontend_port", 65535, 65536, -1, **rule)
    yield from choices("lb_rule", "backend_port", 65536, -1, **rule)
    yield from choices("lb_rule", "idle_timeout", 3, 31, **rule)
    yield from choices("lb_rule", "load_distribution", "RoundRobin", **rule)
    yield "lb_rule", dict(rule, frontend_port=0), "frontend_port"
    yield "lb_rule", dict(rule, protocol="All", frontend_port=0, backend_port=0), "HA ports"
    yield "lb_rule", dict(rule, probe="missing-probe"), "missing-probe"
    yield "lb_rule", dict(rule, backend_pool="missing-pool"), "missing-pool"
    yield "lb_rule", dict(rule, frontend_ip_configuration="missing-fe"), "missing-fe"
    yield "lb_rule", dict(rule, load_balancer="lb-missing"), "lb-missing"
    yield "lb_rule", {k: v for k, v in rule.items() if k != "protocol"}, "protocol"

    member = dict(G, network_interface="nic1", load_balancer="lb", backend_pool="pool")
    yield from bad_group_names("lb_pool_member", **{k: v for k, v in member.items() if k != "resource_group"})
    yield from bad_names("lb_pool_member", "network interface", option="network_interface",
                         **{k: v for k, v in member.items() if k != "network_interface"})
    yield from bad_names("lb_pool_member", "backend pool", option="backend_pool",
                         **{k: v for k, v in member.items() if k != "backend_pool"})
    yield from choices("lb_pool_member", "state", "in", **member)
    yield "lb_pool_member", dict(member, network_interface="nic-missing"), "nic-missing"
    yield "lb_pool_member", dict(member, backend_pool="pool-missing"), "pool-missing"
    yield "lb_pool_member", dict(member, load_balancer="lb-missing"), "lb-missing"
    yield "lb_pool_member", dict(member, ip_configuration="ipconfig9"), "ipconfig9"
    yield "lb_pool_member", dict(member, network_interface="nic-other"), "virtual network"

    health = dict(G, load_balancer="lb")
    yield from bad_group_names("lb_health_info", load_balancer="lb")
    yield from bad_names("lb_health_info", "load balancer", option="load_balancer", **G)
    yield from bad_names("lb_health_info", "rule name", option="rule", **health)
    yield from choices("lb_health_info", "wait_for", "ready", **health)
    yield "lb_health_info", dict(health, rule="no-such-rule"), "no-such-rule"
    yield "lb_health_info", dict(health, wait_for="healthy"), "member"
    yield "lb_health_info", dict(health, member="vm1"), "member"
    yield "lb_health_info", dict(health, wait_for="healthy", member="vm-elsewhere", wait_timeout=600), "member"

    nic = dict(G, name="nic9", virtual_network="vnet", subnet="web")
    yield from bad_group_names("network_interface", **{k: v for k, v in nic.items() if k != "resource_group"})
    yield from bad_names("network_interface", "network interface", **{k: v for k, v in nic.items() if k != "name"})
    yield from choices("network_interface", "private_ip_address", "10.0.0.256", "abc", **nic)
    yield from choices("network_interface", "location", "Mars", **nic)
    yield "network_interface", dict(nic, location="eastus"), "location"
    yield "network_interface", dict(nic, virtual_network="vnet-missing"), "vnet-missing"
    yield "network_interface", dict(nic, subnet="subnet-missing"), "subnet-missing"
    yield "network_interface", dict(nic, security_group="nsg-missing"), "nsg-missing"
    yield "network_interface", dict(nic, public_ip_address="pip-missing"), "pip-missing"
    yield "network_interface", dict(nic, load_balancer_backend_address_pools=[{"load_balancer": "lb",
                                                                                "name": "pool-missing"}]), "pool-missing"
    yield "network_interface", dict(nic, private_ip_address="10.0.1.5"), "private_ip_address"
    yield "network_interface", {k: v for k, v in nic.items() if k != "subnet"}, "subnet"
    yield from bad_group_names("network_interface_info")
    yield from bad_names("network_interface_info", "network interface", **G)

    yield from bad_group_names("network_tags", load_balancer="lb", set={"a": "b"})
    yield "network_tags", dict(G, set={"a": "b"}), "load_balancer"
    yield "network_tags", dict(G, load_balancer="lb", network_interface="nic1", set={"a": "b"}), "load_balancer"
    yield "network_tags", dict(G, load_balancer="lb", set={"k" * 513: "v"}), "tag"
    yield "network_tags", dict(G, load_balancer="lb-missing", set={"a": "b"}), "lb-missing"


def compute_cases():
    """availability_set, virtual_machine(_info) and vm_run_command."""
    avset = dict(G, name="avset2", platform_fault_domain_count=2, platform_update_domain_count=2)
    yield from bad_group_names("availability_set", **{k: v for k, v in avset.items() if k != "resource_group"})
    yield from bad_names("availability_set", "availability set", **{k: v for k, v in avset.items() if k != "name"})
    yield from choices("availability_set", "platform_fault_domain_count", 0, 4, **avset)
    yield from choices("availability_set", "platform_update_domain_count", 0, 21, **avset)
    yield from choices("availability_set", "sku", "Premium", **avset)
    yield from choices("availability_set", "location", "Mars", **avset)
    yield "availability_set", dict(avset, name="avset", platform_fault_domain_count=3), "fault domain"
    yield "availability_set", dict(avset, name="avset", sku="Classic"), "sku"

    yield from bad_group_names("virtual_machine", **{k: v for k, v in VM.items() if k != "resource_group"})
    for value in ("-vm", "vm.", "vm-", "a b", "a/b", "a#b", "a_b!", "v" * 65):
        yield "virtual_machine", dict(VM, name=value), "name"
    yield from choices("virtual_machine", "size", "Standard_Q9", "huge", **VM)
    yield from choices("virtual_machine", "admin_username", "root", "admin", "Administrator", "-user", "u" * 65, "a b",
                       **VM)
    yield from choices("virtual_machine", "computer_name", "-host", "h" * 65, "a_b", **VM)
    yield from choices("virtual_machine", "ssh_public_keys", ["not a key"], ["ssh-rsa"], **VM)
    yield from choices("virtual_machine", "admin_password", "short", "alllowercase123", **VM)
    yield from choices("virtual_machine", "os_disk_size_gb", 0, 5000, -1, **VM)
    yield from choices("virtual_machine", "os_disk_type", "Turbo_LRS", **VM)
    yield from choices("virtual_machine", "power_state", "asleep", **VM)
    yield from choices("virtual_machine", "image", "NoSuchAlias", {"publisher": "Canonical"}, **VM)
    yield from choices("virtual_machine", "location", "Mars", **VM)
    yield "virtual_machine", dict(VM, custom_data="x" * 70000), "custom_data"
    yield "virtual_machine", dict(VM, network_interfaces=[]), "network_interfaces"
    yield "virtual_machine", dict(VM, network_interfaces=["nic-missing"]), "nic-missing"
    yield "virtual_machine", dict(VM, availability_set="avset-missing"), "avset-missing"
    yield "virtual_machine", {k: v for k, v in VM.items() if k != "ssh_public_keys"}, "ssh_public_keys"
    yield "virtual_machine", dict(VM, name="vm1", network_interfaces=["nic1"], admin_username="otheruser"), \
        "admin_username"
    yield "virtual_machine", dict(VM, name="vm1", network_interfaces=["nic1"], os_disk_size_gb=1), "os_disk"
    yield "virtual_machine", dict(VM, name="vm1", network_interfaces=["nic1"], computer_name="other"), "computer_name"
    yield "virtual_machine", dict(VM, name="vm1", network_interfaces=["nic1"], availability_set="avset2"), \
        "availability_set"
    yield from bad_group_names("virtual_machine_info")
    yield from choices("virtual_machine_info", "name", "-vm", "v" * 65, **G)

    run = dict(G, name="vm1", script="echo hi")
    yield from bad_group_names("vm_run_command", name="vm1", script="echo hi")
    yield from choices("vm_run_command", "name", "-vm", "v" * 65, **{k: v for k, v in run.items() if k != "name"})
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


def by_module(cases):
    grouped = {}
    for module, options, words in cases:
        grouped.setdefault(module, []).append((options, words))
    return grouped


def build(sdk, group, compute=False):
    """The resources the cases refer to (see the docstring), with the plain SDK."""
    from azure.mgmt.compute import ComputeManagementClient

    net, sub = sdk.network, sdk.env["AZURE_SUBSCRIPTION_ID"]
    base = f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network"
    sdk.resource.resource_groups.create_or_update(group, {"location": "westus"})
    for name in ("pip", "pip2"):
        net.public_ip_addresses.begin_create_or_update(group, name, {
            "location": "westus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}).result()
    for name, space in (("vnet", "10.0.0.0/16"), ("vnet-other", "10.5.0.0/16")):
        net.virtual_networks.begin_create_or_update(group, name, {"location": "westus", "properties": {
            "addressSpace": {"addressPrefixes": [space]},
            "subnets": [{"name": "web", "properties": {"addressPrefix": space.replace("/16", "/24")}}]}}).result()
    net.network_security_groups.begin_create_or_update(group, "nsg", {"location": "westus"}).result()
    lb = f"{base}/loadBalancers/lb"
    net.load_balancers.begin_create_or_update(group, "lb", {"location": "westus", "sku": {"name": "Standard"}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": f"{base}/publicIPAddresses/pip"}}}],
        "backendAddressPools": [{"name": "pool"}],
        "probes": [{"name": "http", "properties": {"protocol": "Tcp", "port": 80, "intervalInSeconds": 5}}],
        "loadBalancingRules": [{"name": "web", "properties": {
            "protocol": "Tcp", "frontendPort": 80, "backendPort": 80,
            "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"},
            "backendAddressPool": {"id": f"{lb}/backendAddressPools/pool"}, "probe": {"id": f"{lb}/probes/http"}}}]}}).result()
    for name, vnet, pools in (("nic1", "vnet", [{"id": f"{lb}/backendAddressPools/pool"}]), ("nic-other", "vnet-other", [])):
        net.network_interfaces.begin_create_or_update(group, name, {"location": "westus", "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {"subnet": {"id": f"{base}/virtualNetworks/{vnet}/subnets/web"},
                                                 "loadBalancerBackendAddressPools": pools}}]}}).result()
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


def run_cases(run_playbook, azemu, group, module, cases):
    """Every case of ``module`` as one task of one playbook (ignore_errors); asserts each was
    refused with its words and that the run sent no write; returns the number of cases."""
    tasks = [{"name": f"case {i}", f"cloudlb.azure.{module}": fill(options, group), "ignore_errors": True}
             for i, (options, _words) in enumerate(cases)]
    mark = azemu.mark()
    run = run_playbook(tasks)
    writes = [(w["method"], w["path"], w["status"]) for w in azemu.writes(since=mark)]
    wrong = []
    for i, (options, words) in enumerate(cases):
        record = run.record(f"case {i}")
        message = str(record["result"].get("msg", ""))
        if record["status"] != "failed" or words.lower() not in message.lower() or "Traceback" in message:
            wrong.append((options, words, record["status"], message[:300]))
    print(f"\n[bad input] {module}: {len(cases)} cases, {len(cases) - len(wrong)} refused as expected, "
          f"{len(writes)} writes")
    assert wrong == [], "\n".join(map(repr, wrong))
    assert writes == []
    return len(cases)
