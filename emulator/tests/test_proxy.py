"""Proxy mode: unmodified clients (the Azure SDK and MSAL with their defaults) reach azemu as
public Azure through `HTTPS_PROXY`; everything else the proxy refuses, and direct clients keep
azemu's own URLs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import uuid

import msal
import pytest
import requests
from azure.identity import ClientSecretCredential

from armclient import Arm
from azemu.cli import env_vars
from azemu.hosts import INSTANCE_METADATA
from azemu.identity import jwt
from conftest import start_azemu
from reference import cli_recording, spec_file

ARM = "https://management.azure.com"
LOGIN = "https://login.microsoftonline.com"
NETWORK_API = "2024-05-01"


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    instance = start_azemu(tmp_path_factory.mktemp("azemu-proxy"), proxy=True)
    yield instance
    instance.stop()


@pytest.fixture
def proxy_route(emu, monkeypatch):
    """The process environment `azemu env --proxy` gives: what an unmodified client sees."""
    for name in list(os.environ):
        if name.startswith("AZURE_") or name.lower() in ("http_proxy", "all_proxy", "https_proxy", "no_proxy"):
            monkeypatch.delenv(name)
    env = emu.env(proxy=True)
    assert "AZURE_CLOUD_ENVIRONMENT" not in env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def public(emu):
    """requests through the proxy, trusting only azemu's CA."""
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"https": emu.info["proxy_url"]}
    session.verify = emu.ca_file
    with session:
        yield session


@pytest.fixture
def tenant(emu):
    return emu.identities()[0]


def claims_of(token):
    return json.loads(jwt.b64url_decode(token.split(".")[1]))


def client_token(public, tenant, *, v1=False, audience=ARM):
    form = {"grant_type": "client_credentials", "client_id": tenant["client_id"],
            "client_secret": tenant["client_secret"]}
    if v1:
        form["resource"] = audience
    else:
        form["scope"] = audience + "/.default"
    path = "oauth2/token" if v1 else "oauth2/v2.0/token"
    r = public.post(f"{LOGIN}/{tenant['tenant_id']}/{path}", data=form, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


# --- the real SDK with its defaults ---------------------------------------------------------------

def test_sdk_defaults_reach_azemu_as_public_azure(emu, proxy_route, tenant):
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.network.models import (BackendAddressPool, FrontendIPConfiguration, LoadBalancer,
                                           LoadBalancerSku, PublicIPAddress, PublicIPAddressSku, SubResource)
    from azure.mgmt.resource.resources import ResourceManagementClient

    seen = []    # (method, url, status, headers, body) of every response the SDK received

    def record(pipeline_response):
        http = pipeline_response.http_response
        http.read()
        seen.append((http.request.method, http.request.url, http.status_code, dict(http.headers), http.text()))

    sub = tenant["subscription_id"]
    credential = ClientSecretCredential(tenant["tenant_id"], tenant["client_id"], tenant["client_secret"])
    token = credential.get_token(ARM + "/.default")
    claims = claims_of(token.token)
    assert (claims["aud"], claims["iss"]) == (ARM, f"https://sts.windows.net/{tenant['tenant_id']}/")

    resource = ResourceManagementClient(credential, sub, raw_response_hook=record)
    network = NetworkManagementClient(credential, sub, raw_response_hook=record)
    rg = f"rg-{uuid.uuid4().hex[:8]}"
    mark = emu.mark()
    before = emu.settings()
    emu.settings(page_size=1)
    try:
        group = resource.resource_groups.create_or_update(rg, {"location": "westus"})
        pip_body = PublicIPAddress(location="westus", sku=PublicIPAddressSku(name="Standard"),
                                   public_ip_allocation_method="Static")
        pips = [network.public_ip_addresses.begin_create_or_update(rg, f"pip{i}", pip_body).result() for i in (0, 1)]
        lb = network.load_balancers.begin_create_or_update(rg, "lb", LoadBalancer(
            location="westus", sku=LoadBalancerSku(name="Standard"),
            frontend_ip_configurations=[FrontendIPConfiguration(name="fe", public_ip_address=SubResource(id=pips[0].id))],
            backend_address_pools=[BackendAddressPool(name="pool")])).result()
        listed = list(network.public_ip_addresses.list(rg))
        network.public_ip_addresses.begin_delete(rg, "pip1").result()
        resource.resource_groups.begin_delete(rg).result()
    finally:
        emu.settings(**before)

    prefix = f"/subscriptions/{sub}/resourceGroups/{rg}"
    assert group.id == prefix
    assert lb.id == f"{prefix}/providers/Microsoft.Network/loadBalancers/lb"
    assert lb.frontend_ip_configurations[0].public_ip_address.id == pips[0].id == \
        f"{prefix}/providers/Microsoft.Network/publicIPAddresses/pip0"
    assert sorted(p.name for p in listed) == ["pip0", "pip1"]

    # Every URL the SDK used, and every URL azemu handed it, names public Azure.
    assert seen and all(url.startswith(ARM + "/subscriptions/") for _, url, *_ in seen), [s[1] for s in seen]
    operation_urls = [h[name] for *_, h, _ in seen for name in ("Azure-AsyncOperation", "Location") if name in h]
    assert any("/providers/Microsoft.Network/locations/westus/operations/" in u for u in operation_urls)
    assert any("/providers/Microsoft.Network/locations/westus/operationResults/" in u for u in operation_urls)
    assert any(f"/subscriptions/{sub}/operationresults/" in u for u in operation_urls)     # the group's delete
    assert all(u.startswith(f"{ARM}/subscriptions/{sub}/") for u in operation_urls), operation_urls
    next_links = [json.loads(body)["nextLink"] for *_, body in seen if body and '"nextLink"' in body]
    assert next_links and all(u.startswith(f"{ARM}{prefix}/providers/Microsoft.Network/publicIPAddresses?")
                              for u in next_links), next_links
    polled = {url for method, url, *_ in seen if method == "GET"}
    assert set(operation_urls) & polled and set(next_links) <= polled

    # azemu's own request log saw it all, addressed to public Azure's names.
    log = emu.requests(since=mark)
    arm = [r for r in log if r["kind"] == "arm"]
    assert {r["host"] for r in arm} == {"management.azure.com"}
    assert ("PUT", "Microsoft.Network/loadBalancers") in {(r["method"], r["type"]) for r in arm}
    assert len(arm) == len(seen)
    assert any(r["kind"] == "token" and r["host"] == "login.microsoftonline.com" for r in emu.requests())


def test_msal_instance_discovery_through_the_proxy(emu, proxy_route, tenant):
    app = msal.ConfidentialClientApplication(tenant["client_id"], client_credential=tenant["client_secret"],
                                             authority=f"{LOGIN}/{tenant['tenant_id']}")
    result = app.acquire_token_for_client([ARM + "/.default"])
    assert "access_token" in result, result
    mark = emu.mark()
    app.remove_tokens_for_client()       # looks up the authority's aliases: instance discovery
    asked = [r for r in emu.requests(since=mark) if r["path"] == "/common/discovery/instance"]
    assert [(r["status"], r["host"]) for r in asked] == [(200, "login.microsoftonline.com")]
    # An authority Entra ID does not know (azemu's own URL) fails its check, as on Azure.
    with pytest.raises(ValueError, match="invalid_instance"):
        msal.ConfidentialClientApplication(tenant["client_id"], client_credential=tenant["client_secret"],
                                           authority=f"{emu.url}/{tenant['tenant_id']}")


def test_instance_discovery_answers_as_entra_id(public, tenant):
    t = tenant["tenant_id"]
    r = public.get(f"{LOGIN}/common/discovery/instance", timeout=30, params={
        "api-version": "1.1", "authorization_endpoint": f"{LOGIN}/{t}/oauth2/v2.0/authorize"})
    assert r.status_code == 200
    assert r.json() == {"tenant_discovery_endpoint": f"{LOGIN}/{t}/v2.0/.well-known/openid-configuration",
                        "api-version": "1.1", "metadata": list(INSTANCE_METADATA)}
    assert r.json()["metadata"][0]["aliases"] == [
        "login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"]
    r = public.get(f"{LOGIN}/common/discovery/instance", timeout=30, params={
        "api-version": "1.1", "authorization_endpoint": "https://login.example.com/common/oauth2/v2.0/authorize"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_instance" and r.json()["error_codes"] == [50049]
    assert r.json()["error_uri"].startswith(f"{LOGIN}/error?code=50049")


@pytest.mark.parametrize("host", ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com",
                                  "sts.windows.net"])
def test_login_hosts_answer_with_their_own_name(public, tenant, host):
    t = tenant["tenant_id"]
    doc = public.get(f"https://{host}/{t}/v2.0/.well-known/openid-configuration", timeout=30).json()
    assert doc["token_endpoint"] == f"https://{host}/{t}/oauth2/v2.0/token"
    assert doc["issuer"] == f"https://{host}/{t}/v2.0"
    v1 = public.get(f"https://{host}/{t}/.well-known/openid-configuration", timeout=30).json()
    assert v1["issuer"] == f"https://sts.windows.net/{t}/"


@pytest.mark.parametrize("v1, audience", [(False, ARM), (False, "https://management.core.windows.net/"),
                                          (True, ARM + "/"), (True, "https://management.core.windows.net/")])
def test_public_audiences_are_issued_and_accepted(emu, public, tenant, v1, audience):
    # az CLI asks for "https://management.core.windows.net//.default": the audience ends in "/".
    body = client_token(public, tenant, v1=v1, audience=audience)
    claims = claims_of(body["access_token"])
    assert claims["aud"].rstrip("/") == audience.rstrip("/")
    if v1:
        assert body["resource"] == audience
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    r = public.get(f"{ARM}/subscriptions?api-version=2022-12-01", headers=headers, timeout=30)
    assert r.status_code == 200 and r.json()["value"][0]["subscriptionId"] == tenant["subscription_id"]
    assert Arm(emu, token=body["access_token"]).get("/resourcegroups", api_version="2021-04-01").status == 200


def test_arm_errors_name_public_login(public, emu, tenant):
    r = public.get(f"{ARM}/subscriptions/{tenant['subscription_id']}/resourcegroups?api-version=2021-04-01",
                   timeout=30)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith('Bearer authorization_uri="https://login.windows.net/')
    other = emu.identities()[1]
    token = client_token(public, other)["access_token"]
    r = public.get(f"{ARM}/subscriptions/{tenant['subscription_id']}/resourcegroups?api-version=2021-04-01",
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationTokenTenant"
    assert f"'https://sts.windows.net/{other['tenant_id']}/'" in r.json()["error"]["message"]
    assert f"'https://login.windows.net/{tenant['tenant_id']}'" in r.json()["error"]["message"]


def public_metadata(public, version):
    r = public.get(f"{ARM}/metadata/endpoints?api-version={version}", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json"), r.text
    return r.json()


def test_metadata_through_the_proxy_is_azure_clouds_own(public):
    """Addressed as management.azure.com, azemu answers public Azure's AzureCloud in each shape:
    the 2022-09-01 object as PowerShell's fixture has it, the 2019-05-01 array's AzureCloud as
    that fixture has it, and the recorded 2015-01-01 object."""
    assert public_metadata(public, "2022-09-01") == spec_file("metadata/azure-powershell-common/ArmResponse2022-09-01.json")

    ours = public_metadata(public, "2019-05-01")
    azure = next(c for c in spec_file("metadata/azure-powershell-common/ArmResponse2019-05-01.json")
                 if c["name"] == "AzureCloud")
    assert [c["name"] for c in ours] == ["AzureCloud"]
    assert {k: v for k, v in ours[0].items() if k in azure and k != "suffixes"} == \
        {k: v for k, v in azure.items() if k != "suffixes"}
    assert azure["suffixes"].items() <= ours[0]["suffixes"].items()

    recorded = next(e for e in cli_recording("test_cloud_scenario") if "api-version=2015-01-01" in e.uri)
    assert public_metadata(public, "2015-01-01") == recorded.response_body


def test_az_clouds_read_from_the_public_document_reach_azemu(public, tenant):
    """What a client builds from that document (az's `_arm_to_cli_mapper`: the login endpoint,
    audiences[0] + "/.default") gets a token through the proxy that public ARM accepts."""
    doc = public_metadata(public, "2022-09-01")
    form = {"grant_type": "client_credentials", "client_id": tenant["client_id"],
            "client_secret": tenant["client_secret"], "scope": doc["authentication"]["audiences"][0] + "/.default"}
    r = public.post(f"{doc['authentication']['loginEndpoint']}/{tenant['tenant_id']}/oauth2/v2.0/token", data=form,
                    timeout=30)
    assert r.status_code == 200, r.text
    groups = public.get(f"{doc['resourceManager']}subscriptions/{tenant['subscription_id']}/resourcegroups"
                        "?api-version=2021-04-01", headers={"Authorization": f"Bearer {r.json()['access_token']}"},
                        timeout=30)
    assert groups.status_code == 200 and "value" in groups.json()


# --- the document hosts -------------------------------------------------------------------------

RAW_ALIASES = "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/{}/arm-compute/quickstart-templates/aliases.json"
AZ_ALIASES = "https://azcliprod.blob.core.windows.net/cli/vm/aliases.json"


def test_the_alias_document_where_public_azures_clients_read_it(emu, public):
    """Public Azure's metadata names raw.githubusercontent.com's master copy, az fetched main's
    (the recording), az 2.91's AzureCloud names azcliprod's blob: each answers azemu's alias
    document through the proxy, without a token, with that host's headers."""
    ours = emu.http("GET", "/vmImageAliases.json")[2]
    assert public_metadata(public, "2022-09-01")["vmImageAliasDoc"] == RAW_ALIASES.format("master")
    for url in (RAW_ALIASES.format("master"), RAW_ALIASES.format("main")):
        r = public.get(url, timeout=30)
        assert r.status_code == 200 and r.json() == ours
        assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert r.headers["ETag"] == f'W/"{hashlib.sha256(r.content).hexdigest()}"'
    r = public.get(AZ_ALIASES, timeout=30)
    assert r.status_code == 200 and r.json() == ours and re.fullmatch(r'"0x[0-9A-F]{15}"', r.headers["ETag"])
    assert "Ubuntu2404" in r.json()["outputs"]["aliases"]["value"]["Linux"]


@pytest.mark.parametrize("url, body", [
    ("https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/README.md", "404: Not Found"),
    ("https://raw.githubusercontent.com/subscriptions?api-version=2022-12-01", "404: Not Found"),
    ("https://azcliprod.blob.core.windows.net/cli/azure-cli-core/setup.py", "<Code>BlobNotFound</Code>"),
])
def test_a_document_host_serves_nothing_else(public, tenant, url, body):
    """Not ARM, not the login endpoints: a missing file, as each host answers it (az's update
    check asks azcliprod for setup.py files)."""
    r = public.get(url, headers={"Authorization": f"Bearer {client_token(public, tenant)['access_token']}"},
                   timeout=30)
    assert r.status_code == 404 and body in r.text
    assert public.head("https://azcliprod.blob.core.windows.net/cli", timeout=30).status_code == 404


# --- both routes, one azemu ---------------------------------------------------------------------

def test_direct_clients_keep_azemu_urls_and_operations_answer_on_both_routes(emu, public, tenant):
    arm = Arm(emu)
    rg = f"rg-{uuid.uuid4().hex[:8]}"
    mark = emu.mark()
    assert arm.put(f"/resourcegroups/{rg}", {"location": "westus"}, api_version="2021-04-01").status == 201
    before = emu.settings()
    emu.settings(page_size=1, latency=30)
    try:
        body = {"location": "westus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}
        pip = f"/resourceGroups/{rg}/providers/Microsoft.Network/publicIPAddresses"
        created = [arm.put(f"{pip}/ip{i}", body) for i in (0, 1)]
        direct_op = created[0].headers["Azure-AsyncOperation"]
        assert direct_op.startswith(f"{emu.url}/subscriptions/")
        listing = arm.get(pip)
        assert listing.body["nextLink"].startswith(f"{emu.url}/subscriptions/")
        status, _, doc = emu.http("GET", f"/{tenant['tenant_id']}/v2.0/.well-known/openid-configuration")
        assert doc["token_endpoint"].startswith(emu.url + "/")

        # One stored operation, polled both ways, answers the same, each with its own URLs.
        headers = {"Authorization": f"Bearer {client_token(public, tenant)['access_token']}"}
        via_proxy = public.get(direct_op.replace(emu.url, ARM), headers=headers, timeout=30)
        assert via_proxy.status_code == 200 and via_proxy.json() == arm.follow(direct_op).body == {"status": "InProgress"}
        public_page = public.get(f"{ARM}/subscriptions/{tenant['subscription_id']}{pip}?api-version={NETWORK_API}",
                                 headers=headers, timeout=30).json()
        assert public_page["value"] == listing.body["value"]
        assert public_page["nextLink"] == listing.body["nextLink"].replace(emu.url, ARM)
        proxied = public.delete(f"{ARM}/subscriptions/{tenant['subscription_id']}{pip}/ip1?api-version={NETWORK_API}",
                                headers=headers, timeout=30)
        assert proxied.status_code == 202 and proxied.headers["Location"].startswith(f"{ARM}/subscriptions/")
        assert arm.follow(proxied.headers["Location"].replace(ARM, emu.url)).status == 202
    finally:
        emu.settings(**before)
    hosts = {(r["method"], r["host"]) for r in emu.requests(since=mark)}
    direct = emu.url.split("://", 1)[1]
    assert {h for m, h in hosts if m == "PUT"} == {direct}
    assert {h for m, h in hosts if m == "DELETE"} == {"management.azure.com"}


# --- what the proxy refuses -----------------------------------------------------------------------

def ask_proxy(emu, request: bytes) -> tuple[str, str]:
    """Send one raw request to the proxy; (status line, body) of its answer."""
    with socket.create_connection(("127.0.0.1", emu.info["proxy_port"]), timeout=10) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.decode("latin-1").partition("\r\n\r\n")
    return head.split("\r\n", 1)[0], body


@pytest.mark.parametrize("request_line, status", [
    ("CONNECT example.com:443 HTTP/1.1", 403),
    ("CONNECT management.azure.com:80 HTTP/1.1", 403),
    ("CONNECT 169.254.169.254:80 HTTP/1.1", 403),
    ("CONNECT graph.microsoft.com:443 HTTP/1.1", 403),
    ("GET http://example.com/ HTTP/1.1", 405),
    ("CONNECT management.azure.com:https HTTP/1.1", 400),
])
def test_the_proxy_refuses_everything_else(emu, request_line, status):
    mark = emu.mark()
    target = request_line.split(" ")[1]
    line, body = ask_proxy(emu, f"{request_line}\r\nHost: {target}\r\n\r\n".encode())
    assert line.startswith(f"HTTP/1.1 {status} ") and body.startswith("azemu proxy: ")
    assert f"proxy refused a request from ('127.0.0.1', " in emu.log_tail(5) and target in emu.log_tail(5)
    assert emu.requests(since=mark) == []         # nothing reached azemu's application


def test_a_refused_tunnel_connects_nowhere(emu):
    # A listener of our own stands in for "somewhere else": it must never see a connection.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        for target in (f"127.0.0.1:{port}", f"localhost:{port}", f"127.0.0.1:{emu.port}"):
            line, _ = ask_proxy(emu, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            assert line.startswith("HTTP/1.1 403 "), (target, line)
        with pytest.raises(socket.timeout):
            listener.accept()


# --- azemu env --proxy, restarts ----------------------------------------------------------------

def test_cli_env_proxy(emu):
    out = subprocess.run([sys.executable, "-m", "azemu", "env", "--state-dir", str(emu.state_dir), "--proxy"],
                         capture_output=True, text=True, check=True).stdout
    env = {k: v.strip("'") for k, v in (line[len("export "):].split("=", 1) for line in out.splitlines())}
    assert env == emu.env(proxy=True)
    assert env["HTTPS_PROXY"] == env["https_proxy"] == f"http://127.0.0.1:{emu.info['proxy_port']}"
    assert env["REQUESTS_CA_BUNDLE"] == env["SSL_CERT_FILE"] == emu.ca_file
    assert "127.0.0.1" in env["NO_PROXY"].split(",") and env["NO_PROXY"] == env["no_proxy"]
    assert {"AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT", "AZURE_SUBSCRIPTION_ID"} <= set(env)
    assert "AZURE_CLOUD_ENVIRONMENT" not in env
    without = {k: v for k, v in emu.info.items() if not k.startswith("proxy_")}
    with pytest.raises(ValueError, match="--proxy-port"):
        env_vars(without, proxy=True)


def test_a_restart_keeps_the_proxy_port(emu, public, tenant):
    port = emu.info["proxy_port"]
    emu.restart()
    assert emu.info["proxy_port"] == port
    assert client_token(public, tenant)["access_token"]
