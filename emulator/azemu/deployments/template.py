"""A template bound to one deployment: its parameters (supplied values and defaults, checked
against their declarations), its variables (evaluated when first used, `copy` loops included),
its outputs, and what the scope functions answer (`resourceGroup()`, `subscription()`,
`deployment()`, `environment()`, `reference()`).

Errors are `InvalidTemplate` with the JSON path in the deployment request and, when the
request text is at hand, the line and column of the offending value.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any, Callable

from .. import metadata
from ..arm.context import Ctx, render
from ..errors import ArmError
from .errors import Deferred, ExpressionError, TemplateError, at, validation_failed
from .evaluator import Scope, expand_property_copy, resolve
from .functions import type_name
from .positions import position

TEMPLATE = "properties.template"
# declared type (lower case) -> how ARM shows it, and the JSON type a value must have
PARAMETER_TYPES = {"string": ("String", "String"), "securestring": ("SecureString", "String"),
                   "int": ("Int", "Integer"), "bool": ("Bool", "Boolean"), "object": ("Object", "Object"),
                   "secureobject": ("SecureObject", "Object"), "array": ("Array", "Array")}
SECURE = ("SecureString", "SecureObject")


def declared_type(decl: Any) -> tuple[str, str] | None:
    kind = decl.get("type") if isinstance(decl, dict) else None
    return PARAMETER_TYPES.get(kind.lower()) if isinstance(kind, str) else None


class Context:
    """What the expressions of one deployment see. `plan` (plan.Plan) names the template's
    resources for `reference()`; `runtime` says whether those may be read yet."""

    def __init__(self, ctx: Ctx, deployment_id: str, template: dict, *, mode: str = "Incremental",
                 template_hash: str = "", raw: str | None = None, values: dict[str, Any] | None = None,
                 base_url: str | None = None):
        self.ctx = ctx
        self.base_url = base_url or ctx.url      # azemu as the deploying client addressed it
        self.deployment_id = deployment_id
        segs = deployment_id.split("/")
        self.subscription_id, self.group_name, self.name = segs[2], segs[4], segs[-1]
        self.template = template
        self.mode = mode
        self.template_hash = template_hash
        self.raw = raw
        self.values: dict[str, Any] = dict(values or {})     # parameter name (declared casing) -> value
        self.plan = None
        self.runtime = False
        self._variables: dict[str, Any] = {}
        self._checked: set[str] = set()      # parameters whose value passed its declaration's checks
        self._busy: set[str] = set()         # "p:name" / "v:name" being evaluated (cycles)

    # --- errors ---------------------------------------------------------------------------

    def error(self, path: str, inner: str, *, code: str = "InvalidTemplate") -> TemplateError:
        """InvalidTemplate for the value at `path` (relative to the request body)."""
        return TemplateError(validation_failed(inner.replace("{at}", at(position(self.raw, path)))), path,
                             position(self.raw, path), code)

    def guarded(self, path: str, describe: str, fn: Callable[[], Any]) -> Any:
        """Run `fn`; an expression error becomes InvalidTemplate naming `describe` at `path`."""
        try:
            return fn()
        except ExpressionError as err:
            raise self.error(path, f"{describe}{{at}} is not valid: {err}") from None

    def section(self, name: str) -> dict:
        value = self.template.get(name, {})
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(f"{TEMPLATE}.{name}", f"The template section '{name}'{{at}} must be an object.")
        return value

    # --- parameters -----------------------------------------------------------------------

    def bind(self, supplied: Any) -> None:
        """Take the request's `properties.parameters` ({name: {"value": ...}}), fill in defaults
        and check every value against its declaration."""
        declared = self.section("parameters")
        supplied = supplied or {}
        if not isinstance(supplied, dict):
            raise ArmError.invalid_content("'properties.parameters' must be an object")
        lower = {k.lower(): k for k in declared}
        unknown = [k for k in supplied if k.lower() not in lower]
        if unknown:
            raise self.error("properties.parameters", (
                f"The template parameters '{', '.join(unknown)}' in the parameters file are not valid; they are not "
                "present in the original template and can therefore not be provided at deployment time. The only "
                f"supported parameters for this template are '{', '.join(declared)}'. Please see "
                "https://aka.ms/arm-pass-parameter-values for usage details."))
        for key, entry in supplied.items():
            name = lower[key.lower()]
            path = f"properties.parameters.{key}"
            if not isinstance(entry, dict) or "value" not in entry:
                what = "reference" if isinstance(entry, dict) and "reference" in entry else "value"
                raise self.error(path, f"The template parameter '{name}'{{at}} has no {what} azemu can use: give "
                                       "it as {\"value\": ...} (Key Vault references are not emulated).")
            self.values[name] = entry["value"]
        for name in declared:
            self.parameter(name)

    def parameter(self, name: str) -> Any:
        declared = self.section("parameters")
        key = next((k for k in declared if k.lower() == name.lower()), None)
        if key is None:
            raise ExpressionError(f"The template parameter '{name}' is not found. Please see "
                                  "https://aka.ms/arm-syntax-parameters for usage details.")
        if key in self.values:
            if key not in self._checked:
                self._check(key, declared[key], self.values[key])
            return self.values[key]
        decl = declared[key]
        path = f"{TEMPLATE}.parameters.{key}"
        if declared_type(decl) is None:
            raise self.error(path, f"The template parameter '{key}'{{at}} has an invalid type "
                                   f"'{decl.get('type') if isinstance(decl, dict) else decl}'. The supported types "
                                   "are 'string, securestring, int, bool, object, secureobject, array'.")
        if "defaultValue" not in decl:
            raise self.error(path, f"The value for the template parameter '{key}'{{at}} is not provided. Please see "
                                   "https://aka.ms/arm-create-parameter-file for usage details.")
        if f"p:{key}" in self._busy:
            raise self.error(path, f"The template parameter '{key}'{{at}} is not valid: its default value refers "
                                   "to itself.")
        self._busy.add(f"p:{key}")
        try:
            value = self.guarded(path + ".defaultValue", f"The template parameter '{key}'",
                                 lambda: resolve(decl["defaultValue"], Scope(self, "parameters")))
        finally:
            self._busy.discard(f"p:{key}")
        self.values[key] = value
        return self.parameter(key)

    def _check(self, name: str, decl: dict, value: Any) -> None:
        path = f"properties.parameters.{name}"
        if position(self.raw, path) is None:
            path = f"{TEMPLATE}.parameters.{name}"
        kinds = declared_type(decl)
        if kinds is None:
            raise self.error(f"{TEMPLATE}.parameters.{name}", f"The template parameter '{name}'{{at}} has an invalid "
                                                              f"type '{decl.get('type')}'.")
        shown, json_type = kinds
        if type_name(value) != json_type:
            raise self.error(path, f"Template parameter JToken type is not valid. Expected '{json_type}'. Actual "
                                   f"'{type_name(value)}'. Please see https://aka.ms/arm-create-parameter-file for "
                                   "usage details.")
        text = value if isinstance(value, str) else repr(value)
        allowed = decl.get("allowedValues")
        if isinstance(allowed, list) and not (
                any(a == value for a in allowed) if not isinstance(value, list) else all(v in allowed for v in value)):
            raise self.error(path, f"The provided value '{text}' for the template parameter '{name}'{{at}} is not "
                                   "valid. The parameter value is not part of the allowed value(s): "
                                   f"'{','.join(str(a) for a in allowed)}'.")
        for bound, ok in (("minValue", lambda b: value >= b), ("maxValue", lambda b: value <= b)):
            if isinstance(decl.get(bound), int) and isinstance(value, int) and not ok(decl[bound]):
                raise self.error(path, f"The provided value '{text}' for the template parameter '{name}'{{at}} is "
                                       f"not valid. The {'minimum' if bound == 'minValue' else 'maximum'} allowed "
                                       f"value is '{decl[bound]}'.")
        for bound, ok in (("minLength", lambda b: len(value) >= b), ("maxLength", lambda b: len(value) <= b)):
            if isinstance(decl.get(bound), int) and isinstance(value, (str, list)) and not ok(decl[bound]):
                limit = "at least" if bound == "minLength" else "at most"
                raise self.error(path, f"The provided value for the template parameter '{name}'{{at}} is not valid. "
                                       f"The length of the value must be {limit} '{decl[bound]}'.")
        self._checked.add(name)

    def secure_parameters(self) -> list[str]:
        return [n for n, d in self.section("parameters").items() if (declared_type(d) or ("",))[0] in SECURE]

    def parameters_view(self) -> dict[str, Any]:
        """`properties.parameters` as Azure shows it: type and value, no value for secure ones."""
        out = {}
        for name, decl in self.section("parameters").items():
            shown = declared_type(decl)[0]
            out[name] = {"type": shown} if shown in SECURE else {"type": shown, "value": self.values.get(name)}
        return out

    # --- variables ------------------------------------------------------------------------

    def variable(self, name: str, scope: Scope | None = None) -> Any:
        key = name.lower()
        if key in self._variables:
            return copy.deepcopy(self._variables[key])
        section = self.section("variables")
        loops = {loop.get("name", "").lower(): (i, loop) for i, loop in enumerate(section.get("copy") or [])
                 if isinstance(loop, dict) and isinstance(loop.get("name"), str)}
        plain = {k.lower(): k for k in section if k.lower() != "copy"}
        if key not in plain and key not in loops:
            raise ExpressionError(f"The template variable '{name}' is not found. Please see "
                                  "https://aka.ms/arm-syntax-variables for usage details.")
        if f"v:{key}" in self._busy:
            raise ExpressionError(f"The template variable '{name}' refers to itself (a circular reference).")
        self._busy.add(f"v:{key}")
        try:
            scope = Scope(self, "variables")
            if key in plain:
                path = f"{TEMPLATE}.variables.{plain[key]}"
                value = self.guarded(path, f"The template variable '{plain[key]}'",
                                     lambda: resolve(section[plain[key]], scope, copies=True))
            else:
                index, loop = loops[key]
                value = self.guarded(f"{TEMPLATE}.variables.copy[{index}]", f"The template variable '{name}'",
                                     lambda: expand_property_copy(loop, scope)[loop["name"]])
        finally:
            self._busy.discard(f"v:{key}")
        self._variables[key] = value
        return copy.deepcopy(value)

    # --- scope functions ------------------------------------------------------------------

    def resource_group(self) -> dict:
        record = self.ctx.store.get(f"/subscriptions/{self.subscription_id}/resourceGroups/{self.group_name}")
        return copy.deepcopy(record.body) if record else {}

    def subscription(self) -> dict:
        tenant = self.ctx.emu.identities.subscription(self.subscription_id)
        return {"id": f"/subscriptions/{self.subscription_id}", "subscriptionId": self.subscription_id,
                "tenantId": tenant.tenant_id if tenant else "",
                "displayName": tenant.subscription_name if tenant else ""}

    def tenant(self) -> dict:
        tenant_id = self.subscription()["tenantId"]
        return {"countryCode": "US", "displayName": "azemu", "id": f"/tenants/{tenant_id}", "tenantId": tenant_id}

    def environment(self) -> dict:
        """The cloud's metadata, as `GET /metadata/endpoints?api-version=2022-09-01` answers it."""
        return metadata.cloud_at(self.base_url).object()

    def deployment_value(self) -> dict:
        template = {k: self.template[k] for k in ("$schema", "contentVersion", "metadata") if k in self.template}
        return {"name": self.name, "properties": {"template": template, "templateHash": self.template_hash,
                                                  "parameters": self.parameters_view(), "mode": self.mode,
                                                  "provisioningState": "Accepted"}}

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    def reference(self, target: str, api_version: str | None, full: bool) -> Any:
        node = self.plan.find(target) if self.plan is not None else None
        if node is not None:
            if not self.runtime:
                raise Deferred(target)
            resource_id, api_version = node.id, api_version or node.apiVersion
        elif target.startswith("/"):
            resource_id = target
        else:
            raise ExpressionError(f"The template reference '{target}' is not valid: could not find template resource "
                                  "or resource copy with this name. Please see https://aka.ms/arm-function-reference "
                                  "for usage details.")
        res = self.ctx.resolve(resource_id)
        if res is None:
            if not self.runtime:
                raise Deferred(target)
            segs = resource_id.split("/")
            raise ExpressionError(f"The Resource '{'/'.join(segs[6:8])}/{'/'.join(segs[8:])}' under resource group "
                                  f"'{segs[4] if len(segs) > 4 else ''}' was not found. For more details please go to "
                                  "https://aka.ms/ARMResourceNotFoundFix")
        body = render(Ctx(self.ctx.emu, api_version=api_version or ""), res)
        if full:
            return dict(body, apiVersion=api_version)
        return body.get("properties", {})

    # --- outputs --------------------------------------------------------------------------

    def outputs(self) -> dict[str, Any]:
        """Every output as Azure shows it ({"type", "value"}); raises DeploymentOutputEvaluationFailed."""
        out, failed = {}, []
        for name, decl in self.section("outputs").items():
            try:
                result = self._output(decl)
            except (ExpressionError, TemplateError, Deferred) as err:
                inner = err.message if isinstance(err, ArmError) else str(err)
                failed.append({"code": "DeploymentOutputEvaluationFailed", "target": name,
                               "message": f"The template output '{name}' is not valid: {inner}."})
                continue
            if result is not None:
                out[name] = result
        if failed:
            names = ",".join(f["target"] for f in failed)
            raise ArmError(400, "DeploymentOutputEvaluationFailed",
                           f"Unable to evaluate template outputs: '{names}'. Please see error details and deployment "
                           "operations. Please see https://aka.ms/arm-common-errors for usage details.", details=failed)
        return out

    def _output(self, decl: Any) -> dict | None:
        kinds = declared_type(decl)
        if kinds is None:
            raise ExpressionError(f"The output type '{decl.get('type') if isinstance(decl, dict) else decl}' is not "
                                  "valid.")
        scope = Scope(self, "outputs")
        if "condition" in decl and not resolve(decl["condition"], scope):
            return None
        if isinstance(decl.get("copy"), dict):
            value = expand_property_copy(dict(decl["copy"], name="output"), scope, own=True)["output"]
        else:
            value = resolve(decl.get("value"), scope)
        shown, json_type = kinds
        if type_name(value) != json_type and value is not None:
            raise ExpressionError(f"The template output value is of type '{type_name(value)}', expected "
                                  f"'{json_type}'.")
        return {"type": shown} if shown in SECURE else {"type": shown, "value": value}
