"""cloudlb.azure.virtual_network and virtual_network_info through real ansible-playbook runs."""

from __future__ import annotations

import pytest
from playbook_tasks import assert_unchanged, check, delete_steps, may_fail, with_diff


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
    """Create, add a subnet, purge one, delete: one playbook, each step's writes the ones azemu
    logged while its task ran."""
    create = dict(address_prefixes=["10.1.0.0/16"], tags={"env": "demo"},
                  subnets=[{"name": "backend", "address_prefix": "10.1.0.0/24", "security_group": "nsg1"}])
    # Adding a subnet keeps the unlisted one (purge_subnets defaults to false).
    add = dict(subnets=[{"name": "frontend", "address_prefix": "10.1.1.0/24"}], dns_servers=["10.1.0.10"])
    mark = azemu.mark()
    run = run_playbook([
        nsg_task(group, "nsg1"),
        check(vnet_task(group, "vnet1", "predict", **create)),
        info_task("info before", resource_group=group),
        vnet_task(group, "vnet1", "create", **create),
        vnet_task(group, "vnet1", "again", **create),
        check(vnet_task(group, "vnet1", "again in check mode", **create)),
        check(with_diff(vnet_task(group, "vnet1", "predict add", **add))),
        with_diff(vnet_task(group, "vnet1", "add", **add)),
        vnet_task(group, "vnet1", "add again", **add),
        # Removing the NSG from a subnet, then purging the other subnet.
        vnet_task(group, "vnet1", "purge", subnets=[{"name": "backend", "address_prefix": "10.1.0.0/24",
                                                     "security_group": ""}], purge_subnets=True),
        info_task("info after purge", resource_group=group, name="vnet1"),
        *delete_steps(vnet_task, group, "vnet1"),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)

    result = run.task("predict")
    assert result["changed"]
    assert subnets_of(result)["backend"][0] == "10.1.0.0/24"
    assert run.during("predict", writes) == []
    assert run.task("info before")["virtual_networks"] == []

    result = run.task("create")
    assert result["changed"]
    vnet = result["virtual_network"]
    nsg_id = vnet["id"].split("/providers/")[0] + "/providers/Microsoft.Network/networkSecurityGroups/nsg1"
    assert vnet["address_prefixes"] == ["10.1.0.0/16"] and vnet["location"] == "eastus"
    assert subnets_of(result) == {"backend": ("10.1.0.0/24", nsg_id)}
    assert vnet["subnets"][0]["provisioning_state"] == "Succeeded"

    assert_unchanged(run, writes, "again", "again in check mode")
    assert run.task("again")["virtual_network"] == vnet

    result = run.task("predict add")
    assert result["changed"]
    assert [s["name"] for s in result["diff"]["before"]["subnets"]] == ["backend"]
    assert [s["name"] for s in result["diff"]["after"]["subnets"]] == ["backend", "frontend"]
    assert run.during("predict add", writes) == []
    result = run.task("add")
    assert result["changed"]
    assert subnets_of(result) == {"backend": ("10.1.0.0/24", nsg_id), "frontend": ("10.1.1.0/24", None)}
    assert result["virtual_network"]["dns_servers"] == ["10.1.0.10"]
    assert_unchanged(run, writes, "add again")

    assert run.task("purge")["changed"]
    assert subnets_of(run.task("purge")) == {"backend": ("10.1.0.0/24", None)}
    found = run.task("info after purge")["virtual_networks"]
    assert [s["name"] for s in found[0]["subnets"]] == ["backend"]

    assert run.task("predict delete")["changed"] and run.task("predict delete")["diff"]["after"] == {}
    assert run.task("delete")["changed"]
    assert_unchanged(run, writes, "delete again")


def test_a_listed_subnet_that_would_overlap_a_kept_one_is_refused(run_playbook, azemu, group):
    mark = azemu.mark()
    run = run_playbook([
        vnet_task(group, "vnet1", "create", address_prefixes=["10.2.0.0/16"],
                  subnets=[{"name": "a", "address_prefix": "10.2.0.0/24"}]),
        may_fail(vnet_task(group, "vnet1", "overlap", subnets=[{"name": "b", "address_prefix": "10.2.0.0/25"}])),
        may_fail(vnet_task(group, "vnet1", "outside", address_prefixes=["10.3.0.0/16"])),
    ])
    assert run.record("create")["status"] == "ok", run.output()
    assert run.record("overlap")["status"] == "failed" and "overlap" in run.task("overlap")["msg"], run.output()
    assert run.record("outside")["status"] == "failed", run.output()
    assert "outside the virtual network's address space" in run.task("outside")["msg"], run.output()
    writes = azemu.writes(since=mark)
    assert run.during("overlap", writes) == [] and run.during("outside", writes) == []


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

    mark = azemu.mark()
    run = run_playbook([
        info_task("info", resource_group=group, name="vnet1"),
        may_fail(vnet_task(group, "vnet1", "purge", subnets=[{"name": "spare", "address_prefix": "10.4.1.0/24"}],
                           purge_subnets=True)),
        may_fail(vnet_task(group, "vnet1", "delete", state="absent")),
    ])
    found = run.task("info")["virtual_networks"][0]
    assert {s["name"]: s["ip_configurations"] for s in found["subnets"]} == {"used": [ipconfig], "spare": []}

    result = run.task("purge")
    assert run.record("purge")["status"] == "failed" and result["error_code"] == "InUseSubnetCannotBeDeleted", run.output()
    assert ipconfig in result["msg"]
    assert run.record("delete")["status"] == "failed", run.output()
    assert run.task("delete")["error_code"] == "InUseSubnetCannotBeDeleted", run.output()
    assert [w["method"] for w in azemu.writes(since=mark)] == ["PUT", "DELETE"]

    sdk.network.network_interfaces.begin_delete(group, "nic1").result()
    run = run_playbook([vnet_task(group, "vnet1", state="absent")])
    assert run.ok and run.task("vnet")["changed"], run.output()
