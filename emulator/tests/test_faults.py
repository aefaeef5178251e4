"""Fault injection (azemu/faults.py): ARM's throttling and failure answers, dropped connections
before and after the write, operations that end Failed or Canceled, delays; limited to a
method, a path or a type; deterministic for a seed; never outside ARM."""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient

from azemu.testing import Azemu
from conftest import plugin_env
from network_helpers import finish

RG_API = "2021-04-01"


@pytest.fixture
def faults(emu):
    """Set fault rules for one test; none are left afterwards."""
    yield emu.faults
    emu.faults([])


def scoped(rg, **rule):
    """A rule limited to one resource group's paths, so no other test is hit."""
    return dict(rule, path=f"*/resourcegroups/{rg}*")


def widget_body(**props):
    return {"location": "westus", "properties": props}


def logged(emu, mark):
    return [(e["method"], e["status"], e.get("fault")) for e in emu.requests(since=mark)]


def test_the_document_is_checked_and_shown_with_its_counters(emu, faults):
    bad_rules = [{"status": 404}, {"drop": "later"}, {"lro": "Done"}, {"delay": -1}, {"status": 429, "share": 2},
                 {"status": 429, "drop": "after"}, {"share": 0.5}, {"status": 500, "colour": "red"},
                 {"status": 429, "method": 3}, {"status": 429, "retry_after": 0}]
    bad = [{"rules": [rule]} for rule in bad_rules] + [{"seed": "x", "rules": []}, {"rules": "all"}, {"rulez": []}]
    for doc in bad:
        status, body = emu.test_api("PUT", "faults", doc)
        assert status == 400 and body["error"]["code"] == "InvalidFaults" and body["error"]["message"], (doc, body)
    assert emu.faults()["rules"] == []
    shown = faults([{"status": 429, "share": 0.1, "method": "put"},
                    {"lro": "failed", "type": "Microsoft.Azemu/widgets"},
                    {"delay": 0.5, "path": "*/widgets/*"}, {"drop": "after", "share": 0.02}], seed=7)
    assert shown == {"seed": 7, "injected": 0, "rules": [
        {"status": 429, "share": 0.1, "retry_after": 1, "method": ["PUT"], "matched": 0, "injected": 0},
        {"lro": "Failed", "share": 1.0, "type": "microsoft.azemu/widgets", "matched": 0, "injected": 0},
        {"delay": 0.5, "share": 1.0, "path": "*/widgets/*", "matched": 0, "injected": 0},
        {"drop": "after", "share": 0.02, "matched": 0, "injected": 0}]}
    assert faults([])["rules"] == []


def test_throttling_is_arms_429(emu, arm, rg, faults):
    faults([scoped(rg, status=429, retry_after=3)])
    mark = emu.mark()
    cases = [(arm.get(arm.widget(rg, "w1")), "read"), (arm.put(arm.widget(rg, "w1"), widget_body()), "write"),
             (arm.post(arm.widget(rg, "w1", "polish"), {}), "write"), (arm.delete(arm.widget(rg, "w1")), "delete")]
    for resp, kind in cases:
        assert resp.status == 429, resp
        assert resp.body["error"]["code"] == "SubscriptionRequestsThrottled"
        assert re.fullmatch(rf"Number of '{kind}' requests for subscription '{arm.sub}' actor '[0-9a-f-]+' "
                            r"exceeded\. Please try again after '3' seconds after additional tokens are available\. "
                            r"Refer to https://aka\.ms/arm-throttling for additional information\.",
                            resp.body["error"]["message"])
        assert resp.headers.get("Retry-After") == "3"
        assert resp.headers.get(f"x-ms-ratelimit-remaining-subscription-{kind}s") == "0"
        assert resp.headers.get("x-ms-request-id")
    assert logged(emu, mark) == [(m, 429, "status:429") for m in ("GET", "PUT", "POST", "DELETE")]
    assert emu.faults()["rules"][0]["injected"] == 4 and emu.counters()["faults"] >= 4
    # A request ARM would refuse for its token gets that answer: throttling comes after it.
    arm.token = "-"
    assert arm.get(arm.widget(rg, "w1")).status == 401


def test_internal_server_error_is_arms_500(emu, arm, rg, faults):
    faults([scoped(rg, status=500)])
    resp = arm.put(arm.widget(rg, "w1"), widget_body(), headers={"x-ms-correlation-request-id": "corr-1"})
    assert resp.status == 500
    assert resp.body["error"]["code"] == "InternalServerError"
    assert re.fullmatch(rf"Encountered internal server error\. Diagnostic information: timestamp "
                        rf"'\d{{8}}T\d{{6}}Z', subscription id '{arm.sub}', tracking id '[0-9a-f-]{{36}}', "
                        r"request correlation id 'corr-1'\.", resp.body["error"]["message"])
    faults([])
    assert arm.get(arm.widget(rg, "w1")).status == 404          # nothing was done


async def raw_put(emu, token, path, body):
    """A PUT over a connection of its own: (status, body), or None when azemu closes it first."""
    url = urlsplit(emu.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port,
                                                   ssl=ssl.create_default_context(cafile=emu.ca_file))
    payload = json.dumps(body).encode()
    writer.write((f"PUT {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    return int(raw.split(b" ", 2)[1]) if raw else None


def test_dropped_connections_before_and_after_the_write(emu, arm, rg, faults):
    path = arm.path(arm.widget(rg, "w1")) + "?api-version=2024-05-01"
    faults([scoped(rg, drop="before", method="PUT")])
    mark = emu.mark()
    assert asyncio.run(raw_put(emu, arm.token, path, widget_body())) is None
    assert arm.get(arm.widget(rg, "w1")).status == 404          # not done
    faults([scoped(rg, drop="after", method="PUT")])
    assert asyncio.run(raw_put(emu, arm.token, path, widget_body(color="red"))) is None
    got = arm.get(arm.widget(rg, "w1"))                          # done, though the answer was lost
    assert got.status == 200 and got.body["properties"]["color"] == "red"
    assert asyncio.run(raw_put(emu, arm.token, path, widget_body(color="green"))) is None   # an error, lost too
    assert [e for e in logged(emu, mark) if e[0] == "PUT"] == [
        ("PUT", 0, "drop:before"), ("PUT", 201, "drop:after"), ("PUT", 400, "drop:after")]


def test_a_dropped_answer_is_not_captured(emu, arm, rg, faults):
    """No client got it, so the spec check (the capture's reader) must not judge it: the answer
    azemu never sent is left out of the capture, the answers before and after it are in."""
    path = arm.path(arm.widget(rg, "w2")) + "?api-version=2024-05-01"
    faults([scoped(rg, drop="after", method="PUT")])
    assert asyncio.run(raw_put(emu, arm.token, path, widget_body())) is None
    faults([])
    assert arm.put(arm.widget(rg, "w2"), widget_body(color="blue")).status == 200
    puts = [json.loads(line) for line in emu.capture_path.read_text(encoding="utf-8").splitlines()
            if f"/{rg}/" in line and '"method":"PUT"' in line and "/widgets/w2" in line]
    assert [p["status"] for p in puts] == [200], puts


def test_operations_that_end_failed_or_canceled(emu, arm, rg, faults):
    faults([scoped(rg, lro="Failed", method="PUT", type="Microsoft.Azemu/widgets")])
    created = arm.put(arm.widget(rg, "w1"), widget_body())
    assert created.status == 201 and created.body["properties"]["provisioningState"] == "Updating"
    assert finish(arm, created) == {"status": "Failed", "error": {"code": "InternalServerError",
                                                                   "message": "An error occurred."}}
    got = arm.get(arm.widget(rg, "w1")).body
    assert got["properties"]["provisioningState"] == "Failed" and got["etag"] != created.body["etag"]
    result = arm.follow(created.headers.get("Azure-AsyncOperation").replace("/operations/", "/operationResults/"))
    assert result.status == 500 and result.body["error"]["code"] == "InternalServerError"
    faults([])
    again = arm.put(arm.widget(rg, "w1"), widget_body())          # a new write succeeds
    assert again.status == 200 and finish(arm, again) == {"status": "Succeeded"}

    faults([scoped(rg, lro="Canceled", method="DELETE")])
    deleted = arm.delete(arm.widget(rg, "w1"))
    assert deleted.status == 202
    assert finish(arm, deleted) == {"status": "Canceled", "error": {"code": "Canceled",
                                                                     "message": "Operation was canceled."}}
    assert arm.get(arm.widget(rg, "w1")).body["properties"]["provisioningState"] == "Failed"   # still there

    # Compute's failure, and an action: it takes effect (nothing stays half-done), then fails.
    faults([scoped(rg, lro="Failed", method="PUT")])
    gizmo = f"/resourceGroups/{rg}/providers/Microsoft.Azemu/gizmos/g1"
    body = arm.follow(arm.put(gizmo, {"location": "westus"}).headers.get("Azure-AsyncOperation")).body
    assert body["status"] == "Failed" and body["error"] == {
        "code": "InternalExecutionError", "message": "An internal execution error occurred. Please retry later."}
    faults([scoped(rg, lro="Failed", method="POST")])
    polish = arm.post(arm.widget(rg, "w1", "polish"), {"shine": 2})
    assert polish.status == 202 and finish(arm, polish)["status"] == "Failed"
    assert arm.get(arm.widget(rg, "w1")).body["properties"]["polishedAt"]
    assert [r["injected"] for r in emu.faults()["rules"]] == [1]


def test_a_failed_resource_group_delete_keeps_the_group(emu, arm, faults):
    rg = f"rg-keep-{time.time_ns()}"
    assert arm.put(f"/resourcegroups/{rg}", {"location": "westus"}, api_version=RG_API).status == 201
    arm.put(arm.widget(rg, "w1"), widget_body())
    faults([scoped(rg, lro="Failed", method="DELETE")])
    deleting = arm.delete(f"/resourcegroups/{rg}", api_version=RG_API)
    assert deleting.status == 202
    done = arm.follow(deleting.headers.get("Location"))
    assert done.status == 500 and done.body["error"]["code"] == "InternalServerError"
    assert arm.get(f"/resourcegroups/{rg}", api_version=RG_API).body["properties"]["provisioningState"] == "Succeeded"
    assert arm.get(arm.widget(rg, "w1")).status == 200


def test_delay_and_limits(emu, arm, rg, faults):
    faults([scoped(rg, delay=0.4, method="GET", type="Microsoft.Azemu/widgets")])
    started = time.monotonic()
    arm.put(arm.widget(rg, "w1"), widget_body(gadgets=[{"name": "g1"}]))      # a PUT: not delayed
    put_took = time.monotonic() - started
    started = time.monotonic()
    assert arm.get(arm.widget(rg, "w1", "gadgets", "g1")).status == 200       # a child of the type: delayed
    assert time.monotonic() - started >= 0.4 > put_took
    started = time.monotonic()
    arm.get(f"/resourceGroups/{rg}/providers/Microsoft.Azemu/sprockets")     # another type: not delayed
    assert time.monotonic() - started < 0.4
    rule = emu.faults()["rules"][0]
    assert rule["matched"] == rule["injected"] == 1


def test_the_same_seed_gives_the_same_faults(emu, arm, rg, faults):
    def faulted(seed):
        faults([scoped(rg, status=500, share=0.5), scoped(rg, delay=0.0, share=0.5)], seed=seed)
        mark = emu.mark()
        for _ in range(40):
            arm.get(arm.widget(rg, "w"))
        return [e.get("fault") for e in emu.requests(since=mark)]
    first = faulted(3)
    assert first == faulted(3)
    assert first != faulted(4)
    assert 5 < sum(1 for f in first if f and "status:500" in f) < 35
    assert any(f and f.startswith("delay:0.0") for f in first)


def test_faults_hit_arm_only(emu, arm, faults):
    faults([{"status": 500}, {"drop": "before", "path": "/_azemu/*"}])
    tenant = emu.identities()[0]
    status, _, body = emu.http("POST", f"/{tenant['tenant_id']}/oauth2/v2.0/token", form={
        "grant_type": "client_credentials", "client_id": tenant["client_id"], "client_secret": tenant["client_secret"],
        "scope": emu.url + "/.default"})
    assert status == 200 and body["access_token"]
    assert emu.http("GET", f"/{tenant['tenant_id']}/v2.0/.well-known/openid-configuration")[0] == 200
    assert emu.http("GET", "/metadata/endpoints?api-version=2022-09-01")[0] == 200
    assert emu.http("GET", "/_azemu/health")[0] == 200 and emu.http("GET", "/_azemu/dataplane")[0] == 200
    assert emu.counters()["seq"] >= 0
    assert arm.get("/resourcegroups", api_version=RG_API).status == 500


def test_the_sdk_retries_throttling_as_on_azure(emu, arm, faults):
    """azure-core's retry policy waits Retry-After and tries again: our 429 is one it knows.
    (It tries 3 more times at most, so 4 throttled answers in a row fail the call, as on Azure.)"""
    rg = f"rg-throttled-{time.time_ns()}"
    faults([scoped(rg, status=429, share=0.3)], seed=1)
    mark = emu.mark()
    info = emu.info
    credential = ClientSecretCredential(info["tenant_id"], info["client_id"], info["client_secret"],
                                        authority=emu.url + "/", disable_instance_discovery=True,
                                        connection_verify=emu.ca_file)
    client = ResourceManagementClient(credential, info["subscription_id"], base_url=emu.url,
                                      credential_scopes=[emu.url + "/.default"], connection_verify=emu.ca_file)
    for _ in range(8):
        assert client.resource_groups.create_or_update(rg, {"location": "westus"}).name == rg
    statuses = [e["status"] for e in emu.requests(since=mark) if e["method"] == "PUT"]
    assert statuses.count(429) >= 1 and statuses.count(200) + statuses.count(201) == 8, statuses


class FaultFileAzemu(Azemu):
    """azemu started with `--faults FILE`."""
    def __init__(self, state_dir, fault_file):
        super().__init__(state_dir, plugins=["widgets"], extra_env=plugin_env())
        self.fault_file = fault_file

    def command(self):
        return super().command() + ["--faults", str(self.fault_file)]


def test_serve_reads_a_fault_file(tmp_path):
    rules = {"seed": 5, "rules": [{"status": 429, "share": 0.25, "method": ["GET", "PUT"]}]}
    (tmp_path / "faults.json").write_text(json.dumps(rules))
    with FaultFileAzemu(tmp_path / "state", tmp_path / "faults.json") as emu:
        assert emu.faults() == {"seed": 5, "injected": 0, "rules": [
            {"status": 429, "share": 0.25, "retry_after": 1, "method": ["GET", "PUT"], "matched": 0, "injected": 0}]}
    (tmp_path / "bad.json").write_text('{"rules": [{"status": 418}]}')
    run = subprocess.run([sys.executable, "-m", "azemu", "serve", "--state-dir", str(tmp_path / "s2"), "--faults",
                          str(tmp_path / "bad.json")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "status must be one of 429, 500" in run.stderr
