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


def assert_unchanged(run, writes, *names):
    """Each task called one of ``names`` reported no change and made none of ``writes``
    (azemu's write log since before the run): the idempotence check of a life cycle."""
    for name in names:
        assert not run.task(name)["changed"], (name, run.task(name))
        assert run.during(name, writes) == [], name


def delete_steps(task, *args):
    """The end of a life cycle, for ``task(*args, task_name, **options)``: predict the delete
    (check and diff mode), delete, delete again."""
    return [check(with_diff(task(*args, "predict delete", state="absent"))), task(*args, "delete", state="absent"),
            task(*args, "delete again", state="absent")]
