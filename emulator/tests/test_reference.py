"""azemu against Azure's recordings: the token and discovery exchange, and the long-running
operation exchanges (status codes, LRO headers, URL structure, body shapes) of a Network-style
resource, its embedded children and a synchronous Compute-style resource, replayed on the
example types of widgets.py. The recordings hold no resource group exchanges; resource groups
are checked against Azure's documented behaviour in test_resource_groups.py."""

from __future__ import annotations

import re
import time

import pytest

from reference import (GUID, assert_covers, find, header_set, recording, spec_file, url_template)

TOKEN_RE = "/oauth2/v2.0/token$"


@pytest.fixture(scope="module")
def ip_recording():
    return recording("ip_addresses")


@pytest.fixture(scope="module")
def lb_recording():
    return recording("load_balancer")


def test_token_response_matches(emu, settings, ip_recording):
    recorded = find(ip_recording, "POST", TOKEN_RE, 200)[0]
    settings(token_lifetime=recorded.response_body["expires_in"])   # the recording's long-lived token
    t = emu.identities()[0]
    status, headers, ours = emu.http("POST", f"/{t['tenant_id']}/oauth2/v2.0/token", form={
        "grant_type": "client_credentials", "client_id": t["client_id"], "client_secret": t["client_secret"],
        "scope": emu.url + "/.default", "client_info": "1"})
    assert status == recorded.status
    assert set(ours) == set(recorded.response_body)
    assert_covers(ours, recorded.response_body)
    assert headers.get("Content-Type") == recorded.header("Content-Type")
    assert headers.get("Cache-Control") == recorded.header("Cache-Control")


def test_openid_discovery_matches(emu, ip_recording):
    recorded = find(ip_recording, "GET", "/.well-known/openid-configuration$", 200)[0]
    tenant = emu.info["tenant_id"]
    status, headers, ours = emu.http("GET", f"/{tenant}/v2.0/.well-known/openid-configuration")
    assert status == 200
    assert set(ours) == set(recorded.response_body)
    assert_covers(ours, recorded.response_body)
    for key in ("token_endpoint", "jwks_uri", "issuer", "authorization_endpoint"):
        assert url_template(ours[key]) == url_template(recorded.response_body[key]), key
    assert headers.get("Content-Type") == recorded.header("Content-Type")


def test_network_put_get_patch_delete_exchanges_match(arm, rg, settings, ip_recording):
    settings(latency=1.0)
    path = arm.widget(rg, "w1")
    rec_put = find(ip_recording, "PUT", "/publicIPAddresses/", 201)[0]
    put = arm.put(path, {"location": "westus"})
    assert put.status == rec_put.status
    assert header_set(put.headers) == header_set(rec_put.response_headers)
    assert put.headers.get("Retry-After").isdigit() and rec_put.header("Retry-After").isdigit()
    assert url_template(put.headers.get("Azure-AsyncOperation")) == url_template(rec_put.header("Azure-AsyncOperation"))
    assert_covers(put.body, rec_put.response_body, ignore=("sku", "resourceGuid", "publicIPAddressVersion",
                                                          "publicIPAllocationMethod", "idleTimeoutInMinutes", "ipTags"))
    assert put.body["properties"]["provisioningState"] == rec_put.response_body["properties"]["provisioningState"]

    rec_polls = find(ip_recording, "GET", "/operations/")
    in_progress = next(e for e in rec_polls if e.response_body == {"status": "InProgress"})
    ours = arm.follow(put.headers.get("Azure-AsyncOperation"))
    assert (ours.status, ours.body) == (in_progress.status, in_progress.response_body)
    assert header_set(ours.headers) == header_set(in_progress.response_headers)
    time.sleep(1.05)
    succeeded = next(e for e in rec_polls if e.response_body == {"status": "Succeeded"})
    ours = arm.follow(put.headers.get("Azure-AsyncOperation"))
    assert (ours.status, ours.body) == (succeeded.status, succeeded.response_body)
    assert header_set(ours.headers) == header_set(succeeded.response_headers)

    rec_get = find(ip_recording, "GET", "/publicIPAddresses/[^/]+$", 200)[0]
    got = arm.get(path)
    assert header_set(got.headers) == header_set(rec_get.response_headers)
    assert got.headers.get("ETag") == got.body["etag"]
    assert rec_get.header("ETag") == rec_get.response_body["etag"]
    for etag in (got.body["etag"], rec_get.response_body["etag"]):
        assert re.fullmatch(f'W/"{GUID}"', etag)
    assert got.body["etag"] != put.body["etag"] and rec_get.response_body["etag"] != rec_put.response_body["etag"]

    rec_patch = find(ip_recording, "PATCH", "/publicIPAddresses/", 200)[0]
    patched = arm.patch(path, {"tags": {"tag1": "value1"}})
    assert patched.status == rec_patch.status
    assert header_set(patched.headers) == header_set(rec_patch.response_headers)

    rec_delete = find(ip_recording, "DELETE", "/publicIPAddresses/", 202)[0]
    deleted = arm.delete(path)
    assert deleted.status == rec_delete.status and deleted.body is None
    assert header_set(deleted.headers) == header_set(rec_delete.response_headers)
    for name in ("Azure-AsyncOperation", "Location"):
        assert url_template(deleted.headers.get(name)) == url_template(rec_delete.header(name)), name
    time.sleep(1.05)
    rec_result = find(ip_recording, "GET", "/operationResults/", 204)[0]
    result = arm.follow(deleted.headers.get("Location"))
    assert result.status == rec_result.status and result.body is None
    assert header_set(result.headers) == header_set(rec_result.response_headers)


def test_embedded_child_exchanges_match(arm, rg, lb_recording):
    """LB children (inboundNatRules) against the widget's gadgets: child PUT 201 with an
    operation, child etag equal to the parent's, child DELETE 202 then 204."""
    rec_put = find(lb_recording, "PUT", "/inboundNatRules/", 201)[0]
    arm.put(arm.widget(rg, "w1"), {"location": "westus"})
    child = arm.put(arm.widget(rg, "w1", "gadgets", "g1"), {"properties": {}})
    assert child.status == rec_put.status
    assert {"Azure-AsyncOperation", "Content-Type"} == header_set(rec_put.response_headers)
    assert {"Azure-AsyncOperation", "Content-Type"} <= header_set(child.headers)
    assert_covers(child.body, {k: v for k, v in rec_put.response_body.items() if k != "properties"})

    rec_child_get = find(lb_recording, "GET", "/inboundNatRules/[^/]+$", 200)[-1]
    rec_parent_get = find(lb_recording, "GET", "/loadBalancers/[^/]+$", 200)[-1]
    assert rec_child_get.header("ETag") == rec_parent_get.header("ETag")
    got = arm.get(arm.widget(rg, "w1", "gadgets", "g1"))
    assert got.headers.get("ETag") == arm.get(arm.widget(rg, "w1")).headers.get("ETag")

    rec_delete = find(lb_recording, "DELETE", "/inboundNatRules/", 202)[0]
    deleted = arm.delete(arm.widget(rg, "w1", "gadgets", "g1"))
    assert deleted.status == rec_delete.status
    assert header_set(deleted.headers) == header_set(rec_delete.response_headers)
    rec_result = find(lb_recording, "GET", "/operationResults/", 204)[0]
    result = arm.follow(deleted.headers.get("Location"))
    assert result.status == rec_result.status
    assert header_set(result.headers) == header_set(rec_result.response_headers)


def test_synchronous_compute_exchanges_match(arm, rg):
    """availabilitySets answer PUT 200 (even on create) and DELETE 200, with no operation."""
    exchanges = recording("availability_sets")
    rec_put = find(exchanges, "PUT", "/availabilitySets/")[0]
    rec_delete = find(exchanges, "DELETE", "/availabilitySets/")[0]
    path = f"/resourceGroups/{rg}/providers/Microsoft.Azemu/sprockets/s1"
    put = arm.put(path, {"location": "eastus"})
    assert put.status == rec_put.status == 200
    assert header_set(put.headers) == header_set(rec_put.response_headers) == {"Content-Type"}
    assert_covers(put.body, {k: v for k, v in rec_put.response_body.items() if k not in ("properties", "sku")})
    deleted = arm.delete(path)
    assert deleted.status == rec_delete.status == 200
    assert header_set(deleted.headers, ("Azure-AsyncOperation", "Location", "Retry-After")) == \
        header_set(rec_delete.response_headers, ("Azure-AsyncOperation", "Location", "Retry-After")) == set()


def test_error_envelope_matches_the_spec(arm, rg):
    spec = spec_file("specs/network/2024-05-01/network.json")["definitions"]
    assert set(spec["CloudError"]["properties"]) == {"error"}
    allowed = set(spec["CloudErrorBody"]["properties"])
    errors = [arm.get(arm.widget(rg, "nope")), arm.get(arm.widget(rg), api_version=None),
              arm.put(arm.widget(rg, "w"), {"location": "westus", "properties": {"color": "green"}}),
              arm.get("/resourceGroups/none/providers/Microsoft.Azemu/widgets/x")]
    for resp in errors:
        assert set(resp.body) == {"error"}
        assert {"code", "message"} <= set(resp.body["error"]) <= allowed
