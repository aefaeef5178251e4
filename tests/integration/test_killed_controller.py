"""A controller killed while the VMs are being created (issue 11): a playbook of the vms role,
SIGKILLed once azemu has seen the first VM PUT (the role starts the VMs as async jobs), then run
again: it converges, and a third run writes nothing. The async jobs outlive the killed
ansible-playbook; nothing they started is lost or made twice (roles/vms/README.md, "A killed
run"). The network and load balancer the role needs are made with the SDK, so each run is the
role's own tasks only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from lb_setup import make_lb


def vms_playbook(path, group):
    play = {"name": "VMs", "hosts": "localhost", "gather_facts": False, "roles": [{"role": "cloudlb.azure.vms", "vars": {
        "vms_resource_group": group, "vms_count": 2, "vms_virtual_network": "vnet", "vms_subnet": "web",
        "vms_security_group": "nsg", "vms_load_balancer": "lb", "vms_backend_pool": "pool", "vms_size": "Standard_B1s",
        "vms_wait_delay": 1}}]}
    path.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    return path


def vm_puts(azemu, mark):
    return [r for r in azemu.requests(since=mark) if r["method"] == "PUT" and "/virtualmachines/" in r["path"].lower()]


def test_killed_while_vms_are_created_then_rerun(azemu, azure_env, run_playbook, sdk, lb_group, tmp_path):
    sdk.network.network_security_groups.begin_create_or_update(lb_group, "nsg", {"location": "eastus"}).result()
    make_lb(sdk, lb_group)
    playbook = vms_playbook(tmp_path / "vms.yml", lb_group)
    before = azemu.settings()
    azemu.settings(time_scale=30, vm_boot_seconds=60)
    try:
        mark = azemu.mark()
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(run_playbook.inventory), str(playbook)]
        proc = subprocess.Popen(command, env=dict(azure_env, ANSIBLE_STDOUT_CALLBACK="default"), cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None and not vm_puts(azemu, mark):
            time.sleep(0.2)
        assert proc.poll() is None, "the playbook ended before any VM was being created"
        os.killpg(proc.pid, signal.SIGKILL)     # ansible-playbook and its workers; async jobs live on
        proc.wait(timeout=30)
        killed_after = len(vm_puts(azemu, mark))

        run = run_playbook(playbook=playbook)
        assert run.ok, run.output()
        assert len(vm_puts(azemu, mark)) == 2, "each VM created once"
        mark = azemu.mark()
        third = run_playbook(playbook=playbook)
        assert third.ok, third.output()
        assert [(w["method"], w["path"]) for w in azemu.writes(since=mark)] == []
        # The third run finds both VMs there: it looks at their power state.
        looked = third.task("cloudlb.azure.vms : Wait until every virtual machine that was there before runs")
        running = sorted(vm["name"] for vm in looked["virtual_machines"] if vm["power_state"] == "running")
        assert running == ["myVM1", "myVM2"], running
        print(f"\n[kill] SIGKILL after {killed_after} VM PUT(s); re-run converged, each VM created once; third run 0 "
              "writes")
    finally:
        azemu.settings(time_scale=before["time_scale"], vm_boot_seconds=before["vm_boot_seconds"])
