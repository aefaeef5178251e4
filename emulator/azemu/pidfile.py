"""azemu.json, azemu's pid file: it says which process serves a state dir and how to reach it
(the keys docs/contract.md lists). Written by the server, read by `azemu env | stop`, by
azemu.testing and by a second `azemu serve` on the same state dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

INFO_FILE = "azemu.json"


def read_info(state_dir: Path) -> dict | None:
    try:
        return json.loads((state_dir / INFO_FILE).read_text())
    except (OSError, ValueError):
        return None


def write_info(state_dir: Path, data: dict) -> None:
    path = state_dir / INFO_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.touch(mode=0o600)      # it holds the client secret
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


def remove_own_info(state_dir: Path) -> None:
    """Delete azemu.json if this process wrote it (a later azemu may have taken the dir over)."""
    path = state_dir / INFO_FILE
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def running_pid(info_path: Path, pid: int | None = None) -> int | None:
    """The pid in azemu.json (or `pid`, once azemu.json is gone) if that process is alive and
    is not us, else None."""
    if pid is None:
        try:
            pid = int(json.loads(info_path.read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    try:   # an exited child its parent has not reaped yet is not running
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return None
    except (OSError, IndexError):
        pass
    return pid
