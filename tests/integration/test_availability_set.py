"""cloudlb.azure.availability_set through real ansible-playbook runs against azemu."""

from __future__ import annotations

import pytest


def avset_task(group, name, task_name="avset", **options):
    return {"name": task_name, "cloudlb.azure.availability_set": {"resource_group": group, "name": name, **options}}


def group_task(group):
    return {"name": "group", "cloudlb.azure.resource_group": {"name": group, "location": "westus"}}


@pytest.fixture
def group(run_playbook, unique_name):
    name = unique_name("rg-avset")
    assert run_playbook([group_task(name)]).ok
    return name


def test_lifecycle(run_playbook, azemu, group):
    create = [avset_task(group, "myAvailabilitySet", platform_fault_domain_count=3, platform_update_domain_count=2,
                         tags={"env": "demo"})]

    mark = azemu.mark()
    run = run_playbook(create, check=True, diff=True)
    result = run.task("avset")
    assert run.ok and result["changed"], run.output()
    assert result["availability_set"]["sku"] == "Aligned"
    assert result["diff"]["before"] == {}
    assert azemu.writes(since=mark) == []

    run = run_playbook(create)
    result = run.task("avset")
    assert run.ok and result["changed"], run.output()
    avset = result["availability_set"]
    assert (avset["location"], avset["sku"], avset["platform_fault_domain_count"], avset["platform_update_domain_count"],
            avset["tags"], avset["virtual_machines"]) == ("westus", "Aligned", 3, 2, {"env": "demo"}, [])
    assert avset["id"].endswith(f"/resourceGroups/{group}/providers/Microsoft.Compute/availabilitySets/myAvailabilitySet")

    mark = azemu.mark()
    run = run_playbook(create)
    assert run.ok and not run.task("avset")["changed"], run.output()
    assert run.task("avset")["availability_set"] == avset
    run = run_playbook(create, check=True)
    assert run.ok and not run.task("avset")["changed"], run.output()
    assert azemu.writes(since=mark) == []

    retag = [avset_task(group, "myAvailabilitySet", tags={"owner": "ops"}, append_tags=False)]
    run = run_playbook(retag, diff=True)
    result = run.task("avset")
    assert run.ok and result["changed"], run.output()
    assert result["availability_set"]["tags"] == {"owner": "ops"}
    assert result["diff"]["before"]["tags"] == {"env": "demo"} and result["diff"]["after"]["tags"] == {"owner": "ops"}

    delete = [avset_task(group, "myAvailabilitySet", state="absent")]
    mark = azemu.mark()
    run = run_playbook(delete, check=True)
    assert run.ok and run.task("avset")["changed"], run.output()
    assert azemu.writes(since=mark) == []
    run = run_playbook(delete)
    assert run.ok and run.task("avset")["changed"], run.output()
    mark = azemu.mark()
    run = run_playbook(delete)
    assert run.ok and not run.task("avset")["changed"], run.output()
    assert azemu.writes(since=mark) == []


def test_domain_counts_cannot_change(run_playbook, azemu, group):
    assert run_playbook([avset_task(group, "fixed", platform_fault_domain_count=2, platform_update_domain_count=5)]).ok
    mark = azemu.mark()
    run = run_playbook([avset_task(group, "fixed", platform_fault_domain_count=3, tags={"x": "y"})])
    result = run.task("avset")
    assert not run.ok
    assert "cannot change the fault domain count" in result["msg"] and "Nothing was changed" in result["msg"]
    run = run_playbook([avset_task(group, "fixed", sku="Classic")])
    assert not run.ok and "back to Classic" in run.task("avset")["msg"]
    assert azemu.writes(since=mark) == []


def test_classic_becomes_aligned(run_playbook, group):
    assert run_playbook([avset_task(group, "old", sku="Classic")]).task("avset")["availability_set"]["sku"] == "Classic"
    unchanged = run_playbook([avset_task(group, "old")]).task("avset")
    assert not unchanged["changed"] and unchanged["availability_set"]["sku"] == "Classic"
    result = run_playbook([avset_task(group, "old", sku="Aligned")]).task("avset")
    assert result["changed"] and result["availability_set"]["sku"] == "Aligned"


INVALID = [
    ({"platform_fault_domain_count": 4}, "platform_fault_domain_count must be from 1 to 3"),
    ({"platform_fault_domain_count": 0}, "platform_fault_domain_count must be from 1 to 3"),
    ({"platform_update_domain_count": 21}, "platform_update_domain_count must be from 1 to 20"),
    ({"name": "bad/name"}, "availability set name"),
    ({"location": "east-us"}, "is not a region name"),
    ({"sku": "Gold"}, "value of sku must be one of"),
]


def test_bad_input_fails_before_any_request(run_playbook, azemu):
    run_playbook.each_refused(azemu, [
        (avset_task("rg-never-used", options.get("name", "avset"), **{k: v for k, v in options.items() if k != "name"}),
         message) for options, message in INVALID])
