"""playbooks/rolling_maintenance.yml on a pool site.yml built: its wall time, each VM's time
out of the pool against the least it can take, its requests (the GETs of single NICs among
them), and, under a bounded loopback load (tests/integration/loadgen.py), the requests that
failed.
"""

from __future__ import annotations

import re
import sys
import time
from typing import Any

import requests

from clients import ROOT, Ours
from critical_path import rollout_vm_bound, seen_done

sys.path.append(str(ROOT / "tests" / "integration"))      # loadgen

PLAYBOOK = "playbooks/rolling_maintenance.yml"
LB = "myLoadBalancer"
NIC_GET = re.compile(r"/providers/Microsoft\.Network/networkInterfaces/[^/]+$", re.I)
LOAD_SECONDS = 1800       # the load generator's own bound


def dataplane(emu) -> dict[str, Any]:
    response = requests.get(f"{emu.url}/_azemu/dataplane", verify=emu.ca_file, timeout=30)
    response.raise_for_status()
    return response.json()


def frontend(emu, group: str) -> tuple[str, int]:
    """(address, port) of the group's load balancer frontend, where clients connect."""
    for entry in dataplane(emu)["frontends"]:
        if f"/resourcegroups/{group.lower()}/" in entry["rule"].lower():
            return entry["address"], entry["listen_port"]
    raise RuntimeError(f"no frontend of {group} in azemu's data plane")


def probe_of(emu, group: str) -> tuple[float, int]:
    """(interval, threshold) of the load balancer's probe, as azemu's prober takes them."""
    path = f"/subscriptions/{emu.info['subscription_id']}/resourceGroups/{group}/providers/Microsoft.Network/" \
           f"loadBalancers/{LB}?api-version=2024-05-01"
    status, _headers, body = emu.http("GET", path, headers={"Authorization": f"Bearer {emu.token()}"})
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body}")
    probe = body["properties"]["probes"][0]["properties"]
    return float(probe["intervalInSeconds"]), int(probe.get("probeThreshold") or 1)


def vm_results(run) -> list[dict[str, Any]]:
    return [r["result"]["ansible_facts"]["rolling_maintenance_result"] for r in run.document.get("tasks", [])
            if r["name"].endswith(" : Record that the VM succeeded")]


def roll(ours: Ours, name: str, group: str, vms: int, extra: dict[str, Any], *, load: bool = False,
         scale: float = 1.0, time_scale: float = 1.0) -> dict[str, Any]:
    """One rollout, one VM at a time; with `load`, clients hit the load balancer throughout."""
    variables = {"resource_group": group, "rolling_maintenance_serial": 1, **extra}
    tallies = None
    if load:
        import loadgen
        address, port = frontend(ours.emu, group)
        with loadgen.Load(address, port, duration=LOAD_SECONDS) as generator:
            time.sleep(1)
            run = ours.playbook(PLAYBOOK, name, variables)
            time.sleep(1)
        tallies = generator.tallies
    else:
        run = ours.playbook(PLAYBOOK, name, variables)
    results = vm_results(run)
    nic_gets = sum(r["kind"] == "arm" and r["method"] == "GET" and bool(NIC_GET.search(r["path"]))
                   for r in run.requests)
    interval, threshold = probe_of(ours.emu, group)
    drain = float(extra.get("rolling_maintenance_drain_timeout", 30))
    drains = [drain if r.get("connections_left_at_drain_timeout") else 0.0 for r in results]
    bounds = [rollout_vm_bound(interval, threshold, scale, time_scale, d) for d in drains]
    waited = [rollout_vm_bound(interval, threshold, scale, time_scale, d, cost=seen_done) for d in drains]
    out = [float(r["out_of_pool_seconds"]) for r in results]
    summary = {"vms": vms, "succeeded": len(results), "seconds": round(run.seconds, 1),
               "requests": len(run.requests), "requests_per_vm": round(len(run.requests) / vms, 1),
               "nic_gets": nic_gets, "nic_gets_per_vm": round(nic_gets / vms, 1),
               "out_of_pool": out, "bound_per_vm": round(sum(bounds) / len(bounds), 2) if bounds else None,
               "retry_after_bound_per_vm": round(sum(waited) / len(waited), 2) if waited else None,
               "out_of_pool_per_vm": round(sum(out) / len(out), 2) if out else None,
               "seconds_per_vm": round(run.seconds / vms, 2)}
    if tallies is not None:
        summary["load"] = {name: {"ok": t.ok, "failed": len(t.failures)} for name, t in tallies.items()}
        summary["failed_requests"] = sum(len(t.failures) for t in tallies.values())
    return summary
