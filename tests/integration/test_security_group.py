"""cloudlb.azure.security_group and security_group_info through real ansible-playbook runs."""

from __future__ import annotations

import pytest

HTTP = {"name": "http", "priority": 1001, "protocol": "Tcp", "source_address_prefixes": ["Internet"]}


def nsg_task(rg, name, task_name="nsg", **options):
    return {"name": task_name, "cloudlb.azure.security_group": {"resource_group": rg, "name": name, **options}}


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.security_group_info": options}


def arm_requests(azemu, mark):
    return [r for r in azemu.requests(since=mark) if r["kind"] == "arm"]


def rules_of(result):
    return {r["name"]: r for r in result["security_group"]["rules"]}


@pytest.fixture
def group(sdk, unique_name):
    name = unique_name("rg")
    sdk.resource.resource_groups.create_or_update(name, {"location": "eastus"})
    return name


def test_lifecycle(run_playbook, azemu, group):
    create = [nsg_task(group, "nsg1", rules=[HTTP], tags={"env": "demo"})]

    mark = azemu.mark()
    run = run_playbook(create, check=True)
    result = run.task("nsg")
    assert run.ok and result["changed"], run.output()
    assert azemu.writes(since=mark) == []
    assert run_playbook([info_task(resource_group=group)]).task("info")["security_groups"] == []

    run = run_playbook(create)
    result = run.task("nsg")
    assert run.ok and result["changed"], run.output()
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
    predicted = rules_of(run_playbook(create, check=True).task("nsg"))["http"]
    assert predicted == http

    mark = azemu.mark()
    run = run_playbook(create)
    assert run.ok and not run.task("nsg")["changed"], run.output()
    assert run.task("nsg")["security_group"] == nsg
    assert azemu.writes(since=mark) == []

    # A changed rule is updated, a new one added, the unlisted one kept.
    update = [nsg_task(group, "nsg1", rules=[
        dict(HTTP, destination_port_ranges=["80", "443"]),
        {"name": "ssh", "priority": 1001, "direction": "Outbound", "protocol": "Tcp", "access": "Deny",
         "destination_port_range": "22", "description": "no ssh out"},
    ])]
    mark = azemu.mark()
    run = run_playbook(update, check=True, diff=True)
    result = run.task("nsg")
    assert run.ok and result["changed"], run.output()
    assert [r["name"] for r in result["diff"]["before"]["rules"]] == ["http"]
    assert sorted(r["name"] for r in result["diff"]["after"]["rules"]) == ["http", "ssh"]
    assert azemu.writes(since=mark) == []
    run = run_playbook(update, diff=True)
    result = run.task("nsg")
    assert run.ok and result["changed"], run.output()
    rules = rules_of(result)
    assert rules["http"]["destination_port_ranges"] == ["80", "443"]
    assert (rules["ssh"]["access"], rules["ssh"]["destination_port_ranges"]) == ("Deny", ["22"])
    mark = azemu.mark()
    assert not run_playbook(update).task("nsg")["changed"]
    assert azemu.writes(since=mark) == []

    run = run_playbook([nsg_task(group, "nsg1", rules=[{"name": "ssh", "priority": 1001, "direction": "Outbound",
                                                        "protocol": "Tcp", "access": "Deny",
                                                        "destination_port_ranges": ["22"],
                                                        "description": "no ssh out"}], purge_rules=True)])
    assert run.ok and run.task("nsg")["changed"], run.output()
    assert list(rules_of(run.task("nsg"))) == ["ssh"]
    found = run_playbook([info_task(resource_group=group, name="nsg1")]).task("info")["security_groups"]
    assert [r["name"] for r in found[0]["rules"]] == ["ssh"]

    delete = [nsg_task(group, "nsg1", state="absent")]
    run = run_playbook(delete, check=True, diff=True)
    assert run.ok and run.task("nsg")["changed"] and run.task("nsg")["diff"]["after"] == {}, run.output()
    run = run_playbook(delete)
    assert run.ok and run.task("nsg")["changed"], run.output()
    mark = azemu.mark()
    run = run_playbook(delete)
    assert run.ok and not run.task("nsg")["changed"], run.output()
    assert azemu.writes(since=mark) == []


def test_a_listed_rule_taking_a_kept_rules_priority_is_refused(run_playbook, azemu, group):
    assert run_playbook([nsg_task(group, "nsg1", rules=[HTTP])]).ok
    mark = azemu.mark()
    run = run_playbook([nsg_task(group, "nsg1", rules=[dict(HTTP, name="https", destination_port_ranges=["443"])])])
    assert not run.ok and "same priority 1001" in run.task("nsg")["msg"], run.output()
    assert azemu.writes(since=mark) == []


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
    mark = azemu.mark()
    run = run_playbook([nsg_task(group, "nsg1", rules=[HTTP, dict(HTTP, name="other")])])
    assert not run.ok and "same priority 1001 and direction Inbound" in run.task("nsg")["msg"], run.output()
    run = run_playbook([nsg_task(group, "nsg 1")])
    assert not run.ok and "security group name" in run.task("nsg")["msg"], run.output()
    assert arm_requests(azemu, mark) == []


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

    found = run_playbook([info_task(resource_group=group, name="nsg1")]).task("info")["security_groups"][0]
    assert (found["subnets"], found["network_interfaces"]) == ([subnet_id], [nic["id"]])

    mark = azemu.mark()
    run = run_playbook([nsg_task(group, "nsg1", state="absent")])
    result = run.task("nsg")
    assert not run.ok and result["error_code"] == "InUseNetworkSecurityGroupCannotBeDeleted", run.output()
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
