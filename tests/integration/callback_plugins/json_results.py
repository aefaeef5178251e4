# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only stdout callback: every task result, with its duration, as one JSON document.

ansible-core has no JSON stdout callback of its own, so the integration tests bring this one
(ANSIBLE_CALLBACK_PLUGINS=tests/integration/callback_plugins). The document goes to the file
named by CLOUDLB_TEST_RESULTS, or to stdout.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: json_results
type: stdout
short_description: Task results as one JSON document, for the integration tests
description:
  - Records each task result (with C(diff), C(invocation), the name of its play, the task's
    duration in seconds and when it started and ended, in seconds since the epoch as azemu's request log has them) and
    writes them, with the play recap, as one JSON document when the playbook ends.
author:
  - cloudlb contributors (@cloudlb)
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "json_results"

    def __init__(self):
        super().__init__()
        self._tasks = []
        self._started = {}
        self._play = None

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def v2_runner_on_start(self, host, task):
        self._started[(host.name, task._uuid)] = (time.monotonic(), time.time())

    def _record(self, result, status):
        raw = result._result
        shown = self._dump_results(raw, keep_invocation=True, serialize=False)
        for key in ("diff", "exception", "warnings", "deprecations"):
            if key in raw:
                shown[key] = raw[key]
        started, started_at = self._started.pop((result._host.name, result._task._uuid), (None, None))
        self._tasks.append(
            {
                "name": result._task.get_name(),
                "play": self._play,
                "action": result._task.action,
                "host": result._host.name,
                "status": status,
                "duration": round(time.monotonic() - started, 3) if started is not None else None,
                "started": started_at,
                "ended": time.time(),
                "result": shown,
            }
        )

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        document = {
            "tasks": self._tasks,
            "stats": {host: stats.summarize(host) for host in sorted(stats.processed)},
        }
        text = json.dumps(document, default=str, ensure_ascii=False)
        path = os.environ.get("CLOUDLB_TEST_RESULTS")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self._display.display(text)
