"""What a conformance run records: each step a client ran, whether it passed, and for a failure
the client's error and the requests azemu answered while it ran (from azemu's request log)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"
CLIENT_BUG = "client bug"     # a failure the client causes on any server (client_bugs.py)


@dataclass
class Step:
    """One thing a client does: `number` is the tutorial's (or the sample's) step, `command`
    what the client ran, exactly (an az command line, a task, an SDK call)."""
    number: str
    command: str
    note: str = ""          # a documented exception, or what a check looks for


@dataclass
class StepResult:
    step: Step
    outcome: str
    error: str = ""          # the client's own error text (short), or why it was not run
    detail: str = ""         # what a passing check saw
    started: float = 0.0     # wall clock (time.time()), to find azemu's requests of this step
    ended: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)   # the failing requests


@dataclass
class RouteResult:
    """One client over one route (custom cloud, proxy); `skipped` says why it did not run."""
    client: str
    route: str
    results: list[StepResult] = field(default_factory=list)
    skipped: str = ""
    spec: Any = None         # azemu_specs Report of azemu's answers on this route (spec_validation.py)
    spec_skipped: str = ""   # why there is none

    @property
    def name(self) -> str:
        return f"{self.client} / {self.route}"

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.results)

    def add(self, step: Step, outcome: str, error: str = "", detail: str = "",
            started: float | None = None, ended: float | None = None) -> StepResult:
        now = time.time()
        result = StepResult(step, outcome, error, detail, started or now, ended or now)
        self.results.append(result)
        return result


def attribute(results: list[StepResult], log: list[dict[str, Any]]) -> None:
    """Give each failed step the requests that explain it: azemu's last two error answers while
    it ran (a 404 to a GET or HEAD is how clients ask whether something exists, so those count
    only when there is no other), or, when azemu answered only with success, the last request."""
    for result in results:
        if result.outcome != FAILED or not result.ended:
            continue
        during = [e for e in log if result.started - 0.05 <= e["time"] <= result.ended + 0.05]
        errors = [e for e in during if e["status"] >= 400]
        telling = [e for e in errors if not (e["status"] == 404 and e["method"] in ("GET", "HEAD"))] or errors
        result.requests = telling[-2:] if telling else during[-1:]


def short(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters, for a table cell."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
