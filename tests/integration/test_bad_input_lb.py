"""Bad input refused before any write (bad_input_cases.py), for the modules of load balancers,
their probes and rules: one playbook, every case a task, and azemu's request log showing no
write. One file per group of modules, so that pytest-xdist runs them side by side."""

from __future__ import annotations

from bad_input_cases import lb_cases, refused


def test_refused_before_any_write(run_playbook, azemu, sdk):
    refused(run_playbook, azemu, sdk, lb_cases(), "lb", lb=True)
