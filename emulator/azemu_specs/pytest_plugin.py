"""pytest plugin (`-p azemu_specs.pytest_plugin`, set in pytest.ini): at the end of the run,
the spec check's coverage of every azemu the tests started (in every xdist worker), and the
reports other checks add with `add_summary` (the recording replays). Violations themselves
fail the tests where the azemu stopped (`Azemu.stop()` raises); this only reports.
"""

from __future__ import annotations

import pytest

from . import session as spec_session
from .check import Report, Violation
from .known import Known

KEY = "azemu_specs"
_lines: list[str] = []          # from add_summary, in this process
_collected: list[dict] = []     # from xdist workers, on the controller


def add_summary(*lines: str) -> None:
    """Lines for the end-of-run summary (a test's own report, e.g. a replay's)."""
    _lines.extend(lines)


def _document() -> dict:
    return {"reports": [(label, _dump(r)) for label, r in spec_session.reports], "lines": list(_lines)}


def pytest_sessionfinish(session, exitstatus) -> None:
    if hasattr(session.config, "workeroutput"):      # an xdist worker: hand it to the controller
        session.config.workeroutput[KEY] = _document()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    document = getattr(node, "workeroutput", {}).get(KEY)
    if document:
        _collected.append(document)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if hasattr(config, "workeroutput"):
        return
    documents = [_document(), *_collected]
    reports = [(label, _load(r)) for d in documents for label, r in d["reports"]]
    lines = [line for d in documents for line in d["lines"]]
    if not reports and not lines:
        return
    terminalreporter.section("azemu against Azure's specs and recordings")
    total = Report()
    for label, report in reports:
        total.merge(report)
        if report.failed:                # where they were: the tests of that azemu errored
            terminalreporter.write_line(report.summary(label)[0])
    if reports:
        for line in total.summary(f"{len(reports)} azemu instance{'s' if len(reports) > 1 else ''}"):
            terminalreporter.write_line(line)
    for line in sorted(lines):
        terminalreporter.write_line(line)


def _dump(report: Report) -> dict:
    return {"responses": report.responses, "validated": dict(report.validated), "no_spec": dict(report.no_spec),
            "stand_ins": dict(report.stand_ins), "seconds": report.seconds,
            "violations": [(list(v.__dict__.values()), n) for v, n in report.violations.values()],
            "expected": [(list(k.__dict__.values()), n) for k, n in report.expected.items()]}


def _load(doc: dict) -> Report:
    report = Report(responses=doc["responses"], seconds=doc["seconds"])
    report.validated.update(doc["validated"])
    report.no_spec.update(doc["no_spec"])
    report.stand_ins.update(doc["stand_ins"])
    for fields, n in doc["violations"]:
        v = Violation(*fields)
        report.violations[v.key] = (v, n)
    for known, n in doc["expected"]:
        report.expected[Known(*known)] += n
    return report
