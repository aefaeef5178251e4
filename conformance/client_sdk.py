"""The Azure SDK for Python runs sdk_sample.py (the network-python-manage-loadbalancer flow) in
its own venv, with the sample's variables: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
AZURE_SUBSCRIPTION_ID; REQUESTS_CA_BUNDLE for azemu's CA; ARM_ENDPOINT for the custom cloud,
`azemu env --proxy`'s HTTPS_PROXY (and no ARM_ENDPOINT) for the proxy."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from instance import ClientRoute, clean_environ
from results import FAILED, NOT_RUN, PASSED, Step, short

SAMPLE = Path(__file__).with_name("sdk_sample.py")
TIMEOUT = 900


class SdkRoute(ClientRoute):

    def env(self) -> dict[str, str]:
        azemu_env = self.emu.client_env()
        env = clean_environ(**self.emu.route_env(), AZURE_TENANT_ID=azemu_env["AZURE_TENANT"],
                            AZURE_CLIENT_ID=azemu_env["AZURE_CLIENT_ID"], AZURE_CLIENT_SECRET=azemu_env["AZURE_SECRET"],
                            AZURE_SUBSCRIPTION_ID=azemu_env["AZURE_SUBSCRIPTION_ID"])
        if not self.emu.via_proxy:
            env["ARM_ENDPOINT"] = self.emu.url
        return env

    def run_all(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        started = time.time()
        try:
            done = subprocess.run([str(self.venv / "bin" / "python"), str(SAMPLE)], cwd=self.work, env=self.env(), capture_output=True,
                                  text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as err:
            done = subprocess.CompletedProcess(err.cmd, -1, err.stdout or "", f"no end within {TIMEOUT} s")
        (self.work / "sample.log").write_text(done.stdout + "\n--- stderr\n" + done.stderr)
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        for line in lines:
            outcome = PASSED if line["ok"] else NOT_RUN if line["ok"] is None else FAILED
            self.result.add(Step(line["number"], line["command"]), outcome, short(line["error"]),
                            started=line["started"], ended=line["ended"])
        if done.returncode and not any(r.outcome == FAILED for r in self.result.results):
            self.result.add(Step("?", f"python {SAMPLE.name}"), FAILED,
                            short(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"),
                            started=started, ended=time.time())
