from __future__ import annotations

import json
import os
import stat

import msal
import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._login_cache import (
    TOKEN_MARGIN,
    CacheUnusable,
    LoginCache,
    private_directory,
    token_cache_name,
)

AUTHORITY = "https://login.example.test:8443"
HOST = "login.example.test"
SCOPE = "https://management.example.test/.default"
NOW = 1_800_000_000


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class TestPrivateDirectory:
    def test_made_0700_with_its_parents(self, tmp_path):
        path = tmp_path / "home" / ".IdentityService" / "cloudlb.azure"
        old = os.umask(0o022)
        try:
            private_directory(str(path))
        finally:
            os.umask(old)
        assert mode(path) == 0o700 and mode(path.parent) == 0o700

    def test_an_open_directory_is_narrowed(self, tmp_path):
        path = tmp_path / "cache"
        path.mkdir()
        path.chmod(0o755)
        private_directory(str(path))
        assert mode(path) == 0o700

    def test_a_symlink_is_refused(self, tmp_path):
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "cache").symlink_to(tmp_path / "elsewhere")
        with pytest.raises(CacheUnusable, match="is not a directory"):
            private_directory(str(tmp_path / "cache"))

    def test_a_file_is_refused(self, tmp_path):
        (tmp_path / "cache").write_text("")
        with pytest.raises(CacheUnusable, match="is not a directory"):
            private_directory(str(tmp_path / "cache"))

    def test_for_user_is_under_identity_service(self, tmp_path):
        cache = LoginCache.for_user(str(tmp_path))
        assert cache.directory == str(tmp_path / ".IdentityService" / "cloudlb.azure")


class TestTokenCacheName:
    def test_holds_no_secret_and_lives_in_our_directory(self):
        name = token_cache_name(AUTHORITY, "tenant", "client", "s3cret-value")
        assert name.startswith("cloudlb.azure/") and "s3cret" not in name
        assert len(name.split("/")[1]) == 32

    @pytest.mark.parametrize("other", [
        (AUTHORITY + "1", "tenant", "client", "secret"),
        (AUTHORITY, "tenant2", "client", "secret"),
        (AUTHORITY, "tenant", "client2", "secret"),
        (AUTHORITY, "tenant", "client", "secret2"),
    ])
    def test_each_part_makes_another_cache(self, other):
        assert token_cache_name(AUTHORITY, "tenant", "client", "secret") != token_cache_name(*other)

    def test_ids_and_authority_are_case_insensitive_the_secret_is_not(self):
        name = token_cache_name(AUTHORITY, "tenant", "client", "secret")
        assert token_cache_name(AUTHORITY.upper() + "/", "TENANT", "CLIENT", "secret") == name
        assert token_cache_name(AUTHORITY, "tenant", "client", "SECRET") != name


@pytest.fixture
def clock():
    class Clock:
        now = NOW

        def __call__(self):
            return self.now

    return Clock()


@pytest.fixture
def cache(tmp_path, clock):
    return LoginCache.for_user(str(tmp_path), ttl=3600, clock=clock)


class TestMetadata:
    URL = "https://127.0.0.1:8443"
    DOCUMENT = [{"name": "azemu", "authentication": {"loginEndpoint": "https://127.0.0.1:8443/"}}]

    def test_round_trip_in_a_0600_file_and_nothing_else_left(self, cache):
        cache.store_metadata(self.URL, self.DOCUMENT)
        assert cache.metadata(self.URL) == self.DOCUMENT
        files = os.listdir(cache.directory)
        assert len(files) == 1 and files[0].startswith("metadata-") and self.URL not in files[0]
        assert mode(os.path.join(cache.directory, files[0])) == 0o600

    def test_expires_after_the_ttl(self, cache, clock):
        cache.store_metadata(self.URL, self.DOCUMENT)
        clock.now += 3599
        assert cache.metadata(self.URL) == self.DOCUMENT
        clock.now += 1
        assert cache.metadata(self.URL) is None

    def test_an_entry_from_the_future_is_not_trusted(self, cache, clock):
        cache.store_metadata(self.URL, self.DOCUMENT)
        clock.now -= 10
        assert cache.metadata(self.URL) is None

    def test_keyed_by_the_url(self, cache):
        cache.store_metadata(self.URL, self.DOCUMENT)
        assert cache.metadata("https://127.0.0.1:8444") is None

    def test_a_replacement_wins_and_forget_removes(self, cache):
        cache.store_metadata(self.URL, self.DOCUMENT)
        cache.store_metadata(self.URL, [{"name": "other"}])
        assert cache.metadata(self.URL) == [{"name": "other"}]
        cache.forget_metadata(self.URL)
        cache.forget_metadata(self.URL)
        assert cache.metadata(self.URL) is None and os.listdir(cache.directory) == []

    def test_a_cache_that_cannot_be_written_is_only_a_miss(self, cache):
        os.rmdir(cache.directory)
        with open(cache.directory, "w", encoding="utf-8"):
            pass    # where the directory was, a file: every write fails, even as root
        cache.store_metadata(self.URL, self.DOCUMENT)
        cache.forget_metadata(self.URL)
        assert cache.metadata(self.URL) is None

    @pytest.mark.parametrize("content", ["", "{", "[]", '{"arm_url": 1}'])
    def test_a_damaged_entry_is_a_miss(self, cache, content):
        cache.store_metadata(self.URL, self.DOCUMENT)
        (path,) = [os.path.join(cache.directory, f) for f in os.listdir(cache.directory)]
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
        assert cache.metadata(self.URL) is None


NAME = "cloudlb.azure/0123456789abcdef0123456789abcdef"


def store_token(cache, expires_in, now=NOW, client="client", tenant="tenant", scope=SCOPE, refresh_in=None):
    """An access token as MSAL itself adds it to a cache, written where azure-identity keeps it."""
    path = cache.token_path(NAME)
    tokens = msal.SerializableTokenCache()
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            tokens.deserialize(handle.read())
    response = {"access_token": f"token-{client}-{tenant}-{expires_in}", "expires_in": expires_in, "token_type": "Bearer"}
    if refresh_in is not None:
        response["refresh_in"] = refresh_in
    tokens.add({"client_id": client, "scope": [scope], "token_endpoint": f"{AUTHORITY}/{tenant}/oauth2/v2.0/token",
                "environment": HOST, "response": response}, now=now)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(tokens.serialize())


class TestCachedToken:
    def lookup(self, cache, client="client", tenant="tenant", scopes=(SCOPE,), host=HOST):
        return cache.cached_token(NAME, client, host, tenant, scopes)

    def test_the_file_is_where_azure_identity_writes_the_cache_of_that_name(self, cache, tmp_path):
        assert cache.token_path(NAME) == str(tmp_path / ".IdentityService" / (NAME + ".nocae"))

    def test_a_token_with_time_left_is_served(self, cache):
        store_token(cache, 3600)
        hit = self.lookup(cache)
        assert (hit.token, hit.expires_on, hit.token_type, hit.refresh_on) == ("token-client-tenant-3600", NOW + 3600, "Bearer", None)

    def test_never_within_five_minutes_of_its_expiry(self, cache, clock):
        store_token(cache, 3600)
        clock.now = NOW + 3600 - TOKEN_MARGIN
        assert self.lookup(cache).token == "token-client-tenant-3600"
        clock.now += 1
        assert self.lookup(cache) is None
        clock.now = NOW + 7200
        assert self.lookup(cache) is None

    def test_a_short_lived_token_is_never_served(self, cache):
        store_token(cache, TOKEN_MARGIN - 1)
        assert self.lookup(cache) is None

    def test_not_once_its_refresh_is_due(self, cache, clock):
        store_token(cache, 3600, refresh_in=1800)
        assert self.lookup(cache).refresh_on == NOW + 1800
        clock.now = NOW + 1800
        assert self.lookup(cache) is None

    @pytest.mark.parametrize("query", [dict(client="other"), dict(tenant="other"), dict(scopes=("https://x/.default",)),
                                       dict(host="login.elsewhere.test")])
    def test_only_for_its_client_tenant_scope_and_authority(self, cache, query):
        store_token(cache, 3600)
        assert self.lookup(cache, **query) is None

    def test_the_right_one_of_several(self, cache):
        store_token(cache, 3600, client="a")
        store_token(cache, 3000, client="b")
        assert self.lookup(cache, client="b").token == "token-b-tenant-3000"

    @pytest.mark.parametrize("content", [None, "", "{", json.dumps({"AccessToken": {}})])
    def test_no_file_or_a_file_being_written_is_a_miss(self, cache, content):
        if content is not None:
            with open(cache.token_path(NAME), "w", encoding="utf-8") as handle:
                handle.write(content)
        assert self.lookup(cache) is None
