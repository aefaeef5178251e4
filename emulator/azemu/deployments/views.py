"""The bodies Azure answers for deployments and deployment operations (DeploymentExtended and
DeploymentOperation in specs/resources/2025-04-01/deployments.json; the az CLI recordings show
the members in this order: templateHash, parameters, mode, provisioningState, timestamp,
duration, correlationId, providers, dependencies, then outputs and outputResources)."""

from __future__ import annotations

import uuid
from datetime import datetime
from http import HTTPStatus
from typing import Any


def iso_duration(seconds: float) -> str:
    """"PT20.941176S", "PT1M19.5686174S" (what Azure writes)."""
    minutes, rest = divmod(max(seconds, 0.0), 60)
    hours, minutes = divmod(int(minutes), 60)
    text = f"{rest:.7f}".rstrip("0").rstrip(".") or "0"
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{text}S"


def elapsed(start: str, end: str) -> str:
    return iso_duration((_parse(end) - _parse(start)).total_seconds())


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def status_code(status: int) -> str:
    """A deployment operation's statusCode: the HTTP status's name ("Created", "BadRequest")."""
    try:
        return HTTPStatus(status).phrase.replace(" ", "")
    except ValueError:
        return str(status)


def deployment_properties(*, template_hash: str, parameters: dict, mode: str, now: str, correlation_id: str,
                          providers: list, dependencies: list) -> dict[str, Any]:
    return {"templateHash": template_hash, "parameters": parameters, "mode": mode, "provisioningState": "Accepted",
            "timestamp": now, "duration": iso_duration(0.0), "correlationId": correlation_id,
            "providers": providers, "dependencies": dependencies}


def new_operation_id() -> str:
    return uuid.uuid4().hex[:16].upper()


def operation_body(deployment_id: str, entry: dict, *, now: str) -> dict[str, Any]:
    """One deployment operation from the runner's entry for a resource (or a cleanup delete)."""
    props: dict[str, Any] = {"provisioningOperation": entry["provisioningOperation"],
                             "provisioningState": entry["state"], "timestamp": entry.get("end") or now,
                             "duration": elapsed(entry["start"], entry.get("end") or now),
                             "serviceRequestId": entry["trackingId"]}
    if entry.get("statusCode"):
        props["statusCode"] = entry["statusCode"]
    if entry.get("statusMessage") is not None:
        props["statusMessage"] = entry["statusMessage"]
    if entry.get("id"):
        props["targetResource"] = {"id": entry["id"], "resourceType": entry["type"], "resourceName": entry["name"]}
        if entry.get("apiVersion"):
            props["targetResource"]["apiVersion"] = entry["apiVersion"]
    return {"id": f"{deployment_id}/operations/{entry['operation']}", "operationId": entry["operation"],
            "properties": props}
