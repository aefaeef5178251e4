from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._diff import diff_result


def test_diff_result_absent_is_empty_dict():
    assert diff_result(None, {"name": "x"}) == {"diff": {"before": {}, "after": {"name": "x"}}}
