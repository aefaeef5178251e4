"""Bad input refused before any write (bad_input_cases.py), for the modules of resource groups,
public IPs and virtual networks: one playbook, every case a task, and azemu's request log showing
no write. One file per group of modules, so that pytest-xdist runs them side by side."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from bad_input_cases import compute_cases, lb_cases, lb_member_cases, network_cases, refused, security_cases

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_refused_before_any_write(run_playbook, azemu, sdk):
    refused(run_playbook, azemu, sdk, network_cases(), "network")


def test_the_table_has_300_cases_over_every_module():
    """Every module of the collection (meta/runtime.yml's action group) has cases."""
    tables = (network_cases(), security_cases(), lb_cases(), lb_member_cases(), compute_cases())
    counts = Counter(module for cases in tables for module, _options, _words in cases)
    modules = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))["action_groups"]["azure"]
    print(f"\n[bad input] {sum(counts.values())} cases over {len(counts)} modules: {dict(sorted(counts.items()))}")
    assert sorted(counts) == sorted(modules)
    assert sum(counts.values()) >= 300
