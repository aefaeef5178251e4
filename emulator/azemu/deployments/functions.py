"""The template function library, with ARM's semantics and messages
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions).

Each function is `fn(scope, *values)`; a `lazy` one (`if`, `lambda`) gets the unevaluated
argument trees instead. Names are looked up without case. The deployment-dependent ones
(`parameters`, `variables`, `reference`, `resourceGroup`, ...) ask `scope.context`.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import functools
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import quote, unquote, urljoin

from . import hashing
from .errors import ExpressionError

GUID_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")   # ARM's guid() namespace
ORDINALS = ("first", "second", "third", "fourth", "fifth")


@dataclass
class Function:
    fn: Callable
    min_args: int
    max_args: int | None
    lazy: bool = False


FUNCTIONS: dict[str, Function] = {}


def function(name: str, min_args: int = 0, max_args: int | None = -1, *, lazy: bool = False):
    """Register `fn(scope, *args)`. `max_args` -1: as many as `min_args`; None: no limit."""
    def deco(fn: Callable) -> Callable:
        FUNCTIONS[name.lower()] = Function(fn, min_args, min_args if max_args == -1 else max_args, lazy)
        return fn
    return deco


def call(node, scope) -> Any:
    from .evaluator import evaluate
    name = node.name
    spec = FUNCTIONS.get(name.lower())
    if spec is None:
        raise ExpressionError(f"The template function '{name}' is not valid. Please see https://aka.ms/arm-functions "
                              "for usage details.")
    n = len(node.args)
    if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
        if spec.min_args == spec.max_args:
            wanted = f"{spec.min_args}"
        elif spec.max_args is None:
            wanted = f"at least {spec.min_args}"
        else:
            wanted = f"between {spec.min_args} and {spec.max_args}"
        raise ExpressionError(f"Unable to evaluate template language function '{name}': function requires {wanted} "
                              f"argument(s) while {n} were provided. Please see https://aka.ms/arm-functions for "
                              "usage details.")
    if spec.lazy:
        return spec.fn(scope, *node.args)
    return spec.fn(scope, *[evaluate(a, scope) for a in node.args])


# --- types ----------------------------------------------------------------------------------

def type_name(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


def expect(fn: str, value: Any, *types: str, position: int | None = None) -> Any:
    if type_name(value) not in types:
        which = "its parameter" if position is None else f"its {ORDINALS[min(position, 4)]} parameter"
        raise ExpressionError(f"The template language function '{fn}' expects {which} to be of type "
                              f"'{' or '.join(types)}'. The provided value is of type '{type_name(value)}'. Please see "
                              "https://aka.ms/arm-functions for usage details.")
    return value


def fail(fn: str, message: str) -> ExpressionError:
    return ExpressionError(f"Unable to evaluate template language function '{fn}': {message}. Please see "
                           "https://aka.ms/arm-functions for usage details.")


def to_string(value: Any) -> str:
    """ARM's string(): text as is, True/False, numbers, compact JSON for objects and arrays."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def same(a: Any, b: Any) -> bool:
    """JToken deep equality: types matter (1 is not '1', true is not 1), key order does not."""
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def _truthy(fn: str, value: Any, position: int | None = None) -> bool:
    return expect(fn, value, "Boolean", position=position)


# --- deployment values and scope ------------------------------------------------------------

@function("parameters", 1)
def _parameters(scope, name):
    return scope.context.parameter(expect("parameters", name, "String"))


@function("variables", 1)
def _variables(scope, name):
    return scope.context.variable(expect("variables", name, "String"), scope)


# The deployment's scope: deployment(), environment(), resourceGroup(), subscription(), tenant().
for _name, _method in (("deployment", "deployment_value"), ("environment", "environment"),
                       ("resourceGroup", "resource_group"), ("subscription", "subscription"), ("tenant", "tenant")):
    function(_name)(lambda scope, _m=_method: getattr(scope.context, _m)())


@function("copyIndex", 0, 2)
def _copy_index(scope, *args):
    loop, offset = None, 0
    if args and isinstance(args[0], str):
        loop, args = args[0].lower(), args[1:]
    if args:
        offset = expect("copyIndex", args[0], "Integer")
    loop = loop or scope.loop
    if loop is None or loop not in scope.copy:
        if loop is not None and scope.loop is not None:
            raise ExpressionError(f"The template function 'copyIndex' has an invalid loop name '{loop}'. Please see "
                                  "https://aka.ms/arm-copy for usage details.")
        raise ExpressionError("The template function 'copyIndex' is not expected at this location. The function can "
                              "only be used in a resource with copy specified. Please see https://aka.ms/arm-copy for "
                              "usage details.")
    return scope.copy[loop] + offset


def only_in(scope, fn: str, *sections: str) -> None:
    if scope.section not in sections:
        raise ExpressionError(f"The template function '{fn}' is not expected at this location. Please see "
                              "https://aka.ms/arm-functions for usage details.")


@function("reference", 1, 3)
def _reference(scope, target, api_version=None, full=None):
    only_in(scope, "reference", "properties", "outputs")
    expect("reference", target, "String", position=0)
    want_full = isinstance(full, str) and full.lower() == "full"
    return scope.context.reference(target, api_version, want_full)


@function("utcNow", 0, 1)
def _utc_now(scope, fmt="yyyyMMddTHHmmssZ"):
    only_in(scope, "utcNow", "parameters")
    return format_datetime(scope.context.now(), expect("utcNow", fmt, "String"))


@function("newGuid")
def _new_guid(scope):
    only_in(scope, "newGuid", "parameters")
    return str(uuid.uuid4())


# --- resource ids ---------------------------------------------------------------------------

def _segments(fn: str, args: tuple, leading: int) -> tuple[list[str], str, list[str]]:
    """Split `[leading optional args...,] type, name1, name2...` at the first argument with a '/'."""
    for a in args:
        expect(fn, a, "String")
    index = next((i for i, a in enumerate(args[:leading + 1]) if "/" in a), None)
    if index is None:
        raise fail(fn, "function requires exactly one multi-segmented argument which must be resource type including "
                       f"resource provider namespace. Current function arguments '{','.join(args)}'")
    rtype, names = args[index], list(args[index + 1:])
    ns, _, types = rtype.partition("/")
    type_segs = types.split("/")
    if len(names) != len(type_segs):
        raise fail(fn, f"the type '{rtype}' requires '{len(type_segs)}' resource name argument(s)")
    path = "/".join(f"{t}/{n}" for t, n in zip(type_segs, names))
    return list(args[:index]), f"{ns}/{path}", names


@function("resourceId", 2, None)
def _resource_id(scope, *args):
    before, path, _ = _segments("resourceId", args, 2)
    sub = scope.context.subscription_id
    rg = scope.context.group_name
    if len(before) == 1:
        rg = before[0]
    elif len(before) == 2:
        sub, rg = before
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{path}"


@function("subscriptionResourceId", 2, None)
def _subscription_resource_id(scope, *args):
    before, path, _ = _segments("subscriptionResourceId", args, 1)
    return f"/subscriptions/{before[0] if before else scope.context.subscription_id}/providers/{path}"


@function("tenantResourceId", 2, None)
def _tenant_resource_id(scope, *args):
    _, path, _ = _segments("tenantResourceId", args, 0)
    return f"/providers/{path}"


@function("extensionResourceId", 3, None)
def _extension_resource_id(scope, base, *args):
    _, path, _ = _segments("extensionResourceId", args, 0)
    return f"{expect('extensionResourceId', base, 'String', position=0).rstrip('/')}/providers/{path}"


# --- logic and comparison -------------------------------------------------------------------

@function("if", 3, lazy=True)
def _if(scope, condition, when_true, when_false):
    from .evaluator import evaluate
    return evaluate(when_true if _truthy("if", evaluate(condition, scope), 0) else when_false, scope)


@function("and", 2, None)
def _and(scope, *values):
    return all(_truthy("and", v, i) for i, v in enumerate(values))


@function("or", 2, None)
def _or(scope, *values):
    return any([_truthy("or", v, i) for i, v in enumerate(values)])


@function("not", 1)
def _not(scope, value):
    return not _truthy("not", value)


@function("true")
def _true(scope):
    return True


@function("false")
def _false(scope):
    return False


@function("null")
def _null(scope):
    return None


@function("bool", 1)
def _bool(scope, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise fail("bool", f"the value '{to_string(value)}' cannot be converted to a boolean")


@function("equals", 2)
def _equals(scope, a, b):
    return same(a, b)


def _compare(fn: str, a: Any, b: Any) -> int:
    if type_name(a) != type_name(b) or type_name(a) not in ("Integer", "String", "Float"):
        raise fail(fn, f"the provided values of types '{type_name(a)}' and '{type_name(b)}' cannot be compared")
    return (a > b) - (a < b)


for _name, _test in (("less", lambda c: c < 0), ("lessOrEquals", lambda c: c <= 0),
                     ("greater", lambda c: c > 0), ("greaterOrEquals", lambda c: c >= 0)):
    function(_name, 2)(lambda scope, a, b, _n=_name, _t=_test: _t(_compare(_n, a, b)))


@function("coalesce", 1, None)
def _coalesce(scope, *values):
    return next((v for v in values if v is not None), None)


# --- numbers --------------------------------------------------------------------------------

def _ints(fn: str, *values: Any) -> tuple[int, ...]:
    return tuple(expect(fn, v, "Integer", position=i) for i, v in enumerate(values))


@function("add", 2)
def _add(scope, a, b):
    a, b = _ints("add", a, b)
    return a + b


@function("sub", 2)
def _sub(scope, a, b):
    a, b = _ints("sub", a, b)
    return a - b


@function("mul", 2)
def _mul(scope, a, b):
    a, b = _ints("mul", a, b)
    return a * b


def _truncated(fn: str, a: int, b: int) -> int:
    if b == 0:
        raise fail(fn, "the divisor must not be zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


@function("div", 2)
def _div(scope, a, b):
    return _truncated("div", *_ints("div", a, b))


@function("mod", 2)
def _mod(scope, a, b):
    a, b = _ints("mod", a, b)
    return a - b * _truncated("mod", a, b)


@function("int", 1)
def _int(scope, value):
    if isinstance(value, bool):
        raise fail("int", "the value cannot be converted to an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise fail("int", f"the value '{to_string(value)}' cannot be converted to an integer") from None


@function("float", 1)
def _float(scope, value):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise fail("float", f"the value '{to_string(value)}' cannot be converted to a float") from None


def _numbers(fn: str, values: tuple) -> list:
    flat = values[0] if len(values) == 1 and isinstance(values[0], list) else list(values)
    if not flat:
        raise fail(fn, "the array must not be empty")
    return [expect(fn, v, "Integer", "Float") for v in flat]


@function("min", 1, None)
def _min(scope, *values):
    return min(_numbers("min", values))


@function("max", 1, None)
def _max(scope, *values):
    return max(_numbers("max", values))


@function("range", 2)
def _range(scope, start, count):
    start, count = _ints("range", start, count)
    if not 0 <= count <= 10000:
        raise fail("range", "the count must be between 0 and 10000")
    return list(range(start, start + count))


# --- strings --------------------------------------------------------------------------------

@function("concat", 1, None)
def _concat(scope, *values):
    if isinstance(values[0], list):
        out: list = []
        for i, v in enumerate(values):
            out.extend(expect("concat", v, "Array", position=i))
        return out
    for i, v in enumerate(values):
        expect("concat", v, "String", "Integer", "Boolean", "Null", position=i)
    return "".join(to_string(v) for v in values)


@function("string", 1)
def _string(scope, value):
    return to_string(value)


@function("toLower", 1)
def _to_lower(scope, value):
    return expect("toLower", value, "String").lower()


@function("toUpper", 1)
def _to_upper(scope, value):
    return expect("toUpper", value, "String").upper()


@function("trim", 1)
def _trim(scope, value):
    return expect("trim", value, "String").strip()


@function("replace", 3)
def _replace(scope, text, old, new):
    return expect("replace", text, "String", position=0).replace(
        expect("replace", old, "String", position=1), expect("replace", new, "String", position=2))


@function("split", 2)
def _split(scope, text, delimiters):
    text = expect("split", text, "String", position=0)
    delims = [delimiters] if isinstance(delimiters, str) else expect("split", delimiters, "Array", position=1)
    if not delims:
        return [text]
    return re.split("|".join(re.escape(d) for d in delims), text)


@function("join", 2)
def _join(scope, items, delimiter):
    return expect("join", delimiter, "String", position=1).join(
        to_string(v) for v in expect("join", items, "Array", position=0))


@function("substring", 2, 3)
def _substring(scope, text, start, length=None):
    text = expect("substring", text, "String", position=0)
    start = expect("substring", start, "Integer", position=1)
    length = len(text) - start if length is None else expect("substring", length, "Integer", position=2)
    if start < 0 or length < 0 or start + length > len(text):
        raise fail("substring", "the index and length parameters must refer to a location within the string")
    return text[start:start + length]


@function("padLeft", 2, 3)
def _pad_left(scope, value, total, pad=" "):
    text = to_string(expect("padLeft", value, "String", "Integer", position=0))
    pad = expect("padLeft", pad, "String", position=2)
    if len(pad) != 1:
        raise fail("padLeft", "the padding character must be a single character")
    return text.rjust(expect("padLeft", total, "Integer", position=1), pad)


@function("startsWith", 2)
def _starts_with(scope, text, prefix):
    return expect("startsWith", text, "String", position=0).lower().startswith(
        expect("startsWith", prefix, "String", position=1).lower())


@function("endsWith", 2)
def _ends_with(scope, text, suffix):
    return expect("endsWith", text, "String", position=0).lower().endswith(
        expect("endsWith", suffix, "String", position=1).lower())


@function("indexOf", 2)
def _index_of(scope, container, item):
    if isinstance(container, list):
        return next((i for i, v in enumerate(container) if same(v, item)), -1)
    return expect("indexOf", container, "String", position=0).lower().find(
        expect("indexOf", item, "String", position=1).lower())


@function("lastIndexOf", 2)
def _last_index_of(scope, container, item):
    if isinstance(container, list):
        return next((i for i in range(len(container) - 1, -1, -1) if same(container[i], item)), -1)
    return expect("lastIndexOf", container, "String", position=0).lower().rfind(
        expect("lastIndexOf", item, "String", position=1).lower())


def _format_one(value: Any, spec: str) -> str:
    if spec and isinstance(value, int) and not isinstance(value, bool):
        kind, digits = spec[0], spec[1:]
        width = int(digits) if digits.isdigit() else 0
        if kind in "Dd":
            return f"{value:0{width + (value < 0)}d}"
        if kind in "Xx":
            return format(value, f"0{width}{kind}")
        if kind in "Nn":
            return f"{value:,.{width if digits else 2}f}"
    return to_string(value)


FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}")


@function("format", 1, None)
def _format(scope, fmt, *values):
    """.NET composite formatting: {0}, {1,-5}, {0:D3}; {{ and }} for braces."""
    def item(m: re.Match) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        index = int(m.group(1))
        if index >= len(values):
            raise fail("format", "the index of a format item is greater than the number of arguments")
        text = _format_one(values[index], m.group(3) or "")
        align = int(m.group(2) or 0)
        return text.rjust(align) if align > 0 else text.ljust(-align)
    return FORMAT_ITEM.sub(item, expect("format", fmt, "String", position=0))


@function("uniqueString", 1, None)
def _unique_string(scope, *values):
    for i, v in enumerate(values):
        expect("uniqueString", v, "String", position=i)
    return hashing.unique_string(*values)


@function("guid", 1, None)
def _guid(scope, *values):
    for i, v in enumerate(values):
        expect("guid", v, "String", position=i)
    return str(uuid.uuid5(GUID_NAMESPACE, "-".join(values)))


@function("base64", 1)
def _base64(scope, text):
    return base64.b64encode(expect("base64", text, "String").encode("utf-8")).decode("ascii")


def _unbase64(fn: str, text: Any) -> str:
    try:
        return base64.b64decode(expect(fn, text, "String"), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise fail(fn, "the value is not a valid base64 string") from None


@function("base64ToString", 1)
def _base64_to_string(scope, text):
    return _unbase64("base64ToString", text)


@function("base64ToJson", 1)
def _base64_to_json(scope, text):
    return _json(scope, _unbase64("base64ToJson", text))


@function("dataUri", 1)
def _data_uri(scope, text):
    return "data:text/plain;charset=utf8;base64," + _base64(scope, text)


@function("dataUriToString", 1)
def _data_uri_to_string(scope, text):
    head, sep, data = expect("dataUriToString", text, "String").partition(",")
    if not sep or not head.startswith("data:"):
        raise fail("dataUriToString", "the value is not a valid data URI")
    return _unbase64("dataUriToString", data) if head.endswith(";base64") else unquote(data)


@function("uri", 2)
def _uri(scope, base, relative):
    return urljoin(expect("uri", base, "String", position=0), expect("uri", relative, "String", position=1))


@function("uriComponent", 1)
def _uri_component(scope, text):
    return quote(expect("uriComponent", text, "String"), safe="-_.~")


@function("uriComponentToString", 1)
def _uri_component_to_string(scope, text):
    return unquote(expect("uriComponentToString", text, "String"))


# --- arrays and objects ---------------------------------------------------------------------

@function("array", 1)
def _array(scope, value):
    return value if isinstance(value, list) else [value]


@function("createArray", 0, None)
def _create_array(scope, *values):
    return list(values)


@function("createObject", 0, None)
def _create_object(scope, *values):
    if len(values) % 2:
        raise fail("createObject", "the function requires an even number of arguments: names and values")
    return {expect("createObject", k, "String"): v for k, v in zip(values[::2], values[1::2])}


@function("json", 1)
def _json(scope, text):
    try:
        return json.loads(expect("json", text, "String"))
    except ValueError as err:
        raise fail("json", f"the value is not valid JSON: {err}") from None


@function("empty", 1)
def _empty(scope, value):
    return value is None or (isinstance(value, (str, list, dict)) and not value)


@function("length", 1)
def _length(scope, value):
    return len(expect("length", value, "String", "Array", "Object"))


@function("contains", 2)
def _contains(scope, container, item):
    if isinstance(container, dict):
        key = expect("contains", item, "String", position=1).lower()
        return any(k.lower() == key for k in container)
    if isinstance(container, list):
        return any(same(v, item) for v in container)
    return to_string(item) in expect("contains", container, "String", "Array", "Object", position=0)


@function("first", 1)
def _first(scope, value):
    value = expect("first", value, "Array", "String")
    return value[0] if value else (None if isinstance(value, list) else "")


@function("last", 1)
def _last(scope, value):
    value = expect("last", value, "Array", "String")
    return value[-1] if value else (None if isinstance(value, list) else "")


@function("take", 2)
def _take(scope, value, count):
    return expect("take", value, "Array", "String", position=0)[:max(0, expect("take", count, "Integer", position=1))]


@function("skip", 2)
def _skip(scope, value, count):
    return expect("skip", value, "Array", "String", position=0)[max(0, expect("skip", count, "Integer", position=1)):]


@function("flatten", 1)
def _flatten(scope, value):
    out: list = []
    for item in expect("flatten", value, "Array"):
        out.extend(expect("flatten", item, "Array"))
    return out


def _merge(a: Any, b: Any) -> Any:
    """union() of objects: later values win, nested objects merge."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _merge(out[k], v) if k in out else v
        return out
    return b


@function("union", 1, None)
def _union(scope, *values):
    if isinstance(values[0], dict):
        out: Any = {}
        for i, v in enumerate(values):
            out = _merge(out, expect("union", v, "Object", position=i))
        return out
    out = []
    for i, v in enumerate(values):
        for item in expect("union", v, "Array", position=i):
            if not any(same(item, x) for x in out):
                out.append(item)
    return out


@function("intersection", 2, None)
def _intersection(scope, *values):
    if isinstance(values[0], dict):
        return {k: v for k, v in values[0].items()
                if all(k in o and same(o[k], v) for o in (expect("intersection", x, "Object") for x in values[1:]))}
    out = []
    for item in expect("intersection", values[0], "Array"):
        if all(any(same(item, x) for x in expect("intersection", other, "Array")) for other in values[1:]) \
                and not any(same(item, x) for x in out):
            out.append(item)
    return out


@function("items", 1)
def _items(scope, value):
    return [{"key": k, "value": v} for k, v in sorted(expect("items", value, "Object").items(),
                                                      key=lambda kv: (kv[0].lower(), kv[0]))]


@function("objectKeys", 1)
def _object_keys(scope, value):
    return list(expect("objectKeys", value, "Object"))


@function("shallowMerge", 1)
def _shallow_merge(scope, values):
    out: dict = {}
    for v in expect("shallowMerge", values, "Array"):
        out.update(expect("shallowMerge", v, "Object"))
    return out


@function("tryGet", 2, None)
def _try_get(scope, value, *keys):
    for key in keys:
        if isinstance(value, dict) and isinstance(key, str):
            value = next((v for k, v in value.items() if k.lower() == key.lower()), None)
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            value = value[key] if 0 <= key < len(value) else None
        else:
            return None
    return value


# --- lambdas --------------------------------------------------------------------------------

@dataclass
class Lambda:
    names: list[str]
    body: Any
    scope: Any

    def __call__(self, *values: Any) -> Any:
        from .evaluator import evaluate
        return evaluate(self.body, self.scope.with_lambda(dict(zip(self.names, values))))


@function("lambda", 2, None, lazy=True)
def _lambda(scope, *args):
    from .evaluator import evaluate
    names = [expect("lambda", evaluate(a, scope), "String") for a in args[:-1]]
    return Lambda(names, args[-1], scope)


@function("lambdaVariables", 1)
def _lambda_variables(scope, name):
    if name not in scope.lambdas:
        raise fail("lambdaVariables", f"the lambda variable '{name}' is not defined")
    return scope.lambdas[name]


def _fn(name: str, value: Any, position: int) -> Lambda:
    if not isinstance(value, Lambda):
        raise fail(name, f"the {ORDINALS[position]} parameter must be a lambda function")
    return value


@function("map", 2)
def _map(scope, items, fn):
    fn = _fn("map", fn, 1)
    return [fn(v, i) for i, v in enumerate(expect("map", items, "Array", position=0))]


@function("filter", 2)
def _filter(scope, items, fn):
    fn = _fn("filter", fn, 1)
    return [v for i, v in enumerate(expect("filter", items, "Array", position=0))
            if _truthy("filter", fn(v, i))]


@function("reduce", 3)
def _reduce(scope, items, initial, fn):
    fn = _fn("reduce", fn, 2)
    acc = initial
    for i, v in enumerate(expect("reduce", items, "Array", position=0)):
        acc = fn(acc, v, i)
    return acc


@function("sort", 2)
def _sort(scope, items, fn):
    fn = _fn("sort", fn, 1)
    return sorted(expect("sort", items, "Array", position=0),
                  key=functools.cmp_to_key(lambda a, b: -1 if fn(a, b) else (1 if fn(b, a) else 0)))


@function("toObject", 2, 3)
def _to_object(scope, items, key_fn, value_fn=None):
    key_fn = _fn("toObject", key_fn, 1)
    value_fn = _fn("toObject", value_fn, 2) if value_fn is not None else (lambda v: v)
    return {expect("toObject", key_fn(v), "String"): value_fn(v) for v in expect("toObject", items, "Array")}


# --- dates ----------------------------------------------------------------------------------

_NET_FORMAT = re.compile(r"yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|tt|K|Z|T|[^A-Za-z]|[A-Za-z]")
_STANDARD = {"u": "yyyy-MM-dd HH:mm:ssZ", "s": "yyyy-MM-ddTHH:mm:ss", "o": "yyyy-MM-ddTHH:mm:ss.fffffffK",
             "O": "yyyy-MM-ddTHH:mm:ss.fffffffK", "d": "M/d/yyyy", "t": "h:mm tt", "T": "h:mm:ss tt"}


def format_datetime(dt: datetime, fmt: str) -> str:
    """A .NET date format (custom specifiers, and u, s, o, d, t, T)."""
    fmt = _STANDARD.get(fmt, fmt)
    parts = []
    for tok in _NET_FORMAT.findall(fmt):
        if tok.startswith("f"):
            parts.append(f"{dt.microsecond:06d}0"[:len(tok)])
            continue
        parts.append({
            "yyyy": f"{dt.year:04d}", "yy": f"{dt.year % 100:02d}", "MM": f"{dt.month:02d}", "M": str(dt.month),
            "dd": f"{dt.day:02d}", "d": str(dt.day), "HH": f"{dt.hour:02d}", "H": str(dt.hour),
            "hh": f"{(dt.hour % 12) or 12:02d}", "h": str((dt.hour % 12) or 12), "mm": f"{dt.minute:02d}",
            "m": str(dt.minute), "ss": f"{dt.second:02d}", "s": str(dt.second), "tt": "AM" if dt.hour < 12 else "PM",
            "K": "Z"}.get(tok, tok))
    return "".join(parts)


_DURATION = re.compile(r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _parse_datetime(fn: str, text: Any) -> datetime:
    try:
        dt = datetime.fromisoformat(expect(fn, text, "String").replace("Z", "+00:00"))
    except ValueError:
        raise fail(fn, f"the value '{text}' is not a valid date time") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@function("dateTimeAdd", 2, 3)
def _date_time_add(scope, base, duration, fmt="yyyy-MM-ddTHH:mm:ssZ"):
    dt = _parse_datetime("dateTimeAdd", base)
    m = _DURATION.match(expect("dateTimeAdd", duration, "String", position=1))
    if not m or duration in ("P", "PT"):
        raise fail("dateTimeAdd", f"the duration '{duration}' is not a valid ISO 8601 duration")
    sign = -1 if m.group(1) else 1
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in m.groups()[1:7])
    month_index = dt.month - 1 + sign * (years * 12 + months)
    year, month = dt.year + month_index // 12, month_index % 12 + 1
    dt = dt.replace(year=year, month=month, day=min(dt.day, calendar.monthrange(year, month)[1]))
    dt += sign * timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=float(m.group(8) or 0))
    return format_datetime(dt, expect("dateTimeAdd", fmt, "String", position=2))


@function("dateTimeToEpoch", 1)
def _date_time_to_epoch(scope, text):
    return int(_parse_datetime("dateTimeToEpoch", text).timestamp())


@function("dateTimeFromEpoch", 1)
def _date_time_from_epoch(scope, seconds):
    dt = datetime.fromtimestamp(expect("dateTimeFromEpoch", seconds, "Integer"), timezone.utc)
    return format_datetime(dt, "yyyy-MM-ddTHH:mm:ssZ")
