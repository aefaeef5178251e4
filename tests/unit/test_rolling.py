"""The rolling maintenance's decisions (plugins/module_utils/_rolling.py), without Azure."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleFilterError
from ansible.executor.playbook_executor import PlaybookExecutor

from ansible_collections.cloudlb.azure.plugins.filter.rolling import FilterModule
from ansible_collections.cloudlb.azure.plugins.module_utils import _rolling as r

POOL = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/myLB/backendAddressPools/myPool"
OTHER_POOL = POOL.replace("myPool", "otherPool")
KEY = "myLB/myPool"


NET = "/subscriptions/s/resourceGroups/{}/providers/Microsoft.Network"
SUBNET = NET.format("rg-net") + "/virtualNetworks/myVnet/subnets/mySubnet"
NSG = NET.format("rg-nsg") + "/networkSecurityGroups/myNSG"


def nic(n, pools=(POOL,), tags=None, vm=True, configs=("ipconfig1",), nsg=None):
    nic_id = f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/myNic{n}"
    return {
        "id": nic_id, "name": f"myNic{n}", "tags": dict(tags or {}), "security_group": nsg,
        "virtual_machine": f"/subscriptions/s/resourceGroups/rg-vms/providers/Microsoft.Compute/virtualMachines/myVM{n}"
        if vm else None,
        "ip_configurations": [{"id": f"{nic_id}/ipConfigurations/{c}", "name": c, "subnet": SUBNET,
                               "private_ip_address": f"10.0.0.{n + 3}",
                               "load_balancer_backend_address_pools": list(pools) if i == 0 else []}
                              for i, c in enumerate(configs)],
    }


def rules(*states, extra=()):
    """lb_health_info's rules: one rule whose backend myVM{i+1} has states[i]."""
    backends = [{"virtual_machine": f"myVM{i + 1}", "network_interface": f"myNic{i + 1}", "state": s,
                 "reason": "Up_Probe_Success" if s == "Up" else "Down_Probe_HttpEndpointUnreachable"}
                for i, s in enumerate(states)]
    return [{"name": "rule", "backends": backends}, *extra]


# --- serial ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (None, [1]), ("", [1]), (1, [1]), (3, [3]), ("2", [2]), ("50%", ["50%"]), ([1, "50%"], [1, "50%"]),
    ("1,50%", [1, "50%"]), ("[1, '50%']", [1, "50%"]), ('[1, "25%", 100%]', [1, "25%", "100%"]),
    (2.0, [2]), (["1", " 30 % "], [1, "30%"]),
])
def test_serial_accepts_counts_percentages_and_ramps(value, expected):
    assert r.parse_serial(value) == expected


@pytest.mark.parametrize("value, why", [
    (0, "at least 1"), (-1, "at least 1"), ("0%", "1% to 100%"), ("150%", "1% to 100%"), ("5.5%", "whole number"),
    ("abc", "count"), (True, "count or a percentage"), ([1, "x"], "count"), ("[]", "empty"),
])
def test_serial_refuses_what_ansible_cannot_batch(value, why):
    with pytest.raises(r.RollingError, match=why):
        r.parse_serial(value)


def ansible_batches(serial, hosts):
    """What ansible-playbook's own PlaybookExecutor makes of `serial`."""
    executor = SimpleNamespace(_inventory=SimpleNamespace(get_hosts=lambda pattern, order: list(hosts)))
    play = SimpleNamespace(hosts="all", order="inventory", serial=list(serial))
    return PlaybookExecutor._get_serialized_batches(executor, play)


@pytest.mark.parametrize("serial", [[1], [2], ["50%"], [1, "50%"], ["10%"], [1, 2, "100%"], ["33%", 1], [5]])
@pytest.mark.parametrize("total", [1, 2, 3, 6, 7, 10])
def test_batches_are_the_ones_ansible_runs(serial, total):
    hosts = [f"vm{i}" for i in range(total)]
    assert r.batches(hosts, serial) == ansible_batches(serial, hosts)


def test_batch_sizes_of_the_issue_examples():
    assert r.batch_sizes(1, 3) == [1, 1, 1]
    assert r.batch_sizes("50%", 6) == [3, 3]
    assert r.batch_sizes([1, "50%"], 6) == [1, 3, 2]
    assert r.batch_sizes(1, 0) == []


# --- counts ---------------------------------------------------------------------------------

def test_min_healthy_rounds_percentages_up_and_never_allows_zero():
    assert r.required_healthy(3, 6) == 3
    assert r.required_healthy("50%", 5) == 3
    assert r.required_healthy("50%", 6) == 3
    assert r.required_healthy(0, 3) == 1          # never the last healthy one
    assert r.required_healthy("0%", 3) == 1
    with pytest.raises(r.RollingError, match="min_healthy"):
        r.required_healthy("lots", 3)


def test_max_failed_is_a_count_or_a_percentage_rounded_down():
    assert r.max_failures(0, 10) == 0
    assert r.max_failures(None, 10) == 0
    assert r.max_failures("2", 10) == 2
    assert r.max_failures("25%", 10) == 2
    assert r.max_failures("10%", 5) == 0
    with pytest.raises(r.RollingError, match="negative"):
        r.max_failures(-1, 3)
    with pytest.raises(r.RollingError, match="count"):
        r.max_failures("many", 3)


# --- health and gate ------------------------------------------------------------------------

def test_a_vm_is_healthy_only_when_up_in_every_rule_that_has_it():
    second = {"name": "https", "backends": [{"virtual_machine": "myVM1", "state": "Down"},
                                            {"virtual_machine": "myVM2", "state": "Up"}]}
    assert r.healthy_members(rules("Up", "Up", "Up", extra=[second])) == ["myVM2", "myVM3"]
    assert r.healthy_members(rules("Up", "Up", "Up"), members=["myVM1", "myVM3"]) == ["myVM1", "myVM3"]
    assert r.health_of(rules("Up", "Down", extra=[second])) == {
        "myVM1": "Down (None)", "myVM2": "Down (Down_Probe_HttpEndpointUnreachable)"}


def test_gate_keeps_min_healthy_serving():
    members = ["myVM1", "myVM2", "myVM3"]
    opened = r.gate(rules("Up", "Up", "Up"), ["myVM1"], members, 2)
    assert opened["ok"] and opened["remaining"] == 2 and opened["required"] == 2, opened
    closed = r.gate(rules("Up", "Down", "Up"), ["myVM1"], members, 2)
    assert not closed["ok"] and closed["remaining"] == 1
    assert closed["message"].startswith("gate closed: 2 of 3 members healthy (myVM1, myVM3); taking out myVM1 "
                                        "leaves 1 healthy, 2 required")


def test_gate_never_drains_the_last_healthy_member_but_lets_unhealthy_ones_go():
    members = ["myVM1", "myVM2"]
    assert not r.gate(rules("Up", "Down"), ["myVM1"], members, 0)["ok"]
    assert r.gate(rules("Up", "Down"), ["myVM2"], members, 2)["ok"]      # serves nothing: may go
    assert not r.gate(rules("Down", "Down"), ["myVM1"], members, 1)["leaving"]


def test_gate_for_a_batch_of_three_of_six():
    members = [f"myVM{i}" for i in range(1, 7)]
    assert r.gate(rules(*["Up"] * 6), ["myVM1", "myVM2", "myVM3"], members, 3)["ok"]
    assert not r.gate(rules(*["Up"] * 5, "Down"), ["myVM1", "myVM2", "myVM3"], members, 3)["ok"]


def unresolved(rules_, nics):
    """``rules_`` as lb_health_info returns them with resolve: false: no VM names, the ip
    configuration (looked up in ``nics``) and address of each backend instead."""
    configs = {f"myVM{n['name'][len('myNic'):]}": n["ip_configurations"][0] for n in nics}
    return [{**rule, "backends": [{"virtual_machine": None, "network_interface": b["network_interface"],
                                   "ip_configuration": configs[b["virtual_machine"]]["id"].upper(),
                                   "ip_address": configs[b["virtual_machine"]]["private_ip_address"],
                                   "state": b["state"], "reason": b["reason"]} for b in rule["backends"]]}
            for rule in rules_]


def test_rules_without_vm_names_name_members_by_ip_configuration():
    nics = [nic(1), nic(2), nic(3)]
    health = unresolved(rules("Up", "Down", "Up"), nics)
    members = r.pool_members(POOL, KEY, nics, health)
    assert [(m["name"], m["healthy"]) for m in members] == [("myVM1", True), ("myVM2", False), ("myVM3", True)]
    names = r.prepare(nics, health, POOL, KEY, "run-b", "run-b", 1, 1)["backend_names"]
    assert names == r.member_names(members) and names["10.0.0.4"] == "myVM1"
    assert r.gate(health, ["myVM1"], ["myVM1", "myVM2", "myVM3"], 2, names) == r.gate(
        rules("Up", "Down", "Up"), ["myVM1"], ["myVM1", "myVM2", "myVM3"], 2)
    assert not r.gate(health, ["myVM1"], ["myVM1", "myVM2", "myVM3"], 2)["healthy"]      # unnamed: nobody counts
    # An IP-based pool's backend may have no ip configuration: its address names it.
    by_address = [{**rule, "backends": [{**b, "ip_configuration": None} for b in rule["backends"]]} for rule in health]
    assert r.healthy_members(by_address, names=names) == ["myVM1", "myVM3"]
    assert r.locate(members, health)["myVM2"]["health"] == "Down (Down_Probe_HttpEndpointUnreachable)"


# --- members, order, plan -------------------------------------------------------------------

def test_pool_members_are_the_nics_in_the_pool_and_those_this_pool_marked():
    mark = r.mark_value("run1", "run1", KEY, "ipconfig1", "drained", 100)
    other_mark = r.mark_value("run9", "run9", "myLB/otherPool", "ipconfig1", "drained", 100)
    found = r.pool_members(POOL, KEY, [
        nic(1), nic(2, pools=(), tags={r.MARK_TAG: mark}), nic(3, pools=(OTHER_POOL,)),
        nic(4, vm=False), nic(10, pools=(POOL.upper(),)), nic(5, pools=(), tags={r.MARK_TAG: other_mark}),
    ], rules("Up", "Up"))
    assert [m["name"] for m in found] == ["myVM1", "myVM2", "myVM10"]
    first, second, tenth = found
    assert first == {"name": "myVM1", "resource_group": "rg-vms", "nic": "myNic1", "nic_resource_group": "rg",
                     "nic_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/myNic1",
                     "ip_configuration": "ipconfig1", "ip_configuration_id": first["ip_configuration_id"],
                     "in_pool": True, "tags": {}, "mark": {}, "healthy": True, "private_ip_address": "10.0.0.4",
                     "subnet": SUBNET, "security_group": None}
    assert first["ip_configuration_id"].endswith("/networkInterfaces/myNic1/ipConfigurations/ipconfig1")
    assert not second["in_pool"] and second["mark"]["run"] == "run1" and second["healthy"]
    assert tenth["in_pool"] and not tenth["healthy"]


def test_a_mark_of_another_pool_is_not_this_pools_business():
    other = r.mark_value("run9", "run9", "myLB/otherPool", "ipconfig1", "drained", 100)
    [member] = r.pool_members(POOL, KEY, [nic(1, tags={r.MARK_TAG: other})], [])
    assert member["mark"] == {} and r.MARK_TAG not in member["tags"]


def test_order_is_natural_and_optionally_unhealthy_first():
    members = [{"name": n, "healthy": h} for n, h in (("myVM10", True), ("myVM2", True), ("myVM1", False))]
    assert r.order(members) == ["myVM1", "myVM2", "myVM10"]
    members[1]["healthy"] = False
    assert r.order(members, unhealthy_first=True) == ["myVM1", "myVM2", "myVM10"]
    members[0]["healthy"], members[2]["healthy"] = False, True
    assert r.order(members, unhealthy_first=True) == ["myVM2", "myVM10", "myVM1"]


def test_plan_reconciles_marked_vms_and_skips_those_done_in_this_rollout():
    drained = r.mark_value("run1", "roll", KEY, "ipconfig1", "drained", 100)
    maintained = r.mark_value("run1", "roll", KEY, "ipconfig1", "maintained", 100)
    members = r.pool_members(POOL, KEY, [
        nic(1, tags={r.DONE_TAG: "roll"}), nic(2, pools=(), tags={r.MARK_TAG: maintained}),
        nic(3, pools=(), tags={r.MARK_TAG: drained}), nic(4, tags={r.DONE_TAG: "older"}), nic(5), nic(6),
    ], rules(*["Up"] * 6))
    steps = r.plan(members, 1, 2, "roll")
    assert steps["reconcile"] == ["myVM2", "myVM3"]
    assert steps["done"] == ["myVM1", "myVM2"]
    assert steps["queue"] == ["myVM3", "myVM4", "myVM5", "myVM6"]
    assert steps["batches"] == [["myVM3"], ["myVM4"], ["myVM5"], ["myVM6"]]
    assert steps["problems"] == [] and steps["pool_size"] == 6 and steps["required_healthy"] == 2
    # A new rollout does everything again.
    assert r.plan(members, 1, 2, "new")["queue"] == ["myVM1", "myVM2", "myVM3", "myVM4", "myVM5", "myVM6"]


def test_plan_refuses_batches_that_could_never_pass_the_gate():
    members = r.pool_members(POOL, KEY, [nic(i) for i in range(1, 7)], rules(*["Up"] * 6))
    assert r.plan(members, "50%", 3, "x")["problems"] == []
    [problem] = r.plan(members, "50%", 4, "x")["problems"]
    assert problem.startswith("serial ['50%'] makes a batch of 3 of the 6 members, leaving 3 when 4 must stay healthy")
    one = r.pool_members(POOL, KEY, [nic(1)], rules("Up"))
    assert "never the last healthy one" in r.plan(one, 1, 0, "x")["problems"][0]


def test_plan_refuses_a_vm_twice_in_the_pool():
    members = r.pool_members(POOL, KEY, [nic(1, configs=("a", "b")), nic(2)], [])
    members[1]["name"] = "myVM1"
    assert "VM myVM1 is in the pool more than once" in r.plan(members, 1, 1, "x")["problems"][0]


def test_a_run_resumes_the_unfinished_rollout_of_the_same_pool():
    lb_tags = {r.ROLLOUT_TAG: r.rollout_value("run-a", KEY, 50)}
    assert r.choose_rollout(lb_tags, KEY, "run-b", True, 99) == {
        "id": "run-a", "resumed": True, "tag": "id=run-a;pool=myLB/myPool;started=50"}
    assert r.choose_rollout(lb_tags, KEY, "run-b", False, 99) == {
        "id": "run-b", "resumed": False, "tag": "id=run-b;pool=myLB/myPool;started=99"}
    assert r.choose_rollout(lb_tags, "myLB/otherPool", "run-b", True, 99)["id"] == "run-b"
    assert r.choose_rollout({}, KEY, "run-b")["resumed"] is False
    with pytest.raises(r.RollingError, match="run id"):
        r.choose_rollout({}, KEY, "bad id;x")


def test_prepare_plans_the_rollout_it_belongs_to():
    nics = [nic(1, tags={r.DONE_TAG: "run-a"}), nic(2), nic(3)]
    resumed = r.prepare(nics, rules("Up", "Up", "Up"), POOL, KEY, "run-b", "run-a", 1, 2, "50%")
    assert resumed["queue"] == ["myVM2", "myVM3"] and resumed["done"] == ["myVM1"]
    assert resumed["max_failures"] == 1 and resumed["serial"] == [1] and resumed["rollout"] == "run-a"
    assert [m["name"] for m in resumed["members"]] == ["myVM1", "myVM2", "myVM3"]
    fresh = r.prepare(nics, rules("Up", "Up", "Up"), POOL, KEY, "run-b", "run-b", [1, "50%"], 2)
    assert fresh["queue"] == ["myVM1", "myVM2", "myVM3"] and fresh["batches"] == [["myVM1"], ["myVM2"], ["myVM3"]]


# --- drain rules ----------------------------------------------------------------------------

LB = {"probes": [{"name": "web", "port": 80}, {"name": "api", "port": 8080}, {"name": "unused", "port": 22}],
      "rules": [{"name": "http", "backend_pool": "MYPOOL", "probe": "web"},
                {"name": "api", "backend_pool": "myPool", "probe": "api"},
                {"name": "other", "backend_pool": "otherPool", "probe": "unused"}]}


def nsg_rule(name, priority, access="Allow", direction="Inbound"):
    return {"name": name, "priority": priority, "access": access, "direction": direction}


def security_group(*rules_, nsg_id=NSG):
    return {"id": nsg_id, "name": nsg_id.rsplit("/", 1)[-1], "rules": list(rules_)}


def vnet(nsg_id=None):
    return {"subnets": [{"id": SUBNET.upper(), "security_group": nsg_id}]}


def drain(nics, nsgs, vnets=None, method="probe", serial=1, run="run-b", rollout="run-b"):
    return r.prepare(nics, rules("Up", "Up", "Up"), POOL, KEY, run, rollout, serial, 1, 0, False, method, LB, nsgs,
                     vnets)


def test_drain_rule_names_come_from_the_nic_and_fit_azures_limit():
    assert r.drain_rule_name("myNic1") == "cloudlb-drain-myNic1"
    long = r.drain_rule_name("n" * 80)
    assert len(long) == 80 and long.startswith("cloudlb-drain-nnn") and long != r.drain_rule_name("n" * 79 + "m")


def test_the_probe_ports_are_those_of_the_pools_rules():
    assert r.probe_ports(LB, POOL) == ["80", "8080"]
    assert r.probe_ports(LB, OTHER_POOL) == ["22"] and r.probe_ports({}, POOL) == []


def test_each_vm_gets_a_deny_rule_beating_every_allow_rule_at_distinct_free_priorities():
    nsgs = [security_group(nsg_rule("ssh", 900), nsg_rule("http", 1001), nsg_rule("deny", 899, "Deny"),
                           nsg_rule("out", 898, "Allow", "Outbound"))]
    plan = drain([nic(n, nsg=NSG) for n in (1, 2, 3)], nsgs)
    assert plan["problems"] == [] and plan["drain_method"] == "probe"
    found = {m["name"]: m["drain_rule"] for m in plan["members"]}
    assert found["myVM1"] == {"name": "cloudlb-drain-myNic1", "security_group": "myNSG", "resource_group": "rg-nsg",
                              "priority": 898, "source": "AzureLoadBalancer", "destination": "10.0.0.4",
                              "ports": ["80", "8080"], "leftover": False}
    # Below ssh (900), skipping the inbound 899; an outbound rule's priority is no obstacle.
    assert [found[vm]["priority"] for vm in ("myVM1", "myVM2", "myVM3")] == [898, 897, 896]


def test_a_nic_without_its_own_nsg_is_filtered_by_its_subnets():
    subnet_nsg = NET.format("rg-net") + "/networkSecurityGroups/subnetNSG"
    nics = [nic(1), nic(2, nsg=NSG)]
    assert r.drain_reads(nics, POOL, KEY) == {"vnet_groups": ["rg-net"], "nsg_groups": ["rg-nsg"]}
    assert r.drain_reads(nics, POOL, KEY, [vnet(subnet_nsg)])["nsg_groups"] == ["rg-net", "rg-nsg"]
    plan = drain(nics, [security_group(nsg_id=subnet_nsg), security_group(nsg_id=NSG)], [vnet(subnet_nsg)])
    found = {m["name"]: m["drain_rule"] for m in plan["members"]}
    # No Allow rule at all: any priority beats the default rules; the highest free one is taken.
    assert (found["myVM1"]["security_group"], found["myVM1"]["priority"]) == ("subnetNSG", 4096)
    assert (found["myVM2"]["security_group"], found["myVM2"]["priority"]) == ("myNSG", 4096)


def test_the_probe_drain_refuses_a_vm_no_nsg_filters_and_an_nsg_without_a_free_priority():
    plan = drain([nic(1), nic(2, nsg=NSG)], [security_group(nsg_rule("first", 100))], [vnet()])
    assert plan["problems"] == [
        "VM myVM1: neither its NIC myNic1 nor its subnet has a network security group to keep the health probe off "
        "it: give it one, or set rolling_maintenance_drain_method=pool",
        "VM myVM2: security group myNSG has no free inbound priority below its first Allow rule (100) for the rule "
        "that keeps the probe off the VM: free one, or set rolling_maintenance_drain_method=pool"]
    crowded = security_group(nsg_rule("deny", 100, "Deny"), nsg_rule("allow", 102))
    plan = drain([nic(1, nsg=NSG), nic(2, nsg=NSG)], [crowded])
    assert [m["drain_rule"]["priority"] for m in plan["members"]] == [101, None]
    assert len(plan["problems"]) == 1 and plan["problems"][0].startswith("VM myVM2: security group myNSG has no free")
    # The pool drain needs no NSG, and asks for no priority.
    pool = drain([nic(1), nic(2, nsg=NSG)], [security_group(nsg_rule("first", 100))], [vnet()], method="pool")
    assert pool["problems"] == [] and [m["drain_rule"] and m["drain_rule"]["priority"] for m in pool["members"]] == [
        None, None]
    with pytest.raises(r.RollingError, match="drain_method must be auto or one of admin_state, probe, pool"):
        drain([nic(1)], [], method="nsg")


def test_a_drain_rule_a_killed_run_left_is_reconciled_and_its_priority_reused():
    mark = r.mark_value("run-a", "run-a", KEY, "ipconfig1", "drained", 100)
    left = security_group(nsg_rule("CLOUDLB-DRAIN-MYNIC1", 1000, "Deny"), nsg_rule("http", 1001))
    nics = [nic(1, nsg=NSG, tags={r.MARK_TAG: mark}), nic(2, nsg=NSG), nic(3, nsg=NSG)]
    for method in ("probe", "pool"):
        plan = drain(nics, [left], method=method)
        assert plan["reconcile"] == ["myVM1"], method
        assert [m["drain_rule"]["leftover"] for m in plan["members"]] == [True, False, False]
    # The reconcile deletes it first, so its priority is free again for this run.
    assert [m["drain_rule"]["priority"] for m in drain(nics, [left])["members"]] == [1000, 999, 998]
    # A rule left without a mark (the mark was cleared by hand, say) is reconciled too.
    assert drain([nic(1, nsg=NSG), nic(2, nsg=NSG)], [left])["reconcile"] == ["myVM1"]


def test_the_probe_drain_needs_a_probe_to_deny():
    plan = r.prepare([nic(1, nsg=NSG), nic(2, nsg=NSG)], rules("Up", "Up"), POOL, KEY, "run", "run", 1, 1, 0,
                     False, "probe", {"probes": [], "rules": []}, [security_group()])
    assert plan["problems"] == ["no load balancing rule of the pool has a health probe to deny: set "
                                "rolling_maintenance_drain_method=pool"]


def test_connections_come_from_azemus_data_plane_status():
    status = {"backends": [{"id": "/X/ipConfigurations/IPCONFIG1", "flows": 2}, {"id": "/y", "flows": 0}]}
    assert r.connections(status, "/x/ipConfigurations/ipconfig1") == 2
    assert r.connections(status, "/y") == 0
    assert r.connections(status, "/z") is None and r.connections({}, "/y") is None


# --- tags and lock --------------------------------------------------------------------------

def test_tag_values_round_trip_and_stay_within_azures_limit():
    value = r.mark_value("run1", "roll", KEY, "ipconfig1", "maintained", 1700000000.7)
    assert value == "run=run1;rollout=roll;pool=myLB/myPool;ipconfig=ipconfig1;phase=maintained;since=1700000000"
    assert r.decode(value)["phase"] == "maintained"
    assert r.decode(None) == {} and r.decode("garbage") == {}
    with pytest.raises(r.RollingError, match="phase"):
        r.mark_value("run1", "roll", KEY, "ipconfig1", "sleeping", 1)
    with pytest.raises(r.RollingError, match="256"):
        r.encode({"pool": "x" * 300})


@pytest.mark.parametrize("current, run, now, broken, reason, take", [
    (None, "me", 100, None, "free", True),
    ("run=me;expires=200", "me", 100, None, "ours", True),
    ("run=old;expires=99", "me", 100, None, "expired", True),
    ("run=old;expires=200", "me", 100, "old", "broken", True),
    ("run=old;expires=200", "me", 100, "other", "held", False),
    ("run=old;expires=200", "me", 100, None, "held", False),
    ("run=old;expires=soon", "me", 100, None, "expired", True),
])
def test_lock_decision(current, run, now, broken, reason, take):
    decision = r.lock_decision(current, run, now, 60, broken)
    assert (decision["reason"], decision["take"]) == (reason, take)
    assert decision["value"] == f"run={run};expires=160"


def test_a_held_lock_says_who_holds_it_and_how_to_break_it():
    decision = r.lock_decision("run=job-41;expires=700", "job-42", 100, 60)
    assert decision["message"] == (
        "another rolling maintenance (run job-41) holds the lock of this load balancer for 600 more seconds. Wait "
        "for it to finish; if that run is dead (cancelled, killed), run again with "
        "rolling_maintenance_break_lock=job-41")


def test_lock_ttl_covers_a_whole_batch():
    assert r.lock_ttl(300, 600, 600, 10) == 300 + 600 + 600 + 10 + r.LOCK_MARGIN
    assert r.lock_ttl(300, 600, 600, 10, gate_timeout=5) == 300 + 600 + 600 + 10 + 5 + r.LOCK_MARGIN
    assert r.lock_ttl(300, 600, 600, fixed=120) == 120


def test_auto_drains_by_admin_state_where_azure_has_it():
    assert r.choose_drain_method("auto", "Standard") == "admin_state"
    assert r.choose_drain_method("auto", "Basic") == "probe"
    assert r.choose_drain_method("pool", "Basic") == "pool"
    with pytest.raises(r.RollingError, match="admin state on Standard load balancers only, and this one is Basic"):
        r.choose_drain_method("admin_state", "Basic")


# --- summary --------------------------------------------------------------------------------

def test_summary_counts_like_a_scale_set_rolling_upgrade_and_says_where_each_vm_is():
    where = {"myVM1": {"in_pool": True, "health": "Up (Up_Probe_Success)", "marked": None},
             "myVM2": {"in_pool": True, "health": "Up (Up_Probe_Success)", "marked": None},
             "myVM3": {"in_pool": False, "health": None, "marked": "run r, maintained"},
             "myVM4": {"in_pool": True, "health": "Up (Up_Probe_Success)", "marked": None}}
    results = {"myVM2": {"status": "succeeded", "out_of_pool_seconds": 12.34, "maintenance": "reboot"},
               "myVM3": {"status": "failed", "step": "health", "msg": "Timed out", "out_of_pool_seconds": None,
                         "drain_rule_left": "cloudlb-drain-myNic3"}}
    summary = r.summarize(["myVM2", "myVM3", "myVM4"], ["myVM1"], results, where, stopped="1 failed, max_failed 0",
                          policy={"serial": [1]}, started="t0", ended="t1")
    assert summary["progress"] == {"successful_instance_count": 2, "failed_instance_count": 1,
                                   "in_progress_instance_count": 0, "pending_instance_count": 1}
    assert summary["running_status"] == {"code": "Faulted", "start_time": "t0", "end_time": "t1"}
    assert summary["error"] == "1 failed, max_failed 0; failed: myVM3 (health: Timed out)"
    assert summary["lines"] == [
        "myVM1: succeeded (earlier run); in pool, Up (Up_Probe_Success)",
        "myVM2: succeeded; in pool, Up (Up_Probe_Success), 12.3 s out of pool",
        "myVM3: failed; OUT OF POOL, marked drained (run r, maintained), probe kept off by NSG rule "
        "cloudlb-drain-myNic3 - health: Timed out",
        "myVM4: pending; in pool, Up (Up_Probe_Success)",
    ]
    assert [v["status"] for v in summary["virtual_machines"]] == ["succeeded", "succeeded", "failed", "pending"]


def test_summary_of_a_complete_rollout():
    where = {"myVM1": {"in_pool": True, "health": "Up (Up_Probe_Success)", "marked": None}}
    summary = r.summarize(["myVM1"], [], {"myVM1": {"status": "succeeded"}}, where)
    assert summary["running_status"]["code"] == "Completed" and summary["error"] is None
    assert r.summarize(["myVM1"], [], {}, where)["running_status"]["code"] == "RollingForward"


def test_the_filters_turn_bad_settings_into_filter_errors():
    filters = FilterModule().filters()
    assert sorted(filters) == ["rolling_connections", "rolling_drain_reads", "rolling_gate", "rolling_lock",
                               "rolling_lock_ttl", "rolling_mark", "rolling_prepare", "rolling_rollout", "rolling_serial", "rolling_summary",
                               "rolling_tag"]
    assert filters["rolling_serial"]("1,50%") == [1, "50%"]
    with pytest.raises(AnsibleFilterError, match="serial must be at least 1"):
        filters["rolling_serial"](0)
