"""The drain protocol's pure parts (plugins/module_utils/_lb_drain.py, the mark in _rolling.py) and
lb_drain's option checks, without Azure."""

from __future__ import annotations

import io

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils import _lb_drain as d
from ansible_collections.cloudlb.azure.plugins.module_utils import _rolling as r
from ansible_collections.cloudlb.azure.plugins.modules.lb_drain import option_problems

KEY = "myLB/myPool"
LB = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/myLB"
POOL = f"{LB}/backendAddressPools/myPool"


def test_a_mark_is_set_once_moves_on_and_never_goes_back():
    tags = r.marked({"keep": "me"}, KEY, "run1", "roll", "ipconfig1", "drained", "admin_state", None, 100.5)
    mark = r.decode(tags[r.MARK_TAG])
    assert tags["keep"] == "me"
    assert mark == {"run": "run1", "rollout": "roll", "pool": KEY, "ipconfig": "ipconfig1", "phase": "drained",
                    "since": "100", "method": "admin_state"}
    assert r.marked(tags, KEY, "run1", "roll", "ipconfig1", "drained", "admin_state", None, 200) is None
    later = r.marked(tags, KEY, "run1", "roll", "ipconfig1", "maintained", "probe", "e1", 200)
    # The start and the method it was drained by stay.
    assert r.decode(later[r.MARK_TAG]) == dict(mark, phase="maintained")
    assert r.marked(later, KEY, "run1", "roll", "ipconfig1", "drained", "admin_state", None, 300) is None


@pytest.mark.parametrize("run, pool", [("run2", KEY), ("run1", "myLB/other")])
def test_a_mark_of_another_run_or_pool_is_refused(run, pool):
    tags = {r.MARK_TAG: r.mark_value("run1", "roll", KEY, "ipconfig1", "drained", 1)}
    with pytest.raises(r.RollingError, match="carries the drain mark of run run1 on pool myLB/myPool"):
        r.marked(tags, pool, run, "roll", "ipconfig1", "drained", "pool", None, 2)


def test_clearing_records_the_rollout_done_only_past_maintenance_in_this_rollout():
    drained = {r.MARK_TAG: r.mark_value("run1", "roll", KEY, "ipconfig1", "drained", 1), "x": "y"}
    maintained = {r.MARK_TAG: r.mark_value("run1", "roll", KEY, "ipconfig1", "maintained", 1)}
    # This run's mark, and the run says it got past the maintenance: done.
    assert r.cleared(drained, KEY, "run1", "roll", "maintained") == {"x": "y", r.DONE_TAG: "roll"}
    # Put back before its maintenance (a reconcile of a drained mark): not done.
    assert r.cleared(drained, KEY, "run2", "roll", "drained") == {"x": "y"}
    assert r.cleared(drained, KEY, "run2", "roll", "maintained") == {"x": "y"}
    # A dead run's mark that got past maintenance: done, in its rollout only.
    assert r.cleared(maintained, KEY, "run2", "roll", "drained") == {r.DONE_TAG: "roll"}
    assert r.cleared(maintained, KEY, "run2", "other", "drained") == {}
    # No mark, or another pool's: nothing to do.
    assert r.cleared({"x": "y"}, KEY, "run1", "roll", "maintained") is None
    assert r.cleared(drained, "myLB/other", "run1", "roll", "maintained") is None


def test_keep_moves_this_runs_mark_on_and_leaves_the_rest():
    drained = {r.MARK_TAG: r.mark_value("run1", "roll", KEY, "ipconfig1", "drained", 1, "probe")}
    kept = r.cleared(drained, KEY, "run1", "roll", "maintained", keep=True)
    assert r.decode(kept[r.MARK_TAG])["phase"] == "maintained" and r.decode(kept[r.MARK_TAG])["method"] == "probe"
    assert r.cleared(drained, KEY, "run1", "roll", "drained", keep=True) is None
    assert r.cleared(drained, KEY, "run2", "roll", "maintained", keep=True) is None


def test_probe_ports_are_those_of_the_rules_sending_to_the_pool():
    lb = {"properties": {
        "probes": [{"id": f"{LB}/probes/http", "properties": {"port": 80}},
                   {"id": f"{LB}/probes/alt", "properties": {"port": 8080}},
                   {"id": f"{LB}/probes/unused", "properties": {"port": 22}}],
        "loadBalancingRules": [
            {"properties": {"backendAddressPool": {"id": POOL.upper()}, "probe": {"id": f"{LB}/probes/http"}}},
            {"properties": {"backendAddressPools": [{"id": POOL}], "probe": {"id": f"{LB}/probes/alt"}}},
            {"properties": {"backendAddressPool": {"id": POOL}}},
            {"properties": {"backendAddressPool": {"id": f"{LB}/backendAddressPools/other"},
                            "probe": {"id": f"{LB}/probes/unused"}}}]}}
    assert d.probe_ports(lb, POOL) == ["80", "8080"]
    assert d.probe_ports({}, POOL) == []


def test_admin_state_is_refused_by_name_where_azure_has_none():
    assert d.admin_state_refusal("Standard") is None
    assert d.admin_state_refusal("Basic").startswith("method=admin_state: Azure has admin state on Standard")


class Clock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def status(flows):
    return io.BytesIO(('{"backends": [{"id": "IPC", "flows": %d}]}' % flows).encode())


def test_the_connection_wait_ends_when_they_do_or_at_the_timeout():
    counts = iter([3, 1, 0])
    clock = Clock()
    assert d.wait_for_connections("https://x", "ipc", 10, 1, lambda _u: status(next(counts)), clock, clock.sleep) == 0
    assert clock.slept == [1, 1]
    clock = Clock()
    assert d.wait_for_connections("https://x", "ipc", 2.5, 1, lambda _u: status(2), clock, clock.sleep) == 2
    assert clock.slept == [1, 1, 0.5]
    # Without counts, the whole timeout, and nothing is known of what is left.
    clock = Clock()
    assert d.wait_for_connections(None, "ipc", 7, 1, None, clock, clock.sleep) is None and clock.slept == [7]


def params(**changes):
    base = {"resource_group": "rg", "load_balancer": "lb", "backend_pool": "pool", "ip_configuration": None,
            "address_name": None, "method": "admin_state", "state": "drained", "drain_rule": None, "mark": None,
            "drain_timeout": 30, "drain_poll": 1, "wait_interval": 5, "connections_url": None}
    return {**base, **changes}


def test_options_are_checked_before_any_request():
    assert option_problems(params()) == []
    rule = {"security_group": "nsg", "resource_group": None, "name": None, "priority": None}
    assert option_problems(params(method="probe")) == [
        "method=probe needs drain_rule (the security group to deny the health probe in)"]
    assert option_problems(params(method="probe", drain_rule=rule)) == [
        "method=probe needs drain_rule.priority to create the rule"]
    # Putting back needs no priority: the rule is only deleted.
    assert option_problems(params(method="probe", state="in_service", drain_rule=rule)) == []
    problems = option_problems(params(drain_rule=dict(rule, priority=99), mark={"run": "a b", "rollout": "r"},
                                      drain_timeout=-1, wait_interval=0, connections_url="ftp://x"))
    assert [p.split(" ")[0] for p in problems] == ["drain_rule.priority", "mark.run:", "drain_timeout",
                                                   "wait_interval", "connections_url"], problems
