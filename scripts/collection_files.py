#!/usr/bin/env python3
"""Print the files that make up the collection, one per line, relative to the repo root.

The files git knows (tracked, plus untracked ones that .gitignore does not hide, so that
uncommitted work counts too), less what galaxy.yml's build_ignore keeps out of the built
collection. `make sanity` copies exactly these into a tree ansible-test can work on.
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def ignored(path: str, patterns: list[str]) -> bool:
    """Match like ansible-galaxy's build: a pattern hits the file or any folder above it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes for pattern in patterns)


def main() -> int:
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    patterns = galaxy.get("build_ignore") or []
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    files = sorted({name for name in listing.split("\0") if name})
    for name in files:
        # A tracked file deleted in the work tree is still in git's index: skip it.
        if (ROOT / name).is_file() and not ignored(name, patterns):
            print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
