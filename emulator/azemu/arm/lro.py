"""Long-running operations: the record of one, and how each resource provider shows it.

Azure's resource providers differ in the URLs and bodies of their operations (see the
recordings in azure-reference): Network answers a PUT with `Azure-AsyncOperation` pointing at
`.../providers/Microsoft.Network/locations/{loc}/operations/{id}` whose body is
`{"status": ...}`, and a DELETE with that plus `Location: .../operationResults/{id}` which
gives 204 when done. Compute uses `operations/{id}` for both, the Location one with
`monitor=true`, and a status body with start/end times. Resource groups use
`/subscriptions/{sub}/operationresults/{token}` (Location only: 202 until done, then 200);
template deployments poll `{deployment id}/operationStatuses/{id}`. A resource type picks its
style with `ResourceType.lro`.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

IN_PROGRESS = "InProgress"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
CANCELED = "Canceled"
# Where a request carries an injected outcome for the operation it starts (faults.py).
LRO_FAULT = "azemu_lro_fault"
CANCELED_ERROR = {"code": "Canceled", "message": "Operation was canceled."}


@dataclass
class Operation:
    id: str
    subscription: str
    provider: str                 # "Microsoft.Network" (canonical casing, used in URLs)
    location: str                 # "westus"
    style: str                    # key into STYLES
    kind: str                     # "put" | "delete" | "action" | "rg-delete"
    target: str                   # id of the resource the operation works on
    type_key: str                 # resource type key of the target
    api_version: str
    # Wall-clock time (epoch seconds) the operation completes; None while it waits for the
    # operations it started (a deployment's resources) to wake it.
    due: float | None
    start: str                    # ISO time, shown by the Compute style
    action: str | None = None     # action name for kind == "action"
    state: Any = None             # JSON value an action's begin hook returned, handed to its done hook
    status: str = IN_PROGRESS
    error: dict | None = None     # inner error object when Failed/Canceled
    error_status: int = 400       # HTTP status the Location URL answers a failed operation with
    result: Any = None            # body of the final Location GET (actions with output)
    status_extra: dict = field(default_factory=dict)   # merged into the status body (Compute `properties`)
    end: str | None = None
    parent: str | None = None     # id of the operation waiting for this one (a deployment's)
    fault: str | None = None      # injected outcome (Failed or Canceled) it ends with, see faults.py

    @property
    def done(self) -> bool:
        return self.status != IN_PROGRESS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Operation":
        return cls(**data)


class LroStyle:
    """URLs, headers and bodies of one resource provider's long-running operations."""
    name = "base"
    put_headers: tuple[str, ...] = ("Azure-AsyncOperation",)
    delete_headers: tuple[str, ...] = ("Azure-AsyncOperation", "Location")
    action_headers: tuple[str, ...] = ("Azure-AsyncOperation", "Location")
    # What the Location URL answers once done and there is no result body.
    done_status = 204
    # Headers the Location URL repeats while (and after) the operation runs.
    result_headers: tuple[str, ...] = ("Azure-AsyncOperation", "Location")
    # The error of an operation that failed inside the provider, for no fault of the request.
    # Network's, as clients quote it (terraform-provider-azurerm#815).
    failure: dict[str, str] = {"code": "InternalServerError", "message": "An error occurred."}

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def _base(self, base_url: str, op: Operation) -> str:
        return f"{base_url}/subscriptions/{op.subscription}/providers/{op.provider}/locations/{op.location}"

    def status_url(self, base_url: str, op: Operation) -> str:
        return f"{self._base(base_url, op)}/operations/{op.id}?api-version={op.api_version}"

    def result_url(self, base_url: str, op: Operation) -> str:
        return f"{self._base(base_url, op)}/operationResults/{op.id}?api-version={op.api_version}"

    def header_url(self, header: str, base_url: str, op: Operation) -> str:
        return self.status_url(base_url, op) if header == "Azure-AsyncOperation" else self.result_url(base_url, op)

    def status_body(self, op: Operation) -> dict[str, Any]:
        body: dict[str, Any] = {"status": op.status}
        if op.error:
            body["error"] = op.error
        body.update(op.status_extra)
        return body


class NetworkStyle(LroStyle):
    name = "network"


class ComputeStyle(LroStyle):
    """Compute: status and result share `operations/{id}`; `monitor=true` selects the result."""
    name = "compute"
    done_status = 200

    def status_url(self, base_url: str, op: Operation) -> str:
        return f"{self._base(base_url, op)}/operations/{op.id}?p={op.id}&api-version={op.api_version}"

    def result_url(self, base_url: str, op: Operation) -> str:
        return f"{self._base(base_url, op)}/operations/{op.id}?p={op.id}&monitor=true&api-version={op.api_version}"

    result_headers = ("Location",)
    failure = {"code": "InternalExecutionError", "message": "An internal execution error occurred. Please retry later."}

    def status_body(self, op: Operation) -> dict[str, Any]:
        body: dict[str, Any] = {"startTime": op.start}
        if op.end:
            body["endTime"] = op.end
        body["status"] = op.status
        if op.error:
            body["error"] = op.error
        body.update(op.status_extra)
        body["name"] = op.id
        return body


class ResourcesStyle(LroStyle):
    """Microsoft.Resources (resource group delete): one Location URL, 202 until done, then 200."""
    name = "resources"
    put_headers = ("Location",)
    delete_headers = ("Location",)
    action_headers = ("Location",)
    result_headers = ("Location",)
    done_status = 200

    def status_url(self, base_url: str, op: Operation) -> str:
        return self.result_url(base_url, op)

    def result_url(self, base_url: str, op: Operation) -> str:
        return f"{base_url}/subscriptions/{op.subscription}/operationresults/{op.id}?api-version={op.api_version}"

    def new_id(self) -> str:
        # Azure's token is an opaque base64 job id; ours only has to be URL-safe and unique.
        return "eyJqb2JJZCI6" + uuid.uuid4().hex.upper()


class DeploymentsStyle(ResourcesStyle):
    """Microsoft.Resources/deployments (the az CLI recordings, e.g. test_network_lb.yaml): PUT
    201 + `Azure-AsyncOperation: {deployment id}/operationStatuses/{id}` answering
    `{"status": "Accepted"|"Running"|"Succeeded"|"Failed"|"Canceled"}`; DELETE and POST actions
    202 + `Location: /subscriptions/{sub}/operationresults/{id}`, 204 (or the result) when done."""
    name = "deployments"
    put_headers = ("Azure-AsyncOperation",)
    done_status = 204

    def new_id(self) -> str:
        # Azure's are 20-digit numbers ("08585250662433620966").
        return "0858" + str(uuid.uuid4().int)[:16]

    def status_url(self, base_url: str, op: Operation) -> str:
        return f"{base_url}{op.target}/operationStatuses/{op.id}?api-version={op.api_version}"

    def status_body(self, op: Operation) -> dict[str, Any]:
        body = super().status_body(op)
        if not op.done:
            # Accepted until the deployment has started its resources (and waits for them).
            body["status"] = "Accepted" if op.due is not None else "Running"
        return body


NETWORK = NetworkStyle()
COMPUTE = ComputeStyle()
RESOURCES = ResourcesStyle()
DEPLOYMENTS = DeploymentsStyle()
STYLES: dict[str, LroStyle] = {s.name: s for s in (NETWORK, COMPUTE, RESOURCES, DEPLOYMENTS)}
