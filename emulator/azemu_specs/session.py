"""One checker per process, and the reports of every azemu checked in it (for the summary
the pytest plugin prints). `azemu.testing.Azemu` calls `check()` when an azemu stops."""

from __future__ import annotations

import warnings
from pathlib import Path

from .check import Report, SpecChecker
from .location import absent, reference_dir

reports: list[tuple[str, Report]] = []
_checker: SpecChecker | None = None


class SpecViolations(AssertionError):
    """azemu answered something the REST specs do not allow (and known.py does not list)."""


class SpecCheckSkipped(UserWarning):
    """The Azure reference material is absent, so azemu's answers were not checked."""


def available() -> bool:
    """True when the specs are there; else warns once (per place it is asked from)."""
    if reference_dir() is None:
        warnings.warn(SpecCheckSkipped(f"azemu spec check skipped: {absent()}"), stacklevel=3)
        return False
    return True


def checker() -> SpecChecker:
    """The process's checker: the index is loaded and validators compiled once, then reused."""
    global _checker
    if _checker is None:
        _checker = SpecChecker(reference_dir())
    return _checker


def check(capture: Path, offset: int, label: str) -> tuple[Report, int]:
    """Check a capture from `offset` and record the report for the summary; (report, offset
    after what was checked)."""
    report, offset = checker().check_capture(capture, offset)
    reports.append((label, report))
    return report, offset
