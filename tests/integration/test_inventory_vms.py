"""The cloudlb.azure.vms inventory plugin through real ansible-inventory and ansible-doc runs,
against azemu."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import rolling_lab
import yaml

VENV_BIN = Path(sys.executable).parent

POOL_GROUP = "pool_myloadbalancer_mybackendpool"


@pytest.fixture(scope="module")
def lab(azemu, sdk):
    group = f"rg-inv-{uuid.uuid4().hex[:8]}"
    lab = rolling_lab.build(azemu, sdk, group, vms=3, public_ip_on=("myVM1",))
    yield lab
    sdk.resource.resource_groups.begin_delete(group).result()


def inventory(tmp_path, env, config, *args, name="lab.azure_vms.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"plugin": "cloudlb.azure.vms", **config}), encoding="utf-8")
    # A source the plugin cannot read fails the command, rather than giving an empty inventory.
    env = dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED="True")
    proc = subprocess.run([str(VENV_BIN / "ansible-inventory"), "-i", str(path), "--list", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    return proc


def plain(value):
    """ansible-inventory's JSON without its {"__ansible_unsafe": ...} wrappers."""
    if isinstance(value, dict):
        return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def listed(proc):
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return plain(json.loads(proc.stdout))


def members(doc, group):
    return sorted(doc.get(group, {}).get("hosts", []))


def arm(azemu, mark):
    return [(r["method"], r["path"].rsplit("/providers/", 1)[-1]) for r in azemu.requests(since=mark)
            if r["kind"] == "arm"]


def test_vms_become_hosts_grouped_by_pool_placement_and_power(tmp_path, azure_env, azemu, lab):
    mark = azemu.mark()
    doc = listed(inventory(tmp_path, azure_env, {
        "resource_groups": [lab.group],
        "keyed_groups": [{"key": "azure_size", "prefix": "size"}],
        "compose": {"app_url": "'http://' ~ azure_private_ip ~ '/'"},
    }))
    # One listing per kind of resource, nothing written.
    assert arm(azemu, mark) == [("GET", "Microsoft.Compute/virtualMachines"),
                                ("GET", "Microsoft.Network/networkInterfaces"),
                                ("GET", "Microsoft.Network/publicIPAddresses")]
    vms = ["myVM1", "myVM2", "myVM3"]
    assert members(doc, POOL_GROUP) == vms
    assert members(doc, "availability_set_myavailabilityset") == vms
    assert members(doc, "power_state_running") == vms
    assert members(doc, f"resource_group_{lab.group.replace('-', '_')}") == vms
    assert members(doc, "size_Standard_B1s") == vms
    # Three VMs over two update domains and three fault domains, as Azure places them.
    assert members(doc, "update_domain_0") == ["myVM1", "myVM3"] and members(doc, "update_domain_1") == ["myVM2"]
    assert [members(doc, f"fault_domain_{i}") for i in range(3)] == [["myVM1"], ["myVM2"], ["myVM3"]]

    hostvars = doc["_meta"]["hostvars"]
    one, two = hostvars["myVM1"], hostvars["myVM2"]
    assert one["azure_network_interface"] == "myNic1" and one["azure_ip_configuration"] == "ipconfig1"
    assert one["azure_ip_configuration_id"] == lab.ipconfig_id("myVM1")
    assert one["azure_backend_pools"] == [{
        "id": lab.pool_id, "name": "myBackEndPool", "load_balancer": "myLoadBalancer", "resource_group": lab.group,
        "network_interface": "myNic1", "ip_configuration": "ipconfig1", "ip_configuration_id": lab.ipconfig_id("myVM1")}]
    assert one["azure_private_ip"] == "10.0.0.4" and two["azure_private_ip"] == "10.0.0.5"
    assert one["azure_public_ip"] and one["azure_public_ips"] == [one["azure_public_ip"]]
    assert two["azure_public_ip"] is None and two["azure_public_ips"] == []
    # The default ansible_host: the public address when there is one, else the private one.
    assert one["ansible_host"] == one["azure_public_ip"] and two["ansible_host"] == "10.0.0.5"
    assert one["azure_power_state"] == "running" and one["azure_computer_name"] == "myvm1"
    assert one["azure_resource_group"] == lab.group and one["azure_size"] == "Standard_B1s"
    assert one["app_url"] == "http://10.0.0.4/"


def test_names_addresses_and_power_state_filter_are_options(tmp_path, azure_env, sdk, lab):
    from azure.mgmt.compute import ComputeManagementClient

    compute = sdk.client(ComputeManagementClient)
    compute.virtual_machines.begin_power_off(lab.group, "myVM3").result()
    try:
        config = {"resource_groups": [lab.group, "rg-that-does-not-exist"], "hostname": "computer_name",
                  "ansible_host": "private_ip"}
        doc = listed(inventory(tmp_path, azure_env, config))
        assert members(doc, POOL_GROUP) == ["myvm1", "myvm2", "myvm3"]
        assert members(doc, "power_state_stopped") == ["myvm3"]
        assert doc["_meta"]["hostvars"]["myvm1"]["ansible_host"] == "10.0.0.4"
        running = listed(inventory(tmp_path, azure_env, dict(config, power_states=["running"], ansible_host="none")))
        assert members(running, POOL_GROUP) == ["myvm1", "myvm2"]
        assert "ansible_host" not in running["_meta"]["hostvars"]["myvm2"]
    finally:
        compute.virtual_machines.begin_start(lab.group, "myVM3").result()


def test_the_cache_answers_without_asking_azure(tmp_path, azure_env, azemu, lab):
    config = {"resource_groups": [lab.group], "cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": 3600}
    first = listed(inventory(tmp_path, azure_env, config))
    mark = azemu.mark()
    assert listed(inventory(tmp_path, azure_env, config)) == first
    assert arm(azemu, mark) == []
    assert listed(inventory(tmp_path, azure_env, config, "--flush-cache")) == first
    assert len(arm(azemu, mark)) == 3


def test_authenticates_like_the_modules(tmp_path, azure_env, lab):
    # The names AWX's credential may inject, and options in the file.
    env = dict(azure_env)
    env["AZURE_CLIENT_SECRET"] = env.pop("AZURE_SECRET")
    env["AZURE_TENANT_ID"] = env.pop("AZURE_TENANT")
    assert members(listed(inventory(tmp_path, env, {"resource_groups": [lab.group]})), POOL_GROUP)
    secret = env.pop("AZURE_CLIENT_SECRET")
    config = {"resource_groups": [lab.group], "secret": secret}
    assert members(listed(inventory(tmp_path, env, config)), POOL_GROUP)
    # A wrong secret: a clear failure that does not show the secret.
    wrong = "wrong-" + uuid.uuid4().hex
    proc = inventory(tmp_path, env, {"resource_groups": [lab.group], "secret": wrong}, "-vvv")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "cloudlb.azure.vms" in output and "AADSTS7000215" in output, output
    assert wrong not in output
    env_missing = {k: v for k, v in azure_env.items() if k != "AZURE_CLIENT_ID"}
    proc = inventory(tmp_path, env_missing, {"auth_source": "env"})
    assert proc.returncode != 0
    assert "cannot authenticate to Azure: auth_source env needs client_id" in proc.stdout + proc.stderr


def test_ansible_doc_documents_the_plugin(azure_env):
    proc = subprocess.run([str(VENV_BIN / "ansible-doc"), "-t", "inventory", "cloudlb.azure.vms", "--json"],
                          env=azure_env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)["cloudlb.azure.vms"]["doc"]
    options = doc["options"]
    for option in ("resource_groups", "hostname", "ansible_host", "power_states", "cache", "cache_plugin",
                   "compose", "keyed_groups", "auth_source", "client_id", "secret", "cloud_environment"):
        assert option in options, option
    assert options["secret"]["type"] == "str"
