"""benchmarks/: the lower bound from site.yml's dependency graph, the fit, the one table and
RESULTS.md's history. The measurements themselves run in `make bench`, never here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import critical_path  # noqa: E402
import table  # noqa: E402
from azemu.arm import latency  # noqa: E402


def seconds(full_type):
    return latency.figure(full_type, "create").seconds


def test_the_lower_bound_is_the_longest_path_of_site_yml_s_graph():
    network = max(seconds("Microsoft.Network/virtualNetworks"), seconds("Microsoft.Network/networkSecurityGroups"),
                  seconds("Microsoft.Network/publicIPAddresses") + seconds("Microsoft.Network/loadBalancers"))
    expected = network + seconds("Microsoft.Network/networkInterfaces") + seconds("Microsoft.Compute/virtualMachines")
    assert critical_path.lower_bound() == pytest.approx(expected)
    assert critical_path.lower_bound(0.25) == pytest.approx(expected * 0.25)
    path = critical_path.critical_path()
    assert path[0] == "resource group" and path[-2:] == ["NICs", "VMs"]


def test_a_vm_s_turn_in_a_rollout_is_two_probe_verdicts_a_drain_and_a_restart():
    restart = latency.figure("Microsoft.Compute/virtualMachines", "restart").seconds
    assert critical_path.rollout_vm_bound(15, 2, 0.5, 2.0, drain=3) == pytest.approx(2 * 15 + 3 + restart * 0.5)
    # Compute's restart at Azure's pace: polled at once (10 s), then 10 s, then every 30 s.
    polls = latency.retry_after_figure("Microsoft.Compute/virtualMachines", "restart")
    seen = critical_path.seen_done("Microsoft.Compute/virtualMachines", 1.0, "restart")
    assert seen >= restart and seen - polls.later_polls < restart
    assert critical_path.rollout_vm_bound(15, 2, 1.0, 1.0, cost=critical_path.seen_done) == pytest.approx(2 * 30 + seen)


def test_the_fit_goes_through_the_smallest_and_largest_pool():
    assert table.fit({3: 35 + 13 * 3, 10: 0, 20: 35 + 13 * 20}) == (35, 13)


def results():
    return {"date": "2026-12-01T12:00:00+00:00", "settings": {"latency_scale": 0.25}, "about": {"machine": "m"},
            "notes": ["a note"],
            "latency0": {"ours": {"first": {"until_vms": 20.0, "seconds": 30.0}}, "peer": {"first": {"seconds": 40.0}}},
            "profile": {"ours": {"first": {"until_vms": 30.0, "requests_until_vms": 100}},
                        "peer": {"first": {"seconds": 50.0, "requests": 150}}}}


def test_the_table_has_a_row_per_measurement_with_its_ratio_and_goal():
    text = table.render(results())
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert lines[0].startswith("| measurement | cloudlb.azure | azure.azcollection | ours / peer |")
    row = next(line for line in lines if line.startswith("| site.yml first run, latency 0"))
    assert row.split(" | ")[1:4] == ["20.0", "40.0", "0.50"]
    profile = next(line for line in lines if "Azure profile x0.25, until" in line)
    assert profile.endswith("ours <= 0.5 x peer: not met |")                  # 30 / 50 = 0.6
    requests = next(line for line in lines if line.startswith("| requests of the first run"))
    assert "ours <= 0.5 x peer: not met" in requests and "0.67" in requests
    assert "| no-change run, latency 0, until the VMs (s) | not run | not run |" in text
    bound = next(line for line in lines if line.startswith("| lower bound"))
    assert f"| {critical_path.lower_bound(0.25):.1f} |" in bound and "resource group > " in bound
    waited = next(line for line in lines if line.startswith("| first run / the Retry-After bound"))
    assert waited.split(" | ")[1] == f"{30.0 / critical_path.retry_after_bound(0.25):.2f}"
    assert "- a note" in text


def test_a_client_honouring_retry_after_sees_an_operation_done_at_its_first_poll_after_it_ends():
    vm = latency.figure("Microsoft.Compute/virtualMachines", "create").seconds            # 53 s
    polls = latency.retry_after_figure("Microsoft.Compute/virtualMachines", "create")    # 50, then 30
    assert polls.first_poll < vm <= polls.first_poll + polls.later_polls
    assert critical_path.seen_done("Microsoft.Compute/virtualMachines", 1.0) == polls.first_poll + polls.later_polls
    assert critical_path.seen_done(None, 1.0) == 0
    assert critical_path.retry_after_bound(1.0) > critical_path.lower_bound(1.0)


def test_a_client_waiting_the_writes_retry_after_first_sees_quick_operations_at_that_poll():
    # A 2 s public IP: asked about at once it runs (wait 10 s more); after the write's 1 s, it
    # still runs: 1 + 10. A 1 s load balancer after the write's 3 s is done: 3, not 0 + 10.
    assert critical_path.seen_done("Microsoft.Network/publicIPAddresses", 1.0) == 10
    assert critical_path.seen_done_after_write("Microsoft.Network/publicIPAddresses", 1.0) == 11
    assert critical_path.seen_done("Microsoft.Network/loadBalancers", 1.0) == 10
    assert critical_path.seen_done_after_write("Microsoft.Network/loadBalancers", 1.0) == 3
    assert (critical_path.lower_bound(1.0) < critical_path.retry_after_bound(1.0, cost=critical_path.seen_done_after_write)
            < critical_path.retry_after_bound(1.0))


def test_results_keep_the_newest_runs_first(tmp_path):
    path = tmp_path / "RESULTS.md"
    for n in range(5):
        table.update_results(path, "# Results\n", f"{table.RUN_HEADING}{n}\n\nrun {n}\n", keep=3)
    text = path.read_text()
    assert text.startswith("# Results\n\n## Run of 4")
    assert [line for line in text.splitlines() if line.startswith(table.RUN_HEADING)] == [
        "## Run of 4", "## Run of 3", "## Run of 2"]
    assert text.count("---") == 2
