"""The `$filter` of ARM's generic lists: Resources_List (`/subscriptions/{sub}/resources`),
Resources_ListByResourceGroup (`.../resourcegroups/{rg}/resources`) and ResourceGroups_List.

The grammar and rules are those the operations document (the `$filter` parameter of
Microsoft.Resources' resources.json, as the azure-mgmt-resource docstrings quote it):

- `<property> eq|ne '<value>'` for location, resourceType, name, resourceGroup, identity,
  identity/principalId, plan, plan/publisher, plan/product, plan/name, plan/version and
  plan/promotionCode; `substringof('<value>', name|resourceGroup)`; `and`, `or`, parentheses;
- tags: `tagName eq 'x'`, `tagName eq 'x' and tagValue eq 'y'`, `startswith(tagName, 'x')`,
  each on its own: Azure refuses a tag filter combined with anything else (Azure/azure-cli#7674,
  Azure/azure-powershell#293, Azure/azure-sdk-for-net#2757, Azure/azure-sdk-for-python#27064);
  with a tag name and value, the listed resources come without their tags;
- the resource-group list takes only the tag filters (Azure/azure-sdk-for-go#2480,
  Azure/azure-rest-api-specs#3853).

Literals are single-quoted, a quote inside doubled (`'O''Brien'`). Keywords and property names
are matched in any case (PowerShell sends `tagname`, az `resourceGroup`). Values compare as ARM
compares them: names, groups, types, locations (spaces ignored, "East US" = "eastus") and tag
names in any case, tag values exactly, as Azure documents tags. Whatever the rules refuse is
answered as Azure answers it: 400 `InvalidFilterInQueryString`, "Invalid $filter '<filter>'
specified in the query string.".

The parser is a tokenizer and a recursive descent over
    expr := term ('or' term)* ; term := factor ('and' factor)* ;
    factor := '(' expr ')' | NAME ('eq'|'ne') STRING | NAME '(' arg ',' arg ')'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Union

from ..errors import ArmError

SPACE_RE = re.compile(r"\s*")
TOKEN_RE = re.compile(r"(?P<string>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[A-Za-z_][\w./]*)")
EQUALITY_FIELDS = ("location", "resourcetype", "name", "resourcegroup", "identity", "identity/principalid",
                   "plan", "plan/publisher", "plan/product", "plan/name", "plan/version", "plan/promotioncode")
SUBSTRING_FIELDS = ("name", "resourcegroup")
TAG_FIELDS = ("tagname", "tagvalue")


class FilterError(Exception):
    """The filter is not one ARM takes; `refused` turns it into Azure's answer."""


@dataclass(frozen=True)
class Compare:
    field: str      # lower-cased
    op: str         # "eq" | "ne"
    value: str


@dataclass(frozen=True)
class Call:
    function: str   # "substringof" | "startswith", lower-cased
    field: str
    value: str


@dataclass(frozen=True)
class Both:
    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Either:
    parts: tuple["Node", ...]


Node = Union[Compare, Call, Both, Either]


# --- syntax ---------------------------------------------------------------------------------

def tokens(text: str) -> list[tuple[str, str]]:
    """[(kind, text)]: kind "string" (unquoted), "punct" or "word"."""
    out, pos = [], 0
    while True:
        pos = SPACE_RE.match(text, pos).end()
        if pos == len(text):
            return out
        m = TOKEN_RE.match(text, pos)
        if m is None:
            raise FilterError(f"unexpected {text[pos:]!r}")
        kind, value = m.lastgroup, m.group(m.lastgroup)
        out.append((kind, value[1:-1].replace("''", "'") if kind == "string" else value))
        pos = m.end()


class _Parser:
    def __init__(self, text: str):
        self.items = tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.i] if self.i < len(self.items) else None

    def take(self, kind: str, word: str | None = None) -> str:
        item = self.peek()
        if item is None or item[0] != kind or (word is not None and item[1].lower() != word):
            raise FilterError(f"expected {word or kind} at token {self.i}")
        self.i += 1
        return item[1]

    def at_word(self, word: str) -> bool:
        item = self.peek()
        return item is not None and item[0] == "word" and item[1].lower() == word

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise FilterError(f"unexpected token {self.peek()[1]!r}")
        return node

    def expr(self) -> Node:
        return self.joined("or", self.term, Either)

    def term(self) -> Node:
        return self.joined("and", self.factor, Both)

    def joined(self, word: str, part: Callable[[], Node], combine: type) -> Node:
        """part (word part)*, as one node."""
        parts = [part()]
        while self.at_word(word):
            self.i += 1
            parts.append(part())
        return parts[0] if len(parts) == 1 else combine(tuple(parts))

    def factor(self) -> Node:
        item = self.peek()
        if item == ("punct", "("):
            self.i += 1
            node = self.expr()
            self.take("punct", ")")
            return node
        name = self.take("word").lower()
        if self.peek() == ("punct", "("):
            return self.call(name)
        op = self.take("word").lower()
        if op not in ("eq", "ne"):
            raise FilterError(f"unknown operator {op!r}")
        return Compare(name, op, self.take("string"))

    def call(self, function: str) -> Call:
        self.take("punct", "(")
        if function == "substringof":          # substringof('value', property)
            value = self.take("string")
            self.take("punct", ",")
            field = self.take("word").lower()
        elif function == "startswith":         # startswith(property, 'value')
            field = self.take("word").lower()
            self.take("punct", ",")
            value = self.take("string")
        else:
            raise FilterError(f"unknown function {function!r}")
        self.take("punct", ")")
        return Call(function, field, value)


def parse(text: str) -> Node:
    """The syntax tree of a filter (FilterError when it is not well formed)."""
    return _Parser(text).parse()


# --- what each list takes, and matching -----------------------------------------------------

def _leaves(node: Node):
    if isinstance(node, (Both, Either)):
        for part in node.parts:
            yield from _leaves(part)
    else:
        yield node


@dataclass(frozen=True)
class TagFilter:
    """The one tag filter a list may take: a tag name (or its prefix), maybe with a value."""
    name: str
    value: str | None = None
    prefix: bool = False

    def matches(self, tags: dict[str, str]) -> bool:
        for key, value in tags.items():
            name_ok = key.lower().startswith(self.name.lower()) if self.prefix else key.lower() == self.name.lower()
            if name_ok and (self.value is None or value == self.value):
                return True
        return False


def _tag_filter(node: Node) -> TagFilter | None:
    """The tag filter `node` is, None if it names no tag; FilterError for a tag filter mixed
    with anything else or not of a documented shape."""
    if not any(leaf.field in TAG_FIELDS for leaf in _leaves(node)):
        return None
    if isinstance(node, Call) and node.function == "startswith" and node.field == "tagname":
        return TagFilter(node.value, prefix=True)
    if isinstance(node, Compare) and node.field == "tagname" and node.op == "eq":
        return TagFilter(node.value)
    if isinstance(node, Both) and len(node.parts) == 2 and all(isinstance(p, Compare) and p.op == "eq"
                                                               for p in node.parts):
        by_field = {p.field: p.value for p in node.parts}
        if set(by_field) == set(TAG_FIELDS):
            return TagFilter(by_field["tagname"], by_field["tagvalue"])
    raise FilterError("a tag filter cannot be combined with other conditions")


def _check_resource_terms(node: Node) -> None:
    for leaf in _leaves(node):
        if isinstance(leaf, Compare) and leaf.field not in EQUALITY_FIELDS:
            raise FilterError(f"cannot compare {leaf.field}")
        if isinstance(leaf, Call) and (leaf.function != "substringof" or leaf.field not in SUBSTRING_FIELDS):
            raise FilterError(f"{leaf.function} cannot be used with {leaf.field}")


def _squash(value: str) -> str:
    return "".join(value.split()).lower()


def _value(item: dict[str, Any], field: str) -> str:
    """The property of a GenericResourceExpanded item the filter names."""
    if field == "resourcegroup":
        parts = item.get("id", "").split("/")
        return parts[4] if len(parts) > 4 else ""
    if field == "resourcetype":
        return item.get("type", "")
    if field in ("name", "location"):
        return item.get(field, "")
    head, _, sub = field.partition("/")
    obj = item.get(head) or {}
    key = sub or ("type" if head == "identity" else "name")     # bare identity / plan: their type / name
    actual = next((v for k, v in obj.items() if k.lower() == key), "") if isinstance(obj, dict) else ""
    return actual if isinstance(actual, str) else ""


def _test(node: Node, item: dict[str, Any]) -> bool:
    if isinstance(node, Both):
        return all(_test(p, item) for p in node.parts)
    if isinstance(node, Either):
        return any(_test(p, item) for p in node.parts)
    actual = _squash(_value(item, node.field)) if node.field == "location" else _value(item, node.field).lower()
    wanted = _squash(node.value) if node.field == "location" else node.value.lower()
    if isinstance(node, Call):
        return wanted in actual
    return (actual == wanted) == (node.op == "eq")


@dataclass(frozen=True)
class ListFilter:
    """What a list keeps: `keeps(item)`; `hides_tags` when Azure leaves the tags out."""
    keeps: Callable[[dict[str, Any]], bool]
    hides_tags: bool = False


def refused(text: str) -> ArmError:
    return ArmError.bad_request("InvalidFilterInQueryString", f"Invalid $filter '{text}' specified in the query string.")


def resources_filter(text: str | None) -> ListFilter:
    """The `$filter` of Resources_List / Resources_ListByResourceGroup (ArmError when refused)."""
    if not text or not text.strip():
        return ListFilter(lambda item: True)
    try:
        node = parse(text)
        tag = _tag_filter(node)
        if tag is None:
            _check_resource_terms(node)
    except FilterError:
        raise refused(text) from None
    if tag is not None:
        return ListFilter(lambda item: tag.matches(item.get("tags") or {}), hides_tags=tag.value is not None)
    return ListFilter(lambda item: _test(node, item))


def groups_filter(text: str | None) -> ListFilter:
    """The `$filter` of ResourceGroups_List: a tag filter only."""
    if not text or not text.strip():
        return ListFilter(lambda item: True)
    try:
        tag = _tag_filter(parse(text))
    except FilterError:
        raise refused(text) from None
    if tag is None:
        raise refused(text)
    return ListFilter(lambda item: tag.matches(item.get("tags") or {}))
