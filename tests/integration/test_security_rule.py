"""cloudlb.azure.security_rule through real ansible-playbook runs."""

from __future__ import annotations

import pytest

NSG = "nsg1"
DRAIN = {"name": "cloudlb-drain-myNic1", "priority": 1000, "access": "Deny", "protocol": "Tcp",
         "source_address_prefixes": ["AzureLoadBalancer"], "destination_address_prefixes": ["10.0.0.4"],
         "destination_port_ranges": ["80"]}


def rule_task(group, task_name="rule", **options):
    options = {"resource_group": group, "security_group": NSG, **options}
    return {"name": task_name, "cloudlb.azure.security_rule": options}


def writes(azemu, mark):
    return [(r["method"], r["path"].split("/providers/Microsoft.Network/", 1)[-1]) for r in azemu.writes(since=mark)]


def nsg_rules(sdk, group):
    nsg = sdk.network.network_security_groups.get(group, NSG)
    return {r.name: r for r in nsg.security_rules}


@pytest.fixture
def group(sdk, unique_name):
    """A resource group with an NSG holding the tutorial's HTTP rule and a tag."""
    name = unique_name("rg")
    sdk.resource.resource_groups.create_or_update(name, {"location": "eastus"})
    sdk.network.network_security_groups.begin_create_or_update(name, NSG, {
        "location": "eastus", "tags": {"keep": "me"}, "properties": {"securityRules": [{"name": "http", "properties": {
            "protocol": "Tcp", "direction": "Inbound", "access": "Allow", "priority": 1001,
            "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*",
            "destinationPortRange": "80"}}]}}).result()
    yield name
    sdk.resource.resource_groups.begin_delete(name)


def test_lifecycle(run_playbook, azemu, sdk, group):
    create = rule_task(group, **DRAIN)
    rule_path = f"networkSecurityGroups/{NSG}/securityRules/{DRAIN['name']}"

    mark = azemu.mark()
    run = run_playbook([create], check=True, diff=True)
    result = run.task("rule")
    assert run.ok and result["changed"], run.output()
    assert result["diff"]["before"] == {} and result["diff"]["after"]["priority"] == 1000
    assert result["security_rule"]["id"].endswith(f"/{rule_path}")
    assert azemu.writes(since=mark) == []
    assert DRAIN["name"] not in nsg_rules(sdk, group)

    mark = azemu.mark()
    run = run_playbook([create, dict(create, name="again")])
    assert run.ok, run.output()
    made = run.task("rule")["security_rule"]
    assert run.task("rule")["changed"] and not run.task("again")["changed"]
    # Options left out took the az CLI's defaults; Azure's view matches what the module returned.
    assert {k: made[k] for k in ("direction", "source_port_ranges", "description", "provisioning_state")} == {
        "direction": "Inbound", "source_port_ranges": ["*"], "description": None, "provisioning_state": "Succeeded"}
    assert run.task("again")["security_rule"] == made
    # One PUT of the child resource, nothing else: the NSG itself is never written.
    assert writes(azemu, mark) == [("PUT", rule_path)]
    rules = nsg_rules(sdk, group)
    assert sorted(rules) == ["cloudlb-drain-myNic1", "http"] and rules["http"].priority == 1001
    assert sdk.network.network_security_groups.get(group, NSG).tags == {"keep": "me"}

    mark = azemu.mark()
    run = run_playbook([create], check=True)
    assert run.ok and not run.task("rule")["changed"]
    assert azemu.writes(since=mark) == []

    # An update names only what changes; the rest is kept.
    update = rule_task(group, name=DRAIN["name"], priority=999, destination_port_ranges=["80", "443"])
    run = run_playbook([update], diff=True)
    result = run.task("rule")
    assert run.ok and result["changed"], run.output()
    assert result["diff"]["before"]["priority"] == 1000 and result["diff"]["after"]["priority"] == 999
    after = result["security_rule"]
    assert (after["access"], after["source_address_prefixes"], after["destination_port_ranges"]) == (
        "Deny", ["AzureLoadBalancer"], ["80", "443"])
    assert nsg_rules(sdk, group)[DRAIN["name"]].destination_port_ranges == ["80", "443"]
    mark = azemu.mark()
    assert not run_playbook([update]).task("rule")["changed"]
    assert azemu.writes(since=mark) == []

    delete = rule_task(group, name=DRAIN["name"], state="absent")
    mark = azemu.mark()
    run = run_playbook([delete], check=True, diff=True)
    assert run.ok and run.task("rule")["changed"] and run.task("rule")["diff"]["after"] == {}
    assert azemu.writes(since=mark) == []
    mark = azemu.mark()
    run = run_playbook([delete, dict(delete, name="again")])
    assert run.ok and run.task("rule")["changed"] and not run.task("again")["changed"], run.output()
    assert writes(azemu, mark) == [("DELETE", rule_path)]
    assert sorted(nsg_rules(sdk, group)) == ["http"]


def test_invalid_options_fail_before_any_request(run_playbook, azemu, group):
    bad = rule_task(group, name="bad", priority=50, destination_port_ranges=["70000"],
                    source_address_prefixes=["10.0.0.1/8"])
    mark = azemu.mark()
    run = run_playbook([bad])
    assert not run.ok
    msg = run.task("rule")["msg"]
    assert msg.startswith("Invalid options: "), msg
    assert "priority 50 is out of range" in msg and "'70000' goes beyond 65535" in msg and "host bits set" in msg
    assert azemu.requests(since=mark) == []


def test_a_new_rule_needs_a_priority(run_playbook, azemu, group):
    mark = azemu.mark()
    run = run_playbook([rule_task(group, name="nopriority", access="Deny")])
    assert not run.ok and "priority is required to create a rule" in run.task("rule")["msg"], run.output()
    assert azemu.writes(since=mark) == []


def test_azure_error_codes_are_carried(run_playbook, azemu, sdk, group):
    # Priority 1001 inbound is the http rule's: Azure refuses, and says why.
    run = run_playbook([rule_task(group, **{**DRAIN, "priority": 1001})])
    result = run.task("rule")
    assert not run.ok and result["error_code"] == "SecurityRuleConflict", run.output()
    assert result["msg"].startswith("Failed to write security rule cloudlb-drain-myNic1 of security group nsg1: "
                                    "(SecurityRuleConflict) ")
    assert result["status_code"] == 400
    assert sorted(nsg_rules(sdk, group)) == ["http"]

    # The NSG must exist: the module reads it before writing a rule into it.
    mark = azemu.mark()
    run = run_playbook([rule_task(group, security_group="missing", **DRAIN)])
    assert not run.ok and "security_group: security group missing does not exist" in run.task("rule")["msg"], \
        run.output()
    assert azemu.writes(since=mark) == []
