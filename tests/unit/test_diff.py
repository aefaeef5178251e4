from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._diff import apply_changes, changed_keys, diff_result


class TestChangedKeys:
    def test_none_means_leave_as_is(self):
        assert changed_keys({"a": 1}, {"a": None, "b": None}) == []

    def test_changed_and_new(self):
        assert changed_keys({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ["b", "c"]

    def test_no_current(self):
        assert changed_keys(None, {"a": 1}) == ["a"]

    def test_nested_dict_is_a_subset_match(self):
        current = {"sku": {"name": "Standard", "tier": "Regional"}}
        assert changed_keys(current, {"sku": {"name": "Standard"}}) == []
        assert changed_keys(current, {"sku": {"name": "Basic"}}) == ["sku"]

    def test_lists_compare_in_order(self):
        assert changed_keys({"p": [1, 2]}, {"p": [1, 2]}) == []
        assert changed_keys({"p": [1, 2]}, {"p": [2, 1]}) == ["p"]
        assert changed_keys({"p": [1]}, {"p": [1, 2]}) == ["p"]

    def test_list_of_dicts(self):
        current = {"rules": [{"name": "r", "port": 80, "id": "x"}]}
        assert changed_keys(current, {"rules": [{"name": "r", "port": 80}]}) == []


def test_apply_changes():
    assert apply_changes({"a": 1, "b": 2}, {"b": 3, "c": None}) == {"a": 1, "b": 3}


def test_diff_result_absent_is_empty_dict():
    assert diff_result(None, {"name": "x"}) == {"diff": {"before": {}, "after": {"name": "x"}}}
