# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which failed requests are sent again, and by whom: one retry policy for every SDK client.

What azure-core's ``RetryPolicy`` (azure/core/pipeline/policies/_retry.py, azure-core 1.41)
already does, and we rely on:

- a response with ``Retry-After`` (ARM's 429 throttling, 503) is retried for every method,
  after the seconds it says;
- 408, 429, 500, 502, 503, 504 and 506-998 are retried on HEAD, GET, PUT, DELETE, OPTIONS
  and TRACE, and 500, 503 and 504 on POST and PATCH as well;
- a connection error, whether the request was never sent or its answer was lost, is retried
  on those six methods only (PUT and DELETE are idempotent in ARM);
- at most ``retry_total`` (10) retries, of which ``retry_connect``, ``retry_read`` and
  ``retry_status`` (3 each) of a kind, ``retry_backoff_factor`` 0.8 s doubling from the
  second retry on (0, 1.6, 3.2, 6.4 s ...), never above ``retry_backoff_max`` (120 s).

What it leaves undone, and this policy adds:

- ``retry_status`` is 6, not 3: with 15% of answers throttled or failed, four bad answers in a
  row come once in 2000 requests, seven once in 6 million;
- ARM errors that say "try again" under a status azure-core does not retry (``TRANSIENT_CODES``:
  a 409 ``AnotherOperationInProgress``, a ``RetryableError`` whose details say a referenced
  resource is still provisioning): the request was refused, nothing was done, so any method is
  sent again;
- a POST (an action: start, restart, run a command, a rule's health) whose connection failed
  is sent again only when its caller says it is safe to repeat (``REPEATABLE``: the health
  query, which changes nothing); a second restart would reboot the VM again, so for the others
  the caller learns that the answer never came (``no_answer(exc)``) and reads what the request
  did (``virtual_machine`` reads the power state);
- a conditional create (``If-None-Match: *``) whose answer was lost is sent again by azure-core
  and meets the resource it made itself (412): ``answer_lost(exc)`` tells the caller, which
  reads the resource and finds its own.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import json

try:
    from azure.core.pipeline.policies import RetryPolicy
except ImportError:  # AzureModule fails on the missing library before any client is built
    RetryPolicy = object

RETRY_STATUS = 6

# ARM error codes that mean "refused for now, send it again", whatever the status.
# AnotherOperationInProgress: Microsoft.Network refuses a write while another operation on the
# resource runs (409). RetryableError: Network's "A retryable error occurred.", with details such
# as ReferencedResourceNotProvisioned (a subnet or availability set still Updating); seen as 429
# and as 409 (terraform-provider-azurerm #3392, terraform #13934).
TRANSIENT_CODES = frozenset({"anotheroperationinprogress", "retryableerror", "referencedresourcenotprovisioned"})

_IDEMPOTENT = frozenset({"HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"})
# Per-call keyword for an action that is safe to repeat (changes nothing): its lost answers are retried too.
REPEATABLE = {"retry_on_methods": _IDEMPOTENT | {"POST"}}
# Set on a request azure-core sent again after its answer was lost.
_RESENT = "_cloudlb_resent_after_lost_answer"


def error_codes(text):
    """The lower-cased ARM error code of a response body and the codes of its details."""
    try:
        error = json.loads(text).get("error") or {}
    except (ValueError, AttributeError):
        return set()
    if not isinstance(error, dict):
        return set()
    codes = {error.get("code")} | {d.get("code") for d in error.get("details") or [] if isinstance(d, dict)}
    return {code.lower() for code in codes if isinstance(code, str)}


def is_transient(status, text):
    """Whether an ARM error answer says the request may simply be sent again."""
    return status >= 400 and bool(error_codes(text) & TRANSIENT_CODES)


def no_answer(exc):
    """Whether ``exc`` says a request was sent and its answer never came (the connection closed or
    timed out while waiting for it), so the request may have taken effect. azure-core raises
    ServiceResponseError then, and ServiceRequestError when the request could not be sent at all."""
    try:
        from azure.core.exceptions import ServiceResponseError
    except ImportError:
        return False
    return isinstance(exc, ServiceResponseError)


def answer_lost(exc):
    """Whether the request that failed with ``exc`` had been sent before and its answer lost
    (so the resource a 412 or 409 stands for may be the one this very request made)."""
    response = getattr(exc, "response", None)
    return bool(getattr(getattr(response, "request", None), _RESENT, False))


class TransientRetryPolicy(RetryPolicy):
    """azure-core's RetryPolicy, with more status retries and ARM's transient error codes (above)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("retry_status", RETRY_STATUS)
        super().__init__(**kwargs)

    def is_retry(self, settings, response):
        if super().is_retry(settings, response):
            return True
        http = response.http_response
        return bool(settings["total"]) and is_transient(http.status_code, _text(http))

    def increment(self, settings, response=None, error=None):
        if error is not None and self._is_read_error(error) and hasattr(response, "http_request"):
            setattr(response.http_request, _RESENT, True)
        return super().increment(settings, response=response, error=error)


def _text(http_response):
    try:
        return http_response.text()
    except Exception:  # a body that cannot be decoded carries no code
        return ""
