"""Rolling maintenance on a bad day (issue 11): three VMs, one at a time, under load, while azemu
answers 10% of ARM's requests 429 and 5% 500. No app request fails, and the rollout completes,
or stops with every VM accounted for in its summary.

The faults are on from the moment the lab serves until the rollout ends, and hit ARM only, never
the data plane that serves the app (emulator/README.md, Faults). The fixtures and helpers are in
rolling_setup.py.
"""

from __future__ import annotations

from faults_setup import figures, report
from rolling_setup import summary, three_vm_rollout

RUN_FIRST = True     # long: started before the short files (root conftest.py)
THROTTLED = [{"status": 429, "share": 0.1}, {"status": 500, "share": 0.05}]


def test_a_rollout_under_throttling_and_server_errors_drops_no_request(run_playbook, scaled, make_lab):
    def faulted_lab(vms):
        lab = make_lab(vms)
        scaled.faults(THROTTLED, seed=3)
        return lab

    try:
        lab, mark, run, load, _serving, _wall = three_vm_rollout(run_playbook, scaled, faulted_lab, "continue")
        numbers = figures(scaled, mark)
    finally:
        scaled.faults([])
    report("rolling maintenance under 429 and 500", numbers)
    assert sum(numbers["faults"].values()) > 0 and numbers["sent_again"] > 0, numbers
    assert load.failures() == {}, load.report()
    assert all(tally.ok > 50 for tally in load.tallies.values()), load.report()

    result = summary(run)
    assert [v["name"] for v in result["virtual_machines"]] == lab.vms, result
    assert sum(result["progress"].values()) == len(lab.vms), result
    if run.ok:
        assert result["running_status"]["code"] == "Completed", result
        assert [v["status"] for v in result["virtual_machines"]] == ["succeeded"] * 3, result
    else:   # stopped: each VM says where it is
        assert all(v["status"] in ("succeeded", "failed", "pending") and "in_pool" in v
                   for v in result["virtual_machines"]), result
    print(f"\n[faults] rollout {'completed' if run.ok else 'stopped'}: "
          f"{[(v['name'], v['status']) for v in result['virtual_machines']]}; load: {load.report()}")
