"""What the load balancer tests build around the modules under test, with the plain SDK (so a
test depends on azemu and on the modules it tests only), and their task helpers.

The root conftest registers this module as a plugin, so its ``lb_group`` fixture needs no import.
"""

from __future__ import annotations

import pytest

NETWORK = "/providers/Microsoft.Network"


@pytest.fixture
def lb_group(sdk, unique_name):
    """A resource group with Standard public IPs `pip` and `pip2` and VNet `vnet` (subnet `web`,
    10.0.0.0/24); deleted afterwards."""
    name = unique_name("rg")
    net = sdk.network
    sdk.resource.resource_groups.create_or_update(name, {"location": "eastus"})
    for pip in ("pip", "pip2"):
        net.public_ip_addresses.begin_create_or_update(name, pip, {
            "location": "eastus", "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Static"}}).result()
    net.virtual_networks.begin_create_or_update(name, "vnet", {
        "location": "eastus", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "web", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}).result()
    yield name
    sdk.resource.resource_groups.begin_delete(name).result()


def ids(sdk, group, name="lb"):
    """Resource ids in the group: ids.lb, ids.part("probes", "p"), ids.pip("pip"), ids.nic("nic1")."""
    base = f"/subscriptions/{sdk.env['AZURE_SUBSCRIPTION_ID']}/resourceGroups/{group}{NETWORK}"

    class Ids:
        lb = f"{base}/loadBalancers/{name}"
        subnet = f"{base}/virtualNetworks/vnet/subnets/web"

        @staticmethod
        def part(collection, part):
            return f"{Ids.lb}/{collection}/{part}"

        @staticmethod
        def pip(pip="pip"):
            return f"{base}/publicIPAddresses/{pip}"

        @staticmethod
        def nic(nic):
            return f"{base}/networkInterfaces/{nic}"

    return Ids


def make_lb(sdk, group, name="lb", pools=("pool",), probes=(), rules=()):
    """A Standard load balancer with frontend `fe` on `pip`, these pools, probes (ARM JSON
    entries) and rules (ARM JSON entries)."""
    body = {"location": "eastus", "sku": {"name": "Standard"}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": ids(sdk, group).pip()}}}],
        "backendAddressPools": [{"name": pool} for pool in pools],
        "probes": list(probes), "loadBalancingRules": list(rules)}}
    return sdk.network.load_balancers.begin_create_or_update(group, name, body).result().as_dict()


def read_lb(sdk, group, name="lb"):
    return sdk.network.load_balancers.get(group, name).as_dict()


def names(lb, collection):
    return [item["name"] for item in lb["properties"].get(collection) or []]


def task(module, task_name=None, **options):
    return {"name": task_name or module, f"cloudlb.azure.{module}": options}
