"""The Azure AD (Entra ID) endpoints a service principal login uses: OIDC discovery, the
client-credentials token endpoint (v2 and v1), the signing keys and instance discovery.

Paths and bodies follow login.microsoftonline.com (see the recordings in azure-reference:
discovery fields, token response fields), with every URL pointing at the name the client
addressed (`hosts.addressed`): azemu itself, so azure-identity's
`ClientSecretCredential(authority=<azemu url>, disable_instance_discovery=True)` runs its real
code, or login.microsoftonline.com through the proxy, where the same credential with its
defaults does. Errors use AAD's shape: `{"error", "error_description": "AADSTSnnn: ...",
"error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}`.
"""

from __future__ import annotations

import base64
import time
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from ..hosts import INSTANCE_METADATA, Names, addressed
from . import jwt

if TYPE_CHECKING:
    from ..emulator import Emulator

SCOPE_SUFFIX = "/.default"
DISCOVERY_HEADERS = {"Cache-Control": "max-age=86400, private", "Access-Control-Allow-Origin": "*",
                     "Access-Control-Allow-Methods": "GET, OPTIONS"}


class AadError(Exception):
    def __init__(self, status: int, error: str, code: int, description: str):
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description

    def response(self, request: web.Request) -> web.Response:
        now = datetime.now(timezone.utc)
        stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        trace, corr = str(uuid.uuid4()), request.headers.get("client-request-id") or str(uuid.uuid4())
        body = {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description}\r\nTrace ID: {trace}\r\n"
                                 f"Correlation ID: {corr}\r\nTimestamp: {stamp}",
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": corr,
            "error_uri": f"{addressed(request).base}/error?code={self.code}",
        }
        return web.json_response(body, status=self.status, headers=_headers(request))


def _headers(request: web.Request) -> dict[str, str]:
    headers = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "x-ms-request-id": str(uuid.uuid4())}
    if "client-request-id" in request.headers:
        headers["client-request-id"] = request.headers["client-request-id"]
    return headers


def _tenant_or_error(emu: "Emulator", tenant_id: str, *, discovery: bool):
    tenant = emu.identities.tenant(tenant_id)
    if tenant is None:
        raise AadError(400, "invalid_tenant" if discovery else "invalid_request", 90002,
                       f"Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID and "
                       "are signing into the correct cloud. Check with your subscription administrator, this may "
                       "happen if there are no active subscriptions for the tenant.")
    return tenant


def openid_configuration(names: Names, tenant_id: str, v2: bool) -> dict:
    base = f"{names.base}/{tenant_id}"
    suffix = "/v2.0" if v2 else ""
    host = names.base.split("://", 1)[1]
    return {
        "token_endpoint": f"{base}/oauth2{suffix}/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery{suffix}/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/v2.0" if v2 else f"{names.issuer}/{tenant_id}/",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{names.base}/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2{suffix}/authorize",
        "device_authorization_endpoint": f"{base}/oauth2{suffix}/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2{suffix}/logout",
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                             "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
                             "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": f"{base}/kerberos",
        "tenant_region_scope": "WW",
        "cloud_instance_name": host,
        "cloud_graph_host_name": host,
        "msgraph_host": host,
        "rbac_url": names.base,
    }


async def discovery(request: web.Request) -> web.Response:
    emu = request.app["emu"]
    tenant_id = request.match_info["tenant"]
    try:
        _tenant_or_error(emu, tenant_id, discovery=True)
    except AadError as err:
        return err.response(request)
    v2 = request.match_info.get("version") == "v2.0"
    return web.json_response(openid_configuration(addressed(request), tenant_id, v2), headers=DISCOVERY_HEADERS)


async def instance_discovery(request: web.Request) -> web.Response:
    """`GET /common/discovery/instance?api-version=1.1&authorization_endpoint=URL`, as MSAL
    asks it (`msal/authority.py`, `application.py` `_get_instance_metadata`): where the
    authority's OIDC document is, and Entra ID's clouds with their host aliases. An authority
    on a host no cloud lists is `invalid_instance`, as Entra ID answers it for unknown hosts."""
    endpoint = request.query.get("authorization_endpoint", "")
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.hostname:
        return AadError(400, "invalid_request", 50050, "Request is malformed.").response(request)
    known = {alias for cloud in INSTANCE_METADATA for alias in cloud["aliases"]}
    if parts.hostname.lower() not in known:
        return AadError(400, "invalid_instance", 50049, "Unknown or invalid instance.").response(request)
    segments = [s for s in parts.path.split("/") if s]
    tenant = segments[0] if segments else "common"
    version = "/v2.0" if "v2.0" in segments else ""
    body = {"tenant_discovery_endpoint": f"https://{parts.netloc}/{tenant}{version}/.well-known/openid-configuration",
            "api-version": request.query.get("api-version", "1.1"), "metadata": list(INSTANCE_METADATA)}
    return web.json_response(body, headers=DISCOVERY_HEADERS)


async def keys(request: web.Request) -> web.Response:
    emu = request.app["emu"]
    return web.json_response({"keys": [jwt.jwk(emu.identities.key.public_key(), emu.identities.kid)]})


async def token(request: web.Request) -> web.Response:
    emu = request.app["emu"]
    v2 = request.match_info.get("version") == "v2.0"
    form = await request.post()
    try:
        body = issue(emu, addressed(request), request.match_info["tenant"], dict(form),
                     request.headers.get("Authorization"), v2)
    except AadError as err:
        return err.response(request)
    return web.json_response(body, headers=_headers(request))


def _client_credentials(form: dict, authorization: str | None) -> tuple[str | None, str | None]:
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if authorization and authorization.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            client_id, secret = client_id or user, secret or password
        except ValueError:
            pass
    return client_id, secret


def issue(emu: "Emulator", names: Names, tenant_id: str, form: dict, authorization: str | None, v2: bool) -> dict:
    """Check a client-credentials request and return the token response (raises AadError)."""
    tenant = _tenant_or_error(emu, tenant_id, discovery=False)
    grant = form.get("grant_type")
    if not grant:
        raise AadError(400, "invalid_request", 900144,
                       "The request body must contain the following parameter: 'grant_type'.")
    if grant != "client_credentials":
        raise AadError(400, "unsupported_grant_type", 70003,
                       f"The app requested an unsupported grant type '{grant}'.")
    client_id, secret = _client_credentials(form, authorization)
    if not client_id:
        raise AadError(400, "invalid_request", 900144,
                       "The request body must contain the following parameter: 'client_id'.")
    if client_id.lower() != tenant.client_id.lower():
        raise AadError(400, "unauthorized_client", 700016,
                       f"Application with identifier '{client_id}' was not found in the directory "
                       f"'{tenant.tenant_id}'. This can happen if the application has not been installed by the "
                       "administrator of the tenant or consented to by any user in the tenant. You may have sent "
                       "your authentication request to the wrong tenant.")
    if not secret:
        raise AadError(401, "invalid_client", 7000216,
                       "'client_assertion', 'client_secret' or 'request' is required for the "
                       "'client_credentials' grant type.")
    if secret != tenant.client_secret:
        raise AadError(401, "invalid_client", 7000215,
                       "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                       f"secret value, not the client secret ID, for a secret added to app '{tenant.client_id}'.")
    resource = _resource(emu, names, tenant, form, v2)
    lifetime = emu.settings.token_lifetime
    now = int(time.time())
    claims = {
        "aud": resource, "iss": f"{names.issuer}/{tenant.tenant_id}/", "iat": now, "nbf": now, "exp": now + lifetime,
        "appid": tenant.client_id, "appidacr": "1", "idp": f"{names.issuer}/{tenant.tenant_id}/", "idtyp": "app",
        "oid": tenant.object_id, "sub": tenant.object_id, "tid": tenant.tenant_id,
        "uti": uuid.uuid4().hex, "ver": "1.0",
    }
    access_token = jwt.encode(claims, emu.identities.key, emu.identities.kid)
    if v2:
        body = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime}
        if lifetime >= 7200:     # AAD suggests refreshing half-way through long-lived tokens
            body["refresh_in"] = lifetime // 2
        body["access_token"] = access_token
        return body
    return {"token_type": "Bearer", "expires_in": str(lifetime), "ext_expires_in": str(lifetime),
            "expires_on": str(now + lifetime), "not_before": str(now), "resource": resource,
            "access_token": access_token}


def _resource(emu: "Emulator", names: Names, tenant, form: dict, v2: bool) -> str:
    if v2:
        scope = (form.get("scope") or "").split()
        if not scope:
            raise AadError(400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'scope'.")
        wanted = [s for s in scope if s not in ("openid", "profile", "offline_access")]
        if len(wanted) != 1 or not wanted[0].endswith(SCOPE_SUFFIX):
            raise AadError(400, "invalid_scope", 1002012,
                           f"The provided value for scope {' '.join(scope)} is not valid. Client credential flows "
                           "must have a scope value with /.default suffixed to the resource identifier "
                           "(application ID URI).")
        resource = wanted[0][: -len(SCOPE_SUFFIX)]
    else:
        resource = form.get("resource") or ""
        if not resource:
            raise AadError(400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'resource'.")
    if not emu.accepts_audience(resource, names):
        raise AadError(400, "invalid_resource", 500011,
                       f"The resource principal named {resource} was not found in the tenant named "
                       f"{tenant.tenant_id}. This can happen if the application has not been installed by the "
                       "administrator of the tenant or consented to by any user in the tenant. You might have sent "
                       "your authentication request to the wrong tenant.")
    return resource


def add_routes(app: web.Application) -> None:
    app.router.add_get("/{tenant}/{version:v2.0}/.well-known/openid-configuration", discovery)
    app.router.add_get("/{tenant}/.well-known/openid-configuration", discovery)
    app.router.add_post("/{tenant}/oauth2/{version:v2.0}/token", token)
    app.router.add_post("/{tenant}/oauth2/token", token)
    app.router.add_get("/{tenant}/discovery/{version:v2.0}/keys", keys)
    app.router.add_get("/{tenant}/discovery/keys", keys)
    app.router.add_get("/{tenant}/discovery/instance", instance_discovery)
