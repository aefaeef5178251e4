"""Where Azure's reference material is: `$AZURE_REFERENCE_DIR`, else `../shared/azure-reference`
next to the repository. It is never copied into the project; where it is absent (a user's
clone) the checks that need it are skipped, saying so."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def candidate() -> Path:
    env = os.environ.get("AZURE_REFERENCE_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "azure-reference"


def reference_dir(part: str = "specs") -> Path | None:
    """The reference folder if it holds `part` ("specs", "recordings"), else None."""
    path = candidate()
    return path if (path / part).is_dir() else None


def absent(part: str = "specs") -> str:
    return (f"Azure reference material not found at {candidate()} (no {part}/); "
            f"set AZURE_REFERENCE_DIR to compare azemu with it")
