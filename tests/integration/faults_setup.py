"""What the fault tests share (issue 11, emulator/README.md "Faults"): an azemu of a test file's
own, so that its faults reach no other test; the bad day; and the figures each run prints.

The root conftest registers this module as a plugin, so its fixtures need no import.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

TIME_SCALE = 30
WRITES = ["PUT", "PATCH", "POST", "DELETE"]
# 10% of ARM's answers throttled, 5% failed, 2% of writes answered by a connection dropped
# after the write took effect.
BAD_DAY = [
    {"status": 429, "share": 0.1},
    {"status": 500, "share": 0.05},
    {"drop": "after", "share": 0.02, "method": WRITES},
]


@pytest.fixture(scope="module")
def fault_azemu(tmp_path_factory):
    """An azemu for the test file alone."""
    from azemu.testing import Azemu

    with Azemu(tmp_path_factory.mktemp("azemu-faults"), time_scale=TIME_SCALE) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def fault_env(fault_azemu, base_env):
    """The environment of a playbook run against that azemu."""
    return dict(base_env, **fault_azemu.env())


def figures(emu, mark):
    """What azemu saw since ``mark``: ARM requests, writes, faults by kind, and how many of the
    faulted requests were sent again (the same method and path later on)."""
    seen = [r for r in emu.requests(since=mark) if r["kind"] == "arm"]
    faulted = [i for i, r in enumerate(seen) if r.get("fault")]
    retried = sum(1 for i in faulted if any((r["method"], r["path"]) == (seen[i]["method"], seen[i]["path"])
                                            for r in seen[i + 1:]))
    return {"requests": len(seen), "writes": sum(1 for r in seen if r["write"]),
            "faults": dict(Counter(":".join(seen[i]["fault"].split(":")[:2]) for i in faulted)),
            "sent_again": retried}


def report(what, numbers):
    print(f"\n[faults] {what}: {json.dumps(numbers, sort_keys=True)}")


def seed_hitting_once(count, share, limit=1_000_000):
    """A seed under which each of ``count`` fault rules of ``share`` hits the first request it
    matches and spares the second (azemu draws ``Random(f"{seed}/{index}")`` per rule, once per
    matching request): the first try fails, the second gets through."""
    for seed in range(limit):
        draws = [random.Random(f"{seed}/{index}") for index in range(count)]
        if all(rng.random() < share <= rng.random() for rng in draws):
            return seed
    raise AssertionError("no seed found")
