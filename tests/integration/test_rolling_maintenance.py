"""playbooks/rolling_maintenance.yml (role cloudlb.azure.rolling_maintenance) end to end on
azemu, time-scaled, with its data plane serving the app and a bounded loopback load generator
hitting the load balancer throughout.

Each test builds its own pool of VMs (rolling_lab) in a fresh resource group and depends on no
other, so each has an xdist group of its own: `make pytest` spreads them over both workers.
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


def alone(name):
    """The test's own xdist group (see the root conftest.py)."""
    return pytest.mark.xdist_group(f"rolling maintenance: {name}")


@pytest.mark.parametrize("flows", [pytest.param(flows, marks=alone(f"3 VMs, {flows}")) for flows in ("continue", "reset")])
def test_three_vms_one_at_a_time_under_load_drop_no_request(run_playbook, scaled, sdk, make_lab, flows,
                                                            record_property):
    lab, mark, run, load, serving, wall = three_vm_rollout(run_playbook, scaled, make_lab, flows)
    assert run.ok, run.output()
    report = load.report()
    # The probe drain (the default) takes a VM out of the pool only once its connections ended:
    # whether the load balancer resets the flows of a NIC leaving the pool makes no difference.
    assert load.failures() == {}, report
    assert all(tally.ok > 100 for tally in load.tallies.values()), report
    # Each VM's probe was denied by its own rule, in the NSG, before it left the pool.
    puts = [r["path"].rsplit("/", 1)[-1] for r in scaled.writes(since=mark)
            if r["method"] == "PUT" and "/securityRules/" in r["path"]]
    assert puts == ["cloudlb-drain-myNic1", "cloudlb-drain-myNic2", "cloudlb-drain-myNic3"], puts
    # New connections spread over the VMs; the keep-alive client stays where its connection is.
    assert len(load.tallies["NewConnectionClient"].hosts) == 3, report
    # Each VM rebooted exactly once, one after the other, and all came back.
    assert restarts(scaled, mark) == ["myVM1", "myVM2", "myVM3"]
    result = summary(run)
    assert result["running_status"]["code"] == "Completed"
    assert result["progress"] == {"successful_instance_count": 3, "failed_instance_count": 0,
                                  "in_progress_instance_count": 0, "pending_instance_count": 0}
    assert [(v["name"], v["status"], v["in_pool"], v["health"]) for v in result["virtual_machines"]] == [
        (vm, "succeeded", True, "Up (Up_Probe_Success)") for vm in lab.vms]
    assert_all_back(sdk, lab)
    # Never fewer than two VMs served while one was out.
    counts = [value for _at, value in serving.values]
    assert counts and min(counts) >= 2, counts
    assert ROLLOUT_TAG not in tags(sdk, lab)[0]
    bound = lower_bound(lab, succeeded_results(run))
    record_property("rollout_seconds", round(wall, 1))
    record_property("lower_bound_seconds", round(bound, 1))
    print(f"\n3-VM rollout ({flows}): {wall:.1f} s for a lower bound of {bound:.1f} s, ratio {wall / bound:.1f}; "
          f"out of pool: {[v.get('out_of_pool_seconds') for v in result['virtual_machines']]}; load: {report}")


@alone("pool drain")
def test_the_pool_drain_under_reset_fails_requests_only_at_a_pool_removal(run_playbook, scaled, sdk, make_lab):
    """Why the probe drain is the default: with drain_method pool, a load balancer that resets
    the flows of a NIC leaving the pool cuts a request in flight to that VM at that instant
    (whether one is in flight then is chance: the test allows none), and only a client that
    retries recovers. Whatever fails must fail at a removal, and nothing else may."""
    lab, mark, run, load, _serving, wall = three_vm_rollout(run_playbook, scaled, make_lab, "reset",
                                                            rolling_maintenance_drain_method="pool")
    assert run.ok, run.output()
    report = load.report()
    # No other request may fail: no new connection ever reaches a VM that is out or rebooting.
    assert load.tallies["KeepAliveClient"].failures == [], report
    removals = pool_removals(scaled, mark, lab)
    assert len(removals) == 3
    cut = load.tallies["NewConnectionClient"].failures
    assert all(any(t - 2.0 <= f.wall <= t + 2.0 for t in removals) for f in cut), (removals, report)
    assert len(cut) <= 3, report
    assert [r["method"] for r in scaled.writes(since=mark) if "/securityRules/" in r["path"]] == []
    assert_all_back(sdk, lab)
    bound = lower_bound(lab, succeeded_results(run), "pool")
    print(f"\n3-VM rollout (reset, drain_method pool): {wall:.1f} s for a lower bound of {bound:.1f} s, ratio "
          f"{wall / bound:.1f}; cut requests: {len(cut)}; load: {report}")


@alone("6 VMs")
def test_six_vms_half_at_a_time_keep_three_serving(run_playbook, scaled, sdk, make_lab):
    scaled.settings(pool_removal_flows="continue")
    lab = make_lab(6)
    address, port = lab.frontend()
    mark = scaled.mark()
    with loadgen.Sampler(lambda: len(lab.serving())) as serving, loadgen.Load(address, port, duration=900) as load:
        time.sleep(1)
        # Maintenance by a script through Azure's run command, then a reboot.
        run = rollout(run_playbook, lab, rolling_maintenance_serial="50%", rolling_maintenance_min_healthy=3,
                      rolling_maintenance_action="run_command", rolling_maintenance_reboot_after=True,
                      rolling_maintenance_script="echo patched\nhostname")
        time.sleep(1)
    assert run.ok, run.output()
    assert load.failures() == {}, load.report()
    assert sorted(restarts(scaled, mark)) == sorted(lab.vms)
    scripts = [r["path"].split("/")[-2] for r in scaled.requests(since=mark)
               if r["kind"] == "arm" and r["method"] == "POST" and r["path"].endswith("/runCommand")]
    assert sorted(scripts) == sorted(lab.vms)
    result = summary(run)
    assert result["progress"]["successful_instance_count"] == 6 and result["running_status"]["code"] == "Completed"
    # Two batches of three: the second began after the first was back.
    batch_hosts = [r["host"] for r in run.records if r["name"].endswith(" : Take the drained VM out of the pool")]
    assert sorted(batch_hosts[:3]) == ["myVM1", "myVM2", "myVM3"] and sorted(batch_hosts[3:]) == [
        "myVM4", "myVM5", "myVM6"], batch_hosts
    counts = [value for _at, value in serving.values]
    assert min(counts) >= 3, counts
    assert min(counts) == 3, "a batch of three was never out at once"
    assert_all_back(sdk, lab)


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


@alone("never back")
def test_a_vm_that_never_comes_back_stops_the_rollout_and_a_rerun_resumes(
        run_playbook, scaled, sdk, make_lab, tmp_path):
    scaled.settings(pool_removal_flows="continue")
    lab = make_lab(3)
    tasks_file = tmp_path / "break.yml"
    tasks_file.write_text(BREAK_MY_VM2, encoding="utf-8")
    options = dict(rolling_maintenance_action="tasks", rolling_maintenance_tasks_file=str(tasks_file),
                   rolling_maintenance_reboot_after=True, rolling_maintenance_health_timeout=8)
    mark = scaled.mark()
    run = run_playbook(playbook=PLAYBOOK, args=["-i", str(vm_inventory(tmp_path, lab)),
                                                "-e", json.dumps(rollout_vars(lab, **options))])
    assert not run.ok
    result = summary(run)
    assert result["progress"] == {"successful_instance_count": 1, "failed_instance_count": 1,
                                  "in_progress_instance_count": 0, "pending_instance_count": 1}
    by_name = {v["name"]: v for v in result["virtual_machines"]}
    assert by_name["myVM1"]["status"] == "succeeded"
    failed = by_name["myVM2"]
    assert failed["status"] == "failed" and failed["step"] == "Wait until the load balancer sees the VM healthy"
    assert failed["in_pool"] and failed["health"].startswith("Down (Down_Probe_")   # readd: back, probe keeps it off
    assert failed["marked"].endswith(", maintained")
    assert by_name["myVM3"]["status"] == "pending" and by_name["myVM3"]["health"] == "Up (Up_Probe_Success)"
    message = run.task("cloudlb.azure.rolling_maintenance : Fail the run unless every VM was maintained")["msg"]
    assert "The rollout stopped: 1 VM(s) failed, more than max_failed allows (0)" in message
    assert "myVM2: failed; in pool, Down (Down_Probe_" in message and "myVM3: pending; in pool, Up" in message
    # The others were left alone and serve; the stopped rollout released its lock.
    assert restarts(scaled, mark) == ["myVM1", "myVM2"]
    assert lab.serving() == ["myVM1", "myVM3"]
    lb_tags, nic_tags = tags(sdk, lab)
    assert LOCK_TAG not in lb_tags and ROLLOUT_TAG in lb_tags
    assert MARK_TAG in nic_tags["myVM2"] and nic_tags["myVM1"][DONE_TAG] == lb_tags[ROLLOUT_TAG].split(";")[0][3:]
    # Put back on failure (readd): its drain rule is gone, only its broken app keeps the probe off it.
    assert drain_rules(sdk, lab) == []

    # Fix it, run again: myVM2 is put back and counted done, then only myVM3 is maintained.
    sdk.network.security_rules.begin_delete(lab.group, rolling_lab.NSG, "broken-myVM2").result()
    mark = scaled.mark()
    run = rollout(run_playbook, lab, rolling_maintenance_action="reboot")
    assert run.ok, run.output()
    assert restarts(scaled, mark) == ["myVM3"]
    result = summary(run)
    assert [(v["name"], v["status"], v["run"]) for v in result["virtual_machines"]] == [
        ("myVM1", "succeeded", "earlier"), ("myVM2", "succeeded", "earlier"), ("myVM3", "succeeded", "this")]
    assert_all_back(sdk, lab)
    assert ROLLOUT_TAG not in tags(sdk, lab)[0]


FAIL_MY_VM1 = """
- name: Fail on myVM1, as a broken package upgrade would
  ansible.builtin.fail:
    msg: upgrade failed on purpose
  when: inventory_hostname == 'myVM1'
"""


@alone("leave out")
def test_on_failure_leave_out_keeps_the_failed_vm_out_of_rotation_and_says_so(
        run_playbook, scaled, sdk, make_lab, tmp_path):
    scaled.settings(pool_removal_flows="continue")
    lab = make_lab(3)
    tasks_file = tmp_path / "fail.yml"
    tasks_file.write_text(FAIL_MY_VM1, encoding="utf-8")
    options = dict(rolling_maintenance_action="tasks", rolling_maintenance_tasks_file=str(tasks_file),
                   rolling_maintenance_on_failure="leave_out")
    mark = scaled.mark()
    run = run_playbook(playbook=PLAYBOOK, args=["-i", str(vm_inventory(tmp_path, lab)),
                                                "-e", json.dumps(rollout_vars(lab, **options))])
    assert not run.ok
    result = summary(run)
    assert result["progress"] == {"successful_instance_count": 0, "failed_instance_count": 1,
                                  "in_progress_instance_count": 0, "pending_instance_count": 2}
    failed = result["virtual_machines"][0]
    assert (failed["name"], failed["status"], failed["msg"]) == ("myVM1", "failed", "upgrade failed on purpose")
    assert "Fail on myVM1" in failed["step"], failed
    # Left out: not in the pool, its drain mark and the rule keeping the probe off it both stay,
    # and the summary names the rule.
    assert failed["in_pool"] is False and failed["marked"].endswith(", drained"), failed
    assert failed["drain_rule_left"] == "cloudlb-drain-myNic1"
    assert drain_rules(sdk, lab) == ["cloudlb-drain-myNic1"]
    assert pool_members(sdk, lab) == ["myNic2", "myNic3"]
    message = run.task("cloudlb.azure.rolling_maintenance : Fail the run unless every VM was maintained")["msg"]
    assert "myVM1: failed; OUT OF POOL" in message and "NSG rule cloudlb-drain-myNic1" in message, message
    # Nothing was rebooted, the others serve untouched, and the stopped rollout released its lock.
    assert restarts(scaled, mark) == []
    assert lab.serving() == ["myVM2", "myVM3"]
    lb_tags, nic_tags = tags(sdk, lab)
    assert LOCK_TAG not in lb_tags and MARK_TAG in nic_tags["myVM1"]
    assert all(MARK_TAG not in nic_tags[vm] for vm in ("myVM2", "myVM3"))


def start_rollout(run_playbook, lab, results, **changes):
    """ansible-playbook in the background, as AWX runs it."""
    env = dict(run_playbook.env, CLOUDLB_TEST_RESULTS=str(results))
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(run_playbook.inventory),
               str(PLAYBOOK), "-e", json.dumps(rollout_vars(lab, **changes))]
    # Its own process group, so that the test can clean up whatever outlives the kill.
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def wait_until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


@alone("killed run")
def test_a_second_run_is_refused_and_a_killed_run_is_finished_by_the_next(
        run_playbook, scaled, sdk, make_lab, tmp_path):
    scaled.settings(pool_removal_flows="continue")
    lab = make_lab(3)
    # Without connection counts the drain waits its whole timeout: a long time to be killed in.
    first = start_rollout(run_playbook, lab, tmp_path / "first.json", rolling_maintenance_connection_counts="none",
                          rolling_maintenance_drain_timeout=600, rolling_maintenance_run_id="first-run")
    try:
        wait_until(lambda: LOCK_TAG in tags(sdk, lab)[0], 300, "the first run to take the lock")
        # A second run while the first holds the lock: refused, and it says by whom and what to do.
        second = rollout(run_playbook, lab, rolling_maintenance_run_id="second-run")
        assert not second.ok
        refusal = second.task("cloudlb.azure.rolling_maintenance : Refuse to run while another rolling maintenance "
                              "holds the load balancer")["msg"]
        assert refusal.startswith("Load balancer myLoadBalancer: another rolling maintenance (run first-run) holds "
                                  "the lock of this load balancer for ")
        assert "rolling_maintenance_break_lock=first-run" in refusal
        assert not [r for r in second.records if "out of the pool" in r["name"]]

        # Kill the first run mid-drain, as AWX's cancel does: SIGTERM, no rescue, no always.
        wait_until(lambda: lab.serving() == ["myVM2", "myVM3"], 300, "myVM1's probe to be denied")
        time.sleep(2)
        first.send_signal(signal.SIGTERM)
        first.wait(60)
    finally:
        if first.poll() is None:
            first.kill()
        try:
            os.killpg(first.pid, signal.SIGKILL)     # workers of the killed run, if any are left
        except ProcessLookupError:
            pass
    lb_tags, nic_tags = tags(sdk, lab)
    assert "run=first-run" in lb_tags[LOCK_TAG] and "phase=drained" in nic_tags["myVM1"][MARK_TAG]
    # Killed while waiting for its connections to end: still in the pool, its probe denied.
    assert drain_rules(sdk, lab) == ["cloudlb-drain-myNic1"]
    assert "myNic1" in pool_members(sdk, lab) and lab.serving() == ["myVM2", "myVM3"]

    # The next run takes the dead run's lock over, puts myVM1 back first, then finishes the rollout.
    mark = scaled.mark()
    run = rollout(run_playbook, lab, rolling_maintenance_break_lock="first-run", rolling_maintenance_run_id="third-run")
    assert run.ok, run.output()
    assert restarts(scaled, mark) == ["myVM1", "myVM2", "myVM3"]
    plan = fact(run, "Plan the rollout", "rolling_maintenance_plan")
    assert plan["reconcile"] == ["myVM1"] and plan["rollout"] == "first-run" and plan["done"] == []
    assert plan["members"][0]["drain_rule"]["leftover"] is True
    # The reconcile deleted the leftover rule before the first batch took myVM1 out again.
    deletes = [r["time"] for r in scaled.writes(since=mark)
               if r["method"] == "DELETE" and r["path"].endswith("/securityRules/cloudlb-drain-myNic1")]
    assert deletes and deletes[0] < min(r["time"] for r in scaled.writes(since=mark)
                                        if r["method"] == "POST" and r["path"].endswith("/restart"))
    result = summary(run)
    assert result["running_status"]["code"] == "Completed" and result["progress"]["successful_instance_count"] == 3
    assert_all_back(sdk, lab)


@alone("check mode")
def test_check_mode_shows_the_plan_and_touches_nothing(run_playbook, scaled, sdk, make_lab):
    lab = make_lab(3)
    mark = scaled.mark()
    run = run_playbook(playbook=PLAYBOOK, check=True, args=["-e", json.dumps(rollout_vars(
        lab, rolling_maintenance_serial=[1, "50%"]))])
    assert run.ok, run.output()
    plan = fact(run, "Plan the rollout", "rolling_maintenance_plan")
    assert plan["batches"] == [["myVM1"], ["myVM2"], ["myVM3"]] and plan["problems"] == []
    assert [r for r in scaled.writes(since=mark) if r["method"] != "POST"] == []   # the health query is a POST
    assert tags(sdk, lab)[0] == {}

    # A plan that cannot keep min_healthy is refused before any VM is touched, and the lock is released.
    run = rollout(run_playbook, lab, rolling_maintenance_min_healthy=3)
    assert not run.ok
    assert "The rollout cannot start: serial [1] makes a batch of 1 of the 3 members, leaving 2 when 3 must stay " \
           "healthy" in run.output()
    assert restarts(scaled, mark) == [] and LOCK_TAG not in tags(sdk, lab)[0]
