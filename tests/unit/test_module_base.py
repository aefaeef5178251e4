"""AzureModule's option handling, which happens before any request to Azure."""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule


def run(args, capsys, **kwargs):
    with patch_module_args(args):
        try:
            module = AzureModule(argument_spec=dict(name=dict(type="str")), **kwargs)
        except SystemExit:
            return None, json.loads(capsys.readouterr().out)
    return module, None


def test_shared_options_are_merged(capsys):
    module, _failed = run({"name": "x"}, capsys, wait=True, tags=True)
    assert {"auth_source", "subscription_id", "client_id", "secret", "tenant", "profile", "cloud_environment"} <= set(module.params)
    assert (module.params["wait"], module.params["wait_timeout"], module.params["append_tags"]) == (True, 600, True)
    assert module.check_mode is False


def test_wait_and_tags_only_when_asked(capsys):
    module, _failed = run({}, capsys)
    assert "wait" not in module.params and "tags" not in module.params


def test_tags_are_strings(capsys):
    module, _failed = run({"tags": {"n": 1}}, capsys, tags=True)
    assert module.params["tags"] == {"n": "1"}


def test_invalid_tags_fail_before_any_request(capsys):
    _module, failed = run({"tags": {"a/b": "x"}}, capsys, tags=True)
    assert failed["failed"] and failed["msg"].startswith("Invalid tags: tag name 'a/b' contains one of")


def test_wait_timeout_must_be_positive(capsys):
    _module, failed = run({"wait_timeout": 0}, capsys, wait=True)
    assert failed["msg"] == "wait_timeout must be a positive number of seconds, got 0"


def clear_azure_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AZURE_") or name == "ANSIBLE_AZURE_AUTH_SOURCE":
            monkeypatch.delenv(name)


def test_auth_errors_are_clear(capsys, monkeypatch, tmp_path):
    clear_azure_env(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path))
    with patch_module_args({"auth_source": "env", "client_id": "c", "secret": "hunter2"}):
        module = AzureModule(argument_spec={})
        with pytest.raises(ModuleFailure) as failure:
            module.auth
        with pytest.raises(SystemExit):
            module.fail_with(failure.value)
    failed = json.loads(capsys.readouterr().out)
    assert failed["msg"].startswith("Cannot authenticate to Azure: auth_source env needs tenant")
    assert "hunter2" not in json.dumps(failed)


def test_secret_from_environment_is_masked(capsys, monkeypatch):
    clear_azure_env(monkeypatch)
    for name, value in {"AZURE_SECRET": "env-secret-value", "AZURE_CLIENT_ID": "c", "AZURE_TENANT": "t", "AZURE_SUBSCRIPTION_ID": "s"}.items():
        monkeypatch.setenv(name, value)
    with patch_module_args({}):
        module = AzureModule(argument_spec={})
        assert module.auth.secret == "env-secret-value"
        with pytest.raises(SystemExit):
            module.fail_json(msg="the secret env-secret-value leaked")
    assert "env-secret-value" not in capsys.readouterr().out
