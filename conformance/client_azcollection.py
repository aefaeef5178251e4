"""azure.azcollection runs the tutorial (azcollection_tutorial.yml) against azemu, one tag at a
time, so that the balancing checks run after the VM step and each half of step 5.

custom cloud: `azemu env`'s variables (AZURE_CLOUD_ENVIRONMENT = the ARM URL, AZURE_CLIENT_ID,
AZURE_SECRET, AZURE_TENANT, AZURE_SUBSCRIPTION_ID, REQUESTS_CA_BUNDLE) and
    ARM_CLOUD_METADATA_URL=<ARM URL>/metadata/endpoints?api-version=2019-05-01
    SSL_CERT_FILE=<azemu's CA>   AZURE_DISABLE_INSTANCE_DISCOVERY=true
azure.azcollection looks a cloud_environment URL up among azure-cli-core's KNOWN_CLOUDS, which
that variable makes azure-cli-core load (urllib, hence SSL_CERT_FILE) from the URL: the array
form of the document, which is what api-version 2019-05-01 answers (2022-09-01 answers one
object). azure-cli-core caches it in AZURE_CONFIG_DIR/cloudEndpoints.json, so that dir is private.
proxy: `azemu env --proxy`'s variables, no cloud at all (public AzureCloud).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import yaml

import balancing
from az_tutorial import cloud_init
from instance import ClientRoute, clean_environ
from results import FAILED, NOT_RUN, PASSED, Step, short

HERE = Path(__file__).resolve().parent
PLAYBOOK = HERE / "azcollection_tutorial.yml"
CALLBACKS = HERE.parent / "tests" / "integration" / "callback_plugins"   # json_results
METADATA_API_VERSION = "2019-05-01"
TIMEOUT = 900
# The playbook's tags in the tutorial's order, and the check after each.
PARTS = (("step2", None), ("step3", None), ("step4", "spread"), ("step5_remove", "vm2-out"),
         ("step5_add", "vm2-back"), ("step6", None))


def tasks_of(tag: str) -> list[Step]:
    """The playbook's tasks with `tag`, as Steps ("Step 3: ..." -> number "3")."""
    play = yaml.safe_load(PLAYBOOK.read_text())[0]
    steps = []
    for task in play["tasks"]:
        if tag in task.get("tags", []):
            name = task["name"].replace("{{ item }}", "$i")
            number, _, command = name.partition(": ")
            note = f"loop over $i in {task['loop']}" if "loop" in task else ""
            steps.append(Step(number.removeprefix("Step "), command, note))
    return steps


def task_error(record: dict) -> str:
    result = record["result"]
    failed_items = [r for r in result.get("results", []) if isinstance(r, dict) and r.get("failed")]
    return short((failed_items[0] if failed_items else result).get("msg", "") or json.dumps(result)[:300])


class AzcollectionRoute(ClientRoute):
    address: str | None = None      # the public IP the playbook printed

    def env(self) -> dict[str, str]:
        azemu_env = self.emu.client_env()
        env = clean_environ(**azemu_env)
        if not self.emu.via_proxy:
            env.update(ARM_CLOUD_METADATA_URL=f"{self.emu.url}/metadata/endpoints?api-version={METADATA_API_VERSION}",
                       SSL_CERT_FILE=self.emu.ca_file, AZURE_DISABLE_INSTANCE_DISCOVERY="true")
        env.update(HOME=str(self.work / "home"), AZURE_CONFIG_DIR=str(self.work / "azure"),
                   PATH=f"{self.venv / 'bin'}:/usr/bin:/bin",
                   ANSIBLE_COLLECTIONS_PATH=str(self.venv / "collections"), ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
                   ANSIBLE_STDOUT_CALLBACK="json_results", ANSIBLE_LOCALHOST_WARNING="false",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
        return env

    def run_part(self, tag: str, env: dict[str, str]) -> bool:
        steps = tasks_of(tag)
        results_file = self.work / f"{tag}.json"
        started = time.time()
        try:
            done = subprocess.run([str(self.venv / "bin" / "ansible-playbook"), str(PLAYBOOK), "--tags", tag,
                                   "-e", f"work_dir={self.work}"], cwd=self.work,
                                  env={**env, "CLOUDLB_TEST_RESULTS": str(results_file)}, capture_output=True,
                                  text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
            output = done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            output = f"no end within {TIMEOUT} s"
        (self.work / f"{tag}.log").write_text(output)
        records = json.loads(results_file.read_text())["tasks"] if results_file.exists() else []
        ended = time.time()
        all_ok = True
        for i, step in enumerate(steps):
            if i >= len(records):
                why = "an earlier task of this part failed" if records else short(output or "no output")
                self.result.add(step, NOT_RUN if records else FAILED, why, started=started, ended=ended)
                all_ok = False
                continue
            record = records[i]
            task_started = record.get("started") or started
            task_ended = task_started + (record.get("duration") or 0)
            ok = record["status"] == "ok"
            all_ok &= ok
            self.result.add(step, PASSED if ok else FAILED, "" if ok else task_error(record),
                            started=task_started, ended=task_ended)
            if ok and record["action"] == "ansible.builtin.debug":
                self.address = record["result"].get("msg")
        return all_ok

    def run_all(self) -> None:
        home = self.work / "home"
        (home / ".ssh").mkdir(parents=True, exist_ok=True)
        # what az vm create --generate-ssh-keys makes when there is no key
        subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(home / ".ssh" / "id_rsa")],
                       check=True, stdin=subprocess.DEVNULL)
        (self.work / "cloud-init.txt").write_text(cloud_init())
        env = self.env()
        vms_ok = True
        for tag, check in PARTS:
            ok = self.run_part(tag, env)
            if tag == "step4":
                vms_ok = ok
            if check:
                balancing.check(self.result, check, self.emu.dataplane, self.address, vms_ok and ok)
