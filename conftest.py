"""Make `cloudlb.azure` resolvable for every test, however pytest is started.

The collection is the repository root; `make setup` links it as
.venv/collections/ansible_collections/cloudlb/azure (this file does too, if the link is
missing). That collections root goes first in ANSIBLE_COLLECTIONS_PATH, so every
`ansible-playbook` a test starts finds this working tree from any working directory, and
Ansible's collection finder is installed on it at once, so `ansible_collections.cloudlb.azure`
imports even in conftest files that pytest loads before its plugins are configured.
pytest-ansible (pytest.ini: --ansible-unit-inject-only) then reuses the same path instead of
building its own ./collections link farm in the repository.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

ROOT = Path(__file__).resolve().parent
COLLECTIONS = ROOT / ".venv" / "collections"

_link = COLLECTIONS / "ansible_collections" / "cloudlb" / "azure"
if not _link.is_symlink():
    _link.parent.mkdir(parents=True, exist_ok=True)
    _link.symlink_to(Path("..", "..", "..", ".."), target_is_directory=True)

_paths = [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
if str(COLLECTIONS) not in _paths:
    _paths.insert(0, str(COLLECTIONS))
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join(_paths)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
_AnsibleCollectionFinder(paths=_paths)._install()  # pylint: disable=protected-access

# Fixtures shared by several integration test files (tests/integration is on pythonpath, see
# pytest.ini): registered as plugins so test files need not import fixtures by name.
pytest_plugins = ["lb_setup", "compute_setup", "rolling_setup", "faults_setup"]


def pytest_collection_modifyitems(items):
    """The long test files first: `make pytest` hands whole files to its two workers
    (`--dist loadfile`, so a file's tests, which may build on each other, stay on one worker) in
    collection order (`--no-loadscope-reorder`); a long file started last would keep one worker
    busy while the other has nothing left to do. A file says it is long with `RUN_FIRST = True`.
    (pytest 9.2 ignores the `@group` suffix pytest-xdist 3.8 gives node ids, so `--dist loadgroup`
    no longer keeps a group together: each long rollout has a file of its own instead.)"""
    items.sort(key=lambda item: not getattr(getattr(item, "module", None), "RUN_FIRST", False))
