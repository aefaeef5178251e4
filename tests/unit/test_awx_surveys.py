"""AWX's surveys (awx/controller) against what the playbooks and roles accept: every question's
type, choices, default, required flag and bounds agree with the argument spec of the variable it
sets - the role's (cloudlb.azure.rolling_maintenance) or the playbooks' own
(playbooks/vars/argument_spec.yml, with their defaults in vars/tutorial.yml and the plays). A
mismatch fails here, not in a user's job."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem

ROOT = Path(__file__).resolve().parents[2]
AWX = ROOT / "awx" / "controller"
pytestmark = pytest.mark.skipif(not AWX.is_dir(), reason="awx/ is not part of the built collection")
SURVEY_TYPES = {"text": "str", "textarea": "str", "password": "str", "integer": "int", "float": "float"}


def load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def surveys():
    """(name, playbook or None for a workflow, questions) of every template with a survey."""
    if not AWX.is_dir():
        return []
    found = [(t["name"], t["playbook"], t["survey_spec"]["spec"])
             for t in load("awx/controller/job_templates.yml")["controller_templates"] if t.get("survey_enabled")]
    found += [(w["name"], None, w["survey_spec"]["spec"])
              for w in load("awx/controller/workflow_job_templates.yml")["controller_workflows"]]
    return found


def specs_for(playbook):
    """{variable: (argument spec, default)} of what the playbook takes."""
    if playbook == "playbooks/rolling_maintenance.yml":
        options = load("roles/rolling_maintenance/meta/main.yml")["argument_specs"]["prepare"]["options"]
        return {name: (spec, spec.get("default")) for name, spec in options.items()}
    defaults = dict(load("playbooks/vars/tutorial.yml"))
    for play in load(playbook or "playbooks/site.yml"):
        defaults.update(play.get("vars") or {})
    spec = load("playbooks/vars/argument_spec.yml")["tutorial_argument_spec"]
    return {name: (option, defaults.get(name)) for name, option in spec.items()}


def accepted(spec, value):
    result = ArgumentSpecValidator({"x": spec}).validate({"x": value})
    return not result.error_messages, result.validated_parameters.get("x")


CASES = [(name, playbook, question) for name, playbook, questions in surveys() for question in questions]


@pytest.mark.parametrize("name, playbook, question", CASES, ids=[f"{c[0]}:{c[2]['variable']}" for c in CASES])
def test_survey_question_agrees_with_the_argument_spec(name, playbook, question):
    specs = specs_for(playbook)
    assert question["variable"] in specs, f"{question['variable']} has no argument spec for {playbook}"
    spec, default = specs[question["variable"]]
    kind = spec.get("type", "str")

    # Type and choices: what the survey can send, the spec takes.
    if question["type"] == "multiplechoice":
        if kind == "bool":
            assert sorted(question["choices"]) == ["false", "true"], question
        else:
            assert sorted(question["choices"]) == sorted(str(c) for c in spec["choices"]), (question, spec)
    else:
        assert "choices" not in spec, f"{question['variable']} has choices: the survey should offer them"
        assert kind in (SURVEY_TYPES[question["type"]], "raw"), (question, spec)

    # Default: the survey's, as the playbook reads it, is the playbook's or role's own.
    ok, value = accepted(spec, question["default"])
    assert ok, (question, spec)
    expected = accepted(spec, default)[1] if default is not None else None
    if kind == "raw":
        value, expected = str(value), str(expected)
    if not (default is None and question["default"] == "" and not question["required"]):
        assert value == expected, f"{question['variable']}: survey default {value!r}, spec default {expected!r}"

    # Required: what the spec requires, the survey asks for.
    if spec.get("required"):
        assert question["required"], question

    # Bounds: each end the survey allows is accepted (an integer's, and a name's length).
    for bound in ("min", "max"):
        if bound in question:
            end = question[bound]
            sample = "a" * end if question["type"] in ("text", "textarea") else end
            assert accepted(spec, sample)[0], (question, bound)
            if question["variable"].endswith("resource_group"):
                assert name_problem(sample) is None, (question, bound)


@pytest.mark.parametrize("name, playbook, question",
                         [c for c in CASES if c[2]["variable"].endswith("resource_group")],
                         ids=lambda c: c if isinstance(c, str) else None)
def test_resource_group_questions_have_azures_bounds(name, playbook, question):
    assert (question.get("min"), question.get("max")) == (1, 90), question
    assert name_problem("a" * 91) and name_problem(""), "Azure's rule: 1 to 90 characters"


def test_every_playbook_checks_the_variables_its_surveys_set():
    for _name, playbook, questions in surveys():
        if playbook in (None, "playbooks/rolling_maintenance.yml"):
            continue            # the workflow's go to site.yml and smoke_test.yml; the role checks its own
        text = (ROOT / playbook).read_text()
        assert "validate_argument_spec" in text, playbook
        for question in questions:
            assert question["variable"] in text or "rejectattr" in text, (playbook, question["variable"])
