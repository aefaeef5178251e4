"""Path patterns, for the ARM route table (handlers.py) and location endpoints (registry.py).

A pattern is the route's segments, `/`-separated:
- a literal, matched without case (`resourcegroups`);
- `{name}`: one segment, captured;
- `{name:a|b}`: one of these literals, captured as the client spelled it;
- `{name...}`, last: the one or more segments left, captured as a list.
"""

from __future__ import annotations

from typing import Any

Pattern = tuple[str, ...]


def pattern(text: str) -> Pattern:
    return tuple(text.split("/"))


def match(pattern: Pattern, segments: list[str]) -> dict[str, Any] | None:
    """The captures of `segments` (a path split on `/`, empty parts dropped), or None."""
    params: dict[str, Any] = {}
    for i, part in enumerate(pattern):
        if part.endswith("...}"):
            if i >= len(segments):
                return None
            params[part[1:-4]] = segments[i:]
            return params
        if i >= len(segments):
            return None
        segment = segments[i]
        if part.startswith("{"):
            name, _, choices = part[1:-1].partition(":")
            if choices and segment.lower() not in choices.lower().split("|"):
                return None
            params[name] = segment
        elif segment.lower() != part.lower():
            return None
    return params if len(segments) == len(pattern) else None
