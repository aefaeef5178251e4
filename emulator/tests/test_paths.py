"""The path patterns of ARM's route table and the location endpoints (azemu/arm/paths.py)."""

from __future__ import annotations

import pytest

from azemu.arm.paths import match, pattern


@pytest.mark.parametrize("path, segments, captured", [
    ("subscriptions/{sub}", ["Subscriptions", "s1"], {"sub": "s1"}),
    ("a/{kind:operations|operationResults}/{id}", ["A", "OPERATIONRESULTS", "7"],
     {"kind": "OPERATIONRESULTS", "id": "7"}),
    ("a/{rest...}", ["a", "b", "C"], {"rest": ["b", "C"]}),
    ("vmSizes", ["vmsizes"], {}),
])
def test_a_pattern_captures_as_the_client_spelled(path, segments, captured):
    assert match(pattern(path), segments) == captured


@pytest.mark.parametrize("path, segments", [
    ("a/{kind:operations|operationResults}/{id}", ["a", "other", "7"]),
    ("a/{rest...}", ["a"]),           # a rest is one segment or more
    ("a", ["a", "b"]),
    ("a/b", ["a"]),
    ("a/{x}", ["b", "c"]),
])
def test_a_pattern_refuses_other_paths(path, segments):
    assert match(pattern(path), segments) is None
