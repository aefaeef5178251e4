"""The Azure CLI runs the tutorial (az_tutorial.py) against azemu, set up as a user would.

custom cloud: a private AZURE_CONFIG_DIR and HOME, then
    az cloud register --name azemu --endpoint-resource-manager <ARM URL>   (the ARM URL alone)
    az cloud set --name azemu
    az config set core.instance_discovery=false
    az login --service-principal -u <client> -p <secret> --tenant <tenant>
with REQUESTS_CA_BUNDLE trusting azemu's CA.
proxy: the same private dirs, `azemu env --proxy`'s HTTPS_PROXY and CA bundle, and only
    az login --service-principal ...          (public AzureCloud, az's default)

Each command is one process; after the VM step and each half of step 5, balancing.py checks
what the load balancer does with new connections.
"""

from __future__ import annotations

import shlex
import string
import subprocess
import time

import az_tutorial
import balancing
from instance import ClientRoute, clean_environ
from results import FAILED, PASSED, Step, short

TIMEOUT = 600       # seconds one az command may take


def error_text(stderr: str) -> str:
    """az's own error: its ERROR: lines, else the last lines of stderr."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    return short(" ".join(errors or lines[-3:]))


class AzRoute(ClientRoute):
    def __init__(self, *args):
        super().__init__(*args)
        self.az = self.venv / "bin" / "az"
        self.printed: dict[str, str] = {}     # command -> what az printed

    def env(self) -> dict[str, str]:
        return clean_environ(**self.emu.route_env(), HOME=str(self.work / "home"),
                             AZURE_CONFIG_DIR=str(self.work / "azure"), AZURE_CORE_COLLECT_TELEMETRY="false",
                             AZURE_CORE_NO_COLOR="true", AZURE_CORE_SURVEY_MESSAGE="false",
                             PATH=f"{self.az.parent}:/usr/bin:/bin")

    def run(self, step: Step, env: dict[str, str]) -> bool:
        # $AZURE_SECRET and the like, as a user's script has them, so the table shows no secret
        argv = shlex.split(string.Template(step.command).substitute(self.emu.client_env()))
        started = time.time()
        try:
            done = subprocess.run([str(self.az), *argv[1:]], cwd=self.work, env=env, capture_output=True,
                                  text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.result.add(step, FAILED, f"no answer within {TIMEOUT} s", started=started)
            return False
        ok = done.returncode == 0
        self.printed[step.command] = done.stdout.strip()
        self.result.add(step, PASSED if ok else FAILED, "" if ok else error_text(done.stderr or done.stdout),
                        started=started, ended=time.time())
        return ok

    def setup_steps(self) -> list[Step]:
        login = Step("setup", "az login --service-principal -u $AZURE_CLIENT_ID -p $AZURE_SECRET --tenant $AZURE_TENANT")
        if self.emu.via_proxy:
            return [login]
        return [Step("setup", f"az cloud register --name azemu --endpoint-resource-manager {self.emu.url}"),
                Step("setup", "az cloud set --name azemu"),
                Step("setup", "az config set core.instance_discovery=false"), login]

    def run_all(self) -> None:
        (self.work / "home").mkdir(parents=True, exist_ok=True)
        (self.work / "cloud-init.txt").write_text(az_tutorial.cloud_init())
        env = self.env()
        for step in self.setup_steps():
            self.run(step, env)
        vms_ok, address = True, None
        for step in az_tutorial.steps():
            ok = self.run(step, env)
            if " vm create " in f" {step.command} ":
                vms_ok &= ok
            if "public-ip show" in step.command:
                address = self.printed.get(step.command) if ok else None
                balancing.check(self.result, "spread", self.emu.dataplane, address, vms_ok)
            elif "address-pool remove" in step.command:
                balancing.check(self.result, "vm2-out", self.emu.dataplane, address, vms_ok and ok)
            elif "address-pool add" in step.command:
                balancing.check(self.result, "vm2-back", self.emu.dataplane, address, vms_ok and ok)
