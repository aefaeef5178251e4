"""cloudlb.azure.lb_drain through real ansible-playbook runs, on a lab of VMs serving the app behind
a Standard load balancer (rolling_lab, built with the SDK): each method drained and put back in
service, on a NIC-based and an IP-based pool; a second run writes nothing; check mode writes
nothing; bad options send no request; the Basic SKU is refused admin state by name.

One playbook run per method and pool kind checks several behaviours at once (the lab takes seconds)."""

from __future__ import annotations

import drain_setup
import pytest
import rolling_lab
from lb_setup import task
from playbook_tasks import check, may_fail, with_diff

MARK_TAG, DONE_TAG = "cloudlb-rolling-drained", "cloudlb-rolling-done"
RULE = "cloudlb-drain-myNic1"


def drain_task(lab, task_name, **options):
    defaults = {"load_balancer": rolling_lab.LB, "backend_pool": rolling_lab.POOL, "network_interface": "myNic1",
                "wait_interval": 0.5, "wait_timeout": 90, "drain_timeout": 5,
                "connections_url": f"{lab.azemu.url}/_azemu/dataplane"}
    return task("lb_drain", task_name, resource_group=lab.group, **{**defaults, **options})


def life_cycle(lab, **options):
    """Drain myVM1 (predicted first), drain again, put it back (predicted first), and again."""
    mark = {"run": "run-1", "rollout": "rollout-1"}
    drained = drain_task(lab, "drain", mark=mark, **options)
    back = drain_task(lab, "back", state="in_service", mark=dict(mark, phase="maintained"), **options)
    health = task("lb_health_info", "health", resource_group=lab.group, load_balancer=rolling_lab.LB)
    return [check(with_diff(dict(drained, name="predict drain"))), with_diff(drained), dict(drained, name="again"),
            health, check(dict(back, name="predict back")), back, dict(back, name="back again")]


def assert_life_cycle(run, writes, lab, sdk, kinds):
    """The run of life_cycle's tasks: what each wrote (``kinds``: the resource types of the drain's
    writes), what it returned, and that myVM1 is back with the rollout recorded done."""
    assert run.ok, run.output()
    for name in ("predict drain", "predict back"):
        assert run.task(name)["changed"] and run.during(name, writes) == [], name
    for name in ("again", "back again"):
        assert not run.task(name)["changed"] and run.during(name, writes) == [], (name, run.during(name, writes))
    drained = run.task("drain")
    assert drained["changed"] and [w["type"] for w in run.during("drain", writes)] == kinds, run.during("drain", writes)
    assert drained["diff"]["before"]["mark"] == {} and drained["diff"]["after"]["mark"]["phase"] == "drained"
    assert drained["at"]["out"] <= drained["at"]["drained"] and drained["connections_left"] == 0
    # The prediction is what the drain did.
    assert run.task("predict drain")["member"] == dict(drained["member"], mark=run.task("predict drain")["member"][
        "mark"])
    back = run.task("back")
    assert back["member"]["in_pool"] and back["member"]["admin_state"] == "None" and back["member"]["mark"] == {}
    nic_tags = dict(sdk.network.network_interfaces.get(lab.group, "myNic1").tags or {})
    assert MARK_TAG not in nic_tags and nic_tags[DONE_TAG] == "rollout-1", nic_tags
    assert lab.wait_serving() == sorted(lab.vms)
    return drained["member"]


@pytest.fixture
def lab(make_lab):
    return make_lab(2)


def test_admin_state_on_a_nic_pool(run_playbook, scaled, sdk, lab):
    mark = scaled.mark()
    run = run_playbook(life_cycle(lab))
    member = assert_life_cycle(run, scaled.writes(since=mark), lab, sdk, [
        "Microsoft.Network/networkInterfaces", "Microsoft.Network/loadBalancers/backendAddressPools"])
    # Still in the pool while drained: admin state Down, and the load balancer says why.
    assert member["in_pool"] and member["admin_state"] == "Down" and member["pool_kind"] == "nic", member
    assert member["mark"]["method"] == "admin_state" and member["drain_rule"] is None
    assert drain_setup.reasons(run.task("health")) == {"myVM1": "Down_Admin", "myVM2": "Up_Probe_Success"}


def test_probe_and_pool_on_a_nic_pool(run_playbook, scaled, sdk, lab):
    rule = {"security_group": rolling_lab.NSG, "priority": 1000}
    mark = scaled.mark()
    run = run_playbook(life_cycle(lab, method="probe", drain_rule=rule))
    member = assert_life_cycle(run, scaled.writes(since=mark), lab, sdk, [
        "Microsoft.Network/networkInterfaces", "Microsoft.Network/networkSecurityGroups/securityRules",
        "Microsoft.Network/networkInterfaces"])
    assert not member["in_pool"] and member["drain_rule"] == RULE and member["mark"]["method"] == "probe", member
    deleted = [w for w in run.during("back", scaled.writes(since=mark)) if w["method"] == "DELETE"]
    assert [w["path"].rsplit("/", 1)[-1] for w in deleted] == [RULE]

    mark = scaled.mark()
    run = run_playbook(life_cycle(lab, method="pool"))
    member = assert_life_cycle(run, scaled.writes(since=mark), lab, sdk, [
        "Microsoft.Network/networkInterfaces", "Microsoft.Network/networkInterfaces"])
    assert not member["in_pool"] and member["mark"]["method"] == "pool", member


def test_admin_state_and_pool_on_an_ip_pool(run_playbook, scaled, sdk, lab):
    drain_setup.make_ip_based(sdk, lab)
    pool = "Microsoft.Network/loadBalancers/backendAddressPools"
    mark = scaled.mark()
    run = run_playbook(life_cycle(lab))
    member = assert_life_cycle(run, scaled.writes(since=mark), lab, sdk, ["Microsoft.Network/networkInterfaces", pool])
    assert member["pool_kind"] == "ip" and member["in_pool"] and member["admin_state"] == "Down", member

    mark = scaled.mark()
    run = run_playbook(life_cycle(lab, method="pool"))
    member = assert_life_cycle(run, scaled.writes(since=mark), lab, sdk, ["Microsoft.Network/networkInterfaces", pool])
    assert not member["in_pool"] and member["mark"]["entry"] == "myVM1", member
    # It rejoined under the name it had.
    assert sorted(drain_setup.entries(sdk, lab)) == ["myVM1", "myVM2"]


def test_refusals_name_what_is_wrong(run_playbook, scaled, sdk, lab):
    bad = [drain_task(lab, "no rule", method="probe"),
           drain_task(lab, "no priority", method="probe", drain_rule={"security_group": rolling_lab.NSG}),
           drain_task(lab, "run id", mark={"run": "bad run", "rollout": "r"}),
           drain_task(lab, "timeout", drain_timeout=-1),
           drain_task(lab, "url", connections_url="file:///etc/passwd")]
    mark = scaled.mark()
    run = run_playbook([may_fail(t) for t in bad])
    assert [r["status"] for r in run.records] == ["failed"] * len(bad), run.output()
    assert all(r["result"]["msg"].startswith("Invalid options: ") for r in run.records), run.output()
    assert scaled.requests(since=mark) == []

    drain_setup.make_basic(sdk, lab)
    mark = scaled.mark()
    run = run_playbook([may_fail(drain_task(lab, "basic", load_balancer="basicLb", backend_pool="pool")),
                        may_fail(drain_task(lab, "other run", mark={"run": "run-2", "rollout": "r"},
                                            method="pool"))])
    assert run.task("basic")["msg"].startswith("method=admin_state: Azure has admin state on Standard load "
                                               "balancers only, and this one is Basic; use method=probe"), run.output()
    assert run.record("other run")["status"] == "ok" and scaled.writes(since=mark) != []
    taken = run_playbook([may_fail(drain_task(lab, "taken", mark={"run": "run-3", "rollout": "r"}))])
    assert "carries the drain mark of run run-2" in taken.task("taken")["msg"], taken.output()
