"""azemu_specs: check azemu's answers against Azure's REST API specs, outside azemu.

azemu writes what it answered to a capture file (`azemu serve --capture-responses PATH`);
this package reads it in another process, so a checker bug can never change an answer:

    from azemu_specs import SpecChecker, reference_dir
    report, _ = SpecChecker(reference_dir()).check_capture(path)
    print("\\n".join(report.summary()))

or `python -m azemu_specs check PATH...`. `azemu.testing.Azemu` does it for every azemu the
tests start (see emulator/README.md, "Spec check"). The Swagger files come from the Azure
reference folder (`location.py`); without it the check is skipped with one message.
"""

from .check import Report, SpecChecker, Violation
from .location import absent, reference_dir

__all__ = ["Report", "SpecChecker", "Violation", "absent", "reference_dir"]
