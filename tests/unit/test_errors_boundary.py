"""The one error of the modules (ModuleFailure), its Azure form and the Result main() exits with."""

from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import (
    HttpResponseError,
    ModuleFailure,
    OptionError,
    azure_call,
    azure_failure,
    check_options,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result


class Refused(HttpResponseError):
    def __init__(self):
        super().__init__(message="(AnotherOperationInProgress) Busy with hunter2's request")
        self.status_code = 409


def raises(exc):
    def call():
        raise exc
    return call


def test_an_azure_failure_keeps_the_code_the_status_and_the_traceback():
    failure = None
    try:
        raise Refused()
    except Refused as exc:
        failure = azure_failure(exc, "Failed to write public IP x")
    assert failure.msg == "Failed to write public IP x: (AnotherOperationInProgress) Busy with hunter2's request"
    assert failure.details["error_code"] == "AnotherOperationInProgress" and failure.details["status_code"] == 409
    assert "Traceback" in failure.details["exception"]
    assert "hunter2" not in str(failure.fail_json_args(["hunter2"]))


def test_a_failure_already_explained_passes_through():
    explained = ModuleFailure("Timed out after 5 seconds waiting for x")
    assert azure_failure(explained, "Failed to write x") is explained
    with pytest.raises(ModuleFailure) as raised:
        azure_call("Failed to write x", raises(explained))
    assert raised.value is explained


def test_azure_call_returns_or_raises_the_azure_failure():
    assert azure_call("Failed to read x", lambda a, b=0: a + b, 1, b=2) == 3
    with pytest.raises(ModuleFailure, match=r"^Failed to read x: \(AnotherOperationInProgress\)"):
        azure_call("Failed to read x", raises(Refused()))


def test_options_fail_listing_every_problem_or_not_at_all():
    check_options([None, ""])
    with pytest.raises(OptionError) as raised:
        check_options(["name cannot be empty", None, "priority must be 100 to 4096"])
    assert raised.value.msg == "Invalid options: name cannot be empty; priority must be 100 to 4096"
    assert isinstance(raised.value, ModuleFailure) and isinstance(raised.value, ValueError)


def test_a_result_carries_what_main_exits_with():
    result = Result(1, {}, {"name": "x"}, public_ip={"name": "x"})
    assert (result.changed, result.before, result.after, result.diff) == (True, {}, {"name": "x"}, True)
    assert result.returned == {"public_ip": {"name": "x"}}
    assert result == Result(True, {}, {"name": "x"}, public_ip={"name": "x"}) != Result(False)
    assert Result(False, diff=False, items=[]).diff is False
