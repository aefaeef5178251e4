"""Where a JSON path is in the request text: ARM's template errors name the line and column of
the offending value (`... at line '1' and column '1154' ...`). Positions are 1-based and point at
the value's first character; az sends a whole deployment on one line, so the line is 1 there.
"""

from __future__ import annotations

import json
import re

_WS = re.compile(r"\s*")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_decoder = json.JSONDecoder()


def parts(path: str) -> list[str | int]:
    """"a.b[2].c" -> ["a", "b", 2, "c"]."""
    return [int(i) if i else key for key, i in _PART.findall(path)]


def _skip(text: str, i: int) -> int:
    return _WS.match(text, i).end()


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
                    _, i = _decoder.raw_decode(text, i)
                    i = _skip(text, i)
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
                key, i = _decoder.raw_decode(text, i)
                i = _skip(text, _skip(text, i) + 1)          # past the colon
                if key == part:
                    break
                _, i = _decoder.raw_decode(text, i)
                i = _skip(text, i)
                if text[i] != ",":
                    return None
                i = _skip(text, i + 1)
    except (IndexError, ValueError):
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
