"""The present/absent flow of _resource_ops (NetworkResource, ensure_deleted), against a fake
operations group that plays Azure's part: the Result each path returns, the requests it makes
(none in check mode, no write when nothing differs) and the errors it raises."""

from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils import _resource_ops as ops
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import HttpResponseError, ModuleFailure, ResourceNotFoundError
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result


class FakeModule:
    def __init__(self, operations, check_mode=False, wait=True):
        self.check_mode = check_mode
        self.params = {"wait": wait, "wait_timeout": 30}
        self.network = type("Network", (), {"things": operations})()

    def client(self, name):
        assert name == "network"
        return self.network

    def wait_for(self, poller, what):
        return poller.result() if self.params["wait"] else None


class Done:
    def __init__(self, result=None):
        self._result = result

    def result(self):
        return self._result


class Refused(HttpResponseError):
    def __init__(self):
        super().__init__(message="(AnotherOperationInProgress) Busy")
        self.status_code = 409


class FakeThings:
    """One stored resource as Azure's JSON; every request is logged."""

    def __init__(self, stored=None, refuse=None, gone_before_delete=False):
        self.stored, self.refuse, self.gone_before_delete = stored, refuse, gone_before_delete
        self.requests = []

    def get(self, *path):
        self.requests.append(("GET", path))
        if self.refuse == "GET":
            raise Refused()
        if self.stored is None:
            raise ResourceNotFoundError("not found")
        return dict(self.stored)

    def begin_create_or_update(self, *path_and_body):
        *path, body = path_and_body
        self.requests.append(("PUT", tuple(path)))
        if self.refuse == "PUT":
            raise Refused()
        self.stored = dict(body, provisioning_state="Succeeded")
        return Done(self.stored)

    def begin_delete(self, *path):
        self.requests.append(("DELETE", path))
        if self.gone_before_delete:
            raise ResourceNotFoundError("not found")
        self.stored = None
        return Done()


def methods(things):
    return [request[0] for request in things.requests]


def to_dict(json):
    return {"name": json["name"], "tags": json.get("tags", {}), "provisioning_state": json.get("provisioning_state")}


def thing(module, path=("rg", "x")):
    return ops.NetworkResource(module, "things", path, "thing x", to_dict, "thing")


def body_for(desired, current_json):
    return {"name": desired["name"], "tags": desired["tags"]}


EXISTING = {"name": "x", "tags": {"a": "1"}, "provisioning_state": "Succeeded"}


def test_building_one_makes_no_request():
    things = FakeThings(EXISTING)
    ops.NetworkResource(FakeModule(things), "things", ("rg", "x"), "thing x", to_dict)
    assert things.requests == []


def test_a_missing_resource_is_created_and_returned_as_azure_answers():
    things = FakeThings()
    x = thing(FakeModule(things))
    assert x.read() is None
    result = x.ensure_present({"name": "x", "tags": {"a": "1"}, "provisioning_state": None}, None, body_for)
    assert result == Result(True, {}, EXISTING, thing=EXISTING)
    assert things.requests == [("GET", ("rg", "x")), ("PUT", ("rg", "x"))]


def test_nothing_differs_nothing_written():
    things = FakeThings(EXISTING)
    x = thing(FakeModule(things))
    current = x.read()
    assert x.ensure_present(dict(current), False, body_for) == Result(False, current, current, thing=current)
    assert methods(things) == ["GET"]


def test_a_resource_left_failed_is_written_again_though_nothing_differs():
    things = FakeThings(dict(EXISTING, provisioning_state="Failed"))
    x = thing(FakeModule(things))
    current = x.read()
    result = x.ensure_present(dict(current), False, body_for)
    assert result.changed and result.after["provisioning_state"] == "Succeeded"
    assert methods(things) == ["GET", "PUT"]


@pytest.mark.parametrize("check_mode, wait", [(True, True), (False, False)])
def test_the_prediction_is_returned_in_check_mode_and_without_waiting(check_mode, wait):
    things = FakeThings(EXISTING)
    x = thing(FakeModule(things, check_mode=check_mode, wait=wait))
    current = x.read()
    desired = dict(current, tags={"a": "2"})
    assert x.ensure_present(desired, True, body_for) == Result(True, current, desired, thing=desired)
    assert methods(things) == ["GET"] + ([] if check_mode else ["PUT"])


def test_the_diff_has_its_own_view_and_a_child_its_path():
    things = FakeThings(EXISTING)
    rule = ops.NetworkResource(FakeModule(things), "things", ("rg", "nsg", "x"), "rule x", to_dict, "rule",
                               view=lambda r: {"tags": r["tags"]})
    current = rule.read()
    assert rule.ensure_present(current, False, body_for) == Result(False, {"tags": {"a": "1"}}, {"tags": {"a": "1"}},
                                                                   rule=current)
    assert things.requests == [("GET", ("rg", "nsg", "x"))]


def test_absent_deletes_what_exists_and_only_that():
    things = FakeThings(EXISTING)
    assert thing(FakeModule(things)).ensure_absent() == Result(True, to_dict(EXISTING), {})
    assert methods(things) == ["GET", "DELETE"]
    assert thing(FakeModule(things)).ensure_absent() == Result(False, {}, {})
    assert methods(things) == ["GET", "DELETE", "GET"]


def test_absent_in_check_mode_deletes_nothing():
    things = FakeThings(EXISTING)
    assert thing(FakeModule(things, check_mode=True)).ensure_absent() == Result(True, to_dict(EXISTING), {})
    assert methods(things) == ["GET"]


def test_a_resource_gone_before_its_delete_is_unchanged():
    things = FakeThings(EXISTING, gone_before_delete=True)
    assert thing(FakeModule(things)).ensure_absent() == Result(False, {}, {})


def test_a_delete_done_when_it_returns_needs_no_poller():
    module = FakeModule(FakeThings())
    assert ops.ensure_deleted(module, {"name": "x"}, lambda: None, "thing x") == Result(True, {"name": "x"}, {})


@pytest.mark.parametrize("refuse, message", [("GET", "Failed to read thing x"), ("PUT", "Failed to write thing x")])
def test_what_azure_refuses_raises_saying_what_failed(refuse, message):
    things = FakeThings(EXISTING, refuse=refuse)
    x = thing(FakeModule(things))
    with pytest.raises(ModuleFailure) as raised:
        x.read()
        x.ensure_present(dict(x.current, tags={}), True, body_for)
    assert raised.value.msg == f"{message}: (AnotherOperationInProgress) Busy"
    assert raised.value.details["status_code"] == 409


def test_group_location_says_the_group_is_missing():
    class Groups:
        def get(self, name):
            raise ResourceNotFoundError("not found")

    module = FakeModule(FakeThings())
    module.client = lambda name: type("Resource", (), {"resource_groups": Groups()})()
    with pytest.raises(ModuleFailure, match="^Resource group rg does not exist; create it first or give a location$"):
        ops.group_location(module, "rg")
