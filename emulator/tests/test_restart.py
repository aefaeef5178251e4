"""State survives a restart: resources, etags, identities, the CA, running operations."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from armclient import Arm
from azemu.testing import Azemu, AzemuStartError
from conftest import start_azemu


def test_restart_loses_nothing(tmp_path):
    """Stored resources, identities, the CA and tokens survive a restart, and an operation still
    running when azemu stopped completes once it is back."""
    state = tmp_path / "state"
    emu = start_azemu(state)
    try:
        arm = Arm(emu)
        assert arm.put("/resourcegroups/keep", {"location": "westus", "tags": {"k": "v"}},
                       api_version="2021-04-01").status == 201
        widget = "/resourceGroups/keep/providers/Microsoft.Azemu/widgets/w1"
        arm.put(widget, {"location": "westus", "properties": {"gadgets": [{"name": "g1"}]}})
        before = arm.get(widget).body
        info, ca = dict(emu.info), (state / "ca.pem").read_bytes()
        emu.settings(latency=1.0)
        running = arm.put("/resourceGroups/keep/providers/Microsoft.Azemu/widgets/w2", {"location": "westus"})
        assert arm.follow(running.headers.get("Azure-AsyncOperation")).body == {"status": "InProgress"}

        emu.stop()
        time.sleep(1.0)
        emu.start()
        assert emu.info["url"] == info["url"] and emu.info["pid"] != info["pid"]
        assert {k: emu.info[k] for k in ("tenant_id", "subscription_id", "client_id", "client_secret")} == \
            {k: info[k] for k in ("tenant_id", "subscription_id", "client_id", "client_secret")}
        assert (state / "ca.pem").read_bytes() == ca
        arm = Arm(emu, token=arm.token)          # a token issued before the restart still works
        assert arm.get(widget).body == before
        assert arm.get("/resourcegroups/keep", api_version="2021-04-01").body["tags"] == {"k": "v"}
        assert arm.follow(running.headers.get("Azure-AsyncOperation")).body == {"status": "Succeeded"}
        got = arm.get("/resourceGroups/keep/providers/Microsoft.Azemu/widgets/w2")
        assert got.body["properties"]["provisioningState"] == "Succeeded"

        subprocess.run([sys.executable, "-m", "azemu", "stop", "--state-dir", str(state)], check=True, timeout=20)
        assert emu.proc.wait(10) == 0
        assert not (state / "azemu.json").exists()
    finally:
        emu.stop()
    missing = subprocess.run([sys.executable, "-m", "azemu", "env", "--state-dir", str(state)],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "not running" in missing.stderr


def test_failed_start_shows_the_log(tmp_path):
    with pytest.raises(AzemuStartError) as err:
        Azemu(tmp_path / "state", plugins=["no_such_plugin_module"], startup_timeout=20).start()
    assert "no_such_plugin_module" in str(err.value)
    assert (tmp_path / "state" / "azemu.log").exists()


def test_one_state_dir_one_azemu(emu):
    with pytest.raises(AzemuStartError, match="already serves"):
        Azemu(emu.state_dir).start()
    assert emu.running and emu.info_path.exists()


def test_cli_env(emu):
    out = subprocess.run([sys.executable, "-m", "azemu", "env", "--state-dir", str(emu.state_dir)],
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "export AZURE_CLOUD_ENVIRONMENT", "export AZURE_CLIENT_ID", "export AZURE_SECRET", "export AZURE_TENANT",
        "export AZURE_SUBSCRIPTION_ID", "export REQUESTS_CA_BUNDLE"]
    env = dict(line[len("export "):].split("=", 1) for line in lines)
    assert env["AZURE_CLOUD_ENVIRONMENT"] == emu.url
    assert {k: v.strip("'") for k, v in env.items()} == emu.env()
