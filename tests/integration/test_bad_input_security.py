"""Bad input refused before any write (bad_input_cases.py), for the modules of
security groups and rules: one playbook, every case a task, and azemu's request log showing no
write. One file per group of modules, so that pytest-xdist runs them side by side."""

from __future__ import annotations

from bad_input_cases import security_cases, refused


def test_refused_before_any_write(run_playbook, azemu, sdk):
    refused(run_playbook, azemu, sdk, security_cases(), "security")
