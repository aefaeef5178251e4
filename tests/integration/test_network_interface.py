"""cloudlb.azure.network_interface and network_interface_info through real ansible-playbook runs.

The VNet, NSG, public IPs and load balancer around the NICs are made with the plain SDK, so
these tests depend on azemu and on nothing but the two modules under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from azure.core.exceptions import HttpResponseError
from playbook_tasks import assert_unchanged, check, may_fail, with_diff

NETWORK = "/providers/Microsoft.Network"


def nic_task(group, name, task_name="nic", **options):
    return {"name": task_name, "cloudlb.azure.network_interface": {"resource_group": group, "name": name, **options}}


def in_subnet(group, name, task_name="nic", subnet="web", **options):
    return nic_task(group, name, task_name, virtual_network="vnet", subnet=subnet, **options)


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.network_interface_info": options}


def group_id(sdk, group):
    return f"/subscriptions/{sdk.env['AZURE_SUBSCRIPTION_ID']}/resourceGroups/{group}"


@pytest.fixture
def group(sdk, unique_name):
    """A resource group with VNet `vnet` (10.0.0.0/16, subnets web 10.0.0.0/24 and app
    10.0.1.0/24), NSG `nsg` and Standard public IPs `pip1` and `pip2`."""
    name = unique_name("rg")
    net = sdk.network
    sdk.resource.resource_groups.create_or_update(name, {"location": "eastus"})
    net.virtual_networks.begin_create_or_update(name, "vnet", {
        "location": "eastus",
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "web", "properties": {"addressPrefix": "10.0.0.0/24"}},
                        {"name": "app", "properties": {"addressPrefix": "10.0.1.0/24"}}],
        },
    }).result()
    net.network_security_groups.begin_create_or_update(name, "nsg", {"location": "eastus"}).result()
    for pip in ("pip1", "pip2"):
        net.public_ip_addresses.begin_create_or_update(name, pip, {
            "location": "eastus", "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Static"}}).result()
    yield name
    sdk.resource.resource_groups.begin_delete(name).result()


def load_balancer(sdk, group, pools):
    """A load balancer `lb` with these backend pools; skips while azemu has no load balancers."""
    body = {"location": "eastus", "sku": {"name": "Standard"},
            "properties": {"backendAddressPools": [{"name": pool} for pool in pools]}}
    try:
        return sdk.network.load_balancers.begin_create_or_update(group, "lb", body).result()
    except HttpResponseError as exc:
        if exc.error and exc.error.code == "InvalidResourceType":
            pytest.skip("azemu serves no Microsoft.Network/loadBalancers yet")
        raise


def test_lifecycle(run_playbook, azemu, sdk, group):
    """Create, update and delete in two playbooks (the NSG's own view of its NICs is read in
    between); each step's writes are the ones azemu logged while its task ran."""
    create = dict(tags={"env": "demo"})
    update = dict(security_group="nsg", public_ip_address="pip1", ip_forwarding=True, tags={"owner": "team-a"})
    mark = azemu.mark()
    run = run_playbook([
        check(with_diff(in_subnet(group, "nic1", "predict", **create))),
        info_task("info before", resource_group=group),
        in_subnet(group, "nic1", "create", **create),
        in_subnet(group, "nic1", "again", **create),
        check(in_subnet(group, "nic1", "again in check mode", **create)),
        check(with_diff(in_subnet(group, "nic1", "predict update", **update))),
        with_diff(in_subnet(group, "nic1", "update", **update)),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)

    result = run.task("predict")
    assert result["changed"]
    predicted = result["network_interface"]
    nic_id = f"{group_id(sdk, group)}{NETWORK}/networkInterfaces/nic1"
    assert predicted["id"] == nic_id and predicted["location"] == "eastus"
    assert [c["name"] for c in predicted["ip_configurations"]] == ["ipconfig1"]
    assert predicted["private_ip_address"] is None, "check mode cannot know the address Azure will give"
    assert result["diff"]["before"] == {} and result["diff"]["after"]["name"] == "nic1"
    assert run.during("predict", writes) == []
    assert run.task("info before")["network_interfaces"] == []

    result = run.task("create")
    assert result["changed"]
    nic = result["network_interface"]
    subnet_id = f"{group_id(sdk, group)}{NETWORK}/virtualNetworks/vnet/subnets/web"
    assert (nic["id"], nic["private_ip_address"], nic["provisioning_state"]) == (nic_id, "10.0.0.4", "Succeeded")
    assert (nic["tags"], nic["security_group"], nic["ip_forwarding"], nic["accelerated_networking"]) == (
        {"env": "demo"}, None, False, False)
    assert (nic["virtual_machine"], nic["mac_address"]) == (None, None)
    config = nic["ip_configurations"][0]
    assert (config["name"], config["primary"], config["subnet"], config["private_ip_allocation_method"]) == (
        "ipconfig1", True, subnet_id, "Dynamic")

    assert_unchanged(run, writes, "again", "again in check mode")
    assert run.task("again")["network_interface"] == nic

    result = run.task("predict update")
    assert result["changed"]
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert (before["security_group"], before["ip_forwarding"]) == (None, False)
    assert after["security_group"].endswith("/networkSecurityGroups/nsg") and after["ip_forwarding"] is True
    assert after["ip_configurations"][0]["public_ip_address"].endswith("/publicIPAddresses/pip1")
    assert after["tags"] == {"env": "demo", "owner": "team-a"}
    assert run.during("predict update", writes) == []

    result = run.task("update")
    assert result["changed"]
    updated = result["network_interface"]
    assert updated["private_ip_address"] == "10.0.0.4", "a dynamic address stays while the NIC stays in its subnet"
    assert updated["security_group"] == f"{group_id(sdk, group)}{NETWORK}/networkSecurityGroups/nsg"
    assert result["diff"]["after"] == {k: v for k, v in updated.items() if k != "provisioning_state"} | {
        "ip_configurations": [{k: v for k, v in c.items() if k != "provisioning_state"}
                              for c in updated["ip_configurations"]]}
    nsg = sdk.network.network_security_groups.get(group, "nsg")
    assert [n.id.lower() for n in nsg.network_interfaces or []] == [nic_id.lower()]

    mark = azemu.mark()
    run = run_playbook([
        in_subnet(group, "nic1", "update again", **update),
        in_subnet(group, "nic1", "detach", security_group="", public_ip_address=""),
        check(with_diff(nic_task(group, "nic1", "predict delete", state="absent"))),
        info_task("info before delete", resource_group=group, name="nic1"),
        nic_task(group, "nic1", "delete", state="absent"),
        info_task("info after delete", resource_group=group, name="nic1"),
        nic_task(group, "nic1", "delete again", state="absent"),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)
    assert_unchanged(run, writes, "update again")

    result = run.task("detach")
    assert result["changed"]
    assert result["network_interface"]["security_group"] is None
    assert result["network_interface"]["ip_configurations"][0]["public_ip_address"] is None

    assert run.task("predict delete")["changed"]
    assert run.task("predict delete")["diff"]["after"] == {}
    assert len(run.task("info before delete")["network_interfaces"]) == 1

    assert run.task("delete")["changed"]
    assert run.task("info after delete")["network_interfaces"] == []

    assert_unchanged(run, writes, "delete again")


BAD_ADDRESSES = (("10.0.1.20", "PrivateIPAddressNotInSubnet"), ("10.0.0.1", "PrivateIPAddressInReservedRange"),
                 ("10.0.0.255", "PrivateIPAddressInReservedRange"))


def test_addresses_static_and_moving_subnets(run_playbook, azemu, group):
    mark = azemu.mark()
    run = run_playbook([
        in_subnet(group, "nic1", "first"),
        in_subnet(group, "nic2", "second"),
        in_subnet(group, "nic3", "static", private_ip_address="10.0.0.10"),
        may_fail(in_subnet(group, "nic4", "taken", private_ip_address="10.0.0.10")),
        *[may_fail(in_subnet(group, "nic4", f"bad {address}", private_ip_address=address)) for address, _code in BAD_ADDRESSES],
        in_subnet(group, "nic1", "move", subnet="app"),
        in_subnet(group, "nic4", "after the move"),
        in_subnet(group, "nic3", "dynamic", private_ip_allocation_method="Dynamic"),
    ])
    assert run.ok, run.output()
    assert [run.task(t)["network_interface"]["private_ip_address"] for t in ("first", "second", "static")] == [
        "10.0.0.4", "10.0.0.5", "10.0.0.10"]
    config = run.task("static")["network_interface"]["ip_configurations"][0]
    assert config["private_ip_allocation_method"] == "Static"

    result = run.task("taken")
    assert run.record("taken")["status"] == "failed"
    assert result["error_code"] == "PrivateIPAddressIsAllocated", result
    assert "10.0.0.10" in result["msg"] and "/networkInterfaces/nic3/ipConfigurations/ipconfig1" in result["msg"]
    writes = azemu.writes(since=mark)
    assert [w["method"] for w in run.during("taken", writes)] == ["PUT"], "the one refused create"

    for address, code in BAD_ADDRESSES:
        assert run.record(f"bad {address}")["status"] == "failed"
        assert run.task(f"bad {address}")["error_code"] == code, run.output()

    assert run.task("move")["changed"]
    assert run.task("move")["network_interface"]["private_ip_address"] == "10.0.1.4"
    assert run.task("after the move")["network_interface"]["private_ip_address"] == "10.0.0.4", "nic1 left .4 free"

    assert run.task("dynamic")["changed"]
    config = run.task("dynamic")["network_interface"]["ip_configurations"][0]
    assert (config["private_ip_allocation_method"], config["private_ip_address"]) == ("Dynamic", "10.0.0.10")


def test_more_ip_configurations(run_playbook, azemu, group):
    more = dict(ip_configurations=[{"name": "ipconfig2", "private_ip_address": "10.0.0.20", "public_ip_address": "pip2"},
                                   {"name": "backend", "subnet": "web"}])
    mark = azemu.mark()
    run = run_playbook([
        in_subnet(group, "nic1", "create", **more),
        in_subnet(group, "nic1", "again", **more),
        in_subnet(group, "nic1", "without them"),
        in_subnet(group, "nic1", "other case", ip_configurations=[{"name": "IPCONFIG1", "primary": True}]),
        may_fail(in_subnet(group, "nic1", "pip in use", public_ip_address="pip2")),
    ])
    assert run.record("create")["status"] == "ok", run.output()
    configs = {c["name"]: c for c in run.task("create")["network_interface"]["ip_configurations"]}
    assert {n: (c["primary"], c["private_ip_address"]) for n, c in configs.items()} == {
        "ipconfig1": (True, "10.0.0.4"), "ipconfig2": (False, "10.0.0.20"), "backend": (False, "10.0.0.5")}
    assert configs["ipconfig2"]["public_ip_address"].endswith("/publicIPAddresses/pip2")

    writes = azemu.writes(since=mark)
    assert not run.task("again")["changed"]
    assert not run.task("without them")["changed"], "unlisted ip configurations stay"
    assert not run.task("other case")["changed"], "names compare without regard to case"
    assert [run.during(name, writes) for name in ("again", "without them", "other case")] == [[], [], []]

    assert run.record("pip in use")["status"] == "failed"
    assert run.task("pip in use")["error_code"] == "PublicIPAddressInUse", run.output()


def test_pools_are_added_never_dropped(run_playbook, azemu, sdk, group):
    lb = load_balancer(sdk, group, ["pool1", "pool2"])
    pool1, pool2 = (p.id for p in lb.backend_address_pools)
    keep = {"without pools": {}, "the first pool again": {"load_balancer_backend_address_pools": [
        {"load_balancer": "lb", "name": "pool1"}]}, "an NSG": {"security_group": "nsg"}}
    mark = azemu.mark()
    run = run_playbook([
        in_subnet(group, "nic1", "create", load_balancer_backend_address_pools=[{"load_balancer": "lb", "name": "pool1"}]),
        with_diff(in_subnet(group, "nic1", "add", load_balancer_backend_address_pools=[pool2])),
        *[in_subnet(group, "nic1", name, **options) for name, options in keep.items()],
    ])
    assert run.ok, run.output()
    assert run.task("create")["network_interface"]["ip_configurations"][0]["load_balancer_backend_address_pools"] == [pool1]

    result = run.task("add")
    assert result["changed"]
    assert result["network_interface"]["ip_configurations"][0]["load_balancer_backend_address_pools"] == [pool1, pool2]
    assert result["diff"]["before"]["ip_configurations"][0]["load_balancer_backend_address_pools"] == [pool1]

    writes = azemu.writes(since=mark)
    for name in keep:
        assert run.task(name)["network_interface"]["ip_configurations"][0]["load_balancer_backend_address_pools"] == [
            pool1, pool2]
    assert [[w["method"] for w in run.during(name, writes)] for name in keep] == [[], [], ["PUT"]], \
        "only the NSG change writes"
    pools = sdk.network.network_interfaces.get(group, "nic1").ip_configurations[0].load_balancer_backend_address_pools
    assert [p.id for p in pools] == [pool1, pool2]


def test_concurrent_tasks_keep_each_others_pools(azure_env, azemu, sdk, group, run_playbook, tmp_path):
    """Writers that each add their own pool to one NIC at the same moment: every pool lands, where
    a plain read-modify-write would lose pools or fail. A writer that read before another's PUT
    gets 412 and reads again; one that PUTs while another's write is still in progress
    supersedes it (Canceled), and the superseded one finds its pool there."""
    writers = 3
    latency = 2.0
    lb = load_balancer(sdk, group, [f"pool{i}" for i in range(writers)])
    assert run_playbook([in_subnet(group, "nic1")]).ok
    barrier = tmp_path / "go"
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    before = azemu.settings()
    azemu.settings(latency=latency)    # writes that stay in progress a while make the writers overlap
    mark = azemu.mark()
    procs = []
    try:
        for index in range(writers):
            tasks = [
                {"name": "ready", "ansible.builtin.file": {"path": str(tmp_path / f"ready-{index}"), "state": "touch"}},
                {"name": "barrier", "ansible.builtin.wait_for": {"path": str(barrier), "sleep": 1, "timeout": 300}},
                in_subnet(group, "nic1", "join", load_balancer_backend_address_pools=[
                    {"load_balancer": "lb", "name": f"pool{index}"}]),
            ]
            playbook = tmp_path / f"writer-{index}.yml"
            playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
            env = dict(azure_env, CLOUDLB_TEST_RESULTS=str(tmp_path / f"results-{index}.json"))
            procs.append(subprocess.Popen([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
                                           str(playbook)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
        deadline = time.monotonic() + 300
        while not all((tmp_path / f"ready-{i}").exists() for i in range(writers)):
            assert time.monotonic() < deadline, "the writers never all reached the barrier"
            time.sleep(0.1)
        barrier.touch()
        outputs = [p.communicate(timeout=600)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        azemu.settings(**before)

    for index, (proc, output) in enumerate(zip(procs, outputs)):
        results = json.loads((tmp_path / f"results-{index}.json").read_text())
        join = next(t for t in results["tasks"] if t["name"] == "join")
        assert proc.returncode == 0 and join["result"]["changed"], (index, output)
    pools = sdk.network.network_interfaces.get(group, "nic1").ip_configurations[0].load_balancer_backend_address_pools
    assert sorted(p.id for p in pools) == sorted(p.id for p in lb.backend_address_pools)
    puts = [r for r in azemu.requests(since=mark) if r["method"] == "PUT" and "/networkInterfaces/nic1" in r["path"]]
    accepted = [r["time"] for r in puts if r["status"] in (200, 201)]
    superseding = [b for a, b in zip(accepted, accepted[1:]) if b - a < latency]
    assert [r for r in puts if r["status"] == 412] or superseding, f"the writers never overlapped: {puts}"


def test_references_must_exist(run_playbook, sdk, group):
    missing = f"{group_id(sdk, group)}{NETWORK}/virtualNetworks/vnet/subnets/nosuch"
    run = run_playbook([may_fail(in_subnet(group, "nic1", "subnet", subnet="nosuch")),
                        may_fail(in_subnet(group, "nic1", "nsg", security_group="nosuch")),
                        may_fail(nic_task(group, "nic1", "vnet", virtual_network="novnet", subnet="web"))])
    assert [run.record(name)["status"] for name in ("subnet", "nsg", "vnet")] == ["failed"] * 3, run.output()
    result = run.task("subnet")
    assert result["error_code"] == "InvalidResourceReference", run.output()
    assert f"Resource {missing} referenced by resource" in result["msg"]

    assert run.task("nsg")["error_code"] == "InvalidResourceReference", run.output()

    assert "Failed to read virtual network novnet" in run.task("vnet")["msg"], run.output()
    assert run.task("vnet")["error_code"] == "ResourceNotFound"


def test_what_a_nic_uses_cannot_be_deleted(run_playbook, sdk, group):
    assert run_playbook([in_subnet(group, "nic1", security_group="nsg")]).ok
    net = sdk.network
    with pytest.raises(HttpResponseError) as raised:
        net.network_security_groups.begin_delete(group, "nsg").result()
    assert raised.value.error.code == "InUseNetworkSecurityGroupCannotBeDeleted"
    with pytest.raises(HttpResponseError) as raised:
        net.subnets.begin_delete(group, "vnet", "web").result()
    assert raised.value.error.code == "InUseSubnetCannotBeDeleted"
    with pytest.raises(HttpResponseError) as raised:
        net.virtual_networks.begin_delete(group, "vnet").result()
    assert raised.value.error.code == "InUseSubnetCannotBeDeleted"

    assert run_playbook([nic_task(group, "nic1", state="absent")]).ok
    net.network_security_groups.begin_delete(group, "nsg").result()
    net.virtual_networks.begin_delete(group, "vnet").result()


def test_a_vm_shows_on_its_nic_and_keeps_it(run_playbook, sdk, group):
    from azure.mgmt.compute import ComputeManagementClient

    nic = run_playbook([in_subnet(group, "nic1")]).task("nic")["network_interface"]
    vm = sdk.client(ComputeManagementClient).virtual_machines.begin_create_or_update(group, "vm1", {
        "location": "eastus",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B1s"},
            "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                  "sku": "server", "version": "latest"},
                               "osDisk": {"createOption": "FromImage", "deleteOption": "Delete"}},
            "osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "adminPassword": "Secret-Passw0rd!"},
            "networkProfile": {"networkInterfaces": [{"id": nic["id"]}]},
        }}).result()

    run = run_playbook([info_task(resource_group=group, name="nic1"), may_fail(nic_task(group, "nic1", state="absent"))])
    seen = run.task("info")["network_interfaces"][0]
    assert (seen["virtual_machine"], seen["primary"]) == (vm.id, True), run.output()
    assert seen["mac_address"]

    result = run.task("nic")
    assert run.record("nic")["status"] == "failed" and result["error_code"] == "NicInUse", run.output()
    assert result["msg"].startswith(f"Failed to delete network interface nic1: (NicInUse) Network Interface {nic['id']}")


def test_without_waiting(run_playbook, group):
    run = run_playbook([in_subnet(group, "nic1", "create", wait=False),
                        in_subnet(group, "nic1", "again"),
                        nic_task(group, "nic1", "delete", state="absent", wait=False)])
    assert run.ok, run.output()
    assert run.task("create")["changed"]
    assert not run.task("again")["changed"]
    assert run.task("again")["network_interface"]["provisioning_state"] == "Succeeded"
    assert run.task("delete")["changed"]


INVALID = [
    ({"name": "bad name!"}, "Invalid option: the network interface name 'bad name!' is not valid"),
    ({"name": "x" * 81}, "longer than 80 characters"),
    ({"name": "trailing-"}, "must begin with a letter, digit or underscore and end with"),
    ({"resource_group": "bad group!"}, "the resource group name 'bad group!' may contain only"),
    ({"location": "east-us"}, "'east-us' is not a region name"),
    ({"subnet": None}, "subnet is required with state=present"),
    ({"virtual_network": None}, "subnet 'web' is a name: give virtual_network too"),
    ({"subnet": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v"},
     "is not the id of a Microsoft.Network/virtualNetworks/subnets resource"),
    ({"private_ip_address": "10.0.0.300"}, "private_ip_address '10.0.0.300' of the primary ip configuration is not an IPv4"),
    ({"private_ip_address": "fe80::4"}, "is not an IPv4 address"),
    ({"private_ip_address": "10.0.0.9", "private_ip_allocation_method": "Dynamic"},
     "needs private_ip_allocation_method=Static"),
    ({"private_ip_allocation_method": "Static"}, "private_ip_allocation_method=Static needs private_ip_address"),
    ({"security_group": "bad/name"}, "Invalid network security group"),
    ({"public_ip_address": "-pip"}, "Invalid public IP address: the public IP address name '-pip' is not valid"),
    ({"load_balancer_backend_address_pools": [{"load_balancer": "lb"}]}, "needs both load_balancer and name"),
    ({"load_balancer_backend_address_pools": [{"lb": "lb", "name": "p"}]}, "is a resource ID or a dict with"),
    ({"load_balancer_backend_address_pools": ["/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/"
                                              "loadBalancers/lb/probes/p"]},
     "is not the id of a Microsoft.Network/loadBalancers/backendAddressPools resource"),
    ({"load_balancer_inbound_nat_rules": [{"load_balancer": "lb", "name": "bad rule"}]}, "Invalid inbound NAT rule"),
    ({"ip_configurations": [{"name": "a"}, {"name": "A"}]}, "names 'A' twice"),
    ({"ip_configurations": [{"name": "a", "primary": True}, {"name": "b", "primary": True}]},
     "only one item of ip_configurations can have primary=true"),
    ({"private_ip_address": "10.0.0.9", "ip_configurations": [{"name": "a", "primary": True,
                                                               "private_ip_address": "10.0.0.8"}]},
     "gets private_ip_address both from the top-level option and from ip_configurations item 'a'"),
    ({"ip_configurations": [{"name": "bad name"}]}, "Invalid ip configuration"),
    ({"wait_timeout": 0}, "wait_timeout must be a positive number of seconds"),
    ({"tags": {"a/b": "x"}}, "Invalid tags: tag name 'a/b' contains one of"),
]


def test_options_validated_before_any_request(run_playbook, azemu):
    base = {"resource_group": "rg", "name": "nic1", "virtual_network": "vnet", "subnet": "web"}
    run_playbook.each_refused(azemu, [
        ({"cloudlb.azure.network_interface": {k: v for k, v in {**base, **options}.items() if v is not None}}, message)
        for options, message in INVALID])


def test_info(run_playbook, group):
    run = run_playbook([
        in_subnet(group, "nic1", "one"),
        in_subnet(group, "nic2", "two"),
        info_task("by name", resource_group=group, name="nic2"),
        info_task("missing", resource_group=group, name="nosuch"),
        info_task("group", resource_group=group),
        info_task("missing group", resource_group=group + "-none"),
        info_task("all"),
        may_fail(info_task("name alone", name="nic1")),
    ])
    succeeded = ("one", "two", "by name", "missing", "group", "missing group", "all")
    assert all(run.record(name)["status"] == "ok" for name in succeeded), run.output()
    assert [(n["name"], n["private_ip_address"]) for n in run.task("by name")["network_interfaces"]] == [("nic2", "10.0.0.5")]
    assert run.task("missing")["network_interfaces"] == []
    assert sorted(n["name"] for n in run.task("group")["network_interfaces"]) == ["nic1", "nic2"]
    assert run.task("missing group")["network_interfaces"] == []
    assert {f"{group}/nic1".lower(), f"{group}/nic2".lower()} <= {
        f"{n['id'].split('/')[4]}/{n['name']}".lower() for n in run.task("all")["network_interfaces"]}
    assert not any(run.task(name)["changed"] for name in ("by name", "missing", "group", "missing group", "all"))

    assert run.record("name alone")["status"] == "failed"
    assert run.task("name alone")["msg"] == "missing parameter(s) required by 'name': resource_group"
