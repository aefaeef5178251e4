"""meta/runtime.yml's action group must hold every module, so module_defaults reaches them all,
and every module must run through the collection's action plugin (plugins/plugin_utils/secret_masking.py),
which keeps secrets out of a failed ad-hoc task's message."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def azure_group():
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    return runtime["action_groups"]["azure"]


def modules():
    return {path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py") if not path.name.startswith("_")}


def test_every_module_is_in_the_azure_action_group():
    assert modules() - set(azure_group()) == set(), "add these modules to action_groups.azure in meta/runtime.yml"


def test_the_azure_action_group_names_only_modules():
    assert set(azure_group()) - modules() == set(), "these entries of action_groups.azure name no module"


def test_the_azure_action_group_lists_each_module_once():
    group = azure_group()
    assert len(group) == len(set(group))


def test_every_module_runs_through_the_action_plugin():
    """Each module's action (plugins/action/<module>.py, which ansible-core picks by the module's
    name) is the collection's one ActionModule."""
    import importlib

    shared = importlib.import_module("ansible_collections.cloudlb.azure.plugins.plugin_utils.secret_masking").ActionModule
    own = {name: importlib.import_module(f"ansible_collections.cloudlb.azure.plugins.action.{name}")
           for name in modules() if (REPO_ROOT / "plugins" / "action" / f"{name}.py").exists()}
    assert modules() - set(own) == set(), "give these modules plugins/action/<module>.py importing secret_masking's ActionModule"
    assert [name for name, plugin in own.items() if plugin.ActionModule is not shared] == []
