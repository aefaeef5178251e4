"""Address arithmetic shared by the Microsoft.Network types: CIDR parsing, containment and
overlap, private IP allocation inside a subnet, and azemu's public IP pool.

Pure functions over `ipaddress`; the resource types gather the addresses in use from the store
and pass them in.

Azure rules followed here:
- a subnet reserves its first four addresses (network, gateway, two for DNS) and its last
  (broadcast), so the first address given to a NIC is `.4` and the last usable one is the
  second to last;
- an address prefix must be in CIDR form with no host bits set ("10.0.0.1/24" is refused).

Public IP addresses come from pools azemu owns, so that the data plane can listen on them:
IPv4 from 127.224.0.0/16 (loopback: on Linux every 127/8 address answers on `lo` without any
setup), IPv6 from the documentation range 2001:db8:a2e::/48 (not listenable; only reported).
"""

from __future__ import annotations

import ipaddress
import random
from typing import Iterable, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

RESERVED_AT_START = 4      # network address, default gateway, two Azure DNS addresses
RESERVED_AT_END = 1        # broadcast

PUBLIC_POOLS: dict[str, Network] = {
    "IPv4": ipaddress.ip_network("127.224.0.0/16"),
    "IPv6": ipaddress.ip_network("2001:db8:a2e::/48"),
}


class AddressError(ValueError):
    """A prefix or address that does not parse. `suggestion` is the prefix meant when only
    host bits were set ("10.0.0.1/24" -> 10.0.0.0/24), else None."""

    def __init__(self, message: str, suggestion: Network | None = None):
        super().__init__(message)
        self.suggestion = suggestion


def parse_prefix(text: object) -> Network:
    """`"10.0.0.0/24"` -> IPv4Network. Host bits set, a missing length or garbage raise."""
    if not isinstance(text, str) or "/" not in text:
        raise AddressError(f"'{text}' is not a valid CIDR address prefix (expected the form 10.0.0.0/24).")
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        try:
            fixed = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            raise AddressError(
                f"'{text}' is not a valid CIDR address prefix (expected the form 10.0.0.0/24).") from None
        raise AddressError(f"'{text}' has host bits set; the prefix would be {fixed}.", fixed) from None


def parse_address(text: object) -> Address:
    if not isinstance(text, str):
        raise AddressError(f"'{text}' is not a valid IP address.")
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise AddressError(f"'{text}' is not a valid IP address.") from None


def contains(outer: Network, inner: Network) -> bool:
    """Is `inner` entirely inside `outer` (same IP version)?"""
    return outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def within_any(spaces: Iterable[Network], inner: Network) -> bool:
    return any(contains(space, inner) for space in spaces)


def overlaps(a: Network, b: Network) -> bool:
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def first_overlap(prefixes: Iterable[Network]) -> tuple[Network, Network] | None:
    """The first pair of overlapping prefixes in the list, or None."""
    seen: list[Network] = []
    for net in prefixes:
        for other in seen:
            if overlaps(other, net):
                return other, net
        seen.append(net)
    return None


def usable_range(subnet: Network) -> tuple[Address, Address] | None:
    """(first, last) address a NIC may get in `subnet`; None when the subnet is too small
    (Azure's smallest IPv4 subnet is /29: 8 addresses, 3 usable)."""
    if subnet.num_addresses <= RESERVED_AT_START + RESERVED_AT_END:
        return None
    return subnet[RESERVED_AT_START], subnet[-1 - RESERVED_AT_END]


def allocate_private(subnet: Network, used: Iterable[str]) -> str | None:
    """The lowest free address of `subnet` from `.4` on; None when the subnet is full."""
    bounds = usable_range(subnet)
    if bounds is None:
        return None
    return _lowest_free(bounds[0], bounds[1], used)


# Every azemu process on a machine (parallel test runs, a demo) shares the pool and its data
# plane listens on the addresses: each process starts its search at its own random point.
_PUBLIC_START = random.SystemRandom().random()


def allocate_public(version: str, used: Iterable[str]) -> str | None:
    """A free address of azemu's public pool for "IPv4"/"IPv6", the lowest from this process's
    random starting point on (wrapping around); None when exhausted. Addresses ending in .0 or
    .255 are skipped: some tools treat them as network/broadcast."""
    pool = PUBLIC_POOLS[version]
    first, last = pool[1], pool[-2]
    start = first + int((int(last) - int(first)) * _PUBLIC_START)
    used = list(used)
    skip = pool.version == 4
    return _lowest_free(start, last, used, skip_edges=skip) or _lowest_free(first, start, used, skip_edges=skip)


def _lowest_free(first: Address, last: Address, used: Iterable[str], skip_edges: bool = False) -> str | None:
    taken = set()
    for u in used:
        try:
            taken.add(ipaddress.ip_address(u))
        except ValueError:
            continue
    addr = first
    while addr <= last:
        if addr not in taken and not (skip_edges and int(addr) % 256 in (0, 255)):
            return str(addr)
        addr += 1
    return None
