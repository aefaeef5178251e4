"""Conditional requests (If-Match / If-None-Match) on writes, answered with 412
PreconditionFailed, the way clients do optimistic concurrency on ARM resources (read the
etag, change one thing, PUT with If-Match, on 412 read again)."""

from __future__ import annotations

from typing import Mapping

from ..errors import ArmError


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def _bare(etag: str) -> str:
    etag = etag.strip()
    if etag[:2] in ("W/", "w/"):
        etag = etag[2:]
    return etag.strip('"')


def matches(header: str, etag: str | None) -> bool:
    """Weak comparison: W/"x", "x" and x name the same etag."""
    if etag is None:
        return False
    return any(t == "*" or _bare(t) == _bare(etag) for t in _tags(header))


def check(headers: Mapping[str, str], etag: str | None, exists: bool) -> None:
    """Raise 412 PreconditionFailed unless the request's conditions hold for the resource."""
    if_match = headers.get("If-Match")
    if if_match is not None:
        if not exists or (if_match.strip() != "*" and not matches(if_match, etag)):
            raise ArmError.precondition_failed()
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None and exists:
        if if_none_match.strip() == "*" or matches(if_none_match, etag):
            raise ArmError.precondition_failed()
