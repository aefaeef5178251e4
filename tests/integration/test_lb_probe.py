"""cloudlb.azure.lb_probe through real ansible-playbook runs."""

from __future__ import annotations

from lb_setup import ids, make_lb, names, read_lb, task


def probe_task(group, task_name="probe", **options):
    return task("lb_probe", task_name, resource_group=group, load_balancer="lb", **options)


def lb_puts(azemu, mark):
    return [r for r in azemu.writes(since=mark) if r["method"] == "PUT" and "/loadBalancers/" in r["path"]]


def test_lifecycle(run_playbook, azemu, sdk, lb_group):
    group = lb_group
    lb = ids(sdk, group)
    make_lb(sdk, group)
    create = probe_task(group, name="myHealthProbe", protocol="Tcp", port=80)

    mark = azemu.mark()
    run = run_playbook([create], check=True, diff=True)
    result = run.task("probe")
    assert run.ok and result["changed"], run.output()
    assert result["probe"]["id"] == lb.part("probes", "myHealthProbe") and result["probe"]["port"] == 80
    assert result["diff"]["before"] == {} and result["diff"]["after"]["protocol"] == "Tcp"
    assert azemu.writes(since=mark) == []

    mark = azemu.mark()
    run = run_playbook([create, dict(create, name="again")])
    assert run.ok, run.output()
    made = run.task("probe")
    assert made["changed"] and not run.task("again")["changed"]
    assert made["probe"]["provisioning_state"] == "Succeeded"
    assert (made["probe"]["interval"], made["probe"]["number_of_probes"], made["probe"]["probe_threshold"]) == (15, 2, 1)
    assert len(lb_puts(azemu, mark)) == 1, "the second task must not write"
    assert names(read_lb(sdk, group), "probes") == ["myHealthProbe"]

    mark = azemu.mark()
    run = run_playbook([create], check=True)
    assert run.ok and not run.task("probe")["changed"]
    assert azemu.writes(since=mark) == []

    http = probe_task(group, name="myHealthProbe", protocol="Http", port=80, request_path="/healthz", interval=5)
    run = run_playbook([http], diff=True)
    result = run.task("probe")
    assert run.ok and result["changed"], run.output()
    assert result["diff"]["before"]["protocol"] == "Tcp" and result["diff"]["after"]["request_path"] == "/healthz"
    assert result["probe"]["interval"] == 5 and result["probe"]["port"] == 80
    back = probe_task(group, name="myHealthProbe", protocol="Tcp")
    run = run_playbook([back])
    assert run.ok and run.task("probe")["probe"]["request_path"] is None, run.output()

    delete = probe_task(group, name="myHealthProbe", state="absent")
    mark = azemu.mark()
    run = run_playbook([delete], check=True, diff=True)
    assert run.ok and run.task("probe")["changed"] and run.task("probe")["diff"]["after"] == {}
    assert azemu.writes(since=mark) == []
    run = run_playbook([delete, dict(delete, name="again")])
    assert run.ok and run.task("probe")["changed"] and not run.task("again")["changed"], run.output()
    assert names(read_lb(sdk, group), "probes") == []


def test_probe_in_use_is_not_deleted(run_playbook, azemu, sdk, lb_group):
    group = lb_group
    lb = ids(sdk, group)
    make_lb(sdk, group, probes=[{"name": "probe", "properties": {"protocol": "Tcp", "port": 80}}], rules=[
        {"name": "web", "properties": {"frontendIPConfiguration": {"id": lb.part("frontendIPConfigurations", "fe")},
                                       "backendAddressPool": {"id": lb.part("backendAddressPools", "pool")},
                                       "probe": {"id": lb.part("probes", "probe")},
                                       "protocol": "Tcp", "frontendPort": 80, "backendPort": 80}}])
    delete = probe_task(group, name="probe", state="absent")
    mark = azemu.mark()
    run = run_playbook([delete], check=True)
    assert not run.ok and "load balancing rule(s) web use it" in run.task("probe")["msg"], run.output()
    assert azemu.writes(since=mark) == []

    run = run_playbook([delete])
    result = run.task("probe")
    assert not run.ok and result["error_code"] == "InvalidResourceReference", run.output()
    assert result["msg"].startswith("Cannot delete probe probe of load balancer lb: load balancing rule(s) web use it")
    assert f"Resource {lb.part('probes', 'probe')} referenced by resource" in result["msg"]
    assert names(read_lb(sdk, group), "probes") == ["probe"]


def test_bad_input_fails_before_any_request(run_playbook, azemu, lb_group):
    group = lb_group
    cases = [
        probe_task(group, "tcp path", name="p", protocol="Tcp", port=80, request_path="/"),
        probe_task(group, "interval", name="p", protocol="Tcp", port=80, interval=4),
        probe_task(group, "port", name="p", protocol="Tcp", port=70000),
        probe_task(group, "count", name="p", protocol="Tcp", port=80, number_of_probes=0),
        probe_task(group, "name", name="bad name", protocol="Tcp", port=80),
        probe_task(group, "protocol", name="p", protocol="Icmp", port=80),
    ]
    mark = azemu.mark()
    run = run_playbook([dict(case, ignore_errors=True) for case in cases])
    assert [r["status"] for r in run.records] == ["failed"] * len(cases), run.output()
    for record in run.records[:-1]:
        assert record["result"]["msg"].startswith("Invalid options: "), record
    assert "value of protocol must be one of" in run.records[-1]["result"]["msg"]
    assert azemu.requests(since=mark) == []


def test_missing_load_balancer_or_path(run_playbook, sdk, lb_group):
    group = lb_group
    run = run_playbook([dict(probe_task(group, "nolb", name="p", protocol="Tcp", port=80), ignore_errors=True)])
    assert "Load balancer lb does not exist" in run.task("nolb")["msg"], run.output()
    make_lb(sdk, group)
    run = run_playbook([dict(probe_task(group, "nopath", name="p", protocol="Http", port=80), ignore_errors=True),
                        dict(probe_task(group, "noport", name="p", protocol="Tcp"), ignore_errors=True)])
    assert "request_path is required for an Http probe" in run.task("nopath")["msg"], run.output()
    assert "port needed to create it" in run.task("noport")["msg"]
