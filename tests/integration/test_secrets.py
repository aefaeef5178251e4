"""Secrets stay secret: every secret option of the collection (auth's ``secret``, the VM's
``admin_password`` and ``custom_data``; SSH keys are public) through modules that succeed and
fail, at ``-vvv --diff``, and never in stdout, stderr, the JSON results or azemu's request log
(paths and query strings). And an ad-hoc ``ansible`` task that fails prints its arguments with
the secret options masked (plugins/plugin_utils/secret_masking.py), in each failure path: argument spec,
module, Azure error, timeout."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from compute_setup import SSH_KEY

VENV_BIN = Path(sys.executable).parent

OUTPUTS = ("stdout", "stderr", "results", "request log")


def scan(run, azemu, mark, secrets):
    """Which (secret, output) pairs leak; every output is checked for every secret."""
    log = json.dumps([(r["path"], r.get("query")) for r in azemu.requests(since=mark)])
    texts = {"stdout": run.stdout, "stderr": run.stderr, "results": json.dumps(run.document), "request log": log}
    return [(secret, name) for secret in secrets for name, text in texts.items() if secret in text]


def test_no_secret_in_any_output(run_playbook, azemu, azure_env, vm_group):
    secret = azure_env["AZURE_SECRET"]
    password = f"Pw-{uuid.uuid4().hex[:10]}-Aa1!"
    custom = f"#cloud-config\n# marker {uuid.uuid4().hex}\n"
    vm = {"resource_group": vm_group, "name": "vmsecret", "network_interfaces": ["nic3"], "size": "Standard_B1s",
          "admin_username": "azureuser", "ssh_public_keys": [SSH_KEY], "admin_password": password,
          "custom_data": custom, "secret": secret}
    tasks = [
        {"name": "group", "cloudlb.azure.resource_group_info": {"name": vm_group, "secret": secret}},
        {"name": "vm", "cloudlb.azure.virtual_machine": vm},
        {"name": "vm again", "cloudlb.azure.virtual_machine": vm},
        {"name": "refused", "ignore_errors": True, "cloudlb.azure.virtual_machine": dict(vm, custom_data=custom + "#2")},
        {"name": "bad option", "ignore_errors": True, "cloudlb.azure.virtual_machine": dict(vm, size="Nope_Z9")},
        {"name": "azure error", "ignore_errors": True,
         "cloudlb.azure.public_ip": {"resource_group": vm_group, "name": "x", "location": "westus",
                                     "secret": secret + "-wrong"}},
    ]
    mark = azemu.mark()
    run = run_playbook(tasks, diff=True, args=("-vvv",))
    assert run.task("vm")["changed"] and not run.task("vm again")["changed"], run.output()
    assert run.record("refused")["status"] == run.record("azure error")["status"] == "failed", run.output()
    leaks = scan(run, azemu, mark, [secret, secret + "-wrong", password, custom.splitlines()[1]])
    print(f"\n[secrets] playbook at -vvv --diff: 4 secrets x {len(OUTPUTS)} outputs scanned, leaks: {leaks}")
    assert leaks == []
    assert "vmsecret" in json.dumps(run.document) and "ansible-playbook" in run.stdout   # the scans saw the runs


def adhoc(azure_env, module, args, *extra):
    command = [str(VENV_BIN / "ansible"), "localhost", "-m", f"cloudlb.azure.{module}", "-a", json.dumps(args), *extra]
    env = dict(azure_env, ANSIBLE_STDOUT_CALLBACK="default")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_failed_adhoc_task_prints_no_secret(azure_env, azemu, vm_group):
    secret = azure_env["AZURE_SECRET"]
    # path: (module, arguments, words the failure shows); the secrets come first, where the
    # 120 characters of the printed origin show them.
    paths = {
        "argument spec": ("resource_group", {"secret": secret, "name": "x", "bogus": 1}, "Unsupported parameters"),
        "module": ("virtual_machine", {"secret": secret, "admin_password": "Pw-adhoc-9Zz!", "custom_data": "adhoc-cd",
                                       "resource_group": vm_group, "name": "-bad-"}, "the VM name '-bad-'"),
        "Azure error": ("public_ip", {"secret": secret + "-wrong", "resource_group": vm_group, "name": "y",
                                      "location": "westus"}, "(AADSTS7000215) Authentication failed"),
        "timeout": ("lb_health_info", {"secret": secret, "resource_group": vm_group, "load_balancer": "slow-lb"},
                    "Timed out after 1 second"),
    }
    masked = []
    for path, (module, args, words) in paths.items():
        extra = ("-e", "ansible_timeout=1", "--task-timeout", "1") if path == "timeout" else ()
        # The timeout is azemu's: its read of slow-lb waits 10 s (a warm token cache makes the
        # module itself finish within the second).
        azemu.faults([{"delay": 10, "path": "*/loadBalancers/slow-lb*"}] if path == "timeout" else [])
        try:
            proc = adhoc(azure_env, module, args, *extra)
        finally:
            azemu.faults([])
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0 and words in output, (path, output)
        if "Origin: <adhoc" in output:       # the task's data is shown: masked
            assert "'secret': '********'" in output, (path, output)
            masked.append(path)
        for value in ("secret", "admin_password", "custom_data"):
            if value in args:
                assert args[value] not in output, (path, value, output)
    print(f"\n[secrets] ad-hoc failures: {len(paths)} paths ({', '.join(paths)}), no secret printed; the task's"
          f" data shown masked in: {', '.join(masked)}")
    assert "argument spec" in masked and "timeout" in masked, masked
