"""The conditional read-modify-write loop of cw.update, against a fake operations group that
plays Azure's part: etags, If-Match / If-None-Match, 412 and superseded operations."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils import _conditional_write as cw
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import HttpResponseError, ModuleFailure, ResourceNotFoundError


class FakeModule:
    def __init__(self, check_mode=False, wait=True):
        self.check_mode = check_mode
        self.params = {"wait": wait, "wait_timeout": 30}


class Refused(HttpResponseError):
    def __init__(self, status):
        super().__init__(message=f"status {status}")
        self.status_code = status


class FakePoller:
    def __init__(self, result, status="Succeeded"):
        self._result, self._status = result, status

    def wait(self, timeout=None):
        if self._status == "Canceled":
            raise HttpResponseError(message="Operation was canceled")

    def done(self):
        return True

    def status(self):
        return self._status

    def result(self):
        return self._result


class FakeLoadBalancers:
    """One stored resource. `meddle` runs before each write is judged: another writer's change."""

    def __init__(self, stored=None, meddle=None, cancel=0):
        self.stored = stored
        self.meddle = meddle or (lambda attempt, stored: stored)
        self.cancel = cancel      # how many accepted writes end Canceled
        self.puts = []
        self.version = 0

    def get(self, group, name):
        if self.stored is None:
            raise ResourceNotFoundError(message="not found")
        return copy.deepcopy(self.stored)

    def begin_create_or_update(self, group, name, body, headers):
        self.puts.append(headers)
        self.stored = self.meddle(len(self.puts), self.stored)
        if headers.get("If-None-Match") == "*" and self.stored is not None:
            raise Refused(412)
        if "If-Match" in headers and (self.stored is None or headers["If-Match"] != self.stored["etag"]):
            raise Refused(412)
        self.version += 1
        self.stored = dict(copy.deepcopy(body), etag=f"v{self.version}")
        if self.cancel:
            self.cancel -= 1
            return FakePoller(None, "Canceled")
        return FakePoller(copy.deepcopy(self.stored))


def add_probe(name):
    def apply(current):
        probes = (current or {}).get("probes", [])
        if name in probes:
            return None
        return dict(current or {}, probes=probes + [name])
    return apply


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch):
    pauses = []
    monkeypatch.setattr(cw, "pause", pauses.append)
    return pauses


def test_writes_with_the_etag_it_read():
    ops = FakeLoadBalancers({"probes": [], "etag": "v0"})
    before, after, changed = cw.update(FakeModule(), ops, "rg", "lb", add_probe("p"), "load balancer lb")
    assert changed and before["probes"] == [] and after["probes"] == ["p"]
    assert ops.puts == [{"If-Match": "v0"}]


def test_creates_only_what_does_not_exist_yet():
    ops = FakeLoadBalancers(None)
    _before, after, changed = cw.update(FakeModule(), ops, "rg", "lb", add_probe("p"), "load balancer lb")
    assert changed and after["probes"] == ["p"] and ops.puts == [{"If-None-Match": "*"}]


def test_nothing_to_change_sends_nothing():
    ops = FakeLoadBalancers({"probes": ["p"], "etag": "v0"})
    before, after, changed = cw.update(FakeModule(), ops, "rg", "lb", add_probe("p"), "load balancer lb")
    assert not changed and before == after and ops.puts == []


def test_check_mode_predicts_without_writing():
    ops = FakeLoadBalancers({"probes": [], "etag": "v0"})
    _before, after, changed = cw.update(FakeModule(check_mode=True), ops, "rg", "lb", add_probe("p"), "lb")
    assert changed and after["probes"] == ["p"] and ops.puts == []


def test_a_concurrent_change_is_kept_and_ours_applied_again(no_pauses):
    def other_writer(attempt, stored):
        # Someone adds probe "q" between our first read and our first write.
        return {"probes": stored["probes"] + ["q"], "etag": "other"} if attempt == 1 else stored
    ops = FakeLoadBalancers({"probes": [], "etag": "v0"}, meddle=other_writer)
    _before, after, changed = cw.update(FakeModule(), ops, "rg", "lb", add_probe("p"), "load balancer lb")
    assert changed and after["probes"] == ["q", "p"]
    assert ops.puts == [{"If-Match": "v0"}, {"If-Match": "other"}]
    assert len(no_pauses) == 1


def test_a_superseded_write_that_landed_counts_as_made():
    ops = FakeLoadBalancers({"probes": [], "etag": "v0"}, cancel=1)
    before, after, changed = cw.update(FakeModule(), ops, "rg", "lb", add_probe("p"), "load balancer lb")
    assert changed and before["probes"] == [] and after["probes"] == ["p"]
    assert len(ops.puts) == 1, "the re-read found the change; nothing more to write"


def test_without_wait_returns_the_predicted_body():
    ops = FakeLoadBalancers({"probes": [], "etag": "v0"}, cancel=1)
    _before, after, changed = cw.update(FakeModule(wait=False), ops, "rg", "lb", add_probe("p"), "lb")
    assert changed and after == {"probes": ["p"], "etag": "v0"}


def test_gives_up_after_the_bounded_number_of_attempts(no_pauses):
    ops = FakeLoadBalancers({"probes": [], "etag": "v0"},
                            meddle=lambda attempt, stored: dict(stored, etag=f"other{attempt}"))
    with pytest.raises(ModuleFailure) as failed:
        cw.update(FakeModule(), ops, "rg", "lb", add_probe("p"), "load balancer lb")
    assert len(ops.puts) == cw.WRITE_ATTEMPTS and len(no_pauses) == cw.WRITE_ATTEMPTS
    assert "Gave up writing load balancer lb after 20 attempts" in failed.value.msg


def test_other_errors_fail_with_the_given_message():
    class Broken(FakeLoadBalancers):
        def begin_create_or_update(self, *args, **kwargs):
            raise Refused(400)
    with pytest.raises(ModuleFailure) as failed:
        cw.update(FakeModule(), Broken({"probes": [], "etag": "v0"}), "rg", "lb", add_probe("p"), "lb",
                  failure=lambda current: f"Cannot add to {current['etag']}")
    assert failed.value.msg == "Cannot add to v0: status 400" and failed.value.details["status_code"] == 400


def test_pauses_grow_and_stay_random_below_the_cap(monkeypatch):
    monkeypatch.undo()
    caps, slept = [], []
    for attempt in (0, 1, 2, 10):
        cw.pause(attempt, uniform=lambda low, high: caps.append(high) or high / 2, sleep=slept.append)
    assert caps == [0.25, 0.5, 1.0, cw.PAUSE_CAP]
    assert slept == [c / 2 for c in caps]


def pool_with(*nic_entries, address=None):
    entries = [{"name": n, "properties": {"networkInterfaceIPConfiguration": {"id": f"/x/{n}"}}} for n in nic_entries]
    if address:
        entries.append({"name": address, "properties": {"ipAddress": "10.0.0.9"}})
    return {"properties": {"backendAddressPools": [{"name": "pool", "properties": {
        "loadBalancerBackendAddresses": entries}}]}}


class NicEntryRefusal(HttpResponseError):
    def __init__(self, code="ModificationOfNICIpConfigBackendPoolNotSupported"):
        super().__init__(f"({code}) Operation on backend pool not allowed")
        self.status_code = 400
        self.error = type("E", (), {"code": code, "message": "refused"})()


def test_a_nic_that_left_the_pool_since_the_read_is_retried_not_failed():
    # the NIC entries are the NICs', not the load balancer's: a change there keeps the etag
    assert cw.members_moved(NicEntryRefusal(), pool_with("rg_nic1ipconfig1", "rg_nic2ipconfig1"),
                            pool_with("rg_nic1ipconfig1"))
    assert cw.nic_entries(pool_with("rg_nic1ipconfig1", address="addr")) == {"pool": ["rg_nic1ipconfig1"]}


def test_the_same_refusal_with_the_same_members_fails_and_other_codes_too():
    same = pool_with("rg_nic1ipconfig1")
    assert not cw.members_moved(NicEntryRefusal(), same, copy.deepcopy(same))
    assert not cw.members_moved(NicEntryRefusal("InvalidResourceReference"), same, pool_with())
