"""Where a JSON path is in the request text: ARM's template errors name the line and column of
the offending value (`... at line '1' and column '1154' ...`). Positions are 1-based and point at
the value's first character; az sends a whole deployment on one line, so the line is 1 there.

The text is read as ARM reads it (see arm/http.py): comments and unquoted property names
included, since az splices its template file after an unquoted `template:`.
"""

from __future__ import annotations

import re

_WS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.S)
_ATOM = re.compile(r"[^\s,\]}/]+")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parts(path: str) -> list[str | int]:
    """"a.b[2].c" -> ["a", "b", 2, "c"]."""
    return [int(i) if i else key for key, i in _PART.findall(path)]


def _skip(text: str, i: int) -> int:
    return _WS.match(text, i).end()


def _value_end(text: str, i: int) -> int:
    """The index after the value that starts at `i`."""
    if text[i] in "\"'":
        return _STRING.match(text, i).end()
    if text[i] not in "[{":
        return _ATOM.match(text, i).end()
    depth = 0
    while True:
        i = _skip(text, i)
        ch = text[i]
        if ch in "\"'":
            i = _STRING.match(text, i).end()
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def _key(text: str, i: int) -> tuple[str, int]:
    if text[i] in "\"'":
        end = _STRING.match(text, i).end()
        return text[i + 1:end - 1], end
    m = _NAME.match(text, i)
    return m.group(0), m.end()


def offset(text: str, path: str) -> int | None:
    """The index of the value at `path` in the JSON `text`, or None when it is not there."""
    i = _skip(text, 0)
    try:
        for part in parts(path):
            if isinstance(part, int):
                if text[i] != "[":
                    return None
                i = _skip(text, i + 1)
                for _ in range(part):
                    i = _skip(text, _value_end(text, i))
                    if text[i] != ",":
                        return None
                    i = _skip(text, i + 1)
                if text[i] == "]":
                    return None
                continue
            if text[i] != "{":
                return None
            i = _skip(text, i + 1)
            while True:
                if text[i] == "}":
                    return None
                key, i = _key(text, i)
                i = _skip(text, _skip(text, i) + 1)          # past the colon
                if key == part:
                    break
                i = _skip(text, _value_end(text, i))
                if text[i] != ",":
                    return None
                i = _skip(text, i + 1)
    except (IndexError, AttributeError):
        return None
    return i


def line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def position(text: str | None, path: str) -> tuple[int, int] | None:
    if not text:
        return None
    index = offset(text, path)
    return None if index is None else line_column(text, index)
