"""cloudlb.azure.lb_rule through real ansible-playbook runs."""

from __future__ import annotations

from lb_setup import ids, make_lb, names, read_lb, task

TCP_PROBE = {"name": "probe", "properties": {"protocol": "Tcp", "port": 80}}


def rule_task(group, task_name="rule", **options):
    return task("lb_rule", task_name, resource_group=group, **{"load_balancer": "lb", **options})


def test_lifecycle(run_playbook, azemu, sdk, lb_group):
    group = lb_group
    lb = ids(sdk, group)
    make_lb(sdk, group, probes=[TCP_PROBE])
    # The tutorial's rule; the frontend and the pool default to the only ones.
    create = rule_task(group, name="myLoadBalancerRule", protocol="Tcp", frontend_port=80, backend_port=80,
                       probe="probe")

    mark = azemu.mark()
    run = run_playbook([create], check=True, diff=True)
    result = run.task("rule")
    assert run.ok and result["changed"], run.output()
    assert result["rule"]["id"] == lb.part("loadBalancingRules", "myLoadBalancerRule")
    assert (result["rule"]["frontend_ip_configuration"], result["rule"]["backend_pool"]) == ("fe", "pool")
    assert result["diff"]["before"] == {} and result["diff"]["after"]["probe"] == "probe"
    assert azemu.writes(since=mark) == []

    mark = azemu.mark()
    run = run_playbook([create, dict(create, name="again")])
    assert run.ok, run.output()
    made = run.task("rule")["rule"]
    assert run.task("rule")["changed"] and not run.task("again")["changed"]
    assert (made["idle_timeout"], made["load_distribution"], made["floating_ip"], made["provisioning_state"]) == (
        4, "Default", False, "Succeeded")
    assert len([r for r in azemu.writes(since=mark) if r["method"] == "PUT"]) == 1
    stored = read_lb(sdk, group)["properties"]["loadBalancingRules"][0]["properties"]
    assert stored["backendAddressPools"] == [{"id": lb.part("backendAddressPools", "pool")}]

    update = rule_task(group, name="myLoadBalancerRule", load_distribution="SourceIP", idle_timeout=10, probe="")
    run = run_playbook([update], diff=True)
    result = run.task("rule")
    assert run.ok and result["changed"], run.output()
    assert result["diff"]["before"]["probe"] == "probe" and result["diff"]["after"]["probe"] is None
    assert (result["rule"]["load_distribution"], result["rule"]["idle_timeout"]) == ("SourceIP", 10)
    assert result["rule"]["frontend_port"] == 80, "options left out keep their value"
    mark = azemu.mark()
    run = run_playbook([update], check=True)
    assert run.ok and not run.task("rule")["changed"]
    assert azemu.writes(since=mark) == []

    delete = rule_task(group, name="myLoadBalancerRule", state="absent")
    run = run_playbook([delete, dict(delete, name="again")], diff=True)
    assert run.ok and run.task("rule")["changed"] and not run.task("again")["changed"], run.output()
    assert run.task("rule")["diff"]["after"] == {}
    assert names(read_lb(sdk, group), "loadBalancingRules") == []


def test_azure_refuses_conflicting_rules(run_playbook, sdk, lb_group):
    group = lb_group
    make_lb(sdk, group)
    first = rule_task(group, "first", name="web", protocol="Tcp", frontend_port=80, backend_port=80)
    same_backend = rule_task(group, "same backend", name="alt", protocol="Tcp", frontend_port=8080, backend_port=80)
    same_frontend = rule_task(group, "same frontend", name="other", protocol="Tcp", frontend_port=80,
                              backend_port=8080)
    run = run_playbook([first, dict(same_backend, ignore_errors=True), dict(same_frontend, ignore_errors=True)])
    assert run.task("first")["changed"], run.output()
    assert run.task("same backend")["error_code"] == "RulesUseSameBackendPortProtocolAndPool"
    assert run.task("same backend")["msg"].startswith("Failed to write rule alt of load balancer lb: ")
    assert run.task("same frontend")["error_code"] == "RulesUseSameFrontendPortProtocolAndIPConfig"
    assert names(read_lb(sdk, group), "loadBalancingRules") == ["web"]


def test_references_are_checked_against_the_load_balancer(run_playbook, sdk, lb_group):
    group = lb_group
    make_lb(sdk, group, pools=("pool", "other"))
    run = run_playbook([
        dict(rule_task(group, "two pools", name="r", protocol="Tcp", frontend_port=80, backend_port=80),
             ignore_errors=True),
        dict(rule_task(group, "no probe", name="r", protocol="Tcp", frontend_port=80, backend_port=80,
                       backend_pool="pool", probe="missing"), ignore_errors=True),
        dict(rule_task(group, "no lb", load_balancer="nope", name="r", protocol="Tcp", frontend_port=80,
                       backend_port=80), ignore_errors=True),
    ])
    assert "the load balancer has 2 backend pools: pool, other; name the backend pool" in run.task("two pools")["msg"]
    assert "has no probe missing (it has: none)" in run.task("no probe")["msg"], run.output()
    assert "Load balancer nope does not exist" in run.task("no lb")["msg"]


def test_bad_input_fails_before_any_request(run_playbook, azemu, lb_group):
    group = lb_group
    cases = [
        rule_task(group, "timeout", name="r", protocol="Tcp", frontend_port=80, backend_port=80, idle_timeout=31),
        rule_task(group, "port", name="r", protocol="Tcp", frontend_port=65535, backend_port=80),
        rule_task(group, "port 0", name="r", protocol="Tcp", frontend_port=0, backend_port=0),
        rule_task(group, "name", name="r!", protocol="Tcp", frontend_port=80, backend_port=80),
        rule_task(group, "probe name", name="r", probe="bad probe"),
    ]
    mark = azemu.mark()
    run = run_playbook([dict(case, ignore_errors=True) for case in cases])
    assert [r["status"] for r in run.records] == ["failed"] * len(cases), run.output()
    assert all(r["result"]["msg"].startswith("Invalid options: ") for r in run.records), run.output()
    assert azemu.requests(since=mark) == []
