"""`GET /metadata/endpoints`: the cloud metadata document, as management.azure.com serves it,
describing a cloud whose every endpoint is azemu.

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
(`audiences: ["https://management.azure.com/"]` there, `[<azemu url>/]` here), and
`resourceManager` with a trailing slash. Clients then ask for `<audience>/.default`: az CLI's
`resource_to_scopes` and our collection make it `<url>//.default` (token `aud` = `<url>/`),
others `<url>/.default` (`aud` = `<url>`); ARM accepts both spellings, as its
InvalidAuthenticationTokenAudience message lists them (`Emulator.audiences`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .hosts import addressed

CLOUD_NAME = "AzureEmulator"
SINGLE_OBJECT_FROM = "2022-09-01"
ARRAY_FROM = "2019-05-01"


def cloud(url: str, audience: str) -> dict[str, Any]:
    """The 2022-09-01 object (keys and order of Azure's)."""
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


def array_entry(url: str, audience: str) -> dict[str, Any]:
    """One cloud of the 2019-05-01 .. 2020-06-01 array: a login endpoint with a trailing slash,
    and `gallery`."""
    entry = cloud(url, audience)
    entry["authentication"]["loginEndpoint"] = url + "/"
    entry["gallery"] = url + "/"
    return entry


def legacy(url: str, audience: str) -> dict[str, Any]:
    """The 2015-01-01 single object."""
    return {
        "galleryEndpoint": url + "/",
        "graphEndpoint": url + "/",
        "portalEndpoint": url + "/",
        "authentication": {"loginEndpoint": url + "/", "audiences": [audience]},
    }


def document(url: str, audience: str, api_version: str) -> Any:
    """What Azure answers for `api_version` (ISO dates compare as strings; `1.0` sorts first)."""
    if api_version >= SINGLE_OBJECT_FROM:
        return cloud(url, audience)
    if api_version >= ARRAY_FROM:
        return [array_entry(url, audience)]
    return legacy(url, audience)


async def endpoints(request: web.Request) -> web.Response:
    base = addressed(request).base
    return web.json_response(document(base, base + "/", request.query.get("api-version", "")))
