"""Twenty ansible-playbook processes edit one load balancer and its NICs at the same moment:
probes and rules added and removed (lb_probe, lb_rule), NICs put in and taken out of the pool
(lb_pool_member), tags set and removed on the load balancer and on NICs (network_tags). Each
reads, changes one thing and writes with If-Match, and on 412 reads again: across processes,
for real. Every process must succeed and the end state must be exactly what they all asked
for together: no change lost, nothing else touched."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import yaml
from lb_setup import ids, make_lb, names, read_lb, task

LB = {"load_balancer": "lb"}
POOL = {"load_balancer": "lb", "backend_pool": "pool"}


def tcp_probe(name, port):
    return {"name": name, "properties": {"protocol": "Tcp", "port": port}}


def tcp_rule(lb, name, port):
    return {"name": name, "properties": {
        "protocol": "Tcp", "frontendPort": port, "backendPort": port,
        "frontendIPConfiguration": {"id": lb.part("frontendIPConfigurations", "fe")},
        "backendAddressPool": {"id": lb.part("backendAddressPools", "pool")},
        "probe": {"id": lb.part("probes", "base")}}}


def changes(group):
    """The twenty writers' changes, one task each: (module, options)."""
    g = {"resource_group": group}
    return [
        ("lb_probe", dict(g, **LB, name="p0", protocol="Tcp", port=9000)),
        ("lb_probe", dict(g, **LB, name="p1", protocol="Tcp", port=9001)),
        ("lb_probe", dict(g, **LB, name="old-p0", state="absent")),
        ("lb_probe", dict(g, **LB, name="old-p1", state="absent")),
        ("lb_rule", dict(g, **LB, name="r0", protocol="Tcp", frontend_port=8000, backend_port=8000, probe="base")),
        ("lb_rule", dict(g, **LB, name="r1", protocol="Tcp", frontend_port=8001, backend_port=8001, probe="base")),
        ("lb_rule", dict(g, **LB, name="old-r0", state="absent")),
        ("lb_rule", dict(g, **LB, name="old-r1", state="absent")),
        ("network_tags", dict(g, **LB, set={"t0": "a"})),
        ("network_tags", dict(g, **LB, set={"t1": "b"})),
        ("network_tags", dict(g, **LB, remove=["old-t0"])),
        ("network_tags", dict(g, **LB, remove=["old-t1"])),
        *[("lb_pool_member", dict(g, **POOL, network_interface=f"nic{i}", state="absent")) for i in range(3)],
        *[("lb_pool_member", dict(g, **POOL, network_interface=f"nic{i}")) for i in range(3, 6)],
        ("network_tags", dict(g, network_interface="nic0", set={"n": "0"})),
        ("network_tags", dict(g, network_interface="nic3", remove=["old"])),
    ]


def setup(sdk, group):
    """The load balancer with probes base, old-p0, old-p1, rules old-r0, old-r1 and tags keep,
    old-t0, old-t1; NICs nic0-nic5 tagged old=x, nic0-nic2 in the pool."""
    lb = ids(sdk, group)
    make_lb(sdk, group, probes=[tcp_probe(n, p) for n, p in (("base", 80), ("old-p0", 81), ("old-p1", 82))],
            rules=[tcp_rule(lb, "old-r0", 7000), tcp_rule(lb, "old-r1", 7001)])
    sdk.network.load_balancers.update_tags(group, "lb", {"tags": {"keep": "1", "old-t0": "x", "old-t1": "x"}})
    for i in range(6):
        pools = [{"id": lb.part("backendAddressPools", "pool")}] if i < 3 else []
        sdk.network.network_interfaces.begin_create_or_update(group, f"nic{i}", {
            "location": "eastus", "tags": {"old": "x"}, "properties": {"ipConfigurations": [{
                "name": "ipconfig1", "properties": {"subnet": {"id": lb.subnet},
                                                    "loadBalancerBackendAddressPools": pools}}]}}).result()


def writer_playbook(index, change, barrier: Path):
    """Announce readiness, wait at the barrier, then make the change."""
    module, options = change
    return [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "ready", "ansible.builtin.file": {"path": str(barrier.parent / f"ready-{index}"), "state": "touch"}},
        {"name": "barrier", "ansible.builtin.wait_for": {"path": str(barrier), "sleep": 1, "timeout": 300}},
        task(module, "change", **options)]}]


def run_at_once(azure_env, tmp_path, wanted):
    """One ansible-playbook per change, released together once all are ready;
    [(returncode, output, the change task's record)]."""
    barrier = tmp_path / "go"
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    procs = []
    try:
        for index, change in enumerate(wanted):
            path = tmp_path / f"writer-{index}.yml"
            path.write_text(yaml.safe_dump(writer_playbook(index, change, barrier)))
            env = dict(azure_env, CLOUDLB_TEST_RESULTS=str(tmp_path / f"results-{index}.json"))
            procs.append(subprocess.Popen([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
                                           str(path)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
        deadline = time.monotonic() + 300
        while not all((tmp_path / f"ready-{i}").exists() for i in range(len(procs))):
            assert time.monotonic() < deadline, "the writers never all reached the barrier"
            assert all(p.poll() is None for p in procs), [p.communicate()[0] for p in procs if p.poll() is not None]
            time.sleep(0.1)
        barrier.touch()
        outputs = [p.communicate(timeout=600)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    out = []
    for index, (proc, output) in enumerate(zip(procs, outputs)):
        results = json.loads((tmp_path / f"results-{index}.json").read_text())
        out.append((proc.returncode, output, next(t for t in results["tasks"] if t["name"] == "change")))
    return out


def test_twenty_concurrent_editors_lose_nothing(azure_env, azemu, sdk, lb_group, tmp_path, record_property):
    group = lb_group
    setup(sdk, group)
    wanted = changes(group)
    before = azemu.settings()
    # Operations that stay InProgress a while widen the window in which writers overlap, so that
    # superseded (Canceled) writes happen as well as refused (412) ones.
    azemu.settings(latency=0.5)
    mark = azemu.mark()
    started = time.monotonic()
    try:
        runs = run_at_once(azure_env, tmp_path, wanted)
    finally:
        azemu.settings(**before)
    wall = time.monotonic() - started

    for (module, options), (rc, output, change) in zip(wanted, runs):
        assert rc == 0 and change["status"] == "ok" and change["result"]["changed"], (module, options, change, output)
    lb = read_lb(sdk, group)
    assert sorted(names(lb, "probes")) == ["base", "p0", "p1"]
    assert sorted(names(lb, "loadBalancingRules")) == ["r0", "r1"]
    assert lb["tags"] == {"keep": "1", "t0": "a", "t1": "b"}
    pool = ids(sdk, group).part("backendAddressPools", "pool").lower()
    nics = {f"nic{i}": sdk.network.network_interfaces.get(group, f"nic{i}").as_dict() for i in range(6)}
    members = sorted(name for name, nic in nics.items()
                     if any(p["id"].lower() == pool for c in nic["properties"]["ipConfigurations"]
                            for p in c["properties"].get("loadBalancerBackendAddressPools") or []))
    assert members == ["nic3", "nic4", "nic5"]
    assert {name: nic.get("tags") or {} for name, nic in nics.items()} == {
        "nic0": {"old": "x", "n": "0"}, "nic1": {"old": "x"}, "nic2": {"old": "x"}, "nic3": {},
        "nic4": {"old": "x"}, "nic5": {"old": "x"}}

    requests = azemu.requests(since=mark)
    lb_id, nic_ids = lb["id"].lower(), [nic["id"].lower() for nic in nics.values()]
    puts = [r for r in requests if r["method"] in ("PUT", "PATCH")
            and ("/loadbalancers/lb" in r["path"].lower() or "/networkinterfaces/nic" in r["path"].lower())]
    refused = [r for r in puts if r["status"] == 412]
    accepted = [r for r in puts if r["status"] in (200, 201)]
    superseded = [op for op in azemu.state()["operations"] if op["status"] == "Canceled"
                  and op["target"].lower() in (lb_id, *nic_ids)]
    record_property("editors", {"processes": len(wanted), "changes": len(wanted), "accepted": len(accepted),
                                "refused_412": len(refused), "superseded": len(superseded),
                                "wall_seconds": round(wall, 1)})
    assert len(accepted) >= len(wanted)
    assert refused, "the writers never collided: this run did not exercise the If-Match retry"
