"""IP-based backend pools and admin state through real ansible-playbook runs:
cloudlb.azure.lb_backend_address, lb_pool_member's admin_state, load_balancer's pools of either
kind, and what load_balancer_info and lb_health_info report. The load balancers and NICs are
made with the SDK."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from lb_setup import ids, make_lb, task


def address_task(group, task_name="address", **options):
    defaults = {"load_balancer": "lb", "backend_pool": "ips", "name": "a1"}
    return task("lb_backend_address", task_name, resource_group=group, **{**defaults, **options})


def pool_entries(sdk, group, pool="ips"):
    body = sdk.network.load_balancer_backend_address_pools.get(group, "lb", pool).as_dict()
    return {e["name"]: e["properties"] for e in body["properties"].get("loadBalancerBackendAddresses") or []}


def make_nic(sdk, group, name, pools=()):
    body = {"location": "eastus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
        "subnet": {"id": ids(sdk, group).subnet}, "privateIPAllocationMethod": "Static",
        "privateIPAddress": "10.0.0.10" if name == "nic1" else "10.0.0.11",
        "loadBalancerBackendAddressPools": [{"id": p} for p in pools]}}]}}
    return sdk.network.network_interfaces.begin_create_or_update(group, name, body).result()


def test_an_address_added_changed_drained_and_removed(run_playbook, azemu, sdk, lb_group):
    group = lb_group
    make_lb(sdk, group, pools=("ips",))
    make_nic(sdk, group, "nic1")
    make_nic(sdk, group, "nic2")
    add = address_task(group, ip_address="10.0.0.10", virtual_network="vnet")

    mark = azemu.mark()
    run = run_playbook([add], check=True, diff=True)
    result = run.task("address")
    assert run.ok and result["changed"], run.output()
    assert result["diff"] == {"before": {}, "after": {"name": "a1", "ip_address": "10.0.0.10", "subnet": None,
                                                      "virtual_network": ids(sdk, group).lb.replace(
                                                          "loadBalancers/lb", "virtualNetworks/vnet"),
                                                      "admin_state": "None"}}
    assert azemu.writes(since=mark) == []

    mark = azemu.mark()
    run = run_playbook([add, dict(add, name="again")])
    assert run.ok and run.task("address")["changed"] and not run.task("again")["changed"], run.output()
    assert [(w["method"], w["type"]) for w in azemu.writes(since=mark)] == [
        ("PUT", "Microsoft.Network/loadBalancers/backendAddressPools")]
    address = run.task("address")["backend_address"]
    # Azure resolves the address to the NIC ip configuration that holds it in the VNet.
    assert address["ip_configuration"] == f"{ids(sdk, group).nic('nic1')}/ipConfigurations/ipconfig1"
    assert [a["name"] for a in run.task("address")["backend_pool"]["backend_addresses"]] == ["a1"]
    assert pool_entries(sdk, group)["a1"]["ipAddress"] == "10.0.0.10"

    # Admin state: set, predicted, idempotent, cleared.
    drain = address_task(group, "drain", admin_state="Down")
    mark = azemu.mark()
    run = run_playbook([drain], check=True, diff=True)
    assert run.task("drain")["changed"] and run.task("drain")["diff"]["after"]["admin_state"] == "Down"
    assert azemu.writes(since=mark) == []
    mark = azemu.mark()
    run = run_playbook([drain, dict(drain, name="drained"), add])
    assert run.ok and run.task("drain")["changed"] and run.task("drain")["backend_address"]["admin_state"] == "Down"
    assert not run.task("drained")["changed"] and not run.task("address")["changed"], run.output()
    assert len(azemu.writes(since=mark)) == 1
    assert pool_entries(sdk, group)["a1"]["adminState"] == "Down"

    # Cleared; and moving the address within the network is an update of the same entry.
    run = run_playbook([address_task(group, "back", admin_state="None"),
                        address_task(group, "move", ip_address="10.0.0.11", subnet="web", virtual_network="vnet")])
    assert run.ok and run.task("back")["changed"] and run.task("move")["changed"], run.output()
    assert (pool_entries(sdk, group)["a1"]["adminState"], pool_entries(sdk, group)["a1"]["ipAddress"]) == (
        "None", "10.0.0.11")
    assert run.task("move")["backend_address"]["ip_configuration"].startswith(ids(sdk, group).nic("nic2"))

    remove = address_task(group, "remove", state="absent")
    mark = azemu.mark()
    assert run_playbook([remove], check=True).task("remove")["changed"]
    assert azemu.writes(since=mark) == []
    run = run_playbook([remove, dict(remove, name="again")])
    assert run.ok and run.task("remove")["changed"] and not run.task("again")["changed"], run.output()
    assert pool_entries(sdk, group) == {}


def test_check_mode_plans_an_address_in_a_load_balancer_an_earlier_task_plans(run_playbook, azemu, lb_group):
    """site.yml --check on an empty subscription: the load balancer, and the NIC whose address
    this is, are only planned; a warning each, as every planned reference is (_references.py)."""
    mark = azemu.mark()
    run = run_playbook([address_task(lb_group, "planned", load_balancer="planned", virtual_network="vnet"),
                        address_task(lb_group, "with ip", load_balancer="planned", ip_address="10.0.0.20",
                                     virtual_network="vnet")], check=True)
    assert run.ok, run.output()
    planned, with_ip = run.task("planned"), run.task("with ip")
    assert planned["changed"] and planned["backend_address"]["ip_address"] is None
    assert with_ip["changed"] and with_ip["backend_address"]["ip_address"] == "10.0.0.20"
    assert [a["name"] for a in with_ip["backend_pool"]["backend_addresses"]] == ["a1"]
    missing = (f"load_balancer: load balancer planned does not exist in resource group {lb_group} yet; the write"
               " fails unless an earlier task creates it")
    assert planned["warnings"] == [missing, "ip_address: the address of backend address a1 is not known yet (that"
                                   " of a network interface an earlier task plans); the write fails unless it is given"]
    assert with_ip["warnings"] == [missing]
    assert azemu.writes(since=mark) == []
    # Without check mode the missing load balancer is refused, as before.
    run = run_playbook([dict(address_task(lb_group, "real", load_balancer="planned", ip_address="10.0.0.20",
                                          virtual_network="vnet"), ignore_errors=True)])
    assert run.record("real")["status"] == "failed"
    assert run.task("real")["msg"] == f"load balancer planned does not exist in resource group {lb_group}"


def test_what_azure_refuses_is_refused_and_named(run_playbook, azemu, sdk, lb_group):
    group = lb_group
    lb = ids(sdk, group)
    make_lb(sdk, group, pools=("ips", "nics"))
    make_nic(sdk, group, "nic1", [lb.part("backendAddressPools", "nics")])
    sdk.network.load_balancers.begin_create_or_update(group, "basic", {
        "location": "eastus", "sku": {"name": "Basic"}, "properties": {"backendAddressPools": [{"name": "ips"}]}}).result()
    before_any_request = [
        address_task(group, "bad ip", ip_address="10.0.0.999", virtual_network="vnet"),
        address_task(group, "absent with ip", ip_address="10.0.0.10", state="absent"),
        address_task(group, "subnet name alone", ip_address="10.0.0.10", subnet="web"),
        address_task(group, "bad name", name="a b", ip_address="10.0.0.10", virtual_network="vnet"),
    ]
    mark = azemu.mark()
    run = run_playbook([dict(t, ignore_errors=True) for t in before_any_request])
    assert [r["status"] for r in run.records] == ["failed"] * len(before_any_request), run.output()
    assert "ip_address '10.0.0.999' is not an IP address" in run.task("bad ip")["msg"]
    assert "ip_address cannot be used with state=absent" in run.task("absent with ip")["msg"]
    assert "give virtual_network too" in run.task("subnet name alone")["msg"]
    assert "backend address name 'a b' is not valid" in run.task("bad name")["msg"]
    assert azemu.requests(since=mark) == [], "refused before any request"

    before_any_write = [
        address_task(group, "nic pool", backend_pool="nics", ip_address="10.0.0.20", virtual_network="vnet"),
        address_task(group, "basic", load_balancer="basic", ip_address="10.0.0.20", virtual_network="vnet"),
        address_task(group, "no pool", backend_pool="nope", ip_address="10.0.0.20", virtual_network="vnet"),
        address_task(group, "no network", ip_address="10.0.0.20"),
        address_task(group, "no ip", admin_state="Down"),
    ]
    mark = azemu.mark()
    run = run_playbook([dict(t, ignore_errors=True) for t in before_any_write])
    assert [r["status"] for r in run.records] == ["failed"] * len(before_any_write), run.output()
    assert "CannotMixIPBasedAddressesAndIPConfigurations" in run.task("nic pool")["msg"]
    assert "has the Basic SKU" in run.task("basic")["msg"]
    assert "has no backend pool nope" in run.task("no pool")["msg"]
    assert "virtual_network or subnet is needed" in run.task("no network")["msg"]
    assert "ip_address is needed to add it" in run.task("no ip")["msg"]
    assert azemu.writes(since=mark) == []

    # What only Azure can know comes back with its code.
    run = run_playbook([address_task(group, "outside", ip_address="10.9.0.1", virtual_network="vnet")])
    result = run.task("outside")
    assert not run.ok and result["error_code"] == "BackendAddressIpAddressNotInVirtualNetwork", run.output()
    assert result["msg"].startswith("Failed to write backend address a1 of backend pool ips of load balancer lb: ")


def test_admin_state_of_a_nic_member_and_what_the_info_modules_report(run_playbook, azemu, sdk, lb_group):
    group = lb_group
    lb = ids(sdk, group)
    make_lb(sdk, group, pools=("nics", "ips"),
            probes=[{"name": "probe", "properties": {"protocol": "Tcp", "port": 80}}],
            rules=[{"name": "web", "properties": {
                "frontendIPConfiguration": {"id": lb.part("frontendIPConfigurations", "fe")},
                "backendAddressPool": {"id": lb.part("backendAddressPools", "nics")},
                "probe": {"id": lb.part("probes", "probe")},
                "protocol": "Tcp", "frontendPort": 80, "backendPort": 80}}])
    make_nic(sdk, group, "nic1", [lb.part("backendAddressPools", "nics")])
    member = f"{lb.nic('nic1')}/ipConfigurations/ipconfig1"
    drain = task("lb_pool_member", "drain", resource_group=group, network_interface="nic1", load_balancer="lb",
                 backend_pool="nics", admin_state="Down")

    mark = azemu.mark()
    run = run_playbook([drain], check=True, diff=True)
    result = run.task("drain")
    assert run.ok and result["changed"] and result["admin_state"] == "Down", run.output()
    assert (result["diff"]["before"]["admin_state"], result["diff"]["after"]["admin_state"]) == ("None", "Down")
    assert azemu.writes(since=mark) == []
    mark = azemu.mark()
    run = run_playbook([drain, dict(drain, name="again")])
    assert run.ok and run.task("drain")["changed"] and not run.task("again")["changed"], run.output()
    assert [(w["method"], w["type"]) for w in azemu.writes(since=mark)] == [
        ("PUT", "Microsoft.Network/loadBalancers/backendAddressPools")]
    assert pool_entries(sdk, group, "nics")[f"{group}_nic1ipconfig1"]["adminState"] == "Down"
    bad = dict(drain, name="absent", ignore_errors=True)
    bad["cloudlb.azure.lb_pool_member"] = dict(drain["cloudlb.azure.lb_pool_member"], state="absent")
    run = run_playbook([bad, address_task(group, "ip", ip_address="10.0.0.50", virtual_network="vnet",
                                          admin_state="Up")])
    assert "admin_state cannot be used with state=absent" in run.task("absent")["msg"], run.output()
    assert run.task("ip")["changed"], run.output()

    clear = task("lb_pool_member", "clear", resource_group=group, network_interface="nic1", load_balancer="lb",
                 backend_pool="nics", admin_state="None")
    run = run_playbook([task("load_balancer_info", "info", resource_group=group, name="lb"),
                        task("lb_health_info", "health", resource_group=group, load_balancer="lb"), clear])
    assert run.ok, run.output()
    pools = {p["name"]: p for p in run.task("info")["load_balancers"][0]["backend_pools"]}
    assert pools["nics"]["kind"] == "nic" and pools["ips"]["kind"] == "ip"
    [nic_member] = pools["nics"]["members"]
    assert (nic_member["ip_configuration"], nic_member["admin_state"], nic_member["network_interface"]) == (
        member, "Down", "nic1")
    [ip_member] = pools["ips"]["members"]
    assert (ip_member["name"], ip_member["ip_address"], ip_member["admin_state"], ip_member["ip_configuration"]) == (
        "a1", "10.0.0.50", "Up", None)
    [backend] = run.task("health")["rules"][0]["backends"]
    assert (backend["ip_configuration"], backend["state"], backend["reason"], backend["admin_state"]) == (
        member, "Down", "Down_Admin", "Down")

    assert run.task("clear")["changed"] and run.task("clear")["admin_state"] == "None", run.output()


def test_load_balancer_makes_pools_of_either_kind(run_playbook, azemu, sdk, lb_group):
    group = lb_group
    lb_task = task("load_balancer", "lb", resource_group=group, name="lb",
                   frontend_ip_configurations=[{"name": "fe", "public_ip_address": "pip"}],
                   backend_pools=["nics", {"name": "ips", "virtual_network": "vnet"}])
    run = run_playbook([lb_task])
    assert run.ok and run.task("lb")["changed"], run.output()
    pools = {p["name"]: p for p in run.task("lb")["load_balancer"]["backend_pools"]}
    vnet = ids(sdk, group).lb.replace("loadBalancers/lb", "virtualNetworks/vnet")
    assert (pools["ips"]["kind"], pools["ips"]["virtual_network"]) == ("ip", vnet)
    assert (pools["nics"]["kind"], pools["nics"]["virtual_network"]) == (None, None)
    body = sdk.network.load_balancer_backend_address_pools.get(group, "lb", "ips").as_dict()
    assert body["properties"]["virtualNetwork"]["id"].lower() == vnet.lower()
    mark = azemu.mark()
    assert not run_playbook([lb_task]).task("lb")["changed"]
    assert azemu.writes(since=mark) == []
    # A NIC cannot join it.
    with pytest.raises(HttpResponseError, match="CannotMixIPBasedAddressesAndIPConfigurationsOnLoadBalancerBackend"):
        make_nic(sdk, group, "nic1", [ids(sdk, group).part("backendAddressPools", "ips")])
    # Its addresses need no network of their own then.
    bad = dict(lb_task, name="bad", ignore_errors=True, **{"cloudlb.azure.load_balancer": dict(
        lb_task["cloudlb.azure.load_balancer"], backend_pools=[{"name": "x", "vnet": "vnet"}])})
    run = run_playbook([address_task(group, ip_address="10.0.0.60"), bad])
    assert run.task("address")["changed"], run.output()
    assert "backend_pools items take name and virtual_network, not vnet" in run.task("bad")["msg"], run.output()
