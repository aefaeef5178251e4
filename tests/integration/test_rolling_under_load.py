"""A rollout of three VMs one at a time under continuous load: no request dropped by the probe drain
(whether the load balancer resets or keeps the flows of a NIC leaving its pool), and what the pool
drain costs under reset.

The fixtures and helpers are in rolling_setup.py."""

from __future__ import annotations

import pytest
from rolling_setup import (ROLLOUT_TAG, summary, restarts, pool_removals, tags, assert_all_back,
                           lower_bound, three_vm_rollout, succeeded_results)

RUN_FIRST = True     # long: started before the short files (root conftest.py)


@pytest.mark.parametrize("flows", ["continue", "reset"])
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
