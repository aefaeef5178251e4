"""Authentication through real ansible-playbook runs: sources, profile files, env names, errors."""

from __future__ import annotations

import uuid

import pytest

CREDENTIAL_NAMES = (
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_CLIENT_ID",
    "AZURE_SECRET",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT",
    "AZURE_TENANT_ID",
)


def probe(**options):
    """A read-only task that needs a token and an ARM call."""
    return [{"name": "probe", "cloudlb.azure.resource_group_info": {"name": "rg-auth-probe", **options}}]


def without(env, *names):
    return {key: value for key, value in env.items() if key not in names}


def assert_works(run):
    assert run.ok, run.output()
    assert run.task("probe")["resource_groups"] == []


def test_default_env_names(run_playbook, azure_env):
    assert_works(run_playbook(probe(), env=azure_env))


def test_auth_source_env(run_playbook, azure_env):
    assert_works(run_playbook(probe(auth_source="env"), env=azure_env))


@pytest.mark.parametrize(
    "standard, alternative",
    [("AZURE_SECRET", "AZURE_CLIENT_SECRET"), ("AZURE_TENANT", "AZURE_TENANT_ID")],
)
def test_alternative_env_names(run_playbook, azure_env, standard, alternative):
    env = without(azure_env, standard)
    env[alternative] = azure_env[standard]
    assert_works(run_playbook(probe(auth_source="env"), env=env))
    assert_works(run_playbook(probe(), env=env))


def test_options_instead_of_env(run_playbook, azure_env):
    options = {
        "subscription_id": azure_env["AZURE_SUBSCRIPTION_ID"],
        "client_id": azure_env["AZURE_CLIENT_ID"],
        "secret": azure_env["AZURE_SECRET"],
        "tenant": azure_env["AZURE_TENANT"],
        "cloud_environment": azure_env["AZURE_CLOUD_ENVIRONMENT"],
    }
    env = without(azure_env, *CREDENTIAL_NAMES, "AZURE_CLOUD_ENVIRONMENT")
    assert_works(run_playbook(probe(**options), env=env))


def write_profiles(home, azure_env, cloud_in_file=True):
    lines = [
        "[default]",
        "subscription_id = 00000000-0000-0000-0000-000000000000",
        "client_id = not-a-client",
        "secret = not-a-secret",
        "tenant = not-a-tenant",
        "",
        "[azemu]",
        f"subscription_id = {azure_env['AZURE_SUBSCRIPTION_ID']}",
        f"client_id = {azure_env['AZURE_CLIENT_ID']}",
        f"secret = {azure_env['AZURE_SECRET']}",
        f"tenant = {azure_env['AZURE_TENANT']}",
    ]
    if cloud_in_file:
        lines.append(f"cloud_environment = {azure_env['AZURE_CLOUD_ENVIRONMENT']}")
    credentials = home / ".azure" / "credentials"
    credentials.parent.mkdir(parents=True)
    credentials.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return credentials


@pytest.fixture
def profile_env(azure_env, tmp_path):
    """An environment with no credentials, and a HOME whose ~/.azure/credentials has an azemu profile."""
    home = tmp_path / "home"
    write_profiles(home, azure_env)
    env = without(azure_env, *CREDENTIAL_NAMES, "AZURE_CLOUD_ENVIRONMENT")
    env["HOME"] = str(home)
    return env


def test_credential_file_with_profile_option(run_playbook, profile_env):
    assert_works(run_playbook(probe(auth_source="credential_file", profile="azemu"), env=profile_env))


def test_credential_file_profile_selected_by_auto(run_playbook, profile_env):
    assert_works(run_playbook(probe(profile="azemu"), env=profile_env))


def test_credential_file_profile_from_env(run_playbook, profile_env):
    assert_works(run_playbook(probe(auth_source="credential_file"), env=dict(profile_env, AZURE_PROFILE="azemu")))


def test_credential_file_path_from_env(run_playbook, azure_env, tmp_path):
    credentials = write_profiles(tmp_path / "elsewhere", azure_env)
    env = without(azure_env, *CREDENTIAL_NAMES, "AZURE_CLOUD_ENVIRONMENT")
    env.update(AZURE_CREDENTIALS_FILE=str(credentials), AZURE_PROFILE="azemu")
    assert_works(run_playbook(probe(), env=env))


def test_credential_file_cloud_from_env(run_playbook, azure_env, tmp_path):
    home = tmp_path / "home"
    write_profiles(home, azure_env, cloud_in_file=False)
    env = without(azure_env, *CREDENTIAL_NAMES)
    env["HOME"] = str(home)
    assert_works(run_playbook(probe(auth_source="credential_file", profile="azemu"), env=env))


def test_credential_file_ignores_env_credentials(run_playbook, azure_env, tmp_path):
    """With auth_source=credential_file the default profile's (bad) client is used, not the env's."""
    home = tmp_path / "home"
    write_profiles(home, azure_env)
    env = dict(azure_env, HOME=str(home))
    run = run_playbook(probe(auth_source="credential_file"), env=env)
    assert not run.ok
    assert "not-a-secret" not in run.output()


def test_unknown_profile(run_playbook, profile_env):
    run = run_playbook(probe(profile="prod"), env=profile_env)
    assert not run.ok
    assert "profile 'prod' is not in the credentials file" in run.task("probe")["msg"]
    assert "profiles found: default, azemu" in run.task("probe")["msg"]


@pytest.mark.parametrize("where", ["env", "option"])
def test_wrong_secret_fails_clearly_without_the_secret(run_playbook, azure_env, azemu, where):
    wrong = f"wrong-secret-{uuid.uuid4().hex}"
    if where == "env":
        run = run_playbook(probe(), env=dict(azure_env, AZURE_SECRET=wrong))
    else:
        run = run_playbook(probe(secret=wrong), env=without(azure_env, "AZURE_SECRET"))
    assert not run.ok
    result = run.task("probe")
    assert result["msg"].startswith("Failed to read resource group rg-auth-probe: ("), result["msg"]
    assert result.get("error_code"), result
    assert wrong not in run.output()
    assert wrong[:20] not in run.output()


def test_missing_credentials(run_playbook, azure_env):
    run = run_playbook(probe(auth_source="env"), env=without(azure_env, "AZURE_TENANT", "AZURE_SECRET"))
    assert not run.ok
    msg = run.task("probe")["msg"]
    assert msg.startswith("Cannot authenticate to Azure: auth_source env needs secret"), msg
    assert "AZURE_TENANT or AZURE_TENANT_ID" in msg


def test_unknown_cloud_name(run_playbook, azure_env):
    run = run_playbook(probe(cloud_environment="AzureGermanCloud"), env=azure_env)
    assert not run.ok
    assert "'AzureGermanCloud' is neither a known cloud" in run.task("probe")["msg"]


def test_unreachable_arm_url(run_playbook, azure_env):
    run = run_playbook(probe(cloud_environment="https://127.0.0.1:9"), env=azure_env)
    assert not run.ok
    assert run.task("probe")["msg"].startswith(
        "Cannot use cloud_environment: cannot read the cloud metadata document at https://127.0.0.1:9/metadata/endpoints"
    )


def test_untrusted_certificate(run_playbook, azure_env):
    run = run_playbook(probe(), env=without(azure_env, "REQUESTS_CA_BUNDLE"))
    assert not run.ok
    assert "certificate" in run.task("probe")["msg"].lower(), run.task("probe")["msg"]
