"""The pure helpers of plugins/module_utils/_compute.py."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._ids import reference_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._compute import (
    CUSTOM_DATA_MAX_BASE64,
    admin_username_problem,
    computer_name_problem,
    custom_data_digest,
    custom_data_matches,
    custom_data_problem,
    default_os_disk_type,
    encode_custom_data,
    image_urn,
    parse_image,
    password_problem,
    power_actions,
    power_took_effect,
    power_state,
    run_command_result,
    same_image,
    size_problem,
    split_streams,
    ssh_key_problem,
    statuses_of,
    vm_name_problem,
    vm_to_dict,
)

UBUNTU = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx5CjX0ZZ0mUAg8KVBqvEwB4J1QWbF4a6XGm8VhyPG9 me@host"


@pytest.mark.parametrize("value, expected", [
    (None, UBUNTU),
    ("Canonical:ubuntu-24_04-lts:server:latest", UBUNTU),
    ("Canonical:ubuntu-24_04-lts:server", UBUNTU),
    ("Ubuntu2404", UBUNTU),
    ("ubuntu2204", {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2",
                    "version": "latest"}),
    ({"publisher": "Debian", "offer": "debian-12", "sku": "12-gen2"},
     {"publisher": "Debian", "offer": "debian-12", "sku": "12-gen2", "version": "latest"}),
    ({"publisher": "Debian", "offer": "debian-12", "sku": "12", "version": "0.20251006.2257"},
     {"publisher": "Debian", "offer": "debian-12", "sku": "12", "version": "0.20251006.2257"}),
])
def test_parse_image(value, expected):
    assert parse_image(value) == (expected, None)


@pytest.mark.parametrize("value, why", [
    ("Canonical:ubuntu", "neither a URN"),
    ("a:b::latest", "neither a URN"),
    ("Windows2022", "neither a URN"),
    ({"publisher": "Canonical", "offer": "x"}, "image needs sku"),
    ({"publisher": "Canonical", "offer": "x", "sku": " "}, "image needs sku"),
    ({"publisher": "Canonical", "offer": "x", "sku": "y", "urn": "z"}, "unknown keys urn"),
    (42, "must be a URN string or a dict"),
])
def test_bad_images(value, why):
    image, problem = parse_image(value)
    assert image is None and why in problem


def test_images_compare_without_case():
    assert same_image(UBUNTU, dict(UBUNTU, publisher="canonical", exactVersion="24.04.1"))
    assert not same_image(UBUNTU, dict(UBUNTU, sku="server-gen1"))
    assert not same_image(UBUNTU, None)
    assert image_urn(UBUNTU) == "Canonical:ubuntu-24_04-lts:server:latest"


@pytest.mark.parametrize("name", ["myVM1", "vm", "a", "web_01", "web.01_", "x" * 64])
def test_valid_vm_names(name):
    assert vm_name_problem(name) is None


@pytest.mark.parametrize("name", ["", "_vm", "vm-", "vm.", "my vm", "vm/1", "x" * 65])
def test_invalid_vm_names(name):
    assert "the VM name" in vm_name_problem(name)


@pytest.mark.parametrize("name, ok", [("myVM1", True), ("web-01", True), ("web_01", False), ("web.01", False),
                                      ("-web", False), ("1234", False), ("x" * 65, False)])
def test_computer_names(name, ok):
    assert (computer_name_problem(name) is None) is ok


@pytest.mark.parametrize("name, why", [("azureuser", None), ("ops_1", None), ("root", "reserves"),
                                       ("admin", "reserves"), ("Admin", "lower-case"), ("1user", "lower-case")])
def test_admin_usernames(name, why):
    problem = admin_username_problem(name)
    assert problem is None if why is None else why in problem


@pytest.mark.parametrize("password, ok", [("Passw0rd!", True), ("abcDEF12", True), ("short", False),
                                          ("alllowercase1", False), ("x" * 73 + "A1!", False)])
def test_passwords(password, ok):
    assert (password_problem(password) is None) is ok


@pytest.mark.parametrize("key, ok", [(ED25519, True), ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x", True),
                                     ("~/.ssh/id_rsa.pub", False), ("ssh-dss AAAAB3Nza x", False),
                                     ("ssh-rsa not*base64", False)])
def test_ssh_keys(key, ok):
    assert (ssh_key_problem(key) is None) is ok


@pytest.mark.parametrize("size, disk", [("Standard_D2s_v5", "Premium_LRS"), ("Standard_B2s", "Premium_LRS"),
                                        ("Standard_B1ms", "Premium_LRS"), ("Standard_D2_v5", "Standard_LRS"),
                                        ("Standard_DS1_v2", "Premium_LRS"), ("Standard_D2_v2", "Standard_LRS"), ("Standard_E4ds_v5", "Premium_LRS"),
                                        ("Standard_F2s_v2", "Premium_LRS")])
def test_default_os_disk_type_follows_az(size, disk):
    assert default_os_disk_type(size) == disk


def test_sizes():
    assert size_problem("Standard_B2s") is None
    assert "not a VM size" in size_problem("B2s")


@pytest.mark.parametrize("value, ok", [
    ("myNic1", True),
    ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic", True),
    ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip", False),
    ("rg/nic", False),
    (" ", False),
])
def test_references(value, ok):
    assert (reference_problem(value, "networkInterfaces", "nic") is None) is ok


def test_custom_data():
    text = "#cloud-config\npackages: [nginx]\n"
    assert base64.b64decode(encode_custom_data(text)).decode() == text
    tag = custom_data_digest(text)
    assert tag.startswith("v2:") and len(tag.split(":")[1]) == 32 and len(tag.split(":")[2]) == 64
    assert custom_data_matches(tag, text) and not custom_data_matches(tag, text + " ")
    # Salted: the same text gives another tag on another VM, and no plain SHA-256 of it.
    assert custom_data_digest(text) != tag and hashlib.sha256(text.encode()).hexdigest() not in tag
    # A VM tagged by an earlier release (the plain SHA-256) is still recognised.
    assert custom_data_matches(hashlib.sha256(text.encode()).hexdigest(), text)
    assert not custom_data_matches(hashlib.sha256(b"other").hexdigest(), text)
    assert custom_data_problem(text) is None
    assert "87380" in custom_data_problem("x" * (CUSTOM_DATA_MAX_BASE64 // 4 * 3 + 3))


STATUSES = [{"code": "ProvisioningState/succeeded", "level": "Info"}, {"code": "PowerState/deallocated"}]


def test_power_state_from_statuses():
    assert power_state(STATUSES) == "deallocated"
    assert power_state([{"code": "ProvisioningState/creating"}]) is None
    assert power_state([]) is None


def test_statuses_of_models_and_dicts():
    class Status:
        code = "PowerState/running"
        message = None

    class View:
        statuses = [Status()]

    assert statuses_of(View()) == [{"code": "PowerState/running", "message": None}]
    assert statuses_of({"statuses": STATUSES}) == STATUSES
    assert statuses_of(None) == []


@pytest.mark.parametrize("current, desired, actions", [
    ("running", "running", []),
    ("running", None, []),
    ("starting", "running", []),
    ("stopped", "running", ["start"]),
    ("deallocated", "running", ["start"]),
    ("running", "stopped", ["power_off"]),
    ("stopping", "stopped", []),
    ("deallocated", "stopped", ["start", "power_off"]),
    ("running", "deallocated", ["deallocate"]),
    ("stopped", "deallocated", ["deallocate"]),
    ("deallocating", "deallocated", []),
    ("running", "restarted", ["restart"]),
    ("stopped", "restarted", ["start"]),
    ("deallocated", "restarted", ["start"]),
])
def test_power_actions(current, desired, actions):
    assert power_actions(current, desired) == actions


@pytest.mark.parametrize("operation, state, effect", [
    ("start", "starting", True), ("start", "running", True), ("start", "stopped", False),
    ("power_off", "stopping", True), ("power_off", "stopped", True), ("power_off", "running", False),
    ("deallocate", "deallocating", True), ("deallocate", "deallocated", True), ("deallocate", "stopped", False),
    ("restart", "starting", True), ("restart", "running", None), ("restart", None, False),
])
def test_what_a_power_request_whose_answer_was_lost_did(operation, state, effect):
    assert power_took_effect(operation, state) is effect


@pytest.mark.parametrize("message, stdout, stderr", [
    ("Enable succeeded: \n[stdout]\nhello\n\n[stderr]\n", "hello", ""),
    ("Enable succeeded: \n[stdout]\n\n[stderr]\n", "", ""),
    ("Enable succeeded: \n[stdout]\na\nb\n\n[stderr]\nwarn\n", "a\nb", "warn"),
    ("Enable succeeded: \n[stdout]\nonly-out\n", "only-out", ""),
    ("something broke", "", "something broke"),
])
def test_split_streams(message, stdout, stderr):
    assert split_streams(message) == (stdout, stderr)


def test_run_command_results():
    ok = run_command_result([{"code": "ProvisioningState/succeeded",
                              "message": "Enable succeeded: \n[stdout]\nhi\n\n[stderr]\n"}])
    assert ok == {"stdout": "hi", "stderr": "", "exit_status": 0, "succeeded": True}
    failed = run_command_result([{"code": "ProvisioningState/failed/0", "message": (
        "Enable failed: failed to execute command: command terminated with exit status=100\n[stdout]\nreading\n"
        "\n[stderr]\nE: Unable to locate package\n")}])
    assert failed == {"stdout": "reading", "stderr": "E: Unable to locate package", "exit_status": 100,
                      "succeeded": False}
    # "exit status=" inside the script's own output is not the exit status.
    tricky = run_command_result([{"code": "ProvisioningState/succeeded",
                                  "message": "Enable succeeded: \n[stdout]\nexit status=9\n\n[stderr]\n"}])
    assert tricky["exit_status"] == 0
    windows = run_command_result([{"code": "ComponentStatus/StdOut/succeeded", "message": "out"},
                                  {"code": "ComponentStatus/StdErr/succeeded", "message": "err"}])
    assert windows == {"stdout": "out", "stderr": "err", "exit_status": 0, "succeeded": True}
    assert run_command_result([])["succeeded"] is False


def test_vm_to_dict():
    vm = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "name": "vm1",
          "location": "westus", "tags": {"a": "b"}, "properties": {
              "vmId": "guid", "provisioningState": "Succeeded", "hardwareProfile": {"vmSize": "Standard_B2s"},
              "storageProfile": {"imageReference": dict(UBUNTU, exactVersion="24.04.1"), "osDisk": {
                  "name": "d", "diskSizeGB": 30, "deleteOption": "Detach",
                  "managedDisk": {"id": "/d", "storageAccountType": "Premium_LRS"}}},
              "osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "linuxConfiguration": {
                  "disablePasswordAuthentication": True, "ssh": {"publicKeys": [{"keyData": ED25519}]}}},
              "networkProfile": {"networkInterfaces": [{"id": "/n2", "properties": {"primary": False}},
                                                       {"id": "/n1", "properties": {"primary": True}}]},
              "availabilitySet": {"id": "/AV"},
              "instanceView": {"statuses": STATUSES}}}
    view = vm_to_dict(vm)
    assert view["image"] == dict(UBUNTU, exact_version="24.04.1")
    assert view["os_disk"] == {"name": "d", "id": "/d", "type": "Premium_LRS", "size_gb": 30, "delete_option": "Detach"}
    assert (view["network_interfaces"], view["primary_network_interface"]) == (["/n2", "/n1"], "/n1")
    assert (view["ssh_public_keys"], view["password_authentication"]) == ([ED25519], False)
    assert (view["availability_set"], view["power_state"], view["size"]) == ("/AV", "deallocated", "Standard_B2s")
    assert vm_to_dict({"properties": {}}, instance_view={"statuses": [{"code": "PowerState/running"}]})["power_state"] == "running"
