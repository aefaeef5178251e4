"""cloudlb.azure.lb_pool_member through real ansible-playbook runs; the NICs are made with the SDK."""

from __future__ import annotations

import pytest
from compute_setup import SSH_KEY, compute
from lb_setup import ids, make_lb, task


def make_nic(sdk, group, name, pools=()):
    body = {"location": "eastus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
        "subnet": {"id": ids(sdk, group).subnet}, "loadBalancerBackendAddressPools": [{"id": p} for p in pools]}}]}}
    return sdk.network.network_interfaces.begin_create_or_update(group, name, body).result()


def nic_pools(sdk, group, name):
    nic = sdk.network.network_interfaces.get(group, name).as_dict()
    return [ref["id"] for ref in nic["properties"]["ipConfigurations"][0]["properties"].get(
        "loadBalancerBackendAddressPools") or []]


def member_task(group, task_name="member", **options):
    defaults = {"network_interface": "nic1", "load_balancer": "lb", "backend_pool": "pool"}
    return task("lb_pool_member", task_name, resource_group=group, **{**defaults, **options})


@pytest.fixture
def two_pools(sdk, lb_group):
    """Load balancer `lb` with pools `pool` and `other`; NIC `nic1` in `other` only."""
    make_lb(sdk, lb_group, pools=("pool", "other"))
    make_nic(sdk, lb_group, "nic1", [ids(sdk, lb_group).part("backendAddressPools", "other")])
    return lb_group


def test_add_remove_and_add_again_keeps_the_other_pool(run_playbook, azemu, sdk, two_pools):
    group = two_pools
    lb = ids(sdk, group)
    pool, other = lb.part("backendAddressPools", "pool"), lb.part("backendAddressPools", "other")
    member = f"{lb.nic('nic1')}/ipConfigurations/ipconfig1"
    add = member_task(group)

    mark = azemu.mark()
    run = run_playbook([add], check=True, diff=True)
    result = run.task("member")
    assert run.ok and result["changed"], run.output()
    assert result["backend_pool"] == {"id": pool, "name": "pool", "members": [member]}
    assert result["diff"]["before"]["load_balancer_backend_address_pools"] == [other]
    assert result["diff"]["after"]["load_balancer_backend_address_pools"] == [other, pool]
    assert azemu.writes(since=mark) == []

    mark = azemu.mark()
    run = run_playbook([add, dict(add, name="again")])
    assert run.ok and run.task("member")["changed"] and not run.task("again")["changed"], run.output()
    assert run.task("member")["backend_pool"]["members"] == [member]
    assert run.task("member")["ip_configuration"]["load_balancer_backend_address_pools"] == [other, pool]
    assert [w["method"] for w in azemu.writes(since=mark)] == ["PUT"]
    assert nic_pools(sdk, group, "nic1") == [other, pool]

    remove = member_task(group, state="absent", ip_configuration="IPCONFIG1")
    mark = azemu.mark()
    run = run_playbook([remove], check=True)
    assert run.ok and run.task("member")["changed"] and run.task("member")["backend_pool"]["members"] == []
    assert azemu.writes(since=mark) == []
    run = run_playbook([remove, dict(remove, name="again")], diff=True)
    assert run.ok and run.task("member")["changed"] and not run.task("again")["changed"], run.output()
    assert run.task("member")["backend_pool"]["members"] == []
    assert run.task("member")["diff"]["after"]["load_balancer_backend_address_pools"] == [other]
    assert nic_pools(sdk, group, "nic1") == [other]

    by_id = task("lb_pool_member", "by id", resource_group=group, network_interface=lb.nic("nic1"), backend_pool=pool)
    run = run_playbook([by_id])
    assert run.ok and run.task("by id")["changed"] and run.task("by id")["backend_pool"]["members"] == [member]
    assert nic_pools(sdk, group, "nic1") == [other, pool]
    other_pool = sdk.network.load_balancer_backend_address_pools.get(group, "lb", "other").as_dict()
    assert other_pool["properties"]["backendIPConfigurations"] == [{"id": member}]

    # load_balancer_info resolves the members to their NIC and VM.
    compute(sdk).virtual_machines.begin_create_or_update(group, "vm1", vm_body(lb.nic("nic1"))).result()
    run = run_playbook([task("load_balancer_info", "info", resource_group=group, name="lb")])
    pools = {p["name"]: p for p in run.task("info")["load_balancers"][0]["backend_pools"]}
    assert pools["pool"]["members"] == [{"ip_configuration": member, "network_interface": "nic1",
                                         "ip_configuration_name": "ipconfig1", "private_ip_address": "10.0.0.4",
                                         "virtual_machine": "vm1", "name": f"{group}_nic1ipconfig1",
                                         "ip_address": "10.0.0.4", "admin_state": "None"}], run.output()
    assert pools["other"]["members"] == pools["pool"]["members"]


def vm_body(nic_id):
    return {"location": "eastus", "properties": {
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server",
                                              "version": "latest"}},
        "osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "linuxConfiguration": {
            "disablePasswordAuthentication": True,
            "ssh": {"publicKeys": [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": SSH_KEY}]}}},
        "networkProfile": {"networkInterfaces": [{"id": nic_id}]}}}


def test_joining_two_pools_behind_the_same_backend_port_is_refused(run_playbook, sdk, lb_group):
    group = lb_group
    lb = ids(sdk, group)

    def rule(name, port, pool):
        return {"name": name, "properties": {
            "frontendIPConfiguration": {"id": lb.part("frontendIPConfigurations", "fe")},
            "backendAddressPool": {"id": lb.part("backendAddressPools", pool)},
            "protocol": "Tcp", "frontendPort": port, "backendPort": 80}}

    make_lb(sdk, group, pools=("pool", "other"), rules=[rule("web", 80, "pool"), rule("alt", 8080, "other")])
    make_nic(sdk, group, "nic1", [lb.part("backendAddressPools", "other")])
    run = run_playbook([member_task(group)])
    result = run.task("member")
    assert not run.ok and result["error_code"] == "RulesUseSameBackendPortProtocolAndIPConfig", run.output()
    assert result["msg"].startswith("Failed to add network interface nic1 to backend pool pool of load balancer lb: ")
    assert nic_pools(sdk, group, "nic1") == [lb.part("backendAddressPools", "other")]


def test_missing_things_are_named(run_playbook, sdk, two_pools):
    group = two_pools
    run = run_playbook([dict(member_task(group, "nic", network_interface="nic9"), ignore_errors=True),
                        dict(member_task(group, "config", ip_configuration="ipconfig7"), ignore_errors=True),
                        dict(member_task(group, "pool", backend_pool="nope"), ignore_errors=True)])
    assert "network interface nic9 does not exist" in run.task("nic")["msg"], run.output()
    assert "has no ip configuration ipconfig7; it has ipconfig1" in run.task("config")["msg"]
    assert "backend pool nope of load balancer lb does not exist" in run.task("pool")["msg"]


def test_bad_input_fails_before_any_request(run_playbook, azemu, lb_group):
    group = lb_group
    cases = [
        task("lb_pool_member", "no lb", resource_group=group, network_interface="nic1", backend_pool="pool"),
        member_task(group, "config name", ip_configuration="bad name"),
        member_task(group, "nic id", network_interface="/subscriptions/x/resourceGroups/y/providers/Microsoft.Network"
                                                       "/publicIPAddresses/z"),
        member_task(group, "pool id", backend_pool="/subscriptions/x/resourceGroups/y/providers/Microsoft.Network"
                                                   "/loadBalancers/lb/probes/p"),
    ]
    mark = azemu.mark()
    run = run_playbook([dict(case, ignore_errors=True) for case in cases])
    assert [r["status"] for r in run.records] == ["failed"] * len(cases), run.output()
    assert all(r["result"]["msg"].startswith("Invalid options: ") for r in run.records), run.output()
    assert azemu.requests(since=mark) == []
