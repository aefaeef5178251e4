"""cloudlb.azure.load_balancer and load_balancer_info through real ansible-playbook runs."""

from __future__ import annotations

from lb_setup import ids, make_lb, names, read_lb, task
from playbook_tasks import assert_unchanged, check, with_diff


def lb_task(group, task_name="lb", **options):
    return task("load_balancer", task_name, resource_group=group, name="lb", **options)


def test_lifecycle(run_playbook, azemu, sdk, lb_group):
    """Create, update, delete in three playbooks (what Azure stored is read with the SDK in
    between); each step's writes are the ones azemu logged while its task ran."""
    group = lb_group
    lb = ids(sdk, group)
    create = dict(frontend_ip_configurations=[{"name": "fe", "public_ip_address": "pip"}], backend_pools=["pool"],
                  tags={"env": "demo"})
    mark = azemu.mark()
    run = run_playbook([check(with_diff(lb_task(group, "predict", **create))), lb_task(group, "create", **create)])
    assert run.ok, run.output()
    result = run.task("predict")
    assert result["changed"]
    predicted = result["load_balancer"]
    assert predicted["id"] == lb.lb and predicted["sku"] == "Standard" and predicted["location"] == "eastus"
    assert predicted["frontend_ip_configurations"][0]["public_ip_address"] == lb.pip()
    assert [p["id"] for p in predicted["backend_pools"]] == [lb.part("backendAddressPools", "pool")]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["name"] == "lb"
    assert run.during("predict", azemu.writes(since=mark)) == []

    result = run.task("create")
    assert result["changed"]
    created = result["load_balancer"]
    assert created["provisioning_state"] == "Succeeded" and created["tags"] == {"env": "demo"}
    assert created["frontend_ip_configurations"][0]["name"] == "fe"
    stored = read_lb(sdk, group)
    assert stored["sku"]["name"] == "Standard" and names(stored, "backendAddressPools") == ["pool"]

    update = dict(backend_pools=["other"], tags={"owner": "web"}, probes=[{"name": "probe", "protocol": "Tcp", "port": 80}],
                  rules=[{"name": "rule", "protocol": "Tcp", "frontend_port": 80, "backend_port": 80,
                          "backend_pool": "pool", "probe": "probe"}])
    mark = azemu.mark()
    run = run_playbook([
        lb_task(group, "again", **create),
        check(lb_task(group, "again in check mode", **create)),
        with_diff(lb_task(group, "update", **update)),
        lb_task(group, "update again", **update),
        check(with_diff(lb_task(group, "predict delete", state="absent"))),
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)
    assert_unchanged(run, writes, "again", "again in check mode")

    result = run.task("update")
    assert result["changed"]
    after = result["diff"]["after"]
    assert [p["name"] for p in after["backend_pools"]] == ["pool", "other"]
    assert after["tags"] == {"env": "demo", "owner": "web"}
    assert after["rules"][0]["probe"] == "probe" and after["rules"][0]["frontend_ip_configuration"] == "fe"
    assert result["diff"]["before"]["probes"] == []
    assert "provisioning_state" not in after
    assert result["load_balancer"]["probes"][0]["load_balancing_rules"] == ["rule"]
    assert_unchanged(run, writes, "update again")

    assert run.task("predict delete")["changed"] and run.task("predict delete")["diff"]["after"] == {}
    assert read_lb(sdk, group)

    mark = azemu.mark()
    run = run_playbook([lb_task(group, "delete", state="absent"), lb_task(group, "delete again", state="absent")])
    assert run.ok, run.output()
    assert run.task("delete")["changed"]
    assert_unchanged(run, azemu.writes(since=mark), "delete again")


def test_omitted_parts_are_left_alone_unless_purged(run_playbook, sdk, lb_group):
    group = lb_group
    lb = ids(sdk, group)
    make_lb(sdk, group, pools=("pool", "spare"),
            probes=[{"name": "kept", "properties": {"protocol": "Tcp", "port": 22}}],
            rules=[{"name": "ssh", "properties": {
                "frontendIPConfiguration": {"id": lb.part("frontendIPConfigurations", "fe")},
                "backendAddressPool": {"id": lb.part("backendAddressPools", "pool")},
                "probe": {"id": lb.part("probes", "kept")},
                "protocol": "Tcp", "frontendPort": 22, "backendPort": 22}}])
    web_probe = {"name": "web", "protocol": "Http", "port": 80, "request_path": "/"}
    keep = [lb_task(group, backend_pools=["pool"], probes=[web_probe])]
    run = run_playbook(keep)
    assert run.ok and run.task("lb")["changed"], run.output()
    stored = read_lb(sdk, group)
    assert names(stored, "probes") == ["kept", "web"] and names(stored, "backendAddressPools") == ["pool", "spare"]
    assert names(stored, "loadBalancingRules") == ["ssh"]

    purge = [lb_task(group, backend_pools=["pool"], purge_backend_pools=True, purge_rules=True, rules=[],
                     probes=[{"name": "web"}], purge_probes=True)]
    run = run_playbook(purge, diff=True)
    assert run.ok and run.task("lb")["changed"], run.output()
    stored = read_lb(sdk, group)
    assert names(stored, "probes") == ["web"] and names(stored, "backendAddressPools") == ["pool"]
    assert names(stored, "loadBalancingRules") == []


def test_internal_frontend_and_info(run_playbook, sdk, lb_group):
    group = lb_group
    internal = [lb_task(group, frontend_ip_configurations=[
        {"name": "internal", "virtual_network": "vnet", "subnet": "web", "private_ip_address": "10.0.0.100"}],
        backend_pools=["pool"])]
    run = run_playbook(internal)
    assert run.ok, run.output()
    frontend = run.task("lb")["load_balancer"]["frontend_ip_configurations"][0]
    assert (frontend["private_ip_address"], frontend["private_ip_allocation_method"]) == ("10.0.0.100", "Static")
    assert frontend["subnet"] == ids(sdk, group).subnet

    run = run_playbook([task("load_balancer_info", "one", resource_group=group, name="lb"),
                        task("load_balancer_info", "all", resource_group=group),
                        task("load_balancer_info", "none", resource_group=group, name="missing")])
    assert run.ok, run.output()
    assert [lb["name"] for lb in run.task("one")["load_balancers"]] == ["lb"]
    assert [lb["name"] for lb in run.task("all")["load_balancers"]] == ["lb"]
    assert run.task("none")["load_balancers"] == []


def test_bad_input_fails_before_any_request(run_playbook, azemu, lb_group):
    group = lb_group
    cases = [
        task("load_balancer", resource_group=group, name="bad name!"),
        lb_task(group, frontend_ip_configurations=[{"name": "fe"}]),
        lb_task(group, frontend_ip_configurations=[{"name": "fe", "public_ip_address": "pip", "subnet": "web",
                                                    "virtual_network": "vnet"}]),
        lb_task(group, probes=[{"name": "p", "protocol": "Tcp", "port": 80, "request_path": "/"}]),
        lb_task(group, probes=[{"name": "p", "protocol": "Tcp", "port": 80, "interval": 2}]),
        lb_task(group, rules=[{"name": "r", "idle_timeout": 31}]),
        lb_task(group, backend_pools=["pool", "POOL"]),
        lb_task(group, frontend_ip_configurations=[{"name": "fe", "subnet": "web"}]),
    ]
    run = run_playbook.each_refused(azemu, [(case, "Invalid options") for case in cases])
    assert len(run.records) == len(cases)


def test_azure_errors_carry_their_code(run_playbook, sdk, lb_group):
    group = lb_group
    basic = sdk.network.public_ip_addresses.begin_create_or_update(group, "basic", {
        "location": "eastus", "sku": {"name": "Basic"}}).result()
    run = run_playbook([lb_task(group, frontend_ip_configurations=[{"name": "fe", "public_ip_address": basic.id}])])
    result = run.task("lb")
    assert not run.ok and result["error_code"] == "PublicIPAndLBSkuDoNotMatch", run.output()
    assert result["msg"].startswith("Failed to create load balancer lb: (PublicIPAndLBSkuDoNotMatch)")

    make_lb(sdk, group)
    run = run_playbook([lb_task(group, sku="Basic")])
    assert "cannot change the SKU" in run.task("lb")["msg"]
