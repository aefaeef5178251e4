"""virtualMachines/{vm}/runCommand: Compute's long-running POST whose result the SDK reads from
the Location URL, checked against the VirtualMachineRunCommand example; and what azemu answers
for a script (run_command.py), which runs nothing on this machine."""

from __future__ import annotations

import base64
import re

import pytest

from azemu.providers.compute.run_command import Machine, run, statuses
from compute_helpers import action, call, make_nic, make_vm, vm_body, vm_path, wait_operation
from reference import assert_covers, spec_file, url_template

GUID = "00000000-0000-0000-0000-000000000000"
EXAMPLE = "specs/compute/2026-04-01/examples/runCommandExamples/VirtualMachineRunCommand.json"


def test_exchange_like_the_example(arm, rg):
    make_vm(arm, rg)
    ex = spec_file(EXAMPLE)
    resp = call(arm, "POST", vm_path(rg, "vm1", "runCommand"),
                {"commandId": "RunShellScript", "script": ["echo hello", "hostname"]})
    assert resp.status == 202 and resp.body is None, resp
    # The example's URL has placeholders for the ids and a "&" where a "?" belongs.
    recorded = re.sub(r"\{\w+Id\}", GUID, ex["responses"]["202"]["headers"]["Location"]).replace("}&monitor", "}?monitor")
    assert url_template(resp.headers["Location"]) == url_template(recorded.replace(f"{GUID}&", f"{GUID}?"))
    status = wait_operation(arm, resp)
    assert status["status"] == "Succeeded"
    result = arm.follow(resp.headers["Location"])
    assert result.status == 200, result
    assert_covers(result.body, ex["responses"]["200"]["body"])
    assert result.body == {"value": [{
        "code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
        "message": "Enable succeeded: \n[stdout]\nhello\nvm1\n\n[stderr]\n"}]}
    # Compute also shows the output in the operation's status document.
    assert status["properties"] == {"output": result.body}


def test_only_shell_scripts_on_a_running_vm(arm, rg):
    make_vm(arm, rg)
    resp = call(arm, "POST", vm_path(rg, "vm1", "runCommand"), {"commandId": "RunPowerShellScript", "script": []})
    assert resp.status == 400 and resp.body["error"]["target"] == "commandId", resp
    resp = call(arm, "POST", vm_path(rg, "vm1", "runCommand"), {"script": ["true"]})
    assert resp.status == 400 and resp.body["error"]["message"] == "Required parameter 'commandId' is missing (null).", resp
    action(arm, rg, "vm1", "powerOff")
    resp = call(arm, "POST", vm_path(rg, "vm1", "runCommand"), {"commandId": "RunShellScript", "script": ["true"]})
    assert resp.status == 409, resp
    assert resp.body["error"] == {"code": "OperationNotAllowed",
                                  "message": "The operation requires the VM to be running (or set to run)."}


def test_user_data_comes_back_from_the_vm(arm, rg):
    text = "#cloud-config\npackages: [nginx]\n"
    body = vm_body([make_nic(arm, rg)])
    body["properties"]["osProfile"]["customData"] = base64.b64encode(text.encode()).decode()
    wait_operation(arm, call(arm, "PUT", vm_path(rg), body))
    resp = call(arm, "POST", vm_path(rg, "vm1", "runCommand"),
                {"commandId": "RunShellScript", "script": ["sudo cat /var/lib/cloud/instance/user-data.txt"]})
    wait_operation(arm, resp)
    assert arm.follow(resp.headers["Location"]).body["value"][0]["message"] == (
        f"Enable succeeded: \n[stdout]\n{text}\n[stderr]\n")


MACHINE = Machine(computer_name="myVM1", user_data="#cloud-config\n")


@pytest.mark.parametrize("script, stdout, stderr, status", [
    ("echo hello world", "hello world\n", "", 0),
    ("echo -n 'a  b'", "a  b", "", 0),
    ("echo oops >&2", "", "oops\n", 0),
    ("hostname; cat /etc/hostname", "myVM1\nmyVM1\n", "", 0),
    ("cloud-init status --wait", "status: done\n", "", 0),
    ("cat /var/lib/cloud/instance/user-data.txt", "#cloud-config\n", "", 0),
    ("echo before\nfalse", "before\n", "", 1),
    ("false\necho after", "after\n", "", 0),
    ("echo a\nexit 3\necho never", "a\n", "", 3),
    ("systemctl restart nginx  # runs nothing here", "", "", 0),
    ("echo 'unclosed", "", "sh: syntax error: echo 'unclosed\n", 2),
])
def test_what_azemu_answers_for_a_script(script, stdout, stderr, status):
    outcome = run(script, MACHINE)
    assert (outcome.stdout, outcome.stderr, outcome.status) == (stdout, stderr, status)


def test_no_user_data():
    outcome = run("cat /var/lib/cloud/instance/user-data.txt", Machine("vm"))
    assert (outcome.stdout, outcome.status) == ("", 1)
    assert "No such file or directory" in outcome.stderr


def test_status_format_and_truncation():
    [ok] = statuses(run("echo " + "x" * 5000, MACHINE))
    assert ok["code"] == "ProvisioningState/succeeded" and ok["level"] == "Info"
    assert ok["message"] == "Enable succeeded: \n[stdout]\n" + ("x" * 5000 + "\n")[-4096:] + "\n[stderr]\n"
    [failed] = statuses(run("echo out\necho err >&2\nexit 7", MACHINE))
    assert (failed["code"], failed["level"], failed["displayStatus"]) == (
        "ProvisioningState/failed/0", "Error", "Provisioning failed")
    assert failed["message"] == ("Enable failed: failed to execute command: command terminated with exit status=7\n"
                                 "[stdout]\nout\n\n[stderr]\nerr\n")
