#!/usr/bin/env python3
"""`make bench`: cloudlb.azure and azure.azcollection side by side on azemu, at latency 0 and on
azemu's Azure latency profile, as one table (issue 12's rows) in benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/bench.py [--quick] [--latency-scale 1] [--json out.json]

Two azemu instances of its own, one after the other (benchmarks/README.md says what runs on
each). Measurements, not tests: a number never fails the run; a playbook that fails does not
stop the others, and the table says "not run" where it has no number.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clients import BIN, PEER_VENV, ROOT, Ours, Peer, RunFailed  # noqa: E402
from table import render, update_results  # noqa: E402
from rollout import roll  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = """# Benchmark results

`make bench` (benchmarks/README.md) writes its table here, newest run first; the last three
runs are kept. The machine is shared: seconds depend on its load (given with each run), so
compare within one run; request counts do not.
"""
# latency 0: azemu's emulated clock as `make demo` runs it (the probe's 2 x 15 s take 1 s).
ZERO = {"time_scale": 30, "vm_boot_seconds": 60}
ZERO_SITE = {"vms_wait_delay": 1, "health_wait_interval": 0.5}
ZERO_ROLL = {"rolling_maintenance_health_interval": 0.5, "rolling_maintenance_drain_timeout": 3,
             "rolling_maintenance_drain_poll": 0.5}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def versions() -> dict[str, str]:
    code = ("import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
            "('ansible-core', 'azure-core', 'azure-identity', 'azure-mgmt-network', 'azure-mgmt-compute')))")
    found = {"cloudlb.azure": subprocess.run([str(BIN / "python"), "-c", code], capture_output=True, text=True,
                                             check=False).stdout.strip()}
    if Peer.available():
        found[f"azure.azcollection {Peer.version()}"] = subprocess.run(
            [str(PEER_VENV / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False).stdout.strip()
    return found


@contextlib.contextmanager
def azemu(state_dir: Path, notes: list[str], **settings: Any):
    from instance import RouteAzemu
    emu = RouteAzemu(state_dir, proxy=False)
    emu.start()
    emu.settings(**settings)
    try:
        yield emu
    finally:
        try:
            emu.stop()
        except Exception as err:      # the spec check's findings: worth a note, not the run
            notes.append(f"azemu ({settings}) at stop: {str(err).splitlines()[0]}")


def attempt(notes: list[str], what: str, measure: Callable[[], Any]) -> Any:
    print(f"--- {what}", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        return measure()
    except RunFailed as err:
        notes.append(f"{what}: failed: {' '.join(str(err).split())[:400]}")
    except Exception:                 # a harness bug: say so, measure the rest
        notes.append(f"{what}: harness error: {traceback.format_exc().strip().splitlines()[-1]}")
        traceback.print_exc()
    finally:
        print(f"    {time.monotonic() - started:.0f} s, load {load()}", file=sys.stderr, flush=True)
    return None


def url_port() -> int:
    from azemu.dataplane.addresses import listen_port
    return listen_port(80, 8000)


def latency_zero(r: dict[str, Any], tmp: Path, options) -> None:
    notes, z = r["notes"], r.setdefault("latency0", {"ours": {}, "peer": {}})
    with azemu(tmp / "azemu-0", notes, **ZERO) as emu:
        ours = Ours(emu, tmp / "ours-0")
        site = {"url_port": url_port(), **ZERO_SITE}
        group = {"name": "benchZero", "location": "westus"}
        for run in ("first", "second"):
            z["ours"][run] = attempt(notes, f"latency 0: ours, site.yml {run} run", lambda: ours.site(
                f"site-0-{run}", {**site, "resource_group": group["name"]}).summary())
        z["ours"]["task"] = attempt(notes, "latency 0: ours, one no-change task", lambda: ours.task_over_ping(
            "cloudlb.azure.resource_group", group, options.repeat))
        if options.peer:
            peer = Peer(emu, tmp / "peer-0")
            peer_group = {"name": "peerZero", "location": "westus"}
            for run in ("first", "second"):
                z["peer"][run] = attempt(notes, f"latency 0: peer, tutorial {run} run", lambda: peer.tutorial(
                    f"peer-0-{run}", peer_group["name"]).summary())
            z["peer"]["task"] = attempt(notes, "latency 0: peer, one no-change task", lambda: peer.task_over_ping(
                "azure.azcollection.azure_rm_resourcegroup", peer_group, options.repeat))
        gets = r.setdefault("rollout", {}).setdefault("nic_gets", {})
        gets[3] = attempt(notes, "latency 0: rollout of 3 VMs", lambda: roll(
            ours, "roll-0-3", group["name"], 3, ZERO_ROLL, time_scale=ZERO["time_scale"]))
        for size in () if options.quick else (5, 10):
            name = f"benchZero{size}"
            built = attempt(notes, f"latency 0: site.yml with {size} VMs", lambda: ours.site(
                f"site-0-{size}", {**site, "resource_group": name, "vm_count": size}))
            if built:
                gets[size] = attempt(notes, f"latency 0: rollout of {size} VMs", lambda: roll(
                    ours, f"roll-0-{size}", name, size, ZERO_ROLL, time_scale=ZERO["time_scale"]))
        r["rollout"]["nic_gets"] = {n: v for n, v in gets.items() if v}


def azure_profile(r: dict[str, Any], tmp: Path, options) -> None:
    notes, scale = r["notes"], options.latency_scale
    p = r.setdefault("profile", {"ours": {}, "peer": {}})
    with azemu(tmp / "azemu-azure", notes, latency_profile="azure", latency_scale=scale, time_scale=1 / scale) as emu:
        ours = Ours(emu, tmp / "ours-azure")
        # The playbooks' own poll intervals, at the same pace as Azure's durations.
        site = {"url_port": url_port(), "vms_wait_delay": 5 * scale, "health_wait_interval": 2 * scale}
        p["ours"]["first"] = attempt(notes, "profile: ours, site.yml first run", lambda: ours.site(
            "site-azure-first", {**site, "resource_group": "benchAzure"}).summary())
        if options.peer:
            peer = Peer(emu, tmp / "peer-azure")
            p["peer"]["first"] = attempt(notes, "profile: peer, tutorial first run", lambda: peer.tutorial(
                "peer-azure-first", "peerAzure").summary())
        if p["ours"]["first"]:
            rolled = attempt(notes, "profile: rollout of 3 VMs under load", lambda: roll(
                ours, "roll-azure-3", "benchAzure", 3, {"rolling_maintenance_health_interval": 5 * scale,
                                                         "rolling_maintenance_drain_poll": scale},
                load=True, scale=scale, time_scale=1 / scale))
            r.setdefault("rollout", {})["profile"] = rolled
        if not options.quick:
            p["ours"]["vms20"] = attempt(notes, "profile: ours, site.yml with 20 VMs", lambda: ours.site(
                "site-azure-20", {**site, "resource_group": "benchAzure20", "vm_count": 20}).summary())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 VMs only: no 20-VM site.yml, no rollouts of 5 and 10 VMs")
    parser.add_argument("--latency-scale", type=float, default=1.0,
                        help="azemu's latency_scale on the Azure profile (default 1: Azure's own durations; "
                             "0.25: four times shorter)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ping and of the no-change task (median)")
    parser.add_argument("--no-peer", dest="peer", action="store_false", help="without azure.azcollection")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the Markdown file to update")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it: azemu's state dirs and request "
                                                   "logs, each run's JSON results (default: a temporary folder)")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="measure nothing: render the table of a run saved with --json, and update --results")
    options = parser.parse_args(argv)
    if options.render:
        table = render(json.loads(options.render.read_text()))
        print(table)
        update_results(options.results, HEADER, table)
        return 0
    notes: list[str] = []
    if options.peer and not Peer.available():
        options.peer = False
        notes.append(f"azure.azcollection not run: no {PEER_VENV.relative_to(ROOT)} (make conformance-venvs)")
    started = time.monotonic()
    r: dict[str, Any] = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "notes": notes,
        "settings": {"latency_scale": options.latency_scale, "quick": options.quick}, "about": {
            "machine": f"{platform.node()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
                       f"Python {platform.python_version()}",
            **{f"versions ({k})": v for k, v in versions().items()},
            "load average (1, 5, 15 min) before": load()}}
    with (contextlib.nullcontext(str(options.keep)) if options.keep
          else tempfile.TemporaryDirectory(prefix="cloudlb-bench-")) as tmp:
        Path(tmp).mkdir(parents=True, exist_ok=True)
        latency_zero(r, Path(tmp), options)
        azure_profile(r, Path(tmp), options)
    r["about"]["load average after"] = load()
    r["about"]["azemu"] = (f"latency 0: time_scale {ZERO['time_scale']}, vm_boot_seconds {ZERO['vm_boot_seconds']}; "
                           f"profile: latency_profile azure, latency_scale {options.latency_scale}, time_scale "
                           f"{1 / options.latency_scale:g}; the playbooks' poll intervals scaled alike")
    r["about"]["bench took"] = f"{(time.monotonic() - started) / 60:.1f} min" + (" (--quick)" if options.quick else "")
    table = render(r)
    print(table)
    update_results(options.results, HEADER, table)
    if options.json:
        options.json.write_text(json.dumps(r, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
