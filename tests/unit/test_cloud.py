from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._cloud import (
    KNOWN_CLOUDS,
    CloudError,
    metadata_url,
    parse_metadata,
    resolve_cloud,
)

ARM = "https://127.0.0.1:8443"

SINGLE = {
    "name": "azemu",
    "resourceManager": ARM + "/",
    "authentication": {
        "loginEndpoint": ARM + "/",
        "audiences": ["https://management.azemu.test/", "https://management.azemu.test"],
        "tenant": "common",
    },
}

PUBLIC = {
    "name": "AzureCloud",
    "resourceManager": "https://management.azure.com/",
    "authentication": {"loginEndpoint": "https://login.microsoftonline.com", "audiences": ["https://management.core.windows.net/"]},
}


def no_fetch(_url):
    raise AssertionError("a known cloud needs no metadata request")


class TestKnownClouds:
    @pytest.mark.parametrize("name", [None, "", "AzureCloud", "azurecloud", " AZURECLOUD "])
    def test_public_cloud_is_the_default(self, name):
        assert resolve_cloud(name, fetch=no_fetch) == KNOWN_CLOUDS["AzureCloud"]

    @pytest.mark.parametrize(
        "name, login, arm",
        [
            ("AzureChinaCloud", "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn/"),
            ("AzureUSGovernment", "https://login.microsoftonline.us", "https://management.usgovcloudapi.net/"),
        ],
    )
    def test_sovereign_clouds(self, name, login, arm):
        cloud = resolve_cloud(name, fetch=no_fetch)
        assert (cloud.login_endpoint, cloud.resource_manager, cloud.scope) == (login, arm, arm + ".default")
        assert cloud.instance_discovery

    def test_unknown_name(self):
        with pytest.raises(CloudError, match=r"'AzureGermanCloud' is neither a known cloud \(AzureCloud, AzureChinaCloud, AzureUSGovernment\)"):
            resolve_cloud("AzureGermanCloud", fetch=no_fetch)


class TestMetadata:
    def test_url(self):
        assert metadata_url(ARM + "/") == ARM + "/metadata/endpoints?api-version=2022-09-01"

    def test_single_object(self):
        cloud = parse_metadata(SINGLE, ARM)
        assert cloud.name == "azemu"
        assert cloud.login_endpoint == ARM
        assert cloud.resource_manager == ARM + "/"
        assert cloud.scope == "https://management.azemu.test//.default"
        assert not cloud.instance_discovery

    def test_list_picks_the_cloud_of_the_url(self):
        cloud = parse_metadata([PUBLIC, SINGLE], ARM)
        assert cloud.name == "azemu"

    def test_list_with_default_port(self):
        cloud = parse_metadata([SINGLE, PUBLIC], "https://management.azure.com:443")
        assert cloud.name == "AzureCloud"
        assert cloud.instance_discovery

    def test_list_without_match(self):
        with pytest.raises(CloudError, match="lists no cloud whose resourceManager is https://other.test"):
            parse_metadata([PUBLIC, SINGLE], "https://other.test")

    def test_single_entry_without_resource_manager_uses_the_url(self):
        document = {"authentication": SINGLE["authentication"]}
        cloud = parse_metadata(document, ARM)
        assert (cloud.resource_manager, cloud.name) == (ARM, ARM)

    @pytest.mark.parametrize("authentication", [{}, {"loginEndpoint": ARM}, {"audiences": ["x"]}, {"loginEndpoint": ARM, "audiences": []}])
    def test_incomplete_authentication(self, authentication):
        with pytest.raises(CloudError, match="lacks authentication.loginEndpoint or authentication.audiences"):
            parse_metadata({"authentication": authentication}, ARM)

    @pytest.mark.parametrize("document", [[], {}, "text", [1, 2]])
    def test_no_cloud(self, document):
        with pytest.raises(CloudError):
            parse_metadata(document, ARM)

    def test_resolve_url_fetches_once(self):
        seen = []

        def fetch(url):
            seen.append(url)
            return SINGLE

        assert resolve_cloud(ARM, fetch=fetch).name == "azemu"
        assert seen == [ARM]
