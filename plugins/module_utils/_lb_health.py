# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A load balancer's own view of its backends, per rule (Azure's health status API,
``POST .../loadBalancingRules/{rule}/health``): reading it, and the conditions a task waits on.

Each backend comes with its admin state in the rule's pool: Azure's answer says ``Up_Admin`` or
``Down_Admin`` when the admin state decides, but not what the admin state is when the probe
decides, so it is read from the pool ("Manage Azure Load Balancer health status").

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import time

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import admin_states
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import MISSING, as_json, read, unless_missing
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import name_of, parse_id
from ansible_collections.cloudlb.azure.plugins.module_utils._retries import REPEATABLE
from ansible_collections.cloudlb.azure.plugins.module_utils._wait import wait_until

MEMBER_CONDITIONS = ("healthy", "unhealthy")


def rules_of(lb, rule=None):
    """The load balancer's rules (all, or the one named ``rule``), sorted by name."""
    found = ((lb or {}).get("properties") or {}).get("loadBalancingRules") or []
    return sorted((r for r in found if rule is None or r["name"].lower() == rule.lower()),
                  key=lambda r: r["name"].lower())


def pool_admin_states(lb, rule):
    """{lower-case ip configuration id or IP address: admin state} in the rule's backend pool."""
    props = rule.get("properties") or {}
    pool_id = (props.get("backendAddressPool") or (props.get("backendAddressPools") or [{}])[0] or {}).get("id", "")
    pools = ((lb or {}).get("properties") or {}).get("backendAddressPools") or []
    pool = next((p for p in pools if name_of(p.get("id") or p.get("name")).lower() == name_of(pool_id).lower()), None)
    return admin_states(pool)


def backend_to_dict(entry, vm_of_nic, states=None):
    """A backend of the health API's answer, with its NIC and VM names and its admin state
    (``states``: pool_admin_states)."""
    ipconfig_id = entry.get("networkInterfaceIPConfigurationId")
    nic_id = ipconfig_id.rsplit("/ipConfigurations/", 1)[0] if ipconfig_id else None
    states = states or {}
    return {
        "ip_address": entry.get("ipAddress"),
        "ip_configuration": ipconfig_id,
        "network_interface": name_of(nic_id) if nic_id else None,
        "ip_configuration_name": name_of(ipconfig_id) if ipconfig_id else None,
        "virtual_machine": vm_of_nic(nic_id) if nic_id else None,
        "state": entry.get("state"),
        "reason": entry.get("reason"),
        "admin_state": states.get((ipconfig_id or "").lower()) or states.get((entry.get("ipAddress") or "").lower())
        or "None",
    }


def vm_of(nic):
    """The name of the VM a NIC (Azure's JSON) is attached to, or None."""
    vm_id = (((nic or {}).get("properties") or {}).get("virtualMachine") or {}).get("id")
    return name_of(vm_id) if vm_id else None


def is_member(backend, member):
    wanted = member.lower()
    return any((value or "").lower() == wanted for value in
               (backend["virtual_machine"], backend["network_interface"], backend["ip_configuration"],
                backend["ip_address"]))


def pending(rules, wait_for, member):
    """What keeps `wait_for` from holding for `rules`, in words; None once it holds."""
    if wait_for == "all_healthy":
        waiting = []
        for rule in rules:
            down = [describe(b) for b in rule["backends"] if b["state"] != "Up"]
            if not rule["backends"]:
                waiting.append(f"{rule['name']} has no backend")
            elif down:
                waiting.append(f"{rule['name']}: {', '.join(down)}")
        return "; ".join(waiting) or None
    seen = [(rule["name"], backend) for rule in rules for backend in rule["backends"] if is_member(backend, member)]
    if wait_for == "healthy":
        if not seen:
            return f"{member} is a backend of no rule"
        down = [f"{name}: {describe(b)}" for name, b in seen if b["state"] != "Up"]
        return "; ".join(down) or None
    up = [f"{name}: {describe(b)}" for name, b in seen if b["state"] == "Up"]
    return "; ".join(up) or None


def describe(backend):
    who = backend["virtual_machine"] or backend["network_interface"] or backend["ip_address"]
    return f"{who} {backend['state']} ({backend['reason']})"


class Health:
    """Reads the rules' health of one load balancer (``lb``, as read).

    A backend's VM is named from its NIC, read once (one GET each). ``vms`` ({lower-case NIC id:
    VM name}) are those the caller knows already; given them, no other NIC is read and other
    backends carry no VM name: a drain waits on its own member, whose NIC it has read, while
    lb_health_info returns every backend's VM and passes none.
    """

    def __init__(self, module, resource_group, lb, vms=None):
        self.module = module
        self.resource_group = resource_group
        self.lb = lb
        self.network = module.client("network")
        self.read_nics = vms is None
        self.vms = {nic_id.lower(): vm for nic_id, vm in (vms or {}).items()}

    def vm_of_nic(self, nic_id):
        key = nic_id.lower()
        if key not in self.vms:
            self.vms[key] = self.read_vm(nic_id) if self.read_nics else None
        return self.vms[key]

    def read_vm(self, nic_id):
        parts = parse_id(nic_id)
        nic = read(self.module, self.network.network_interfaces, parts["resource_group"], parts["name"],
                   f"network interface {parts['name']}") if parts else None
        return vm_of(nic)

    def rule(self, rule, timeout):
        """The rule's backends as the load balancer sees them; None when the rule went away."""
        lb_name = self.lb["name"]
        what = f"the health of rule {rule['name']} of load balancer {lb_name}"

        def query():
            # A query that changes nothing: sent again when its answer is lost. Its own timeout
            # (what is left of the caller's wait) is the poller's: lb_health_info has no wait option.
            poller = self.network.load_balancer_load_balancing_rules.begin_health(
                self.resource_group, lb_name, rule["name"], **REPEATABLE)
            poller.wait(timeout=timeout)
            return as_json(poller.result()) if poller.done() else None

        answer = unless_missing(f"Failed to read {what}", query)
        if answer is MISSING:
            return None      # the rule went away since the load balancer was read
        if answer is None:
            raise ModuleFailure(f"Timed out after {timeout:.0f} seconds waiting for Azure to report {what}")
        states = pool_admin_states(self.lb, rule)
        return {
            "name": rule["name"], "id": rule["id"], "up": answer.get("up") or 0, "down": answer.get("down") or 0,
            "backends": [backend_to_dict(entry, self.vm_of_nic, states)
                         for entry in answer.get("loadBalancerBackendAddresses") or []],
        }

    def wait(self, rules, wait_for, member, interval, timed_out, clock=time.monotonic, sleep=time.sleep):
        """Ask every ``interval`` seconds, within wait_timeout (_wait.wait_until), until
        ``wait_for`` holds for ``member`` (see pending); return the last report. When the time is
        up, raise ``timed_out(what still keeps it from holding, the last report)``, a ModuleFailure."""
        deadline = clock() + self.module.params["wait_timeout"]
        last = []

        def check():
            last.clear()
            report = self.report(rules, deadline)
            last.extend((report, pending(report, wait_for, member)))
            return last[1] is None

        def expired():
            report, waiting = last
            raise timed_out(waiting, report)

        wait_until(self.module, check, f"{member or 'all backends'} to be {wait_for}", interval, expired=expired,
                   clock=clock, sleep=sleep)
        return last[0]

    def report(self, rules, deadline):
        """Every rule's health, each query given what is left until ``deadline`` (time.monotonic),
        at least a second: the last query may outlive the deadline a little rather than not be made."""
        return [r for r in (self.rule(rule, max(deadline - time.monotonic(), 1.0)) for rule in rules) if r is not None]
