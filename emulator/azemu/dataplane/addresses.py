"""Where the data plane listens on this machine.

Public IPs already are loopback addresses (providers/network/addresses.py: 127.224.0.0/16).
Backends need their own: a VM's private IP (10.0.0.4) is what Azure reports and what NSG rules
see, but every VNet may reuse it, so each NIC ip configuration also gets a loopback address
from 127.128.0.0/10, where its VM's app listens and where probes and flows are sent. Each
azemu state dir takes a random /22 block of that range, so several azemu processes on one
machine do not collide; the block and the addresses handed out are kept in
`dataplane.json` in the state dir, so an address is stable across restarts.

Ports below 1024 need privileges: when azemu may not bind one (not root, and below the
kernel's `ip_unprivileged_port_start`), it listens on `port + port_offset` instead.
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
from functools import cache
from pathlib import Path

BACKEND_SPACE = ipaddress.ip_network("127.128.0.0/10")
BLOCK_PREFIX = 22
STATE_FILE = "dataplane.json"


class BackendAddresses:
    """The loopback address of each NIC ip configuration (keyed by its id, any casing)."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / STATE_FILE
        data = self._load()
        self.block = ipaddress.ip_network(data["block"]) if "block" in data else _random_block()
        self.assigned: dict[str, str] = dict(data.get("addresses", {}))
        if "block" not in data:
            self._save()

    def address(self, ipconfig_id: str) -> str:
        """The address of `ipconfig_id`, handing out the lowest free one on first use."""
        key = ipconfig_id.lower()
        if key not in self.assigned:
            self.assigned[key] = self._free()
            self._save()
        return self.assigned[key]

    def replace(self, ipconfig_id: str) -> str:
        """A new address for `ipconfig_id`: its old one turned out to be taken by another process."""
        key = ipconfig_id.lower()
        old = self.assigned.get(key)
        self.assigned[key] = self._free(avoid=old)
        self._save()
        return self.assigned[key]

    def keep_only(self, ipconfig_ids: set[str]) -> None:
        """Forget the addresses of ip configurations that no longer exist."""
        keep = {i.lower() for i in ipconfig_ids}
        gone = [k for k in self.assigned if k not in keep]
        for key in gone:
            del self.assigned[key]
        if gone:
            self._save()

    def _free(self, avoid: str | None = None) -> str:
        taken = set(self.assigned.values()) | {avoid}
        for host in self.block.hosts():
            text = str(host)
            if text not in taken and int(host) % 256 not in (0, 255):
                return text
        raise RuntimeError(f"no free backend address left in {self.block}")

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(json.dumps({"block": str(self.block), "addresses": self.assigned}, indent=1))
        tmp.replace(self.path)


def _random_block() -> ipaddress.IPv4Network:
    blocks = 2 ** (BLOCK_PREFIX - BACKEND_SPACE.prefixlen)
    index = random.SystemRandom().randrange(blocks)
    first = int(BACKEND_SPACE.network_address) + index * 2 ** (32 - BLOCK_PREFIX)
    return ipaddress.ip_network(f"{ipaddress.ip_address(first)}/{BLOCK_PREFIX}")


def listen_port(port: int, offset: int) -> int:
    """The port azemu binds for an emulated `port` (the same one whenever it may)."""
    if port >= _unprivileged_start() or os.geteuid() == 0:
        return port
    return port + offset


@cache
def _unprivileged_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return 1024
