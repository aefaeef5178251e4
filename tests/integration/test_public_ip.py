"""cloudlb.azure.public_ip and public_ip_info through real ansible-playbook runs."""

from __future__ import annotations

import ipaddress

import pytest
from playbook_tasks import assert_unchanged, check, delete_steps, may_fail, with_diff

AZEMU_PUBLIC_POOL = ipaddress.ip_network("127.224.0.0/16")


def pip_task(rg, name, task_name="pip", **options):
    return {"name": task_name, "cloudlb.azure.public_ip": {"resource_group": rg, "name": name, **options}}


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.public_ip_info": options}


@pytest.fixture
def group(sdk, unique_name):
    name = unique_name("rg")
    sdk.resource.resource_groups.create_or_update(name, {"location": "eastus"})
    return name


def test_lifecycle(run_playbook, azemu, group):
    """Create, update, drop the DNS label, delete: one playbook, each step's writes the ones
    azemu logged while its task ran."""
    create = dict(domain_name_label=f"lb-{group}", tags={"env": "demo"})
    update = dict(idle_timeout=15, tags={"owner": "team-a"})
    mark = azemu.mark()
    run = run_playbook([
        check(pip_task(group, "pip1", "predict", **create)),
        info_task("info before", resource_group=group),
        pip_task(group, "pip1", "create", **create),
        pip_task(group, "pip1", "again", **create),
        check(pip_task(group, "pip1", "again in check mode", **create)),
        check(with_diff(pip_task(group, "pip1", "predict update", **update))),
        with_diff(pip_task(group, "pip1", "update", **update)),
        pip_task(group, "pip1", "drop the label", domain_name_label=""),
        info_task("info after", resource_group=group, name="pip1"),
        *delete_steps(pip_task, group, "pip1"),
        info_task("info after delete", resource_group=group, name="pip1"),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)

    result = run.task("predict")
    assert result["changed"]
    predicted = result["public_ip"]
    assert (predicted["sku"], predicted["allocation_method"], predicted["version"]) == ("Standard", "Static", "IPv4")
    assert predicted["location"] == "eastus" and predicted["ip_address"] is None
    assert run.during("predict", writes) == []
    assert run.task("info before")["public_ips"] == []

    result = run.task("create")
    assert result["changed"]
    pip = result["public_ip"]
    assert ipaddress.ip_address(pip["ip_address"]) in AZEMU_PUBLIC_POOL
    assert pip["fqdn"] == f"lb-{group}.eastus.cloudapp.azure.com"
    assert (pip["sku"], pip["tier"], pip["allocation_method"], pip["idle_timeout"]) == ("Standard", "Regional", "Static", 4)
    assert (pip["tags"], pip["zones"], pip["provisioning_state"]) == ({"env": "demo"}, [], "Succeeded")
    assert {k: v for k, v in predicted.items() if k not in ("ip_address", "fqdn", "provisioning_state")} == {
        k: v for k, v in pip.items() if k not in ("ip_address", "fqdn", "provisioning_state")}

    assert_unchanged(run, writes, "again", "again in check mode")
    assert run.task("again")["public_ip"] == pip

    result = run.task("predict update")
    assert result["changed"]
    assert result["diff"]["before"]["idle_timeout"] == 4 and result["diff"]["after"]["idle_timeout"] == 15
    assert result["diff"]["after"]["tags"] == {"env": "demo", "owner": "team-a"}
    assert run.during("predict update", writes) == []

    result = run.task("update")
    assert result["changed"]
    assert result["public_ip"]["idle_timeout"] == 15
    assert result["public_ip"]["ip_address"] == pip["ip_address"], "a static address keeps its IP"
    assert result["diff"]["before"]["idle_timeout"] == 4

    result = run.task("drop the label")
    assert result["changed"]
    assert (result["public_ip"]["domain_name_label"], result["public_ip"]["fqdn"]) == (None, None)
    assert [p["ip_address"] for p in run.task("info after")["public_ips"]] == [pip["ip_address"]]

    assert run.task("predict delete")["changed"]
    assert run.task("predict delete")["diff"]["after"] == {}
    assert run.task("delete")["changed"]
    assert_unchanged(run, writes, "delete again")
    assert run.task("info after delete")["public_ips"] == []


def test_addresses_are_distinct_and_released(run_playbook, group):
    run = run_playbook([pip_task(group, "a", task_name="a"), pip_task(group, "b", task_name="b")])
    assert run.ok, run.output()
    first, second = run.task("a")["public_ip"]["ip_address"], run.task("b")["public_ip"]["ip_address"]
    assert first != second
    run = run_playbook([pip_task(group, "a", state="absent"), pip_task(group, "c", task_name="c")])
    assert run.ok, run.output()
    assert run.task("c")["public_ip"]["ip_address"] == first, "a deleted address goes back to the pool"


def test_basic_and_changes_azure_cannot_make(run_playbook, azemu, group):
    changes = [({"zones": ["2"]}, "zones"), ({"version": "IPv6"}, "IP version"),
               ({"sku": "Basic"}, "downgrade"), ({"location": "westus"}, "cannot move")]
    mark = azemu.mark()
    run = run_playbook([pip_task(group, "basic", "basic", sku="Basic"), pip_task(group, "std", "zonal", zones=["1"]),
                        *[may_fail(pip_task(group, "std", f"change {i}", **options)) for i, (options, _words) in enumerate(changes)]])
    assert run.record("basic")["status"] == "ok" and run.record("zonal")["status"] == "ok", run.output()
    basic = run.task("basic")["public_ip"]
    assert (basic["sku"], basic["allocation_method"], basic["ip_address"]) == ("Basic", "Dynamic", None)
    writes = azemu.writes(since=mark)
    for i, (_options, words) in enumerate(changes):
        assert run.record(f"change {i}")["status"] == "failed" and words in run.task(f"change {i}")["msg"], run.output()
        assert run.during(f"change {i}", writes) == []


INVALID = [
    ({"name": "-bad-"}, "public IP name"),
    ({"name": "x" * 81}, "longer than 80"),
    ({"idle_timeout": 3}, "idle_timeout 3"),
    ({"idle_timeout": 31}, "idle_timeout 31"),
    ({"domain_name_label": "Bad_Label"}, "domain_name_label"),
    ({"allocation_method": "Dynamic"}, "needs sku=Basic"),
    ({"location": "west-europe!"}, "region name"),
    ({"tags": {"a/b": "x"}}, "tag name"),
]


def test_bad_input_is_refused_before_any_request(run_playbook, azemu, group):
    run_playbook.each_refused(azemu, [
        ({"cloudlb.azure.public_ip": {"resource_group": group, "name": "pip1", **options}}, words)
        for options, words in INVALID], counted=lambda request: request["kind"] == "arm")


def test_in_use_address_cannot_be_deleted(run_playbook, azemu, sdk, group):
    run = run_playbook([pip_task(group, "used")])
    assert run.ok, run.output()
    pip = run.task("pip")["public_ip"]
    lb = sdk.network.load_balancers.begin_create_or_update(group, "lb", {
        "location": "eastus", "sku": {"name": "Standard"},
        "properties": {"frontendIPConfigurations": [
            {"name": "fe", "properties": {"publicIPAddress": {"id": pip["id"]}}}]},
    }).result()
    frontend = lb.as_dict()["properties"]["frontendIPConfigurations"][0]["id"]

    run = run_playbook([info_task(resource_group=group, name="used")])
    assert run.task("info")["public_ips"][0]["ip_configuration"] == frontend

    mark = azemu.mark()
    run = run_playbook([pip_task(group, "used", state="absent")])
    result = run.task("pip")
    assert not run.ok and result["error_code"] == "PublicIPAddressCannotBeDeleted", run.output()
    assert frontend in result["msg"]
    assert [w["method"] for w in azemu.writes(since=mark)] == ["DELETE"]

    sdk.network.load_balancers.begin_delete(group, "lb").result()
    run = run_playbook([pip_task(group, "used", state="absent")])
    assert run.ok and run.task("pip")["changed"], run.output()
