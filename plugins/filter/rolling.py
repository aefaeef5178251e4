# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters of the rolling_maintenance role: thin wrappers over module_utils/_rolling.py,
where the decisions live and are unit-tested. Their documentation is in the .yml files beside
this one."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudlb.azure.plugins.module_utils import _rolling


def _guard(function):
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except _rolling.RollingError as exc:
            raise AnsibleFilterError(str(exc)) from exc

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def rolling_serial(value):
    return _rolling.parse_serial(value)


def rolling_rollout(lb_tags, pool_key, run_id, resume=True, started=0):
    return _rolling.choose_rollout(lb_tags, pool_key, run_id, resume, started)


def rolling_prepare(nics, rules, pool_id, pool_key, run_id, rollout, serial=1, min_healthy=1, max_failed=0,
                    unhealthy_first=False, drain_method="pool", lb=None, security_groups=None, vnets=None):
    return _rolling.prepare(nics, rules, pool_id, pool_key, run_id, rollout, serial, min_healthy, max_failed,
                            unhealthy_first, drain_method, lb, security_groups, vnets)


def rolling_drain_reads(nics, pool_id, pool_key, vnets=None, rules=None):
    return _rolling.drain_reads(nics, pool_id, pool_key, vnets, rules)


def rolling_gate(rules, batch, members, min_healthy=1, names=None):
    return _rolling.gate(rules, batch, members, min_healthy, names)


def rolling_lock(current, run_id, now, ttl, break_lock=None):
    return _rolling.lock_decision(current, run_id, now, ttl, break_lock or None)


def rolling_lock_ttl(fixed=0, drain_timeout=0, maintenance_timeout=0, health_timeout=0, gate_timeout=0, pause=0):
    return _rolling.lock_ttl(drain_timeout, maintenance_timeout, health_timeout, pause, gate_timeout, fixed)


def rolling_tag(value):
    return _rolling.decode(value)


def rolling_mark(run_id, rollout, pool, ipconfig, phase, since):
    return _rolling.mark_value(run_id, rollout, pool, ipconfig, phase, since)


def rolling_connections(dataplane, ipconfig_id):
    return _rolling.connections(dataplane, ipconfig_id)


def rolling_summary(results, queue, done_before, nics, rules, pool_id, pool_key, stopped=None, policy=None,
                    started=None, ended=None):
    where = _rolling.locate(_rolling.pool_members(pool_id, pool_key, nics, rules), rules)
    return _rolling.summarize(queue, done_before, results, where, stopped or None, policy, started, ended)


class FilterModule:
    def filters(self):
        return {function.__name__: _guard(function) for function in (
            rolling_serial, rolling_rollout, rolling_prepare, rolling_drain_reads, rolling_gate, rolling_lock, rolling_lock_ttl,
            rolling_tag, rolling_mark, rolling_connections, rolling_summary)}
