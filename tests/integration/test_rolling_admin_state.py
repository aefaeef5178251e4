"""Rolling maintenance with the load balancer's admin state (drain_method auto on a Standard load
balancer), under continuous load (new-connection and keep-alive clients), on a NIC-based and an
IP-based pool: no request fails; the NSG method's rollout on the same lab follows, for the time
against it. A run killed mid-drain leaves its VM Down, and the next run's reconcile puts it back;
that run pauses between batches as rolling_maintenance_pause_between_batches says.

The fixtures and helpers are in rolling_setup.py; the IP-based pool in drain_setup.py."""

from __future__ import annotations

import time

import drain_setup
import loadgen
import pytest
import rolling_lab
from lb_setup import task
from rolling_setup import (MARK_TAG, LOCK_TAG, rollout, fact, summary, restarts, tags, start_rollout, wait_until,
                           drain_rules, terminate, reap)

RUN_FIRST = True     # long: started before the short files (root conftest.py)
POOL_TYPE = "Microsoft.Network/loadBalancers/backendAddressPools"


def timed_rollout(run_playbook, scaled, lab, **changes):
    """A rollout one VM at a time under load: (run, load, wall seconds, azemu's mark before it)."""
    address, port = lab.frontend()
    mark = scaled.mark()
    with loadgen.Load(address, port, duration=900) as load:
        time.sleep(1)
        started = time.monotonic()
        run = rollout(run_playbook, lab, rolling_maintenance_serial=1, **changes)
        wall = time.monotonic() - started
        time.sleep(1)
    return run, load, wall, mark


def assert_done(run, lab, load):
    assert run.ok, run.output()
    assert load.failures() == {}, load.report()
    assert all(tally.ok > 100 for tally in load.tallies.values()), load.report()
    result = summary(run)
    assert result["running_status"]["code"] == "Completed"
    assert [(v["name"], v["status"], v["in_pool"], v["health"]) for v in result["virtual_machines"]] == [
        (vm, "succeeded", True, "Up (Up_Probe_Success)") for vm in lab.vms], result["lines"]
    assert lab.serving() == sorted(lab.vms)


def admin_states(lab):
    return sorted(b["admin_states"].get(lab.pool_id.lower(), "None") for b in lab.dataplane()["backends"]
                  if b["vm"] in lab.vms)


@pytest.mark.parametrize("kind", ["nic", "ip"])
def test_admin_state_drops_nothing_under_load_on_either_pool_kind(run_playbook, scaled, sdk, make_lab, kind):
    scaled.settings(pool_removal_flows="reset")
    lab = make_lab(3)
    if kind == "ip":
        drain_setup.make_ip_based(sdk, lab)
    run, load, wall, mark = timed_rollout(run_playbook, scaled, lab)
    writes = scaled.writes(since=mark)
    assert_done(run, lab, load)
    assert fact(run, "Keep the run's state for the batches and the summary",
                "rolling_maintenance_state")["drain_method"] == "admin_state"
    # Each VM went Down and back by writes of the pool; nothing of the NSG, the VMs never left it.
    assert [w["type"] for w in writes if "/securityRules/" in w["path"]] == []
    assert len([w for w in writes if w["type"] == POOL_TYPE]) == 6, [(w["method"], w["path"]) for w in writes]
    assert restarts(scaled, mark) == lab.vms
    assert admin_states(lab) == ["None"] * 3
    assert all(MARK_TAG not in t for t in tags(sdk, lab)[1].values())
    # The NSG method on the same lab, for the time against it.
    nsg_run, nsg_load, nsg_wall, _mark = timed_rollout(run_playbook, scaled, lab, rolling_maintenance_resume=False,
                                                       rolling_maintenance_drain_method="probe")
    assert_done(nsg_run, lab, nsg_load)
    assert drain_rules(sdk, lab) == []
    print(f"\n3-VM rollout under load, {kind}-based pool: admin_state {wall:.1f} s, probe (NSG) {nsg_wall:.1f} s; "
          f"load: {load.report()} / {nsg_load.report()}")


def test_a_run_killed_mid_drain_leaves_its_vm_down_and_the_next_puts_it_back(
        run_playbook, scaled, sdk, make_lab, tmp_path):
    scaled.settings(pool_removal_flows="continue")
    lab = make_lab(3)
    drain_setup.make_ip_based(sdk, lab)
    first = start_rollout(run_playbook, lab, tmp_path / "first.json", rolling_maintenance_connection_counts="none",
                          rolling_maintenance_drain_timeout=600, rolling_maintenance_run_id="first-run")
    try:
        wait_until(lambda: drain_setup.entries(sdk, lab)["myVM1"].get("adminState") == "Down", 300,
                   "myVM1's admin state to be Down")
        terminate(first)
    finally:
        reap(first)
    lb_tags, nic_tags = tags(sdk, lab)
    assert "run=first-run" in lb_tags[LOCK_TAG] and "method=admin_state" in nic_tags["myVM1"][MARK_TAG]
    assert lab.serving() == sorted(lab.vms)          # its probe passes: only the admin state keeps it out
    health = run_playbook([task("lb_health_info", "health", resource_group=lab.group, load_balancer=rolling_lab.LB)])
    assert drain_setup.reasons(health.task("health"))["myVM1"] == "Down_Admin", health.output()

    # The next run takes the dead run's lock over, puts myVM1 back (admin state None) first, then
    # finishes the rollout, pausing before each batch but the first.
    mark = scaled.mark()
    run = rollout(run_playbook, lab, rolling_maintenance_break_lock="first-run", rolling_maintenance_run_id="third-run",
                  rolling_maintenance_pause_between_batches=3)
    assert run.ok, run.output()
    plan = fact(run, "Plan the rollout", "rolling_maintenance_plan")
    assert plan["reconcile"] == ["myVM1"] and plan["rollout"] == "first-run"
    assert restarts(scaled, mark) == ["myVM1", "myVM2", "myVM3"]
    assert admin_states(lab) == ["None"] * 3 and all(MARK_TAG not in t for t in tags(sdk, lab)[1].values())
    assert summary(run)["running_status"]["code"] == "Completed"
    ends = [r["ended"] for r in run.records if r["name"].endswith(" : Wait until the load balancer sees the VM healthy")]
    starts = [r["started"] for r in run.records if r["name"].endswith(" : Drain the VM")]
    gaps = [later - earlier for earlier, later in zip(ends, starts[1:])]
    assert len(gaps) == 2 and min(gaps) >= 3, gaps
    pauses = [r for r in run.records if r["name"].endswith(" : Pause between batches") and r["status"] == "ok"]
    assert len(pauses) == 2, [(r["name"], r["status"]) for r in run.records if "Pause" in r["name"]]
