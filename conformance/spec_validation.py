"""The hook for validating every response azemu gave during the run against the operation's
response schema in the REST specs (`../shared/azure-reference/specs`, issue 10).

The validator itself is the `specs` work (azemu capturing its responses, matched to their
operation's schema). Until it lands in azemu, `validate` says so in the table's notes; once it
does, it is called here with each route's azemu state dir and its findings join the notes.
"""

from __future__ import annotations

import importlib
from pathlib import Path

# Where the validator is expected: a function `validate_state_dir(state_dir) -> list[str]`
# returning one line per response that does not match its schema.
VALIDATOR = ("azemu.spec_validation", "validate_state_dir")


def validate(state_dirs: list[Path]) -> list[str]:
    """Notes for the table: each mismatch found, or why nothing was validated."""
    module_name, function_name = VALIDATOR
    try:
        check = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError):
        return [f"spec validation of the responses: not run (no {module_name}.{function_name} in this azemu)"]
    notes = []
    for state_dir in state_dirs:
        problems = check(state_dir)
        notes += [f"spec: {state_dir.parent.name}: {p}" for p in problems]
        if not problems:
            notes.append(f"spec: {state_dir.parent.name}: every response matches its schema")
    return notes
