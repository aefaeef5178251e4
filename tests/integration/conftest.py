"""Integration tests: real ansible-playbook runs against one azemu per test session.

Fixtures for every integration test (resource groups now; networking, load balancer and
compute later):

- ``azemu``: the running ``azemu.testing.Azemu`` (``.mark()``, ``.writes(since=)``, ``.env()``, ...);
- ``azure_env``: a copy of the environment a playbook run gets (azemu's credentials and CA,
  the collection path, a private HOME); change it and pass it as ``run_playbook(env=...)``;
- ``run_playbook(tasks | playbook=path, check=, diff=, env=, extra_env=, vars=, module_defaults=)``:
  runs ``ansible-playbook`` on localhost with this venv's Python and returns a PlaybookRun;
- ``unique_name(prefix)``: a resource name no other test uses;
- ``home``: the private HOME of the runs (for ``~/.azure/credentials``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
# Variables of the developer's shell that would change what a run does.
SCRUBBED_PREFIXES = ("AZURE_", "ANSIBLE_", "MOLECULE_")
SCRUBBED_NAMES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "PYTHONPATH")


class PlaybookRun:
    """What one ansible-playbook run produced: return code, output and the task results."""

    def __init__(self, rc, stdout, stderr, document):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.document = document or {"tasks": [], "stats": {}}

    @property
    def ok(self):
        return self.rc == 0

    @property
    def records(self):
        """Every task result record: name, action, host, status, duration (s), result."""
        return self.document["tasks"]

    @property
    def tasks(self):
        """The results (module return values plus changed/failed/...) of localhost's tasks, in order."""
        return [record["result"] for record in self.records if record["host"] == "localhost"]

    @property
    def stats(self):
        return self.document["stats"]

    def record(self, name):
        matches = [record for record in self.records if record["name"] == name]
        if not matches:
            raise AssertionError(f"no task named {name!r} ran; tasks: {[r['name'] for r in self.records]}\n{self.output()}")
        return matches[-1]

    def task(self, name):
        """The result of the (last) task called ``name``."""
        return self.record(name)["result"]

    def during(self, name, requests):
        """Those of ``requests`` (azemu's log entries) made while the (last) task ``name`` ran."""
        record = self.record(name)
        return [request for request in requests if record["started"] <= request["time"] <= record["ended"]]

    def output(self):
        """Everything the run printed, for assertion messages and leak checks."""
        return f"rc={self.rc}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}\n--- results\n{json.dumps(self.document, indent=1)}"

    def __repr__(self):
        return f"<PlaybookRun rc={self.rc} tasks={[r['name'] for r in self.records]}>"


class PlaybookRunner:
    def __init__(self, env, workdir):
        self.env = env
        self.workdir = workdir
        self.inventory = workdir / "inventory.ini"
        self.inventory.write_text(
            f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n", encoding="utf-8"
        )
        self.count = 0

    def __call__(
        self,
        tasks=None,
        *,
        playbook=None,
        check=False,
        diff=False,
        env=None,
        extra_env=None,
        vars=None,
        module_defaults=None,
        args=(),
        timeout=600,
    ):
        """Run ``tasks`` (a list of task dicts, as one play on localhost) or ``playbook`` (a path)."""
        self.count += 1
        run_dir = self.workdir / f"run-{self.count:03d}"
        run_dir.mkdir()
        if playbook is None:
            play = {"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
            if vars:
                play["vars"] = vars
            if module_defaults:
                play["module_defaults"] = module_defaults
            playbook = run_dir / "playbook.yml"
            playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
        results = run_dir / "results.json"
        run_env = dict(self.env if env is None else env)
        run_env.update(extra_env or {})
        run_env["CLOUDLB_TEST_RESULTS"] = str(results)
        command = [str(VENV_BIN / "ansible-playbook"), "-i", str(self.inventory), str(playbook), *args]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        proc = subprocess.run(command, cwd=run_dir, env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
        document = json.loads(results.read_text(encoding="utf-8")) if results.exists() else None
        run = PlaybookRun(proc.returncode, proc.stdout, proc.stderr, document)
        if document is None:
            raise AssertionError(f"ansible-playbook produced no results\n{run.output()}")
        return run

    def each_refused(self, azemu, cases, counted=lambda request: True, **kwargs):
        """Options a module must refuse before it sends anything, as tasks of one playbook
        rather than a playbook each: ``cases`` are (task, words) pairs. Every task fails, with
        ``words`` in its message, and the run sends no request that ``counted`` selects."""
        tasks = [dict(task, name=f"case {i}", ignore_errors=True) for i, (task, _words) in enumerate(cases)]
        mark = azemu.mark()
        run = self(tasks, **kwargs)
        sent = [request for request in azemu.requests(since=mark) if counted(request)]
        for task, (_task, words) in zip(tasks, cases):
            record = run.record(task["name"])
            assert record["status"] == "failed", (task, run.output())
            assert words in record["result"]["msg"], (task, record["result"])
            assert run.during(task["name"], sent) == [], task
        assert sent == []
        return run


@pytest.fixture(scope="session")
def collections_root(tmp_path_factory):
    """A collections root where ansible_collections/cloudlb/azure is this repository."""
    root = tmp_path_factory.mktemp("collections")
    namespace = root / "ansible_collections" / "cloudlb"
    namespace.mkdir(parents=True)
    (namespace / "azure").symlink_to(REPO_ROOT, target_is_directory=True)
    return root


@pytest.fixture(scope="session")
def azemu(tmp_path_factory):
    from azemu.testing import Azemu

    # proxy=True: it also answers as public Azure through its proxy (test_public_azure.py).
    with Azemu(tmp_path_factory.mktemp("azemu-state"), proxy=True) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def base_env(azemu, collections_root, home):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(SCRUBBED_PREFIXES) and name not in SCRUBBED_NAMES
    }
    env.update(azemu.env())
    env.update(
        {
            "HOME": str(home),
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
            "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins"),
            "ANSIBLE_STDOUT_CALLBACK": "json_results",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_NOCOLOR": "True",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_HOME": str(home / ".ansible"),
        }
    )
    return env


@pytest.fixture
def azure_env(base_env):
    return dict(base_env)


@pytest.fixture(scope="session")
def run_playbook(base_env, tmp_path_factory):
    return PlaybookRunner(base_env, tmp_path_factory.mktemp("playbooks"))


@pytest.fixture
def unique_name():
    def make(prefix="rg"):
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    return make


class PlainSdk:
    """The Azure SDK used directly, as the contract says a client reaches azemu (no module code).

    For setting up and checking state around playbook runs.
    """

    def __init__(self, env):
        import requests
        from azure.identity import ClientSecretCredential

        self.env = env
        arm = env["AZURE_CLOUD_ENVIRONMENT"].rstrip("/")
        metadata = requests.get(
            f"{arm}/metadata/endpoints?api-version=2022-09-01", verify=env["REQUESTS_CA_BUNDLE"], timeout=30
        ).json()
        metadata = metadata[0] if isinstance(metadata, list) else metadata
        self.base_url = metadata.get("resourceManager") or arm
        self.scope = metadata["authentication"]["audiences"][0] + "/.default"
        self.credential = ClientSecretCredential(
            env["AZURE_TENANT"],
            env["AZURE_CLIENT_ID"],
            env["AZURE_SECRET"],
            authority=metadata["authentication"]["loginEndpoint"],
            disable_instance_discovery=True,
            connection_verify=env["REQUESTS_CA_BUNDLE"],
        )
        self._clients = {}

    def client(self, cls):
        if cls not in self._clients:
            self._clients[cls] = cls(
                self.credential,
                self.env["AZURE_SUBSCRIPTION_ID"],
                base_url=self.base_url,
                credential_scopes=[self.scope],
                connection_verify=self.env["REQUESTS_CA_BUNDLE"],
            )
        return self._clients[cls]

    @property
    def resource(self):
        from azure.mgmt.resource.resources import ResourceManagementClient

        return self.client(ResourceManagementClient)

    @property
    def network(self):
        from azure.mgmt.network import NetworkManagementClient

        return self.client(NetworkManagementClient)

    def create_resource_in(self, group, name="pip-holder"):
        """Put one resource (a public IP) in ``group``; returns its id."""
        poller = self.network.public_ip_addresses.begin_create_or_update(
            group,
            name,
            {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}},
        )
        return poller.result().id


@pytest.fixture(scope="session")
def sdk(base_env):
    return PlainSdk(base_env)
