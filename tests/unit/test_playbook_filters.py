"""The filters of the playbooks' test steps: how many new connections to open before calling a
VM silent (connection_attempts), and where each rule of a pool is reached (rule_urls)."""

from __future__ import annotations

import random

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudlb.azure.plugins.filter.connections import connection_attempts, rule_urls


@pytest.mark.parametrize("backends", [2, 3, 5, 10, 20, 50, 100, 250])
def test_the_attempts_bound_the_chance_of_missing_any_backend(backends):
    n = connection_attempts(backends)
    miss_any = backends * (1 - 1 / backends) ** n           # union bound over the backends
    assert miss_any <= 1e-6 < backends * (1 - 1 / backends) ** (n - 1), "the smallest such n"


def test_known_values_and_the_fixed_30_they_replace():
    assert [connection_attempts(n) for n in (1, 3, 20)] == [1, 37, 328]
    # The former fixed 30 retries left a VM among 20 unseen about one time in five (0.95 ** 30).
    assert connection_attempts(20) > 10 * 30
    assert connection_attempts("5", "0.001") == connection_attempts(5, 0.001)


@pytest.mark.parametrize("args", [(0,), (3, 0), (3, 1), ("many",)])
def test_nonsense_is_refused(args):
    with pytest.raises(AnsibleFilterError):
        connection_attempts(*args)


def test_azemus_hash_spreads_new_connections_evenly_as_the_bound_assumes():
    """The bound assumes each backend as likely as the others for each new connection: azemu's
    5-tuple hash (as Azure's) does that for the ephemeral source ports a client uses."""
    from azemu.dataplane.distribution import choose, flow_key

    backends = [f"/nic{i}/ipconfigurations/ipconfig1" for i in range(20)]
    draws = 20000
    rng = random.Random(14)
    counts = dict.fromkeys(backends, 0)
    for _draw in range(draws):
        counts[choose(flow_key(None, "127.0.0.1", rng.randrange(32768, 60999), "127.224.0.9", 80), backends)] += 1
    expected = draws / len(backends)
    assert all(abs(count - expected) < 0.15 * expected for count in counts.values()), counts


LB = {
    "frontend_ip_configurations": [{"name": "front", "ip_address": "203.0.113.10"},
                                   {"name": "other", "ip_address": "2001:db8::1"}],
    "rules": [
        {"name": "http", "frontend_ip_configuration": "front", "backend_pool": "pool", "frontend_port": 80},
        {"name": "alt", "frontend_ip_configuration": "Front", "backend_pool": "POOL", "frontend_port": 8080},
        {"name": "v6", "frontend_ip_configuration": "other", "backend_pool": "pool", "frontend_port": 443},
        {"name": "elsewhere", "frontend_ip_configuration": "front", "backend_pool": "admin", "frontend_port": 22},
    ],
}


def test_rule_urls_are_the_rules_of_the_pool_on_their_frontends():
    assert rule_urls(LB, "pool") == [
        {"rule": "http", "url": "http://203.0.113.10:80/"},
        {"rule": "alt", "url": "http://203.0.113.10:8080/"},
        {"rule": "v6", "url": "http://[2001:db8::1]:443/"},
    ]
    # azemu without root: ports below 1024 are offset, the others are not.
    offset = [u["url"] for u in rule_urls(LB, "pool", 8000)][:2]
    assert offset == ["http://203.0.113.10:8080/", "http://203.0.113.10:8080/"]
    assert rule_urls(LB, "none") == []


def test_rule_urls_refuse_a_frontend_without_an_address():
    lb = {"frontend_ip_configurations": [{"name": "front", "ip_address": None}], "rules": LB["rules"][:1]}
    with pytest.raises(AnsibleFilterError, match="has no address"):
        rule_urls(lb, "pool")
