"""Network security group evaluation for traffic arriving at a backend NIC.

Azure checks inbound traffic against the NSG of the subnet first, then the NSG of the NIC; it
must be allowed by both (a missing NSG is no check at all). Within one NSG the rules, user
rules and the three default inbound rules together, are tried by ascending priority and the
first match decides. A Standard load balancer is secure by default: when neither the subnet
nor the NIC has an NSG, client traffic is not let in. Health probes come from
AzureLoadBalancer (168.63.129.16), which the default rule AllowAzureLoadBalancerInBound
admits unless a user rule of higher priority denies it.

Pure functions over the stored `securityRules` bodies. Address prefixes may be `*`, a CIDR
or an address, or the tags VirtualNetwork, AzureLoadBalancer and Internet; other service
tags and application security groups never match here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Iterable

AZURE_LOAD_BALANCER_IP = "168.63.129.16"

DEFAULT_INBOUND_RULES: tuple[dict[str, Any], ...] = (
    {"name": "AllowVnetInBound", "properties": {
        "priority": 65000, "direction": "Inbound", "access": "Allow", "protocol": "*",
        "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
        "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "*"}},
    {"name": "AllowAzureLoadBalancerInBound", "properties": {
        "priority": 65001, "direction": "Inbound", "access": "Allow", "protocol": "*",
        "sourceAddressPrefix": "AzureLoadBalancer", "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": "*"}},
    {"name": "DenyAllInBound", "properties": {
        "priority": 65500, "direction": "Inbound", "access": "Deny", "protocol": "*",
        "sourceAddressPrefix": "*", "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": "*"}},
)


@dataclass(frozen=True)
class Packet:
    """The first packet of a flow as the backend's NSGs see it."""
    source: str                  # client address, or AZURE_LOAD_BALANCER_IP for a probe
    source_port: int
    destination: str             # the backend's private IP (10.x), as in Azure
    destination_port: int
    protocol: str = "Tcp"

    @property
    def from_load_balancer(self) -> bool:
        return self.source == AZURE_LOAD_BALANCER_IP


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    nsg: str | None              # id of the NSG that decided (None: no NSG involved)
    rule: str | None             # name of the deciding rule


def evaluate(nsgs: Iterable[tuple[str, list[dict[str, Any]]]], packet: Packet,
             vnet_prefixes: Iterable[str]) -> Verdict:
    """Is `packet` let in? `nsgs` are (id, securityRules) of the subnet's and the NIC's NSG,
    in that order, only those that exist; `vnet_prefixes` the address space of the NIC's VNet."""
    spaces = [_network(p) for p in vnet_prefixes]
    spaces = [s for s in spaces if s is not None]
    checked = False
    for nsg_id, rules in nsgs:
        checked = True
        name, access = first_match(rules, packet, spaces)
        if access != "allow":
            return Verdict(False, nsg_id, name)
    if not checked:
        # Secure by default: only the platform's probes reach a NIC that no NSG opens.
        return Verdict(packet.from_load_balancer, None, None)
    return Verdict(True, None, None)


def admits_any(nsgs: Iterable[tuple[str, list[dict[str, Any]]]], destination: str, destination_port: int,
               vnet_prefixes: Iterable[str]) -> bool:
    """Is any client flow through a public frontend to destination:destination_port let in?
    Such a client is outside the VNet (the VNet's own VMs reach a public IP from their outbound
    address) and is not the load balancer's probe address. A source address and port matter
    only through the prefixes and port ranges the rules name, so one source at the start of
    each stretch between their boundaries stands for every source in it."""
    nsgs, vnet_prefixes = list(nsgs), list(vnet_prefixes)
    spaces = [n for n in (_network(p) for p in vnet_prefixes) if n is not None and n.version == 4]
    addresses, ports = {0}, {0}
    for _nsg_id, rules in nsgs:
        for rule in rules or []:
            props = _props(rule)
            for value in _values(props, "sourceAddressPrefix"):
                addresses.update(_edges(_network(value)))
            for value in _values(props, "sourcePortRange"):
                low, sep, high = value.strip().partition("-")
                if low.isdigit() and (not sep or high.isdigit()):
                    ports.update((int(low), int(high if sep else low) + 1))
    for net in spaces + [_network(AZURE_LOAD_BALANCER_IP)]:
        addresses.update(_edges(net))
    sources = [ipaddress.IPv4Address(a) for a in sorted(addresses) if a < 2 ** 32]
    clients = [str(a) for a in sources if str(a) != AZURE_LOAD_BALANCER_IP and not any(a in s for s in spaces)]
    return any(evaluate(nsgs, Packet(source, port, destination, destination_port), vnet_prefixes).allowed
               for source in clients for port in sorted(ports) if port < 65536)


def _edges(net) -> tuple[int, ...]:
    """Where an IPv4 network begins and where the addresses after it begin."""
    if net is None or net.version != 4:
        return ()
    return int(net.network_address), int(net.broadcast_address) + 1


def first_match(rules: list[dict[str, Any]], packet: Packet, spaces: list) -> tuple[str, str]:
    """(rule name, "allow"|"deny") of the inbound rule that decides for `packet`."""
    inbound = [r for r in list(rules or []) + list(DEFAULT_INBOUND_RULES)
               if str(_props(r).get("direction", "")).lower() == "inbound"]
    inbound.sort(key=lambda r: _priority(_props(r)))
    # DenyAllInBound matches every packet, so there always is a first match.
    rule = next(r for r in inbound if _matches(_props(r), packet, spaces))
    return rule.get("name", ""), str(_props(rule).get("access", "")).lower()


def _matches(p: dict[str, Any], packet: Packet, spaces: list) -> bool:
    return (_protocol_matches(p.get("protocol"), packet.protocol)
            and _any_port(p, "sourcePortRange", packet.source_port)
            and _any_port(p, "destinationPortRange", packet.destination_port)
            and _any_address(p, "sourceAddressPrefix", packet.source, spaces)
            and _any_address(p, "destinationAddressPrefix", packet.destination, spaces))


def _props(rule: dict[str, Any]) -> dict[str, Any]:
    return rule.get("properties") or {}


def _priority(props: dict[str, Any]) -> int:
    try:
        return int(props.get("priority"))
    except (TypeError, ValueError):
        return 65501


def _protocol_matches(value: Any, protocol: str) -> bool:
    value = str(value or "*").lower()
    return value == "*" or value == protocol.lower()


def _values(props: dict[str, Any], key: str) -> list[str]:
    """The single form (`destinationPortRange`) and the list form (`...Ranges`) together."""
    out = []
    single = props.get(key)
    if isinstance(single, (str, int)) and str(single) != "":
        out.append(str(single))
    plural = props.get(key + ("es" if key.endswith("Prefix") else "s"))
    if isinstance(plural, list):
        out.extend(str(v) for v in plural)
    return out


def _any_port(props: dict[str, Any], key: str, port: int) -> bool:
    return any(_port_matches(v, port) for v in _values(props, key))


def _port_matches(value: str, port: int) -> bool:
    value = value.strip()
    if value == "*":
        return True
    low, sep, high = value.partition("-")
    try:
        return int(low) <= port <= int(high if sep else low)
    except ValueError:
        return False


def _any_address(props: dict[str, Any], key: str, address: str, spaces: list) -> bool:
    return any(_address_matches(v, address, spaces) for v in _values(props, key))


def _address_matches(value: str, address: str, spaces: list) -> bool:
    tag = value.strip()
    low = tag.lower()
    if low in ("*", "any"):
        return True
    addr = ipaddress.ip_address(address)
    if low == "azureloadbalancer":
        return address == AZURE_LOAD_BALANCER_IP
    if low == "virtualnetwork":
        return any(addr.version == s.version and addr in s for s in spaces)
    if low == "internet":
        return address != AZURE_LOAD_BALANCER_IP and not any(addr.version == s.version and addr in s for s in spaces)
    net = _network(tag)
    return net is not None and addr.version == net.version and addr in net


def _network(text: str):
    try:
        return ipaddress.ip_network(str(text).strip(), strict=False)
    except ValueError:
        return None
