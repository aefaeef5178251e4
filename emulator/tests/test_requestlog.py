"""The request log's file: appended per request, compacted, read back after a restart."""

from __future__ import annotations

import json

import pytest

from azemu import requestlog
from azemu.requestlog import MarkError, RequestLog


def add(log, n):
    for _ in range(n):
        log.add(method="GET", path="/subscriptions", query="", status=200, duration=0.001,
                resource_type=None, user_agent="test")


def test_the_log_is_compacted_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setattr(requestlog, "MAX_ENTRIES", 5)
    path = tmp_path / "requests.jsonl"
    log = RequestLog(path)
    add(log, 23)
    assert len(path.read_text().splitlines()) <= 1 + 2 * 5
    assert [e["seq"] for e in log.since(18)] == [19, 20, 21, 22, 23]
    with pytest.raises(MarkError, match="no longer in the log"):
        log.since(17)
    log.close()
    with path.open("a") as f:
        f.write('{"seq": 24, "meth')       # cut short: the machine went down mid-line
    again = RequestLog(path)
    assert (again.id, again.seq) == (log.id, 24)     # 24 may have been seen: it is not given again
    assert [e["seq"] for e in again.since(0)] == [19, 20, 21, 22, 23]
    with pytest.raises(MarkError, match="no longer in the log"):
        again.since(10)
    again.close()
    third = RequestLog(path)
    assert third.seq == 24                            # also after one more restart
    add(third, 1)
    third.close()
    third = RequestLog(path)
    assert [e["seq"] for e in third.since(22)] == [23, 25]
    with pytest.raises(MarkError, match="from the future"):
        third.since(26)
    with pytest.raises(MarkError, match="belongs to request log"):
        third.since(0, "another-log")


def test_an_unreadable_log_starts_a_new_one(tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text("not json\n")
    log = RequestLog(path)
    assert log.seq == 0 and json.loads(path.read_text().splitlines()[0]) == {"log": log.id, "seq": 0}
