#!/usr/bin/env python3
"""Per-task cost of azure.azcollection next to cloudlb.azure, on this machine.

    benchmarks/compare_azcollection.py --azc-venv /tmp/azc/venv --azc-collections /tmp/azc/col

Needs a throwaway venv with azure.azcollection's pinned requirements and the collection
itself (benchmarks/README.md says how to make them; never install them into .venv).

azure.azcollection cannot reach azemu: given an ARM URL as cloud_environment (as for Azure
Stack Hub), its module_utils call azure.cli.core.cloud.get_cloud_from_metadata_endpoint,
which azure-cli-core 2.75 (its pin) no longer has, and the module fails. It fails there
after its imports, before any request, so what is compared is the part that does not depend
on the network:

- import time, in a fresh Python: azure_rm_common (which every azcollection module imports)
  against our module base plus the SDK a resource-group task loads (our modules import only
  the SDK they use, when they first need a client);
- wall time of one ad-hoc task: `azure_rm_resourcegroup_info` (up to that failure, so
  without any request) against `cloudlb.azure.resource_group_info` (complete, four requests
  to azemu), each next to `ansible.builtin.ping` from the same venv.

Prints medians of --repeat runs as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUR_BIN = Path(sys.executable).parent
OUR_COLLECTIONS = ROOT / ".venv" / "collections"

AZC_IMPORT = "import ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common as c; assert c.HAS_AZURE"
OUR_IMPORT = ("import ansible_collections.cloudlb.azure.plugins.module_utils._module, azure.identity; "
              "from azure.mgmt.resource.resources import ResourceManagementClient")


def timed(command, env, expect_ok=True):
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    seconds = time.perf_counter() - start
    if expect_ok and proc.returncode != 0:
        raise SystemExit(f"{command} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds, proc


def import_seconds(python, statement, collections, env):
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    proc = subprocess.run([str(python), "-c", code], env=dict(env, PYTHONPATH=str(collections)),
                          capture_output=True, text=True, timeout=600, check=True)
    return float(proc.stdout.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--azc-venv", type=Path, required=True)
    parser.add_argument("--azc-collections", type=Path, required=True, help="holds ansible_collections/azure/azcollection")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    azc_bin = options.azc_venv / "bin"
    from azemu.testing import Azemu

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ANSIBLE_", "PYTHONPATH"))}
    rows = []
    with tempfile.TemporaryDirectory(prefix="cloudlb-azc-") as tmp, Azemu(Path(tmp) / "azemu") as azemu:
        env = dict(base, **azemu.env(), HOME=tmp, ANSIBLE_HOME=f"{tmp}/.ansible")
        ours = dict(env, ANSIBLE_COLLECTIONS_PATH=str(OUR_COLLECTIONS))
        theirs = dict(env, ANSIBLE_COLLECTIONS_PATH=str(options.azc_collections))
        group = {"name": "azcCompare", "location": "westus"}
        timed([str(OUR_BIN / "ansible"), "localhost", "-m", "cloudlb.azure.resource_group", "-a", json.dumps(group)], ours)

        def median(measure):
            return statistics.median(measure() for _ in range(options.repeat))

        rows.append(("import: module base + what a resource group task loads",
                     median(lambda: import_seconds(azc_bin / "python", AZC_IMPORT, options.azc_collections, env)),
                     median(lambda: import_seconds(OUR_BIN / "python", OUR_IMPORT, OUR_COLLECTIONS, env))))
        ping = [str(azc_bin / "ansible"), "localhost", "-m", "ansible.builtin.ping"]
        rows.append(("`ansible localhost -m ansible.builtin.ping`",
                     median(lambda: timed(ping, theirs)[0]),
                     median(lambda: timed([str(OUR_BIN / "ansible"), *ping[1:]], ours)[0])))

        def azc_task():
            seconds, proc = timed([str(azc_bin / "ansible"), "localhost", "-m",
                                   "azure.azcollection.azure_rm_resourcegroup_info", "-a", '{"name": "azcCompare"}'],
                                  theirs, expect_ok=False)
            if "could not be resolved" not in proc.stdout + proc.stderr and "message" not in proc.stdout + proc.stderr:
                raise SystemExit(f"azure.azcollection did not fail as expected:\n{proc.stdout[-2000:]}")
            return seconds

        mark = azemu.mark()
        azc = median(azc_task)
        assert azemu.requests(since=mark) == [], "azure.azcollection reached azemu"
        rows.append(("one task: resource group info (azcollection: up to its failure, no request)", azc,
                     median(lambda: timed([str(OUR_BIN / "ansible"), "localhost", "-m", "cloudlb.azure.resource_group_info",
                                           "-a", '{"name": "azcCompare"}'], ours)[0])))
    print(f"Medians of {options.repeat} runs, seconds; load average before: {load_before}\n")
    print("| measurement | azure.azcollection | cloudlb.azure |")
    print("| --- | ---: | ---: |")
    for name, theirs_s, ours_s in rows:
        print(f"| {name} | {theirs_s:.2f} | {ours_s:.2f} |")
    print(f"\nLoad average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
