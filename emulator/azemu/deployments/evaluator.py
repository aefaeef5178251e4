"""Evaluating expressions, and JSON values that hold them, in a `Scope`.

A `Scope` is what an expression sees: the deployment's template context (parameters,
variables, resources, the environment), the copy loops it is inside (`copyIndex`), lambda
variables, and the template section it is in, since ARM allows some functions only in some
places (`reference` in resource properties and outputs, `utcNow` and `newGuid` in parameter
defaults). Property access is case-insensitive, as in ARM.
"""

from __future__ import annotations

from typing import Any

from . import functions
from .errors import ExpressionError
from .language import Call, Index, Literal, Member, Node, is_expression, literal_text, parse

COPY = "copy"


class Scope:
    def __init__(self, context: Any, section: str, copy: dict[str, int] | None = None,
                 lambdas: dict[str, Any] | None = None, loop: str | None = None):
        self.context = context          # template.Context (parameters, variables, reference, env)
        self.section = section          # "parameters", "variables", "resource", "properties", "outputs"
        self.copy = copy or {}          # loop name (lower case) -> index
        self.loop = loop                # the loop copyIndex() without a name means
        self.lambdas = lambdas or {}

    def within(self, section: str) -> "Scope":
        return Scope(self.context, section, self.copy, self.lambdas, self.loop)

    def with_copy(self, name: str, index: int, *, own: bool = False) -> "Scope":
        """Inside iteration `index` of loop `name`; `own`: the loop plain copyIndex() means."""
        return Scope(self.context, self.section, dict(self.copy, **{name.lower(): index}), self.lambdas,
                     name.lower() if own else self.loop)

    def with_lambda(self, values: dict[str, Any]) -> "Scope":
        return Scope(self.context, self.section, self.copy, dict(self.lambdas, **values), self.loop)


def evaluate(node: Node, scope: Scope) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Call):
        return functions.call(node, scope)
    if isinstance(node, Member):
        return member(evaluate(node.target, scope), node.name)
    if isinstance(node, Index):
        target, index = evaluate(node.target, scope), evaluate(node.index, scope)
        if isinstance(target, list):
            if isinstance(index, bool) or not isinstance(index, int):
                raise ExpressionError(f"The language expression property array index '{index}' is not valid: it "
                                      "must be an integer.")
            if not 0 <= index < len(target):
                raise ExpressionError(f"The language expression property array index '{index}' is out of bounds.")
            return target[index]
        if isinstance(target, dict) and isinstance(index, str):
            return member(target, index)
        raise ExpressionError(f"The language expression property '{index}' can't be evaluated.")
    raise TypeError(node)


def member(value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        raise ExpressionError(f"The language expression property '{name}' can't be evaluated.")
    if name in value:
        return value[name]
    for key, item in value.items():
        if key.lower() == name.lower():
            return item
    raise ExpressionError(f"The language expression property '{name}' doesn't exist, available properties are "
                          f"'{', '.join(value)}'.")


def value_of(text: str, scope: Scope) -> Any:
    """A JSON string's value: the expression's result, or the literal text."""
    return evaluate(parse(text), scope) if is_expression(text) else literal_text(text)


def resolve(value: Any, scope: Scope, *, copies: bool = False) -> Any:
    """A JSON value with every expression in it evaluated. `copies`: objects may hold a
    property `copy` (resource properties, variables) whose loops make arrays:
    `{"copy": [{"name": "disks", "count": 2, "input": {...}}]}` -> `{"disks": [{...}, {...}]}`."""
    if isinstance(value, str):
        return value_of(value, scope)
    if isinstance(value, list):
        return [resolve(v, scope, copies=copies) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if copies and key.lower() == COPY and isinstance(item, list):
                for loop in item:
                    out.update(expand_property_copy(loop, scope))
            else:
                out[key] = resolve(item, scope, copies=copies)
        return out
    return value


def expand_property_copy(loop: Any, scope: Scope, *, own: bool = False) -> dict[str, list]:
    """One `copy` loop of properties, variables or an output: {name: [input at each index]}.
    `own`: plain copyIndex() means this loop (outputs)."""
    if not isinstance(loop, dict) or not isinstance(loop.get("name"), str) or "input" not in loop:
        raise ExpressionError("The copy property must be an object with 'name', 'count' and 'input'.")
    count = copy_count(loop.get("count"), scope)
    name = loop["name"]
    return {name: [resolve(loop["input"], scope.with_copy(name, i, own=own), copies=True) for i in range(count)]}


MAX_COPY = 800


def copy_count(value: Any, scope: Scope) -> int:
    count = resolve(value, scope)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COPY:
        raise ExpressionError(f"The copy count must be a non-negative integer value and cannot exceed '{MAX_COPY}'. "
                              f"The provided value is '{count}'.")
    return count
