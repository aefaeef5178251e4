"""_retries: which answers are sent again, and what a lost answer looks like to the caller."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.rest import HttpRequest

from ansible_collections.cloudlb.azure.plugins.module_utils._retries import (
    RETRY_STATUS,
    TransientRetryPolicy,
    answer_lost,
    error_codes,
    is_transient,
    no_answer,
)


class Answer:
    """The part of an HTTP response RetryPolicy reads."""

    def __init__(self, request, status, body):
        self.request, self.status_code, self.headers = request, status, {}
        self._body = json.dumps(body)

    def text(self):
        return self._body


def error(code, *details):
    return {"error": {"code": code, "message": "m", "details": [{"code": d} for d in details]}}


def test_error_codes_include_the_details():
    assert error_codes(json.dumps(error("RetryableError", "ReferencedResourceNotProvisioned"))) == {
        "retryableerror", "referencedresourcenotprovisioned"}
    assert error_codes("not json") == set() and error_codes('{"error": "text"}') == set()


@pytest.mark.parametrize("status, body, transient", [
    (409, error("AnotherOperationInProgress"), True),
    (429, error("RetryableError"), True),
    (409, error("Conflict", "ReferencedResourceNotProvisioned"), True),
    (409, error("Conflict"), False),
    (400, error("InvalidParameter"), False),
])
def test_transient_codes(status, body, transient):
    assert is_transient(status, json.dumps(body)) is transient


@pytest.mark.parametrize("method, status, body, retried", [
    ("POST", 409, error("AnotherOperationInProgress"), True),   # refused, nothing done: any method
    ("PUT", 409, error("Conflict"), False),
    ("POST", 500, error("InternalServerError"), True),          # azure-core's own rule for POST
    ("POST", 502, error("BadGateway"), False),
    ("PUT", 502, error("BadGateway"), True),
])
def test_is_retry(method, status, body, retried):
    policy = TransientRetryPolicy()
    request = HttpRequest(method, "https://management.azure.com/x")
    settings = policy.configure_retries({})
    assert settings["status"] == RETRY_STATUS
    assert policy.is_retry(settings, PipelineResponse(request, Answer(request, status, body), None)) is retried


def test_a_resent_request_is_marked_so_its_412_is_known_as_our_own():
    policy = TransientRetryPolicy()
    request = HttpRequest("PUT", "https://management.azure.com/x")
    settings = policy.configure_retries({})
    # As azure-core's RetryPolicy.send calls it when a request's answer is lost.
    policy.increment(settings, response=PipelineRequest(request, None), error=ServiceResponseError("lost"))
    refused = type("Refused", (), {"response": Answer(request, 412, error("PreconditionFailed"))})()
    assert answer_lost(refused)
    other = HttpRequest("PUT", "https://management.azure.com/x")
    assert not answer_lost(type("Refused", (), {"response": Answer(other, 412, error("PreconditionFailed"))})())


def test_no_answer_is_a_lost_answer_not_a_request_never_sent():
    assert no_answer(ServiceResponseError("connection closed"))
    assert not no_answer(ServiceRequestError("could not connect"))
    assert not no_answer(ValueError("x"))
