"""Make ``ansible_collections.cloudlb.azure`` importable for the unit tests.

pytest-ansible does it when pytest starts in the repository root (it reads galaxy.yml and
links the collection under ./collections). Started from anywhere else, this links the
repository into a temporary collections root and installs Ansible's collection finder on it.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _importable():
    try:
        importlib.import_module("ansible_collections.cloudlb.azure.plugins.module_utils._auth")
    except ImportError:
        return False
    return True


def _link_collection():
    root = Path(tempfile.mkdtemp(prefix="cloudlb-azure-unit-"))
    namespace = root / "ansible_collections" / "cloudlb"
    namespace.mkdir(parents=True)
    (namespace / "azure").symlink_to(REPO_ROOT, target_is_directory=True)
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    for name in [name for name in sys.modules if name == "ansible_collections" or name.startswith("ansible_collections.")]:
        del sys.modules[name]
    paths = [str(root)] + [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p]
    _AnsibleCollectionFinder(paths=paths)._install()


if not _importable():
    _link_collection()
