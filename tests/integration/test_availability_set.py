"""cloudlb.azure.availability_set through real ansible-playbook runs against azemu."""

from __future__ import annotations

import pytest
from playbook_tasks import assert_unchanged, check, may_fail, with_diff


def avset_task(group, name, task_name="avset", **options):
    return {"name": task_name, "cloudlb.azure.availability_set": {"resource_group": group, "name": name, **options}}


@pytest.fixture
def group(sdk, unique_name):
    """A resource group in westus, made with the plain SDK (the test depends on the module under test only)."""
    name = unique_name("rg-avset")
    sdk.resource.resource_groups.create_or_update(name, {"location": "westus"})
    return name


def test_lifecycle(run_playbook, azemu, group):
    """Create, retag, delete: one playbook, each step's writes the ones azemu logged while its task ran."""
    create = dict(platform_fault_domain_count=3, platform_update_domain_count=2, tags={"env": "demo"})
    name = "myAvailabilitySet"
    mark = azemu.mark()
    run = run_playbook([
        check(with_diff(avset_task(group, name, "predict", **create))),
        avset_task(group, name, "create", **create),
        avset_task(group, name, "again", **create),
        check(avset_task(group, name, "again in check mode", **create)),
        with_diff(avset_task(group, name, "retag", tags={"owner": "ops"}, append_tags=False)),
        check(avset_task(group, name, "predict delete", state="absent")),
        avset_task(group, name, "delete", state="absent"),
        avset_task(group, name, "delete again", state="absent"),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)

    result = run.task("predict")
    assert result["changed"]
    assert result["availability_set"]["sku"] == "Aligned"
    assert result["diff"]["before"] == {}
    assert run.during("predict", writes) == []

    result = run.task("create")
    assert result["changed"]
    avset = result["availability_set"]
    assert (avset["location"], avset["sku"], avset["platform_fault_domain_count"], avset["platform_update_domain_count"],
            avset["tags"], avset["virtual_machines"]) == ("westus", "Aligned", 3, 2, {"env": "demo"}, [])
    assert avset["id"].endswith(f"/resourceGroups/{group}/providers/Microsoft.Compute/availabilitySets/myAvailabilitySet")

    assert_unchanged(run, writes, "again", "again in check mode")
    assert run.task("again")["availability_set"] == avset

    result = run.task("retag")
    assert result["changed"]
    assert result["availability_set"]["tags"] == {"owner": "ops"}
    assert result["diff"]["before"]["tags"] == {"env": "demo"} and result["diff"]["after"]["tags"] == {"owner": "ops"}

    assert run.task("predict delete")["changed"]
    assert run.during("predict delete", writes) == []
    assert run.task("delete")["changed"]
    assert_unchanged(run, writes, "delete again")


def test_domain_counts_cannot_change(run_playbook, azemu, group):
    mark = azemu.mark()
    run = run_playbook([
        avset_task(group, "fixed", "create", platform_fault_domain_count=2, platform_update_domain_count=5),
        may_fail(avset_task(group, "fixed", "more fault domains", platform_fault_domain_count=3, tags={"x": "y"})),
        may_fail(avset_task(group, "fixed", "classic", sku="Classic")),
    ])
    assert run.record("create")["status"] == "ok", run.output()
    writes = azemu.writes(since=mark)
    result = run.task("more fault domains")
    assert run.record("more fault domains")["status"] == "failed"
    assert "cannot change the fault domain count" in result["msg"] and "Nothing was changed" in result["msg"]
    assert run.record("classic")["status"] == "failed" and "back to Classic" in run.task("classic")["msg"]
    assert run.during("more fault domains", writes) == [] and run.during("classic", writes) == []


def test_classic_becomes_aligned(run_playbook, group):
    run = run_playbook([avset_task(group, "old", "classic", sku="Classic"), avset_task(group, "old", "unchanged"),
                        avset_task(group, "old", "aligned", sku="Aligned")])
    assert run.ok, run.output()
    assert run.task("classic")["availability_set"]["sku"] == "Classic"
    unchanged = run.task("unchanged")
    assert not unchanged["changed"] and unchanged["availability_set"]["sku"] == "Classic"
    result = run.task("aligned")
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
