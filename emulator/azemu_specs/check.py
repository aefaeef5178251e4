"""Check what azemu answered (a capture file, see `azemu/capture.py`) against the specs.

Per ARM response:
- route: the spec operation serving it (`index.py`); else an entry of `known.NO_SPEC` (counted,
  not validated); else, answered with an error status, a route Azure does not have either (its
  body must be ARM's error envelope); else a `no-spec` violation;
- status: one the operation documents; an error status may use `default` (the error schema);
- body: valid against that response's schema (`schema.py`); a body where the spec documents
  none, or none where it documents one (except HEAD), is a violation;
- long-running operations (`x-ms-long-running-operation`): a 202, or a 200/201 whose
  provisioningState is not terminal, carries `Azure-AsyncOperation` or `Location` (the one
  `final-state-via` names when it names one), as absolute URLs, with an integer `Retry-After`;
  operations the spec makes synchronous carry neither.

Violations that `known.KNOWN_VIOLATIONS` lists are counted apart: they do not fail a session.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from jsonschema.exceptions import best_match

from .index import Operation, SpecIndex
from .known import KNOWN_VIOLATIONS, NO_SPEC, Known, NoSpec
from .schema import SchemaSet

TERMINAL = {"succeeded", "failed", "canceled"}
NO_ROUTE = "routes with no spec here that azemu refused with an ARM error (body checked for the envelope)"
ASYNC_HEADERS = ("Azure-AsyncOperation", "Location")


@dataclass(frozen=True)
class Violation:
    kind: str          # no-spec | status | body | lro-header | content-type | a schema keyword
    operation: str     # operationId, or "(no spec)"
    method: str
    path: str          # the request path (one example of the class)
    status: int
    pointer: str       # JSON pointer into the body (array indices as *), "header:NAME", or ""
    message: str

    @property
    def key(self) -> tuple:
        return (self.operation, self.method, self.status, self.kind, self.pointer, self.message)

    def __str__(self) -> str:
        return (f"{self.operation} ({self.method} {self.path} -> {self.status}) "
                f"{self.pointer or '(response)'}: [{self.kind}] {self.message}")


@dataclass
class Report:
    """What one or more captures held, and what the check found."""
    responses: int = 0
    validated: Counter = field(default_factory=Counter)          # operationId -> responses
    no_spec: Counter = field(default_factory=Counter)            # NoSpec.what -> responses
    violations: dict[tuple, tuple[Violation, int]] = field(default_factory=dict)   # unexpected
    expected: Counter = field(default_factory=Counter)           # Known -> violations it covered
    stand_ins: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.violations)

    def add(self, violation: Violation, known: Iterable[Known]) -> None:
        entry = next((k for k in known if k.matches(violation)), None)
        if entry is None:
            old = self.violations.get(violation.key)
            self.violations[violation.key] = (violation, (old[1] if old else 0) + 1)
        else:
            self.expected[entry] += 1

    def merge(self, other: "Report") -> None:
        self.responses += other.responses
        self.validated.update(other.validated)
        self.no_spec.update(other.no_spec)
        self.stand_ins.update(other.stand_ins)
        self.seconds += other.seconds
        for key, (v, n) in other.violations.items():
            self.violations[key] = (v, self.violations.get(key, (v, 0))[1] + n)
        self.expected.update(other.expected)

    def summary(self, label: str = "") -> list[str]:
        validated = sum(self.validated.values())
        lines = [f"azemu spec check{f' ({label})' if label else ''}: {self.responses} ARM responses, "
                 f"{validated} validated against {len(self.validated)} spec operations, "
                 f"{sum(self.no_spec.values())} on routes with no spec here; "
                 f"{len(self.violations)} violations, {len(self.expected)} known classes ({self.seconds:.2f} s)"]
        lines += [f"  no spec: {what}: {n}" for what, n in sorted(self.no_spec.items())]
        if self.stand_ins:
            lines.append("  stand-ins (refs into files not in the reference, accepted unchecked): " +
                         ", ".join(f"{ref} x{n}" for ref, n in self.stand_ins.most_common()))
        lines += [f"  known ({'Azure answers so' if k.evidence or k.source else 'to fix, or to prove'}, x{n}): "
                  f"[{k.kind}] {k.reason}"
                  for k, n in self.expected.items()]
        lines += [f"  VIOLATION: {v} (x{n})" for v, n in self.violations.values()]
        return lines

    def failure(self, label: str = "") -> str:
        return "\n".join([f"azemu answered against Azure's REST specs{f' ({label})' if label else ''}:",
                          *(f"  {v} (x{n})" for v, n in self.violations.values()),
                          "Fix azemu, or, if another change owns the fix, list the class in "
                          "emulator/azemu_specs/known.py with its reason and a reproducer in "
                          "emulator/tests/test_spec_check.py."])


class SpecChecker:
    def __init__(self, reference: Path, *, known: tuple[Known, ...] = KNOWN_VIOLATIONS,
                 no_spec: tuple[NoSpec, ...] = NO_SPEC):
        self.index = SpecIndex(Path(reference) / "specs")
        self.schemas = SchemaSet(self.index)
        self.known = known
        self.no_spec = no_spec
        # (operation, status key, body text) -> its schema violations: the same body (a GET
        # repeated without a write between) is validated once.
        self._seen: dict[tuple[str, str, str, str], list[tuple[str, str, str]]] = {}

    def check_capture(self, path: Path, offset: int = 0) -> tuple[Report, int]:
        """Check the lines of a capture file from byte `offset`; (report, offset after them)."""
        started = time.monotonic()
        report = Report()
        before = Counter(self.schemas.stand_ins)
        with open(path, "rb") as f:
            f.seek(offset)
            for raw in f:
                if not raw.endswith(b"\n"):      # a line azemu is still writing
                    break
                offset += len(raw)
                self.check_entry(json.loads(raw), report)
        report.stand_ins = self.schemas.stand_ins - before
        report.seconds = time.monotonic() - started
        return report, offset

    def check_entry(self, entry: dict[str, Any], report: Report) -> None:
        report.responses += 1
        op = self.index.match(entry["method"], entry["path"], entry.get("query", ""))
        if op is None:
            listed = next((n for n in self.no_spec if n.matches(entry["path"])), None)
            if listed is not None:
                report.no_spec[listed.what] += 1
            elif entry["status"] >= 400:     # no such route, and azemu said so: in ARM's error envelope?
                report.no_spec[NO_ROUTE] += 1
                if not _is_arm_error(entry.get("body")):
                    report.add(_violation(entry, "(no route)", "body", "", "an error without ARM's "
                                          '{"error": {"code", "message"}} envelope'), self.known)
            else:
                report.add(_violation(entry, "(no spec)", "no-spec", "", "no spec operation serves this ARM route, "
                                      "and it is not on azemu_specs.known.NO_SPEC"), self.known)
            return
        report.validated[op.id] += 1
        for violation in self.violations(op, entry):
            report.add(violation, self.known)

    def violations(self, op: Operation, entry: dict[str, Any]) -> list[Violation]:
        status = entry["status"]
        key = str(status) if str(status) in op.responses else "default" if status >= 400 else None
        if key not in op.responses:
            documented = ", ".join(sorted(op.responses))
            return [_violation(entry, op.id, "status", "", f"{status} is not a status {op.id} documents ({documented})")]
        return self._body(op, key, entry) + self._headers(op, entry)

    def _body(self, op: Operation, key: str, entry: dict[str, Any]) -> list[Violation]:
        if "body_text" in entry:
            return [_violation(entry, op.id, "body", "", "the body is not JSON")]
        body = entry.get("body")
        validator = self.schemas.validator(op, key)
        if validator is None:
            return [] if body is None else [_violation(entry, op.id, "body", "", "a body where the spec documents none")]
        if body is None:
            # ARM's 202 and 204 carry no body even where a spec gives them a schema (the
            # LoadBalancerHealth example's 202 has none); HEAD never has one.
            return [] if entry["method"] == "HEAD" or entry["status"] in (202, 204) else [
                _violation(entry, op.id, "body", "", f"no body; the spec documents one for {key}")]
        seen = (op.file, op.id, key, json.dumps(body))
        if seen not in self._seen:
            if len(self._seen) > 20000:
                self._seen.clear()
            self._seen[seen] = [(e.validator, _pointer(e.absolute_path), _message(e))
                                for e in map(_deepest, validator.iter_errors(body))]
        found = [_violation(entry, op.id, *v) for v in self._seen[seen]]
        if "json" not in _header(entry, "Content-Type").lower():
            found.append(_violation(entry, op.id, "content-type", "header:Content-Type",
                                    f"{_header(entry, 'Content-Type')!r} for a JSON body"))
        return found

    def _headers(self, op: Operation, entry: dict[str, Any]) -> list[Violation]:
        status = entry["status"]
        present = [h for h in ASYNC_HEADERS if _header(entry, h)]
        if not op.long_running:
            if present and status < 300:
                return [_violation(entry, op.id, "lro-header", f"header:{present[0]}",
                                   f"{', '.join(present)} on an operation the spec makes synchronous")]
            return []
        body = entry.get("body")
        state = body.get("properties", {}).get("provisioningState") if isinstance(body, dict) and \
            isinstance(body.get("properties"), dict) else None
        started = status == 202 or (status in (200, 201) and (bool(present) or (
            isinstance(state, str) and state.lower() not in TERMINAL)))
        if not started:
            return []
        found = []
        wanted = {"location": "Location", "azure-async-operation": "Azure-AsyncOperation"}.get(op.final_state_via or "")
        if not present:
            found.append(_violation(entry, op.id, "lro-header", "header:Azure-AsyncOperation",
                                    f"a running long-running operation ({status}, provisioningState {state}) "
                                    "without Azure-AsyncOperation or Location"))
        # final-state-via names what the client polls last: the Location of a 202 (DELETE,
        # POST), or the Azure-AsyncOperation of a PUT's 200/201.
        elif wanted and wanted not in present and (wanted == "Location") == (status == 202):
            found.append(_violation(entry, op.id, "lro-header", f"header:{wanted}",
                                    f"no {wanted}, which final-state-via '{op.final_state_via}' polls"))
        for name in present:
            url = urlsplit(_header(entry, name))
            if url.scheme != "https" or not url.netloc:
                found.append(_violation(entry, op.id, "lro-header", f"header:{name}", "not an absolute https URL"))
        if present and not re.fullmatch(r"\d+", _header(entry, "Retry-After")):
            found.append(_violation(entry, op.id, "lro-header", "header:Retry-After",
                                    f"Retry-After {_header(entry, 'Retry-After')!r} is not an integer of seconds"))
        return found


def _header(entry: dict[str, Any], name: str) -> str:
    return next((v for k, v in entry.get("headers", {}).items() if k.lower() == name.lower()), "")


def _is_arm_error(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)


def _violation(entry: dict[str, Any], op: str, kind: str, pointer: str, message: str) -> Violation:
    return Violation(kind, op, entry["method"], entry["path"], entry["status"], pointer, message)


def _deepest(error):
    """The most specific error inside an anyOf (a nullable $ref), not 'not valid under any'."""
    while error.validator == "anyOf" and error.context:
        inner = best_match(e for e in error.context if e.validator != "type" or e.validator_value != "null")
        if inner is None:
            break
        error = inner
    return error


def _pointer(path) -> str:
    return "".join("/*" if isinstance(p, int) else "/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _message(error) -> str:
    if error.validator == "type":
        return f"{json.dumps(error.instance)[:80]} is not of type {error.validator_value!r}"
    return error.message if len(error.message) <= 200 else error.message[:200] + "..."
