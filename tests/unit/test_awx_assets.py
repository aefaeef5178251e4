"""The AWX assets in awx/ hold together: every job template names a playbook, project,
inventory, credential and execution environment that exist, and every survey question sets a
variable its playbook reads, with a default the playbook accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.cloudlb.azure.plugins.module_utils import _rolling

ROOT = Path(__file__).resolve().parents[2]
AWX = ROOT / "awx"
# awx/ stays in the repository; the built collection leaves it out (galaxy.yml build_ignore).
pytestmark = pytest.mark.skipif(not AWX.is_dir(), reason="awx/ is not part of the built collection")
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}


def load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


CONTROLLER = {key: value for name in ("projects", "execution_environments", "credentials", "inventories",
                                      "job_templates") for key, value in load(f"awx/controller/{name}.yml").items()
              } if AWX.is_dir() else {"controller_templates": []}
TEMPLATES = {t["name"]: t for t in CONTROLLER["controller_templates"]}


def names(kind):
    return {item["name"] for item in CONTROLLER[kind]}


def test_there_is_a_job_template_for_each_playbook():
    assert sorted(t["playbook"] for t in TEMPLATES.values()) == [
        "playbooks/pool_member.yml", "playbooks/rolling_maintenance.yml", "playbooks/site.yml",
        "playbooks/smoke_test.yml", "playbooks/teardown.yml"]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_job_templates_refer_to_what_exists(name):
    template = TEMPLATES[name]
    assert (ROOT / template["playbook"]).is_file()
    assert template["project"] in names("controller_projects")
    assert template["inventory"] in names("controller_inventories")
    assert template["execution_environment"] in names("controller_execution_environments")
    assert set(template["credentials"]) <= names("controller_credentials")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_surveys_are_well_formed(name):
    template = TEMPLATES[name]
    assert template["survey_enabled"] is True
    spec = template["survey_spec"]["spec"]
    variables = [q["variable"] for q in spec]
    assert len(variables) == len(set(variables)), variables
    for question in spec:
        assert question["type"] in SURVEY_TYPES and question["question_name"], question
        assert isinstance(question["required"], bool)
        if question["type"] == "multiplechoice":
            assert question["default"] in question["choices"], question
        if question["type"] == "integer":
            assert question.get("min", question["default"]) <= question["default"] <= question.get(
                "max", question["default"]), question


def playbook_variables(playbook):
    """What a playbook reads: tutorial.yml's names, its own vars, and for rolling maintenance
    the role's documented options."""
    known = set(load("playbooks/vars/tutorial.yml"))
    for play in load(playbook):
        known |= set(play.get("vars") or {})
    if playbook.endswith("rolling_maintenance.yml"):
        known |= set(load("roles/rolling_maintenance/meta/main.yml")["argument_specs"]["prepare"]["options"])
    return known


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_survey_answer_is_a_variable_the_playbook_reads(name):
    template = TEMPLATES[name]
    variables = {q["variable"] for q in template["survey_spec"]["spec"]}
    assert variables <= playbook_variables(template["playbook"]), variables - playbook_variables(template["playbook"])


def test_rolling_maintenance_survey_defaults_are_accepted_by_the_role():
    spec = {q["variable"]: q for q in TEMPLATES["cloudlb.azure - rolling maintenance"]["survey_spec"]["spec"]}
    options = load("roles/rolling_maintenance/meta/main.yml")["argument_specs"]["prepare"]["options"]
    # Survey text arrives as strings: the role must read them as the role's defaults mean.
    assert _rolling.parse_serial(spec["rolling_maintenance_serial"]["default"]) == [1]
    assert _rolling.parse_serial("1,50%") == [1, "50%"]
    assert _rolling.required_healthy(spec["rolling_maintenance_min_healthy"]["default"], 3) == 1
    assert _rolling.max_failures(spec["rolling_maintenance_max_failed"]["default"], 3) == 0
    for variable in ("rolling_maintenance_on_failure", "rolling_maintenance_action"):
        assert spec[variable]["choices"] and set(spec[variable]["choices"]) == set(options[variable]["choices"])
        assert spec[variable]["default"] == options[variable]["default"]


def test_the_inventory_source_is_a_file_the_plugin_reads():
    [source] = CONTROLLER["controller_inventory_sources"]
    assert source["inventory"] in names("controller_inventories")
    assert source["source_project"] in names("controller_projects")
    assert source["credential"] in names("controller_credentials")
    path = source["source_path"]
    assert path.endswith("azure_vms.yml") and load(path)["plugin"] == "cloudlb.azure.vms"


def test_the_execution_environment_installs_the_collection_and_its_dependencies():
    definition = load("awx/execution-environment.yml")
    assert definition["version"] == 3
    assert (AWX / definition["dependencies"]["galaxy"]).is_file()
    collections = load("awx/requirements.yml")["collections"]
    assert any("cloudlb/azure" in c["name"] or c["name"] == "cloudlb.azure" for c in collections)
    # ansible-builder takes the Python and system packages from the collection's own file.
    meta = load("meta/execution-environment.yml")
    assert (ROOT / meta["dependencies"]["python"]).is_file() and (ROOT / meta["dependencies"]["system"]).is_file()
