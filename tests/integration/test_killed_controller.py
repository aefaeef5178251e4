"""A controller killed while the VMs are being created: site.yml SIGKILLed once azemu has seen
the first VM PUT (the vms role starts them as async jobs), then run again: it converges, and a
third run writes nothing. The async jobs outlive the killed ansible-playbook; nothing they
started is lost or made twice (docs: roles/vms/README.md, "A killed run")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_site_killed_while_vms_are_created_then_rerun(azemu, azure_env, run_playbook, sdk, tmp_path):
    group = f"rg-kill-{uuid.uuid4().hex[:8]}"
    extra = json.dumps({"resource_group": group, "health_wait_interval": 0.5, "health_wait_timeout": 180,
                        "vms_wait_delay": 1})
    before = azemu.settings()
    azemu.settings(time_scale=30, vm_boot_seconds=60)
    try:
        mark = azemu.mark()
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
                   str(REPO_ROOT / "site.yml"), "-e", extra]
        env = dict(azure_env, ANSIBLE_STDOUT_CALLBACK="default")
        proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if any(r["method"] == "PUT" and "/virtualmachines/" in r["path"].lower() for r in azemu.requests(since=mark)):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "site.yml ended before any VM was being created"
        os.killpg(proc.pid, signal.SIGKILL)     # ansible-playbook and its workers; async jobs live on
        proc.wait(timeout=30)
        vm_puts = [r for r in azemu.requests(since=mark) if r["method"] == "PUT" and "/virtualmachines/" in r["path"].lower()]

        run = run_playbook(playbook=REPO_ROOT / "site.yml", args=("-e", extra))
        assert run.ok, run.output()
        mark = azemu.mark()
        third = run_playbook(playbook=REPO_ROOT / "site.yml", args=("-e", extra))
        assert third.ok, third.output()
        assert [(w["method"], w["path"]) for w in azemu.writes(since=mark)] == []
        print(f"\n[kill] SIGKILL after {len(vm_puts)} VM PUT(s); re-run converged; third run 0 writes")
    finally:
        azemu.settings(time_scale=before["time_scale"], vm_boot_seconds=before["vm_boot_seconds"])
        if sdk.resource.resource_groups.check_existence(group):
            sdk.resource.resource_groups.begin_delete(group)
