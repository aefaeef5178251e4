# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drain protocol of one backend pool member, as lb_drain runs it.

Drained: mark the member's NIC (the rolling role's drain mark), take it out of new connections
(admin state ``Down``; or deny the health probe with an NSG rule; or leave the pool), wait until
the load balancer's own health view sees it down, wait for its established connections to end,
and with the probe method leave the pool then (nothing is left for the load balancer to reset).

In service, its inverse: rejoin the pool, clear the admin state (``Down`` -> ``None``), delete the
deny rule, wait until the load balancer sees it healthy, clear the mark (and record the rollout
done when the member got past its maintenance). Whatever method drained a member, in service
undoes it: the mark names the method, so a run finishing what a dead one left undoes that one's.

Each step reads first and writes only what differs; check mode predicts and writes nothing.
Steps raise OptionError for what Azure would refuse or the member lacks, and ModuleFailure with
Azure's code for Azure's errors (_conditional_write.update, azure_failure); they never exit the
module.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import copy
import json
import os
import time

from ansible_collections.cloudlb.azure.plugins.module_utils import _rolling
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_admin_state import (
    read_load_balancer,
    set_admin_state,
    wait_for_member,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import (
    IP,
    admin_state,
    find_member,
    kind,
    with_address,
    without_address,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import (
    ModuleFailure,
    OptionError,
    azure_call,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._conditional_write import update
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_backend_pool import update_pool
from ansible_collections.cloudlb.azure.plugins.module_utils._lb_health import vm_of
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import as_json, delete_by, fetch, read
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import parse_id, same_id
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import (
    POOLS,
    find_ip_configuration,
    with_references_added,
    with_references_removed,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._security_group import rule_body, rule_differs, rule_to_dict
from ansible_collections.cloudlb.azure.plugins.module_utils._wait import wait_until

METHODS = ("admin_state", "probe", "pool")
STATES = ("drained", "in_service")
SOURCE = "AzureLoadBalancer"        # the service tag of the health probe's source


def admin_state_refusal(sku):
    """Why Azure does not take method admin_state on a load balancer of ``sku``, or None: admin
    state is a feature of Standard load balancers, for both kinds of pool (_backend_pool)."""
    if sku == "Standard":
        return None
    return (f"method=admin_state: Azure has admin state on Standard load balancers only, and this one is {sku};"
            " use method=probe (a deny rule for the health probe) or method=pool")


def probe_ports(lb, pool_id):
    """The ports of the health probes of the load balancing rules that send traffic to the
    pool, from Azure's JSON of the load balancer."""
    props = (lb or {}).get("properties") or {}
    probes = {(p.get("id") or "").lower(): (p.get("properties") or {}).get("port") for p in props.get("probes") or []}
    ports = set()
    for rule in props.get("loadBalancingRules") or []:
        rp = rule.get("properties") or {}
        pools = [rp.get("backendAddressPool")] + list(rp.get("backendAddressPools") or [])
        probe = (rp.get("probe") or {}).get("id")
        if probe and any(same_id((ref or {}).get("id"), pool_id) for ref in pools):
            port = probes.get(probe.lower())
            if port is not None:
                ports.add(str(port))
    return sorted(ports, key=int)


def vnet_of(subnet_id):
    return subnet_id.rsplit("/subnets/", 1)[0] if subnet_id else None


class Member:
    """One NIC ip configuration as a member of one backend pool, read from Azure."""

    def __init__(self, module, group, load_balancer, pool, nic_id, ip_configuration, pool_key):
        self.module = module
        self.group, self.load_balancer, self.pool_name = group, load_balancer, pool
        self.nic_id, self.ip_configuration_name, self.pool_key = nic_id, ip_configuration, pool_key
        self.rule_present = False      # the deny rule of the probe method is there (read_rule)
        self.network = module.client("network")
        self.nic_ref = parse_id(nic_id)
        self.lb = read_load_balancer(module, group, load_balancer)
        self.pool_id = f"{self.lb['id']}/backendAddressPools/{pool}"
        self.read()
        if self.pool is None:
            raise OptionError(f"load balancer {load_balancer} has no backend pool {pool}")

    @property
    def nic_what(self):
        return f"network interface {self.nic_ref['name']}"

    @property
    def pool_what(self):
        return f"backend pool {self.pool_name} of load balancer {self.load_balancer}"

    def read(self):
        nics = self.network.network_interfaces
        self.nic = read(self.module, nics, self.nic_ref["resource_group"], self.nic_ref["name"], self.nic_what)
        if self.nic is None:
            raise OptionError(f"{self.nic_what} does not exist (resource group {self.nic_ref['resource_group']})")
        configs = (self.nic.get("properties") or {}).get("ipConfigurations") or []
        self.config = find_ip_configuration(configs, self.ip_configuration_name)
        if self.config is None:
            raise OptionError(f"{self.nic_what} has no ip configuration {self.ip_configuration_name}; it has "
                              + ", ".join(c.get("name", "") for c in configs))
        self.pool = self.read_pool()
        return self

    def read_pool(self):
        pools = self.network.load_balancer_backend_address_pools
        return fetch(self.module, lambda: as_json(pools.get(self.group, self.load_balancer, self.pool_name)),
                     self.pool_what)

    # --- what the member is now ----------------------------------------------------------------

    @property
    def config_id(self):
        return self.config.get("id") or f"{self.nic_id}/ipConfigurations/{self.config['name']}"

    @property
    def private_ip(self):
        return (self.config.get("properties") or {}).get("privateIPAddress")

    @property
    def ip_based(self):
        return kind(self.pool) == IP

    @property
    def entry(self):
        """The member's entry in the pool (IP-based: by the address, or the NIC holding it)."""
        found = find_member(self.pool, self.config_id)
        if found is None and self.ip_based and self.private_ip:
            found = find_member(self.pool, self.private_ip)
        return found

    @property
    def in_pool(self):
        if self.ip_based:
            return self.entry is not None
        refs = (self.config.get("properties") or {}).get(POOLS) or []
        return any(same_id(ref.get("id"), self.pool_id) for ref in refs)

    @property
    def admin_state(self):
        return admin_state(self.entry) if self.in_pool and self.entry else "None"

    @property
    def tags(self):
        return dict(self.nic.get("tags") or {})

    @property
    def mark(self):
        """This pool's drain mark on the NIC, decoded; {} when it has none (or another pool's)."""
        mark = _rolling.decode(self.tags.get(_rolling.MARK_TAG))
        return mark if mark.get("pool") == self.pool_key else {}

    # --- the steps ------------------------------------------------------------------------------

    def write_nic(self, apply, failure):
        before, after, changed = update(self.module, self.network.network_interfaces, self.nic_ref["resource_group"],
                                        self.nic_ref["name"], apply, self.nic_what, model="NetworkInterface",
                                        failure=lambda _c: failure)
        if changed:
            self.nic = after
            configs = (after.get("properties") or {}).get("ipConfigurations") or []
            self.config = find_ip_configuration(configs, self.config["name"]) or self.config
        return changed

    def set_tags(self, wanted, failure):
        """Write the NIC's tags as ``wanted(tags)`` says (None: as they are)."""
        def apply(current):
            if current is None:
                raise OptionError(f"{self.nic_what} does not exist")
            try:
                tags = wanted(dict(current.get("tags") or {}))
            except _rolling.RollingError as exc:     # another run's mark, or one too long for a tag
                raise ModuleFailure(str(exc)) from None
            return None if tags is None else dict(current, tags=tags)
        return self.write_nic(apply, failure)

    def set_pool_reference(self, present):
        """A NIC-based pool: the ip configuration's reference to it added or removed."""
        def apply(current):
            body = copy.deepcopy(current)
            config = find_ip_configuration((body.get("properties") or {}).get("ipConfigurations") or [],
                                           self.config["name"])
            props = config.setdefault("properties", {})
            change = with_references_added if present else with_references_removed
            props[POOLS], changed = change(props.get(POOLS), [self.pool_id])
            return body if changed else None
        verb = "add" if present else "remove"
        return self.write_nic(apply, f"Failed to {verb} {self.nic_what} {'to' if present else 'from'} "
                                     f"{self.pool_what}")

    def set_address(self, present, name=None):
        """An IP-based pool: the member's address entry added (as ``name``) or removed."""
        entry = self.entry

        def apply(current):
            if current is None:
                raise OptionError(f"load balancer {self.load_balancer} has no backend pool {self.pool_name}")
            if not present:
                body, changed = without_address(current, entry["name"]) if entry else (current, False)
            else:
                subnet = (self.config.get("properties") or {}).get("subnet") or {}
                body, changed = with_address(current, {"name": name, "ip_address": self.private_ip,
                                                       "virtual_network": vnet_of(subnet.get("id")),
                                                       "subnet": None, "admin_state": None})
            return body if changed else None

        _before, after, changed = update_pool(self.module, self.group, self.load_balancer, self.pool_name, apply,
                                              self.pool_what, failure=lambda _c: f"Failed to write {self.pool_what}")
        if changed:
            self.pool = after
        return changed

    def leave_pool(self):
        if not self.in_pool:
            return False
        return self.set_address(False) if self.ip_based else self.set_pool_reference(False)

    def join_pool(self, entry_name):
        if self.in_pool:
            return False
        if self.ip_based or (self.pool and kind(self.pool) is None and self.mark.get("entry")):
            return self.set_address(True, entry_name)
        return self.set_pool_reference(True)

    def set_admin(self, state):
        if not self.in_pool or self.admin_state == state:
            return False
        if self.module.check_mode:
            self._predict_admin(state)
            return True
        _b, _a, changed = set_admin_state(self.module, self.group, self.load_balancer, self.pool_name,
                                          self.entry["name"], state, lb=self.lb)
        self.pool = self.read_pool()
        return changed

    def _predict_admin(self, state):
        pool = copy.deepcopy(self.pool)
        find_member(pool, self.entry["name"]).setdefault("properties", {})["adminState"] = state
        self.pool = pool

    # --- the deny rule of the probe method ---------------------------------------------------------

    def rule_operations(self):
        return self.network.security_rules

    def read_rule(self, rule):
        """The rule as Azure's JSON, or None; also noted in ``rule_present``."""
        rules = self.rule_operations()
        found = fetch(self.module, lambda: as_json(rules.get(rule["resource_group"], rule["security_group"],
                                                             rule["name"])),
                      f"security rule {rule['name']} of security group {rule['security_group']}")
        self.rule_present = found is not None
        return found

    def deny_rule(self, rule):
        """The rule (rule_to_dict shape) keeping the health probe off the member."""
        ports = probe_ports(self.lb, self.pool_id)
        if not ports:
            raise OptionError(f"method=probe: no load balancing rule of {self.pool_what} has a health probe to deny;"
                              " use method=admin_state or method=pool")
        if not self.private_ip:
            raise OptionError(f"method=probe: ip configuration {self.config['name']} of {self.nic_what} has no"
                              " private IP address to deny the probe to")
        return {"name": rule["name"], "priority": rule["priority"], "direction": "Inbound", "access": "Deny",
                "protocol": "Tcp", "source_address_prefixes": [SOURCE], "source_port_ranges": ["*"],
                "destination_address_prefixes": [self.private_ip], "destination_port_ranges": ports,
                "description": rule.get("description")}

    def deny_probe(self, rule):
        wanted = self.deny_rule(rule)
        current = self.read_rule(rule)
        self.rule_present = True
        if current and not rule_differs(rule_to_dict(current), wanted):
            return False
        if self.module.check_mode:
            return True
        what = f"security rule {rule['name']} of security group {rule['security_group']}"
        poller = azure_call(f"Failed to write {what}", self.rule_operations().begin_create_or_update,
                            rule["resource_group"], rule["security_group"], rule["name"], rule_body(wanted, current))
        self.module.wait_for(poller, f"{what} to be provisioned")
        return True

    def allow_probe(self, rule):
        present, self.rule_present = self.read_rule(rule) is not None, False
        if not present:
            return False
        if self.module.check_mode:
            return True
        what = f"security rule {rule['name']} of security group {rule['security_group']}"
        return delete_by(self.module, lambda: self.rule_operations().begin_delete(
            rule["resource_group"], rule["security_group"], rule["name"]), what)

    # --- waits -----------------------------------------------------------------------------------

    def wait_for(self, condition, interval):
        """Wait until the load balancer sees the member ``healthy`` or ``unhealthy``; fails with
        what still differs when wait_timeout is up. Only the member's own VM is named, from its
        NIC as read: no other backend's NIC is read."""
        wait_for_member(self.module, self.group, self.load_balancer, self.config_id, condition, self.nic_what,
                        interval, vms={self.nic_id: vm_of(self.nic)})

    def view(self, rule=None):
        return {"network_interface": self.nic_ref["name"], "ip_configuration": self.config_id,
                "ip_address": self.private_ip, "pool_kind": kind(self.pool) or "nic", "in_pool": self.in_pool,
                "admin_state": self.admin_state,
                "drain_rule": rule["name"] if rule and self.rule_present else None, "mark": self.mark}


def connections(url, ipconfig_id, opener):
    """Established load-balanced connections to the member, from a data plane's status document
    at ``url`` (azemu's GET /_azemu/dataplane); None when it does not list them."""
    with opener(url) as response:
        return _rolling.connections(json.loads(response.read()), ipconfig_id)


def wait_for_connections(url, ipconfig_id, timeout, poll, opener, clock=time.monotonic, sleep=time.sleep):
    """Wait within ``timeout`` until the member has no established connection; without ``url``
    (no count to read) the whole ``timeout``. Returns the connections left (None: not counted)."""
    if not url:
        sleep(max(timeout, 0))
        return None
    left = []

    def drained():
        left[:] = [connections(url, ipconfig_id, opener)]
        return not left[0]

    # A grace period: at its end, what is left goes on (drain_timeout), so expiry is no failure.
    wait_until(None, drained, "the connections to end", poll, timeout=timeout, expired=lambda: None, clock=clock,
               sleep=sleep)
    return left[0]


def url_opener():
    """GET with the CA bundle Azure's SDK trusts (REQUESTS_CA_BUNDLE), as the data plane is azemu's."""
    from ansible.module_utils.urls import open_url

    ca = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or None

    def opener(url):
        try:
            return open_url(url, ca_path=ca, timeout=10)
        except Exception as exc:  # open_url's own errors (ConnectionError, SSLValidationError) besides OSError's
            raise ModuleFailure(f"Failed to read the connection counts at {url}: {exc}") from exc
    return opener


def drain(member, method, rule, mark, options, opener):
    """Take ``member`` out of new connections by ``method`` and wait until it is drained.
    ``rule``: the deny rule of the probe method (name, security_group, resource_group,
    priority); ``mark``: the drain mark's fields (run, rollout, phase) or None; ``options``:
    wait, wait_interval, drain_timeout, drain_poll, connections_url. Returns (changed, timings,
    connections left: None when not counted)."""
    module = member.module
    changed = False
    if mark:
        entry = member.entry if member.ip_based else None
        changed |= member.set_tags(lambda tags: _rolling.marked(
            tags, member.pool_key, mark["run"], mark["rollout"], member.config["name"], mark["phase"], method,
            entry and entry["name"], time.time()), f"Failed to mark {member.nic_what} drained")
    if method == "admin_state":
        out = member.set_admin("Down")
    elif method == "probe":
        out = member.deny_probe(rule)
    else:
        out = member.leave_pool()
    at = {"out": time.time()}
    left = None
    if options["wait"] and not module.check_mode:
        member.wait_for("unhealthy", options["wait_interval"])
        # A fixed drain_timeout only for a member this task took out; counts are cheap to read.
        timeout = options["drain_timeout"] if out or options["connections_url"] else 0
        left = wait_for_connections(options["connections_url"], member.config_id, timeout, options["drain_poll"],
                                    opener)
    at["drained"] = time.time()
    if method == "probe":
        # Its established connections have ended (or drain_timeout is up): nothing is left for the
        # load balancer to reset when it leaves the pool.
        out |= member.leave_pool()
    return changed or out, at, left


def in_service(member, method, rule, mark, options, entry_name):
    """Put ``member`` back in rotation, undoing ``method`` and whichever method its mark names,
    wait until the load balancer sees it healthy, then clear the mark (``mark``: run, rollout,
    phase, keep). Returns (changed, timings)."""
    module = member.module
    undo = {method, member.mark.get("method")}
    name = entry_name or member.mark.get("entry") or member.nic_ref["name"]
    changed = member.join_pool(name)
    if "admin_state" in undo and member.admin_state == "Down":
        changed |= member.set_admin("None")
    if rule:
        changed |= member.allow_probe(rule)
    at = {"back": time.time()}
    if options["wait"] and not module.check_mode:
        member.wait_for("healthy", options["wait_interval"])
    at["healthy"] = time.time()
    if mark:
        changed |= member.set_tags(lambda tags: _rolling.cleared(
            tags, member.pool_key, mark["run"], mark["rollout"], mark["phase"], mark["keep"]),
            f"Failed to clear the drain mark of {member.nic_what}")
    return changed, at
