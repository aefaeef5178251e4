"""cloudlb.azure.resource_group and resource_group_info through real ansible-playbook runs."""

from __future__ import annotations

import pytest


def rg_task(name, task_name="rg", **options):
    return {"name": task_name, "cloudlb.azure.resource_group": {"name": name, **options}}


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.resource_group_info": options}


def groups_named(run_playbook, name):
    return run_playbook([info_task(name=name)]).task("info")["resource_groups"]


def test_lifecycle(run_playbook, azemu, unique_name):
    name = unique_name("rg")
    create = [rg_task(name, location="West Europe", tags={"env": "demo", "n": 1})]

    mark = azemu.mark()
    run = run_playbook(create, check=True)
    result = run.task("rg")
    assert run.ok and result["changed"], run.output()
    assert result["resource_group"]["name"] == name
    assert result["resource_group"]["location"] == "westeurope"
    assert result["resource_group"]["tags"] == {"env": "demo", "n": "1"}
    assert azemu.writes(since=mark) == []
    assert groups_named(run_playbook, name) == []

    run = run_playbook(create)
    result = run.task("rg")
    assert run.ok and result["changed"], run.output()
    group = result["resource_group"]
    assert group["id"].lower().endswith(f"/resourcegroups/{name}".lower())
    assert (group["location"], group["tags"], group["provisioning_state"]) == ("westeurope", {"env": "demo", "n": "1"}, "Succeeded")

    mark = azemu.mark()
    run = run_playbook(create)
    assert run.ok and not run.task("rg")["changed"], run.output()
    assert run.task("rg")["resource_group"] == group
    assert azemu.writes(since=mark) == []

    run = run_playbook(create, check=True)
    assert run.ok and not run.task("rg")["changed"], run.output()

    update = [rg_task(name, tags={"owner": "team-a"})]
    mark = azemu.mark()
    run = run_playbook(update, check=True, diff=True)
    result = run.task("rg")
    assert run.ok and result["changed"], run.output()
    assert result["diff"] == {
        "before": {"name": name, "location": "westeurope", "tags": {"env": "demo", "n": "1"}},
        "after": {"name": name, "location": "westeurope", "tags": {"env": "demo", "n": "1", "owner": "team-a"}},
    }
    assert azemu.writes(since=mark) == []

    run = run_playbook(update, diff=True)
    result = run.task("rg")
    assert run.ok and result["changed"], run.output()
    assert result["resource_group"]["tags"] == {"env": "demo", "n": "1", "owner": "team-a"}
    assert "diff" in result

    run = run_playbook([rg_task(name, tags={"owner": "team-b"}, append_tags=False)])
    assert run.ok and run.task("rg")["changed"], run.output()
    assert run.task("rg")["resource_group"]["tags"] == {"owner": "team-b"}
    assert groups_named(run_playbook, name)[0]["tags"] == {"owner": "team-b"}

    delete = [rg_task(name, state="absent")]
    run = run_playbook(delete, check=True, diff=True)
    result = run.task("rg")
    assert run.ok and result["changed"], run.output()
    assert result["diff"]["after"] == {} and result["diff"]["before"]["name"] == name
    assert len(groups_named(run_playbook, name)) == 1

    run = run_playbook(delete)
    assert run.ok and run.task("rg")["changed"], run.output()
    assert groups_named(run_playbook, name) == []

    mark = azemu.mark()
    run = run_playbook(delete)
    assert run.ok and not run.task("rg")["changed"], run.output()
    assert azemu.writes(since=mark) == []


def test_second_run_of_a_play_is_all_unchanged(run_playbook, azemu, unique_name):
    name = unique_name("rg")
    tasks = [
        rg_task(name, "create", location="eastus", tags={"a": "1"}),
        rg_task(name, "same tags again", tags={"a": "1"}),
        rg_task(name, "replace with the same", tags={"a": "1"}, append_tags=False),
        rg_task(name, "location in display form", location="East US"),
    ]
    assert run_playbook(tasks).ok
    mark = azemu.mark()
    run = run_playbook(tasks)
    assert run.ok and not any(task["changed"] for task in run.tasks), run.output()
    assert azemu.writes(since=mark) == []
    assert run_playbook([rg_task(name, state="absent")]).ok


def test_location_cannot_change(run_playbook, unique_name):
    name = unique_name("rg")
    assert run_playbook([rg_task(name, location="eastus")]).ok
    run = run_playbook([rg_task(name, location="westus")])
    assert not run.ok
    assert "Azure cannot move a resource group to another region" in run.task("rg")["msg"]
    assert run_playbook([rg_task(name, state="absent")]).ok


def test_location_required_to_create(run_playbook, unique_name):
    run = run_playbook([rg_task(unique_name("rg"))])
    assert not run.ok
    assert run.task("rg")["msg"].startswith("location is required to create resource group")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"name": "bad name!", "location": "eastus"}, "Invalid name: the resource group name 'bad name!' may contain only"),
        ({"name": "trailing.", "location": "eastus"}, "Invalid name: the resource group name 'trailing.' cannot end with a period"),
        ({"name": "x" * 91, "location": "eastus"}, "longer than 90 characters"),
        ({"name": "ok", "location": "east-us"}, "Invalid options: location 'east-us' is not a region name"),
        ({"name": "ok", "location": "eastus", "tags": {"a/b": "x"}}, "Invalid tags: tag name 'a/b' contains one of"),
        ({"name": "ok", "wait_timeout": 0}, "wait_timeout must be a positive number of seconds"),
    ],
)
def test_options_validated_before_any_request(run_playbook, azemu, options, message):
    mark = azemu.mark()
    run = run_playbook([{"name": "rg", "cloudlb.azure.resource_group": options}])
    assert not run.ok
    assert message in run.task("rg")["msg"]
    assert azemu.requests(since=mark) == []


def test_delete_without_waiting(run_playbook, unique_name):
    name = unique_name("rg")
    assert run_playbook([rg_task(name, location="eastus")]).ok
    run = run_playbook([rg_task(name, state="absent", wait=False)])
    assert run.ok and run.task("rg")["changed"], run.output()
    run = run_playbook([rg_task(name, state="absent")])
    assert run.ok and not run.task("rg")["changed"], run.output()
    assert groups_named(run_playbook, name) == []


def test_nonempty_group_is_refused_without_force(run_playbook, azemu, unique_name, sdk):
    name = unique_name("rg")
    assert run_playbook([rg_task(name, location="eastus")]).ok
    resource_id = sdk.create_resource_in(name)

    mark = azemu.mark()
    run = run_playbook([rg_task(name, state="absent")])
    result = run.task("rg")
    assert not run.ok
    assert result["msg"].startswith(f"Resource group {name} is not empty, it holds {resource_id}")
    assert "force_delete_nonempty=true" in result["msg"]
    assert result["resources"] == [resource_id]
    assert azemu.writes(since=mark) == []

    run = run_playbook([rg_task(name, state="absent")], check=True)
    assert not run.ok

    run = run_playbook([rg_task(name, state="absent", force_delete_nonempty=True)])
    assert run.ok and run.task("rg")["changed"], run.output()
    assert groups_named(run_playbook, name) == []


def test_info(run_playbook, unique_name):
    first, second = unique_name("info"), unique_name("info")
    marker = unique_name("marker")
    setup = [
        rg_task(first, "first", location="eastus", tags={"marker": marker, "role": "web"}),
        rg_task(second, "second", location="eastus", tags={"marker": marker, "role": "db"}),
    ]
    assert run_playbook(setup).ok

    run = run_playbook(
        [
            info_task("by name", name=first),
            info_task("missing", name=unique_name("missing")),
            info_task("by tag", tags=[f"marker:{marker}"]),
            info_task("by two tags", tags=[f"marker:{marker}", "role:db"]),
            info_task("by tag name", tags=["marker", f"marker:{marker}", "role"]),
            info_task("all"),
        ]
    )
    assert run.ok, run.output()
    assert [g["name"] for g in run.task("by name")["resource_groups"]] == [first]
    assert run.task("by name")["resource_groups"][0]["tags"] == {"marker": marker, "role": "web"}
    assert run.task("missing")["resource_groups"] == []
    assert sorted(g["name"] for g in run.task("by tag")["resource_groups"]) == sorted([first, second])
    assert [g["name"] for g in run.task("by two tags")["resource_groups"]] == [second]
    assert len(run.task("by tag name")["resource_groups"]) == 2
    assert {first, second} <= {g["name"] for g in run.task("all")["resource_groups"]}
    assert not any(task["changed"] for task in run.tasks)

    assert run_playbook([rg_task(first, "first", state="absent"), rg_task(second, "second", state="absent")]).ok
    assert run_playbook([info_task(tags=[f"marker:{marker}"])]).task("info")["resource_groups"] == []


def test_module_defaults_group(run_playbook, azure_env, unique_name):
    """Auth set once for the action group reaches the modules."""
    env = {key: value for key, value in azure_env.items() if key != "AZURE_SECRET"}
    secret = azure_env["AZURE_SECRET"]
    run = run_playbook(
        [info_task(name=unique_name("rg"))],
        env=env,
        module_defaults={"group/cloudlb.azure.azure": {"secret": secret}},
    )
    assert run.ok, run.output()
    assert run.task("info")["resource_groups"] == []
