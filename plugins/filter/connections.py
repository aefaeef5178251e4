# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters of the playbooks' test steps: rule_urls, where to connect for each rule of a pool,
and connection_attempts, how many new connections to open, at most, to see one given backend
answer. Their documentation is in the .yml files beside this one."""

from __future__ import annotations

import math

from ansible.errors import AnsibleFilterError


def connection_attempts(backends, miss_odds=1e-6):
    """The smallest n with backends * (1 - 1/backends) ** n <= miss_odds.

    Azure's default distribution hashes each new connection's 5-tuple onto one of the healthy
    backends, each as likely as the others. A given one is missed by n connections with the
    chance (1 - 1/N) ** n; by the union bound, the chance that any of the N is missed is at most
    N times that."""
    try:
        backends, miss_odds = int(backends), float(miss_odds)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(f"connection_attempts takes a number of backends and odds: {exc}") from exc
    if backends < 1 or not 0 < miss_odds < 1:
        raise AnsibleFilterError(f"connection_attempts needs at least one backend and odds between 0 and 1, "
                                 f"got {backends} and {miss_odds}")
    if backends == 1:
        return 1
    return max(1, math.ceil(math.log(miss_odds / backends) / math.log(1 - 1 / backends)))


def rule_urls(load_balancer, backend_pool, port_offset=0):
    """[{rule, url}] for each rule of ``load_balancer`` (as load_balancer_info returns it) that
    sends connections to ``backend_pool``, on its frontend's address and port; ``port_offset`` is
    added to ports below 1024 (where azemu, not run as root, listens)."""
    if not isinstance(load_balancer, dict):
        raise AnsibleFilterError("rule_urls takes a load balancer as cloudlb.azure.load_balancer_info returns it")
    addresses = {(frontend.get("name") or "").lower(): frontend.get("ip_address")
                 for frontend in load_balancer.get("frontend_ip_configurations") or []}
    urls = []
    for rule in load_balancer.get("rules") or []:
        if (rule.get("backend_pool") or "").lower() != str(backend_pool).lower():
            continue
        address = addresses.get((rule.get("frontend_ip_configuration") or "").lower())
        if not address:
            raise AnsibleFilterError(f"the frontend of rule {rule.get('name')} has no address")
        port = int(rule["frontend_port"])
        port += int(port_offset) if port < 1024 else 0
        host = f"[{address}]" if ":" in address else address
        urls.append({"rule": rule["name"], "url": f"http://{host}:{port}/"})
    return urls


class FilterModule:
    def filters(self):
        return {"connection_attempts": connection_attempts, "rule_urls": rule_urls}
