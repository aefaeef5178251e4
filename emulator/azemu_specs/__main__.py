"""`python -m azemu_specs check CAPTURE...`: validate azemu capture files against the specs.

Prints the coverage summary and every violation; exits 1 when there are violations not in
`known.KNOWN_VIOLATIONS`, 0 otherwise, and 0 with one message when the reference is absent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .check import Report, SpecChecker
from .location import absent, reference_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m azemu_specs")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate capture files (azemu serve --capture-responses)")
    check.add_argument("captures", nargs="+", type=Path)
    check.add_argument("--label", default="", help="what the capture is of, for the summary")
    args = parser.parse_args(argv)
    reference = reference_dir()
    if reference is None:
        print(f"azemu spec check skipped: {absent()}", file=sys.stderr)
        return 0
    checker = SpecChecker(reference)
    report = Report()
    for capture in args.captures:
        if capture.exists():
            report.merge(checker.check_capture(capture)[0])
    print("\n".join(report.summary(args.label)))
    if report.failed:
        print(report.failure(args.label), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
