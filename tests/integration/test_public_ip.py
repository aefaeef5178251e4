"""cloudlb.azure.public_ip and public_ip_info through real ansible-playbook runs."""

from __future__ import annotations

import ipaddress

import pytest

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
    create = [pip_task(group, "pip1", domain_name_label=f"lb-{group}", tags={"env": "demo"})]

    mark = azemu.mark()
    run = run_playbook(create, check=True)
    result = run.task("pip")
    assert run.ok and result["changed"], run.output()
    predicted = result["public_ip"]
    assert (predicted["sku"], predicted["allocation_method"], predicted["version"]) == ("Standard", "Static", "IPv4")
    assert predicted["location"] == "eastus" and predicted["ip_address"] is None
    assert azemu.writes(since=mark) == []
    assert run_playbook([info_task(resource_group=group)]).task("info")["public_ips"] == []

    run = run_playbook(create)
    result = run.task("pip")
    assert run.ok and result["changed"], run.output()
    pip = result["public_ip"]
    assert ipaddress.ip_address(pip["ip_address"]) in AZEMU_PUBLIC_POOL
    assert pip["fqdn"] == f"lb-{group}.eastus.cloudapp.azure.com"
    assert (pip["sku"], pip["tier"], pip["allocation_method"], pip["idle_timeout"]) == ("Standard", "Regional", "Static", 4)
    assert (pip["tags"], pip["zones"], pip["provisioning_state"]) == ({"env": "demo"}, [], "Succeeded")
    assert {k: v for k, v in predicted.items() if k not in ("ip_address", "fqdn", "provisioning_state")} == {
        k: v for k, v in pip.items() if k not in ("ip_address", "fqdn", "provisioning_state")}

    mark = azemu.mark()
    run = run_playbook(create)
    assert run.ok and not run.task("pip")["changed"], run.output()
    assert run.task("pip")["public_ip"] == pip
    run = run_playbook(create, check=True)
    assert run.ok and not run.task("pip")["changed"], run.output()
    assert azemu.writes(since=mark) == []

    update = [pip_task(group, "pip1", idle_timeout=15, tags={"owner": "team-a"})]
    mark = azemu.mark()
    run = run_playbook(update, check=True, diff=True)
    result = run.task("pip")
    assert run.ok and result["changed"], run.output()
    assert result["diff"]["before"]["idle_timeout"] == 4 and result["diff"]["after"]["idle_timeout"] == 15
    assert result["diff"]["after"]["tags"] == {"env": "demo", "owner": "team-a"}
    assert azemu.writes(since=mark) == []

    run = run_playbook(update, diff=True)
    result = run.task("pip")
    assert run.ok and result["changed"], run.output()
    assert result["public_ip"]["idle_timeout"] == 15
    assert result["public_ip"]["ip_address"] == pip["ip_address"], "a static address keeps its IP"
    assert result["diff"]["before"]["idle_timeout"] == 4

    run = run_playbook([pip_task(group, "pip1", domain_name_label="")])
    assert run.ok and run.task("pip")["changed"], run.output()
    assert (run.task("pip")["public_ip"]["domain_name_label"], run.task("pip")["public_ip"]["fqdn"]) == (None, None)

    found = run_playbook([info_task(resource_group=group, name="pip1")]).task("info")["public_ips"]
    assert [p["ip_address"] for p in found] == [pip["ip_address"]]

    delete = [pip_task(group, "pip1", state="absent")]
    run = run_playbook(delete, check=True, diff=True)
    assert run.ok and run.task("pip")["changed"], run.output()
    assert run.task("pip")["diff"]["after"] == {}
    run = run_playbook(delete)
    assert run.ok and run.task("pip")["changed"], run.output()
    mark = azemu.mark()
    run = run_playbook(delete)
    assert run.ok and not run.task("pip")["changed"], run.output()
    assert azemu.writes(since=mark) == []
    assert run_playbook([info_task(resource_group=group, name="pip1")]).task("info")["public_ips"] == []


def test_addresses_are_distinct_and_released(run_playbook, group):
    run = run_playbook([pip_task(group, "a", task_name="a"), pip_task(group, "b", task_name="b")])
    assert run.ok, run.output()
    first, second = run.task("a")["public_ip"]["ip_address"], run.task("b")["public_ip"]["ip_address"]
    assert first != second
    run = run_playbook([pip_task(group, "a", state="absent"), pip_task(group, "c", task_name="c")])
    assert run.ok, run.output()
    assert run.task("c")["public_ip"]["ip_address"] == first, "a deleted address goes back to the pool"


def test_basic_and_changes_azure_cannot_make(run_playbook, azemu, group):
    run = run_playbook([pip_task(group, "basic", sku="Basic")])
    assert run.ok, run.output()
    basic = run.task("pip")["public_ip"]
    assert (basic["sku"], basic["allocation_method"], basic["ip_address"]) == ("Basic", "Dynamic", None)

    run = run_playbook([pip_task(group, "std", zones=["1"])])
    assert run.ok, run.output()
    mark = azemu.mark()
    for options, words in [({"zones": ["2"]}, "zones"), ({"version": "IPv6"}, "IP version"),
                           ({"sku": "Basic"}, "downgrade"), ({"location": "westus"}, "cannot move")]:
        run = run_playbook([pip_task(group, "std", **options)])
        assert not run.ok and words in run.task("pip")["msg"], run.output()
    assert azemu.writes(since=mark) == []


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
