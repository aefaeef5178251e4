"""cloudlb.azure.resource_group and resource_group_info through real ansible-playbook runs."""

from __future__ import annotations

from playbook_tasks import assert_unchanged, check, may_fail, with_diff


def rg_task(name, task_name="rg", **options):
    return {"name": task_name, "cloudlb.azure.resource_group": {"name": name, **options}}


def info_task(task_name="info", **options):
    return {"name": task_name, "cloudlb.azure.resource_group_info": options}


def test_lifecycle(run_playbook, azemu, unique_name):
    """Create, update and delete in one playbook; each step's writes are the ones azemu logged
    while its task ran."""
    name = unique_name("rg")
    create = dict(location="West Europe", tags={"env": "demo", "n": 1})
    update = dict(tags={"owner": "team-a"})
    mark = azemu.mark()
    run = run_playbook([
        check(rg_task(name, "predict", **create)),
        info_task("info before", name=name),
        rg_task(name, "create", **create),
        rg_task(name, "again", **create),
        check(rg_task(name, "again in check mode", **create)),
        check(with_diff(rg_task(name, "predict update", **update))),
        with_diff(rg_task(name, "update", **update)),
        rg_task(name, "replace tags", tags={"owner": "team-b"}, append_tags=False),
        info_task("info after replace", name=name),
        check(with_diff(rg_task(name, "predict delete", state="absent"))),
        info_task("info before delete", name=name),
        rg_task(name, "delete", state="absent"),
        info_task("info after delete", name=name),
        rg_task(name, "delete again", state="absent"),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)

    result = run.task("predict")
    assert result["changed"]
    assert result["resource_group"]["name"] == name
    assert result["resource_group"]["location"] == "westeurope"
    assert result["resource_group"]["tags"] == {"env": "demo", "n": "1"}
    assert run.during("predict", writes) == []
    assert run.task("info before")["resource_groups"] == []

    result = run.task("create")
    assert result["changed"]
    group = result["resource_group"]
    assert group["id"].lower().endswith(f"/resourcegroups/{name}".lower())
    assert (group["location"], group["tags"], group["provisioning_state"]) == ("westeurope", {"env": "demo", "n": "1"}, "Succeeded")

    assert_unchanged(run, writes, "again", "again in check mode")
    assert run.task("again")["resource_group"] == group

    result = run.task("predict update")
    assert result["changed"]
    assert result["diff"] == {
        "before": {"name": name, "location": "westeurope", "tags": {"env": "demo", "n": "1"}},
        "after": {"name": name, "location": "westeurope", "tags": {"env": "demo", "n": "1", "owner": "team-a"}},
    }
    assert run.during("predict update", writes) == []

    result = run.task("update")
    assert result["changed"]
    assert result["resource_group"]["tags"] == {"env": "demo", "n": "1", "owner": "team-a"}
    assert "diff" in result

    assert run.task("replace tags")["changed"]
    assert run.task("replace tags")["resource_group"]["tags"] == {"owner": "team-b"}
    assert run.task("info after replace")["resource_groups"][0]["tags"] == {"owner": "team-b"}

    result = run.task("predict delete")
    assert result["changed"]
    assert result["diff"]["after"] == {} and result["diff"]["before"]["name"] == name
    assert len(run.task("info before delete")["resource_groups"]) == 1

    assert run.task("delete")["changed"]
    assert run.task("info after delete")["resource_groups"] == []

    assert_unchanged(run, writes, "delete again")


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
    run = run_playbook([rg_task(name, "create", location="eastus"),
                        may_fail(rg_task(name, "move", location="westus")),
                        rg_task(name, "delete", state="absent")])
    assert run.ok and run.record("create")["status"] == "ok", run.output()
    assert run.record("move")["status"] == "failed"
    assert "Azure cannot move a resource group to another region" in run.task("move")["msg"]
    assert run.record("delete")["status"] == "ok"


def test_location_required_to_create(run_playbook, unique_name):
    run = run_playbook([rg_task(unique_name("rg"))])
    assert not run.ok
    assert run.task("rg")["msg"].startswith("location is required to create resource group")


INVALID = [
    ({"name": "bad name!", "location": "eastus"}, "Invalid name: the resource group name 'bad name!' may contain only"),
    ({"name": "trailing.", "location": "eastus"}, "Invalid name: the resource group name 'trailing.' cannot end with a period"),
    ({"name": "x" * 91, "location": "eastus"}, "longer than 90 characters"),
    ({"name": "ok", "location": "east-us"}, "Invalid options: location 'east-us' is not a region name"),
    ({"name": "ok", "location": "eastus", "tags": {"a/b": "x"}}, "Invalid tags: tag name 'a/b' contains one of"),
    ({"name": "ok", "wait_timeout": 0}, "wait_timeout must be a positive number of seconds"),
]


def test_options_validated_before_any_request(run_playbook, azemu):
    run_playbook.each_refused(azemu, [({"cloudlb.azure.resource_group": options}, message) for options, message in INVALID])


def test_delete_without_waiting(run_playbook, unique_name):
    name = unique_name("rg")
    run = run_playbook([rg_task(name, "create", location="eastus"),
                        rg_task(name, "delete", state="absent", wait=False),
                        rg_task(name, "delete again", state="absent"),
                        info_task("info", name=name)])
    assert run.ok, run.output()
    assert run.task("delete")["changed"]
    assert not run.task("delete again")["changed"]
    assert run.task("info")["resource_groups"] == []


def test_nonempty_group_is_refused_without_force(run_playbook, azemu, unique_name, sdk):
    name = unique_name("rg")
    assert run_playbook([rg_task(name, location="eastus")]).ok
    resource_id = sdk.create_resource_in(name)

    mark = azemu.mark()
    run = run_playbook([may_fail(rg_task(name, "delete", state="absent")),
                        may_fail(check(rg_task(name, "delete in check mode", state="absent"))),
                        rg_task(name, "force", state="absent", force_delete_nonempty=True),
                        info_task("info", name=name)])
    assert run.ok, run.output()
    result = run.task("delete")
    assert run.record("delete")["status"] == "failed"
    assert result["msg"].startswith(f"Resource group {name} is not empty, it holds {resource_id}")
    assert "force_delete_nonempty=true" in result["msg"]
    assert result["resources"] == [resource_id]
    writes = azemu.writes(since=mark)
    assert run.during("delete", writes) == []

    assert run.record("delete in check mode")["status"] == "failed"

    assert run.task("force")["changed"]
    assert run.task("info")["resource_groups"] == []


def test_info(run_playbook, unique_name):
    first, second = unique_name("info"), unique_name("info")
    marker = unique_name("marker")
    setup = [
        rg_task(first, "first", location="eastus", tags={"marker": marker, "role": "web"}),
        rg_task(second, "second", location="eastus", tags={"marker": marker, "role": "db"}),
    ]
    run = run_playbook(
        [
            *setup,
            info_task("by name", name=first),
            info_task("missing", name=unique_name("missing")),
            info_task("by tag", tags=[f"marker:{marker}"]),
            info_task("by two tags", tags=[f"marker:{marker}", "role:db"]),
            info_task("by tag name", tags=["marker", f"marker:{marker}", "role"]),
            info_task("all"),
            rg_task(first, "delete first", state="absent"),
            rg_task(second, "delete second", state="absent"),
            info_task("after", tags=[f"marker:{marker}"]),
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
    assert not any(run.task(name)["changed"] for name in ("by name", "missing", "by tag", "by two tags", "by tag name", "all"))
    assert run.task("after")["resource_groups"] == []


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
