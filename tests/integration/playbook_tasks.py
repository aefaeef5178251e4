"""Task keywords for tests that check several behaviours in one playbook: a task in check mode
or diff mode, as `--check` or `--diff` would run the whole playbook."""

from __future__ import annotations


def check(task):
    return dict(task, check_mode=True)


def with_diff(task):
    return dict(task, diff=True)


def may_fail(task):
    """A task whose failure the test checks (PlaybookRun.record(name)["status"]); the play goes on."""
    return dict(task, ignore_errors=True)
