# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions of a rolling maintenance, as pure functions: batch sizes from ``serial``,
the health gate, the order of the VMs, the tags that record a run's progress on Azure, the
lock, and the closing summary. The rolling_maintenance role calls them through the
``cloudlb.azure.rolling_*`` filters; nothing here talks to Azure.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import hashlib
import math
import re

from ansible_collections.cloudlb.azure.plugins.module_utils._ids import group_of, name_of

# Tags the role writes. On the load balancer: who holds the lock until when, and which
# rollout is under way (so a later run resumes it). On each NIC: the drain mark of the run that
# took it out of the pool, and the rollout that last maintained it.
LOCK_TAG = "cloudlb-rolling-lock"
ROLLOUT_TAG = "cloudlb-rolling-rollout"
MARK_TAG = "cloudlb-rolling-drained"
DONE_TAG = "cloudlb-rolling-done"

PHASES = ("drained", "maintained")
# How a VM stops getting new connections (lb_drain's methods): its admin state in the pool goes
# Down (Azure's own mechanism, Standard load balancers only); or its health probe is denied by an
# NSG rule named after its NIC (then its flows end, then it leaves the pool: nothing is left for the
# load balancer to reset); or it leaves the pool at once. auto: admin_state wherever Azure has it.
DRAIN_METHODS = ("admin_state", "probe", "pool")
DRAIN_RULE_PREFIX = "cloudlb-drain-"
PRIORITY_MIN, PRIORITY_MAX = 100, 4096
NAME_MAX = 80
RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Room a lock leaves beyond the longest batch: module start-up, Azure's own operations.
LOCK_MARGIN = 300


class RollingError(ValueError):
    """A setting of the rollout is unusable; the message says which and why."""


# --- serial, counts and percentages -----------------------------------------------------------

def _items(value):
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        return [part.strip().strip("'\"") for part in text.split(",")]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _size(item, what):
    """A positive int, or a percentage as "N%" with 0 < N <= 100."""
    if isinstance(item, bool):
        raise RollingError(f"{what} must be a count or a percentage, got {item!r}")
    if isinstance(item, float) and item.is_integer():
        item = int(item)
    if isinstance(item, int):
        if item < 1:
            raise RollingError(f"{what} must be at least 1, got {item}")
        return item
    text = str(item).strip()
    if text.endswith("%"):
        number = text[:-1].strip()
        if not number.isdigit() or not 0 < int(number) <= 100:
            raise RollingError(f"{what} percentage must be a whole number from 1% to 100%, got {text!r}")
        return f"{int(number)}%"
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise RollingError(f"{what} must be a count (1, 2, ...) or a percentage (\"50%\"), got {item!r}")


def parse_serial(value):
    """``serial`` as Ansible takes it: a list of batch sizes, each a count or "N%".

    Accepts a count, a percentage, a list of them (a ramp such as ``[1, "50%"]``), or the same
    as text ("1,50%", "[1, '50%']": what a survey field gives). None or "" is one at a time.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return [1]
    items = [item for item in _items(value) if not (isinstance(item, str) and not item.strip())]
    if not items:
        raise RollingError(f"serial is empty: {value!r}")
    return [_size(item, "serial") for item in items]


def percent_of(item, total):
    """What Ansible makes of a batch size for ``total`` hosts (ansible.utils.helpers.pct_to_int)."""
    if isinstance(item, str) and item.endswith("%"):
        return int(int(item[:-1]) / 100.0 * total) or 1
    return int(item)


def batch_sizes(serial, total):
    """The sizes of the batches Ansible runs ``total`` hosts in: one per serial item, the last
    item repeated until every host is in a batch, the last batch possibly smaller."""
    serial = parse_serial(serial)
    sizes, left, index = [], total, 0
    while left > 0:
        size = min(max(percent_of(serial[min(index, len(serial) - 1)], total), 1), left)
        sizes.append(size)
        left -= size
        index += 1
    return sizes


def batches(hosts, serial):
    """``hosts`` cut into the batches of batch_sizes."""
    out, start = [], 0
    for size in batch_sizes(serial, len(hosts)):
        out.append(list(hosts[start:start + size]))
        start += size
    return out


def count_of(value, total, what):
    """A count or "N%" of ``total`` as a number of VMs; a percentage rounds up (50% of 5 is 3),
    so a minimum is never undercut by rounding."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        return 0
    if isinstance(value, str) and value.strip() in ("0", "0%"):
        return 0
    size = _size(value, what)
    if isinstance(size, str):
        return math.ceil(int(size[:-1]) * total / 100.0)
    return size


def required_healthy(min_healthy, pool_size):
    """How many members must stay healthy while others are out: ``min_healthy`` of the pool,
    and never fewer than one, so the last healthy member is never drained."""
    return max(count_of(min_healthy, pool_size, "min_healthy"), 1)


def max_failures(max_failed, total):
    """How many VMs may fail before the rollout stops: a count or "N%" of the VMs (rounded down)."""
    if max_failed is None:
        return 0
    if isinstance(max_failed, str) and max_failed.strip().endswith("%"):
        size = _size(max_failed, "max_failed")
        return int(int(size[:-1]) * total / 100.0)
    if isinstance(max_failed, bool):
        raise RollingError(f"max_failed must be a count or a percentage, got {max_failed!r}")
    try:
        count = int(str(max_failed).strip())
    except ValueError:
        raise RollingError(f"max_failed must be a count (0, 1, ...) or a percentage (\"10%\"), got {max_failed!r}")
    if count < 0:
        raise RollingError(f"max_failed cannot be negative, got {count}")
    return count


# --- health ---------------------------------------------------------------------------------

def member_names(members):
    """{lower-case ip configuration id or private IP address: VM name} of pool_members() entries:
    what names a backend of lb_health_info's ``rules`` read with ``resolve: false`` (no VM names,
    no NIC read per backend)."""
    names = {}
    for member in members or []:
        for key in (member.get("ip_configuration_id"), member.get("private_ip_address")):
            if key:
                names[key.lower()] = member["name"]
    return names


def backend_name(backend, names=None):
    """The VM of one backend of lb_health_info's rules: its ``virtual_machine``, else the VM
    ``names`` (member_names) gives its ip configuration or address, else its NIC's name."""
    names = names or {}
    return (backend.get("virtual_machine") or names.get((backend.get("ip_configuration") or "").lower())
            or names.get((backend.get("ip_address") or "").lower()) or backend.get("network_interface"))


def healthy_members(rules, members=None, names=None):
    """The VMs the load balancer sends new connections to, from lb_health_info's ``rules``: a VM
    counts when it is Up in every rule that has it as a backend. ``members`` (VM names) limits
    the answer to one pool's VMs; ``names``: as backend_name."""
    state = {}
    for rule in rules or []:
        for backend in rule.get("backends") or []:
            name = backend_name(backend, names)
            if not name:
                continue
            up = backend.get("state") == "Up"
            state[name] = state.get(name, True) and up
    wanted = None if members is None else set(members)
    return sorted((name for name, up in state.items() if up and (wanted is None or name in wanted)), key=natural_key)


def gate(rules, batch, members, min_healthy, names=None):
    """May ``batch`` (VM names) leave the pool now? The health gate before each batch.
    ``names``: as backend_name, for rules read without VM names.

    Taking out VMs that serve nothing never lowers what serves, so a batch of unhealthy VMs
    always passes. Otherwise the healthy members left once the batch is out must be at least
    required_healthy().
    """
    healthy = healthy_members(rules, members, names)
    leaving = [name for name in batch if name in healthy]
    remaining = len(healthy) - len(leaving)
    required = required_healthy(min_healthy, len(members))
    ok = not leaving or remaining >= required
    message = (f"{len(healthy)} of {len(members)} members healthy ({', '.join(healthy) or 'none'}); taking out "
               f"{', '.join(batch)} leaves {remaining} healthy, {required} required")
    return {"ok": ok, "healthy": healthy, "leaving": leaving, "remaining": remaining, "required": required,
            "message": ("gate open: " if ok else "gate closed: ") + message}


def health_of(rules, names=None):
    """Per VM, its state in the rules that have it as a backend: "Up (Up_Probe_Success)", or
    the first rule's view that is not Up. ``names``: as backend_name."""
    seen = {}
    for rule in rules or []:
        for backend in rule.get("backends") or []:
            name = backend_name(backend, names)
            if not name:
                continue
            text = f"{backend.get('state')} ({backend.get('reason')})"
            if name not in seen or (backend.get("state") != "Up" and seen[name].startswith("Up")):
                seen[name] = text
    return seen


# --- the pool's members -----------------------------------------------------------------------

def pool_members(pool_id, pool_key, nics, rules=None):
    """The VMs of a pool, from network_interface_info's NICs: one entry per NIC ip configuration
    in the pool, or whose NIC carries this pool's drain mark (a run took it out and did not put it
    back); ``rules`` (lb_health_info's, of the pool) also tell the members of an IP-based pool.
    Each entry: ``name`` (the VM), ``resource_group`` (the VM's), ``nic``, ``nic_id``,
    ``nic_resource_group``, ``ip_configuration``, ``ip_configuration_id``, ``in_pool``,
    ``tags`` (the NIC's), ``mark`` (the decoded drain mark, {} when none), ``healthy``,
    ``private_ip_address``, ``subnet`` and ``security_group`` (the NIC's own NSG, or None).
    """
    # An IP-based pool's members are not on their NICs: the rules' backends name the ip
    # configuration holding each address (lb_health_info), whatever the kind of pool.
    backends = {(b.get("ip_configuration") or "").lower() for rule in rules or [] for b in rule.get("backends") or []}
    found = []
    for nic in nics or []:
        vm_id = nic.get("virtual_machine")
        if not vm_id:
            continue
        tags = dict(nic.get("tags") or {})
        mark = decode(tags.get(MARK_TAG))
        marked_here = mark.get("pool") == pool_key
        for config in nic.get("ip_configurations") or []:
            in_pool = (config.get("id") or "").lower() in backends or any(
                (pool or "").lower() == pool_id.lower() for pool in config.get("load_balancer_backend_address_pools") or [])
            if not in_pool and not (marked_here and mark.get("ipconfig", config.get("name")) == config.get("name")):
                continue
            found.append({
                "name": name_of(vm_id), "resource_group": group_of(vm_id), "nic": nic.get("name"), "nic_id": nic.get("id"),
                "nic_resource_group": group_of(nic.get("id")), "ip_configuration": config.get("name"),
                "ip_configuration_id": config.get("id"), "in_pool": in_pool,
                "tags": tags if marked_here or MARK_TAG not in tags else {k: v for k, v in tags.items() if k != MARK_TAG},
                "mark": mark if marked_here else {},
                "private_ip_address": config.get("private_ip_address"), "subnet": config.get("subnet"),
                "security_group": nic.get("security_group"),
            })
    # The rules name no VM when read with resolve: false: their ip configurations do.
    healthy = set(healthy_members(rules, names=member_names(found)))
    for member in found:
        member["healthy"] = member["name"] in healthy
    return sorted(found, key=lambda m: natural_key(m["name"]))


def member_problems(members):
    """What keeps the role from telling the pool's VMs apart."""
    names = [m["name"] for m in members]
    twice = sorted({n for n in names if names.count(n) > 1}, key=natural_key)
    return [f"VM {n} is in the pool more than once (two NICs or ip configurations, or two VMs of that name in "
            "different resource groups); the role maintains one pool member per VM" for n in twice]


def locate(members, rules):
    """Where each VM is now, for the summary: ``in_pool``, ``health`` and ``marked``."""
    health = health_of(rules, member_names(members))
    return {m["name"]: {"in_pool": m["in_pool"], "health": health.get(m["name"]) if m["in_pool"] else None,
                        "marked": (f"run {m['mark'].get('run')}, {m['mark'].get('phase')}" if m.get("mark") else None)}
            for m in members}


# --- order and plan -------------------------------------------------------------------------

def natural_key(name):
    """myVM2 before myVM10."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(name))]


def order(members, unhealthy_first=False):
    """VM names in the order the rollout takes them: by name (myVM2 before myVM10), with the
    unhealthy ones first when ``unhealthy_first`` (they serve nothing, so taking them first
    costs nothing, as VM scale sets' prioritizeUnhealthyInstances does).

    ``members``: dicts with ``name`` and ``healthy``.
    """
    def key(member):
        return bool(unhealthy_first and member["healthy"]), natural_key(member["name"])

    return [m["name"] for m in sorted(members, key=key)]


def plan(members, serial, min_healthy, rollout, unhealthy_first=False):
    """What a run will do, before it does anything.

    ``members``: pool_members() entries, with ``drain_rule`` from drain_rules(). Returns
    ``reconcile`` (VMs a killed or failed run left marked, or whose drain rule it left: put back
    first), ``done`` (maintained already in this rollout), ``queue`` (the VMs
    to maintain, in order), ``batches`` (as Ansible will cut the queue) and ``problems``
    (settings that cannot work for this pool: the run must not start).
    """
    reconcile = sorted((m["name"] for m in members if m.get("mark") or (m.get("drain_rule") or {}).get("leftover")),
                       key=natural_key)
    done = sorted((m["name"] for m in members if finished(m, rollout)), key=natural_key)
    queue = order([m for m in members if m["name"] not in done], unhealthy_first)
    pool_size = len(members)
    required = required_healthy(min_healthy, pool_size)
    cut = batches(queue, serial)
    largest = max((len(b) for b in cut), default=0)
    problems = member_problems(members)
    if queue and pool_size - largest < required:
        problems.append(
            f"serial {parse_serial(serial)} makes a batch of {largest} of the {pool_size} members, leaving "
            f"{pool_size - largest} when {required} must stay healthy (min_healthy {min_healthy!r}, and never "
            "the last healthy one): lower serial or min_healthy")
    return {"reconcile": reconcile, "done": done, "queue": queue, "batches": cut, "problems": problems,
            "pool_size": pool_size, "required_healthy": required}


def choose_drain_method(requested, sku):
    """The drain method of a run: ``requested``, or for ``auto`` admin_state where Azure has it
    (Standard load balancers, either kind of pool) and probe elsewhere. Admin state asked of a
    load balancer without it is refused here, before any VM is touched."""
    if requested == "auto":
        return "admin_state" if sku == "Standard" else "probe"
    if requested not in DRAIN_METHODS:
        raise RollingError(f"drain_method must be auto or one of {', '.join(DRAIN_METHODS)}, got {requested!r}")
    if requested == "admin_state" and sku and sku != "Standard":
        raise RollingError(f"drain_method admin_state: Azure has admin state on Standard load balancers only, and "
                           f"this one is {sku}: set rolling_maintenance_drain_method=probe (or auto)")
    return requested


def prepare(nics, rules, pool_id, pool_key, run_id, rollout, serial, min_healthy, max_failed=0,
            unhealthy_first=False, drain_method="pool", lb=None, security_groups=None, vnets=None):
    """Everything a run decides before it touches a VM: the pool's members with their drain
    rules, the plan, and how many failures stop it. ``lb``, ``security_groups`` and ``vnets``:
    load_balancer_info's load balancer, security_group_info's and virtual_network_info's lists,
    for the drain rules."""
    check_run_id(run_id)
    drain_method = choose_drain_method(drain_method, (lb or {}).get("sku"))
    members = pool_members(pool_id, pool_key, nics, rules)
    steps = plan(members, serial, min_healthy, rollout, unhealthy_first)
    drain = drain_rules(members, steps["queue"] if drain_method == "probe" else [], probe_ports(lb, pool_id),
                        security_groups, vnets)
    for member in members:
        member["drain_rule"] = drain["rules"].get(member["name"])
    # Again, now that the members say which drain rules a killed run left (to reconcile).
    steps = plan(members, serial, min_healthy, rollout, unhealthy_first)
    steps["problems"] += drain["problems"]
    return dict(steps, members=members, rollout=rollout, serial=parse_serial(serial), drain_method=drain_method,
                max_failures=max_failures(max_failed, len(steps["queue"])), backend_names=member_names(members))


# --- drain rules ----------------------------------------------------------------------------

def drain_rule_name(nic):
    """The NSG rule that keeps the probe off ``nic``'s VM, named after the NIC so that a run
    finds what a killed one left; NSG rule names have at most 80 characters."""
    name = DRAIN_RULE_PREFIX + nic
    if len(name) <= NAME_MAX:
        return name
    return f"{name[:NAME_MAX - 9]}-{hashlib.sha256(nic.encode()).hexdigest()[:8]}"


def probe_ports(lb, pool_id):
    """Ports of the health probes of the load balancing rules that use the pool, from
    load_balancer_info's view of the load balancer."""
    pool = (name_of(pool_id) or "").lower()
    probes = {(p.get("name") or "").lower(): p.get("port") for p in (lb or {}).get("probes") or []}
    names = {(r.get("probe") or "").lower() for r in (lb or {}).get("rules") or []
             if (r.get("backend_pool") or "").lower() == pool and r.get("probe")}
    return sorted({str(probes[n]) for n in names if probes.get(n) is not None}, key=int)


def subnet_security_groups(vnets):
    """{subnet id (lower case): its NSG id} from virtual_network_info's VNets."""
    return {s["id"].lower(): s["security_group"] for v in vnets or [] for s in v.get("subnets") or []
            if s.get("id") and s.get("security_group")}


def filtering_security_group(member, subnet_nsgs):
    """The NSG a rule must go in to filter the member's traffic: its NIC's, else its subnet's."""
    return member.get("security_group") or subnet_nsgs.get((member.get("subnet") or "").lower())


def drain_reads(nics, pool_id, pool_key, vnets=None, rules=None):
    """What to read for the drain rules: ``vnet_groups``, the resource groups of the VNets of the
    pool's NICs that have no NSG of their own; ``nsg_groups``, the resource groups of the NSGs
    that filter the pool's NICs (subnets' ones once ``vnets`` is given). ``rules``: as pool_members."""
    members = pool_members(pool_id, pool_key, nics, rules)
    subnet_nsgs = subnet_security_groups(vnets)
    nsg_ids = [filtering_security_group(m, subnet_nsgs) for m in members]
    return {"vnet_groups": _unique_groups(m["subnet"] for m in members if not m["security_group"]),
            "nsg_groups": _unique_groups(nsg_ids)}


def _unique_groups(resource_ids):
    groups = {}
    for rid in resource_ids:
        group = group_of(rid)
        if group:
            groups.setdefault(group.lower(), group)
    return sorted(groups.values(), key=str.lower)


def free_priorities(rules, ignore=()):
    """Inbound priorities a Deny rule may take to beat every inbound Allow rule of an NSG (its
    to_dict() ``rules``), highest first, so the low numbers stay the user's. ``ignore``: names
    (lower case) of rules about to go."""
    inbound = [r for r in rules or [] if (r.get("direction") or "").lower() == "inbound"
               and (r.get("name") or "").lower() not in ignore]
    taken = {r.get("priority") for r in inbound}
    allows = [r["priority"] for r in inbound if (r.get("access") or "").lower() == "allow" and r.get("priority")]
    ceiling = min(allows, default=PRIORITY_MAX + 1)
    return [p for p in range(ceiling - 1, PRIORITY_MIN - 1, -1) if p not in taken], ceiling


def drain_rules(members, queue, ports, security_groups, vnets=None):
    """Per pool member, the Deny rule that keeps the load balancer's probe off it: ``rules``
    {VM: {name, security_group, resource_group, priority, source, destination, ports, leftover}},
    None for a member no NSG filters. ``leftover``: the NSG holds that rule now (a killed run left
    it). Members of ``queue`` (the probe drain's VMs) get distinct free priorities; ``problems``
    says why one cannot."""
    subnet_nsgs = subnet_security_groups(vnets)
    by_id = {(n.get("id") or "").lower(): n for n in security_groups or []}
    names = {m["name"]: drain_rule_name(m["nic"]) for m in members}
    ours = {name.lower() for name in names.values()}
    found, problems, pools = {}, [], {}
    for member in members:
        nsg_id = filtering_security_group(member, subnet_nsgs)
        nsg = by_id.get((nsg_id or "").lower())
        if not nsg:
            found[member["name"]] = None
            continue
        rule = names[member["name"]]
        found[member["name"]] = {
            "name": rule, "security_group": nsg["name"], "resource_group": group_of(nsg["id"]), "priority": None,
            "source": "AzureLoadBalancer", "destination": member.get("private_ip_address"), "ports": list(ports),
            "leftover": any((r.get("name") or "").lower() == rule.lower() for r in nsg.get("rules") or []),
        }
    by_name = {m["name"]: m for m in members}
    if queue and not ports:
        problems.append("no load balancing rule of the pool has a health probe to deny: set "
                        "rolling_maintenance_drain_method=pool")
    for name in queue:
        entry, member = found.get(name), by_name[name]
        if entry is None:
            problems.append(f"VM {name}: neither its NIC {member['nic']} nor its subnet has a network security group "
                            "to keep the health probe off it: give it one, or set rolling_maintenance_drain_method=pool")
            continue
        if not entry["destination"]:
            problems.append(f"VM {name}: its ip configuration {member['ip_configuration']} has no private IP address")
        key = entry["resource_group"].lower() + "/" + entry["security_group"].lower()
        if key not in pools:
            pools[key] = free_priorities(by_id[filtering_security_group(member, subnet_nsgs).lower()]["rules"], ours)
        free, ceiling = pools[key]
        if not free:
            problems.append(f"VM {name}: security group {entry['security_group']} has no free inbound priority below "
                            f"its first Allow rule ({ceiling}) for the rule that keeps the probe off the VM: free one, "
                            "or set rolling_maintenance_drain_method=pool")
            continue
        entry["priority"] = free.pop(0)
    return {"rules": found, "problems": problems}


def connections(dataplane, ipconfig_id):
    """Established load-balanced connections to one backend, from azemu's data plane status
    (``GET /_azemu/dataplane``); None when it does not list the backend."""
    for backend in (dataplane or {}).get("backends") or []:
        if (backend.get("id") or "").lower() == (ipconfig_id or "").lower():
            return int(backend.get("flows") or 0)
    return None


def finished(member, rollout):
    """Maintained in ``rollout`` already: done tag set and no mark, or a mark of a run of this
    rollout that got past maintenance (the reconcile then only puts it back)."""
    tags = member.get("tags") or {}
    mark = member.get("mark") or {}
    if mark:
        return mark.get("rollout") == rollout and mark.get("phase") == "maintained"
    return bool(rollout) and tags.get(DONE_TAG) == rollout


# --- tag values -----------------------------------------------------------------------------

def encode(fields):
    """A tag value ``k=v;k=v`` (Azure tag values: at most 256 characters)."""
    text = ";".join(f"{key}={value}" for key, value in fields.items() if value is not None and value != "")
    if len(text) > 256:
        raise RollingError(f"tag value longer than Azure's 256 characters: {text[:60]}...")
    return text


def decode(value):
    """The fields of a tag value written by encode(); {} for nothing or anything else."""
    fields = {}
    for part in (value or "").split(";"):
        key, sep, val = part.partition("=")
        if sep and key.strip():
            fields[key.strip()] = val.strip()
    return fields


def check_run_id(run_id):
    if not RUN_ID_RE.match(str(run_id or "")):
        raise RollingError(f"run id {run_id!r} must be 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                           "letter or digit")
    return str(run_id)


def mark_value(run_id, rollout, pool_key, ipconfig, phase, since, method=None, entry=None):
    """The drain mark: which run took the NIC's ip configuration out of which pool, how far it
    got, by which drain method, and (IP-based pools) the name of its entry in the pool, so that
    whoever puts it back undoes that method and rejoins under that name."""
    if phase not in PHASES:
        raise RollingError(f"unknown drain phase {phase!r}")
    return encode({"run": run_id, "rollout": rollout, "pool": pool_key, "ipconfig": ipconfig, "phase": phase,
                   "since": int(since), "method": method, "entry": entry})


def marked(tags, pool_key, run_id, rollout, ipconfig, phase, method, entry, now):
    """A NIC's tags with the drain mark of run ``run_id`` at ``phase``, or None when they have it
    already. A mark of this run keeps its start (``since``), method and entry; a mark of another run or
    pool is refused: an earlier run's is put back first (the role's reconcile)."""
    current = decode(tags.get(MARK_TAG))
    if current and (current.get("run") != run_id or current.get("pool") != pool_key):
        raise RollingError(f"the network interface carries the drain mark of run {current.get('run')} on pool "
                           f"{current.get('pool')} ({tags[MARK_TAG]}): put it back in service first")
    if current and (current.get("phase") == phase or current.get("phase") == "maintained"):
        return None      # a phase never goes back
    if current:
        since, method, entry = current.get("since") or now, current.get("method"), current.get("entry")
    else:
        since = now
    value = mark_value(run_id, rollout, pool_key, ipconfig, phase, since, method, entry)
    return dict(tags, **{MARK_TAG: value})


def done_rollout(mark, run_id, rollout, phase):
    """The rollout to record done on a NIC whose drain ``mark`` (decoded) is cleared: this run's
    when it says the member got past its maintenance (``phase`` maintained), or the mark's own
    phase says so; only for the rollout under way. None: nothing to record."""
    maintained = mark.get("phase") == "maintained" or (phase == "maintained" and mark.get("run") == run_id)
    return rollout if maintained and mark.get("rollout") == rollout else None


def cleared(tags, pool_key, run_id, rollout, phase, keep=False):
    """A NIC's tags once its member is back in service, or None when nothing changes: this
    pool's drain mark removed (with the rollout recorded done, done_rollout), or with ``keep``
    the mark kept, moved on to ``phase`` maintained when it is this run's (the next run's
    reconcile clears it)."""
    current = decode(tags.get(MARK_TAG))
    if not current or current.get("pool") != pool_key:
        return None
    if keep:
        if current.get("run") != run_id or phase != "maintained" or current.get("phase") == phase:
            return None      # a phase never goes back
        return dict(tags, **{MARK_TAG: mark_value(run_id, current.get("rollout"), pool_key, current.get("ipconfig"),
                                                  phase, current.get("since") or 0, current.get("method"),
                                                  current.get("entry"))})
    out = {key: value for key, value in tags.items() if key != MARK_TAG}
    done = done_rollout(current, run_id, rollout, phase)
    if done:
        out[DONE_TAG] = done
    return out


def rollout_value(rollout, pool_key, started):
    return encode({"id": rollout, "pool": pool_key, "started": int(started)})


def choose_rollout(lb_tags, pool_key, run_id, resume=True, started=0):
    """The rollout this run belongs to: the unfinished one of this pool recorded on the load
    balancer when resuming, else a new one named after this run. Returns ``id``, ``resumed``
    and ``tag``, the value that records it on the load balancer."""
    check_run_id(run_id)
    current = (lb_tags or {}).get(ROLLOUT_TAG)
    record = decode(current)
    if resume and record.get("id") and record.get("pool") == pool_key:
        return {"id": record["id"], "resumed": True, "tag": current}
    return {"id": run_id, "resumed": False, "tag": rollout_value(run_id, pool_key, started)}


# --- lock -----------------------------------------------------------------------------------

def lock_value(run_id, expires):
    return encode({"run": run_id, "expires": int(expires)})


def lock_ttl(drain_timeout, maintenance_timeout, health_timeout, pause=0, gate_timeout=0, fixed=0):
    """Seconds a lock is taken for, renewed before each batch: ``fixed`` when set, else the
    longest a batch can take (its gate, the pause before it, drain, maintenance, health)."""
    if int(fixed or 0):
        return int(fixed)
    return (int(drain_timeout) + int(maintenance_timeout) + int(health_timeout) + int(pause) + int(gate_timeout)
            + LOCK_MARGIN)


def lock_decision(current, run_id, now, ttl, break_lock=None):
    """May run ``run_id`` take the load balancer's lock, whose tag value is ``current``?

    It may when the lock is free, its own, expired, or held by ``break_lock`` (the id of a run
    the operator knows is dead: AWX cancelled it, the controller died). Returns ``take``,
    ``reason`` (free, ours, expired, broken, held), ``holder``, ``expires``, a ``message`` fit
    to show the operator, and ``value``: the tag value that holds the lock for ``ttl`` seconds
    from ``now``.
    """
    lock = decode(current)
    holder = lock.get("run")
    try:
        expires = int(lock.get("expires", "0"))
    except ValueError:
        expires = 0
    now = int(now)
    if not holder:
        reason = "free"
    elif holder == run_id:
        reason = "ours"
    elif expires <= now:
        reason = "expired"
    elif break_lock and break_lock == holder:
        reason = "broken"
    else:
        reason = "held"
    messages = {
        "free": "the lock was free",
        "ours": "this run already holds the lock",
        "expired": f"the lock of run {holder} expired {now - expires} s ago; taking it over",
        "broken": f"breaking the lock of run {holder} as asked (break_lock)",
        "held": (f"another rolling maintenance (run {holder}) holds the lock of this load balancer for "
                 f"{expires - now} more seconds. Wait for it to finish; if that run is dead (cancelled, "
                 f"killed), run again with rolling_maintenance_break_lock={holder}"),
    }
    return {"take": reason != "held", "reason": reason, "holder": holder, "expires": expires,
            "message": messages[reason], "value": lock_value(check_run_id(run_id), now + int(ttl))}


# --- summary --------------------------------------------------------------------------------

def summarize(queue, done_before, results, where, stopped=None, policy=None, started=None, ended=None):
    """The closing report, shaped like ``az vmss rolling-upgrade get-latest``.

    ``queue``: the VMs this run was to maintain, in order; ``done_before``: maintained by an
    earlier run of the rollout; ``results``: per VM this run reached, ``status`` (succeeded or
    failed), ``step``, ``msg``, ``out_of_pool_seconds``, ``drain_rule_left`` (the NSG rule
    still keeping the probe off a failed VM); ``where``: per VM, where it is now (in pool or
    not, health, drain mark), read after the run; ``stopped``: why the rollout stopped early,
    if it did.
    """
    vms, counts = [], {"succeeded": 0, "failed": 0, "pending": 0}
    for name in sorted(done_before, key=natural_key):
        vms.append({"name": name, "status": "succeeded", "run": "earlier", **_where(where, name)})
        counts["succeeded"] += 1
    for name in queue:
        result = (results or {}).get(name) or {}
        status = result.get("status") or "pending"
        status = status if status in counts else "failed"
        counts[status] += 1
        entry = {"name": name, "status": status, "run": "this", **_where(where, name)}
        for key in ("step", "msg", "out_of_pool_seconds", "maintenance", "drain_rule_left"):
            if result.get(key) is not None:
                entry[key] = result[key]
        vms.append(entry)
    if counts["failed"] or stopped:
        code = "Faulted"
    elif counts["pending"]:
        code = "RollingForward"
    else:
        code = "Completed"
    error = None
    if counts["failed"] or stopped:
        failed = [f"{v['name']} ({v.get('step', '?')}: {v.get('msg', '')})" for v in vms if v["status"] == "failed"]
        error = "; ".join(filter(None, [stopped, ("failed: " + ", ".join(failed)) if failed else None]))
    return {
        "policy": dict(policy or {}),
        "running_status": {"code": code, "start_time": started, "end_time": ended},
        "progress": {"successful_instance_count": counts["succeeded"], "failed_instance_count": counts["failed"],
                     "in_progress_instance_count": 0, "pending_instance_count": counts["pending"]},
        "error": error,
        "virtual_machines": vms,
        "lines": [_line(v) for v in vms],
    }


def _where(where, name):
    info = (where or {}).get(name) or {}
    return {key: info.get(key) for key in ("in_pool", "health", "marked")}


def _line(vm):
    place = "in pool" if vm.get("in_pool") else "OUT OF POOL"
    health = f", {vm['health']}" if vm.get("health") else ""
    mark = f", marked drained ({vm['marked']})" if vm.get("marked") else ""
    seconds = f", {vm['out_of_pool_seconds']:.1f} s out of pool" if isinstance(
        vm.get("out_of_pool_seconds"), (int, float)) else ""
    rule = f", probe kept off by NSG rule {vm['drain_rule_left']}" if vm.get("drain_rule_left") else ""
    why = f" - {vm.get('step')}: {vm.get('msg')}" if vm["status"] == "failed" else ""
    earlier = " (earlier run)" if vm.get("run") == "earlier" else ""
    return f"{vm['name']}: {vm['status']}{earlier}; {place}{health}{mark}{rule}{seconds}{why}"
