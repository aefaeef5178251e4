"""Shared fixtures: one azemu (with the example types of widgets.py) for the session, an
authenticated ARM client, unique resource group names, settings restored after each test."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from azemu.testing import Azemu
from armclient import Arm

TESTS_DIR = Path(__file__).resolve().parent


def plugin_env() -> dict[str, str]:
    """Lets `azemu serve --plugin widgets` import tests/widgets.py."""
    path = os.pathsep.join(p for p in (str(TESTS_DIR), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def start_azemu(state_dir: Path, **settings) -> Azemu:
    return Azemu(state_dir, plugins=["widgets"], extra_env=plugin_env(), **settings).start()


@pytest.fixture(scope="session")
def emu(tmp_path_factory):
    instance = start_azemu(tmp_path_factory.mktemp("azemu"))
    yield instance
    instance.stop()


@pytest.fixture
def settings(emu):
    """Change settings for one test; the session values come back afterwards."""
    before = emu.settings()
    yield emu.settings
    emu.settings(**before)


@pytest.fixture
def arm(emu) -> Arm:
    return Arm(emu)


@pytest.fixture
def rg(arm) -> str:
    """A fresh resource group (in westus) for one test."""
    name = f"rg-{uuid.uuid4().hex[:8]}"
    r = arm.put(f"/resourcegroups/{name}", {"location": "westus"}, api_version="2021-04-01")
    assert r.status == 201, r
    return name
