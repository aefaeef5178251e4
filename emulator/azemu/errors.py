"""ARM errors: one exception type that renders as Azure's `{"error": {"code", "message"}}` envelope.

Resource types raise `ArmError(status, code, message)` (or one of the constructors below) from
any hook; the framework turns it into the response. The codes and messages follow what Azure
Resource Manager returns, so clients that match on `error.code` behave as against Azure.
"""

from __future__ import annotations

from typing import Any


class ArmError(Exception):
    def __init__(self, status: int, code: str, message: str, *, details: list[dict] | None = None,
                 target: str | None = None, headers: dict[str, str] | None = None,
                 additional_info: list[dict] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.target = target
        self.headers = headers or {}
        self.additional_info = additional_info   # [{"type", "info"}], as template errors carry

    def body(self) -> dict[str, Any]:
        return {"error": self.error()}

    def error(self) -> dict[str, Any]:
        """The inner error object (also what a failed operation's status carries)."""
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            err["target"] = self.target
        if self.details:
            err["details"] = self.details
        if self.additional_info:
            err["additionalInfo"] = self.additional_info
        return err

    # Constructors for errors every type needs. Type-specific ones (in-use, invalid reference)
    # are built by the types with the codes Azure's resource provider uses.

    @classmethod
    def bad_request(cls, code: str, message: str, **kw) -> "ArmError":
        return cls(400, code, message, **kw)

    @classmethod
    def conflict(cls, code: str, message: str, **kw) -> "ArmError":
        return cls(409, code, message, **kw)

    @classmethod
    def invalid(cls, message: str, target: str | None = None) -> "ArmError":
        """A body that does not validate (Network's generic code for bad request content)."""
        return cls(400, "InvalidRequestFormat", message, target=target)

    @classmethod
    def resource_not_found(cls, type_name: str, name: str, rg: str) -> "ArmError":
        return cls(404, "ResourceNotFound",
                   f"The Resource '{type_name}/{name}' under resource group '{rg}' was not found. "
                   "For more details please go to https://aka.ms/ARMResourceNotFoundFix")

    @classmethod
    def child_not_found(cls, resource_id: str) -> "ArmError":
        return cls(404, "NotFound", f"Resource {resource_id} not found.")

    @classmethod
    def parent_not_found(cls, parent: str) -> "ArmError":
        return cls(404, "ParentResourceNotFound",
                   f"Can not perform requested operation on nested resource. Parent resource '{parent}' not found.")

    @classmethod
    def resource_group_not_found(cls, rg: str) -> "ArmError":
        return cls(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")

    @classmethod
    def resource_group_being_deleted(cls, rg: str) -> "ArmError":
        return cls(409, "ResourceGroupBeingDeleted",
                   f"The resource group '{rg}' is in deprovisioning state and cannot perform this operation.")

    @classmethod
    def subscription_not_found(cls, sub: str) -> "ArmError":
        return cls(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")

    @classmethod
    def precondition_failed(cls) -> "ArmError":
        return cls(412, "PreconditionFailed",
                   "The condition specified using HTTP conditional header(s) is not met.")

    @classmethod
    def missing_api_version(cls) -> "ArmError":
        return cls(400, "MissingApiVersionParameter",
                   "The api-version query parameter (?api-version=) is required for all requests.")

    @classmethod
    def invalid_api_version(cls, value: str) -> "ArmError":
        return cls(400, "InvalidApiVersionParameter",
                   f"The api-version '{value}' is invalid. The supported versions are "
                   "in the format 'yyyy-mm-dd' or 'yyyy-mm-dd-preview'.")

    @classmethod
    def invalid_content(cls, detail: str) -> "ArmError":
        return cls(400, "InvalidRequestContent",
                   f"The request content was invalid and could not be deserialized: '{detail}'.")

    @classmethod
    def method_not_allowed(cls, method: str) -> "ArmError":
        return cls(405, "MethodNotAllowed", f"The requested resource does not support http method '{method}'.")

    @classmethod
    def invalid_resource_type(cls, type_name: str, namespace: str, api_version: str) -> "ArmError":
        return cls(400, "InvalidResourceType",
                   f"The resource type '{type_name}' could not be found in the namespace '{namespace}' "
                   f"for api version '{api_version}'.")

    @classmethod
    def not_emulated(cls, full_type: str) -> "ArmError":
        """A create of a type Azure has and azemu does not emulate (registry.real_types)."""
        return cls(501, "NotImplemented",
                   f"azemu does not emulate the resource type '{full_type}': it answers reads of it as Azure "
                   "does when none exists, and cannot create one.")

    @classmethod
    def invalid_namespace(cls, namespace: str) -> "ArmError":
        return cls(400, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid.")

    @classmethod
    def no_route(cls, path: str) -> "ArmError":
        return cls(404, "InvalidRequestUri", f"The request URI '{path}' is not valid.")

    @classmethod
    def location_required(cls) -> "ArmError":
        return cls(400, "LocationRequired", "The location property is required for this definition.")


def in_use(code: str, message: str) -> ArmError:
    """A delete blocked because something still references the resource (Azure answers 400)."""
    return ArmError(400, code, message)
