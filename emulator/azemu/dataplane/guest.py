"""What runs inside a VM, read from what the Compute provider keeps (virtual_machine.py):
`internal.power` (state, `boots` counted at each boot) and `internal.cloud_init.user_data`
(the decoded custom data, as cloud-init receives it).

A VM runs the tutorial's app when its cloud-init carries it: the custom data holds the app's
greeting (`Hello World from host`, as the tutorial's app.js and ours do). nginx listens where the
`listen` directives of the configuration the cloud-init writes say, on port 80 (nginx's default)
when there is none; the app answers a health route when its code has one (`'/healthz'`). The app answers once
the VM's power state is `running` (booting takes the Compute provider's `vm_boot_seconds`)
and stops as soon as it leaves it (stopping, deallocating, restarting).
"""

from __future__ import annotations

import re

from ..arm.context import Res

APP_MARKER = "hello world from host"
HEALTH_ROUTE = "/healthz"
# nginx's `listen [address:]port [options];`
LISTEN = re.compile(r"^\s*listen\s+(?:\S*:)?(\d+)[^;\n]*;", re.MULTILINE)


def power(vm: Res) -> dict:
    return vm.internal.get("power") or {}


def running(vm: Res) -> bool:
    return power(vm).get("state") == "running"


def boot_marker(vm: Res) -> str:
    """Changes at every boot, so a restart seen only after it finished still restarts the app."""
    return str(power(vm).get("boots", 0))


def user_data(vm: Res) -> str:
    return (vm.internal.get("cloud_init") or {}).get("user_data") or ""


def serves_app(vm: Res) -> bool:
    return APP_MARKER in user_data(vm).lower()


def app_ports(vm: Res) -> tuple[int, ...]:
    return tuple(sorted({int(port) for port in LISTEN.findall(user_data(vm))})) or (80,)


def health_path(vm: Res) -> str | None:
    return HEALTH_ROUTE if f"'{HEALTH_ROUTE}'" in user_data(vm) else None
