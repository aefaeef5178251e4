"""cloudlb.azure.virtual_network and virtual_network_info through real ansible-playbook runs."""

from __future__ import annotations

import pytest


def vnet_task(rg, name, task_name="vnet", **options):
    return {"name": task_name, "cloudlb.azure.virtual_network": {"resource_group": rg, "name": name, **options}}


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.virtual_network_info": options}


def nsg_task(rg, name):
    return {"name": f"nsg-{name}", "cloudlb.azure.security_group": {"resource_group": rg, "name": name}}


def subnets_of(result):
    return {s["name"]: (s["address_prefix"], s["security_group"]) for s in result["virtual_network"]["subnets"]}


@pytest.fixture
def group(sdk, unique_name):
    name = unique_name("rg")
    sdk.resource.resource_groups.create_or_update(name, {"location": "eastus"})
    return name


def test_lifecycle(run_playbook, azemu, group):
    assert run_playbook([nsg_task(group, "nsg1")]).ok
    create = [vnet_task(group, "vnet1", address_prefixes=["10.1.0.0/16"], tags={"env": "demo"},
                        subnets=[{"name": "backend", "address_prefix": "10.1.0.0/24", "security_group": "nsg1"}])]

    mark = azemu.mark()
    run = run_playbook(create, check=True)
    result = run.task("vnet")
    assert run.ok and result["changed"], run.output()
    assert subnets_of(result)["backend"][0] == "10.1.0.0/24"
    assert azemu.writes(since=mark) == []
    assert run_playbook([info_task(resource_group=group)]).task("info")["virtual_networks"] == []

    run = run_playbook(create)
    result = run.task("vnet")
    assert run.ok and result["changed"], run.output()
    vnet = result["virtual_network"]
    nsg_id = vnet["id"].split("/providers/")[0] + "/providers/Microsoft.Network/networkSecurityGroups/nsg1"
    assert vnet["address_prefixes"] == ["10.1.0.0/16"] and vnet["location"] == "eastus"
    assert subnets_of(result) == {"backend": ("10.1.0.0/24", nsg_id)}
    assert vnet["subnets"][0]["provisioning_state"] == "Succeeded"

    mark = azemu.mark()
    run = run_playbook(create)
    assert run.ok and not run.task("vnet")["changed"], run.output()
    assert run.task("vnet")["virtual_network"] == vnet
    assert not run_playbook(create, check=True).task("vnet")["changed"]
    assert azemu.writes(since=mark) == []

    # Adding a subnet keeps the unlisted one (purge_subnets defaults to false).
    add = [vnet_task(group, "vnet1", subnets=[{"name": "frontend", "address_prefix": "10.1.1.0/24"}],
                     dns_servers=["10.1.0.10"])]
    mark = azemu.mark()
    run = run_playbook(add, check=True, diff=True)
    result = run.task("vnet")
    assert run.ok and result["changed"], run.output()
    assert [s["name"] for s in result["diff"]["before"]["subnets"]] == ["backend"]
    assert [s["name"] for s in result["diff"]["after"]["subnets"]] == ["backend", "frontend"]
    assert azemu.writes(since=mark) == []
    run = run_playbook(add, diff=True)
    result = run.task("vnet")
    assert run.ok and result["changed"], run.output()
    assert subnets_of(result) == {"backend": ("10.1.0.0/24", nsg_id), "frontend": ("10.1.1.0/24", None)}
    assert result["virtual_network"]["dns_servers"] == ["10.1.0.10"]
    mark = azemu.mark()
    assert not run_playbook(add).task("vnet")["changed"]
    assert azemu.writes(since=mark) == []

    # Removing the NSG from a subnet, then purging the other subnet.
    run = run_playbook([vnet_task(group, "vnet1", subnets=[{"name": "backend", "address_prefix": "10.1.0.0/24",
                                                            "security_group": ""}], purge_subnets=True)])
    assert run.ok and run.task("vnet")["changed"], run.output()
    assert subnets_of(run.task("vnet")) == {"backend": ("10.1.0.0/24", None)}
    found = run_playbook([info_task(resource_group=group, name="vnet1")]).task("info")["virtual_networks"]
    assert [s["name"] for s in found[0]["subnets"]] == ["backend"]

    delete = [vnet_task(group, "vnet1", state="absent")]
    run = run_playbook(delete, check=True, diff=True)
    assert run.ok and run.task("vnet")["changed"] and run.task("vnet")["diff"]["after"] == {}, run.output()
    run = run_playbook(delete)
    assert run.ok and run.task("vnet")["changed"], run.output()
    mark = azemu.mark()
    run = run_playbook(delete)
    assert run.ok and not run.task("vnet")["changed"], run.output()
    assert azemu.writes(since=mark) == []


def test_a_listed_subnet_that_would_overlap_a_kept_one_is_refused(run_playbook, azemu, group):
    run = run_playbook([vnet_task(group, "vnet1", address_prefixes=["10.2.0.0/16"],
                                  subnets=[{"name": "a", "address_prefix": "10.2.0.0/24"}])])
    assert run.ok, run.output()
    mark = azemu.mark()
    run = run_playbook([vnet_task(group, "vnet1", subnets=[{"name": "b", "address_prefix": "10.2.0.0/25"}])])
    assert not run.ok and "overlap" in run.task("vnet")["msg"], run.output()
    run = run_playbook([vnet_task(group, "vnet1", address_prefixes=["10.3.0.0/16"])])
    assert not run.ok and "outside the virtual network's address space" in run.task("vnet")["msg"], run.output()
    assert azemu.writes(since=mark) == []


INVALID = [
    ({"name": "bad name"}, "virtual network name"),
    ({"address_prefixes": ["10.0.0.0/33"]}, "not a CIDR prefix"),
    ({"address_prefixes": ["10.0.0.1/16"]}, "host bits set"),
    ({"address_prefixes": ["10.0.0.0/16", "10.0.128.0/17"]}, "overlap"),
    ({"subnets": [{"name": "s", "address_prefix": "10.9.0.0/24"}]}, "outside the virtual network's address space"),
    ({"subnets": [{"name": "a", "address_prefix": "10.0.0.0/24"}, {"name": "b", "address_prefix": "10.0.0.128/25"}]},
     "overlap"),
    ({"subnets": [{"name": "s", "address_prefix": "10.0.0.0/30"}]}, "too small"),
    ({"subnets": [{"name": "-s", "address_prefix": "10.0.0.0/24"}]}, "subnet name"),
    ({"subnets": [{"name": "s", "address_prefix": "10.0.0.0/24", "security_group": "/subscriptions/x/nsg"}]},
     "not the id of a Microsoft.Network/networkSecurityGroups"),
    ({"dns_servers": ["dns.example.com"]}, "DNS server"),
]


def test_bad_input_is_refused_before_any_request(run_playbook, azemu, group):
    run_playbook.each_refused(azemu, [
        ({"cloudlb.azure.virtual_network": {"resource_group": group, "name": "vnet1", "address_prefixes": ["10.0.0.0/16"],
                                            **options}}, words)
        for options, words in INVALID], counted=lambda request: request["kind"] == "arm")


def test_missing_security_group_is_azures_error(run_playbook, group):
    run = run_playbook([vnet_task(group, "vnet1", address_prefixes=["10.0.0.0/16"],
                                  subnets=[{"name": "s", "address_prefix": "10.0.0.0/24", "security_group": "nope"}])])
    result = run.task("vnet")
    assert not run.ok and result["error_code"] == "InvalidResourceReference", run.output()
    assert "/networkSecurityGroups/nope" in result["msg"]


def test_subnet_in_use_cannot_be_dropped_or_deleted(run_playbook, azemu, sdk, group):
    run = run_playbook([vnet_task(group, "vnet1", address_prefixes=["10.4.0.0/16"],
                                  subnets=[{"name": "used", "address_prefix": "10.4.0.0/24"},
                                           {"name": "spare", "address_prefix": "10.4.1.0/24"}])])
    assert run.ok, run.output()
    subnet_id = {s["name"]: s["id"] for s in run.task("vnet")["virtual_network"]["subnets"]}["used"]
    nic = sdk.network.network_interfaces.begin_create_or_update(group, "nic1", {
        "location": "eastus",
        "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}}}]},
    }).result().as_dict()
    ipconfig = nic["properties"]["ipConfigurations"][0]["id"]

    found = run_playbook([info_task(resource_group=group, name="vnet1")]).task("info")["virtual_networks"][0]
    assert {s["name"]: s["ip_configurations"] for s in found["subnets"]} == {"used": [ipconfig], "spare": []}

    mark = azemu.mark()
    run = run_playbook([vnet_task(group, "vnet1", subnets=[{"name": "spare", "address_prefix": "10.4.1.0/24"}],
                                  purge_subnets=True)])
    result = run.task("vnet")
    assert not run.ok and result["error_code"] == "InUseSubnetCannotBeDeleted", run.output()
    assert ipconfig in result["msg"]
    run = run_playbook([vnet_task(group, "vnet1", state="absent")])
    assert not run.ok and run.task("vnet")["error_code"] == "InUseSubnetCannotBeDeleted", run.output()
    assert [w["method"] for w in azemu.writes(since=mark)] == ["PUT", "DELETE"]

    sdk.network.network_interfaces.begin_delete(group, "nic1").result()
    run = run_playbook([vnet_task(group, "vnet1", state="absent")])
    assert run.ok and run.task("vnet")["changed"], run.output()
