"""The rolling_maintenance role's files agree with each other and with _rolling.py."""

from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.cloudlb.azure.plugins.module_utils import _rolling

ROLE = Path(__file__).resolve().parents[2] / "roles" / "rolling_maintenance"


def load(name):
    return yaml.safe_load((ROLE / name).read_text(encoding="utf-8"))


def test_the_role_writes_the_tags_the_plan_reads():
    names = load("vars/main.yml")
    assert (names["rolling_maintenance_lock_tag"], names["rolling_maintenance_rollout_tag"],
            names["rolling_maintenance_mark_tag"], names["rolling_maintenance_done_tag"]) == (
        _rolling.LOCK_TAG, _rolling.ROLLOUT_TAG, _rolling.MARK_TAG, _rolling.DONE_TAG)


def test_every_default_is_documented_with_the_same_value():
    defaults = load("defaults/main.yml")
    specs = load("meta/main.yml")["argument_specs"]
    assert set(specs) == {"prepare", "main", "finish"}
    options = specs["prepare"]["options"]
    assert all(specs[entry]["options"] == options for entry in specs)
    assert set(defaults) == set(options), set(defaults) ^ set(options)
    for name, value in defaults.items():
        if isinstance(value, str) and "{{" in value:
            assert "default" not in options[name], name      # computed at run time, documented in words
        else:
            assert options[name].get("default") == value, name


def test_each_maintenance_action_has_its_tasks():
    actions = load("meta/main.yml")["argument_specs"]["main"]["options"]["rolling_maintenance_action"]["choices"]
    assert sorted(p.stem for p in (ROLE / "tasks" / "maintenance").glob("*.yml")) == sorted(actions)
