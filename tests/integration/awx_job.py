"""AWX's side of a job, without AWX: the private data dir AWX's task system lays out for
ansible-runner, and ansible-runner itself, the engine AWX runs jobs with.

What follows AWX (ansible/awx, awx/main/tasks/jobs.py and awx/main/models/mixins.py):
- the private data dir holds ``project/`` (a copy of the project's checkout), ``inventory/hosts``
  (a script printing the inventory AWX stored, as ``write_inventory_file`` writes it),
  ``env/extravars`` (the template's survey defaults and AWX's ``awx_*`` variables),
  ``env/settings`` (``job_timeout``, ``suppress_ansible_output``), ``env/cmdline`` (``-u root``
  with no machine credential) and, for a job, the environment AWX builds: the Azure Resource
  Manager credential's injected variables, ``JOB_ID``, ``INVENTORY_ID``,
  ``ANSIBLE_RETRY_FILES_ENABLED``, ``ANSIBLE_COLLECTIONS_PATH`` (``requirements_collections``
  first, then the execution environment's collections);
- survey defaults are taken as ``_update_unified_job_kwargs`` takes them: every question's
  default that passes the question's own validation (type, min/max length or value, choices);
- an inventory update runs ``ansible-inventory --list --export -i project/<source path>
  --output artifacts/<id>/output.json --playbook-dir ...`` through ansible-runner, with the
  source's credential injected, and AWX imports that JSON;
- Cancel: AWX's worker runs ansible-runner, whose signal handler turns SIGTERM into a cancel
  that kills the playbook's process group; whatever survives the container engine's stop
  timeout is killed (SIGKILL).

The execution environment is this machine: the venv's Python, ansible-core and ansible-runner,
with cloudlb.azure installed from the built tarball in ``collections`` (the EE's
/usr/share/ansible/collections).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

VENV_BIN = Path(sys.executable).parent
# The Azure Resource Manager credential type's injector (awx_plugins.credentials, azure_rm).
CREDENTIAL_ENV = {"subscription": "AZURE_SUBSCRIPTION_ID", "client": "AZURE_CLIENT_ID", "secret": "AZURE_SECRET",
                  "tenant": "AZURE_TENANT", "cloud_environment": "AZURE_CLOUD_ENVIRONMENT"}
# podman stop's default: SIGTERM, then SIGKILL after 10 s.
STOP_TIMEOUT = 10


def survey_defaults(template):
    """The extra vars a launch with every survey default gets."""
    extra = {}
    for question in (template.get("survey_spec") or {}).get("spec", []) if template.get("survey_enabled") else []:
        if question.get("default") is not None and not survey_errors(question, question["default"]):
            extra[question["variable"]] = question["default"]
    return extra


def survey_errors(question, value):
    """What AWX's _survey_element_validation says of ``value`` as the answer to ``question``."""
    kind, low, high = question["type"], question.get("min"), question.get("max")
    if kind in ("text", "textarea", "password"):
        if not isinstance(value, str):
            return [f"{question['variable']}: {value!r} is not a string"]
        size = len(value)
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{question['variable']}: {value!r} is not an integer"]
        size = value
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{question['variable']}: {value!r} is not a number"]
        size = value
    elif kind == "multiplechoice":
        choices = question["choices"].split("\n") if isinstance(question["choices"], str) else question["choices"]
        return [] if value in choices else [f"{question['variable']}: {value!r} is not one of {choices}"]
    else:
        return []
    errors = []
    if low not in ("", None) and size < int(low):
        errors.append(f"{question['variable']}: {value!r} is below {low}")
    if high not in ("", None) and size > int(high):
        errors.append(f"{question['variable']}: {value!r} is above {high}")
    return errors


def credential_env(inputs):
    return {CREDENTIAL_ENV[key]: value for key, value in inputs.items() if key in CREDENTIAL_ENV and value}


def inventory_script(data):
    """inventory/hosts as AWX writes it: a script printing the stored inventory."""
    return "#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n" % json.dumps(data)


class Awx:
    """One AWX with one project, one Azure credential and one execution environment."""

    def __init__(self, root: Path, project: Path, collections: Path, credential: dict, task_env: dict):
        self.root = root
        self.project = project          # the synced project (AWX's projects dir)
        self.collections = collections  # the execution environment's collections
        self.credential = credential    # the Azure Resource Manager credential's inputs
        self.task_env = task_env        # AWX_TASK_ENV and the execution environment's own environment
        self.inventory = {"_meta": {"hostvars": {}}, "all": {"children": ["ungrouped"]}}
        self.next_id = 100

    def private_data_dir(self, job_id):
        pdd = self.root / f"awx_{job_id}"
        for sub in ("inventory", "env"):
            (pdd / sub).mkdir(parents=True)
        shutil.copytree(self.project, pdd / "project", symlinks=True)
        return pdd

    def env(self, pdd, job_id):
        env = dict(self.task_env)
        env.update(credential_env(self.credential))
        env.update({"AWX_PRIVATE_DATA_DIR": str(pdd), "JOB_ID": str(job_id), "INVENTORY_ID": "1",
                    "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_FORCE_COLOR": "False",
                    "ANSIBLE_HOST_KEY_CHECKING": "False",
                    "ANSIBLE_COLLECTIONS_PATH": f"{pdd / 'requirements_collections'}:{self.collections}"})
        return env

    def update_inventory(self, source):
        """Runs the inventory source through ansible-runner; keeps and returns what it lists."""
        import ansible_runner

        self.next_id += 1
        update_id = self.next_id
        pdd = self.private_data_dir(update_id)
        output = pdd / "artifacts" / str(update_id) / "output.json"
        output.parent.mkdir(parents=True)
        source_path = pdd / "project" / source["source_path"]
        result = ansible_runner.run_command(
            executable_cmd=str(VENV_BIN / "ansible-inventory"),
            cmdline_args=["--list", "--export", "-i", str(source_path), "--output", str(output),
                          "--playbook-dir", str(source_path.parent)],
            private_data_dir=str(pdd), project_dir=str(pdd / "project"), envvars=self.env(pdd, update_id),
            quiet=True)
        stdout, stderr, rc = result
        if rc != 0:
            raise AssertionError(f"inventory update failed ({rc}):\n{stdout}\n{stderr}")
        self.inventory = json.loads(output.read_text())
        return self.inventory

    def launch(self, template, extra_vars=None, wait=True, timeout=900):
        """Launches a job of ``template`` with its own extra vars, its survey defaults over them
        (and ``extra_vars`` as survey answers); returns the Job, finished unless ``wait`` is false."""
        self.next_id += 1
        job_id = self.next_id
        pdd = self.private_data_dir(job_id)
        own = template.get("extra_vars") or {}
        own = yaml.safe_load(own) if isinstance(own, str) else own   # awx.awx.job_template takes either
        answers = {**own, **survey_defaults(template), **(extra_vars or {})}
        meta = {"awx_job_id": job_id, "tower_job_id": job_id, "awx_job_launch_type": "manual",
                "awx_job_template_name": template["name"], "awx_inventory_name": template["inventory"],
                "awx_project_revision": "HEAD", "awx_user_name": "admin"}
        (pdd / "env" / "extravars").write_text(yaml.safe_dump(dict(answers, **meta)))
        (pdd / "env" / "envvars").write_text(yaml.safe_dump(self.env(pdd, job_id)))
        (pdd / "env" / "settings").write_text(json.dumps({"job_timeout": 0, "suppress_ansible_output": True,
                                                          "suppress_output_file": False}))
        (pdd / "env" / "cmdline").write_text("-u root")
        hosts = pdd / "inventory" / "hosts"
        hosts.write_text(inventory_script(self.inventory))
        hosts.chmod(0o700)
        command = [str(VENV_BIN / "ansible-runner"), "run", str(pdd), "--ident", str(job_id),
                   "--playbook", template["playbook"], "--inventory", str(hosts)]
        with open(pdd / "runner.log", "w", encoding="utf-8") as log:
            process = subprocess.Popen(command, env=self.task_env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        job = Job(job_id, pdd, process)
        if wait:
            job.wait(timeout)
        return job


class Job:
    def __init__(self, job_id, pdd, process):
        self.id = job_id
        self.pdd = pdd
        self.process = process
        self.artifacts = pdd / "artifacts" / str(job_id)

    @property
    def run_id(self):
        return f"awx-{self.id}"

    def wait(self, timeout=900):
        self.process.wait(timeout)
        return self

    def cancel(self):
        """As AWX cancels: SIGTERM to ansible-runner, SIGKILL after the stop timeout."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)
        return self

    @property
    def status(self):
        path = self.artifacts / "status"
        return path.read_text().strip() if path.exists() else None

    def events(self):
        folder = self.artifacts / "job_events"
        if not folder.is_dir():
            return []
        events = []
        for path in folder.glob("*.json"):
            try:
                events.append(json.loads(path.read_text()))
            except (OSError, ValueError):   # being written, or renamed from its -partial name
                continue
        return sorted(events, key=lambda e: e.get("counter", 0))

    def wait_for_event(self, predicate, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"job {self.id} ended ({self.status}) before the event:\n{self.output()}")
            if any(predicate(event) for event in self.events()):
                return
            time.sleep(0.2)
        raise AssertionError(f"no such event in job {self.id} within {timeout} s")

    def failed_events(self):
        return [e for e in self.events() if e["event"] in ("runner_on_failed", "runner_on_unreachable",
                                                           "runner_item_on_failed")
                and not (e.get("event_data") or {}).get("ignore_errors")]

    def stats(self):
        """The playbook_on_stats event's counts: {"changed": {host: n}, "failures": ..., ...}."""
        stats = [e for e in self.events() if e["event"] == "playbook_on_stats"]
        return stats[-1]["event_data"] if stats else {}

    def changed(self, host="localhost"):
        return (self.stats().get("changed") or {}).get(host, 0)

    def task_results(self, task):
        return [e["event_data"]["res"] for e in self.events()
                if e["event"] == "runner_on_ok" and e["event_data"].get("task") == task]

    def output(self):
        texts = [path.read_text() for path in (self.artifacts / "stdout", self.pdd / "runner.log") if path.exists()]
        return f"job {self.id}: {self.status}\n" + "\n".join(text[-20000:] for text in texts)
