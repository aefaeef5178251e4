"""What the rolling maintenance tests share (the root conftest registers this module as a plugin,
so its fixtures need no import): azemu time-scaled, a lab of VMs serving the app behind the load
balancer (rolling_lab) in a fresh resource group per test, the rollout and what to read after it.

The tests are in several files (test_rolling_*.py) because each file runs on one pytest-xdist
worker (`--dist loadfile`): the long rollouts then spread over both workers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import loadgen
import pytest
import rolling_lab

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "rolling_maintenance.yml"
TIME_SCALE = 10
BOOT_SECONDS = 20           # emulated: 2 s of real time per boot
LOCK_TAG, ROLLOUT_TAG = "cloudlb-rolling-lock", "cloudlb-rolling-rollout"
MARK_TAG, DONE_TAG = "cloudlb-rolling-drained", "cloudlb-rolling-done"
DRAIN_RULE_PREFIX = "cloudlb-drain-"
# Generous timeouts: the machine may be loaded; a healthy run never waits them out.
BASE_VARS = {"rolling_maintenance_health_interval": 0.5, "rolling_maintenance_drain_timeout": 3,
             "rolling_maintenance_health_timeout": 90, "rolling_maintenance_gate_timeout": 90,
             "rolling_maintenance_maintenance_timeout": 180}


@pytest.fixture(scope="module")
def scaled(azemu):
    """azemu with probes and boots ten times faster; restored afterwards."""
    before = azemu.settings()
    azemu.settings(time_scale=TIME_SCALE, vm_boot_seconds=BOOT_SECONDS)
    yield azemu
    azemu.settings(**{key: before[key] for key in ("time_scale", "vm_boot_seconds", "pool_removal_flows")})


@pytest.fixture
def make_lab(scaled, sdk):
    groups = []

    def make(vms=3):
        group = f"rg-roll-{uuid.uuid4().hex[:8]}"
        groups.append(group)
        lab = rolling_lab.build(scaled, sdk, group, vms=vms)
        lab.wait_serving()
        return lab

    yield make
    for group in groups:
        sdk.resource.resource_groups.begin_delete(group).result()


def rollout_vars(lab, **changes):
    return {**BASE_VARS, "rolling_maintenance_resource_group": lab.group, **changes}


def rollout(run_playbook, lab, **changes):
    return run_playbook(playbook=PLAYBOOK, args=["-e", json.dumps(rollout_vars(lab, **changes))])


def fact(run, task, name):
    """A fact a task of the role set (task names carry the role's prefix)."""
    records = [r for r in run.records if r["name"].endswith(f" : {task}") and r["status"] == "ok"]
    assert records, f"no task {task!r} ran\n{run.output()}"
    return records[-1]["result"]["ansible_facts"][name]


def summary(run):
    return fact(run, "Sum up", "rolling_maintenance_summary")


def restarts(azemu, since):
    """VM name of each restart request, in order."""
    return [r["path"].rstrip("/").split("/")[-2] for r in azemu.requests(since=since)
            if r["kind"] == "arm" and r["method"] == "POST" and r["path"].lower().endswith("/restart")]


def pool_removals(azemu, since, lab):
    """When each NIC left the pool: the second of its four writes (mark, out, back, clear)."""
    writes = {}
    for request in azemu.requests(since=since):
        if request["kind"] == "arm" and request["method"] == "PUT" and "/networkInterfaces/" in request["path"]:
            writes.setdefault(request["path"].rsplit("/", 1)[-1], []).append(request["time"])
    return [times[1] for nic, times in sorted(writes.items()) if nic in lab.nics.values()]


def tags(sdk, lab):
    """(load balancer tags, {nic: tags}) as Azure has them now."""
    lb = sdk.network.load_balancers.get(lab.group, rolling_lab.LB)
    nics = {vm: dict(sdk.network.network_interfaces.get(lab.group, nic).tags or {}) for vm, nic in lab.nics.items()}
    return dict(lb.tags or {}), nics


def pool_members(sdk, lab):
    pool = sdk.network.load_balancer_backend_address_pools.get(lab.group, rolling_lab.LB, rolling_lab.POOL)
    return sorted(ref.id.split("/networkInterfaces/")[1].split("/")[0] for ref in pool.backend_ip_configurations or [])


def drain_rules(sdk, lab):
    """Names of the rules keeping a health probe off a VM in the lab's NSG now."""
    nsg = sdk.network.network_security_groups.get(lab.group, rolling_lab.NSG)
    return sorted(r.name for r in nsg.security_rules or [] if r.name.startswith(DRAIN_RULE_PREFIX))


def assert_all_back(sdk, lab):
    """Every VM in the pool, probed up, no drain mark, no drain rule, no lock."""
    lb_tags, nic_tags = tags(sdk, lab)
    assert LOCK_TAG not in lb_tags, lb_tags
    assert all(MARK_TAG not in t for t in nic_tags.values()), nic_tags
    assert drain_rules(sdk, lab) == []
    assert pool_members(sdk, lab) == sorted(lab.nics.values())
    assert lab.serving() == sorted(lab.vms)


def lower_bound(lab, vm_results, drain_method="probe"):
    """The least a rollout can take: per VM, the probe seeing it down when the drain denies it
    (probeThreshold consecutive failures), the drain of its established connections, its reboot,
    and the probe seeing it up again (probeThreshold consecutive successes)."""
    probe = lab.probe_threshold * lab.probe_interval / TIME_SCALE
    boot = BOOT_SECONDS / TIME_SCALE
    drain = BASE_VARS["rolling_maintenance_drain_timeout"]
    down = probe if drain_method == "probe" else 0
    return sum(down + (drain if r.get("connections_left_at_drain_timeout") else 0) + boot + probe for r in vm_results)


def three_vm_rollout(run_playbook, scaled, make_lab, flows, **changes):
    """A 3-VM rollout, one at a time, under load; returns (lab, mark, run, load, serving, wall)."""
    scaled.settings(pool_removal_flows=flows)
    lab = make_lab(3)
    address, port = lab.frontend()
    mark = scaled.mark()
    with loadgen.Sampler(lambda: len(lab.serving())) as serving, loadgen.Load(address, port, duration=900) as load:
        time.sleep(1)
        started = time.monotonic()
        run = rollout(run_playbook, lab, rolling_maintenance_serial=1, **changes)
        wall = time.monotonic() - started
        time.sleep(1)
    return lab, mark, run, load, serving, wall


def succeeded_results(run):
    return [r["result"]["ansible_facts"]["rolling_maintenance_result"]
            for r in run.records if r["name"].endswith(" : Record that the VM succeeded")]


BREAK_MY_VM2 = """
- name: Break myVM2's app, as a bad upgrade would (its probe is dropped from now on)
  cloudlb.azure.security_group:
    resource_group: "{{ rolling_maintenance_resource_group }}"
    name: myNetworkSecurityGroup
    rules:
      - name: broken-myVM2
        priority: 100
        direction: Inbound
        access: Deny
        protocol: Tcp
        source_address_prefixes: ["*"]
        destination_address_prefixes: [10.0.0.5/32]
        destination_port_ranges: ["80"]
  when: inventory_hostname == 'myVM2'
"""


def vm_inventory(tmp_path, lab):
    """The lab's VMs through the cloudlb.azure.vms inventory plugin, "reached" over a local
    connection: a tasks file then runs on each VM as it would over SSH."""
    path = tmp_path / "lab.azure_vms.yml"
    path.write_text(json.dumps({
        "plugin": "cloudlb.azure.vms", "resource_groups": [lab.group], "ansible_host": "none",
        "compose": {"ansible_connection": "'local'", "ansible_python_interpreter": repr(sys.executable)}}),
        encoding="utf-8")
    return path


FAIL_MY_VM1 = """
- name: Fail on myVM1, as a broken package upgrade would
  ansible.builtin.fail:
    msg: upgrade failed on purpose
  when: inventory_hostname == 'myVM1'
"""


def start_rollout(run_playbook, lab, results, **changes):
    """ansible-playbook in the background, as AWX runs it."""
    env = dict(run_playbook.env, CLOUDLB_TEST_RESULTS=str(results))
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(run_playbook.inventory),
               str(PLAYBOOK), "-e", json.dumps(rollout_vars(lab, **changes))]
    # Its own process group, so that the test can clean up whatever outlives the kill.
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def terminate(run):
    """Kill a background run as AWX's cancel does (SIGTERM: no rescue, no always), after two
    seconds for what it is doing to go on; then `reap` it."""
    try:
        time.sleep(2)
        run.send_signal(signal.SIGTERM)
        run.wait(60)
    finally:
        reap(run)


def reap(run):
    """Whatever of a background run (its own process group) is still alive, killed."""
    if run.poll() is None:
        run.kill()
    try:
        os.killpg(run.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)
