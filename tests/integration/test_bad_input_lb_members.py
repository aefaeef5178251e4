"""Bad input refused before any write (bad_input_cases.py), for the modules of
backend pool members, backend addresses, drains, health and network tags: one playbook, every case a
task, and azemu's request log showing no write. One file per group of modules, so that
pytest-xdist runs them side by side."""

from __future__ import annotations

from bad_input_cases import lb_member_cases, refused


def test_refused_before_any_write(run_playbook, azemu, sdk):
    refused(run_playbook, azemu, sdk, lb_member_cases(), "lb-members", lb=True)
