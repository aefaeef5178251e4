"""The test API's own credential, no secrets in its answers, loopback only unless told
otherwise, and a request log whose sequence survives restarts and refuses marks it cannot
answer for."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys

import pytest

from armclient import Arm
from azemu.cli import loopback
from azemu.testing import Mark
from conftest import start_azemu

AUTHENTICATED = [("GET", "requests?since=0"), ("GET", "counters"), ("GET", "settings"), ("PUT", "settings"),
                 ("GET", "faults"), ("PUT", "faults"), ("GET", "identities"), ("GET", "state")]


@pytest.mark.parametrize("method,path", AUTHENTICATED)
def test_the_test_api_needs_its_own_token(emu, method, path):
    body = {} if method == "PUT" else None
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {emu.token()}"},
                    {"Authorization": emu.test_api_token}):
        status, resp_headers, doc = emu.http(method, f"/_azemu/{path}", body, headers)
        assert status == 401, (headers, status, doc)
        assert doc["error"]["code"] == "Unauthorized" and "testapi-token" in doc["error"]["message"]
        assert resp_headers.get("WWW-Authenticate") == 'Bearer realm="azemu test API"'
    assert emu.test_api(method, path, body)[0] == 200


def test_health_and_the_data_plane_status_stay_open(emu):
    status, _, doc = emu.http("GET", "/_azemu/health")
    assert status == 200 and doc == {"status": "ok"}
    status, _, doc = emu.http("GET", "/_azemu/dataplane")
    assert status == 200 and "backends" in doc


def test_the_token_is_the_owners_only_and_kept(tmp_path):
    emu = start_azemu(tmp_path / "state")
    try:
        path = tmp_path / "state" / "testapi-token"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        token = emu.test_api_token
        assert len(token) >= 40
        emu.restart()
        assert emu.test_api_token == token and emu.test_api("GET", "counters")[0] == 200
    finally:
        emu.stop()


def test_no_answer_of_the_test_api_carries_a_secret(emu, arm, rg):
    secrets = [t["client_secret"] for t in emu.identities()]
    assert len(secrets) == 2 and emu.identities()[1]["tenant_id"] != emu.info["tenant_id"]
    shown = emu._test_api("GET", "identities")["tenants"]
    assert [t["tenant_id"] for t in shown] == [t["tenant_id"] for t in emu.identities()]
    assert all("client_secret" not in t for t in shown)
    arm.put(arm.widget(rg, "w1"), {"location": "westus"})
    for method, path in AUTHENTICATED:
        if method == "GET":
            text = json.dumps(emu._test_api(method, path))
            assert not [s for s in secrets if s in text], path
            assert emu.test_api_token not in text


# --- listening address --------------------------------------------------------------------------

def test_loopback_addresses():
    assert all(loopback(h) for h in ("127.0.0.1", "127.3.4.5", "::1", "[::1]", "localhost", "LOCALHOST"))
    assert not any(loopback(h) for h in ("0.0.0.0", "::", "192.0.2.1", "10.0.0.1", "example.com", ""))


def serve(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "azemu", "serve", "--state-dir", str(tmp_path / "s"), *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.com"])
def test_a_non_loopback_address_is_refused(tmp_path, host):
    run = serve(tmp_path, "--host", host)
    assert run.returncode == 2, run
    assert f"refusing to listen on {host}" in run.stderr and "--allow-remote" in run.stderr
    assert not (tmp_path / "s" / "azemu.json").exists()


def test_allow_remote_warns(tmp_path):
    """With --allow-remote azemu tries, and says what it exposes. 192.0.2.1 (TEST-NET-1) is no
    address of this machine, so it fails to bind there and nothing ever listens off loopback."""
    run = serve(tmp_path, "--host", "192.0.2.1", "--allow-remote")
    assert "WARNING" in run.stderr and "listening on 192.0.2.1, which other hosts may reach" in run.stderr
    assert run.returncode != 0 and not (tmp_path / "s" / "azemu.json").exists()


# --- the request log across restarts --------------------------------------------------------------

def test_the_sequence_goes_on_across_restarts_and_kills(tmp_path):
    emu = start_azemu(tmp_path / "state")
    try:
        arm = Arm(emu)
        put = lambda name: arm.put(f"/resourcegroups/{name}", {"location": "westus"}, api_version="2021-04-01")
        put("one")
        mark = emu.mark()
        put("two")
        emu.restart()
        put("three")
        assert [r["path"].rsplit("/", 1)[1] for r in emu.writes(since=mark)] == ["two", "three"]
        seq = emu.mark()
        assert seq == mark + 2 and seq.log == mark.log
        os.kill(emu.proc.pid, signal.SIGKILL)      # no clean shutdown: nothing written at exit
        emu.proc.wait(10)
        emu.stop()
        emu.start()
        put("four")
        assert [r["path"].rsplit("/", 1)[1] for r in emu.writes(since=seq)] == ["four"]
        assert emu.requests(since=0)[0]["seq"] == 1     # the whole log, from before both restarts
    finally:
        emu.stop()


def test_a_mark_from_the_future_or_another_azemu_fails_loudly(emu, tmp_path):
    mark = emu.mark()
    with pytest.raises(RuntimeError, match="from the future"):
        emu.writes(since=Mark(mark + 10, mark.log))
    with pytest.raises(RuntimeError, match="from the future"):
        emu.requests(since=int(mark) + 10)
    other = start_azemu(tmp_path / "other")
    try:
        theirs = other.mark()
        assert theirs.log != mark.log
        with pytest.raises(RuntimeError, match="belongs to request log"):
            emu.writes(since=theirs)
        with pytest.raises(RuntimeError, match="belongs to request log"):
            other.writes(since=mark)
    finally:
        other.stop()
    assert emu.writes(since=mark) == []
