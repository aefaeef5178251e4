"""A module's first poll of an operation waits the Retry-After of the write that started it
(_first_poll), through the real SDK: one poll per quick operation, not azure-core's two."""

from __future__ import annotations

import pytest


@pytest.fixture
def slow_operations(azemu):
    """Operations that take 1.5 s, answered with Retry-After: 2 (write and polls alike)."""
    before = azemu.settings()
    azemu.settings(latency=1.5, retry_after=2)
    yield
    azemu.settings(latency=before["latency"], retry_after=before["retry_after"])


def test_the_first_poll_comes_after_the_writes_retry_after(run_playbook, azemu, sdk, unique_name, slow_operations):
    group = unique_name("rg")
    sdk.resource.resource_groups.create_or_update(group, {"location": "eastus"})
    mark = azemu.mark()
    run = run_playbook([{"name": "nsg", "cloudlb.azure.security_group": {"resource_group": group, "name": "nsg"}}])
    assert run.rc == 0, run.output()
    requests = azemu.requests(since=mark)
    [put] = [r for r in requests if r["method"] == "PUT"]
    polls = [r for r in requests if "/operations/" in r["path"]]
    # azure-core alone polls at once (InProgress, wait 2 s), then again: two polls, done seen at 2 s.
    assert len(polls) == 1, [(r["method"], r["path"], r["time"] - put["time"]) for r in requests]
    assert polls[0]["time"] - put["time"] >= 2.0
    assert run.task("nsg")["security_group"]["provisioning_state"] == "Succeeded"
