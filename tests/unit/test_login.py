from __future__ import annotations

import os

import pytest
from azure.core.credentials import AccessTokenInfo
from azure.core.exceptions import ClientAuthenticationError

from ansible_collections.cloudlb.azure.plugins.module_utils import _login
from ansible_collections.cloudlb.azure.plugins.module_utils._auth import AuthSettings
from ansible_collections.cloudlb.azure.plugins.module_utils._cloud import KNOWN_CLOUDS, CloudError
from ansible_collections.cloudlb.azure.plugins.module_utils._login import Login, SharedCacheCredential
from ansible_collections.cloudlb.azure.plugins.module_utils._login_cache import CachedToken, token_cache_name

ARM = "https://127.0.0.1:8443"


def document(login="https://127.0.0.1:8443/", audience="https://management.azemu.test/"):
    return [{"name": "azemu", "resourceManager": ARM + "/",
             "authentication": {"loginEndpoint": login, "audiences": [audience]}}]


class Fetch:
    """The metadata GET, counted; answers ``documents`` in turn (the last one from then on)."""

    def __init__(self, *documents):
        self.documents = list(documents) or [document()]
        self.calls = 0

    def __call__(self, url):
        assert url == ARM
        self.calls += 1
        return self.documents[min(self.calls, len(self.documents)) - 1]


def settings(source="env", cloud=ARM, secret="secret"):
    return AuthSettings(source=source, subscription_id="sub", client_id="client", secret=secret, tenant="tenant",
                        cloud_environment=cloud)


class TestCloud:
    def test_an_arm_url_is_read_once_per_ttl(self, tmp_path):
        fetch = Fetch()
        first = Login(settings(), home=str(tmp_path), fetch=fetch).cloud
        second = Login(settings(), home=str(tmp_path), fetch=fetch).cloud
        assert first == second and first.login_endpoint == "https://127.0.0.1:8443"
        assert fetch.calls == 1

    def test_without_the_cache_every_process_reads_it_and_nothing_is_written(self, tmp_path):
        fetch = Fetch()
        for _process in range(2):
            Login(settings(), token_cache=False, home=str(tmp_path), fetch=fetch).cloud
        assert fetch.calls == 2 and os.listdir(tmp_path) == []

    def test_a_known_cloud_is_neither_fetched_nor_cached(self, tmp_path):
        login = Login(settings(cloud="AzureUSGovernment"), home=str(tmp_path), fetch=Fetch())
        assert login.cloud == KNOWN_CLOUDS["AzureUSGovernment"]
        assert os.listdir(login.cache.directory) == []

    def test_a_document_that_does_not_parse_is_not_cached(self, tmp_path):
        fetch = Fetch([{"name": "broken"}], document())
        with pytest.raises(CloudError):
            Login(settings(), home=str(tmp_path), fetch=fetch).cloud
        assert Login(settings(), home=str(tmp_path), fetch=fetch).cloud.scope == "https://management.azemu.test//.default"
        assert fetch.calls == 2

    def test_an_unusable_cache_is_off_with_a_warning(self, tmp_path):
        (tmp_path / ".IdentityService").mkdir()
        (tmp_path / ".IdentityService" / "cloudlb.azure").write_text("")
        login = Login(settings(), home=str(tmp_path), fetch=Fetch())
        assert login.cache is None and "The token cache is off: " in login.warning and "is not a directory" in login.warning
        assert login.cloud.login_endpoint == "https://127.0.0.1:8443"


class FakeCredential:
    """Stands for ClientSecretCredential: records its cloud and the calls, fails while told to."""

    built = []

    def __init__(self, cloud, cache_name):
        self.cloud, self.cache_name, self.calls, self.failures = cloud, cache_name, [], 0
        FakeCredential.built.append(self)

    def get_token_info(self, *scopes, options=None):
        self.calls.append((scopes, options))
        if self.cloud.login_endpoint.endswith(":1"):
            raise ClientAuthenticationError("Authentication failed: connection refused")
        return AccessTokenInfo(f"token-from-{self.cloud.login_endpoint}", 2_000_000_000)


@pytest.fixture
def fake_identity(monkeypatch):
    FakeCredential.built = []
    monkeypatch.setattr(_login, "build_credential", lambda _settings, cloud, cache_name=None: FakeCredential(cloud, cache_name))
    return FakeCredential.built


class TestSharedCacheCredential:
    def test_only_a_service_principal_with_the_cache_on_shares_tokens(self, tmp_path, fake_identity):
        login = Login(settings(), home=str(tmp_path), fetch=Fetch())
        assert isinstance(login.credential(login.cloud), SharedCacheCredential)
        for other in (Login(settings(), token_cache=False, home=str(tmp_path), fetch=Fetch()),
                      Login(settings(source="msi"), home=str(tmp_path), fetch=Fetch())):
            assert isinstance(other.credential(other.cloud), FakeCredential)

    def test_a_cached_token_is_served_without_asking_azure_identity(self, tmp_path, fake_identity, monkeypatch):
        login = Login(settings(), home=str(tmp_path), fetch=Fetch())
        credential = login.credential(login.cloud)
        seen = []

        def cached(name, client_id, host, tenant, scopes):
            seen.append((name, client_id, host, tenant, scopes))
            return None if scopes == ("none",) else CachedToken("cached", 1_900_000_000, "Bearer", None)

        monkeypatch.setattr(login.cache, "cached_token", cached)
        token = credential.get_token("https://management.azemu.test//.default")
        assert (token.token, token.expires_on) == ("cached", 1_900_000_000)
        name = token_cache_name("https://127.0.0.1:8443", "tenant", "client", "secret")
        assert seen == [(name, "client", "127.0.0.1", "tenant", ("https://management.azemu.test//.default",))]
        assert fake_identity == []      # azure-identity is not even built
        # A miss, or a request the cache cannot answer (claims), goes to azure-identity, with that cache.
        assert credential.get_token_info("none").token == "token-from-https://127.0.0.1:8443"
        assert len(fake_identity) == 1 and fake_identity[0].cache_name == name
        assert credential.get_token("scope", claims='{"access_token": {}}').token == "token-from-https://127.0.0.1:8443"
        assert [call[0] for call in fake_identity[0].calls] == [("none",), ("scope",)]
        assert fake_identity[0].calls[1][1] == {"claims": '{"access_token": {}}'}

    def test_a_failed_login_on_a_changed_cached_document_is_tried_again_on_the_new_one(self, tmp_path, fake_identity):
        stale = document(login="https://127.0.0.1:1/", audience="https://old.azemu.test")
        Login(settings(), home=str(tmp_path), fetch=Fetch(stale)).cloud      # cached by an earlier process
        fetch = Fetch(document())
        login = Login(settings(), home=str(tmp_path), fetch=fetch)
        credential = login.credential(login.cloud)
        assert fetch.calls == 0 and login.cloud.login_endpoint == "https://127.0.0.1:1"
        token = credential.get_token_info("https://old.azemu.test/.default", "other")
        assert token.token == "token-from-https://127.0.0.1:8443" and fetch.calls == 1
        assert [c.cloud.login_endpoint for c in fake_identity] == ["https://127.0.0.1:1", "https://127.0.0.1:8443"]
        assert fake_identity[1].calls[0][0] == ("https://management.azemu.test//.default", "other")
        assert fake_identity[1].cache_name != fake_identity[0].cache_name
        # The new document is cached for the processes that follow.
        assert Login(settings(), home=str(tmp_path), fetch=fetch).cloud.login_endpoint == "https://127.0.0.1:8443"
        assert fetch.calls == 1

    def test_a_failed_login_on_an_unchanged_document_fails_after_one_read(self, tmp_path, fake_identity):
        broken = document(login="https://127.0.0.1:1/")
        Login(settings(), home=str(tmp_path), fetch=Fetch(broken)).cloud
        fetch = Fetch(broken)
        login = Login(settings(), home=str(tmp_path), fetch=fetch)
        credential = login.credential(login.cloud)
        for _attempt in range(2):
            with pytest.raises(ClientAuthenticationError):
                credential.get_token("scope")
        assert fetch.calls == 1 and len(fake_identity) == 1

    def test_a_credential_azure_identity_refuses_fails_the_login(self, tmp_path, monkeypatch):
        def refuse(*_args, **_kwargs):
            raise ValueError("Invalid tenant ID provided")

        monkeypatch.setattr(_login, "build_credential", refuse)
        login = Login(settings(), home=str(tmp_path), fetch=Fetch())
        with pytest.raises(ClientAuthenticationError, match="Cannot build the Azure credential: Invalid tenant ID"):
            login.credential(login.cloud).get_token("scope")

    def test_a_failed_login_on_a_document_just_read_is_not_read_again(self, tmp_path, fake_identity):
        fetch = Fetch(document(login="https://127.0.0.1:1/"))
        login = Login(settings(), home=str(tmp_path), fetch=fetch)
        with pytest.raises(ClientAuthenticationError):
            login.credential(login.cloud).get_token("scope")
        assert fetch.calls == 1
