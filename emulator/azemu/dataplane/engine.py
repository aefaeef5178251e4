"""The data plane engine: keeps the frontends, the VMs' apps and the probers in line with the
store, picks the backend of each new flow, and knows each backend's health per rule (its probe's
view, overridden by its admin state in the rule's pool).

It follows the store through the emulator's listeners (a write, a completed operation or a
delete wakes it at once) and also looks again every POLL_SECONDS, for changes no event
announces (a VM's power state moves when a power action begins). Each pass rebuilds the
topology from the stored bodies and makes the running parts match it:
- one Frontend per (public IP, frontend port) of a served rule, taking new connections only
  while some backend is up and lets some client in (otherwise it drops their SYNs, as Azure
  does; checked again whenever a probe flips a backend);
- one HelloApp per running VM whose cloud-init carries the app, on the loopback addresses of
  its NIC ip configurations, restarted when the VM reboots, stopped (gracefully or not, per
  `stop_mode`) when it stops;
- one Prober per (probe, backend) of every rule;
- with `pool_removal_flows: reset`, flows whose backend left the rule's pool are reset.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from dataclasses import dataclass
from functools import partial

from aiohttp import web

from . import nsg
from .addresses import BackendAddresses, listen_port
from .distribution import choose, flow_key
from .frontend import Flow, Frontend, Route
from .prober import (DOWN, REASON_ADMIN_DOWN, REASON_ADMIN_UP, REASON_ALL_DOWN_IS_UP, REASON_SUCCESS, UP, Health,
                     Prober, Target)
from .topology import Backend, Rule, Topology, snapshot
from .vm_app import HelloApp

log = logging.getLogger("azemu.dataplane")
POLL_SECONDS = 0.5
SHUTDOWN_GRACE = 30.0          # emulated seconds a graceful stop gives requests in flight
PROBE_SOURCE_PORT = 49152      # probes come from an ephemeral port of 168.63.129.16

ADMIN_OVERRIDES = {"Up": (UP, REASON_ADMIN_UP), "Down": (DOWN, REASON_ADMIN_DOWN)}


@dataclass
class RunningApp:
    app: HelloApp
    hosts: list[str]
    ports: tuple[int, ...]
    boot: str


class DataPlane:
    def __init__(self, emu):
        self.emu = emu
        self.addresses = BackendAddresses(emu.state_dir)
        self.topology = Topology()
        self.routes: dict[tuple[str, int], str] = {}
        self.frontends: dict[tuple[str, int], Frontend] = {}
        self.apps: dict[str, RunningApp] = {}
        self.probers: dict[tuple[str, str], Prober] = {}
        self.flows: set[Flow] = set()
        self.errors: dict[str, str] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._stopping: set[asyncio.Task] = set()

    @property
    def settings(self):
        return self.emu.settings

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self.emu.listeners.append(self._on_event)
        await self._pass()
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._on_event in self.emu.listeners:
            self.emu.listeners.remove(self._on_event)
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for prober in self.probers.values():
            await prober.stop()
        for frontend in self.frontends.values():
            await frontend.stop()
        for running in self.apps.values():
            await running.app.stop(graceful=False)
        await asyncio.gather(*self._stopping, return_exceptions=True)
        self.probers.clear()
        self.frontends.clear()
        self.apps.clear()

    def _on_event(self, event, ctx, res) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        # Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that arrives as the
        # timeout fires, and stop() would then wait for this loop forever.
        loop = asyncio.get_running_loop()
        while True:
            alarm = loop.call_later(POLL_SECONDS, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                alarm.cancel()
            self._wake.clear()
            await self._pass()

    async def _pass(self) -> None:
        try:
            await self.reconcile()
        except Exception:      # the data plane must keep running whatever one pass met
            log.exception("data plane reconcile failed")

    # --- reconcile ----------------------------------------------------------------------------

    async def reconcile(self) -> None:
        topo = snapshot(self.emu.ctx())
        self.topology = topo
        self.routes = topo.frontends()
        self.addresses.keep_only(set(topo.backends))
        await self._sync_apps(topo)
        await self._sync_probers(topo)
        await self._sync_frontends()
        self._admit()
        self._sync_flows(topo)

    async def _sync_apps(self, topo: Topology) -> None:
        def ports(vm):
            return tuple(listen_port(port, self.settings.port_offset) for port in vm.ports)

        for key in list(self.apps):
            vm = topo.vms.get(key)
            running = self.apps[key]
            hosts = [self.addresses.address(b.id) for b in topo.backends_of(key)]
            if vm is None or not (vm.running and vm.app) or (vm.boot, hosts, ports(vm)) != (
                    running.boot, running.hosts, running.ports):
                self._stop_app(self.apps.pop(key))
        for key, vm in topo.vms.items():
            backends = topo.backends_of(key)
            if key in self.apps or not (vm.running and vm.app and backends):
                continue
            hosts = [self.addresses.address(b.id) for b in backends]
            app = HelloApp(vm.hostname, vm.health_path)
            try:
                await app.start(hosts, *ports(vm))
            except OSError as err:
                self._error(key, f"VM {vm.name}: cannot serve on {', '.join(hosts)} ports {ports(vm)}: {err}")
                if err.errno == errno.EADDRINUSE:      # another process has it: take other addresses
                    for backend in backends:
                        self.addresses.replace(backend.id)
                continue
            self.errors.pop(key, None)
            self.apps[key] = RunningApp(app, hosts, ports(vm), vm.boot)

    def _stop_app(self, running: RunningApp) -> None:
        running.app.stop_listening()
        task = asyncio.get_running_loop().create_task(running.app.stop(
            graceful=self.settings.stop_mode == "graceful", grace=self.settings.real_seconds(SHUTDOWN_GRACE)))
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    async def _sync_probers(self, topo: Topology) -> None:
        wanted = {(rule.probe, backend.key) for rule in topo.rules.values() if rule.probe in topo.probes
                  for backend in topo.members(rule)}
        for key in [k for k in self.probers if k not in wanted]:
            await self.probers.pop(key).stop()
        for key in sorted(wanted - set(self.probers)):
            prober = Prober(partial(self._probe_target, *key), partial(self._health_changed, *key))
            self.probers[key] = prober
            prober.start()

    async def _sync_frontends(self) -> None:
        offset = self.settings.port_offset
        for key in list(self.frontends):
            if key not in self.routes or self.frontends[key].bind_port != listen_port(key[1], offset):
                await self.frontends.pop(key).stop()
        for address, port in self.routes:
            if (address, port) in self.frontends:
                continue
            frontend = Frontend(address, port, listen_port(port, offset), self.route, self.flows)
            try:
                await frontend.start()
            except OSError as err:
                self._error(f"{address}:{port}", f"frontend {address}:{port}: cannot listen on port "
                                                 f"{frontend.bind_port}: {err}")
                continue
            self.errors.pop(f"{address}:{port}", None)
            self.frontends[(address, port)] = frontend

    def _sync_flows(self, topo: Topology) -> None:
        if self.settings.pool_removal_flows != "reset":
            return
        for flow in list(self.flows):
            rule = topo.rules.get(flow.route.rule)
            backend = topo.backends.get(flow.route.backend)
            if rule is None or backend is None or not backend.pools & set(rule.pools):
                flow.reset()

    def _error(self, key: str, message: str) -> None:
        if self.errors.get(key) != message:
            log.warning("%s", message)
        self.errors[key] = message

    # --- probes and health --------------------------------------------------------------------

    def _probe_target(self, probe_key: str, backend_key: str) -> Target | None:
        probe = self.topology.probes.get(probe_key)
        backend = self.topology.backends.get(backend_key)
        if probe is None or backend is None or (probe_key, backend_key) not in self.probers:
            return None
        private_ip = backend.private_ip or "0.0.0.0"
        verdict = nsg.evaluate(backend.nsgs, nsg.Packet(nsg.AZURE_LOAD_BALANCER_IP, PROBE_SOURCE_PORT, private_ip,
                                                        probe.port), backend.vnet_prefixes)
        return Target(protocol=probe.protocol, host=self.addresses.address(backend.id),
                      port=listen_port(probe.port, self.settings.port_offset), path=probe.path,
                      host_header=private_ip, interval=self.settings.real_seconds(probe.interval),
                      threshold=probe.threshold, blocked=not verdict.allowed)

    def _health_changed(self, probe_key: str, backend_key: str) -> None:
        health = self.probers[(probe_key, backend_key)].health
        log.info("probe %s: backend %s is %s (%s)", probe_key, backend_key, health.state, health.reason)
        self._admit()

    def health(self, rule: Rule) -> list[tuple[Backend, str, str]]:
        """(backend, state, reason) for each member of the rule's pools, as the load balancer
        sees them now. A rule without a probe sends flows to every member, whatever their admin
        state ("Admin state will only take effect when there's a health probe configured").
        Otherwise a member's admin state overrides its probe: Up takes new flows, Down none
        (its established flows continue, as when probed down); None follows the probe."""
        members = self.topology.members(rule)
        probe = self.topology.probes.get(rule.probe or "")
        if probe is None:
            return [(b, UP, REASON_SUCCESS) for b in members]
        states = []
        for backend in members:
            prober = self.probers.get((rule.probe, backend.key))
            health = prober.health if prober else Health()
            states.append((backend, health.state, health.reason))
        if probe.all_down_is_up and states and all(state == DOWN for _b, state, _r in states):
            states = [(b, UP, REASON_ALL_DOWN_IS_UP) for b, _s, _r in states]
        return [(b, *ADMIN_OVERRIDES.get(b.admin_state(rule), (state, reason))) for b, state, reason in states]

    def rule_health(self, rule_id: str) -> dict:
        """The body of `POST .../loadBalancingRules/{rule}/health`."""
        rule = self.topology.rules.get(rule_id.lower())
        states = self.health(rule) if rule else []
        return {
            "up": sum(1 for _b, state, _r in states if state == UP),
            "down": sum(1 for _b, state, _r in states if state == DOWN),
            "loadBalancerBackendAddresses": [
                {"ipAddress": b.private_ip,
                 **({"networkInterfaceIPConfigurationId": b.ip_configuration} if b.ip_configuration else {}),
                 "state": state, "reason": reason} for b, state, reason in states],
        }

    # --- new flows ----------------------------------------------------------------------------

    def _admit(self) -> None:
        """Open the frontends some new flow can get through, close (drop the SYNs of) the others."""
        for key, frontend in self.frontends.items():
            rule = self.topology.rules.get(self.routes.get(key, ""))
            frontend.admit(rule is not None and self.takes_new_flows(rule))

    def takes_new_flows(self, rule: Rule) -> bool:
        """Can any new flow of the rule reach a backend: one probed up whose NSGs let some client in?"""
        return any(state == UP and nsg.admits_any(backend.nsgs, backend.private_ip or "0.0.0.0", rule.backend_port,
                                                   backend.vnet_prefixes)
                   for backend, state, _reason in self.health(rule))

    def route(self, address: str, port: int, source: str, source_port: int) -> Route | None:
        """The backend a new flow from source:source_port to address:port goes to, None when it
        has none: no healthy backend, or the chosen one's NSGs drop it."""
        rule_key = self.routes.get((address, port))
        rule = self.topology.rules.get(rule_key or "")
        if rule is None:
            return None
        healthy = [b.key for b, state, _r in self.health(rule) if state == UP]
        chosen = choose(flow_key(rule.distribution, source, source_port, address, port), healthy)
        if chosen is None:
            return None
        backend = self.topology.backends[chosen]
        verdict = nsg.evaluate(backend.nsgs, nsg.Packet(source, source_port, backend.private_ip or "0.0.0.0",
                                                        rule.backend_port), backend.vnet_prefixes)
        if not verdict.allowed:
            return None
        return Route(self.addresses.address(backend.id), listen_port(rule.backend_port, self.settings.port_offset),
                     chosen, rule_key)

    # --- what tests and tools read ------------------------------------------------------------

    def status(self) -> dict:
        """The document at GET /_azemu/dataplane."""
        flows: dict[str, int] = {}
        for flow in self.flows:
            flows[flow.route.backend] = flows.get(flow.route.backend, 0) + 1
        topo = self.topology
        return {
            "backend_block": str(self.addresses.block),
            "frontends": [{"address": a, "port": p, "listen_port": f.bind_port, "open": f.open, "held": len(f.held),
                           "rule": getattr(topo.rules.get(self.routes.get((a, p), "")), "id", None)}
                          for (a, p), f in sorted(self.frontends.items())],
            "vms": [dict(id=vm.id, name=vm.name, **self._app_status(key)) for key, vm in sorted(topo.vms.items())],
            "backends": [{"id": b.id, "nic": b.nic_name or None,
                          "vm": topo.vms[b.vm].name if b.vm in topo.vms else None,
                          "private_ip": b.private_ip, "address": self.addresses.address(b.id),
                          "admin_states": dict(sorted(b.admin.items())),
                          "flows": flows.get(key, 0)} for key, b in sorted(topo.backends.items())],
            "probes": [{"probe": topo.probes[p].id, "backend": topo.backends[b].id, "state": pr.health.state,
                        "reason": pr.health.reason} for (p, b), pr in sorted(self.probers.items())
                       if p in topo.probes and b in topo.backends],
            "flows": len(self.flows),
            "errors": sorted(self.errors.values()),
        }

    def _app_status(self, vm_key: str) -> dict:
        running = self.apps.get(vm_key)
        if running is None:
            return {"serving": False, "addresses": [], "port": None, "ports": [], "connections": 0, "requests": 0}
        return {"serving": True, "addresses": running.hosts, "port": running.ports[0], "ports": list(running.ports),
                "connections": len(running.app.connections), "requests": running.app.requests}


APP_KEY = web.AppKey("dataplane", DataPlane)
