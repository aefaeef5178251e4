"""`make bench`'s one table (issue 12's rows, each with the goal it is measured against) and
benchmarks/RESULTS.md, which keeps the newest runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from critical_path import critical_path, lower_bound, retry_after_bound, seen_done, seen_done_after_write

RUN_HEADING = "## Run of "
KEEP_RUNS = 3


def fit(points: dict[int, float]) -> tuple[float, float]:
    """a, b of a + b N through the lowest and the highest N."""
    low, high = min(points), max(points)
    b = (points[high] - points[low]) / (high - low)
    return points[low] - b * low, b


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b in (None, 0) else a / b


def cell(value: Any, unit: str = "") -> str:
    if value is None:
        return "not run"
    if isinstance(value, float):
        return f"{value:.2f}{unit}" if abs(value) < 10 else f"{value:.1f}{unit}"
    return f"{value}{unit}"


def verdict(value: float | None, ok: Callable[[float], bool], goal: str) -> str:
    if value is None:
        return goal
    return f"{goal}: {'met' if ok(value) else 'not met'}"


def get(results: dict[str, Any], *keys: Any) -> Any:
    node: Any = results
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(measurement, cloudlb, peer, ours / peer, goal) for each row of the table."""
    scale = r["settings"]["latency_scale"]
    out = []

    def pair(label, ours, peer, unit="", goal=""):
        out.append((label, cell(ours, unit), cell(peer, unit), cell(ratio(ours, peer)), goal))

    z, p = r.get("latency0", {}), r.get("profile", {})
    pair("site.yml first run, latency 0, until the VMs run (s)", get(z, "ours", "first", "until_vms"),
         get(z, "peer", "first", "seconds"))
    pair("... the whole run, with its health wait and test step (s)", get(z, "ours", "first", "seconds"), None)
    pair("no-change run, latency 0, until the VMs (s)", get(z, "ours", "second", "until_vms"),
         get(z, "peer", "second", "seconds"))
    pair("writes of the no-change run", len(get(z, "ours", "second", "writes") or []) if get(z, "ours", "second")
         else None, len(get(z, "peer", "second", "writes") or []) if get(z, "peer", "second") else None, goal="0")
    pair("one no-change task over ping (s)", get(z, "ours", "task", "over_ping"), get(z, "peer", "task", "over_ping"))
    pair("... its CPU seconds over ping's (the controller's cost, whatever the load)",
         get(z, "ours", "task", "cpu_over_ping"), get(z, "peer", "task", "cpu_over_ping"))
    ours_first = get(p, "ours", "first", "until_vms")
    peer_first = get(p, "peer", "first", "seconds")
    pair(f"site.yml first run, Azure profile x{scale}, until the VMs run (s)", ours_first, peer_first,
         goal=verdict(ratio(ours_first, peer_first), lambda x: x <= 0.5, "ours <= 0.5 x peer"))
    pair("... the whole run, with its health wait and test step (s)", get(p, "ours", "first", "seconds"), None)
    pair("... CPU seconds of the first run (whole)", get(p, "ours", "first", "cpu"), get(p, "peer", "first", "cpu"))
    bound, waited = lower_bound(scale), retry_after_bound(scale)
    out.append((f"lower bound: site.yml's critical path at the profile x{scale} (s)", cell(bound), cell(bound), "",
                " > ".join(critical_path(scale))))
    out.append(("... for a client that waits each operation as its Retry-After says (s)", cell(waited), cell(waited),
                "", " > ".join(critical_path(scale, cost=seen_done)) + ", each seen done at its first poll after it ends"))
    after_write = retry_after_bound(scale, cost=seen_done_after_write)
    out.append(("... for a client that also waits the write's Retry-After before its first poll (s)", cell(after_write),
                cell(after_write), "", " > ".join(critical_path(scale, cost=seen_done_after_write))
                + ", as cloudlb.azure polls an operation (its VMs: one list per vms_wait_delay instead)"))
    pair("first run / lower bound", ratio(ours_first, bound), ratio(peer_first, bound),
         goal=verdict(ratio(ours_first, bound), lambda x: x <= 1.2, "ours <= 1.2"))
    pair("first run / the Retry-After bound", ratio(ours_first, waited), ratio(peer_first, waited))
    pair("first run / the bound with the write's Retry-After", ratio(ours_first, after_write),
         ratio(peer_first, after_write))
    ours_req, peer_req = get(p, "ours", "first", "requests_until_vms"), get(p, "peer", "first", "requests")
    pair("requests of the first run incl. login, profile, until the VMs", ours_req, peer_req,
         goal=verdict(ratio(ours_req, peer_req), lambda x: x <= 0.5, "ours <= 0.5 x peer"))
    pair("... of them to ARM", get(p, "ours", "first", "arm_until_vms"), get(p, "peer", "first", "arm"))
    pair("login requests (metadata, discovery, token) per first run, until the VMs",
         get(p, "ours", "first", "login_until_vms"), get(p, "peer", "first", "login"))
    pair("... the whole site.yml run", get(p, "ours", "first", "login"), None)
    vm3, vm20 = get(p, "ours", "first", "until_vms"), get(p, "ours", "vms20", "until_vms")
    out.append(("site.yml at 3 and 20 VMs, profile, until the VMs run (s)", f"{cell(vm3)} / {cell(vm20)}", "",
                cell(ratio(vm20, vm3)), verdict(ratio(vm20, vm3), lambda x: x <= 1.3, "20 VMs <= 1.3 x 3 VMs")))
    arm3, arm20 = get(p, "ours", "first", "arm_until_vms"), get(p, "ours", "vms20", "arm_until_vms")
    all3, all20 = get(p, "ours", "first", "requests_until_vms"), get(p, "ours", "vms20", "requests_until_vms")
    if None not in (arm3, arm20, all3, all20):
        a, b = fit({3: arm3, 20: arm20})
        c, d = fit({3: all3, 20: all20})
        out.append(("requests at 3 and 20 VMs, until the VMs: ARM; all (fit a + b N)",
                    f"{arm3} / {arm20} ({a:.0f} + {b:.1f} N); {all3} / {all20} ({c:.0f} + {d:.1f} N)", "", "",
                    "linear"))
    roll = get(r, "rollout", "profile")
    if roll:
        per_vm = ratio(roll["out_of_pool_per_vm"], roll["bound_per_vm"])
        out.append((f"rolling maintenance, 3 VMs, profile x{scale}: a VM's time out of the pool / its lower "
                    "bound (probe sees it down + drain + reboot + probe sees it up)",
                    f"{cell(roll['out_of_pool_per_vm'])} / {cell(roll['bound_per_vm'])} s = {cell(per_vm)}", "", "",
                    verdict(per_vm, lambda x: x <= 1.3, "<= 1.3")))
        if roll.get("retry_after_bound_per_vm"):
            out.append(("... the same / the Retry-After bound (the restart seen done at its first poll after it ends)",
                        f"{cell(roll['out_of_pool_per_vm'])} / {cell(roll['retry_after_bound_per_vm'])} s = "
                        f"{cell(ratio(roll['out_of_pool_per_vm'], roll['retry_after_bound_per_vm']))}", "", "", ""))
        out.append(("... the rollout's wall time per VM / the lower bound",
                    f"{cell(roll['seconds_per_vm'])} / {cell(roll['bound_per_vm'])} s = "
                    f"{cell(ratio(roll['seconds_per_vm'], roll['bound_per_vm']))}", "", "", ""))
        out.append(("... requests that failed under load (new-connection and keep-alive clients)",
                    cell(roll.get("failed_requests")), "", "",
                    verdict(roll.get("failed_requests"), lambda x: x == 0, "0")))
    gets = get(r, "rollout", "nic_gets") or {}
    if gets:
        sizes = sorted(gets, key=int)
        out.append((f"rolling maintenance at {' / '.join(map(str, sizes))} VMs, latency 0: GETs of single NICs per VM",
                    " / ".join(cell(gets[n]["nic_gets_per_vm"]) for n in sizes), "", "", "constant per VM"))
        out.append(("... all requests per VM", " / ".join(cell(gets[n]["requests_per_vm"]) for n in sizes), "", "",
                    "constant per VM"))
    return out


def render(r: dict[str, Any]) -> str:
    lines = [f"{RUN_HEADING}{r['date']}", ""]
    lines += [f"- {k}: {v}" for k, v in r["about"].items()]
    lines += ["", "| measurement | cloudlb.azure | azure.azcollection | ours / peer | goal (issue 12) |",
              "| --- | ---: | ---: | ---: | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in rows(r)]
    if r.get("notes"):
        lines += [""] + [f"- {n}" for n in r["notes"]]
    return "\n".join(lines) + "\n"


def update_results(path: Path, header: str, run: str, keep: int = KEEP_RUNS) -> None:
    """Put `run` first under `header`, keeping the `keep` newest runs of the file."""
    old = path.read_text() if path.exists() else ""
    runs = [RUN_HEADING + part.rstrip().removesuffix("---").rstrip() + "\n"
            for part in re.split(rf"^{re.escape(RUN_HEADING)}", old, flags=re.M)[1:]]
    kept = [run.rstrip() + "\n"] + runs[: keep - 1]
    path.write_text(header.rstrip() + "\n\n" + "\n---\n\n".join(kept))
