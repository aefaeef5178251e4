from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._wait import timeout_message, wait_for_poller, wait_until


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, wait=True, wait_timeout=30):
        self.params = {"wait": wait, "wait_timeout": wait_timeout}

    def fail_json(self, **kwargs):
        raise Failed(kwargs)

    def fail_azure(self, exc, msg):
        raise Failed({"msg": f"{msg}: {exc}"})


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
    with pytest.raises(Failed) as err:
        wait_for_poller(FakeModule(wait_timeout=5), FakePoller(finishes=False), "resource group rg to be deleted")
    assert err.value.args[0]["msg"] == (
        "Timed out after 5 seconds waiting for resource group rg to be deleted (last status: InProgress)."
        " The operation goes on in Azure; raise wait_timeout, or set wait=false and check the resource later."
    )


def test_operation_failure_goes_through_fail_azure():
    with pytest.raises(Failed, match="Failed waiting for x: boom"):
        wait_for_poller(FakeModule(), FakePoller(error=RuntimeError("boom")), "x")


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
    with pytest.raises(Failed, match="Timed out after 5 seconds waiting for x"):
        wait_until(FakeModule(wait_timeout=5), lambda: None, "x", interval=2, clock=clock, sleep=clock.sleep)
    assert clock.now == 5
