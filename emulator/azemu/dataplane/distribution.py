"""Which backend a new flow goes to: Azure Load Balancer's hash-based distribution.

The rule's `loadDistribution` picks the fields hashed: `Default` the 5-tuple (source IP and
port, destination IP and port, protocol), `SourceIP` the 2-tuple (source and destination
IP), `SourceIPProtocol` the 3-tuple (plus protocol). Among the backends allowed to take new
flows, the one with the highest hash of (tuple, backend) wins (rendezvous hashing): the same
tuple always lands on the same backend while the set is unchanged, and a backend leaving or
joining moves only the tuples that were or become its own.
"""

from __future__ import annotations

import hashlib
from typing import Sequence


def flow_key(mode: str | None, source: str, source_port: int, destination: str, destination_port: int,
             protocol: str = "Tcp") -> str:
    mode = (mode or "Default").lower()
    if mode == "sourceip":
        fields = (source, destination)
    elif mode == "sourceipprotocol":
        fields = (source, destination, protocol)
    else:
        fields = (source, str(source_port), destination, str(destination_port), protocol)
    return "|".join(f.lower() for f in fields)


def choose(key: str, backends: Sequence[str]) -> str | None:
    """The backend (by id) that takes the flow `key`; None when there is none."""
    if not backends:
        return None
    return max(backends, key=lambda backend: _weight(key, backend.lower()))


def _weight(key: str, backend: str) -> int:
    digest = hashlib.blake2b(f"{key}#{backend}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
