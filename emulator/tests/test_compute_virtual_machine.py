"""Microsoft.Compute/virtualMachines (and the disks they bring) over real HTTPS: shapes against
Azure's examples, Compute's long-running operations, the power state machine, the boot delay,
Compute's input checks, custom data, the OS disk and the vmSizes list."""

from __future__ import annotations

import base64
import copy
import json
import time

import pytest

from compute_helpers import (
    COMPUTE,
    SSH_KEY,
    action,
    avset_path,
    call,
    make_nic,
    make_vm,
    power_state,
    vm_body,
    vm_path,
    wait_operation,
)
from reference import assert_covers, spec_file, url_template

EXAMPLES = "specs/compute/2026-04-01/examples/virtualMachineExamples/"


def example(name):
    return spec_file(EXAMPLES + name)


def stored(emu, resource_id):
    """What azemu keeps of a resource, internal state and secrets included: its state.json,
    rewritten after every change (GET /_azemu/state shows it with the secrets hidden)."""
    return json.loads((emu.state_dir / "state.json").read_text())["resources"][resource_id.lower()]


class TestCreate:
    def test_password_example(self, arm, rg):
        """The VirtualMachine_Create_WithPasswordAuthentication request (on Linux, and on our NIC)
        answers 201 Creating with the example's shape, then Succeeded."""
        ex = example("VirtualMachine_Create_WithPasswordAuthentication.json")
        body = copy.deepcopy(ex["parameters"]["parameters"])
        props = body["properties"]
        props["storageProfile"]["imageReference"] = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                     "sku": "server", "version": "latest"}
        props["osProfile"].update(adminUsername="azureuser", adminPassword="Example-Passw0rd")
        props["networkProfile"]["networkInterfaces"][0]["id"] = make_nic(arm, rg)
        resp = call(arm, "PUT", vm_path(rg, "myVM"), body)
        assert resp.status == 201, resp
        recorded = ex["responses"]["201"]["body"]
        # Azure shows windowsConfiguration for its Windows example; a Linux VM has linuxConfiguration.
        assert_covers(resp.body, recorded, ignore=("windowsConfiguration",))
        assert resp.body["properties"]["provisioningState"] == "Creating"
        assert "linuxConfiguration" in resp.body["properties"]["osProfile"]
        assert "adminPassword" not in resp.body["properties"]["osProfile"]
        url = resp.headers.get("Azure-AsyncOperation")
        assert url_template(url) == "/subscriptions/{guid}/providers/{ns}/locations/{loc}/operations/{guid}?api-version"
        assert "/providers/Microsoft.Compute/locations/westus/operations/" in url
        # An integer of seconds (0 here: at latency 0 the operation is over when answered).
        assert resp.headers.get("Location") is None and resp.headers.get("Retry-After").isdigit()
        done = wait_operation(arm, resp)
        assert done["status"] == "Succeeded" and {"startTime", "endTime", "name"} <= set(done)
        vm = call(arm, "GET", vm_path(rg, "myVM")).body
        assert vm["properties"]["provisioningState"] == "Succeeded"
        assert vm["properties"]["storageProfile"]["imageReference"]["exactVersion"]
        assert vm["properties"]["storageProfile"]["osDisk"]["name"] == "myVMosdisk"

    def test_server_fills_what_azure_fills(self, arm, rg):
        vm = make_vm(arm, rg, "vm1")
        props = vm["properties"]
        disk = props["storageProfile"]["osDisk"]
        assert disk["name"].startswith("vm1_OsDisk_1_") and len(disk["name"]) == len("vm1_OsDisk_1_") + 32
        assert (disk["osType"], disk["diskSizeGB"], disk["deleteOption"], disk["createOption"]) == (
            "Linux", 30, "Detach", "FromImage")
        assert disk["managedDisk"]["id"].endswith(f"/resourceGroups/{rg.upper()}/providers/Microsoft.Compute/disks/{disk['name']}")
        assert props["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"] == [
            {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": SSH_KEY}]
        assert props["vmId"] and props["timeCreated"]
        assert "etag" not in vm

    def test_instance_view_matches_the_example(self, arm, rg):
        make_vm(arm, rg, "vm1")
        view = call(arm, "GET", vm_path(rg, "vm1", "instanceView"))
        assert view.status == 200, view
        recorded = example("VirtualMachine_Get_InstanceView.json")["responses"]["200"]["body"]
        for key in ("computerName", "osName", "osVersion", "vmAgent", "disks", "hyperVGeneration", "statuses"):
            assert_covers(view.body[key], recorded[key], where=key, ignore=("extensionHandlers",))
        assert view.body["statuses"][0]["code"] == recorded["statuses"][0]["code"] == "ProvisioningState/succeeded"
        assert view.body["statuses"][1] == recorded["statuses"][1] == {
            "code": "PowerState/running", "level": "Info", "displayStatus": "VM running"}
        expanded = call(arm, "GET", vm_path(rg, "vm1"), query="$expand=instanceView").body
        assert expanded["properties"]["instanceView"]["statuses"] == view.body["statuses"]
        assert "instanceView" not in call(arm, "GET", vm_path(rg, "vm1")).body["properties"]
        listed = call(arm, "GET", f"/resourceGroups/{rg}{COMPUTE}/virtualMachines", query="$expand=instanceView").body
        assert listed["value"][0]["properties"]["instanceView"]["statuses"] == view.body["statuses"]

    def test_get_back_and_put_again(self, arm, rg):
        """A client may PUT back what it read: nothing that only creation sets changes."""
        vm = make_vm(arm, rg, "vm1")
        resp = call(arm, "PUT", vm_path(rg, "vm1"), vm)
        assert resp.status == 200, resp
        assert resp.body["properties"]["provisioningState"] == "Updating"
        assert wait_operation(arm, resp)["status"] == "Succeeded"
        again = call(arm, "GET", vm_path(rg, "vm1")).body
        assert again["properties"]["storageProfile"] == vm["properties"]["storageProfile"]


class TestBootAndPower:
    def test_creation_takes_the_boot_time(self, arm, rg, settings):
        settings(vm_boot_seconds=20, time_scale=20)      # 20 emulated seconds: 1 s here
        nic = make_nic(arm, rg)
        started = time.monotonic()
        resp = call(arm, "PUT", vm_path(rg), vm_body([nic]))
        assert resp.status == 201, resp
        assert power_state(arm, rg) == "starting"
        view = call(arm, "GET", vm_path(rg, "vm1", "instanceView")).body
        assert view["statuses"][0] == {"code": "ProvisioningState/creating", "level": "Info",
                                       "displayStatus": "Creating", "time": view["statuses"][0]["time"]}
        assert arm.follow(resp.headers["Azure-AsyncOperation"]).body["status"] == "InProgress"
        assert wait_operation(arm, resp)["status"] == "Succeeded"
        assert 0.9 <= time.monotonic() - started < 5
        assert power_state(arm, rg) == "running"

    def test_power_actions(self, arm, rg, emu):
        vm = make_vm(arm, rg)
        resp, done = action(arm, rg, "vm1", "powerOff")
        assert url_template(resp.headers["Location"]) == (
            "/subscriptions/{guid}/providers/{ns}/locations/{loc}/operations/{guid}?api-version&monitor")
        assert url_template(resp.headers["Azure-AsyncOperation"]) == (
            "/subscriptions/{guid}/providers/{ns}/locations/{loc}/operations/{guid}?api-version")
        assert done["status"] == "Succeeded"
        final = arm.follow(resp.headers["Location"])
        assert final.status == 200 and final.body is None, final
        assert power_state(arm, rg) == "stopped"
        assert action(arm, rg, "vm1", "powerOff")[1]["status"] == "Succeeded"      # already stopped: fine
        action(arm, rg, "vm1", "deallocate")
        assert power_state(arm, rg) == "deallocated"
        for verb in ("powerOff", "restart"):
            refused = call(arm, "POST", vm_path(rg, "vm1", verb))
            assert refused.status == 409, refused
            assert refused.body["error"] == {"code": "OperationNotAllowed", "message": (
                f"Operation '{verb}' is not allowed on VM 'vm1' since the VM is either deallocated or marked to be "
                "deallocated.")}
        action(arm, rg, "vm1", "start")
        assert power_state(arm, rg) == "running"
        power = stored(emu, vm["id"])["internal"]["power"]
        action(arm, rg, "vm1", "restart")
        after = stored(emu, vm["id"])["internal"]["power"]
        assert (after["state"], after["boots"]) == ("running", power["boots"] + 1)
        assert after["booted_at"] >= power["booted_at"]

    def test_an_action_during_a_power_change_is_refused(self, arm, rg, settings):
        make_vm(arm, rg)
        settings(latency=5)
        resp = call(arm, "POST", vm_path(rg, "vm1", "powerOff"))
        assert resp.status == 202 and power_state(arm, rg) == "stopping"
        refused = call(arm, "POST", vm_path(rg, "vm1", "start"))
        assert refused.status == 409, refused
        assert refused.body["error"]["code"] == "OperationNotAllowed"
        assert "An ongoing operation is changing power state of Virtual Machine vm1" in refused.body["error"]["message"]


class TestInputChecks:
    @pytest.mark.parametrize("change, status, code, target", [
        (lambda p: p["hardwareProfile"].update(vmSize="Standard_Nope"), 400, "InvalidParameter", "vmSize"),
        (lambda p: p["storageProfile"]["imageReference"].pop("sku"), 400, "InvalidParameter", "imageReference.sku"),
        (lambda p: p["storageProfile"]["imageReference"].update(offer="nope"), 404, "PlatformImageNotFound",
         "imageReference"),
        (lambda p: p["storageProfile"]["imageReference"].update(version="1.2.3"), 404, "PlatformImageNotFound",
         "imageReference"),
        (lambda p: p["hardwareProfile"].update(vmSize="Standard_D2_v5"), 400, "InvalidParameter",
         "osDisk.managedDisk.storageAccountType"),
        (lambda p: p["osProfile"].update(computerName="my_vm"), 400, "InvalidParameter", "computerName"),
        (lambda p: p["osProfile"].update(adminUsername="root"), 400, "InvalidParameter", "adminUsername"),
        (lambda p: p["osProfile"]["linuxConfiguration"]["ssh"].update(publicKeys=[]), 400, "InvalidParameter",
         "linuxConfiguration"),
        (lambda p: p["osProfile"]["linuxConfiguration"].update(disablePasswordAuthentication=False), 400,
         "InvalidParameter", "adminPassword"),
        (lambda p: p["osProfile"].update(customData="not base64!"), 400, "InvalidParameter", "customData"),
        (lambda p: p.pop("osProfile"), 400, "InvalidParameter", "osProfile"),
    ])
    def test_refused_before_anything_is_stored(self, arm, rg, change, status, code, target):
        body = vm_body([make_nic(arm, rg)])
        change(body["properties"])
        resp = call(arm, "PUT", vm_path(rg), body)
        assert resp.status == status, resp
        assert (resp.body["error"]["code"], resp.body["error"].get("target")) == (code, target), resp
        assert call(arm, "GET", vm_path(rg)).status == 404

    def test_size_message_lists_the_sizes(self, arm, rg):
        body = vm_body([make_nic(arm, rg)], hardwareProfile={"vmSize": "Standard_Nope"})
        message = call(arm, "PUT", vm_path(rg), body).body["error"]["message"]
        assert message.startswith("The requested VM size Standard_Nope is not available in the current region. "
                                  "The sizes available in the current region are: ")
        assert "Standard_B2s" in message and "Standard_D2s_v5" in message and "Standard_F2s_v2" in message

    def test_nic_used_by_another_vm(self, arm, rg):
        vm = make_vm(arm, rg, "vm1")
        nic = vm["properties"]["networkProfile"]["networkInterfaces"][0]["id"]
        resp = call(arm, "PUT", vm_path(rg, "vm2"), vm_body([nic]))
        assert resp.status == 400, resp
        assert resp.body["error"] == {"code": "NicInUse",
                                      "message": f"Network Interface {nic} is used by existing VM {vm['id']}."}

    def test_nic_in_another_region_or_missing(self, arm, rg):
        far = make_nic(arm, rg, "far", location="eastus", vnet="vnet-east")
        resp = call(arm, "PUT", vm_path(rg), vm_body([far]))
        assert resp.status == 400 and resp.body["error"]["code"] == "InvalidParameter", resp
        assert "'eastus'" in resp.body["error"]["message"] and "'westus'" in resp.body["error"]["message"]
        missing = far.replace("/far", "/nosuch")
        resp = call(arm, "PUT", vm_path(rg), vm_body([missing]))
        assert resp.status == 404 and resp.body["error"] == {"code": "NotFound",
                                                             "message": f"Resource {missing} not found."}, resp

    def test_availability_set_only_at_creation_and_aligned(self, arm, rg):
        classic = call(arm, "PUT", avset_path(rg, "classic"), {"location": "westus"}).body
        resp = call(arm, "PUT", vm_path(rg), vm_body([make_nic(arm, rg)], availabilitySet={"id": classic["id"]}))
        assert resp.status == 400 and resp.body["error"]["code"] == "BadRequest", resp
        assert "Addition of a VM with managed disks to non-managed Availability Set" in resp.body["error"]["message"]
        aligned = call(arm, "PUT", avset_path(rg, "aligned"), {"location": "westus", "sku": {"name": "Aligned"}}).body
        vm = make_vm(arm, rg, "vm1")
        resp = call(arm, "PATCH", vm_path(rg, "vm1"), {"properties": {"availabilitySet": {"id": aligned["id"]}}})
        assert resp.status == 409, resp
        assert resp.body["error"] == {"code": "PropertyChangeNotAllowed",
                                      "message": "Changing property 'availabilitySet' is not allowed.",
                                      "target": "availabilitySet"}
        assert "availabilitySet" not in call(arm, "GET", vm_path(rg, "vm1")).body["properties"]
        resp = call(arm, "PUT", vm_path(rg, "vm2"), vm_body([make_nic(arm, rg, "nic2")],
                                                             availabilitySet={"id": aligned["id"] + "x"}))
        assert resp.status == 404 and resp.body["error"]["code"] == "NotFound", resp
        assert vm["id"]

    @pytest.mark.parametrize("patch, prop", [
        ({"osProfile": {"adminUsername": "someone"}}, "adminUsername"),
        ({"osProfile": {"computerName": "other"}}, "computerName"),
        ({"storageProfile": {"osDisk": {"name": "other"}}}, "osDisk.name"),
        ({"storageProfile": {"imageReference": {"publisher": "Debian", "offer": "debian-12", "sku": "12",
                                                "version": "latest"}}}, "imageReference"),
        ({"osProfile": {"customData": base64.b64encode(b"#cloud-config\n").decode()}}, "customData"),
    ])
    def test_what_only_creation_sets(self, arm, rg, patch, prop):
        make_vm(arm, rg, "vm1")
        resp = call(arm, "PATCH", vm_path(rg, "vm1"), {"properties": patch})
        assert resp.status == 409, resp
        assert resp.body["error"]["code"] == "PropertyChangeNotAllowed" and resp.body["error"]["target"] == prop

    def test_os_disk_grows_only_when_deallocated(self, arm, rg):
        make_vm(arm, rg, "vm1")
        grow = {"properties": {"storageProfile": {"osDisk": {"diskSizeGB": 64}}}}
        resp = call(arm, "PATCH", vm_path(rg, "vm1"), grow)
        assert resp.status == 409 and resp.body["error"]["message"] == (
            "Disk resizing is allowed only when creating a VM or when the VM is deallocated."), resp
        action(arm, rg, "vm1", "deallocate")
        resp = call(arm, "PATCH", vm_path(rg, "vm1"), grow)
        assert resp.status == 200, resp
        wait_operation(arm, resp)
        vm = call(arm, "GET", vm_path(rg, "vm1")).body
        disk = vm["properties"]["storageProfile"]["osDisk"]
        assert disk["diskSizeGB"] == 64
        resp = call(arm, "PATCH", vm_path(rg, "vm1"), {"properties": {"storageProfile": {"osDisk": {"diskSizeGB": 40}}}})
        assert resp.status == 409 and "reduction" in resp.body["error"]["message"], resp


class TestCustomData:
    def test_kept_never_returned_and_given_to_cloud_init(self, arm, rg, emu):
        text = "#cloud-config\nruncmd:\n  - echo azemu-custom-data-marker\n"
        encoded = base64.b64encode(text.encode()).decode()
        body = vm_body([make_nic(arm, rg)])
        body["properties"]["osProfile"]["customData"] = encoded
        resp = call(arm, "PUT", vm_path(rg), body)
        wait_operation(arm, resp)
        answers = [resp.body, call(arm, "GET", vm_path(rg)).body,
                   call(arm, "GET", vm_path(rg), query="$expand=instanceView").body,
                   call(arm, "GET", f"/resourceGroups/{rg}{COMPUTE}/virtualMachines").body]
        for answer in answers:
            assert encoded not in str(answer) and "azemu-custom-data-marker" not in str(answer)
        record = stored(emu, resp.body["id"])
        assert "customData" not in str(record["body"])
        assert record["internal"]["cloud_init"]["user_data"] == text
        assert record["internal"]["cloud_init"]["received_at"]
        # The test API shows the VM, never its custom data.
        shown = next(r for r in emu.state()["resources"] if r["body"]["id"] == resp.body["id"])
        assert shown["internal"]["cloud_init"] == {"user_data": "<redacted>",
                                                   "received_at": record["internal"]["cloud_init"]["received_at"]}
        assert encoded not in json.dumps(emu.state()) and "azemu-custom-data-marker" not in json.dumps(emu.state())
        # The same data again (or none) is no change; other data is.
        same = call(arm, "PATCH", vm_path(rg), {"properties": {"osProfile": {"customData": encoded}}})
        assert same.status == 200, same


class TestDisksAndDelete:
    def test_os_disk_detached_or_deleted_with_the_vm(self, arm, rg):
        kept = make_vm(arm, rg, "kept")
        gone = make_vm(arm, rg, "gone", storageProfile={
            "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server",
                               "version": "latest"},
            "osDisk": {"createOption": "FromImage", "deleteOption": "Delete"}})
        disks = call(arm, "GET", f"/resourceGroups/{rg}{COMPUTE}/disks").body["value"]
        assert sorted(d["managedBy"] for d in disks) == sorted([kept["id"], gone["id"]])
        assert all(d["properties"]["diskState"] == "Attached" for d in disks)
        kept_disk = kept["properties"]["storageProfile"]["osDisk"]["name"]
        resp = call(arm, "DELETE", f"/resourceGroups/{rg}{COMPUTE}/disks/{kept_disk}")
        assert resp.status == 409 and resp.body["error"]["code"] == "OperationNotAllowed", resp

        for name in ("kept", "gone"):
            resp = call(arm, "DELETE", vm_path(rg, name))
            assert resp.status == 202, resp
            assert resp.headers.get("Location") and resp.headers.get("Azure-AsyncOperation")
            assert wait_operation(arm, resp)["status"] == "Succeeded"
        disks = call(arm, "GET", f"/resourceGroups/{rg}{COMPUTE}/disks").body["value"]
        assert [(d["name"], d["properties"]["diskState"], "managedBy" in d) for d in disks] == [
            (kept_disk, "Unattached", False)]
        assert call(arm, "DELETE", f"/resourceGroups/{rg}{COMPUTE}/disks/{kept_disk}").status == 202
        assert call(arm, "DELETE", vm_path(rg, "gone")).status == 204

    def test_nics_with_delete_option_go_with_the_vm(self, arm, rg):
        nic = make_nic(arm, rg, "nic-delete")
        body = vm_body([nic])
        body["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"] = "Delete"
        resp = call(arm, "PUT", vm_path(rg), body)
        wait_operation(arm, resp)
        wait_operation(arm, call(arm, "DELETE", vm_path(rg)))
        assert arm.get(f"/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/nic-delete").status == 404


def test_vm_sizes(arm):
    resp = call(arm, "GET", f"/subscriptions/{arm.sub}{COMPUTE}/locations/westus/vmSizes")
    assert resp.status == 200, resp
    sizes = {s["name"]: s for s in resp.body["value"]}
    assert {"Standard_B1s", "Standard_B2s", "Standard_D2s_v5", "Standard_DS1_v2", "Standard_F2s_v2"} <= set(sizes)
    assert set(sizes["Standard_B2s"]) == {"name", "numberOfCores", "osDiskSizeInMB", "resourceDiskSizeInMB",
                                          "memoryInMB", "maxDataDiskCount"}
    assert (sizes["Standard_B2s"]["numberOfCores"], sizes["Standard_B2s"]["memoryInMB"]) == (2, 4096)
    assert call(arm, "GET", f"/subscriptions/{arm.sub}{COMPUTE}/locations/nowhere/vmSizes").status == 404
