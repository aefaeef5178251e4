"""Error conversion, on stand-ins shaped like azure-core's exceptions and on the real ones."""

from __future__ import annotations

import json

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import MASK, error_details, failure, scrub


class FakeOData:
    def __init__(self, code, message):
        self.code = code
        self.message = message


class FakeResponse:
    def __init__(self, status, body):
        self.status_code = status
        self._body = body

    def text(self):
        return self._body if isinstance(self._body, str) else json.dumps(self._body)


class FakeHttpError(Exception):
    def __init__(self, message, status_code=None, error=None, response=None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error = error
        self.response = response


class TestDetails:
    def test_arm_error_envelope(self):
        exc = FakeHttpError(
            "(ResourceGroupNotFound) Resource group 'x' could not be found.\nCode: ResourceGroupNotFound",
            404,
            FakeOData("ResourceGroupNotFound", "Resource group 'x' could not be found."),
        )
        assert error_details(exc) == {
            "error_code": "ResourceGroupNotFound",
            "message": "Resource group 'x' could not be found.",
            "status_code": 404,
        }

    def test_oauth_error_body(self):
        body = {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}
        exc = FakeHttpError("Authentication failed: AADSTS7000215: Invalid client secret provided.", 401, None, FakeResponse(401, body))
        details = error_details(exc)
        assert details["error_code"] == "invalid_client"
        assert details["message"] == "AADSTS7000215: Invalid client secret provided."

    def test_arm_error_body_without_odata(self):
        exc = FakeHttpError("Operation returned an invalid status 'Conflict'", 409, None, FakeResponse(409, {"error": {"code": "Conflict", "message": "busy"}}))
        assert error_details(exc) == {"error_code": "Conflict", "message": "busy", "status_code": 409}

    def test_code_in_parentheses(self):
        exc = FakeHttpError("(AuthorizationFailed) The client has no access.\nCode: AuthorizationFailed\nMessage: ...")
        assert error_details(exc) == {"error_code": "AuthorizationFailed", "message": "The client has no access."}

    def test_undecodable_body(self):
        exc = FakeHttpError("Bad gateway", 502, None, FakeResponse(502, "<html>"))
        assert error_details(exc) == {"message": "Bad gateway", "status_code": 502}

    def test_plain_exception(self):
        assert error_details(ConnectionError("connection refused")) == {"message": "connection refused"}

    def test_empty_message(self):
        assert error_details(ValueError()) == {"message": "ValueError"}


class TestFailure:
    def test_message_carries_code(self):
        exc = FakeHttpError("x", 403, FakeOData("AuthorizationFailed", "No access."))
        result = failure(exc, "Failed to create resource group rg")
        assert result["msg"] == "Failed to create resource group rg: (AuthorizationFailed) No access."
        assert result["error_code"] == "AuthorizationFailed"
        assert result["status_code"] == 403

    def test_message_without_code(self):
        assert failure(ConnectionError("refused"), "Failed")["msg"] == "Failed: refused"

    def test_secret_is_masked(self):
        exc = FakeHttpError("x", 401, FakeOData("invalid_client", "secret s3cr3t is wrong"))
        result = failure(exc, "Failed with s3cr3t", secrets=["s3cr3t", None, ""])
        assert "s3cr3t" not in json.dumps(result)
        assert MASK in result["msg"]


def test_scrub_nested():
    assert scrub({"a": ["x-pw-x", {"b": "pw"}], "n": 1}, ["pw"]) == {"a": ["x-" + MASK + "-x", {"b": MASK}], "n": 1}


class TestRealAzureCoreExceptions:
    def test_service_request_error(self):
        from azure.core.exceptions import ServiceRequestError

        details = error_details(ServiceRequestError("Failed to establish a new connection"))
        assert details == {"message": "Failed to establish a new connection"}

    def test_client_authentication_error_without_response(self):
        from azure.core.exceptions import ClientAuthenticationError

        exc = ClientAuthenticationError(message="Authentication failed: AADSTS7000215: Invalid client secret provided.")
        assert error_details(exc) == {
            "error_code": "AADSTS7000215",
            "message": "Authentication failed: AADSTS7000215: Invalid client secret provided.",
        }

    def test_http_response_error_with_arm_body(self):
        from azure.core.exceptions import HttpResponseError
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat
        from azure.core.pipeline.transport import HttpResponse

        class Response(HttpResponse):
            def __init__(self):
                super().__init__(HttpRequest("GET", "https://arm.test/x"), None)
                self.status_code = 409
                self.reason = "Conflict"
                self.content_type = "application/json"

            def body(self):
                return json.dumps({"error": {"code": "ResourceGroupBeingDeleted", "message": "being deleted"}}).encode()

        exc = HttpResponseError(response=Response(), error_format=ARMErrorFormat)
        assert error_details(exc) == {"error_code": "ResourceGroupBeingDeleted", "message": "being deleted", "status_code": 409}
