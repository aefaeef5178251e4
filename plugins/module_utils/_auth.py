# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: which credentials to use (pure logic) and the azure-identity credential.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
from dataclasses import dataclass

from ansible.module_utils.basic import env_fallback

AUTH_SOURCES = ("auto", "env", "credential_file", "cli", "msi")
# The sources that log in with a client secret, through ClientSecretCredential.
SECRET_SOURCES = ("env", "credential_file")
TOKEN_CACHE_ENV = "ANSIBLE_AZURE_TOKEN_CACHE"

AUTH_ARGUMENT_SPEC = dict(
    auth_source=dict(type="str", choices=list(AUTH_SOURCES), default="auto", fallback=(env_fallback, ["ANSIBLE_AZURE_AUTH_SOURCE"])),
    subscription_id=dict(type="str"),
    client_id=dict(type="str"),
    secret=dict(type="str", no_log=True),
    tenant=dict(type="str"),
    profile=dict(type="str"),
    cloud_environment=dict(type="str"),
    token_cache=dict(type="bool", default=True, fallback=(env_fallback, [TOKEN_CACHE_ENV])),
)

# Resolved here rather than with argument-spec fallbacks: a value given to the module must be
# told apart from one found in the environment (credential_file ignores the environment).
ENV_NAMES = {
    "subscription_id": ("AZURE_SUBSCRIPTION_ID",),
    "client_id": ("AZURE_CLIENT_ID",),
    "secret": ("AZURE_SECRET", "AZURE_CLIENT_SECRET"),
    "tenant": ("AZURE_TENANT", "AZURE_TENANT_ID"),
    "cloud_environment": ("AZURE_CLOUD_ENVIRONMENT",),
    "profile": ("AZURE_PROFILE",),
}

FIELDS = tuple(ENV_NAMES)
CREDENTIAL_FILE_KEYS = ("subscription_id", "client_id", "secret", "tenant", "cloud_environment")
DEFAULT_PROFILE = "default"


class AuthError(Exception):
    """The credentials cannot be resolved; the message says what is missing."""


@dataclass(frozen=True)
class AuthSettings:
    source: str
    subscription_id: str | None = None
    client_id: str | None = None
    secret: str | None = None
    tenant: str | None = None
    cloud_environment: str | None = None
    profile: str | None = None


def _present(mapping):
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def params_values(params):
    """The auth values given to the module itself."""
    return _present({key: params.get(key) for key in FIELDS})


def env_values(environ):
    """The auth values in the environment; the first name set wins (AZURE_SECRET before AZURE_CLIENT_SECRET)."""
    values = {}
    for key, names in ENV_NAMES.items():
        for name in names:
            if environ.get(name):
                values[key] = environ[name]
                break
    return values


def credentials_file_path(environ, home):
    return environ.get("AZURE_CREDENTIALS_FILE") or os.path.join(home, ".azure", "credentials")


def read_profile(path, profile):
    """The keys of one section of an INI credentials file (``~/.azure/credentials``)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as exc:
        raise AuthError(f"cannot read the credentials file {path}: {exc.strerror}")
    except configparser.Error as exc:
        raise AuthError(f"the credentials file {path} is not a valid INI file: {exc}")
    if not parser.has_section(profile):
        known = ", ".join(parser.sections()) or "none"
        raise AuthError(f"profile {profile!r} is not in the credentials file {path} (profiles found: {known})")
    return _present({key: parser.get(profile, key, fallback=None) for key in CREDENTIAL_FILE_KEYS})


def cli_config_dir(environ, home):
    return environ.get("AZURE_CONFIG_DIR") or os.path.join(home, ".azure")


def read_cli_default_subscription(config_dir):
    """The Azure CLI's default subscription (id, cloud name) from azureProfile.json, or (None, None)."""
    path = os.path.join(config_dir, "azureProfile.json")
    try:
        # The CLI writes this file with a byte-order mark.
        with open(path, encoding="utf-8-sig") as handle:
            profile = json.load(handle)
    except (OSError, ValueError):
        return None, None
    for subscription in profile.get("subscriptions") or []:
        if subscription.get("isDefault"):
            return subscription.get("id"), subscription.get("environmentName")
    return None, None


def _missing(settings, keys):
    missing = [key for key in keys if not getattr(settings, key)]
    if not missing:
        return settings
    hints = []
    for key in missing:
        names = " or ".join(ENV_NAMES[key])
        hints.append(f"{key} (option {key}, or env {names})" if settings.source == "env" else key)
    where = f" in profile {settings.profile!r}" if settings.source == "credential_file" else ""
    raise AuthError(f"auth_source {settings.source} needs {', '.join(hints)}{where}")


def resolve_auth(params, environ=None, home=None, which=shutil.which):
    """Decide where the credentials come from and return them as AuthSettings.

    ``auto`` tries, in order: a profile named by the profile option or AZURE_PROFILE; a
    service principal from module options and environment (options win per field); the
    default profile of the credentials file when that file exists; the Azure CLI when ``az``
    is installed; managed identity.
    """
    environ = os.environ if environ is None else environ
    home = home or os.path.expanduser("~")
    given = params_values(params)
    env = env_values(environ)
    merged = {**env, **given}
    source = params.get("auth_source") or "auto"
    creds_file = credentials_file_path(environ, home)

    if source == "auto":
        if merged.get("profile"):
            source = "credential_file"
        elif merged.get("client_id") and merged.get("secret"):
            source = "env"
        elif os.path.isfile(creds_file):
            source = "credential_file"
        elif which("az"):
            source = "cli"
        else:
            source = "msi"

    if source == "env":
        settings = AuthSettings(source="env", **{key: merged.get(key) for key in FIELDS})
        return _missing(settings, ("client_id", "secret", "tenant", "subscription_id"))

    if source == "credential_file":
        profile = merged.get("profile") or DEFAULT_PROFILE
        values = {**read_profile(creds_file, profile), **given}
        values.setdefault("cloud_environment", env.get("cloud_environment"))
        values["profile"] = profile
        settings = AuthSettings(source="credential_file", **{key: values.get(key) for key in FIELDS})
        return _missing(settings, ("client_id", "secret", "tenant", "subscription_id"))

    if source == "cli":
        cli_subscription, cli_cloud = read_cli_default_subscription(cli_config_dir(environ, home))
        settings = AuthSettings(
            source="cli",
            subscription_id=merged.get("subscription_id") or cli_subscription,
            tenant=given.get("tenant"),
            cloud_environment=merged.get("cloud_environment") or cli_cloud,
        )
        if not settings.subscription_id:
            raise AuthError("auth_source cli found no subscription: run 'az login' or 'az account set', or set subscription_id")
        return settings

    settings = AuthSettings(
        source="msi",
        subscription_id=merged.get("subscription_id"),
        client_id=merged.get("client_id"),
        cloud_environment=merged.get("cloud_environment"),
    )
    if not settings.subscription_id:
        raise AuthError("auth_source msi needs subscription_id (option subscription_id, or env AZURE_SUBSCRIPTION_ID)")
    return settings


def build_credential(settings, cloud, cache_name=None):
    """The azure-identity credential for resolved settings on a cloud.

    With ``cache_name``, a service principal's tokens go to azure-identity's persistent cache of
    that name: encrypted where the platform can (Windows DPAPI, macOS Keychain, libsecret), else
    a file only the user can read, as on controllers and execution environments. The Azure CLI
    and managed identity take no such cache (the CLI keeps its own; IMDS is on the machine).
    """
    if settings.source in SECRET_SOURCES:
        from azure.identity import ClientSecretCredential, TokenCachePersistenceOptions

        persistence = {}
        if cache_name:
            persistence["cache_persistence_options"] = TokenCachePersistenceOptions(name=cache_name, allow_unencrypted_storage=True)
        return ClientSecretCredential(
            settings.tenant,
            settings.client_id,
            settings.secret,
            authority=cloud.login_endpoint,
            disable_instance_discovery=not cloud.instance_discovery,
            **persistence,
        )
    if settings.source == "cli":
        from azure.identity import AzureCliCredential

        return AzureCliCredential(tenant_id=settings.tenant) if settings.tenant else AzureCliCredential()
    from azure.identity import ManagedIdentityCredential

    return ManagedIdentityCredential(client_id=settings.client_id) if settings.client_id else ManagedIdentityCredential()
