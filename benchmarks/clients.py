"""The two collections under measurement, each as real ansible processes against one azemu:
cloudlb.azure (this repository, .venv) and azure.azcollection (its venv from
`make conformance-venvs`, set up as conformance/client_azcollection.py does).

Each run gives its wall time, the time until its VMs were created (for ours: until the
smoke test play that is site.yml's test step; the peer's tutorial playbook has no test step)
and azemu's request log for the run and for that first part.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PEER_VENV = ROOT / ".cache" / "conformance" / "venv-azcollection"
CALLBACKS = ROOT / "tests" / "integration" / "callback_plugins"
TIMEOUT = 3600
# site.yml's last play, the smoke test (playbooks/smoke_test.yml): from its first task on it
# only tests what the roles built.
TEST_PLAY = "Every VM of the pool answers, on every rule"
LOGIN_KINDS = ("token", "identity", "metadata")

sys.path.append(str(ROOT / "conformance"))      # its instance, results, client_azcollection


class RunFailed(RuntimeError):
    pass


@dataclass
class Run:
    """One ansible(-playbook) process: seconds, requests, and its first part (until the VMs)."""
    seconds: float
    requests: list[dict[str, Any]]
    until_vms: float | None = None
    requests_until_vms: list[dict[str, Any]] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    started_wall: float = 0.0       # time.time() at the process's start
    cpu: float = 0.0                # CPU seconds of the process and all it waited for

    def summary(self) -> dict[str, Any]:
        part = self.requests_until_vms if self.until_vms is not None else self.requests
        return {"seconds": round(self.seconds, 2), "until_vms": round(self.until_vms or self.seconds, 2),
                "cpu": round(self.cpu, 1),
                "requests": len(self.requests), "arm": count(self.requests, "arm"),
                "login": count(self.requests, *LOGIN_KINDS),
                "requests_until_vms": len(part), "arm_until_vms": count(part, "arm"),
                "login_until_vms": count(part, *LOGIN_KINDS),
                "writes": [f"{r['method']} {r['path'].rsplit('/providers/', 1)[-1]}" for r in self.requests if r["write"]]}


def children_cpu() -> float:
    """User and system seconds of the child processes waited for so far (theirs included):
    what a run costs the controller, whatever the machine's load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def count(requests: list[dict[str, Any]], *kinds: str) -> int:
    return sum(r["kind"] in kinds for r in requests)


def scrubbed_environ() -> dict[str, str]:
    """This process's environment without anything pointing a client at some Azure."""
    from instance import clean_environ
    return {k: v for k, v in clean_environ().items() if k != "PYTHONPATH"}


class Client:
    """What both collections share: run a process, time it, take azemu's requests of it."""
    name = ""
    bin_dir: Path
    results_dir: Path

    def __init__(self, emu, env: dict[str, str], cwd: Path):
        self.emu, self.env, self.cwd = emu, env, cwd

    def process(self, command: list[str], results: Path | None = None, check: bool = True) -> Run:
        env = dict(self.env)
        if results is not None:
            env.update(ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS), ANSIBLE_STDOUT_CALLBACK="json_results",
                       CLOUDLB_TEST_RESULTS=str(results))
        mark = self.emu.mark()
        cpu = children_cpu()
        started, wall = time.perf_counter(), time.time()
        proc = subprocess.run(command, cwd=self.cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
        seconds = time.perf_counter() - started
        run = Run(seconds, self.emu.requests(since=mark), started_wall=wall, cpu=children_cpu() - cpu)
        if results is not None and results.exists():
            run.document = json.loads(results.read_text())
        if check and proc.returncode != 0:
            failed = [t for t in run.document.get("tasks", []) if t["status"] in ("failed", "unreachable")]
            why = (f"task {failed[0]['name']!r}: {failed[0]['result'].get('msg', '')}" if failed
                   else (proc.stderr or proc.stdout)[-1500:])
            raise RunFailed(f"{self.name}: {Path(command[0]).name} {command[1]} failed ({proc.returncode}): {why}")
        return run

    def adhoc(self, module: str, args: dict[str, Any] | None = None) -> Run:
        command = [str(self.bin_dir / "ansible"), "localhost", "-m", module]
        return self.process(command + (["-a", json.dumps(args)] if args is not None else []))

    def task_over_ping(self, module: str, args: dict[str, Any], repeat: int) -> dict[str, Any]:
        """Median seconds of one ad-hoc task with `module`, less that of ansible.builtin.ping."""
        pings = [self.adhoc("ansible.builtin.ping") for _ in range(repeat)]
        runs = [self.adhoc(module, args) for _ in range(repeat)]
        writes = [r for run in runs for r in run.requests if r["write"]]
        return {"ping": round(median(p.seconds for p in pings), 2), "task": round(median(r.seconds for r in runs), 2),
                "over_ping": round(median(r.seconds for r in runs) - median(p.seconds for p in pings), 2),
                "cpu_over_ping": round(median(r.cpu for r in runs) - median(p.cpu for p in pings), 2),
                "requests": len(runs[-1].requests), "writes": len(writes)}

    def cut(self, run: Run, test_play: str | None) -> Run:
        """Set the run's first part: until the first task of `test_play` started (None: the whole run)."""
        if test_play is None:
            return run
        started = next((t["started"] for t in run.document.get("tasks", []) if t.get("play") == test_play), None)
        if started is not None:
            run.until_vms = started - run.started_wall
            run.requests_until_vms = [r for r in run.requests if r["time"] < started]
        return run


class Ours(Client):
    name = "cloudlb.azure"
    bin_dir = BIN

    def __init__(self, emu, work: Path):
        home = work / "home"
        home.mkdir(parents=True, exist_ok=True)
        env = scrubbed_environ()
        env.update(emu.env())
        env.update({"HOME": str(home), "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
                    "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                    "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".venv" / "collections"),
                    "ANSIBLE_HOME": str(home / ".ansible"), "ANSIBLE_NOCOLOR": "1"})
        super().__init__(emu, env, ROOT)
        self.work = work

    def playbook(self, path: str, name: str, extra: dict[str, Any], test_play: str | None = None) -> Run:
        results = self.work / f"{name}.json"
        command = [str(BIN / "ansible-playbook"), path, "-e", json.dumps(extra)]
        return self.cut(self.process(command, results), test_play)

    def site(self, name: str, extra: dict[str, Any]) -> Run:
        return self.playbook("site.yml", name, extra, TEST_PLAY)


class Peer(Client):
    """azure.azcollection 3.21.0 reaching azemu as a custom cloud (conformance/README.md)."""
    name = "azure.azcollection"
    bin_dir = PEER_VENV / "bin"

    def __init__(self, emu, work: Path):
        from client_azcollection import AzcollectionRoute
        from results import RouteResult
        work.mkdir(parents=True, exist_ok=True)
        route = AzcollectionRoute(PEER_VENV, emu, work, RouteResult("azcollection", "custom cloud"))
        super().__init__(emu, route.prepare(), work)
        self.work = work

    @staticmethod
    def available() -> bool:
        return (PEER_VENV / ".installed").exists()

    @staticmethod
    def version() -> str:
        manifest = PEER_VENV / "collections" / "ansible_collections" / "azure" / "azcollection" / "MANIFEST.json"
        return json.loads(manifest.read_text())["collection_info"]["version"] if manifest.exists() else "absent"

    def tutorial(self, name: str, group: str) -> Run:
        """Its tutorial playbook's steps 2-4: the resource group to the VMs and the public IP."""
        from client_azcollection import PLAYBOOK
        results = self.work / f"{name}.json"
        command = [str(self.bin_dir / "ansible-playbook"), str(PLAYBOOK), "--tags", "step2,step3,step4",
                   "-e", json.dumps({"work_dir": str(self.work), "rg": group})]
        return self.process(command, results)
