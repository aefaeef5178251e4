# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the module processes of one user share so that a playbook run logs in once: a private
directory, the name of azure-identity's persistent token cache for one service principal, a
read of that cache, and the cloud metadata documents of ARM URLs.

Private to the collection: nothing outside cloudlb.azure may import it.

azure-identity keeps a persistent token cache called NAME in ``~/.IdentityService/NAME.nocae``
(``TokenCachePersistenceOptions(name=NAME)``; encrypted where the platform can, else a 0600 file
with ``allow_unencrypted_storage``). Our NAMEs are ``cloudlb.azure/<hash>``, so the files sit in
``~/.IdentityService/cloudlb.azure/``, a directory made 0700 here before azure-identity writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from collections import namedtuple

DIRECTORY = "cloudlb.azure"
# azure-identity's folder for persistent caches on Linux and macOS, and its suffix for the cache
# of tokens without Continuous Access Evaluation (azure/identity/_persistent_cache.py, _constants.py).
IDENTITY_SERVICE = ".IdentityService"
NON_CAE_SUFFIX = ".nocae"
METADATA_TTL = 3600
# MSAL serves no access token from its cache with less than five minutes left
# (msal/application.py, _acquire_token_silent_from_cache_and_possibly_refresh_it); neither do we.
TOKEN_MARGIN = 300
# Bumped when what goes into a cache name changes, so that old caches are never read.
NAME_VERSION = "1"

CachedToken = namedtuple("CachedToken", "token expires_on token_type refresh_on")


class CacheUnusable(Exception):
    """The cache directory cannot be made private to this user; the message says why."""


def private_directory(path):
    """Make ``path`` (and missing parents) a directory only this user can enter, and return it.

    A directory we create is 0700. One that exists must be a real directory (not a symlink)
    owned by this user; wider permissions are narrowed to 0700.
    """
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        private_directory(parent)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise CacheUnusable(f"cannot create {path}: {exc.strerror}")
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise CacheUnusable(f"{path} is not a directory")
    if info.st_uid != os.geteuid():
        raise CacheUnusable(f"{path} belongs to another user")
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o700)
    return path


def _digest(*parts):
    return hashlib.sha256(json.dumps([NAME_VERSION, *parts]).encode("utf-8")).hexdigest()[:32]


def token_cache_name(authority, tenant, client_id, secret):
    """The azure-identity cache name for one service principal on one authority.

    MSAL looks tokens up by client, authority host, tenant and scopes, never by secret: in a cache
    shared by every secret of a client, a wrong (or revoked) secret would be handed the token a
    right one got. Hashing the secret into the name gives each secret a cache of its own; the
    hash (truncated SHA-256, in a directory only the user can list) is all that is written of it.
    """
    return f"{DIRECTORY}/{_digest(authority.rstrip('/').lower(), tenant.lower(), client_id.lower(), secret)}"


class LoginCache:
    """The cache directory of one user (``~/.IdentityService/cloudlb.azure``) and what is in it."""

    def __init__(self, directory, ttl=METADATA_TTL, clock=time.time):
        self.directory = directory
        self.home_cache_root = os.path.dirname(directory)
        self.ttl = ttl
        self.clock = clock

    @classmethod
    def for_user(cls, home=None, **kwargs):
        """The cache in ``home`` (default ``~``); CacheUnusable when it cannot be made private."""
        home = home or os.path.expanduser("~")
        return cls(private_directory(os.path.join(home, IDENTITY_SERVICE, DIRECTORY)), **kwargs)

    # --- cloud metadata ---------------------------------------------------------------------

    def _metadata_path(self, arm_url):
        return os.path.join(self.directory, f"metadata-{_digest(arm_url.rstrip('/').lower())}.json")

    def metadata(self, arm_url):
        """The metadata document cached for ``arm_url`` less than ``ttl`` seconds ago, or None."""
        try:
            with open(self._metadata_path(arm_url), encoding="utf-8") as handle:
                entry = json.load(handle)
            fresh = 0 <= self.clock() - float(entry["fetched"]) < self.ttl
            if fresh and entry["arm_url"] == arm_url:
                return entry["document"]
        except (OSError, ValueError, KeyError, TypeError):
            pass   # missing, being replaced, or not ours: read the document again
        return None

    def store_metadata(self, arm_url, document):
        """Write the entry to a temporary file (0600) and rename it over the old one, so a reader
        sees the old entry or the new one, never part of one. A cache that cannot be written (a
        full disk) is only a cache: the next process reads the document again."""
        entry = {"arm_url": arm_url, "fetched": self.clock(), "document": document}
        try:
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".metadata-", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(temporary, self._metadata_path(arm_url))
        except OSError:
            os.unlink(temporary)

    def forget_metadata(self, arm_url):
        try:
            os.unlink(self._metadata_path(arm_url))
        except OSError:
            pass    # gone already, or it goes stale within the hour anyway

    # --- tokens -----------------------------------------------------------------------------

    def token_path(self, name):
        """The file azure-identity keeps the cache ``name`` in when it stores it unencrypted."""
        return os.path.join(self.home_cache_root, name + NON_CAE_SUFFIX)

    def cached_token(self, name, client_id, authority_host, tenant, scopes):
        """An access token of the cache ``name`` for these scopes with more than TOKEN_MARGIN
        seconds left and not yet due for refresh, or None.

        The file is in MSAL's unified cache schema (the one all MSAL libraries share); an app-only
        token is an ``AccessToken`` entry of the client, authority host and tenant, without an
        account, whose ``target`` holds the scopes (msal/token_cache.py, ``search``). Reading it
        here, without importing msal or azure-identity, is what makes a cached login cost nothing.
        Read without a lock: a file being rewritten reads as not JSON, which is a miss. An
        encrypted cache (libsecret, Keychain) leaves only an empty signal file here: a miss too,
        and azure-identity reads its cache itself.
        """
        try:
            with open(self.token_path(name), encoding="utf-8") as handle:
                entries = (json.load(handle).get("AccessToken") or {}).values()
        except (OSError, ValueError, AttributeError):
            return None
        now = self.clock()
        wanted = set(scopes)
        for entry in entries:
            try:
                matches = (
                    entry.get("credential_type") == "AccessToken"
                    and entry.get("client_id") == client_id
                    and (entry.get("environment") or "").lower() == authority_host.lower()
                    and (entry.get("realm") or "").lower() == tenant.lower()
                    and not entry.get("home_account_id")
                    # Tokens bound to a key (PoP, SSH certificates) or to an FMI path are not ours.
                    and not entry.get("key_id") and not entry.get("ext_cache_key")
                    and wanted <= set((entry.get("target") or "").split())
                )
                expires_on = int(entry["expires_on"])
                refresh_on = int(entry["refresh_on"]) if entry.get("refresh_on") else None
            except (AttributeError, KeyError, TypeError, ValueError):
                continue
            if matches and expires_on - now >= TOKEN_MARGIN and (refresh_on is None or refresh_on > now):
                return CachedToken(entry["secret"], expires_on, entry.get("token_type") or "Bearer", refresh_on)
        return None
