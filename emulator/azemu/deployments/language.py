"""The ARM template expression syntax.

A JSON string that starts with `[` and ends with `]` is an expression; one that starts with
`[[` is a literal whose first `[` is dropped (`"[[x]"` is the text `[x]`). Inside the brackets:
function calls `name(arg, ...)` (names without case), string literals in single quotes (`''` is
a quote), integers, and after any value `.property` and `[index]`. There are no operators and no
bare names: `true()`, `false()` and `null()` are functions.

Errors carry ARM's messages ("Unable to parse language expression ...: expected token
'RightParenthesis' and actual 'EndOfData'.").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .errors import ExpressionError


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Call:
    name: str                  # as written; looked up without case
    args: tuple


@dataclass(frozen=True)
class Member:
    target: Any
    name: str


@dataclass(frozen=True)
class Index:
    target: Any
    index: Any


Node = Literal | Call | Member | Index

_TOKEN = re.compile(r"\s*(?:(?P<String>'(?:[^']|'')*')|(?P<Integer>-?\d+)(?![\w.])|(?P<Identifier>[A-Za-z_$][\w$]*)"
                    r"|(?P<p>[().,\[\]]))")
_PUNCT = {"(": "LeftParenthesis", ")": "RightParenthesis", ",": "Comma", ".": "Dot", "[": "LeftSquareBracket",
          "]": "RightSquareBracket"}


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[") and value.endswith("]") and not value.startswith("[[")


def literal_text(value: str) -> str:
    """A string that is not an expression, with `[[` unescaped."""
    return value[1:] if value.startswith("[[") and value.endswith("]") else value


def _tokens(text: str) -> list[tuple[str, Any, int]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            at = len(text) - len(text[pos:].lstrip())
            raise ExpressionError(f"The template language expression '{text}' is not valid: the string character "
                                  f"'{text[at]}' at position '{at}' is not expected.")
        kind = m.lastgroup
        raw = m.group(kind)
        value: Any = raw
        if kind == "String":
            value = raw[1:-1].replace("''", "'")
        elif kind == "Integer":
            value = int(raw)
        elif kind == "p":
            kind = _PUNCT[raw]
        out.append((kind, value, m.start(m.lastgroup)))
        pos = m.end()
    out.append(("EndOfData", None, len(text)))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i][0]

    def take(self, *kinds: str) -> tuple[str, Any, int]:
        tok = self.tokens[self.i]
        if tok[0] not in kinds:
            raise ExpressionError(f"Unable to parse language expression '{self.text}': expected token '{kinds[0]}' "
                                  f"and actual '{tok[0]}'.")
        self.i += 1
        return tok

    def expression(self) -> Node:
        kind, value, _ = self.take("Identifier", "String", "Integer")
        node: Node
        if kind == "Identifier":
            self.take("LeftParenthesis")
            args = []
            if self.peek() != "RightParenthesis":
                args.append(self.expression())
                while self.peek() == "Comma":
                    self.take("Comma")
                    args.append(self.expression())
            self.take("RightParenthesis")
            node = Call(value, tuple(args))
        else:
            node = Literal(value)
        while self.peek() in ("Dot", "LeftSquareBracket"):
            if self.take("Dot", "LeftSquareBracket")[0] == "Dot":
                node = Member(node, self.take("Identifier")[1])
            else:
                node = Index(node, self.expression())
                self.take("RightSquareBracket")
        return node


@functools.lru_cache(maxsize=4096)
def parse(expression: str) -> Node:
    """The parse tree of an expression string (with or without its outer brackets)."""
    inner = expression[1:-1] if is_expression(expression) else expression
    if not inner.strip():
        raise ExpressionError(f"The language expression '{expression}' is not valid: the expression is empty.")
    parser = _Parser(inner)
    node = parser.expression()
    parser.take("EndOfData")
    return node


def calls(node: Node):
    """Every function call in a parse tree, outermost first."""
    if isinstance(node, Call):
        yield node
        for arg in node.args:
            yield from calls(arg)
    elif isinstance(node, Member):
        yield from calls(node.target)
    elif isinstance(node, Index):
        yield from calls(node.target)
        yield from calls(node.index)
