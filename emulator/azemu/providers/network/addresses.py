"""Address arithmetic shared by the Microsoft.Network types: CIDR parsing, containment and
overlap, private IP allocation inside a subnet, and azemu's public IP pool.

Pure functions over `ipaddress`; the resource types gather the addresses in use from the store
and pass them in. The private address an ip configuration (a NIC's or a load balancer
frontend's) gets or keeps is chosen and checked here, for both.

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
from typing import Any, Iterable, Union

from ...arm.fields import is_integer
from ...errors import ArmError

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


def expand(value: Any) -> list[str]:
    """The addresses a stored privateIPAddress stands for: one, or every one of a prefix."""
    if not isinstance(value, str) or not value:
        return []
    try:
        if "/" in value:
            return [str(a) for a in ipaddress.ip_network(value, strict=False)]
        return [str(ipaddress.ip_address(value))]
    except ValueError:
        return []


def allocate_block(subnet: Network, length: int, taken: set[str]) -> str | None:
    """The lowest aligned block of /length in the subnet clear of reserved and taken addresses."""
    if not is_integer(length) or not subnet.prefixlen <= length <= subnet.max_prefixlen:
        raise ArmError.invalid(f"'privateIPAddressPrefixLength' must be between {subnet.prefixlen} and "
                               f"{subnet.max_prefixlen}.", target="privateIPAddressPrefixLength")
    first, last = usable_range(subnet) or (None, None)
    if first is None:
        return None
    for block in subnet.subnets(new_prefix=length):
        if block[0] < first or block[-1] > last:
            continue
        if not any(str(a) in taken for a in block):
            return str(block)
    return None


def static_address(config, nets, taken) -> str:
    """The Static address of an ip configuration (NIC or load balancer frontend), checked as
    Azure checks it against the subnet's prefixes `nets` and the `taken` addresses."""
    text = config.props.get("privateIPAddress")
    if not text:
        raise ArmError.invalid(f"IP configuration {config.id} has a Static allocation method but no private "
                               "IP address.", target="privateIPAddress")
    try:
        address = parse_address(text)
    except AddressError:
        raise ArmError.bad_request(
            "InvalidPrivateIPAddress",
            f"IP configuration {config.id} has an invalid private IP address {text}.") from None
    net = next((n for n in nets if address.version == n.version and address in n), None)
    if net is None:
        raise ArmError.bad_request(
            "PrivateIPAddressNotInSubnet",
            f"Private static IP address {address} does not belong to the range of subnet prefix "
            f"{', '.join(map(str, nets))}.")
    first, last = usable_range(net)
    if not first <= address <= last:
        raise ArmError.bad_request(
            "PrivateIPAddressInReservedRange",
            f"Private static IP address {address} falls within reserved IP range of subnet prefix {net}.")
    if str(address) in taken:
        raise ArmError.bad_request(
            "PrivateIPAddressIsAllocated",
            f"IP configuration {config.id} is using the private IP address {address} which is already "
            f"allocated to resource {taken[str(address)]}.")
    return str(address)


def dynamic_address(old, subnet_id, nets, taken) -> str | None:
    """The address a Dynamic ip configuration keeps (`old` is its stored version) or gets: the
    lowest free one; None when the subnet is full."""
    kept = old.props.get("privateIPAddress") if old is not None else None
    same_subnet = old is not None and str((old.props.get("subnet") or {}).get("id", "")).lower() == subnet_id.lower()
    if kept and same_subnet and "/" not in kept and kept not in taken:
        return kept
    return next((a for a in (allocate_private(n, taken) for n in nets) if a), None)


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
