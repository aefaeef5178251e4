"""Unpack one collection from the community `ansible` package's wheel into a collections root:
`python unpack_collection.py WHEEL DEST azure.azcollection` -> DEST/ansible_collections/azure/azcollection."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path


def main(wheel: str, dest: str, fqcn: str) -> None:
    prefix = "ansible_collections/{}/{}/".format(*fqcn.split("."))
    with zipfile.ZipFile(wheel) as archive:
        members = [n for n in archive.namelist() if n.startswith(prefix)]
        if not members:
            sys.exit(f"{wheel} has no {fqcn}")
        archive.extractall(Path(dest), members)


if __name__ == "__main__":
    main(*sys.argv[1:])
