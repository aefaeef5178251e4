#!/usr/bin/env python3
"""Count the requests and time the runs of cloudlb.azure against azemu.

    .venv/bin/python benchmarks/bench.py [--repeat 3] [--json out.json]   (or: make bench)

Starts its own azemu (time-scaled, in a temporary state dir, so its request log holds only
what is measured here), then measures, each as a real ansible / ansible-playbook process:

1. `ansible localhost -m ansible.builtin.ping`: the baseline, what any task costs;
2. `ansible-playbook site.yml`, first run (builds the tutorial) and second run (changes
   nothing): wall time, requests by kind and by method, and the time of each task;
3. each module on its own, as `ansible localhost -m cloudlb.azure.NAME -a '{...}'` with the
   options of the tutorial as built, so nothing changes: wall time (median of --repeat runs),
   requests per run, and that none of them writes.

Prints a Markdown report (paste it into RESULTS.md). Not a test: nothing here fails on a
number, only on a run that fails or a no-change run that writes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TIME_SCALE = 30
GROUP = "benchTutorial"
VM_COUNT = 3


def module_calls(group):
    """One no-change call per module, on what site.yml built in `group` (its default names)."""
    rg = {"resource_group": group}
    lb = dict(rg, load_balancer="myLoadBalancer")
    return [
        ("resource_group", {"name": group, "location": "westus"}),
        ("resource_group_info", {"name": group}),
        ("public_ip", dict(rg, name="myPublicIP", location="westus", sku="Standard")),
        ("public_ip_info", dict(rg, name="myPublicIP")),
        ("virtual_network", dict(rg, name="myVnet", address_prefixes=["10.0.0.0/16"],
                                 subnets=[{"name": "mySubnet", "address_prefix": "10.0.0.0/24"}])),
        ("virtual_network_info", dict(rg, name="myVnet")),
        ("security_group", dict(rg, name="myNetworkSecurityGroup", rules=[{
            "name": "myNetworkSecurityGroupRule", "priority": 1001, "direction": "Inbound", "access": "Allow",
            "protocol": "Tcp", "source_address_prefixes": ["*"], "destination_port_ranges": ["80"]}])),
        ("security_group_info", dict(rg, name="myNetworkSecurityGroup")),
        ("load_balancer", dict(rg, name="myLoadBalancer", sku="Standard", frontend_ip_configurations=[
            {"name": "myFrontEndPool", "public_ip_address": "myPublicIP"}], backend_pools=["myBackEndPool"])),
        ("load_balancer_info", dict(rg, name="myLoadBalancer")),
        ("lb_probe", dict(lb, name="myHealthProbe", protocol="Tcp", port=80, interval=15, number_of_probes=2)),
        ("lb_rule", dict(lb, name="myLoadBalancerRule", protocol="Tcp", frontend_port=80, backend_port=80,
                         frontend_ip_configuration="myFrontEndPool", backend_pool="myBackEndPool",
                         probe="myHealthProbe")),
        ("network_interface", dict(rg, name="myNic1", virtual_network="myVnet", subnet="mySubnet",
                                   security_group="myNetworkSecurityGroup")),
        ("network_interface_info", dict(rg, name="myNic1")),
        ("lb_pool_member", dict(lb, network_interface="myNic1", backend_pool="myBackEndPool")),
        ("lb_health_info", dict(lb, rule="myLoadBalancerRule")),
        ("network_tags", dict(rg, load_balancer="myLoadBalancer")),
        ("availability_set", dict(rg, name="myAvailabilitySet", platform_fault_domain_count=3,
                                  platform_update_domain_count=2)),
        ("virtual_machine", dict(rg, name="myVM1")),
        ("virtual_machine_info", dict(rg, name="myVM1")),
    ]


class Bench:
    def __init__(self, azemu, workdir):
        self.azemu = azemu
        home = workdir / "home"
        home.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AZURE_", "ANSIBLE_")) and k not in ("REQUESTS_CA_BUNDLE", "PYTHONPATH")}
        self.env.update(azemu.env())
        self.env.update({
            "HOME": str(home),
            "PATH": f"{BIN}{os.pathsep}{self.env.get('PATH', '')}",
            "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".venv" / "collections"),
            "ANSIBLE_HOME": str(home / ".ansible"),
            "ANSIBLE_NOCOLOR": "1",
        })
        self.workdir = workdir

    def run(self, command, results=None):
        """(seconds, requests since start) of one process; raises on a non-zero exit."""
        env = dict(self.env)
        if results:
            env.update({"ANSIBLE_CALLBACK_PLUGINS": str(ROOT / "tests" / "integration" / "callback_plugins"),
                        "ANSIBLE_STDOUT_CALLBACK": "json_results", "CLOUDLB_TEST_RESULTS": str(results)})
        mark = self.azemu.mark()
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return seconds, self.azemu.requests(since=mark)

    def adhoc(self, module, args=None):
        command = [str(BIN / "ansible"), "localhost", "-m", module]
        if args is not None:
            command += ["-a", json.dumps(args)]
        return self.run(command)

    def playbook(self, path, name):
        results = self.workdir / f"{name}.json"
        extra = json.dumps({"resource_group": GROUP, "health_wait_interval": 0.5, "vms_wait_delay": 1})
        seconds, requests = self.run([str(BIN / "ansible-playbook"), path, "-e", extra], results)
        return seconds, requests, json.loads(results.read_text())


def by(requests, key):
    return dict(sorted(Counter(r[key] for r in requests).items()))


def arm(requests):
    return [r for r in requests if r["kind"] == "arm"]


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def task_times(document):
    """Per-task seconds of a playbook run, summed by action (module), with the count of tasks."""
    times, counts = Counter(), Counter()
    for record in document["tasks"]:
        times[record["action"]] += record["duration"]
        counts[record["action"]] += 1
    return [(action, counts[action], times[action]) for action in sorted(times, key=times.get, reverse=True)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per module and for ping (median taken)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    options = parser.parse_args()
    from azemu.testing import Azemu

    raw = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "machine": f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
           "load_before": load()}
    out = []
    with tempfile.TemporaryDirectory(prefix="cloudlb-bench-") as tmp, \
            Azemu(Path(tmp) / "azemu", time_scale=TIME_SCALE) as azemu:
        bench = Bench(azemu, Path(tmp))
        ansible_version = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True,
                                         check=True).stdout.splitlines()[0]
        raw["ansible"] = ansible_version

        pings = [bench.adhoc("ansible.builtin.ping")[0] for _ in range(options.repeat)]
        ping = statistics.median(pings)
        raw["ping"] = pings

        site = {}
        for name in ("first", "second"):
            seconds, requests, document = bench.playbook("site.yml", f"site-{name}")
            writes = [r for r in requests if r["write"]]
            site[name] = {"seconds": seconds, "requests": len(requests), "arm": len(arm(requests)),
                          "by_kind": by(requests, "kind"), "arm_by_method": by(arm(requests), "method"),
                          "writes": [f"{r['method']} {r['path'].rsplit('/providers/', 1)[-1]}" for r in writes],
                          "changed": document["stats"]["localhost"]["changed"],
                          "tasks": task_times(document)}
        raw["site"] = site

        modules = []
        for module, args in module_calls(GROUP):
            runs = [bench.adhoc(f"cloudlb.azure.{module}", args) for _ in range(options.repeat)]
            requests = runs[-1][1]
            # azemu's log does not count read-only POSTs (the rule health query) as writes.
            writes = [r for r in requests if r["write"]]
            if writes:
                raise SystemExit(f"{module} wrote on a no-change run: {writes}")
            modules.append({"module": module, "seconds": statistics.median(s for s, _ in runs),
                            "all_seconds": [round(s, 2) for s, _ in runs],
                            "requests": len(requests), "arm": len(arm(requests)),
                            "arm_by_method": by(arm(requests), "method")})
        raw["modules"] = modules
    raw["load_after"] = load()

    out.append(f"## Run of {raw['date']}\n")
    out.append(f"- machine: {raw['machine']}; {raw['ansible']}")
    out.append(f"- load average (1, 5, 15 min): {raw['load_before']} before, {raw['load_after']} after")
    out.append(f"- azemu time scale {TIME_SCALE}, {VM_COUNT} VMs, medians of {options.repeat} runs\n")
    out.append(f"Baseline `ansible localhost -m ansible.builtin.ping`: **{ping:.2f} s** "
               f"(runs: {', '.join(f'{s:.2f}' for s in pings)})\n")
    out.append("### site.yml\n")
    out.append("| run | seconds | changed | requests | ARM requests by method | other requests | writes |")
    out.append("| --- | ---: | ---: | ---: | --- | --- | --- |")
    for name, s in site.items():
        other = {k: v for k, v in s["by_kind"].items() if k != "arm"}
        out.append(f"| {name} | {s['seconds']:.1f} | {s['changed']} | {s['requests']} | {s['arm_by_method']} "
                   f"| {other} | {len(s['writes'])} |")
    out.append("\nWrites of the second run: " + (", ".join(site["second"]["writes"]) or "none") + "\n")
    out.append("Second run, time per module (sum over its tasks):\n")
    out.append("| action | tasks | seconds | per task |")
    out.append("| --- | ---: | ---: | ---: |")
    for action, count, seconds in site["second"]["tasks"]:
        out.append(f"| {action} | {count} | {seconds:.2f} | {seconds / count:.2f} |")
    out.append("\n### Each module, no change (`ansible localhost -m cloudlb.azure.NAME`)\n")
    out.append("| module | seconds | over ping | requests | ARM requests by method |")
    out.append("| --- | ---: | ---: | ---: | --- |")
    for m in modules:
        out.append(f"| {m['module']} | {m['seconds']:.2f} | {m['seconds'] - ping:+.2f} | {m['requests']} "
                   f"| {m['arm_by_method']} |")
    report = "\n".join(out)
    print(report)
    if options.json:
        options.json.write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()
