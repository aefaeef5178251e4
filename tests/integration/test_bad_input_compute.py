"""Bad input refused before any write: the compute modules' cases of bad_input_cases.py, one
playbook per module (each case a task with ignore_errors), with azemu's request log showing no
write. Prints the count per module."""

from __future__ import annotations

import uuid

import pytest

from bad_input_cases import build, by_module, compute_cases, run_cases

CASES = by_module(compute_cases())


@pytest.fixture(scope="module")
def group(sdk):
    name = f"rg-bad-{uuid.uuid4().hex[:8]}"
    build(sdk, name, compute=True)
    yield name
    sdk.resource.resource_groups.begin_delete(name)


@pytest.mark.parametrize("module", sorted(CASES))
def test_refused_before_any_write(run_playbook, azemu, group, module):
    assert run_cases(run_playbook, azemu, group, module, CASES[module]) == len(CASES[module])
