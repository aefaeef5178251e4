"""`GET /metadata/endpoints`: the cloud metadata document, as management.azure.com serves it,
describing a cloud whose every endpoint is azemu.

api-version 2022-09-01 (and other versions from 2019-05-01 on) answer an array of cloud
objects; older or missing versions answer the single-object 2015-01-01 shape that older
tools (msrestazure) read. Clients take `authentication.loginEndpoint` as the AAD authority
and `authentication.audiences[0]` + "/.default" as the token scope.
"""

from __future__ import annotations

from aiohttp import web

from .hosts import addressed

CLOUD_NAME = "AzureEmulator"


def cloud(url: str) -> dict:
    arm = url + "/"
    return {
        "portal": url,
        "authentication": {
            "loginEndpoint": arm,
            "audiences": [url],
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
            "sqlServerHostname": ".database.azemu.local",
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


def legacy(url: str) -> dict:
    """The 2015-01-01 single-object shape."""
    return {
        "galleryEndpoint": url + "/",
        "graphEndpoint": url + "/",
        "portalEndpoint": url + "/",
        "authentication": {"loginEndpoint": url + "/", "audiences": [url]},
    }


async def endpoints(request: web.Request) -> web.Response:
    url = addressed(request).base
    version = request.query.get("api-version", "")
    if version >= "2019-05-01":
        return web.json_response([cloud(url)])
    return web.json_response(legacy(url))
