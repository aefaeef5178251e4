from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure
from ansible_collections.cloudlb.azure.plugins.module_utils._wait import timeout_message, wait_for_poller, wait_until


class FakeModule:
    def __init__(self, wait=True, wait_timeout=30):
        self.params = {"wait": wait, "wait_timeout": wait_timeout}


class FakePoller:
    def __init__(self, finishes=True, result="done", error=None):
        self.finishes = finishes
        self._result = result
        self.error = error
        self.waited = None

    def wait(self, timeout=None):
        self.waited = timeout
        if self.error:
            raise self.error

    def done(self):
        return self.finishes

    def status(self):
        return "Succeeded" if self.finishes else "InProgress"

    def result(self):
        return self._result


def test_no_wait_returns_at_once():
    poller = FakePoller()
    assert wait_for_poller(FakeModule(wait=False), poller, "x") is None
    assert poller.waited is None


def test_waits_with_the_timeout():
    poller = FakePoller()
    assert wait_for_poller(FakeModule(wait_timeout=42), poller, "x") == "done"
    assert poller.waited == 42


def test_timeout_fails_clearly():
    with pytest.raises(ModuleFailure) as err:
        wait_for_poller(FakeModule(wait_timeout=5), FakePoller(finishes=False), "resource group rg to be deleted")
    assert err.value.msg == (
        "Timed out after 5 seconds waiting for resource group rg to be deleted (last status: InProgress)."
        " The operation goes on in Azure; raise wait_timeout, or set wait=false and check the resource later."
    )


def test_operation_failure_is_an_azure_failure():
    with pytest.raises(ModuleFailure, match="Failed waiting for x: boom"):
        wait_for_poller(FakeModule(), FakePoller(error=RuntimeError("boom")), "x")


def test_a_canceled_operation_is_superseded_when_the_caller_says_so():
    class Canceled(FakePoller):
        def status(self):
            return "Canceled"

    marker = object()
    assert wait_for_poller(FakeModule(), Canceled(error=RuntimeError("canceled")), "x", superseded=marker) is marker
    with pytest.raises(ModuleFailure, match="Failed waiting for x: canceled"):
        wait_for_poller(FakeModule(), Canceled(error=RuntimeError("canceled")), "x")


def test_timeout_message_without_status():
    assert timeout_message("y", 3).startswith("Timed out after 3 seconds waiting for y. ")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_until_returns_the_first_truthy_result():
    clock = FakeClock()
    answers = iter([None, None, "gone"])
    assert wait_until(FakeModule(), lambda: next(answers), "x", interval=2, clock=clock, sleep=clock.sleep) == "gone"
    assert clock.now == 4


def test_wait_until_times_out():
    clock = FakeClock()
    with pytest.raises(ModuleFailure, match="Timed out after 5 seconds waiting for x"):
        wait_until(FakeModule(wait_timeout=5), lambda: None, "x", interval=2, clock=clock, sleep=clock.sleep)
    assert clock.now == 5
