"""The Markdown table `make conformance` prints and writes to .cache/conformance/last-run.md."""

from __future__ import annotations

import time
from typing import Any

from results import CLIENT_BUG, FAILED, NOT_RUN, PASSED, RouteResult, StepResult, short


def cell(text: str) -> str:
    return short(text).replace("|", "\\|") or " "


def request_line(entry: dict[str, Any]) -> tuple[str, str]:
    """(the request, azemu's answer) of one request-log entry."""
    query = f"?{entry['query']}" if entry.get("query") else ""
    answer = str(entry["status"])
    error = entry.get("error")
    if error:
        answer += f" {error['code']}: {error['message']}"
    return f"{entry['method']} {entry['path']}{query}", answer


def same_answer_runs(failures: list[tuple[RouteResult, StepResult]]):
    """Consecutive failures of one route with the same client error and no request to azemu
    (such as every step after a failed login) as one group each."""
    groups: list[tuple[RouteResult, list[StepResult]]] = []
    for route, r in failures:
        last = groups[-1] if groups else None
        if last and last[0] is route and not r.requests and not last[1][-1].requests \
                and last[1][-1].error == r.error:
            last[1].append(r)
        else:
            groups.append((route, [r]))
    return groups


def render(routes: list[RouteResult], notes: list[str], spec_violations: list[tuple[str, str]] = ()) -> str:
    lines = [f"# make conformance, {time.strftime('%Y-%m-%d %H:%M')}", "",
             "| client / route | steps | passed | failed | client bug | not run |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for route in routes:
        if route.skipped:
            lines.append(f"| {route.name} | skipped: {cell(route.skipped)} | | | | |")
            continue
        lines.append(f"| {route.name} | {len(route.results)} | {route.count(PASSED)} | {route.count(FAILED)} "
                     f"| {route.count(CLIENT_BUG)} | {route.count(NOT_RUN)} |")
    failures = [(route, r) for route in routes for r in route.results if r.outcome == FAILED]
    if failures:
        lines += ["", "## Failures", "",
                  "| client / route | step | command | client error | request | azemu's answer |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for route, group in same_answer_runs(failures):
            r = group[0]
            pairs = [request_line(e) for e in r.requests] or [("(no request)", "")]
            command = r.step.command + (f" ({r.step.note})" if r.step.note else "")
            if len(group) > 1:
                command += f"; and {len(group) - 1} more steps, the same answer"
            number = r.step.number if len(group) == 1 else f"{r.step.number}-{group[-1].step.number}"
            for i, (request, answer) in enumerate(pairs):
                first = i == 0
                lines.append(f"| {route.name if first else ''} | {number if first else ''} "
                             f"| {cell(command) if first else ''} | {cell(r.error) if first else ''} "
                             f"| {cell(request)} | {cell(answer)} |")
    if spec_violations:
        lines += ["", "## Answers against the REST specs (emulator/azemu_specs: fix azemu, or list the class in known.py)",
                  "", "| client / route | violation |", "| --- | --- |"]
        lines += [f"| {name} | {cell(text)} |" for name, text in spec_violations]
    bugs = [(route, r) for route in routes for r in route.results if r.outcome == CLIENT_BUG]
    if bugs:
        lines += ["", "## Client bugs (the client's own, on any server: conformance/client_bugs.py)", "",
                  "| client / route | step | command | why |", "| --- | --- | --- | --- |"]
        lines += [f"| {route.name} | {r.step.number} | {cell(r.step.command)} | {short(r.error, 900)} |"
                  for route, r in bugs]
    checks = [(route, r) for route in routes for r in route.results if r.outcome == PASSED and r.detail]
    if checks:
        lines += ["", "## What the checks saw", ""]
        lines += [f"- {route.name}, {r.step.command}: {r.detail}" for route, r in checks]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"
