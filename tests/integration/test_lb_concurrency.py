"""Ten ansible-playbook processes, each adding its own probe or rule to one load balancer at the
same moment, must all succeed and all their changes must be there: the If-Match / 412 / read
again loop of lb_probe and lb_rule, for real, across processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import yaml
from lb_setup import make_lb, names, read_lb, task

WRITERS = 10


def writer_tasks(group, index, barrier: Path):
    """Announce readiness, wait at the barrier, then add probe p{index} or rule r{index}."""
    if index % 2:
        change = task("lb_probe", "change", resource_group=group, load_balancer="lb", name=f"p{index}",
                      protocol="Tcp", port=9000 + index)
    else:
        change = task("lb_rule", "change", resource_group=group, load_balancer="lb", name=f"r{index}",
                      protocol="Tcp", frontend_port=8000 + index, backend_port=9000 + index)
    return [
        {"name": "ready", "ansible.builtin.file": {"path": str(barrier.parent / f"ready-{index}"), "state": "touch"}},
        {"name": "barrier", "ansible.builtin.wait_for": {"path": str(barrier), "sleep": 1, "timeout": 300}},
        change,
    ]


def test_ten_concurrent_writers_all_land(azure_env, azemu, sdk, lb_group, tmp_path, record_property):
    group = lb_group
    make_lb(sdk, group)
    barrier = tmp_path / "go"
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    before = azemu.settings()
    # Operations that stay InProgress a while widen the window in which writers overlap, so that
    # superseded (Canceled) writes happen as well as refused (412) ones.
    azemu.settings(latency=0.5)
    mark = azemu.mark()
    procs = []
    try:
        for index in range(WRITERS):
            playbook = tmp_path / f"writer-{index}.yml"
            playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                                                 "tasks": writer_tasks(group, index, barrier)}]))
            env = dict(azure_env, CLOUDLB_TEST_RESULTS=str(tmp_path / f"results-{index}.json"))
            procs.append(subprocess.Popen([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
                                           str(playbook)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
        deadline = time.monotonic() + 300
        while not all((tmp_path / f"ready-{i}").exists() for i in range(WRITERS)):
            assert time.monotonic() < deadline, "the writers never all reached the barrier"
            assert all(p.poll() is None for p in procs), [p.communicate()[0] for p in procs if p.poll() is not None]
            time.sleep(0.1)
        barrier.touch()
        outputs = [p.communicate(timeout=600)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        azemu.settings(**before)

    for index, (proc, output) in enumerate(zip(procs, outputs)):
        results = json.loads((tmp_path / f"results-{index}.json").read_text())
        change = next(t for t in results["tasks"] if t["name"] == "change")
        assert proc.returncode == 0 and change["status"] == "ok" and change["result"]["changed"], (index, output, change)
    lb = read_lb(sdk, group)
    assert sorted(names(lb, "probes")) == [f"p{i}" for i in range(WRITERS) if i % 2]
    assert sorted(names(lb, "loadBalancingRules")) == [f"r{i}" for i in range(WRITERS) if not i % 2]
    requests = [r for r in azemu.requests(since=mark) if "/loadBalancers/lb" in r["path"]]
    refused = [r for r in requests if r["method"] == "PUT" and r["status"] == 412]
    accepted = [r for r in requests if r["method"] == "PUT" and r["status"] in (200, 201)]
    state = azemu.state()
    superseded = [op for op in state["operations"] if op["status"] == "Canceled"
                  and op["target"].lower() == read_lb(sdk, group)["id"].lower()]
    record_property("writes", {"accepted": len(accepted), "refused_412": len(refused), "superseded": len(superseded)})
    assert len(accepted) >= WRITERS
    assert refused, "the writers never collided: this run did not exercise the If-Match retry"
