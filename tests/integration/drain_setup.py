"""What the lb_drain and admin-state rolling tests build beside rolling_lab's lab, with the plain
SDK: the lab's pool turned IP-based, a Basic load balancer, and what they read back."""

from __future__ import annotations

import rolling_lab


def make_ip_based(sdk, lab):
    """The lab's pool as an IP-based one: each VM's address an entry named after the VM (as
    `az network lb address-pool address add` makes them), the NICs out of it."""
    net = sdk.network
    for vm, nic_name in lab.nics.items():
        nic = net.network_interfaces.get(lab.group, nic_name).as_dict()
        nic["properties"]["ipConfigurations"][0]["properties"]["loadBalancerBackendAddressPools"] = []
        net.network_interfaces.begin_create_or_update(lab.group, nic_name, nic).result()
    vnet = f"{lab.base}/virtualNetworks/myVnet"
    addresses = [{"name": vm, "properties": {"ipAddress": ip, "virtualNetwork": {"id": vnet}}}
                 for vm, ip in private_ips(sdk, lab).items()]
    net.load_balancer_backend_address_pools.begin_create_or_update(
        lab.group, rolling_lab.LB, rolling_lab.POOL, {"properties": {"loadBalancerBackendAddresses": addresses}}).result()
    lab.wait_serving()


def private_ips(sdk, lab):
    return {vm: sdk.network.network_interfaces.get(lab.group, nic).ip_configurations[0].private_ip_address
            for vm, nic in lab.nics.items()}


def entries(sdk, lab):
    """{entry name: its properties} of the lab's pool."""
    pool = sdk.network.load_balancer_backend_address_pools.get(lab.group, rolling_lab.LB, rolling_lab.POOL).as_dict()
    return {e["name"]: e["properties"] for e in pool["properties"].get("loadBalancerBackendAddresses") or []}


def make_basic(sdk, lab):
    """A Basic load balancer `basicLb` with an internal frontend and an empty pool `pool`."""
    sdk.network.load_balancers.begin_create_or_update(lab.group, "basicLb", {
        "location": rolling_lab.LOCATION, "sku": {"name": "Basic"}, "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": {
                "subnet": {"id": f"{lab.base}/virtualNetworks/myVnet/subnets/mySubnet"}}}],
            "backendAddressPools": [{"name": "pool"}]}}).result()


def reasons(health):
    """{VM: the load balancer's reason} from an lb_health_info result."""
    return {b["virtual_machine"]: b["reason"] for rule in health["rules"] for b in rule["backends"]}
