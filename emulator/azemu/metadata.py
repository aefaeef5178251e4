"""`GET /metadata/endpoints`: the cloud metadata document, as management.azure.com serves it.

Addressed by its own URL, azemu describes a cloud whose every endpoint is azemu
(`AzureEmulator`). Addressed as public Azure (through its proxy, `hosts.py`), it answers what
management.azure.com answers: public Azure's own `AzureCloud` (PowerShell's fixtures and the
azure-cli recording below), whose login endpoint, audiences and ARM URL then lead the client
back through the proxy.

Azure answers three shapes, chosen by api-version (evidence in
`../shared/azure-reference/metadata-endpoints.md` and `metadata/azure-powershell-common/`):

- 2022-09-01 (and later): ONE object, the cloud of the ARM endpoint asked (PowerShell's
  ArmResponse2022-09-01.json fixture, the live answer pasted in Azure/azure-cli#29283).
  `loginEndpoint` has no trailing slash there, and there is no `gallery`. az 2.91's
  `az cloud register --endpoint-resource-manager URL` reads exactly this and indexes it as a dict.
- 2019-05-01 up to 2022-09-01 (2019-10-01, 2020-06-01, ...): an ARRAY of clouds (PowerShell's
  ArmResponse2019-05-01.json, azure-cli#31566); `loginEndpoint` ends in `/` and `gallery` is
  there. This is what `ARM_CLOUD_METADATA_URL` users read (azure-cli's `get_known_clouds`,
  azure.azcollection through azure-cli-core, azure-ai-ml); azure-cli's
  `doc/use_cli_in_airgapped_clouds.md` puts `?api-version=2019-05-01` in that URL.
- before 2019-05-01 (2015-01-01, `1.0`) and without an api-version: the small legacy object
  `{galleryEndpoint, graphEndpoint, portalEndpoint, authentication}` that msrestazure's
  `get_cloud_from_metadata_endpoint` reads (the azure-cli test recording test_cloud_scenario).
  Azure's answer to a missing api-version is not on record; azemu stays lenient there.

Every shape advertises the audience as Azure writes its own, with a trailing slash
(`["https://management.core.windows.net/", "https://management.azure.com/"]` for AzureCloud,
`[<azemu url>/]` for azemu's cloud), and
`resourceManager` with a trailing slash. Clients then ask for `<audience>/.default`: az CLI's
`resource_to_scopes` and our collection make it `<url>//.default` (token `aud` = `<url>/`),
others `<url>/.default` (`aud` = `<url>`); ARM accepts both spellings, as its
InvalidAuthenticationTokenAudience message lists them (`Emulator.audiences`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .hosts import PUBLIC_AUDIENCES, addressed, names_for

CLOUD_NAME = "AzureEmulator"
SINGLE_OBJECT_FROM = "2022-09-01"
ARRAY_FROM = "2019-05-01"

# management.azure.com's own cloud, as its 2022-09-01 answer lists it (keys in Azure's order):
# metadata/azure-powershell-common/ArmResponse2022-09-01.json, the answer pasted in
# Azure/azure-cli#29283. `vmImageAliasDoc` is public Azure's too; through the proxy azemu serves
# the alias document there (hosts.DOCUMENT_HOSTS).
AZURE_CLOUD: dict[str, Any] = {
    "portal": "https://portal.azure.com",
    "authentication": {
        "loginEndpoint": "https://login.microsoftonline.com",
        "audiences": list(PUBLIC_AUDIENCES),
        "tenant": "common",
        "identityProvider": "AAD",
    },
    "media": "https://rest.media.azure.net",
    "graphAudience": "https://graph.windows.net/",
    "graph": "https://graph.windows.net/",
    "name": "AzureCloud",
    "suffixes": {
        "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
        "acrLoginServer": "azurecr.io",
        "sqlServerHostname": "database.windows.net",
        "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
        "keyVaultDns": "vault.azure.net",
        "storage": "core.windows.net",
        "azureFrontDoorEndpointSuffix": "azurefd.net",
        "storageSyncEndpointSuffix": "afs.azure.net",
        "mhsmDns": "managedhsm.azure.net",
        "mysqlServerEndpoint": "mysql.database.azure.com",
        "postgresqlServerEndpoint": "postgres.database.azure.com",
        "mariadbServerEndpoint": "mariadb.database.azure.com",
        "synapseAnalytics": "dev.azuresynapse.net",
        "attestationEndpoint": "attest.azure.net",
    },
    "batch": "https://batch.core.windows.net/",
    "resourceManager": "https://management.azure.com/",
    "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/"
                       "quickstart-templates/aliases.json",
    "activeDirectoryDataLake": "https://datalake.azure.net/",
    "sqlManagement": "https://management.core.windows.net:8443/",
    "microsoftGraphResourceId": "https://graph.microsoft.com/",
    "appInsightsResourceId": "https://api.applicationinsights.io",
    "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
    "attestationResourceId": "https://attest.azure.net",
    "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
    "logAnalyticsResourceId": "https://api.loganalytics.io",
    "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net",
}


def cloud(url: str, audience: str) -> dict[str, Any]:
    """azemu's cloud as the 2022-09-01 object (keys and order of Azure's)."""
    arm = url + "/"
    return {
        "portal": url,
        "authentication": {
            "loginEndpoint": url,
            "audiences": [audience],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": url,
        "graphAudience": arm,
        "graph": arm,
        "name": CLOUD_NAME,
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.azemu.local",
            "acrLoginServer": "azurecr.azemu.local",
            "sqlServerHostname": "database.azemu.local",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.azemu.local",
            "keyVaultDns": "vault.azemu.local",
            "storage": "core.azemu.local",
            "azureFrontDoorEndpointSuffix": "azurefd.azemu.local",
            "storageSyncEndpointSuffix": "afs.azemu.local",
            "mhsmDns": "managedhsm.azemu.local",
            "mysqlServerEndpoint": "mysql.database.azemu.local",
            "postgresqlServerEndpoint": "postgres.database.azemu.local",
            "mariadbServerEndpoint": "mariadb.database.azemu.local",
            "synapseAnalytics": "dev.azuresynapse.azemu.local",
            "attestationEndpoint": "attest.azemu.local",
        },
        "batch": arm,
        "resourceManager": arm,
        # The alias document itself is served by the compute images code; this is its address.
        "vmImageAliasDoc": f"{url}/vmImageAliases.json",
        "activeDirectoryDataLake": arm,
        "sqlManagement": arm,
        "microsoftGraphResourceId": arm,
        "appInsightsResourceId": url,
        "appInsightsTelemetryChannelResourceId": f"{url}/v2/track",
        "attestationResourceId": url,
        "synapseAnalyticsResourceId": url,
        "logAnalyticsResourceId": url,
        "ossrDbmsResourceId": url,
    }


@dataclass(frozen=True)
class Cloud:
    """One cloud in the three shapes: `current` is its 2022-09-01 object; the older shapes
    differ in the login endpoint and `gallery`."""
    current: dict[str, Any]
    gallery: str
    array_login: str        # loginEndpoint in the 2019-05-01 array

    def object(self) -> dict[str, Any]:
        return copy.deepcopy(self.current)

    def array_entry(self) -> dict[str, Any]:
        """One cloud of the 2019-05-01 .. 2020-06-01 array: its login endpoint and `gallery`."""
        entry = self.object()
        entry["authentication"]["loginEndpoint"] = self.array_login
        entry["gallery"] = self.gallery
        return entry

    def legacy(self) -> dict[str, Any]:
        """The 2015-01-01 single object."""
        auth = self.current["authentication"]
        return {
            "galleryEndpoint": self.gallery,
            "graphEndpoint": self.current["graph"],
            "portalEndpoint": self.current["portal"] + "/",
            "authentication": {"loginEndpoint": auth["loginEndpoint"] + "/", "audiences": list(auth["audiences"])},
        }

    def document(self, api_version: str) -> Any:
        """What Azure answers for `api_version` (ISO dates compare as strings; `1.0` sorts first)."""
        if api_version >= SINGLE_OBJECT_FROM:
            return self.object()
        if api_version >= ARRAY_FROM:
            # Azure's array also lists the sovereign clouds (ArmResponse2019-05-01.json); azemu
            # answers the one cloud it is.
            return [self.array_entry()]
        return self.legacy()


# The 2019-05-01 array names AzureCloud's login endpoint login.windows.net/ and its gallery
# (ArmResponse2019-05-01.json); the 2015-01-01 object is the recorded one (test_cloud_scenario).
PUBLIC = Cloud(AZURE_CLOUD, gallery="https://gallery.azure.com/", array_login="https://login.windows.net/")


def cloud_at(base: str) -> Cloud:
    """The cloud a client that addressed azemu at `base` (`https://host[:port]`) is in."""
    if names_for(base.split("://", 1)[-1], base).public:
        return PUBLIC
    return Cloud(cloud(base, base + "/"), gallery=base + "/", array_login=base + "/")


async def endpoints(request: web.Request) -> web.Response:
    return web.json_response(cloud_at(addressed(request).base).document(request.query.get("api-version", "")))
