"""Every template function azemu implements, with ARM's documented results
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-*)."""

from __future__ import annotations

import re
import uuid

import pytest

from azemu.deployments.errors import ExpressionError
from azemu.deployments.functions import FUNCTIONS
from deployment_helpers import GROUP, context_for, ev, local_emulator


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    return local_emulator(tmp_path_factory.mktemp("functions"))


@pytest.fixture(scope="module")
def ctx(emu):
    return context_for(emu, {"resources": [], "parameters": {
        "o1": {"type": "object", "defaultValue": {"a": 1, "b": {"x": 1, "y": 2}}},
        "o2": {"type": "object", "defaultValue": {"b": {"y": 3, "z": 4}, "c": 5}},
        "arr": {"type": "array", "defaultValue": [3, 1, 2]}}})


TABLE = [
    # logic and comparison
    ("[if(true(), 'yes', 'no')]", "yes"), ("[if(false(), 'yes', 'no')]", "no"),
    ("[if(true(), 'ok', parameters('missing'))]", "ok"),          # the other branch is not evaluated
    ("[and(true(), true(), false())]", False), ("[or(false(), true())]", True), ("[not(false())]", True),
    ("[bool('TRUE')]", True), ("[bool(0)]", False), ("[null()]", None),
    ("[equals(1, 1)]", True), ("[equals('a', 'A')]", False), ("[equals(1, '1')]", False),
    ("[equals(createObject('a', 1, 'b', 2), json('{\"b\":2,\"a\":1}'))]", True),
    ("[equals(createArray(1, 2), createArray(1, 2))]", True),
    ("[less(1, 2)]", True), ("[lessOrEquals(2, 2)]", True), ("[greater('b', 'a')]", True),
    ("[greaterOrEquals(1, 2)]", False), ("[coalesce(null(), null(), 'c', 'd')]", "c"),
    # numbers
    ("[add(2, 3)]", 5), ("[sub(2, 3)]", -1), ("[mul(4, 3)]", 12), ("[div(7, 2)]", 3), ("[div(-7, 2)]", -3),
    ("[mod(7, 3)]", 1), ("[mod(-7, 3)]", -1), ("[int('42')]", 42), ("[float('1.5')]", 1.5),
    ("[min(3, 1, 2)]", 1), ("[max(parameters('arr'))]", 3), ("[range(5, 3)]", [5, 6, 7]),
    # strings
    ("[concat('a', 'b', 1, true())]", "ab1True"), ("[concat(createArray(1), createArray(2, 3))]", [1, 2, 3]),
    ("[format('{0}-{1:D3}-{2}', 'x', 7, true())]", "x-007-True"), ("[format('{{{0}}}', 'b')]", "{b}"),
    ("[format('{0,5}|{0,-5}|', 'ab')]", "   ab|ab   |"), ("[format('{0:N0}', 12345)]", "12,345"),
    ("[string(123)]", "123"), ("[string(createObject('a', 1))]", '{"a":1}'), ("[string(false())]", "False"),
    ("[toLower('AbC')]", "abc"), ("[toUpper('AbC')]", "ABC"), ("[trim('  x  ')]", "x"),
    ("[replace('aXbX', 'X', '-')]", "a-b-"), ("[split('a,b;c', createArray(',', ';'))]", ["a", "b", "c"]),
    ("[split('a.b', '.')]", ["a", "b"]), ("[join(createArray('a', 'b'), '-')]", "a-b"),
    ("[substring('hello', 1, 3)]", "ell"), ("[substring('hello', 2)]", "llo"), ("[padLeft(7, 3, '0')]", "007"),
    ("[startsWith('Hello', 'he')]", True), ("[endsWith('Hello', 'LO')]", True),
    ("[indexOf('abcB', 'b')]", 1), ("[lastIndexOf('abcB', 'b')]", 3), ("[indexOf('abc', 'z')]", -1),
    ("[indexOf(createArray('a', 'b'), 'b')]", 1), ("[length('abc')]", 3), ("[length(parameters('o1'))]", 2),
    ("[base64('one, two')]", "b25lLCB0d28="), ("[base64ToString('b25lLCB0d28=')]", "one, two"),
    ("[base64ToJson(base64('{\"a\":[1]}'))]", {"a": [1]}),
    ("[dataUri('Hello')]", "data:text/plain;charset=utf8;base64,SGVsbG8="),
    ("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]", "Hello, World!"),
    ("[uri('http://contoso.org/firstpath', 'myscript.sh')]", "http://contoso.org/myscript.sh"),
    ("[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]",
     "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json"),
    ("[uriComponentToString('a%20b')]", "a b"),
    # arrays and objects
    ("[array('a')]", ["a"]), ("[createArray(1, 'b')]", [1, "b"]), ("[createObject('k', 'v')]", {"k": "v"}),
    ("[json('[1, {\"a\": null}]')]", [1, {"a": None}]), ("[json('null')]", None),
    ("[empty('')]", True), ("[empty(createArray())]", True), ("[empty(json('{}'))]", True), ("[empty(null())]", True),
    ("[empty('x')]", False), ("[contains('abc', 'b')]", True), ("[contains('abc', 'B')]", False),
    ("[contains(parameters('o1'), 'A')]", True), ("[contains(parameters('arr'), 2)]", True),
    ("[first(parameters('arr'))]", 3), ("[last('abc')]", "c"), ("[take(parameters('arr'), 2)]", [3, 1]),
    ("[skip(parameters('arr'), 2)]", [2]), ("[take('abc', 10)]", "abc"), ("[skip('abc', -1)]", "abc"),
    ("[flatten(createArray(createArray(1), createArray(2, 3)))]", [1, 2, 3]),
    ("[union(parameters('o1'), parameters('o2'))]", {"a": 1, "b": {"x": 1, "y": 3, "z": 4}, "c": 5}),
    ("[union(createArray(1, 2), createArray(2, 3))]", [1, 2, 3]),
    ("[intersection(createArray(1, 2, 3), createArray(3, 2))]", [2, 3]),
    ("[intersection(parameters('o1'), createObject('a', 1, 'c', 2))]", {"a": 1}),
    ("[items(createObject('b', 2, 'a', 1))]", [{"key": "a", "value": 1}, {"key": "b", "value": 2}]),
    ("[objectKeys(parameters('o2'))]", ["b", "c"]),
    ("[shallowMerge(createArray(createObject('a', 1), createObject('a', 2, 'b', 3)))]", {"a": 2, "b": 3}),
    ("[tryGet(parameters('o1'), 'B', 'y')]", 2), ("[tryGet(parameters('o1'), 'nope')]", None),
    # lambdas
    ("[map(parameters('arr'), lambda('x', mul(lambdaVariables('x'), 10)))]", [30, 10, 20]),
    ("[filter(parameters('arr'), lambda('x', greater(lambdaVariables('x'), 1)))]", [3, 2]),
    ("[reduce(parameters('arr'), 0, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x'))))]", 6),
    ("[sort(parameters('arr'), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]", [1, 2, 3]),
    ("[toObject(createArray('a', 'b'), lambda('x', lambdaVariables('x')), lambda('x', length(lambdaVariables('x'))))]",
     {"a": 1, "b": 1}),
    # dates
    ("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", "2023-04-07T14:53:14Z"),
    ("[dateTimeAdd('2020-01-31T00:00:00Z', 'P1M')]", "2020-02-29T00:00:00Z"),
    ("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT1H', 'u')]", "2020-04-07 13:53:14Z"),
    ("[dateTimeToEpoch('2020-01-01T00:00:00Z')]", 1577836800),
    ("[dateTimeFromEpoch(1577836800)]", "2020-01-01T00:00:00Z"),
]


@pytest.mark.parametrize("text, expected", TABLE)
def test_function(ctx, text, expected):
    assert ev(ctx, text) == expected


# Published outputs of Azure's own uniqueString() (verified against Bicep by their authors):
# the azure-cli-free implementations in a bash tool and a Go package agree on these.
@pytest.mark.parametrize("args, expected", [
    (("test",), "rbgf3xv4ufgzg"), (("hello", "world"), "a7wkljktk6wne"), (("abc",), "cgtzqvhu4i23s"),
    (("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg",), "bmg7c6xu4tw46"),
    (("foo", "bar", "baz"), "xzi4ioaxtmth4")])
def test_unique_string_is_azures(ctx, args, expected):
    assert ev(ctx, f"[uniqueString({', '.join(repr(a) for a in args)})]") == expected


def test_guid_is_a_version_5_uuid_in_arms_namespace(ctx):
    value = ev(ctx, "[guid('a', 'b')]")
    assert value == str(uuid.uuid5(uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830"), "a-b"))
    assert uuid.UUID(value).version == 5


def test_scope_functions(emu, ctx):
    sub = emu.identities.primary.subscription_id
    group = ev(ctx, "[resourceGroup()]")
    assert group["id"] == f"/subscriptions/{sub}/resourceGroups/{GROUP}"
    assert (group["name"], group["location"], group["tags"]) == (GROUP, "westus", {"env": "test"})
    assert ev(ctx, "[subscription()]") == {"id": f"/subscriptions/{sub}", "subscriptionId": sub,
                                           "tenantId": emu.identities.primary.tenant_id,
                                           "displayName": emu.identities.primary.subscription_name}
    assert ev(ctx, "[tenant().tenantId]") == emu.identities.primary.tenant_id
    assert ev(ctx, "[environment().resourceManager]") == "https://azemu.test/"
    assert ev(ctx, "[environment().authentication.loginEndpoint]") == "https://azemu.test"   # 2022-09-01's
    deployment = ev(ctx, "[deployment()]")
    assert deployment["name"] == "dep1" and deployment["properties"]["mode"] == "Incremental"


def test_resource_ids(emu, ctx):
    sub = emu.identities.primary.subscription_id
    base = f"/subscriptions/{sub}/resourceGroups/{GROUP}/providers"
    assert ev(ctx, "[resourceId('Microsoft.Network/publicIPAddresses', 'ip')]") == \
        f"{base}/Microsoft.Network/publicIPAddresses/ip"
    assert ev(ctx, "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vn', 'sn')]") == \
        f"{base}/Microsoft.Network/virtualNetworks/vn/subnets/sn"
    assert ev(ctx, "[resourceId('other', 'Microsoft.Compute/availabilitySets', 'a')]") == \
        f"/subscriptions/{sub}/resourceGroups/other/providers/Microsoft.Compute/availabilitySets/a"
    assert ev(ctx, "[resourceId('s2', 'other', 'Microsoft.Compute/availabilitySets', 'a')]") == \
        "/subscriptions/s2/resourceGroups/other/providers/Microsoft.Compute/availabilitySets/a"
    assert ev(ctx, "[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'g')]") == \
        f"/subscriptions/{sub}/providers/Microsoft.Resources/resourceGroups/g"
    assert ev(ctx, "[tenantResourceId('Microsoft.Management/managementGroups', 'm')]") == \
        "/providers/Microsoft.Management/managementGroups/m"
    assert ev(ctx, "[extensionResourceId('/x/y', 'Microsoft.Authorization/locks', 'l')]") == \
        "/x/y/providers/Microsoft.Authorization/locks/l"
    with pytest.raises(ExpressionError, match="requires '2' resource name argument"):
        ev(ctx, "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vn')]")
    with pytest.raises(ExpressionError, match="multi-segmented argument"):
        ev(ctx, "[resourceId('a', 'b')]")


def test_copy_index(ctx):
    assert ev(ctx, "[copyIndex()]", vms=2) == 2
    assert ev(ctx, "[copyIndex(1)]", vms=2) == 3
    assert ev(ctx, "[copyIndex('vms', 10)]", vms=2) == 12
    with pytest.raises(ExpressionError, match="invalid loop name 'other'"):
        ev(ctx, "[copyIndex('other')]", vms=2)


def test_parameter_defaults_may_use_utc_now_and_new_guid(emu):
    ctx = context_for(emu, {"resources": [], "parameters": {
        "stamp": {"type": "string", "defaultValue": "[utcNow('yyyy-MM-dd')]"},
        "id": {"type": "string", "defaultValue": "[newGuid()]"},
        "derived": {"type": "string", "defaultValue": "[concat(parameters('stamp'), '/', resourceGroup().name)]"}}})
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", ctx.parameter("stamp"))
    assert uuid.UUID(ctx.parameter("id"))
    assert ctx.parameter("derived") == f"{ctx.parameter('stamp')}/{GROUP}"
    assert ctx.parameter("id") == ctx.parameter("id")          # evaluated once


@pytest.mark.parametrize("text, message", [
    ("[div(1, 0)]", "the divisor must not be zero"),
    ("[add(1, 'a')]", "expects its second parameter to be of type 'Integer'"),
    ("[substring('abc', 2, 5)]", "must refer to a location within the string"),
    ("[json('{')]", "the value is not valid JSON"),
    ("[base64ToString('***')]", "not a valid base64 string"),
    ("[if(1, 'a', 'b')]", "expects its first parameter to be of type 'Boolean'"),
    ("[less(1, 'a')]", "cannot be compared"),
    ("[createObject('a')]", "an even number of arguments"),
    ("[map(createArray(1), 'x')]", "must be a lambda function"),
    ("[format('{3}', 'a')]", "greater than the number of arguments"),
    ("[dateTimeAdd('2020-01-01T00:00:00Z', 'P')]", "not a valid ISO 8601 duration"),
    ("[listKeys('x', '2020-01-01')]", "The template function 'listKeys' is not valid"),
])
def test_function_errors(ctx, text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        ev(ctx, text)


def test_every_function_is_in_the_table():
    """A function added without a test fails here."""
    tested = {m.lower() for text, _ in TABLE for m in re.findall(r"([A-Za-z][A-Za-z0-9]*)\(", text)}
    tested |= {"uniquestring", "guid", "resourcegroup", "subscription", "tenant", "environment", "deployment",
               "resourceid", "subscriptionresourceid", "tenantresourceid", "extensionresourceid", "copyindex",
               "utcnow", "newguid", "parameters", "variables", "reference"}
    assert set(FUNCTIONS) - tested == set()
