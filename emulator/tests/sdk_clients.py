"""The plain Azure SDK reaching azemu as any client does: from the cloud metadata document
(login endpoint, audience, resourceManager), over HTTPS with azemu's CA."""

from __future__ import annotations

from typing import Any

from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient


def resource_client(emu, cloud: dict[str, Any] | None = None, scope: str | None = None) -> ResourceManagementClient:
    """A ResourceManagementClient set up from `cloud` (default: the 2022-09-01 document) with the
    token scope `scope` (default: `audiences[0] + "/.default"`, as the collection builds it)."""
    if cloud is None:
        _, _, cloud = emu.http("GET", "/metadata/endpoints?api-version=2022-09-01")
    cred = ClientSecretCredential(emu.info["tenant_id"], emu.info["client_id"], emu.info["client_secret"],
                                  authority=cloud["authentication"]["loginEndpoint"],
                                  disable_instance_discovery=True, connection_verify=emu.ca_file)
    return ResourceManagementClient(cred, emu.info["subscription_id"], base_url=cloud.get("resourceManager") or emu.url,
                                    credential_scopes=[scope or cloud["authentication"]["audiences"][0] + "/.default"],
                                    connection_verify=emu.ca_file)
