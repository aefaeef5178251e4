"""What the compute tests build around the modules under test, with the plain SDK (so a test
depends on azemu and on the modules it tests only), and their task helpers.

The root conftest registers this module as a plugin, so its ``vm_group`` fixture needs no import.
"""

from __future__ import annotations

import pytest

LOCATION = "westus"
NICS = ("nic1", "nic2", "nic3", "nic4")
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx5CjX0ZZ0mUAg8KVBqvEwB4J1QWbF4a6XGm8VhyPG9 test@cloudlb"


@pytest.fixture
def vm_group(sdk, unique_name):
    """A resource group with VNet `vnet` (subnet `default`, 10.0.0.0/24), NICs nic1..nic4 in it,
    nic1 with the Standard public IP `pip1`, and the Aligned availability set `avset`."""
    from azure.mgmt.compute import ComputeManagementClient

    name = unique_name("rg-vm")
    net = sdk.network
    sub = sdk.env["AZURE_SUBSCRIPTION_ID"]
    sdk.resource.resource_groups.create_or_update(name, {"location": LOCATION})
    net.virtual_networks.begin_create_or_update(name, "vnet", {"location": LOCATION, "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}).result()
    pip = net.public_ip_addresses.begin_create_or_update(name, "pip1", {
        "location": LOCATION, "sku": {"name": "Standard"},
        "properties": {"publicIPAllocationMethod": "Static"}}).result()
    subnet = f"/subscriptions/{sub}/resourceGroups/{name}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"
    for nic in NICS:
        config = {"subnet": {"id": subnet}}
        if nic == "nic1":
            config["publicIPAddress"] = {"id": pip.id}
        net.network_interfaces.begin_create_or_update(name, nic, {"location": LOCATION, "properties": {
            "ipConfigurations": [{"name": "ipconfig1", "properties": config}]}}).result()
    sdk.client(ComputeManagementClient).availability_sets.create_or_update(name, "avset", {
        "location": LOCATION, "sku": {"name": "Aligned"},
        "properties": {"platformFaultDomainCount": 3, "platformUpdateDomainCount": 2}})
    yield name
    sdk.resource.resource_groups.begin_delete(name).result()


def vm_task(group, name="vm1", task_name="vm", **options):
    return {"name": task_name, "cloudlb.azure.virtual_machine": {"resource_group": group, "name": name, **options}}


def new_vm(group, name="vm1", nic="nic1", task_name="vm", **options):
    """A task creating a small VM on one NIC, with the test SSH key."""
    options.setdefault("size", "Standard_B1s")
    options.setdefault("ssh_public_keys", [SSH_KEY])
    return vm_task(group, name, task_name, network_interfaces=[nic], **options)


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.virtual_machine_info": options}


def compute(sdk):
    from azure.mgmt.compute import ComputeManagementClient

    return sdk.client(ComputeManagementClient)


def arm_requests(azemu, since):
    return [r for r in azemu.requests(since=since) if r["kind"] == "arm"]
