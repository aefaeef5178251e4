"""A template bound to a deployment, without HTTP: parameters against their declarations,
variables and their copy loops, outputs, and the plan of its resources (copy loops, conditions,
child resources, explicit and implicit dependencies), with ARM's errors and positions."""

from __future__ import annotations

import json

import pytest

from azemu.arm.context import Ctx
from azemu.deployments import plan as planning
from azemu.deployments.errors import TemplateError
from azemu.deployments.prepare import prepare
from azemu.errors import ArmError
from deployment_helpers import GROUP, context_for, local_emulator, template

NET = "Microsoft.Network"


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    return local_emulator(tmp_path_factory.mktemp("template"))


def rid(emu, *path):
    return f"/subscriptions/{emu.identities.primary.subscription_id}/resourceGroups/{GROUP}/providers/" + "/".join(path)


def plan_of(emu, resources, **sections):
    context = context_for(emu, template(resources, **sections), sections.pop("parameters_values", None))
    return planning.build(context)


def ip(name, **extra):
    return {"type": f"{NET}/publicIPAddresses", "apiVersion": "2024-05-01", "name": name, "location": "westus",
            **extra}


# --- parameters ---------------------------------------------------------------------------

PARAMS = {"count": {"type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 5},
          "size": {"type": "string", "allowedValues": ["small", "large"], "defaultValue": "small"},
          "name": {"type": "string", "minLength": 3},
          "secret": {"type": "securestring", "defaultValue": "hush"},
          "flags": {"type": "array", "defaultValue": []},
          "cfg": {"type": "object", "defaultValue": {"k": "[parameters('size')]"}}}


def test_parameters_defaults_and_supplied_values(emu):
    ctx = context_for(emu, template(parameters=PARAMS), {"name": {"value": "abc"}, "COUNT": {"value": 4}})
    assert [ctx.parameter(n) for n in ("count", "size", "name", "cfg")] == [4, "small", "abc", {"k": "small"}]
    assert ctx.parameters_view() == {
        "count": {"type": "Int", "value": 4}, "size": {"type": "String", "value": "small"},
        "name": {"type": "String", "value": "abc"}, "secret": {"type": "SecureString"},
        "flags": {"type": "Array", "value": []}, "cfg": {"type": "Object", "value": {"k": "small"}}}


@pytest.mark.parametrize("supplied, message", [
    ({}, "The value for the template parameter 'name' is not provided. Please see "
         "https://aka.ms/arm-create-parameter-file for usage details."),
    ({"name": {"value": "abc"}, "count": {"value": "3"}},
     "Template parameter JToken type is not valid. Expected 'Integer'. Actual 'String'."),
    ({"name": {"value": "abc"}, "count": {"value": 9}},
     "The provided value '9' for the template parameter 'count' is not valid. The maximum allowed value is '5'."),
    ({"name": {"value": "abc"}, "size": {"value": "huge"}},
     "The provided value 'huge' for the template parameter 'size' is not valid. The parameter value is not part of "
     "the allowed value(s): 'small,large'."),
    ({"name": {"value": "ab"}}, "The length of the value must be at least '3'."),
    ({"name": {"value": "abc"}, "extra": {"value": 1}},
     "The template parameters 'extra' in the parameters file are not valid; they are not present in the original "
     "template and can therefore not be provided at deployment time. The only supported parameters for this "
     "template are 'count, size, name, secret, flags, cfg'."),
    ({"name": "abc"}, "has no value azemu can use"),
])
def test_parameter_errors(emu, supplied, message):
    with pytest.raises(TemplateError) as err:
        context_for(emu, template(parameters=PARAMS), supplied)
    assert err.value.code == "InvalidTemplate"
    assert err.value.message.startswith("Deployment template validation failed: '")
    assert message in err.value.message


def test_errors_name_line_and_column_of_the_request(emu):
    """ARM's message and additionalInfo point into the request as sent (az sends one line)."""
    body = {"properties": {"mode": "Incremental", "parameters": {"count": {"value": "x"}},
                           "template": template(parameters={"count": {"type": "int"}})}}
    raw = json.dumps(body)
    sub = emu.identities.primary.subscription_id
    with pytest.raises(TemplateError) as err:
        prepare(Ctx(emu), f"/subscriptions/{sub}/resourceGroups/{GROUP}/providers/Microsoft.Resources/deployments/d",
                body, raw=raw)
    column = raw.index('{"value": "x"}') + 1
    info = err.value.error()["additionalInfo"]
    assert info == [{"type": "TemplateViolation",
                     "info": {"lineNumber": 1, "linePosition": column, "path": "properties.parameters.count"}}]

    body["properties"]["template"]["resources"] = [ip("[concat('a']")]
    body["properties"]["parameters"] = {"count": {"value": 1}}
    raw = json.dumps(body, indent=2)
    with pytest.raises(TemplateError) as err:
        prepare(Ctx(emu), f"/subscriptions/{sub}/resourceGroups/{GROUP}/providers/Microsoft.Resources/deployments/d",
                body, raw=raw)
    line = raw[:raw.index("[concat('a']")].count("\n") + 1
    assert f"at line '{line}' and column " in err.value.message
    assert "Unable to parse language expression 'concat('a''" in err.value.message
    assert err.value.error()["additionalInfo"][0]["info"]["path"] == "properties.template.resources[0].name"


# --- variables ----------------------------------------------------------------------------

def test_variables_with_copy_loops(emu):
    ctx = context_for(emu, template(variables={
        "prefix": "[concat('p-', resourceGroup().name)]",
        "names": "[concat(variables('prefix'), '-x')]",
        "copy": [{"name": "disks", "count": 2, "input": {"lun": "[copyIndex('disks')]"}}],
        "nested": {"copy": [{"name": "ports", "count": 2, "input": "[add(80, copyIndex('ports'))]"}]}}))
    assert ctx.variable("names") == f"p-{GROUP}-x"
    assert ctx.variable("disks") == [{"lun": 0}, {"lun": 1}]
    assert ctx.variable("nested") == {"ports": [80, 81]}


def test_circular_variables_are_refused(emu):
    ctx = context_for(emu, template(variables={"a": "[variables('b')]", "b": "[variables('a')]"}))
    with pytest.raises(TemplateError, match="refers to itself"):
        ctx.variable("a")


# --- outputs ------------------------------------------------------------------------------

def test_outputs_types_copy_and_conditions(emu):
    ctx = context_for(emu, template(outputs={
        "s": {"type": "string", "value": "[toUpper('a')]"},
        "n": {"type": "int", "value": 3},
        "list": {"type": "array", "copy": {"count": 3, "input": "[mul(copyIndex(), 2)]"}},
        "hidden": {"type": "securestring", "value": "x"},
        "skipped": {"type": "string", "condition": "[equals(1, 2)]", "value": "never"}}))
    assert ctx.outputs() == {"s": {"type": "String", "value": "A"}, "n": {"type": "Int", "value": 3},
                             "list": {"type": "Array", "value": [0, 2, 4]}, "hidden": {"type": "SecureString"}}


def test_output_failures_are_deployment_output_evaluation_failed(emu):
    ctx = context_for(emu, template(outputs={"ok": {"type": "int", "value": 1},
                                             "bad": {"type": "int", "value": "text"}}))
    with pytest.raises(ArmError) as err:
        ctx.outputs()
    assert err.value.code == "DeploymentOutputEvaluationFailed"
    assert err.value.details[0]["target"] == "bad"


# --- the plan -----------------------------------------------------------------------------

def test_copy_loops_conditions_and_dependencies(emu):
    plan = plan_of(emu, [
        ip("[concat('ip', copyIndex(1))]", copy={"name": "ips", "count": 3}),
        ip("never", condition="[equals(1, 2)]"),
        {"type": f"{NET}/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg", "location": "westus",
         "dependsOn": ["ips", "never"]},
        {"type": f"{NET}/loadBalancers", "apiVersion": "2024-05-01", "name": "lb", "location": "westus",
         "dependsOn": [f"{NET}/publicIpAddresses/ip1", "[resourceId('Microsoft.Network/publicIPAddresses', 'ip2')]"],
         "properties": {"x": "[reference('nsg').provisioningState]"}},
    ])
    assert [n.name for n in plan.nodes] == ["ip1", "ip2", "ip3", "nsg", "lb"]
    by_name = {n.name: n for n in plan.nodes}
    assert [plan.by_key[d].name for d in by_name["nsg"].depends] == ["ip1", "ip2", "ip3"]   # "never" is dropped
    assert [plan.by_key[d].name for d in by_name["lb"].depends] == ["ip1", "ip2", "nsg"]    # reference() is one
    assert by_name["ip2"].copy == {"ips": 1}
    assert plan.dependencies()[0] == {
        "dependsOn": [{"id": rid(emu, NET, f"publicIPAddresses/ip{i}"), "resourceType": f"{NET}/publicIPAddresses",
                       "resourceName": f"ip{i}"} for i in (1, 2, 3)],
        "id": rid(emu, NET, "networkSecurityGroups/nsg"), "resourceType": f"{NET}/networkSecurityGroups",
        "resourceName": "nsg"}
    assert plan.providers() == [{"namespace": NET, "resourceTypes": [
        {"resourceType": "publicIPAddresses", "locations": ["westus"]},
        {"resourceType": "networkSecurityGroups", "locations": ["westus"]},
        {"resourceType": "loadBalancers", "locations": ["westus"]}]}]


def test_serial_copy_waits_batch_after_batch(emu):
    plan = plan_of(emu, [ip("[concat('ip', copyIndex())]", copy={"name": "ips", "count": 5, "mode": "Serial",
                                                                 "batchSize": 2})])
    waits = {n.name: sorted(plan.by_key[d].name for d in n.depends) for n in plan.nodes}
    assert waits == {"ip0": [], "ip1": [], "ip2": ["ip0", "ip1"], "ip3": ["ip0", "ip1"], "ip4": ["ip2", "ip3"]}


def test_child_resources_inside_and_outside_their_parent(emu):
    plan = plan_of(emu, [
        {"type": f"{NET}/virtualNetworks", "apiVersion": "2024-05-01", "name": "vn", "location": "westus",
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
         "resources": [{"type": "subnets", "apiVersion": "2024-05-01", "name": "inner", "dependsOn": ["vn"],
                        "properties": {"addressPrefix": "10.0.1.0/24"}}]},
        {"type": f"{NET}/virtualNetworks/subnets", "apiVersion": "2024-05-01", "name": "vn/outer",
         "dependsOn": [f"{NET}/virtualNetworks/vn", f"{NET}/virtualNetworks/vn/subnets/inner"],
         "properties": {"addressPrefix": "10.0.2.0/24"}}])
    inner, outer = plan.nodes[1], plan.nodes[2]
    assert (inner.type, inner.name, inner.id) == (f"{NET}/virtualNetworks/subnets", "vn/inner",
                                                  rid(emu, NET, "virtualNetworks/vn/subnets/inner"))
    assert inner.path == "properties.template.resources[0].resources[0]"
    assert [plan.by_key[d].name for d in outer.depends] == ["vn", "vn/inner"]


@pytest.mark.parametrize("resources, message", [
    ([ip("a", dependsOn=["nope"])], "The resource 'nope' is not defined in the template."),
    ([ip("a", dependsOn=["b"]), ip("b", dependsOn=["a"])], "Circular dependency detected on resource: '"),
    ([ip("a", dependsOn=["a"])], "Circular dependency detected on resource: '"),
    ([ip("a"), ip("a")], "is defined multiple times in a template."),
    ([ip("a/b")], "has incorrect segment lengths."),
    ([{"type": f"{NET}/publicIPAddresses", "name": "a"}], "the required property 'apiVersion' is missing"),
    ([ip("[concat('a', copyIndex())]", copy={"name": "l", "count": 900})], "cannot exceed '800'"),
    ([ip("a", condition="yes")], "the condition must be a boolean"),
    ([ip("[reference('x').name]")], "The template function 'reference' is not expected at this location."),
])
def test_plan_errors(emu, resources, message):
    with pytest.raises(TemplateError) as err:
        plan_of(emu, resources)
    assert err.value.code == "InvalidTemplate"
    assert message in err.value.message


def test_template_without_resources_is_refused(emu):
    with pytest.raises(TemplateError, match="Required property 'resources' not found"):
        planning.build(context_for(emu, {"contentVersion": "1.0.0.0"}))


@pytest.mark.parametrize("text, path, value", [
    ('{"a": [1, {"b": "x"}]}', "a[1].b", '"x"'),
    ('{"a": 1,\n  "b": {"c": true}}', "b.c", "true"),
    ('{"p": {"m": 1, template: {\n // note\n "r": [ /* x */ "v"]}}}', "p.template.r[0]", '"v"'),
    ("{'q': 'it\\'s', \"z\": 2}", "z", "2"),
    ('{"a": {"b": 1}}', "a.c", None), ('{"a": [1]}', "a[3]", None), ('[1]', "a", None)])
def test_positions_in_the_request_text(text, path, value):
    """The line and column of the value at `path` (comments, unquoted names and single quotes
    read as ARM reads them)."""
    from azemu.deployments.positions import line_column, position
    assert position(text, path) == (line_column(text, text.index(value)) if value else None)
