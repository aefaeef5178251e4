"""_first_poll: an operation's first status GET waits its write's Retry-After, and nothing else waits."""

from __future__ import annotations

import pytest
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.rest import HttpRequest

from ansible_collections.cloudlb.azure.plugins.module_utils._first_poll import FirstPollPolicy, retry_after_seconds

ARM = "https://management.example"
OPERATION = f"{ARM}/subscriptions/s/providers/Microsoft.Network/locations/westus/operations/op1"
RESULT = f"{ARM}/subscriptions/s/providers/Microsoft.Network/locations/westus/operationResults/op1"
NSG = f"{ARM}/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg"


class Clock:
    """A clock that moves only when the policy sleeps, or when the test says."""

    def __init__(self):
        self.now, self.slept = 100.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


class Answers:
    """The next policy: answers each request with the headers the test gives for its method."""

    def __init__(self, headers):
        self.headers, self.sent = headers, []

    def send(self, request):
        self.sent.append(request.http_request.method)
        http = type("Http", (), {"headers": dict(self.headers.get(request.http_request.method, {}))})()
        return type("Response", (), {"http_response": http})()


def policy_with(headers):
    clock = Clock()
    policy = FirstPollPolicy(clock=clock, sleep=clock.sleep)
    policy.next = Answers(headers)
    return policy, clock


def send(policy, method, url):
    return policy.send(PipelineRequest(HttpRequest(method, url), PipelineContext(None)))


def test_the_first_poll_waits_the_writes_retry_after_and_later_polls_do_not():
    policy, clock = policy_with({"PUT": {"Azure-AsyncOperation": f"{OPERATION}?api-version=2024-05-01",
                                         "Retry-After": "3"}})
    send(policy, "PUT", NSG)
    clock.now += 1.0                                       # the module's own work after the write
    send(policy, "GET", f"{OPERATION}?api-version=2024-05-01&extra=1")   # the poller's URL, its query changed
    assert clock.slept == [2.0]
    send(policy, "GET", f"{OPERATION}?api-version=2024-05-01")
    send(policy, "GET", NSG)                               # the final GET of the resource
    assert clock.slept == [2.0]


def test_a_retry_after_already_passed_or_zero_waits_nothing():
    policy, clock = policy_with({"PUT": {"Azure-AsyncOperation": OPERATION, "Retry-After": "2"},
                                 "DELETE": {"Azure-AsyncOperation": OPERATION, "Retry-After": "0"}})
    send(policy, "PUT", NSG)
    clock.now += 5.0
    send(policy, "GET", OPERATION)
    send(policy, "DELETE", NSG)
    send(policy, "GET", OPERATION)
    assert clock.slept == []


def test_either_status_url_of_a_write_is_held():
    policy, clock = policy_with({"DELETE": {"Azure-AsyncOperation": OPERATION, "Location": RESULT,
                                            "Retry-After": "10"}})
    send(policy, "DELETE", NSG)
    send(policy, "GET", RESULT)
    assert clock.slept == [10.0]
    send(policy, "GET", OPERATION)                         # due already: the clock has passed it
    assert clock.slept == [10.0]


@pytest.mark.parametrize("headers", [
    {"Retry-After": "3"},                                  # no operation to poll
    {"Azure-AsyncOperation": OPERATION},                   # no Retry-After: azure-core's own interval
    {"Azure-AsyncOperation": OPERATION, "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
])
def test_nothing_is_held_without_an_operation_and_seconds_to_wait(headers):
    policy, clock = policy_with({"POST": headers})
    send(policy, "POST", f"{NSG}/start")
    send(policy, "GET", OPERATION)
    assert clock.slept == [] and policy.next.sent == ["POST", "GET"]


def test_retry_after_seconds():
    assert [retry_after_seconds(v) for v in ("3", "0", "1.5", "-1", None, "soon")] == [3.0, 0.0, 1.5, None, None, None]
