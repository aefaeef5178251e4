"""The ARM framework, through the example types of widgets.py over real HTTPS."""

from __future__ import annotations

import re
import time

ETAG_RE = re.compile(r'^W/"[0-9a-f-]{36}"$')


def make_widget(arm, rg, name="w1", **props):
    r = arm.put(arm.widget(rg, name), {"location": "westus", "properties": props})
    assert r.status == 201, r
    return r


def poll(arm, url, limit=20):
    """Follow an operation URL until it stops saying InProgress/202."""
    for _ in range(limit):
        r = arm.follow(url)
        if not (r.status == 202 or (r.body or {}).get("status") == "InProgress"):
            return r
        time.sleep(0.05)
    raise AssertionError(f"operation {url} never finished")


# --- routing, api-version, envelope -----------------------------------------------------------

def test_routing_is_case_insensitive_and_ids_keep_creation_case(arm, rg):
    created = make_widget(arm, rg, "MyWidget")
    assert created.body["id"].endswith(f"/resourceGroups/{rg}/providers/Microsoft.Azemu/widgets/MyWidget")
    upper = arm.get(f"/RESOURCEGROUPS/{rg.upper()}/PROVIDERS/microsoft.azemu/WIDGETS/mywidget")
    assert upper.status == 200
    assert upper.body["id"] == created.body["id"]
    assert upper.body["name"] == "MyWidget"
    assert upper.body["type"] == "Microsoft.Azemu/widgets"


def test_api_version_is_required(arm, rg):
    r = arm.get(arm.widget(rg), api_version=None)
    assert r.status == 400
    assert r.body == {"error": {"code": "MissingApiVersionParameter",
                                "message": "The api-version query parameter (?api-version=) is required for all requests."}}
    assert arm.get(arm.widget(rg), api_version="yesterday").body["error"]["code"] == "InvalidApiVersionParameter"


def test_errors_use_the_envelope(arm, rg):
    cases = [
        (arm.get(arm.widget(rg, "missing")), 404, "ResourceNotFound"),
        (arm.get("/resourceGroups/nope-rg/providers/Microsoft.Azemu/widgets/x"), 404, "ResourceGroupNotFound"),
        (arm.get(f"/resourceGroups/{rg}/providers/Microsoft.Nothing/things/x"), 400, "InvalidResourceNamespace"),
        (arm.get(f"/resourceGroups/{rg}/providers/Microsoft.Azemu/things/x"), 400, "InvalidResourceType"),
        (arm.put(arm.widget(rg, "w"), {"location": "westus", "properties": {"color": "green"}}), 400,
         "InvalidRequestFormat"),
        (arm.put(arm.widget(rg, "w"), {"properties": {}}), 400, "LocationRequired"),
        (arm.put(arm.widget(rg, "w"), {"location": "moon"}), 400, "LocationNotAvailableForResourceType"),
        (arm.put(arm.widget(rg, "bad%20name!"), {"location": "westus"}), 400, "InvalidResourceName"),
        (arm.call("PUT", arm.widget(rg, "w"), None), 400, "InvalidRequestContent"),
        (arm.get("/nonsense/path"), 404, "InvalidRequestUri"),
    ]
    for resp, status, code in cases:
        assert resp.status == status, (code, resp)
        assert set(resp.body) == {"error"}, resp
        assert resp.body["error"]["code"] == code
        assert resp.body["error"]["message"]
        assert resp.headers.get("Content-Type") == "application/json; charset=utf-8"
        assert resp.headers.get("x-ms-request-id")


def test_malformed_json_is_invalid_request_content(emu, arm, rg):
    status, _, body = emu.http("PUT", arm.path(arm.widget(rg, "w")) + "?api-version=2024-05-01", None,
                               {"Authorization": f"Bearer {arm.token}"})
    assert status == 400 and body["error"]["code"] == "InvalidRequestContent"


def test_bodies_are_read_as_arm_reads_them(emu, arm, rg):
    """Newtonsoft's leniency: comments, unquoted names, single quotes, trailing commas."""
    import requests
    url = f"{emu.url}{arm.path(arm.widget(rg, 'lenient'))}?api-version=2024-05-01"
    headers = {"Authorization": f"Bearer {arm.token}", "Content-Type": "application/json"}
    body = "{ // a widget\n location: 'westus', /* red */ \"properties\": {\"color\": \"red\",},}"
    assert requests.put(url, data=body, headers=headers, verify=emu.ca_file, timeout=30).status_code == 201
    assert arm.get(arm.widget(rg, "lenient")).body["properties"]["color"] == "red"
    bad = requests.put(url, data="{location: ", headers=headers, verify=emu.ca_file, timeout=30)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidRequestContent"


def test_location_is_normalised_and_tags_kept(arm, rg):
    r = arm.put(arm.widget(rg, "w"), {"location": "East US 2", "tags": {"env": "test"}})
    assert r.body["location"] == "eastus2"
    assert r.body["tags"] == {"env": "test"}
    r = arm.patch(arm.widget(rg, "w"), {"tags": {"only": "this"}})
    assert r.status == 200 and r.body["tags"] == {"only": "this"}


# --- etags and conditional requests -----------------------------------------------------------

def test_etag_changes_on_every_write_and_is_sent_on_get(arm, rg):
    created = make_widget(arm, rg)
    first = arm.get(arm.widget(rg, "w1"))
    assert ETAG_RE.match(first.body["etag"])
    assert first.headers.get("ETag") == first.body["etag"]
    assert created.body["etag"] != first.body["etag"]    # completing the operation is a write too
    updated = arm.put(arm.widget(rg, "w1"), {"location": "westus", "properties": {"color": "red"}})
    assert updated.status == 200
    second = arm.get(arm.widget(rg, "w1"))
    assert len({created.body["etag"], first.body["etag"], updated.body["etag"], second.body["etag"]}) == 4


def test_if_match_and_if_none_match(arm, rg):
    make_widget(arm, rg)
    etag = arm.get(arm.widget(rg, "w1")).body["etag"]
    body = {"location": "westus", "properties": {"color": "red"}}
    stale = arm.put(arm.widget(rg, "w1"), body, headers={"If-Match": 'W/"00000000-0000-0000-0000-000000000000"'})
    assert stale.status == 412 and stale.body["error"]["code"] == "PreconditionFailed"
    assert arm.put(arm.widget(rg, "w1"), body, headers={"If-Match": etag}).status == 200
    assert arm.put(arm.widget(rg, "w1"), body, headers={"If-None-Match": "*"}).status == 412
    assert arm.put(arm.widget(rg, "new"), body, headers={"If-Match": "*"}).status == 412
    assert arm.put(arm.widget(rg, "new"), body, headers={"If-None-Match": "*"}).status == 201
    assert arm.delete(arm.widget(rg, "new"), headers={"If-Match": etag}).status == 412


# --- long-running operations ------------------------------------------------------------------

def test_put_and_delete_finish_on_the_first_poll(arm, rg):
    created = make_widget(arm, rg)
    assert created.body["properties"]["provisioningState"] == "Updating"
    async_url = created.headers.get("Azure-AsyncOperation")
    assert re.search(r"/providers/Microsoft\.Azemu/locations/westus/operations/[0-9a-f-]+\?api-version=", async_url)
    # Over at once (latency 0): the write's Retry-After says there is nothing to wait for.
    assert created.headers.get("Retry-After") == "0"
    assert created.headers.get("Location") is None
    status = arm.follow(async_url)
    assert status.status == 200 and status.body == {"status": "Succeeded"}
    assert status.headers.get("Retry-After") is None
    assert arm.get(arm.widget(rg, "w1")).body["properties"]["provisioningState"] == "Succeeded"

    deleted = arm.delete(arm.widget(rg, "w1"))
    assert deleted.status == 202 and deleted.body is None
    assert "/operationResults/" in deleted.headers.get("Location")
    assert deleted.headers.get("Retry-After") == "0"
    assert arm.follow(deleted.headers.get("Azure-AsyncOperation")).body == {"status": "Succeeded"}
    result = arm.follow(deleted.headers.get("Location"))
    assert result.status == 204
    assert arm.get(arm.widget(rg, "w1")).status == 404
    assert arm.delete(arm.widget(rg, "w1")).status == 204


def test_operations_stay_in_progress_for_the_configured_latency(arm, rg, settings):
    settings(latency=1.0, retry_after=2)
    created = make_widget(arm, rg)
    assert created.headers.get("Retry-After") == "2"
    url = created.headers.get("Azure-AsyncOperation")
    first = arm.follow(url)
    assert first.body == {"status": "InProgress"} and first.headers.get("Retry-After") == "2"
    assert arm.get(arm.widget(rg, "w1")).body["properties"]["provisioningState"] == "Updating"
    time.sleep(1.1)
    assert arm.follow(url).body == {"status": "Succeeded"}
    assert arm.get(arm.widget(rg, "w1")).body["properties"]["provisioningState"] == "Succeeded"


def test_delete_stays_in_progress_for_the_configured_latency(arm, rg, settings):
    make_widget(arm, rg)
    settings(latency=1.0)
    deleted = arm.delete(arm.widget(rg, "w1"))
    assert arm.follow(deleted.headers.get("Location")).status == 202
    assert arm.get(arm.widget(rg, "w1")).body["properties"]["provisioningState"] == "Deleting"
    time.sleep(1.1)
    assert arm.follow(deleted.headers.get("Location")).status == 204
    assert arm.get(arm.widget(rg, "w1")).status == 404


def test_a_newer_write_supersedes_a_running_one(arm, rg, settings):
    settings(latency=5)
    first = make_widget(arm, rg)
    arm.put(arm.widget(rg, "w1"), {"location": "westus", "properties": {"color": "red"}})
    status = arm.follow(first.headers.get("Azure-AsyncOperation")).body
    assert status["status"] == "Canceled"
    assert status["error"]["details"][0]["code"] == "CanceledAndSupersededDueToAnotherOperation"
    arm.delete(arm.widget(rg, "w1"))
    blocked = arm.put(arm.widget(rg, "w1"), {"location": "westus"})
    assert blocked.status == 409 and blocked.body["error"]["code"] == "AnotherOperationInProgress"


def test_actions_long_running_and_get(arm, rg):
    make_widget(arm, rg)
    started = arm.post(arm.widget(rg, "w1", "polish"), {"shine": 3})
    assert started.status == 202
    assert started.headers.get("Azure-AsyncOperation") and started.headers.get("Location")
    assert arm.follow(started.headers.get("Azure-AsyncOperation")).body == {"status": "Succeeded"}
    result = arm.follow(started.headers.get("Location"))
    assert result.status == 200 and result.body == {"shine": 3, "by": "w1"}
    assert "polishedAt" in arm.get(arm.widget(rg, "w1")).body["properties"]
    assert arm.post(arm.widget(rg, "w1", "polish"), {"shine": "x"}).status == 400
    inspect = arm.get(arm.widget(rg, "w1", "inspect"))
    assert inspect.status == 200 and inspect.body == {"color": "blue", "gadgets": []}
    assert arm.post(arm.widget(rg, "nope", "polish")).status == 404
    assert arm.put(arm.widget(rg, "w1", "inspect"), {}).status == 405


def test_compute_style_operations_and_failures(arm, rg):
    path = f"/resourceGroups/{rg}/providers/Microsoft.Azemu/gizmos/g1"
    created = arm.put(path, {"location": "westus"})
    assert created.body["properties"]["provisioningState"] == "Creating"
    status = arm.follow(created.headers.get("Azure-AsyncOperation")).body
    assert status["status"] == "Succeeded" and {"startTime", "endTime", "name"} <= set(status)
    restart = arm.post(path + "/restart")
    assert "monitor=true" in restart.headers.get("Location")
    assert arm.follow(restart.headers.get("Location")).status == 200
    failing = arm.post(path + "/fail")
    failed = arm.follow(failing.headers.get("Azure-AsyncOperation")).body
    assert failed["status"] == "Failed" and failed["error"]["code"] == "OperationNotAllowed"
    result = arm.follow(failing.headers.get("Location"))
    assert result.status == 409 and result.body["error"]["code"] == "OperationNotAllowed"


def test_synchronous_type_and_in_use_delete(arm, rg):
    widget = make_widget(arm, rg).body["id"]
    sprocket = f"/resourceGroups/{rg}/providers/Microsoft.Azemu/sprockets/s1"
    created = arm.put(sprocket, {"location": "westus", "properties": {"widget": {"id": widget.upper()}}})
    assert created.status == 200 and created.headers.get("Azure-AsyncOperation") is None
    assert created.body["properties"]["provisioningState"] == "Succeeded"
    bad = arm.put(sprocket, {"location": "westus", "properties": {"widget": {"id": widget + "x"}}})
    assert bad.status == 400 and bad.body["error"]["code"] == "InvalidResourceReference"
    assert arm.get(arm.widget(rg, "w1")).body["properties"]["usedBy"] == [{"id": created.body["id"]}]
    in_use = arm.delete(arm.widget(rg, "w1"))
    assert in_use.status == 400 and in_use.body["error"]["code"] == "WidgetInUse"
    assert arm.delete(sprocket).status == 200
    assert arm.delete(arm.widget(rg, "w1")).status == 202


# --- embedded children ------------------------------------------------------------------------

def test_embedded_children_are_addressable_and_share_the_parent_etag(arm, rg):
    r = arm.put(arm.widget(rg, "w1"), {"location": "westus", "properties": {"gadgets": [
        {"name": "g1", "properties": {"size": 2}}]}})
    gadget = r.body["properties"]["gadgets"][0]
    assert gadget["id"] == r.body["id"] + "/gadgets/g1"
    assert gadget["type"] == "Microsoft.Azemu/widgets/gadgets"
    assert gadget["etag"] == r.body["etag"]

    child = arm.put(arm.widget(rg, "w1", "gadgets", "G2"), {"properties": {"size": 5}})
    assert child.status == 201 and child.body["name"] == "G2"
    assert child.headers.get("Azure-AsyncOperation")
    parent = arm.get(arm.widget(rg, "w1"))
    assert [g["name"] for g in parent.body["properties"]["gadgets"]] == ["g1", "G2"]
    assert parent.body["properties"]["gadgetCount"] == 2
    got = arm.get(arm.widget(rg, "W1", "GADGETS", "g2"))
    assert got.status == 200 and got.headers.get("ETag") == parent.body["etag"] == got.body["etag"]
    listed = arm.get(arm.widget(rg, "w1", "gadgets"))
    assert [g["name"] for g in listed.body["value"]] == ["g1", "G2"]

    assert arm.put(arm.widget(rg, "w1", "gadgets", "g1"), {"properties": {"size": 99}}).status == 400
    assert arm.put(arm.widget(rg, "w1", "gadgets", "g1"), {"properties": {"size": 3}},
                   headers={"If-Match": 'W/"stale"'}).status == 412
    updated = arm.put(arm.widget(rg, "w1", "gadgets", "g1"), {"properties": {"size": 3}})
    assert updated.status == 200 and updated.body["properties"]["size"] == 3

    removed = arm.delete(arm.widget(rg, "w1", "gadgets", "g1"))
    assert removed.status == 202 and removed.headers.get("Location")
    assert arm.follow(removed.headers.get("Location")).status == 204
    assert arm.get(arm.widget(rg, "w1", "gadgets", "g1")).status == 404
    assert arm.delete(arm.widget(rg, "w1", "gadgets", "g1")).status == 204
    assert arm.put(arm.widget(rg, "nope", "gadgets", "g1"), {}).body["error"]["code"] == "ParentResourceNotFound"


def test_get_then_put_back_round_trips(arm, rg):
    arm.put(arm.widget(rg, "w1"), {"location": "westus", "properties": {"gadgets": [{"name": "g1"}]}})
    current = arm.get(arm.widget(rg, "w1")).body
    again = arm.put(arm.widget(rg, "w1"), current, headers={"If-Match": current["etag"]})
    assert again.status == 200
    after = arm.get(arm.widget(rg, "w1")).body
    assert after["properties"]["widgetGuid"] == current["properties"]["widgetGuid"]
    assert {k: v for k, v in after.items() if k != "etag"} == {k: v for k, v in current.items() if k != "etag"} | {
        "properties": {**current["properties"], "gadgets": [
            {**g, "etag": after["etag"]} for g in current["properties"]["gadgets"]]}}


# --- lists and paging -------------------------------------------------------------------------

def test_lists_are_paged_with_next_link(arm, rg, settings):
    for i in range(5):
        make_widget(arm, rg, f"w{i}")
    settings(page_size=2)
    names, url, pages = [], None, 0
    r = arm.get(arm.widget(rg))
    while True:
        pages += 1
        assert r.status == 200
        names += [w["name"] for w in r.body["value"]]
        if "nextLink" not in r.body:
            break
        assert "api-version=" in r.body["nextLink"]
        r = arm.follow(r.body["nextLink"])
    assert names == [f"w{i}" for i in range(5)] and pages == 3
    in_sub = arm.get("/providers/Microsoft.Azemu/widgets", query="$top=3")
    assert len(in_sub.body["value"]) == 2 and "nextLink" in in_sub.body


# --- request log and counters -----------------------------------------------------------------

def test_request_log_and_counters(emu, arm, rg):
    mark = emu.mark()
    before = emu.counters()
    make_widget(arm, rg)
    arm.get(arm.widget(rg, "w1"))
    log = emu.requests(since=mark)
    assert [(e["method"], e["status"]) for e in log] == [("PUT", 201), ("GET", 200)]
    assert log[0]["type"] == "Microsoft.Azemu/widgets" and log[0]["write"] and not log[1]["write"]
    assert [e["seq"] for e in log] == [mark + 1, mark + 2]
    assert emu.writes(since=mark) == log[:1]
    after = emu.counters()
    assert after["writes"] == before["writes"] + 1
    assert after["by_type"]["PUT Microsoft.Azemu/widgets"] == before["by_type"].get("PUT Microsoft.Azemu/widgets", 0) + 1
    assert emu.mark() == mark + 2     # reading the log is not logged


def test_request_log_keeps_the_error_of_an_error_answer(emu, arm, rg):
    mark = emu.mark()
    make_widget(arm, rg, "w-ok")
    arm.get(arm.widget(rg, "missing"))
    ok, missing = emu.requests(since=mark)
    assert ok["error"] is None
    assert missing["status"] == 404 and missing["error"]["code"] == "ResourceNotFound"
    assert "missing" in missing["error"]["message"]
    tenant = emu.identities()[0]
    emu.http("POST", f"/{tenant['tenant_id']}/oauth2/v2.0/token", form={
        "grant_type": "client_credentials", "client_id": tenant["client_id"], "client_secret": "wrong",
        "scope": emu.url + "/.default"})
    token = emu.requests(since=missing["seq"])[0]
    assert token["status"] == 401 and token["error"]["code"] == "invalid_client"
    assert token["error"]["message"].startswith("AADSTS7000215")


def test_settings_endpoint_validates(emu):
    status, body = emu.test_api("PUT", "settings", {"latency": -1})
    assert status == 400 and "latency" in body["error"]["message"]
    status, body = emu.test_api("PUT", "settings", {"nope": 1})
    assert status == 400
    status, body = emu.test_api("PUT", "settings", {"retry_after": 0})
    assert status == 400
