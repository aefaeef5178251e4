"""A deployment request made ready to run, as ARM does it before answering a PUT, `validate`
or `whatIf`: the body's shape, the template bound to its parameters, the plan of its resources,
every expression that can be evaluated before anything is deployed (a bad one is a 400
`InvalidTemplate` at once), and the preflight of the resources that depend on nothing in the
template by their own provider's checks (400 `InvalidTemplateDeployment` with
`PreflightValidationCheckFailed` details, as PostDeploymentValidateOnResourceGroup.json shows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..arm import engine
from ..arm.context import Ctx
from ..arm.http import BODY_KEY
from ..errors import ArmError
from . import hashing, plan as planning
from .errors import Deferred, invalid_deployment
from .plan import Plan, body_of
from .template import Context

MODES = {"incremental": "Incremental", "complete": "Complete"}


@dataclass
class Prepared:
    context: Context
    plan: Plan
    mode: str
    bodies: dict[str, dict | None] = field(default_factory=dict)   # node key -> plan-time body (None: later)


def request_text(ctx: Ctx) -> str | None:
    raw = ctx.request.get(BODY_KEY) if ctx.request is not None else None
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else None


def properties_of(body: Any) -> dict:
    """`properties` of a deployment request, its `mode` canonical, template and parameters parsed."""
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        raise ArmError.invalid_content("Required property 'properties' not found in JSON")
    props = dict(props)
    mode = props.get("mode")
    if mode is None:
        raise ArmError.invalid_content("Required property 'mode' not found in JSON. Path 'properties'")
    if not isinstance(mode, str) or mode.lower() not in MODES:
        raise ArmError.invalid_content(f"Error converting value \"{mode}\" to type 'DeploymentMode'. Path "
                                       "'properties.mode'")
    props["mode"] = MODES[mode.lower()]
    for key in ("template", "parameters"):
        if isinstance(props.get(key), str):        # "a JObject or well-formed JSON string"
            try:
                props[key] = json.loads(props[key])
            except ValueError as err:
                raise ArmError.invalid_content(f"'properties.{key}' is not valid JSON: {err}") from None
    for link in ("templateLink", "parametersLink"):
        if props.get(link):
            uri = props[link].get("uri") or props[link].get("id") if isinstance(props[link], dict) else props[link]
            raise ArmError.bad_request("InvalidContentLink", f"Unable to download deployment content from '{uri}'. "
                                       "azemu reaches no other host: pass the template and parameters inline.")
    if not isinstance(props.get("template"), dict):
        raise ArmError.bad_request("InvalidTemplate", "The template is required: give 'properties.template' (or a "
                                   "templateLink) in the request.")
    if props.get("onErrorDeployment"):
        raise ArmError.bad_request("InvalidDeployment", "azemu does not emulate 'onErrorDeployment' (redeploying "
                                   "another deployment when this one fails).")
    version = props["template"].get("languageVersion")
    if version is not None and str(version) != "1.0":
        raise ArmError.bad_request("InvalidTemplate", f"azemu does not emulate template languageVersion '{version}' "
                                   "(symbolic resource names); use the resources array of languageVersion 1.0.")
    return props


def prepare(ctx: Ctx, deployment_id: str, body: Any, *, raw: str | None = None, preflight: bool = True) -> Prepared:
    props = properties_of(body)
    template = props["template"]
    context = Context(ctx, deployment_id, template, mode=props["mode"], template_hash=hashing.template_hash(template),
                      raw=raw)
    context.bind(props.get("parameters"))
    plan = planning.build(context)
    prepared = Prepared(context, plan, props["mode"])
    for node in plan.nodes:
        try:
            prepared.bodies[node.key] = context.guarded(node.path, f"The template resource '{node.name}'",
                                                        lambda node=node: body_of(context, node))
        except Deferred:
            prepared.bodies[node.key] = None
    if preflight:
        check(ctx, deployment_id, prepared)
    return prepared


def check(ctx: Ctx, deployment_id: str, prepared: Prepared) -> None:
    """The resource providers' own checks of every resource that needs nothing from the template."""
    keys = set(prepared.plan.by_key)
    details = []
    for node in prepared.plan.nodes:
        body = prepared.bodies.get(node.key)
        if body is None or node.depends:
            continue
        text = json.dumps(body).lower()
        if any(k in text or node.key.startswith(k + "/") for k in keys - {node.key}):
            continue                        # needs another resource of this template: checked when deployed
        try:
            engine.check(Ctx(ctx.emu, api_version=node.apiVersion), node.id, body)
        except ArmError as err:
            details.append(dict(err.error(), target=err.target or node.id))
    if details:
        name = deployment_id.rsplit("/", 1)[-1]
        tracking = ctx.request.headers.get("x-ms-correlation-request-id", "") if ctx.request is not None else ""
        raise invalid_deployment(name, tracking or ctx.new_guid(), details)
