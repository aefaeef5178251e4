"""cloudlb.azure.security_group and security_group_info through real ansible-playbook runs."""

from __future__ import annotations

import pytest
from playbook_tasks import assert_unchanged, check, delete_steps, may_fail, with_diff

HTTP = {"name": "http", "priority": 1001, "protocol": "Tcp", "source_address_prefixes": ["Internet"]}


def nsg_task(rg, name, task_name="nsg", **options):
    return {"name": task_name, "cloudlb.azure.security_group": {"resource_group": rg, "name": name, **options}}


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.security_group_info": options}


def rules_of(result):
    return {r["name"]: r for r in result["security_group"]["rules"]}


@pytest.fixture
def group(sdk, unique_name):
    name = unique_name("rg")
    sdk.resource.resource_groups.create_or_update(name, {"location": "eastus"})
    return name


def test_lifecycle(run_playbook, azemu, group):
    """Create, change rules, purge, delete: one playbook, each step's writes the ones azemu
    logged while its task ran."""
    create = dict(rules=[HTTP], tags={"env": "demo"})
    # A changed rule is updated, a new one added, the unlisted one kept.
    update = dict(rules=[
        dict(HTTP, destination_port_ranges=["80", "443"]),
        {"name": "ssh", "priority": 1001, "direction": "Outbound", "protocol": "Tcp", "access": "Deny",
         "destination_port_range": "22", "description": "no ssh out"},
    ])
    mark = azemu.mark()
    run = run_playbook([
        check(nsg_task(group, "nsg1", "predict", **create)),
        info_task("info before", resource_group=group),
        nsg_task(group, "nsg1", "create", **create),
        check(nsg_task(group, "nsg1", "predict again", **create)),
        nsg_task(group, "nsg1", "again", **create),
        check(with_diff(nsg_task(group, "nsg1", "predict update", **update))),
        with_diff(nsg_task(group, "nsg1", "update", **update)),
        nsg_task(group, "nsg1", "update again", **update),
        nsg_task(group, "nsg1", "purge", purge_rules=True, rules=[{
            "name": "ssh", "priority": 1001, "direction": "Outbound", "protocol": "Tcp", "access": "Deny",
            "destination_port_ranges": ["22"], "description": "no ssh out"}]),
        info_task("info after purge", resource_group=group, name="nsg1"),
        *delete_steps(nsg_task, group, "nsg1"),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)

    assert run.task("predict")["changed"]
    assert run.during("predict", writes) == []
    assert run.task("info before")["security_groups"] == []

    result = run.task("create")
    assert result["changed"]
    nsg = result["security_group"]
    http = rules_of(result)["http"]
    # What the module did not say takes the az CLI's defaults.
    assert {k: http[k] for k in ("priority", "direction", "access", "protocol", "source_address_prefixes",
                                 "source_port_ranges", "destination_address_prefixes", "destination_port_ranges")} == {
        "priority": 1001, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "source_address_prefixes": ["Internet"], "source_port_ranges": ["*"],
        "destination_address_prefixes": ["*"], "destination_port_ranges": ["80"]}
    assert [(r["name"], r["priority"]) for r in nsg["default_rules"]] == [
        ("AllowVnetInBound", 65000), ("AllowAzureLoadBalancerInBound", 65001), ("DenyAllInBound", 65500),
        ("AllowVnetOutBound", 65000), ("AllowInternetOutBound", 65001), ("DenyAllOutBound", 65500)]
    assert rules_of(run.task("predict again"))["http"] == http

    assert_unchanged(run, writes, "again")
    assert run.task("again")["security_group"] == nsg

    result = run.task("predict update")
    assert result["changed"]
    assert [r["name"] for r in result["diff"]["before"]["rules"]] == ["http"]
    assert sorted(r["name"] for r in result["diff"]["after"]["rules"]) == ["http", "ssh"]
    assert run.during("predict update", writes) == []
    result = run.task("update")
    assert result["changed"]
    rules = rules_of(result)
    assert rules["http"]["destination_port_ranges"] == ["80", "443"]
    assert (rules["ssh"]["access"], rules["ssh"]["destination_port_ranges"]) == ("Deny", ["22"])
    assert_unchanged(run, writes, "update again")

    assert run.task("purge")["changed"]
    assert list(rules_of(run.task("purge"))) == ["ssh"]
    found = run.task("info after purge")["security_groups"]
    assert [r["name"] for r in found[0]["rules"]] == ["ssh"]

    assert run.task("predict delete")["changed"] and run.task("predict delete")["diff"]["after"] == {}
    assert run.task("delete")["changed"]
    assert_unchanged(run, writes, "delete again")


def test_a_listed_rule_taking_a_kept_rules_priority_is_refused(run_playbook, azemu, group):
    mark = azemu.mark()
    run = run_playbook([nsg_task(group, "nsg1", "create", rules=[HTTP]),
                        may_fail(nsg_task(group, "nsg1", "clash", rules=[dict(HTTP, name="https",
                                                                              destination_port_ranges=["443"])]))])
    assert run.record("create")["status"] == "ok", run.output()
    assert run.record("clash")["status"] == "failed" and "same priority 1001" in run.task("clash")["msg"], run.output()
    assert run.during("clash", azemu.writes(since=mark)) == []


BAD_RULES = [
    ({"priority": 99}, "priority 99 is out of range"),
    ({"priority": 4097}, "priority 4097 is out of range"),
    ({"destination_port_ranges": ["80-"]}, "port range '80-'"),
    ({"destination_port_ranges": ["70000"]}, "beyond 65535"),
    ({"source_port_ranges": ["2000-1000"]}, "starts after it ends"),
    ({"source_address_prefixes": ["10.0.0.1/24"]}, "host bits set"),
    ({"source_address_prefixes": ["not a prefix"]}, "address prefix"),
    ({"name": "bad rule!"}, "rule name"),
    ({"description": "x" * 141}, "longer than 140"),
]


def test_bad_rule_is_refused_before_any_request(run_playbook, azemu, group):
    run_playbook.each_refused(azemu, [(nsg_task(group, "nsg1", rules=[dict(HTTP, **rule)]), words)
                                      for rule, words in BAD_RULES], counted=lambda request: request["kind"] == "arm")


def test_duplicate_priority_and_bad_name_are_refused_before_any_request(run_playbook, azemu, group):
    run_playbook.each_refused(azemu, [
        (nsg_task(group, "nsg1", rules=[HTTP, dict(HTTP, name="other")]), "same priority 1001 and direction Inbound"),
        (nsg_task(group, "nsg 1"), "security group name"),
    ], counted=lambda request: request["kind"] == "arm")


def test_in_use_security_group_cannot_be_deleted(run_playbook, azemu, sdk, group):
    run = run_playbook([
        nsg_task(group, "nsg1"),
        {"name": "vnet", "cloudlb.azure.virtual_network": {
            "resource_group": group, "name": "vnet1", "address_prefixes": ["10.5.0.0/16"],
            "subnets": [{"name": "s1", "address_prefix": "10.5.0.0/24", "security_group": "nsg1"}]}},
    ])
    assert run.ok, run.output()
    subnet_id = run.task("vnet")["virtual_network"]["subnets"][0]["id"]
    nsg_id = run.task("nsg")["security_group"]["id"]
    nic = sdk.network.network_interfaces.begin_create_or_update(group, "nic1", {
        "location": "eastus",
        "properties": {"networkSecurityGroup": {"id": nsg_id},
                       "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}}}]},
    }).result().as_dict()

    mark = azemu.mark()
    run = run_playbook([info_task(resource_group=group, name="nsg1"), may_fail(nsg_task(group, "nsg1", state="absent"))])
    found = run.task("info")["security_groups"][0]
    assert (found["subnets"], found["network_interfaces"]) == ([subnet_id], [nic["id"]])

    result = run.task("nsg")
    assert run.record("nsg")["status"] == "failed", run.output()
    assert result["error_code"] == "InUseNetworkSecurityGroupCannotBeDeleted", run.output()
    assert subnet_id in result["msg"] and nic["id"] in result["msg"]
    assert [w["method"] for w in azemu.writes(since=mark)] == ["DELETE"]

    sdk.network.network_interfaces.begin_delete(group, "nic1").result()
    run = run_playbook([
        {"name": "vnet", "cloudlb.azure.virtual_network": {
            "resource_group": group, "name": "vnet1",
            "subnets": [{"name": "s1", "address_prefix": "10.5.0.0/24", "security_group": ""}]}},
        nsg_task(group, "nsg1", state="absent"),
    ])
    assert run.ok and run.task("nsg")["changed"], run.output()
