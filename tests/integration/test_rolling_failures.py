"""A VM that fails its maintenance: the rollout stops and a re-run resumes (readd), or the VM stays out
of rotation and the summary says so (leave_out).

The fixtures and helpers are in rolling_setup.py."""

from __future__ import annotations

import json

import rolling_lab
from rolling_setup import (PLAYBOOK, LOCK_TAG, ROLLOUT_TAG, MARK_TAG, DONE_TAG, rollout_vars, rollout, summary,
                           restarts, tags, pool_members, drain_rules, assert_all_back, BREAK_MY_VM2, vm_inventory,
                           FAIL_MY_VM1)

RUN_FIRST = True     # long: started before the short files (root conftest.py)


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
