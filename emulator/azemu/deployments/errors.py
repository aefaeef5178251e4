"""Template errors as Azure Resource Manager gives them.

Expressions raise `ExpressionError` with ARM's inner message; the template layer wraps it into
`InvalidTemplate` with where it happened: the JSON path in the request
(`properties.template.resources[1].name`) and its line and column, in the message and in
`additionalInfo: [{"type": "TemplateViolation", "info": {lineNumber, linePosition, path}}]`.
A failed resource fails the deployment with `DeploymentFailed` and one detail per resource.
"""

from __future__ import annotations

from typing import Any

from ..errors import ArmError

DEPLOYMENT_FAILED = ("At least one resource deployment operation failed. Please list deployment operations for "
                     "details. Please see https://aka.ms/arm-deployment-operations for usage details.")


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated (ARM's inner message)."""


class Deferred(Exception):
    """The value needs a resource this deployment has not deployed yet (`reference()` at plan
    time): known only when the deployment reaches it."""


class TemplateError(ArmError):
    """400 InvalidTemplate at a JSON path of the deployment request."""

    def __init__(self, message: str, path: str = "", position: tuple[int, int] | None = None,
                 code: str = "InvalidTemplate"):
        info: dict[str, Any] = {}
        if position:
            info = {"lineNumber": position[0], "linePosition": position[1]}
        super().__init__(400, code, message, additional_info=[{"type": "TemplateViolation",
                                                                "info": dict(info, path=path)}])
        self.path = path


def validation_failed(inner: str) -> str:
    return f"Deployment template validation failed: '{inner}'."


def evaluation_failed(inner: str) -> str:
    return (f"Deployment template language expression evaluation failed: '{inner}'. Please see "
            "https://aka.ms/arm-template-expressions for usage details.")


def at(position: tuple[int, int] | None) -> str:
    """" at line 'L' and column 'C'" (ARM's phrase), or nothing when the place is unknown."""
    return f" at line '{position[0]}' and column '{position[1]}'" if position else ""


def invalid_deployment(name: str, tracking_id: str, details: list[dict]) -> ArmError:
    """A deployment its resource providers' preflight refused (validate, and PUT before anything runs)."""
    return ArmError(400, "InvalidTemplateDeployment",
                    f"The template deployment '{name}' is not valid according to the validation procedure. The "
                    f"tracking id is '{tracking_id}'. See inner errors for details.",
                    details=[{"code": "PreflightValidationCheckFailed",
                              "message": "Preflight validation failed. Please refer to the details for the specific "
                                         "errors.", "details": details}])


def deployment_active(name: str, since: str, verb: str = "edit or replace") -> ArmError:
    return ArmError.conflict(
        "DeploymentActive", f"Unable to {verb} deployment '{name}': previous deployment from '{since}' is still "
        "active. Please see https://aka.ms/arm-deploy-resources for usage details.")
