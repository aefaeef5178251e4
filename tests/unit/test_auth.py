from __future__ import annotations

import json

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._auth import (
    AuthError,
    env_values,
    resolve_auth,
)

SP_ENV = {
    "AZURE_SUBSCRIPTION_ID": "sub-env",
    "AZURE_CLIENT_ID": "client-env",
    "AZURE_SECRET": "secret-env",
    "AZURE_TENANT": "tenant-env",
}


def no_az(_name):
    return None


def has_az(_name):
    return "/usr/bin/az"


def write_credentials(home, text):
    path = home / ".azure" / "credentials"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


PROFILES = """
[default]
subscription_id = sub-default
client_id = client-default
secret = secret-default
tenant = tenant-default

[staging]
subscription_id = sub-staging
client_id = client-staging
secret = secret-staging
tenant = tenant-staging
cloud_environment = https://arm.example.test
"""


def resolve(params=None, environ=None, home=None, which=no_az):
    return resolve_auth(params or {}, environ or {}, home=str(home) if home else "/nonexistent", which=which)


class TestEnvNames:
    def test_primary_names(self):
        assert env_values(SP_ENV) == {
            "subscription_id": "sub-env",
            "client_id": "client-env",
            "secret": "secret-env",
            "tenant": "tenant-env",
        }

    @pytest.mark.parametrize(
        "name, key",
        [("AZURE_CLIENT_SECRET", "secret"), ("AZURE_TENANT_ID", "tenant")],
    )
    def test_alternative_names(self, name, key):
        assert env_values({name: "value"}) == {key: "value"}

    def test_primary_name_wins(self):
        values = env_values({"AZURE_SECRET": "a", "AZURE_CLIENT_SECRET": "b", "AZURE_TENANT": "t1", "AZURE_TENANT_ID": "t2"})
        assert values == {"secret": "a", "tenant": "t1"}

    def test_empty_values_are_unset(self):
        assert env_values({"AZURE_SECRET": "", "AZURE_CLIENT_SECRET": "b"}) == {"secret": "b"}

    def test_cloud_and_profile(self):
        assert env_values({"AZURE_CLOUD_ENVIRONMENT": "AzureChinaCloud", "AZURE_PROFILE": "p"}) == {
            "cloud_environment": "AzureChinaCloud",
            "profile": "p",
        }


class TestEnvSource:
    def test_from_environment(self):
        settings = resolve({"auth_source": "env"}, SP_ENV)
        assert (settings.source, settings.client_id, settings.secret, settings.tenant, settings.subscription_id) == (
            "env",
            "client-env",
            "secret-env",
            "tenant-env",
            "sub-env",
        )

    def test_alternative_env_names(self):
        environ = {"AZURE_SUBSCRIPTION_ID": "s", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "x", "AZURE_TENANT_ID": "t"}
        settings = resolve({"auth_source": "env"}, environ)
        assert (settings.secret, settings.tenant) == ("x", "t")

    def test_options_win_per_field(self):
        settings = resolve({"auth_source": "env", "subscription_id": "sub-param", "secret": "secret-param"}, SP_ENV)
        assert (settings.subscription_id, settings.secret, settings.client_id) == ("sub-param", "secret-param", "client-env")

    def test_missing_fields_are_named_with_their_env_names(self):
        with pytest.raises(AuthError) as err:
            resolve({"auth_source": "env"}, {"AZURE_CLIENT_ID": "c", "AZURE_SECRET": "x"})
        message = str(err.value)
        assert "tenant (option tenant, or env AZURE_TENANT or AZURE_TENANT_ID)" in message
        assert "subscription_id (option subscription_id, or env AZURE_SUBSCRIPTION_ID)" in message
        assert "client_id" not in message

    def test_cloud_environment_from_env(self):
        settings = resolve({"auth_source": "env"}, dict(SP_ENV, AZURE_CLOUD_ENVIRONMENT="https://arm.test"))
        assert settings.cloud_environment == "https://arm.test"


class TestCredentialFile:
    def test_default_profile(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        settings = resolve({"auth_source": "credential_file"}, {}, tmp_path)
        assert (settings.source, settings.profile, settings.client_id, settings.subscription_id) == (
            "credential_file",
            "default",
            "client-default",
            "sub-default",
        )

    def test_named_profile_with_cloud(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        settings = resolve({"auth_source": "credential_file", "profile": "staging"}, {}, tmp_path)
        assert (settings.secret, settings.cloud_environment) == ("secret-staging", "https://arm.example.test")

    def test_profile_from_env(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        settings = resolve({"auth_source": "credential_file"}, {"AZURE_PROFILE": "staging"}, tmp_path)
        assert settings.profile == "staging"

    def test_environment_credentials_are_ignored_but_options_win(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        settings = resolve({"auth_source": "credential_file", "subscription_id": "sub-param"}, SP_ENV, tmp_path)
        assert (settings.client_id, settings.secret, settings.subscription_id) == ("client-default", "secret-default", "sub-param")

    def test_cloud_from_env_when_profile_has_none(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        settings = resolve({"auth_source": "credential_file"}, {"AZURE_CLOUD_ENVIRONMENT": "AzureChinaCloud"}, tmp_path)
        assert settings.cloud_environment == "AzureChinaCloud"

    def test_profile_cloud_wins_over_env(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        environ = {"AZURE_CLOUD_ENVIRONMENT": "AzureChinaCloud"}
        settings = resolve({"auth_source": "credential_file", "profile": "staging"}, environ, tmp_path)
        assert settings.cloud_environment == "https://arm.example.test"

    def test_file_path_from_env(self, tmp_path):
        path = tmp_path / "elsewhere.ini"
        path.write_text(PROFILES)
        settings = resolve({"auth_source": "credential_file"}, {"AZURE_CREDENTIALS_FILE": str(path)}, tmp_path / "home")
        assert settings.client_id == "client-default"

    def test_unknown_profile_lists_the_known_ones(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        with pytest.raises(AuthError, match=r"profile 'prod' is not in the credentials file .*\(profiles found: default, staging\)"):
            resolve({"auth_source": "credential_file", "profile": "prod"}, {}, tmp_path)

    def test_missing_file(self, tmp_path):
        with pytest.raises(AuthError, match="cannot read the credentials file"):
            resolve({"auth_source": "credential_file"}, {}, tmp_path)

    def test_incomplete_profile(self, tmp_path):
        write_credentials(tmp_path, "[default]\nclient_id = c\nsecret = s\n")
        with pytest.raises(AuthError, match=r"needs tenant, subscription_id in profile 'default'"):
            resolve({"auth_source": "credential_file"}, {}, tmp_path)

    def test_not_ini(self, tmp_path):
        write_credentials(tmp_path, "client_id = c\n")
        with pytest.raises(AuthError, match="not a valid INI file"):
            resolve({"auth_source": "credential_file"}, {}, tmp_path)


def write_cli_profile(config_dir, subscriptions):
    config_dir.mkdir(parents=True, exist_ok=True)
    # The Azure CLI writes azureProfile.json with a byte-order mark.
    (config_dir / "azureProfile.json").write_text(json.dumps({"subscriptions": subscriptions}), encoding="utf-8-sig")


class TestCli:
    def test_default_subscription_from_cli_profile(self, tmp_path):
        write_cli_profile(
            tmp_path / ".azure",
            [
                {"id": "sub-other", "isDefault": False, "environmentName": "AzureCloud"},
                {"id": "sub-cli", "isDefault": True, "environmentName": "AzureUSGovernment"},
            ],
        )
        settings = resolve({"auth_source": "cli"}, {}, tmp_path)
        assert (settings.source, settings.subscription_id, settings.cloud_environment) == ("cli", "sub-cli", "AzureUSGovernment")

    def test_config_dir_from_env(self, tmp_path):
        write_cli_profile(tmp_path / "cfg", [{"id": "sub-cfg", "isDefault": True}])
        settings = resolve({"auth_source": "cli"}, {"AZURE_CONFIG_DIR": str(tmp_path / "cfg")}, tmp_path)
        assert settings.subscription_id == "sub-cfg"

    def test_explicit_subscription_wins(self, tmp_path):
        write_cli_profile(tmp_path / ".azure", [{"id": "sub-cli", "isDefault": True}])
        settings = resolve({"auth_source": "cli", "subscription_id": "sub-param"}, {}, tmp_path)
        assert settings.subscription_id == "sub-param"

    def test_no_subscription(self, tmp_path):
        with pytest.raises(AuthError, match="az login"):
            resolve({"auth_source": "cli"}, {}, tmp_path)

    def test_secret_never_carried(self, tmp_path):
        settings = resolve({"auth_source": "cli", "subscription_id": "s"}, SP_ENV, tmp_path)
        assert settings.secret is None


class TestMsi:
    def test_user_assigned(self):
        settings = resolve({"auth_source": "msi", "client_id": "identity"}, {"AZURE_SUBSCRIPTION_ID": "s"})
        assert (settings.source, settings.client_id, settings.subscription_id, settings.secret) == ("msi", "identity", "s", None)

    def test_subscription_required(self):
        with pytest.raises(AuthError, match="msi needs subscription_id"):
            resolve({"auth_source": "msi"}, {})


class TestAuto:
    def test_profile_option_selects_credential_file(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        assert resolve({"profile": "staging"}, SP_ENV, tmp_path).source == "credential_file"

    def test_profile_env_selects_credential_file(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        settings = resolve({}, dict(SP_ENV, AZURE_PROFILE="staging"), tmp_path)
        assert (settings.source, settings.client_id) == ("credential_file", "client-staging")

    def test_service_principal_from_env_before_file(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        assert resolve({}, SP_ENV, tmp_path).source == "env"

    def test_service_principal_from_options(self, tmp_path):
        params = {"client_id": "c", "secret": "s", "tenant": "t", "subscription_id": "sub"}
        settings = resolve(params, {}, tmp_path, which=has_az)
        assert (settings.source, settings.secret) == ("env", "s")

    def test_auth_source_none_means_auto(self, tmp_path):
        assert resolve({"auth_source": None}, SP_ENV, tmp_path).source == "env"

    def test_credentials_file_before_cli(self, tmp_path):
        write_credentials(tmp_path, PROFILES)
        assert resolve({}, {}, tmp_path, which=has_az).source == "credential_file"

    def test_cli_when_az_installed(self, tmp_path):
        write_cli_profile(tmp_path / ".azure", [{"id": "sub-cli", "isDefault": True}])
        assert resolve({}, {}, tmp_path, which=has_az).source == "cli"

    def test_msi_last(self, tmp_path):
        assert resolve({}, {"AZURE_SUBSCRIPTION_ID": "s"}, tmp_path).source == "msi"

    def test_client_id_alone_is_not_a_service_principal(self, tmp_path):
        settings = resolve({"client_id": "identity"}, {"AZURE_SUBSCRIPTION_ID": "s"}, tmp_path)
        assert (settings.source, settings.client_id) == ("msi", "identity")

    def test_incomplete_service_principal_fails_clearly(self, tmp_path):
        with pytest.raises(AuthError, match=r"auth_source env needs tenant"):
            resolve({}, {"AZURE_CLIENT_ID": "c", "AZURE_SECRET": "x", "AZURE_SUBSCRIPTION_ID": "s"}, tmp_path)
