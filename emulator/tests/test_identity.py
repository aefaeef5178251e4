"""Identity: azure-identity's real ClientSecretCredential against azemu over HTTPS, AAD's
error answers, and ARM's 401/404 answers for missing, bad or foreign tokens."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from armclient import Arm
from azemu.identity import jwt
from azemu.identity.identities import Identities

CHALLENGE_RE = re.compile(r'^Bearer authorization_uri="https://127\.0\.0\.1:\d+/[0-9a-f-]*", '
                          r'error="invalid_token", error_description="[^"]+"$')


def credential(emu, tenant=None, secret=None, **kw):
    t = tenant or emu.identities()[0]
    return ClientSecretCredential(t["tenant_id"], t["client_id"], secret or t["client_secret"],
                                  authority=emu.url + "/", disable_instance_discovery=True, **kw)


def post_form(emu, path, form):
    return emu.http("POST", path, form=form)


def claims_of(token):
    return json.loads(jwt.b64url_decode(token.split(".")[1]))


def mint(emu, **overrides):
    """A token signed with azemu's own key (read from the state dir) with chosen claims."""
    key = serialization.load_pem_private_key((Path(emu.state_dir) / "signing-key.pem").read_bytes(), None)
    claims = claims_of(emu.token())
    claims.update(overrides)
    return jwt.encode(claims, key, Identities([], key).kid)


def test_client_secret_credential_gets_a_token(emu):
    cred = credential(emu, connection_verify=emu.ca_file)
    token = cred.get_token(emu.url + "/.default")
    claims = claims_of(token.token)
    assert claims["aud"] == emu.url
    assert claims["tid"] == emu.info["tenant_id"] and claims["appid"] == emu.info["client_id"]
    assert token.expires_on > time.time() + 3000


def test_requests_ca_bundle_is_enough(emu, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_file)
    assert credential(emu).get_token(emu.url + "/.default").token


def test_wrong_secret_gets_aadsts7000215(emu):
    with pytest.raises(ClientAuthenticationError) as err:
        credential(emu, secret="not-the-secret", connection_verify=emu.ca_file).get_token(emu.url + "/.default")
    assert "AADSTS7000215" in str(err.value)
    assert "not-the-secret" not in str(err.value)
    t = emu.identities()[0]
    status, headers, body = post_form(emu, f"/{t['tenant_id']}/oauth2/v2.0/token", {
        "grant_type": "client_credentials", "client_id": t["client_id"], "client_secret": "x",
        "scope": emu.url + "/.default"})
    assert status == 401
    assert body["error"] == "invalid_client" and body["error_codes"] == [7000215]
    assert body["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    assert {"timestamp", "trace_id", "correlation_id", "error_uri"} <= set(body)


@pytest.mark.parametrize("case, status, error, code", [
    ("unknown client", 400, "unauthorized_client", 700016),
    ("unknown tenant", 400, "invalid_request", 90002),
    ("scope without .default", 400, "invalid_scope", 1002012),
    ("unknown resource", 400, "invalid_resource", 500011),
    ("no secret", 401, "invalid_client", 7000216),
    ("password grant", 400, "unsupported_grant_type", 70003),
])
def test_token_endpoint_errors(emu, case, status, error, code):
    t = emu.identities()[0]
    form = {"grant_type": "client_credentials", "client_id": t["client_id"], "client_secret": t["client_secret"],
            "scope": emu.url + "/.default"}
    tenant = t["tenant_id"]
    if case == "unknown client":
        form["client_id"] = "11111111-1111-1111-1111-111111111111"
    elif case == "unknown tenant":
        tenant = "22222222-2222-2222-2222-222222222222"
    elif case == "scope without .default":
        form["scope"] = emu.url
    elif case == "unknown resource":
        form["scope"] = "https://vault.azure.net/.default"     # a resource azemu does not serve
    elif case == "no secret":
        del form["client_secret"]
    elif case == "password grant":
        form["grant_type"] = "password"
    got = post_form(emu, f"/{tenant}/oauth2/v2.0/token", form)
    assert (got[0], got[2]["error"], got[2]["error_codes"]) == (status, error, [code])


def test_discovery_and_v1_token(emu):
    t = emu.identities()[0]
    status, _, doc = emu.http("GET", f"/{t['tenant_id']}/v2.0/.well-known/openid-configuration")
    assert status == 200
    assert doc["issuer"] == f"{emu.url}/{t['tenant_id']}/v2.0"
    assert doc["token_endpoint"] == f"{emu.url}/{t['tenant_id']}/oauth2/v2.0/token"
    status, _, keys = emu.http("GET", doc["jwks_uri"].split(emu.url, 1)[1])
    assert status == 200 and keys["keys"][0]["kty"] == "RSA"
    status, _, doc = emu.http("GET", "/33333333-3333-3333-3333-333333333333/v2.0/.well-known/openid-configuration")
    assert status == 400 and doc["error"] == "invalid_tenant"
    status, _, v1 = post_form(emu, f"/{t['tenant_id']}/oauth2/token", {
        "grant_type": "client_credentials", "client_id": t["client_id"], "client_secret": t["client_secret"],
        "resource": emu.url + "/"})
    assert status == 200 and v1["resource"] == emu.url + "/" and v1["expires_in"].isdigit()


# --- ARM's side ---------------------------------------------------------------------------------

def test_no_token_gets_401_with_challenge(emu):
    r = Arm(emu, token="-").get("/resourcegroups", api_version="2021-04-01")
    assert r.status == 401
    assert r.body["error"]["code"] == "AuthenticationFailed"
    assert CHALLENGE_RE.match(r.headers.get("WWW-Authenticate")), r.headers.get("WWW-Authenticate")


@pytest.mark.parametrize("token_kind, code", [
    ("garbage", "InvalidAuthenticationToken"),
    ("foreign key", "InvalidAuthenticationToken"),
    ("expired", "ExpiredAuthenticationToken"),
    ("wrong audience", "InvalidAuthenticationTokenAudience"),
])
def test_bad_tokens_get_401(emu, token_kind, code):
    if token_kind == "garbage":
        token = "not.a.jwt"
    elif token_kind == "foreign key":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(claims_of(emu.token()), key, "other")
    elif token_kind == "expired":
        token = mint(emu, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200)
    else:
        token = mint(emu, aud="https://vault.azure.net")
    r = Arm(emu, token=token).get("/resourcegroups", api_version="2021-04-01")
    assert r.status == 401 and r.body["error"]["code"] == code
    assert CHALLENGE_RE.match(r.headers.get("WWW-Authenticate"))


def test_token_of_another_tenant(emu):
    other = emu.identities()[1]
    token = emu.token(other)
    r = Arm(emu, token=token).get("/resourcegroups", api_version="2021-04-01")
    assert r.status == 401
    assert r.body["error"]["code"] == "InvalidAuthenticationTokenTenant"
    assert "wrong issuer" in r.body["error"]["message"]
    assert emu.info["tenant_id"] in r.headers.get("WWW-Authenticate")
    own = Arm(emu, token=token, subscription=other["subscription_id"]).get("/resourcegroups", api_version="2021-04-01")
    assert own.status == 200 and own.body == {"value": []}


def test_unknown_subscription(arm):
    r = arm.get("/subscriptions/44444444-4444-4444-4444-444444444444/resourcegroups", api_version="2021-04-01")
    assert r.status == 404
    assert r.body == {"error": {"code": "SubscriptionNotFound",
                                "message": "The subscription '44444444-4444-4444-4444-444444444444' could not be found."}}


def test_subscription_and_tenant_listing(emu, arm):
    subs = arm.get("/subscriptions", api_version="2022-12-01")
    assert [s["subscriptionId"] for s in subs.body["value"]] == [emu.info["subscription_id"]]
    tenants = arm.get("/tenants", api_version="2022-12-01")
    assert tenants.body["value"][0]["tenantId"] == emu.info["tenant_id"]
