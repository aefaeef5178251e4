"""The names azemu answers as, and the base URL a response's URLs are built from.

Directly, azemu is `https://127.0.0.1:PORT`. Through its proxy (`proxy.py`) it is also public
Azure, under these host names (the one list of them; the proxy refuses every other host):

- `management.azure.com`: Azure Resource Manager, the Azure SDKs' default base URL and
  `resourceManager` of the public cloud (azure-cli `cloud.py` `AZURE_PUBLIC_CLOUD`, the metadata
  document in `azure-reference/metadata-endpoints.md`).
- `login.microsoftonline.com`: Entra ID, the default authority of azure-identity, MSAL
  (`msal/authority.py` `WORLD_WIDE`, also its instance-discovery host) and az CLI; the SDK
  recordings in azure-reference fetch `/{tenant}/v2.0/.well-known/openid-configuration` and
  `/{tenant}/oauth2/v2.0/token` there.
- `login.windows.net`, `login.microsoft.com`, `sts.windows.net`: the aliases Entra ID's instance
  discovery lists for the public cloud (`INSTANCE_METADATA`), which MSAL treats as one authority;
  ARM's 401 challenges name `login.windows.net`, and v1 tokens are issued by `sts.windows.net`.

Document hosts, where azemu serves only the documents Azure's clients fetch there
(`documents.py`; every other path answers 404 as that host does):

- `raw.githubusercontent.com`: the image alias document public Azure's metadata advertises
  as `vmImageAliasDoc` (`.../azure-rest-api-specs/master/arm-compute/quickstart-templates/
  aliases.json`, ArmResponse2022-09-01.json), fetched by az CLI at `.../main/...` in the
  recorded test_vm_image_list_by_alias.yaml;
- `azcliprod.blob.core.windows.net`: az CLI 2.91's own `vm_image_alias_doc` for AzureCloud
  (`/cli/vm/aliases.json`, azure-cli-core `cloud.py`), which `az vm create --image <alias>`
  reads when no cloud was registered; az's update check asks there for `/cli/{package}/setup.py`
  too (`util.py`, AME_STORAGE_BASE_URL) and gets the 404 of a missing blob.

Not hosts: `management.core.windows.net` is only an audience (az CLI asks for
`https://management.core.windows.net//.default`); `graph.microsoft.com` and the like are not
emulated, so the proxy refuses them.

The base URL of a response is `https://` + the request's Host header, the name the client
addressed (through the proxy `management.azure.com`, directly `127.0.0.1:PORT`), so operation
URLs, `nextLink`s and discovery documents send the client back the way it came.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

ARM_HOST = "management.azure.com"
LOGIN_HOSTS = ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net")
PUBLIC_HOSTS = frozenset((ARM_HOST, *LOGIN_HOSTS))
DOCUMENT_HOSTS = frozenset(("raw.githubusercontent.com", "azcliprod.blob.core.windows.net"))
TUNNELED_HOSTS = PUBLIC_HOSTS | DOCUMENT_HOSTS      # the hosts the proxy answers for

# The audiences management.azure.com accepts, as its metadata document lists them.
PUBLIC_AUDIENCES = ("https://management.core.windows.net/", "https://management.azure.com/")
# Where public ARM's 401 challenges and wrong-tenant errors send the client for a token, and
# the issuer of v1 tokens and v1 discovery ('https://sts.windows.net/{tenant}/'), as ARM's
# InvalidAuthenticationTokenTenant message quotes both.
PUBLIC_AUTHORITY = "https://login.windows.net"
PUBLIC_ISSUER = "https://sts.windows.net"

# `GET https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&...`: the
# `metadata` of Entra ID's answer, as the Azure SDK for JS recorded it (nock recordings of
# login.microsoftonline.com:443/common/discovery/instance in azure-sdk-for-js tests).
INSTANCE_METADATA = (
    {"preferred_network": "login.microsoftonline.com", "preferred_cache": "login.windows.net",
     "aliases": ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"]},
    {"preferred_network": "login.partner.microsoftonline.cn", "preferred_cache": "login.partner.microsoftonline.cn",
     "aliases": ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"]},
    {"preferred_network": "login.microsoftonline.de", "preferred_cache": "login.microsoftonline.de",
     "aliases": ["login.microsoftonline.de"]},
    {"preferred_network": "login.microsoftonline.us", "preferred_cache": "login.microsoftonline.us",
     "aliases": ["login.microsoftonline.us", "login.usgovcloudapi.net"]},
    {"preferred_network": "login-us.microsoftonline.com", "preferred_cache": "login-us.microsoftonline.com",
     "aliases": ["login-us.microsoftonline.com"]},
)


@dataclass(frozen=True)
class Names:
    """How one request addressed azemu."""
    base: str        # "https://management.azure.com", "https://127.0.0.1:PORT": no path, no default port
    public: bool     # by one of PUBLIC_HOSTS (through the proxy)
    host: str = ""   # the host name alone, lower case

    @property
    def authority(self) -> str:
        """The login URL ARM's answers point a client to."""
        return PUBLIC_AUTHORITY if self.public else self.base

    @property
    def issuer(self) -> str:
        """The prefix of v1 token issuers: `{issuer}/{tenant}/`."""
        return PUBLIC_ISSUER if self.public else self.base


def names_for(host: str | None, fallback: str) -> Names:
    """Names for a Host header value; `fallback` (azemu's own URL) when there is none usable."""
    try:
        parts = urlsplit(f"https://{host}") if host else None
        hostname, port = (parts.hostname, parts.port) if parts else (None, None)
    except ValueError:      # a malformed port
        hostname = port = None
    if not hostname:
        return Names(fallback, False)
    shown = f"[{hostname}]" if ":" in hostname else hostname
    if port not in (None, 443):
        shown += f":{port}"
    return Names(f"https://{shown}", hostname in PUBLIC_HOSTS, hostname)


def addressed(request) -> Names:
    """The Names of an aiohttp request."""
    return names_for(request.headers.get("Host"), request.app["emu"].url)
