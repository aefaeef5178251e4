"""Runtime knobs: set by `azemu serve` flags, read and changed at `/_azemu/settings`.

Each field is one flag (`page_size` -> `--page-size`) and one key of the settings document.
All defaults keep azemu fast; none of them changes what a client sees except timing and
page sizes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Settings:
    latency: float = field(default=0.0, metadata={
        "help": "seconds a long-running operation stays InProgress; 0 = done at the first poll"})
    retry_after: int = field(default=1, metadata={
        "help": "Retry-After seconds sent with long-running operations (integer >= 1; a write answered "
                "while latency is 0 says 0: its operation is already over)"})
    latency_profile: str = field(default="none", metadata={
        "choices": ("none", "azure"),
        "help": "azure: operations take what Azure takes per resource type and operation, with the Retry-After "
                "of each resource provider (arm/latency.py lists the figures and their sources), instead of "
                "latency and retry_after"})
    latency_scale: float = field(default=1.0, metadata={
        "help": "multiplies the latency profile's durations and Retry-After (0.2: five times shorter; a "
                "Retry-After stays an integer >= 1)"})
    time_scale: float = field(default=1.0, metadata={
        "help": "emulated time runs this many times faster (probe intervals, boot times)"})
    page_size: int = field(default=100, metadata={"help": "items per page of list responses (nextLink)"})
    token_lifetime: int = field(default=3599, metadata={"help": "lifetime of issued access tokens, seconds"})
    vm_boot_seconds: float = field(default=0.0, metadata={
        "help": "emulated seconds a VM takes to boot (create, start, restart), scaled by time_scale"})
    stop_mode: str = field(default="graceful", metadata={
        "choices": ("graceful", "hard"),
        "help": "how a stopping VM's app ends its connections: graceful (in-flight requests finish, idle "
                "keep-alive connections close) or hard (all reset)"})
    pool_removal_flows: str = field(default="continue", metadata={
        "choices": ("continue", "reset"),
        "help": "established flows of a NIC removed from a backend pool: continue or reset (Azure does not say)"})
    port_offset: int = field(default=8000, metadata={
        "help": "added to data-plane ports below 1024 when azemu may not bind them (not root)"})

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial settings document; raises ValueError naming the bad key."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        parsed = {}
        for key, value in changes.items():
            if key not in fields:
                raise ValueError(f"unknown setting '{key}'")
            parsed[key] = coerce(key, fields[key].type, value, fields[key].metadata.get("choices"))
        for key, value in parsed.items():
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def real_seconds(self, emulated: float) -> float:
        """Wall-clock seconds for an emulated Azure duration (a 15 s probe interval, ...)."""
        return emulated / self.time_scale


def coerce(key: str, type_name: str, value: Any, choices: tuple[str, ...] | None = None) -> Any:
    if choices:
        if not isinstance(value, str) or value.lower() not in choices:
            raise ValueError(f"setting '{key}' must be one of {', '.join(choices)}")
        return value.lower()
    try:
        if type_name == "int":
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError
            result = int(float(value))
        else:
            if isinstance(value, bool):
                raise ValueError
            result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting '{key}' must be a{'n integer' if type_name == 'int' else ' number'}") from None
    minimum = {"retry_after": 1, "page_size": 1, "token_lifetime": 1}.get(key, 0)
    positive = key in ("time_scale", "latency_scale")
    if result < minimum or (positive and result == 0):
        raise ValueError(f"setting '{key}' must be {'>' if positive else '>='} {minimum}")
    return result


def fields_help() -> list[tuple[str, str, Any, str]]:
    """(name, type, default, help) for each setting, for the CLI and the README."""
    return [(f.name, f.type, f.default, f.metadata.get("help", "")) for f in dataclasses.fields(Settings)]
