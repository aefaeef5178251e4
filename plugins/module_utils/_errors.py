# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a module fails: ModuleFailure, the one error its helpers raise, and Azure SDK exceptions
turned into one (message, Azure's error code, HTTP status). A module's main() alone turns it into
fail_json (AzureModule.fail_with), once; helpers never exit.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import json
import re
import traceback

try:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
except ImportError:
    # Stand-ins that are never raised: without azure-core, AzureModule fails on the missing
    # library before any request, so modules can name these in except clauses regardless.
    class HttpResponseError(Exception):
        pass

    class ResourceNotFoundError(HttpResponseError):
        pass


__all__ = ("MASK", "HttpResponseError", "ModuleFailure", "OptionError", "ResourceNotFoundError", "azure_call",
           "azure_failure", "check_options", "error_details", "failure", "scrub")

MASK = "********"


class ModuleFailure(Exception):
    """A module's task fails: ``msg`` and what fail_json reports besides it (``error_code``,
    ``status_code``, ``exception``, ``resources``, ...)."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def fail_json_args(self, secrets=()):
        """The keyword arguments of fail_json, every secret masked."""
        return scrub(dict(self.details, msg=self.msg), secrets)


class OptionError(ModuleFailure, ValueError):
    """Options Azure would refuse, or that contradict each other: found before any write."""


def check_options(problems):
    """Raise OptionError listing ``problems`` (why options are invalid), when there are any."""
    problems = [problem for problem in problems if problem]
    if problems:
        raise OptionError("Invalid options: " + "; ".join(problems))


_PAREN_CODE = re.compile(r"^\((?P<code>[A-Za-z0-9_.]+)\)\s*")
# azure-identity keeps only Entra ID's error description, which starts with its AADSTS code.
_ENTRA_CODE = re.compile(r"\b(?P<code>AADSTS\d+)\b")


def _response_error(response):
    """(code, message) from a response body: ARM's {"error": {code, message}} or OAuth's {error, error_description}."""
    if response is None:
        return None, None
    try:
        body = json.loads(response.text())
    except Exception:  # any undecodable body just carries no code
        return None, None
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    if isinstance(error, dict):
        return error.get("code"), error.get("message")
    if isinstance(error, str):
        return error, body.get("error_description")
    return None, None


def _first_line(text):
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def error_details(exc):
    """A dict with ``message`` and, when known, ``error_code`` and ``status_code`` for any exception.

    Works on azure.core's HttpResponseError family (ARM errors, ClientAuthenticationError,
    ResourceNotFoundError, ...), on ServiceRequestError and on anything else, by duck typing
    on ``error``, ``response``, ``message`` and ``status_code``.
    """
    code = message = None
    odata = getattr(exc, "error", None)
    if odata is not None:
        code, message = getattr(odata, "code", None), getattr(odata, "message", None)
    if not code:
        code, body_message = _response_error(getattr(exc, "response", None))
        message = message or body_message
    raw = getattr(exc, "message", None) or str(exc)
    if not message:
        message = _first_line(raw)
        match = _PAREN_CODE.match(message)
        if match:
            code = code or match.group("code")
            message = message[match.end():]
    if not code:
        match = _ENTRA_CODE.search(message or "")
        code = match.group("code") if match else None
    details = {"message": message or type(exc).__name__}
    if code:
        details["error_code"] = code
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        details["status_code"] = status
    return details


def scrub(value, secrets):
    """``value`` with every secret replaced by a mask (strings, lists and dicts, recursively)."""
    secrets = [s for s in secrets if s]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {key: scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(item, secrets) for item in value]
    return value


def failure(exc, msg, secrets=()):
    """The keyword arguments for fail_json: ``msg`` ends with Azure's code and message."""
    details = error_details(exc)
    code = details.get("error_code")
    text = f"{msg}: ({code}) {details['message']}" if code else f"{msg}: {details['message']}"
    return scrub(dict(details, msg=text), secrets)


def azure_failure(exc, msg):
    """The ModuleFailure for an exception met while doing ``msg`` ("Failed to write public IP
    x"): ``msg`` with Azure's code and message, the status and the traceback. Call it in the
    ``except`` block (``raise azure_failure(exc, msg) from exc``). A ModuleFailure raised inside
    the block's ``try`` already says what failed, and is returned as it is."""
    if isinstance(exc, ModuleFailure):
        return exc
    details = failure(exc, msg)
    return ModuleFailure(details.pop("msg"), exception=traceback.format_exc(), **details)


def azure_call(msg, call, *args, **kwargs):
    """``call(*args, **kwargs)`` (an SDK request); what it raises becomes azure_failure(exc, msg).
    Callers that treat "not found" apart catch ResourceNotFoundError first (_resource_ops.fetch)."""
    try:
        return call(*args, **kwargs)
    except Exception as exc:
        failure = azure_failure(exc, msg)
        raise failure from (None if failure is exc else exc)
