from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags, normalize_tags, tag_problems


class TestMerge:
    def test_none_leaves_tags_alone(self):
        assert merge_tags({"a": "1"}, None, append=False) == ({"a": "1"}, False)

    def test_append_adds_and_overwrites(self):
        assert merge_tags({"a": "1", "b": "2"}, {"b": "3", "c": "4"}) == ({"a": "1", "b": "3", "c": "4"}, True)

    def test_append_subset_is_no_change(self):
        assert merge_tags({"a": "1", "b": "2"}, {"a": "1"}) == ({"a": "1", "b": "2"}, False)

    def test_replace(self):
        assert merge_tags({"a": "1", "b": "2"}, {"a": "1"}, append=False) == ({"a": "1"}, True)

    def test_replace_with_empty_removes_all(self):
        assert merge_tags({"a": "1"}, {}, append=False) == ({}, True)

    def test_replace_same_is_no_change(self):
        assert merge_tags({"a": "1"}, {"a": "1"}, append=False) == ({"a": "1"}, False)

    def test_no_current_tags(self):
        assert merge_tags(None, {"a": 1}) == ({"a": "1"}, True)

    def test_values_compare_as_strings(self):
        assert merge_tags({"n": "1", "flag": "True"}, {"n": 1, "flag": True}) == ({"n": "1", "flag": "True"}, False)


class TestNormalize:
    def test_values_become_strings(self):
        assert normalize_tags({"n": 1, "none": None, "s": "x"}) == {"n": "1", "none": "", "s": "x"}

    def test_none(self):
        assert normalize_tags(None) is None


class TestProblems:
    def test_valid(self):
        assert tag_problems({"env": "demo", "owner": ""}) == []

    def test_none(self):
        assert tag_problems(None) == []

    def test_too_many(self):
        assert tag_problems({str(i): "" for i in range(51)}) == ["Azure allows at most 50 tags, got 51"]

    @pytest.mark.parametrize("name", ["a/b", "a<b", "a%b", "a?b", "a\\b", "a&b"])
    def test_forbidden_characters(self, name):
        assert "contains one of" in tag_problems({name: "x"})[0]

    def test_lengths(self):
        problems = tag_problems({"n" * 513: "", "v": "x" * 257})
        assert len(problems) == 2
        assert "longer than 512" in problems[0]
        assert "longer than 256" in problems[1]

    def test_empty_name(self):
        assert tag_problems({"": "x"}) == ["a tag name cannot be empty"]
