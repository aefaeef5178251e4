# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure clouds: the well-known ones, and any cloud described by an ARM metadata document.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlparse

METADATA_API_VERSION = "2022-09-01"

# Authorities that are Microsoft Entra ID itself; any other authority (Azure Stack Hub
# with AD FS, azemu) must not go through MSAL's instance discovery.
MICROSOFT_AUTHORITY_HOSTS = frozenset(
    ("login.microsoftonline.com", "login.chinacloudapi.cn", "login.microsoftonline.us", "login.partner.microsoftonline.cn")
)


class CloudError(Exception):
    """The cloud environment cannot be used; the message says why."""


@dataclass(frozen=True)
class Cloud:
    name: str
    resource_manager: str
    login_endpoint: str
    scope: str

    @property
    def instance_discovery(self):
        return (urlparse(self.login_endpoint).hostname or "").lower() in MICROSOFT_AUTHORITY_HOSTS


KNOWN_CLOUDS = {
    "AzureCloud": Cloud(
        "AzureCloud", "https://management.azure.com/", "https://login.microsoftonline.com", "https://management.azure.com/.default"
    ),
    "AzureChinaCloud": Cloud(
        "AzureChinaCloud", "https://management.chinacloudapi.cn/", "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"
    ),
    "AzureUSGovernment": Cloud(
        "AzureUSGovernment",
        "https://management.usgovcloudapi.net/",
        "https://login.microsoftonline.us",
        "https://management.usgovcloudapi.net/.default",
    ),
}


def is_arm_url(value):
    return urlparse(value).scheme in ("https", "http")


def known_cloud(name):
    """The well-known cloud called ``name`` (case-insensitive), or None."""
    for key, cloud in KNOWN_CLOUDS.items():
        if key.lower() == name.lower():
            return cloud
    return None


def metadata_url(arm_url):
    return f"{arm_url.rstrip('/')}/metadata/endpoints?api-version={METADATA_API_VERSION}"


def _same_host(url_a, url_b):
    a, b = urlparse(url_a), urlparse(url_b)
    return (a.hostname or "").lower() == (b.hostname or "").lower() and (a.port or 443) == (b.port or 443)


def parse_metadata(document, arm_url):
    """Build a Cloud from a metadata document (already decoded from JSON).

    Azure answers api-version 2022-09-01 with the single object of that ARM endpoint's cloud
    (older api-versions, and some clouds, with a list); from a list we take the cloud whose
    resourceManager is ``arm_url``.
    """
    entries = document if isinstance(document, list) else [document]
    entries = [entry for entry in entries if isinstance(entry, dict)]
    if not entries:
        raise CloudError(f"the metadata document at {metadata_url(arm_url)} describes no cloud")
    chosen = next((e for e in entries if e.get("resourceManager") and _same_host(e["resourceManager"], arm_url)), None)
    if chosen is None:
        if len(entries) > 1:
            raise CloudError(f"the metadata document at {metadata_url(arm_url)} lists no cloud whose resourceManager is {arm_url}")
        chosen = entries[0]
    authentication = chosen.get("authentication") or {}
    login_endpoint = authentication.get("loginEndpoint")
    audiences = authentication.get("audiences") or []
    if not login_endpoint or not audiences:
        raise CloudError(f"the metadata document at {metadata_url(arm_url)} lacks authentication.loginEndpoint or authentication.audiences")
    return Cloud(
        name=chosen.get("name") or arm_url,
        resource_manager=chosen.get("resourceManager") or arm_url,
        login_endpoint=login_endpoint.rstrip("/"),
        # An audience with a trailing slash keeps it: Entra ID wants "https://x//.default" then.
        scope=audiences[0] + "/.default",
    )


def fetch_metadata(arm_url):
    """GET the metadata document through azure-core's transport, so REQUESTS_CA_BUNDLE and proxies apply."""
    from azure.core import PipelineClient
    from azure.core.exceptions import AzureError
    from azure.core.rest import HttpRequest

    url = metadata_url(arm_url)
    try:
        # Few, short retries: a wrong URL should fail in seconds, not after the SDK's full backoff.
        with PipelineClient(base_url=arm_url, retry_total=2, retry_backoff_factor=0.4) as client:
            response = client.send_request(HttpRequest("GET", url, headers={"Accept": "application/json"}))
    except AzureError as exc:
        raise CloudError(f"cannot read the cloud metadata document at {url}: {exc}")
    if response.status_code != 200:
        raise CloudError(f"cannot read the cloud metadata document at {url}: HTTP {response.status_code}")
    try:
        return json.loads(response.text())
    except ValueError:
        raise CloudError(f"the cloud metadata document at {url} is not JSON")


def resolve_cloud(value, fetch=fetch_metadata):
    """The Cloud for a ``cloud_environment`` value: a well-known name or an ARM URL."""
    value = (value or "AzureCloud").strip()
    cloud = known_cloud(value)
    if cloud is not None:
        return cloud
    if is_arm_url(value):
        return parse_metadata(fetch(value), value)
    raise CloudError(
        f"{value!r} is neither a known cloud ({', '.join(KNOWN_CLOUDS)}) nor the https URL of an Azure Resource Manager endpoint"
    )
