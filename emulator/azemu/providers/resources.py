"""Microsoft.Resources/deployments: ARM template deployments at resource group scope, and their
deployment operations (specs/resources/2025-04-01/deployments.json; the az CLI recordings
test_network_lb.yaml, test_vm_availset.yaml, test_vm_create_*.yaml show the exchanges).

- PUT `.../resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{name}`: the request is
  checked at once (400 `InvalidTemplate`, `InvalidTemplateDeployment`), then 201 (200 on a
  redeployment) `Accepted` with `Azure-AsyncOperation: {id}/operationStatuses/{op}`, whose
  status goes `Accepted`, `Running`, then `Succeeded`, `Failed` or `Canceled`. The template's
  resources are deployed by azemu/deployments/runner.py through the same write path as a
  direct PUT. A deployment still running cannot be replaced or deleted (409 `DeploymentActive`).
- GET, HEAD (204/404), list, DELETE (202 + `Location`, 204 when absent); `POST .../validate`
  (200 with the validated deployment or 400), `.../whatIf` (202 + `Location`, then the changes),
  `.../cancel` (204), `.../exportTemplate` (200 `{"template"}`).
- `.../deployments/{name}/operations[/{id}]` (also without `/providers/Microsoft.Resources`,
  as DeploymentOperations_List is routed): one operation per resource, with its status code
  and, when it failed, its error in `statusMessage`.
"""

from __future__ import annotations

import re

from ..arm import CHILD_METHODS, DEPLOYMENTS, READ_ONLY_METHODS, ArmError, ResourceType, action, register
from ..deployments import runner, whatif
from ..deployments.errors import deployment_active
from ..deployments.prepare import prepare, request_text
from ..deployments.views import deployment_properties

NAME_RE = re.compile(r"^[-\w._()]+$")
REQUEST_KEYS = ("template", "templateLink", "parameters", "parametersLink", "mode", "onErrorDeployment")
OUTPUT_KEYS = ("templateHash", "timestamp", "duration", "correlationId", "providers", "dependencies", "outputs",
               "outputResources", "error", "validatedResources")


def _correlation_id(ctx) -> str:
    header = ctx.request.headers.get("x-ms-correlation-request-id") if ctx.request is not None else None
    return header or ctx.new_guid()


@register
class Deployments(ResourceType):
    provider = "Microsoft.Resources"
    type = "deployments"
    lro = DEPLOYMENTS
    creating_state = updating_state = "Accepted"
    has_etag = False
    location_required = False
    refers = False          # outputResources and dependencies name what it deployed
    listed = False          # not a resource of the group's /resources list
    list_scopes = ("resourceGroup",)     # subscription-scope deployments are not emulated
    methods = CHILD_METHODS               # no Update (PATCH) in the spec
    read_only = OUTPUT_KEYS

    def check_name(self, ctx, name):
        if len(name) > 64:
            raise ArmError.bad_request(
                "DeploymentNameLengthLimitExceeded",
                f"The provided deployment name '{name}' has a length of '{len(name)}' which exceeds the maximum "
                "length of '64'. Please see https://aka.ms/arm-deploy-resources for usage details.")
        if not NAME_RE.match(name):
            raise ArmError.bad_request(
                "InvalidDeploymentName", f"The deployment name '{name}' is invalid. It can only contain letters, "
                "digits, '-', '.', '_', '(' and ')'.")

    def validate(self, ctx, body, current):
        if current is not None and runner.running(current):
            raise deployment_active(current.name, current.props.get("timestamp", ""))
        out = super().validate(ctx, body, current)
        out["properties"] = {k: v for k, v in out["properties"].items() if k in REQUEST_KEYS}
        return out

    def fill(self, ctx, res, current):
        """Check the whole request (template, parameters, preflight) and keep the run's state."""
        prepared = prepare(ctx, res.id, res.body, raw=request_text(ctx))
        context, plan = prepared.context, prepared.plan
        res.body["properties"] = deployment_properties(
            template_hash=context.template_hash, parameters=context.parameters_view(), mode=prepared.mode,
            now=ctx.now_iso(), correlation_id=_correlation_id(ctx), providers=plan.providers(),
            dependencies=plan.dependencies())
        runner.begin(ctx, res, prepared)

    def patch(self, ctx, current, body):
        raise ArmError.method_not_allowed("PATCH")

    def operation_seconds(self, ctx, kind, res, action_name):
        # A deployment's own operation is as long as its resources': it starts them at once.
        return 0.0 if kind == "put" else ctx.settings.latency

    def on_provisioned(self, ctx, res):
        runner.step(ctx, res)

    def check_delete(self, ctx, res):
        if runner.running(res):
            raise deployment_active(res.name, res.props.get("timestamp", ""), verb="delete")

    @action("validate", long_running=False, requires_resource=False)
    def validate_action(self, ctx, res, body):
        prepared = prepare(ctx, ctx.target_id, body, raw=request_text(ctx))
        now = ctx.now_iso()
        props = deployment_properties(
            template_hash=prepared.context.template_hash, parameters=prepared.context.parameters_view(),
            mode=prepared.mode, now=now, correlation_id=_correlation_id(ctx), providers=prepared.plan.providers(),
            dependencies=prepared.plan.dependencies())
        props["provisioningState"] = "Succeeded"
        props["validatedResources"] = [{"id": n.id} for n in prepared.plan.nodes]
        return {"id": ctx.target_id, "name": ctx.target_id.rsplit("/", 1)[-1], "type": self.full_type,
                "properties": props}

    @action("whatIf", requires_resource=False)
    def what_if(self, ctx, res, body):
        prepared = prepare(ctx, ctx.target_id, body, raw=request_text(ctx), preflight=False)
        settings = ((body or {}).get("properties") or {}).get("whatIfSettings") or {}
        return whatif.changes(ctx, prepared, str(settings.get("resultFormat") or "FullResourcePayloads"))

    @what_if.done
    def what_if_done(self, ctx, res, state):
        return state

    @action("cancel", long_running=False, status=204)
    def cancel(self, ctx, res, body):
        if not runner.running(res):
            raise ArmError.conflict(
                "DeploymentCannotBeCancelled",
                f"The deployment '{res.name}' cannot be cancelled: it is not running (its provisioning state is "
                f"'{res.provisioning_state}').")
        runner.cancel(ctx, res)

    @action("exportTemplate", long_running=False)
    def export_template(self, ctx, res, body):
        return {"template": res.internal[runner.STATE]["template"]}


@register
class DeploymentOperations(ResourceType):
    """Read-only: GET and list. The runner stores them (runner._record)."""
    provider = "Microsoft.Resources"
    type = "deployments/operations"
    methods = READ_ONLY_METHODS
    has_etag = False
    has_tags = False
    refers = False
