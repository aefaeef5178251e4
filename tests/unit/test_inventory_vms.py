"""The cloudlb.azure.vms inventory plugin's shaping of Azure's answers, without Azure."""

from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.inventory import vms as plugin

SUB = "/subscriptions/s/resourceGroups"
POOL = f"{SUB}/rg-lb/providers/Microsoft.Network/loadBalancers/my-LB/backendAddressPools/myBackEndPool"


def nic(name, group="rg", pools=(POOL,), public=None, extra_config=False):
    nic_id = f"{SUB}/{group}/providers/Microsoft.Network/networkInterfaces/{name}"
    configs = [{"id": f"{nic_id}/ipConfigurations/ipconfig1", "name": "ipconfig1", "properties": {
        "primary": True, "privateIPAddress": "10.0.0.4",
        "subnet": {"id": f"{SUB}/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"},
        "loadBalancerBackendAddressPools": [{"id": p} for p in pools],
        **({"publicIPAddress": {"id": public}} if public else {})}}]
    if extra_config:
        configs.append({"id": f"{nic_id}/ipConfigurations/second", "name": "second", "properties": {
            "primary": False, "privateIPAddress": "10.0.0.10", "loadBalancerBackendAddressPools": []}})
    return {"id": nic_id, "name": name, "tags": {"t": "1"}, "properties": {"ipConfigurations": configs}}


def vm(name, nics, avset="MYAVAILABILITYSET", power="running", ud=1, fd=0):
    props = {
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "osProfile": {"computerName": name.lower()},
        "networkProfile": {"networkInterfaces": [{"id": n["id"], "properties": {"primary": i == 0}}
                                                 for i, n in enumerate(nics)]},
        "instanceView": {"platformUpdateDomain": ud, "platformFaultDomain": fd,
                         "statuses": [{"code": "ProvisioningState/succeeded"}, {"code": f"PowerState/{power}"}]},
        "provisioningState": "Succeeded",
    }
    if avset:
        props["availabilitySet"] = {"id": f"{SUB}/RG/providers/Microsoft.Compute/availabilitySets/{avset}"}
    return {"id": f"{SUB}/rg/providers/Microsoft.Compute/virtualMachines/{name}", "name": name, "location": "eastus",
            "tags": {"role": "web"}, "properties": props}


def index(*nics):
    return {n["id"].lower(): n for n in nics}


def test_a_vm_in_a_pool_with_a_public_address():
    pip = f"{SUB}/rg/providers/Microsoft.Network/publicIPAddresses/pip1"
    first = nic("myNic1", public=pip, extra_config=True)
    record = plugin.host_record(vm("myVM1", [first]), index(first), {pip.lower(): "20.1.2.3"})
    assert record["azure_network_interface"] == "myNic1"
    assert record["azure_network_interface_resource_group"] == "rg"
    assert record["azure_ip_configuration"] == "ipconfig1"
    assert record["azure_ip_configuration_id"].endswith("/networkInterfaces/myNic1/ipConfigurations/ipconfig1")
    assert (record["azure_private_ip"], record["azure_public_ip"]) == ("10.0.0.4", "20.1.2.3")
    assert record["azure_private_ips"] == ["10.0.0.4", "10.0.0.10"] and record["azure_public_ips"] == ["20.1.2.3"]
    assert record["azure_backend_pools"] == [{
        "id": POOL, "name": "myBackEndPool", "load_balancer": "my-LB", "resource_group": "rg-lb",
        "network_interface": "myNic1", "ip_configuration": "ipconfig1",
        "ip_configuration_id": record["azure_ip_configuration_id"]}]
    assert (record["azure_update_domain"], record["azure_fault_domain"]) == (1, 0)
    assert record["azure_power_state"] == "running" and record["azure_availability_set"] == "MYAVAILABILITYSET"
    assert record["azure_network_interface_tags"] == {"t": "1"} and record["azure_tags"] == {"role": "web"}
    assert plugin.groups_of(record) == ["pool_my_lb_mybackendpool", "availability_set_myavailabilityset",
                                        "update_domain_1", "fault_domain_0", "power_state_running",
                                        "resource_group_rg"]
    assert plugin.connect_address(record, "public_or_private") == "20.1.2.3"
    assert plugin.connect_address(record, "private_ip") == "10.0.0.4"
    assert plugin.connect_address(record, "none") is None
    assert plugin.host_name(record, "computer_name") == "myvm1"
    assert plugin.host_name(record, "public_ip") == "20.1.2.3"


def test_a_vm_whose_nic_is_missing_or_outside_any_pool():
    lonely = vm("lonely", [nic("gone")], avset=None, power="deallocated")
    lonely["properties"]["instanceView"] = {"statuses": [{"code": "PowerState/deallocated"}]}
    record = plugin.host_record(lonely, {}, {})
    assert record["azure_network_interface"] is None and record["azure_private_ip"] is None
    assert record["azure_backend_pools"] == [] and record["azure_update_domain"] is None
    assert plugin.groups_of(record) == ["power_state_deallocated", "resource_group_rg"]
    assert plugin.host_name(record, "private_ip") == "lonely"
    assert plugin.connect_address(record, "public_or_private") is None


def test_the_primary_nic_is_the_one_azure_marks_primary():
    first, second = nic("a", pools=()), nic("b")
    machine = vm("two", [first, second])
    machine["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["primary"] = False
    machine["properties"]["networkProfile"]["networkInterfaces"][1]["properties"]["primary"] = True
    record = plugin.host_record(machine, index(first, second), {})
    assert record["azure_network_interface"] == "b"
    assert [p["network_interface"] for p in record["azure_backend_pools"]] == ["b"]


@pytest.mark.parametrize("path, ok", [("x/lab.azure_vms.yml", True), ("azure_vms.yaml", True),
                                      ("lab.azure_rm.yml", False), ("vms.yml", False)])
def test_config_file_names(tmp_path, path, ok):
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("plugin: cloudlb.azure.vms\n")
    assert plugin.InventoryModule().verify_file(str(target)) is ok
