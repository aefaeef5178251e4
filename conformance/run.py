"""`make conformance`: clients we did not write run the tutorial against azemu; a table says what
passed (conformance/README.md).

    .venv/bin/python conformance/run.py [--only az,sdk,azcollection] [--routes custom,proxy]

Each client and route gets an azemu of its own (state in .cache/conformance/run-<time>/<client>-
<route>/azemu), so its request log (kept as requests.json beside it) holds only that client's
requests. The table goes to stdout
and to .cache/conformance/last-run.md; the exit status is 1 when any step failed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import traceback
from pathlib import Path

import client_az
import client_azcollection
import client_bugs
import client_sdk
import spec_validation
from azemu.testing import AzemuStartError
from instance import RouteAzemu
from report import render
from results import FAILED, RouteResult, attribute

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "conformance"

CLIENTS = {
    # name: (venv under CACHE, the route runner)
    "az": ("venv-az", client_az.AzRoute),
    "sdk": ("venv-sdk", client_sdk.SdkRoute),
    "azcollection": ("venv-azcollection", client_azcollection.AzcollectionRoute),
}
ROUTES = {"custom": "custom cloud", "proxy": "proxy"}
KEEP_RUNS = 5     # run-* folders kept under CACHE, the newest


def prune_runs() -> None:
    for old in sorted(CACHE.glob("run-*"))[:-KEEP_RUNS]:
        shutil.rmtree(old, ignore_errors=True)


def run_route(client: str, route: str, run_dir: Path) -> RouteResult:
    """One client over one route, its steps and the spec check of azemu's answers."""
    result = RouteResult(client, ROUTES[route])
    venv = CACHE / CLIENTS[client][0]
    if not (venv / ".installed").exists():
        result.skipped = f"no {venv.relative_to(ROOT)} (make conformance-venvs)"
        return result
    work = run_dir / f"{client}-{route}"
    emu = RouteAzemu(work / "azemu", proxy=route == "proxy")
    print(f"--- {result.name}", file=sys.stderr, flush=True)
    try:
        emu.start()
    except AzemuStartError as err:
        result.skipped = "harness error: azemu did not start: " + str(err).splitlines()[0]
        return result
    try:
        CLIENTS[client][1](venv, emu, work, result).run_all()
    except Exception:    # a harness bug: say so in the table, run the other clients
        result.skipped = "harness error: " + traceback.format_exc().strip().splitlines()[-1]
        traceback.print_exc()
    finally:
        log = emu.requests(since=0)
        spec_validation.stop_and_check(emu, result)
    (work / "requests.json").write_text(json.dumps(log, indent=1))
    client_bugs.apply(result)
    attribute(result.results, log)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(CLIENTS), help="clients, comma-separated (default: all)")
    parser.add_argument("--routes", default=",".join(ROUTES), help="routes, comma-separated (default: all)")
    args = parser.parse_args(argv)
    clients = [c for c in args.only.split(",") if c]
    routes = [r for r in args.routes.split(",") if r]
    unknown = (set(clients) - set(CLIENTS)) | (set(routes) - set(ROUTES))
    if unknown:
        parser.error(f"unknown {sorted(unknown)}; clients {sorted(CLIENTS)}, routes {sorted(ROUTES)}")

    run_dir = CACHE / time.strftime("run-%Y%m%d-%H%M%S")
    results = [run_route(client, route, run_dir) for client in clients for route in routes]
    notes = [f"state dirs, request logs and client work dirs: {run_dir.relative_to(ROOT)}/"]
    notes += spec_validation.notes(results)
    table = render(results, notes, spec_validation.violations(results))
    print(table)
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "last-run.md").write_text(table)
    prune_runs()
    failed = any(r.count(FAILED) or r.skipped.startswith("harness error") for r in results)
    return 1 if failed or spec_validation.violations(results) else 0


if __name__ == "__main__":
    sys.exit(main())
