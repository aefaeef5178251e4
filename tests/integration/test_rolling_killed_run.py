"""Two runs at once: the second is refused; a run killed mid-drain is finished by the next.

The fixtures and helpers are in rolling_setup.py."""

from __future__ import annotations

from rolling_setup import (LOCK_TAG, MARK_TAG, rollout, fact, summary, restarts, tags, pool_members, drain_rules,
                           assert_all_back, start_rollout, wait_until, terminate, reap)

RUN_FIRST = True     # long: started before the short files (root conftest.py)


def test_a_second_run_is_refused_and_a_killed_run_is_finished_by_the_next(
        run_playbook, scaled, sdk, make_lab, tmp_path):
    scaled.settings(pool_removal_flows="continue")
    lab = make_lab(3)
    # Without connection counts the drain waits its whole timeout: a long time to be killed in.
    first = start_rollout(run_playbook, lab, tmp_path / "first.json", rolling_maintenance_connection_counts="none",
                          rolling_maintenance_drain_timeout=600, rolling_maintenance_run_id="first-run",
                          rolling_maintenance_drain_method="probe")
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
        terminate(first)
    finally:
        reap(first)
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
