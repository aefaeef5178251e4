"""Hash distribution of new flows over the backends that take them."""

from __future__ import annotations

from collections import Counter

from azemu.dataplane.distribution import choose, flow_key

BACKENDS = [f"/subscriptions/s/resourcegroups/rg/providers/microsoft.network/networkinterfaces/nic{i}"
            "/ipconfigurations/ipconfig1" for i in (1, 2, 3)]


def test_five_tuple_spreads_new_connections_evenly():
    counts = Counter(choose(flow_key("Default", "127.0.0.1", port, "127.224.0.1", 80), BACKENDS)
                     for port in range(40000, 43000))
    assert set(counts) == set(BACKENDS)
    assert all(800 <= n <= 1200 for n in counts.values()), counts


def test_same_tuple_same_backend():
    key = flow_key("Default", "127.0.0.1", 40001, "127.224.0.1", 80)
    assert len({choose(key, BACKENDS) for _ in range(10)}) == 1


def test_source_ip_modes_ignore_the_source_port():
    for mode in ("SourceIP", "SourceIPProtocol"):
        picks = {choose(flow_key(mode, "127.0.0.1", port, "127.224.0.1", 80), BACKENDS) for port in range(40000, 40200)}
        assert len(picks) == 1, mode
    spread = {choose(flow_key("SourceIP", f"127.0.0.{i}", 40000, "127.224.0.1", 80), BACKENDS) for i in range(1, 60)}
    assert spread == set(BACKENDS)


def test_a_backend_leaving_moves_only_its_own_flows():
    keys = [flow_key("Default", "127.0.0.1", port, "127.224.0.1", 80) for port in range(40000, 41000)]
    before = {k: choose(k, BACKENDS) for k in keys}
    after = {k: choose(k, BACKENDS[:2]) for k in keys}
    moved = [k for k in keys if before[k] != after[k]]
    assert moved and all(before[k] == BACKENDS[2] for k in moved)


def test_nothing_to_choose_from():
    assert choose("k", []) is None
