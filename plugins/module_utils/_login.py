# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How one process reaches Azure: the cloud and the credential for resolved AuthSettings, through
the login cache of ``_login_cache`` unless the ``token_cache`` option turns it off.

Private to the collection: nothing outside cloudlb.azure may import it. The modules
(``AzureModule``) and the inventory plugin log in through ``Login``, nothing else.
"""

from __future__ import annotations

import importlib.util
from urllib.parse import urlparse

from ansible_collections.cloudlb.azure.plugins.module_utils._auth import SECRET_SOURCES, build_credential
from ansible_collections.cloudlb.azure.plugins.module_utils._cloud import CloudError, fetch_metadata, parse_metadata, resolve_cloud
from ansible_collections.cloudlb.azure.plugins.module_utils._login_cache import CacheUnusable, LoginCache, token_cache_name

# get_token options that want a token the cache cannot answer for (MSAL skips its cache for claims too).
UNCACHED_OPTIONS = ("claims", "tenant_id", "enable_cae")


class Login:
    """The Cloud and the credential of one process; nothing is read or requested until asked for."""

    def __init__(self, settings, token_cache=True, home=None, fetch=fetch_metadata):
        self.settings = settings
        self.warning = None
        self.cache = None
        if token_cache:
            try:
                self.cache = LoginCache.for_user(home)
            except CacheUnusable as exc:
                self.warning = f"The token cache is off: {exc}"
        self._fetch = fetch
        self._cloud = None
        self._cached_arm_url = None

    @property
    def cloud(self):
        """The Cloud of ``cloud_environment``. An ARM URL's metadata document comes from the cache
        when it is fresh there; a document read from the network is cached once it parsed."""
        if self._cloud is None:
            if self.cache is None:
                self._cloud = resolve_cloud(self.settings.cloud_environment, fetch=self._fetch)
            else:
                fetched = {}

                def fetch(arm_url):
                    document = self.cache.metadata(arm_url)
                    if document is None:
                        document = fetched[arm_url] = self._fetch(arm_url)
                    else:
                        self._cached_arm_url = arm_url
                    return document

                self._cloud = resolve_cloud(self.settings.cloud_environment, fetch=fetch)
                for arm_url, document in fetched.items():
                    self.cache.store_metadata(arm_url, document)
        return self._cloud

    def reload_cloud(self):
        """After a failed login on a cloud whose document came from the cache: the Cloud of the
        document read again (and cached), or None when there is nothing to read again."""
        arm_url, self._cached_arm_url = self._cached_arm_url, None
        if arm_url is None:
            return None
        self.cache.forget_metadata(arm_url)
        try:
            document = self._fetch(arm_url)
            cloud = parse_metadata(document, arm_url)
        except CloudError:
            return None
        self.cache.store_metadata(arm_url, document)
        return cloud

    def credential(self, cloud):
        """A new azure-identity credential on ``cloud`` (this Login's); a service principal's
        tokens go through the cache."""
        if self.cache is not None and self.settings.source in SECRET_SOURCES:
            if importlib.util.find_spec("azure.identity") is None:
                raise ImportError("No module named 'azure.identity'")   # said now, not at the first request
            return SharedCacheCredential(self, cloud)
        return build_credential(self.settings, cloud)


class SharedCacheCredential:
    """A service principal's credential whose tokens the user's module processes share.

    The tokens live in azure-identity's persistent cache (``TokenCachePersistenceOptions``), which
    ``ClientSecretCredential`` reads and writes under a lock. A ClientSecretCredential discovers
    its authority (one GET) before it looks in that cache, and importing azure-identity takes a
    quarter of a second; so a token the cache holds is answered here first, by the rule MSAL
    applies (more than five minutes left), and the ClientSecretCredential is built only when the
    cache has none. When that login fails on a cloud whose metadata came from the cache, the
    document is read again, and if it changed the login is tried once more on the new one.
    """

    def __init__(self, login, cloud):
        self._login = login
        self._use(cloud)

    def _use(self, cloud):
        settings = self._login.settings
        self._cloud = cloud
        self._name = token_cache_name(cloud.login_endpoint, settings.tenant, settings.client_id, settings.secret)
        self._credential = None

    def _azure_identity(self):
        if self._credential is None:
            from azure.core.exceptions import ClientAuthenticationError

            try:
                self._credential = build_credential(self._login.settings, self._cloud, cache_name=self._name)
            except ValueError as exc:
                raise ClientAuthenticationError(f"Cannot build the Azure credential: {exc}")
        return self._credential

    def _cached(self, scopes):
        settings = self._login.settings
        host = urlparse(self._cloud.login_endpoint).hostname or ""
        return self._login.cache.cached_token(self._name, settings.client_id, host, settings.tenant, scopes)

    def get_token_info(self, *scopes, options=None):
        from azure.core.credentials import AccessTokenInfo
        from azure.core.exceptions import ClientAuthenticationError

        if not any((options or {}).get(key) for key in UNCACHED_OPTIONS):
            hit = self._cached(scopes)
            if hit:
                return AccessTokenInfo(hit.token, hit.expires_on, token_type=hit.token_type, refresh_on=hit.refresh_on)
        try:
            return self._azure_identity().get_token_info(*scopes, options=options)
        except ClientAuthenticationError:
            fresh = self._login.reload_cloud()
            if fresh is None or fresh == self._cloud:
                raise
        old_scope = self._cloud.scope
        self._use(fresh)
        return self._azure_identity().get_token_info(*[fresh.scope if s == old_scope else s for s in scopes], options=options)

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **_kwargs):
        from azure.core.credentials import AccessToken

        options = {"claims": claims, "tenant_id": tenant_id, "enable_cae": enable_cae}
        info = self.get_token_info(*scopes, options={key: value for key, value in options.items() if value})
        return AccessToken(info.token, info.expires_on)

    def close(self):
        if self._credential is not None:
            self._credential.close()
