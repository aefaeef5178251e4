"""cloudlb.azure.vm_run_command through real ansible-playbook runs against azemu, whose run
command answers from what it knows of the VM (see emulator/README.md)."""

from __future__ import annotations

import pytest

from compute_setup import new_vm, vm_task


def run_task(group, script, task_name="run", **options):
    options = {"resource_group": group, "name": "vm1", "script": script, **options}
    return {"name": task_name, "cloudlb.azure.vm_run_command": options}


@pytest.fixture
def vm(run_playbook, vm_group):
    run = run_playbook([new_vm(vm_group, custom_data="#cloud-config\npackages: [nginx]\n")])
    assert run.ok, run.output()
    return vm_group


def test_output_and_exit_status(run_playbook, azemu, vm):
    mark = azemu.mark()
    run = run_playbook([
        run_task(vm, "echo hello\nhostname\necho warning >&2"),
        run_task(vm, "cat /var/lib/cloud/instance/user-data.txt", task_name="user-data", changed=True),
        dict(run_task(vm, "echo partial\nexit 3", task_name="fails"), ignore_errors=True),
        dict(run_task(vm, "exit 3", task_name="accepted"), failed_when="accepted.rc != 3", register="accepted"),
    ])
    assert run.ok, run.output()
    first = run.task("run")
    assert (first["stdout"], first["stdout_lines"], first["stderr"], first["rc"], first["changed"]) == (
        "hello\nvm1", ["hello", "vm1"], "warning", 0, False)
    assert first["statuses"][0]["code"] == "ProvisioningState/succeeded"
    user_data = run.task("user-data")
    assert user_data["stdout"] == "#cloud-config\npackages: [nginx]" and user_data["changed"] is True
    failed = run.task("fails")
    assert run.record("fails")["status"] == "failed" and failed["rc"] == 3 and failed["stdout"] == "partial"
    assert "failed (exit status 3)" in failed["msg"]
    assert run.task("accepted")["rc"] == 3
    posts = azemu.writes(since=mark)
    assert [w["path"].rsplit("/", 1)[-1] for w in posts] == ["runCommand"] * 4


def test_check_mode_runs_nothing(run_playbook, azemu, vm):
    mark = azemu.mark()
    run = run_playbook([run_task(vm, "echo hi")], check=True)
    assert run.ok and run.record("run")["status"] == "skipped", run.output()
    assert azemu.writes(since=mark) == []


def test_no_wait(run_playbook, vm):
    run = run_playbook([run_task(vm, "echo hi", wait=False)])
    assert run.ok and "stdout" not in run.task("run"), run.output()
    assert "Azure accepted" in run.task("run")["msg"]


def test_a_stopped_vm_is_refused_before_the_run_command(run_playbook, azemu, vm):
    """Azure refuses it (OperationNotAllowed, "requires the VM to be running"); the module reads
    the power state first and sends nothing."""
    assert run_playbook([vm_task(vm, power_state="stopped")]).ok
    mark = azemu.mark()
    run = run_playbook([run_task(vm, "echo hi")])
    result = run.task("run")
    assert not run.ok and "is stopped; Azure runs a command only on a running VM" in result["msg"], run.output()
    assert azemu.writes(since=mark) == []


INVALID = [
    (dict(script="  \n"), "script is empty"),
    (dict(name="-vm"), "the VM name"),
    (dict(resource_group="bad/group"), "resource group name"),
    (dict(wait_timeout=-1), "wait_timeout must be a positive number"),
]


def test_bad_input_fails_before_any_request(run_playbook, azemu):
    cases = []
    for options, message in INVALID:
        others = {key: value for key, value in options.items() if key not in ("resource_group", "script")}
        task = run_task(options.get("resource_group", "rg-never-used"), options.get("script", "echo hi"), **others)
        cases.append((task, message))
    run_playbook.each_refused(azemu, cases)
