"""Rollouts in batches (six VMs, half at a time, maintained by run command) and the plan in check mode.

The fixtures and helpers are in rolling_setup.py."""

from __future__ import annotations

import json
import time

import loadgen
from rolling_setup import PLAYBOOK, LOCK_TAG, rollout_vars, rollout, fact, summary, restarts, tags, assert_all_back

RUN_FIRST = True     # long: started before the short files (root conftest.py)


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
