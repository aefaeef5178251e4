"""Shared by the Microsoft.Compute tests: paths, bodies and waiting on Compute's operations."""

from __future__ import annotations

import time

COMPUTE_API = "2024-07-01"
COMPUTE = "/providers/Microsoft.Compute"
NETWORK = "/providers/Microsoft.Network"
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx5CjX0ZZ0mUAg8KVBqvEwB4J1QWbF4a6XGm8VhyPG9 test@azemu"


def vm_path(rg, name="vm1", *rest):
    return "/".join([f"/resourceGroups/{rg}{COMPUTE}/virtualMachines/{name}", *rest])


def avset_path(rg, name="avset"):
    return f"/resourceGroups/{rg}{COMPUTE}/availabilitySets/{name}"


def call(arm, method, path, body=None, **kw):
    return arm.call(method, path, body, api_version=kw.pop("api_version", COMPUTE_API), **kw)


def wait_operation(arm, resp, timeout=30.0):
    """Poll the Azure-AsyncOperation of `resp` until it ends; the final status document."""
    url = resp.headers.get("Azure-AsyncOperation")
    assert url, resp
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = arm.follow(url)
        assert status.status == 200, status
        if status.body["status"] != "InProgress":
            return status.body
        time.sleep(0.05)
    raise AssertionError(f"operation {url} did not end within {timeout} s")


def make_nic(arm, rg, name="nic1", location="westus", vnet="vnet"):
    """A VNet (once per group and location) and a NIC in it; returns the NIC id."""
    vnet_path = f"/resourceGroups/{rg}{NETWORK}/virtualNetworks/{vnet}"
    if arm.get(vnet_path).status == 404:
        resp = arm.put(vnet_path, {"location": location, "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})
        assert resp.status == 201, resp
        wait_operation(arm, resp)
    subnet = f"/subscriptions/{arm.sub}{vnet_path}/subnets/default"
    resp = arm.put(f"/resourceGroups/{rg}{NETWORK}/networkInterfaces/{name}", {"location": location, "properties": {
        "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": subnet}}}]}})
    assert resp.status == 201, resp
    wait_operation(arm, resp)
    return resp.body["id"]


def vm_body(nic_ids, location="westus", **props):
    """A VM body as `az vm create` sends it (Linux, SSH key); `props` replace top properties."""
    body = {"location": location, "properties": {
        "hardwareProfile": {"vmSize": "Standard_B2s"},
        "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                              "sku": "server", "version": "latest"},
                           "osDisk": {"createOption": "FromImage", "caching": "ReadWrite",
                                      "managedDisk": {"storageAccountType": "Premium_LRS"}}},
        "osProfile": {"computerName": "vm1", "adminUsername": "azureuser",
                      "linuxConfiguration": {"disablePasswordAuthentication": True, "ssh": {"publicKeys": [
                          {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": SSH_KEY}]}}},
        "networkProfile": {"networkInterfaces": [{"id": n, "properties": {"primary": i == 0}}
                                                 for i, n in enumerate(nic_ids)]}}}
    body["properties"].update(props)
    return body


def make_vm(arm, rg, name="vm1", nic_ids=None, **props):
    nic_ids = nic_ids or [make_nic(arm, rg, f"{name}-nic")]
    resp = call(arm, "PUT", vm_path(rg, name), vm_body(nic_ids, **props))
    assert resp.status == 201, resp
    assert wait_operation(arm, resp)["status"] == "Succeeded"
    return call(arm, "GET", vm_path(rg, name)).body


def action(arm, rg, name, verb, body=None):
    """POST a VM action and wait for it; (202 response, final status document)."""
    resp = call(arm, "POST", vm_path(rg, name, verb), body)
    assert resp.status == 202, resp
    return resp, wait_operation(arm, resp)


def power_state(arm, rg, name="vm1"):
    view = call(arm, "GET", vm_path(rg, name, "instanceView")).body
    return [s["code"] for s in view["statuses"] if s["code"].startswith("PowerState/")][0].split("/", 1)[1]
