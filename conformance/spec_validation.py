"""Every response azemu gave during a route, checked against the operation's response schema in
the REST specs (`../shared/azure-reference/specs`, issue 10).

The check is azemu's own spec check (emulator/README.md, "Spec check"): `azemu.testing.Azemu`
captures every ARM response and validates the capture when it stops, with the same known
classes (`emulator/azemu_specs/known.py`) as `make test`. A violation it does not list fails the
run as a failed step does; the table lists each one.
"""

from __future__ import annotations

from azemu_specs.session import SpecViolations

from results import RouteResult


def stop_and_check(emu, result: RouteResult) -> None:
    """Stop the route's azemu; its spec report (or why there is none) goes to `result`."""
    try:
        emu.stop()
    except SpecViolations:
        pass                 # the report holds them; the table shows them
    result.spec = emu.spec_report
    if result.spec is None:
        result.spec_skipped = "not checked: the Azure reference (../shared/azure-reference/specs) is absent"


def violations(routes: list[RouteResult]) -> list[tuple[str, str]]:
    """(route, violation) for every response against the specs that known.py does not list."""
    return [(route.name, f"{v} (x{n})") for route in routes if route.spec
            for v, n in route.spec.violations.values()]


def notes(routes: list[RouteResult]) -> list[str]:
    """One line per route (what was checked), then each known class met, once, with the routes."""
    lines, met = [], {}
    for route in routes:
        if route.spec is not None:
            lines.append(route.spec.summary(route.name)[0])
            for known in route.spec.expected:
                met.setdefault(known, []).append(route.name)
        elif route.spec_skipped:
            lines.append(f"azemu spec check ({route.name}): {route.spec_skipped}")
    lines += [f"known class (emulator/azemu_specs/known.py; {'Azure answers so' if k.evidence or k.source else 'to fix'}), "
              f"on {len(names)} routes: [{k.kind}] {k.reason}" for k, names in met.items()]
    return lines
