"""The data plane's view of the store: the frontends to listen on, each rule's backends and
probe, the NSGs in front of each backend, and the VMs that run the app.

Built from the stored (Azure-shaped) bodies on every change, read-only. What azemu serves:
rules with protocol Tcp (or All with a port) on frontends whose public IP is an IPv4 loopback
address, and backend pools of NIC ip configurations or of IP addresses (a pool's members as its
`loadBalancerBackendAddresses` answer shows them: an address a NIC ip configuration of its VNet
holds is that ip configuration; one nobody holds is a backend that never answers). UDP, HA ports
and internal (private) frontends are not served.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ..arm.context import Ctx, Res, render
from . import guest

LB_TYPE = "Microsoft.Network/loadBalancers"
NIC_TYPE = "Microsoft.Network/networkInterfaces"
VM_TYPE = "Microsoft.Compute/virtualMachines"
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


@dataclass
class Backend:
    """One NIC ip configuration: what a backend pool holds."""
    id: str                              # as stored, for the health API
    name: str
    nic_id: str
    nic_name: str
    private_ip: str | None
    pools: set[str]                      # lower-case pool ids
    vnet_prefixes: list[str]
    nsgs: list[tuple[str, list[dict[str, Any]]]]   # (id, securityRules): the subnet's, then the NIC's
    vm: str | None = None                # lower-case VM id, once a VM names the NIC
    admin: dict[str, str] = field(default_factory=dict)   # lower-case pool id -> its entry's adminState

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def ip_configuration(self) -> str | None:
        """The NIC ip configuration, None for an IP address no NIC holds."""
        return self.id if self.nic_id else None

    def admin_state(self, rule: "Rule") -> str:
        """The admin state of this member for the rule: its entry's in the rule's pool."""
        return next((self.admin[p] for p in rule.pools if p in self.pools and p in self.admin), "None")


@dataclass
class Probe:
    id: str
    protocol: str
    port: int
    path: str | None
    interval: int
    threshold: int
    all_down_is_up: bool                 # noHealthyBackendsBehavior: AllProbedUp


@dataclass
class Rule:
    id: str
    name: str
    address: str | None                  # the frontend's public IP, None when not served
    frontend_port: int
    backend_port: int
    pools: list[str]                     # lower-case pool ids
    probe: str | None                    # lower-case probe id
    distribution: str


@dataclass
class Vm:
    id: str
    name: str
    hostname: str
    running: bool
    app: bool                            # its cloud-init installs the hello-world app
    boot: str                            # changes whenever the guest (re)boots
    ports: tuple[int, ...] = (80,)       # where its nginx listens
    health_path: str | None = None       # the app's health route, if it has one


@dataclass
class Topology:
    rules: dict[str, Rule] = field(default_factory=dict)
    probes: dict[str, Probe] = field(default_factory=dict)
    backends: dict[str, Backend] = field(default_factory=dict)
    vms: dict[str, Vm] = field(default_factory=dict)

    def frontends(self) -> dict[tuple[str, int], str]:
        """(public IP, frontend port) -> rule key, for every rule that is served."""
        return {(r.address, r.frontend_port): key for key, r in sorted(self.rules.items()) if r.address}

    def members(self, rule: Rule) -> list[Backend]:
        pools = set(rule.pools)
        return [b for _k, b in sorted(self.backends.items()) if b.pools & pools]

    def backends_of(self, vm_key: str) -> list[Backend]:
        return [b for _k, b in sorted(self.backends.items()) if b.vm == vm_key]


def snapshot(ctx: Ctx) -> Topology:
    topo = Topology()
    lbs = ctx.resources(LB_TYPE)
    for lb in lbs:
        _load_balancer(ctx, lb, topo)
    for nic in ctx.resources(NIC_TYPE):
        _nic(ctx, nic, topo)
    for lb in lbs:
        _backend_addresses(ctx, lb, topo)
    for vm in ctx.resources(VM_TYPE):
        _vm(vm, topo)
    return topo


def _ref(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None


def _refs(props: dict[str, Any], key: str) -> list[str]:
    value = props.get(key)
    values = value if isinstance(value, list) else [value]
    return [r for r in (_ref(v) for v in values) if r]


def _load_balancer(ctx: Ctx, lb: Res, topo: Topology) -> None:
    addresses = {fe.id.lower(): _public_address(ctx, fe.props) for fe in lb.children("frontendIPConfigurations")}
    for probe in lb.children("probes"):
        p = probe.props
        topo.probes[probe.id.lower()] = Probe(
            id=probe.id, protocol=p.get("protocol", "Tcp"), port=int(p.get("port", 0)),
            path=p.get("requestPath"), interval=int(p.get("intervalInSeconds") or 15),
            threshold=int(p.get("probeThreshold") or 1),
            all_down_is_up=p.get("noHealthyBackendsBehavior") == "AllProbedUp")
    for rule in lb.children("loadBalancingRules"):
        p = rule.props
        pools = _refs(p, "backendAddressPools") or _refs(p, "backendAddressPool")
        frontend = (_ref(p.get("frontendIPConfiguration")) or "").lower()
        served = p.get("protocol") == "Tcp" or (p.get("protocol") == "All" and p.get("frontendPort"))
        topo.rules[rule.id.lower()] = Rule(
            id=rule.id, name=rule.name, address=addresses.get(frontend) if served else None,
            frontend_port=int(p.get("frontendPort") or 0), backend_port=int(p.get("backendPort") or 0),
            pools=[pool.lower() for pool in pools], probe=(_ref(p.get("probe")) or "").lower() or None,
            distribution=p.get("loadDistribution") or "Default")


def _public_address(ctx: Ctx, frontend_props: dict[str, Any]) -> str | None:
    pip = ctx.resolve(_ref(frontend_props.get("publicIPAddress")) or "")
    address = pip.props.get("ipAddress") if pip else None
    try:
        return address if address and ipaddress.ip_address(address) in LOOPBACK else None
    except ValueError:
        return None


def _nic(ctx: Ctx, nic: Res, topo: Topology) -> None:
    nic_nsg = _nsg(ctx, _ref(nic.props.get("networkSecurityGroup")))
    for config in nic.children("ipConfigurations"):
        p = config.props
        subnet = ctx.resolve(_ref(p.get("subnet")) or "")
        vnet = subnet.parent if subnet is not None else None
        nsgs = [n for n in (_nsg(ctx, _ref(subnet.props.get("networkSecurityGroup"))) if subnet else None, nic_nsg)
                if n is not None]
        topo.backends[config.id.lower()] = Backend(
            id=config.id, name=config.name, nic_id=nic.id, nic_name=nic.name,
            private_ip=p.get("privateIPAddress"),
            pools={pool.lower() for pool in _refs(p, "loadBalancerBackendAddressPools")},
            vnet_prefixes=list(((vnet.props.get("addressSpace") or {}).get("addressPrefixes") or []) if vnet else []),
            nsgs=nsgs)


def _backend_addresses(ctx: Ctx, lb: Res, topo: Topology) -> None:
    """The members of each pool that stores entries (IP addresses, or admin states of NIC
    members) as its answer lists them, resolved by the provider: IP-based ones join the backend
    of the NIC ip configuration holding the address; each gets its admin state. Pools that store
    none are NIC members with no admin state, which the NICs already told."""
    for stored in lb.children("backendAddressPools"):
        if not stored.props.get("loadBalancerBackendAddresses"):
            continue
        pool = render(ctx, stored)
        key = pool["id"].lower()
        for entry in (pool.get("properties") or {}).get("loadBalancerBackendAddresses") or []:
            props = entry.get("properties") or {}
            holder = _ref(props.get("networkInterfaceIPConfiguration"))
            backend = topo.backends.get(holder.lower()) if holder else None
            if backend is None and props.get("ipAddress"):
                entry_id = f"{pool['id']}/loadBalancerBackendAddresses/{entry['name']}"
                backend = topo.backends.setdefault(entry_id.lower(), Backend(
                    id=entry_id, name=entry["name"], nic_id="", nic_name="", private_ip=props["ipAddress"],
                    pools=set(), vnet_prefixes=[], nsgs=[]))
            if backend is not None:
                backend.pools.add(key)
                backend.admin[key] = props.get("adminState") or "None"


def _nsg(ctx: Ctx, nsg_id: str | None) -> tuple[str, list[dict[str, Any]]] | None:
    nsg = ctx.resolve(nsg_id) if nsg_id else None
    if nsg is None:
        return None
    return nsg.id, list(nsg.props.get("securityRules") or [])


def _vm(vm: Res, topo: Topology) -> None:
    key = vm.id.lower()
    os_profile = vm.props.get("osProfile") or {}
    topo.vms[key] = Vm(id=vm.id, name=vm.name, hostname=os_profile.get("computerName") or vm.name,
                       running=guest.running(vm), app=guest.serves_app(vm), boot=guest.boot_marker(vm),
                       ports=guest.app_ports(vm), health_path=guest.health_path(vm))
    for ref in (vm.props.get("networkProfile") or {}).get("networkInterfaces") or []:
        nic_id = (_ref(ref) or "").lower()
        for backend in topo.backends.values():
            if backend.nic_id.lower() == nic_id:
                backend.vm = key
