"""cloudlb.azure.lb_health_info through real ansible-playbook runs, against azemu's data plane.

The tutorial's topology (VNet, NSG allowing port 80, public IP, Standard LB with an HTTP probe
and a rule, three NICs in the pool, three VMs whose cloud-init carries the app) is built with
the plain SDK; azemu runs time-scaled, so probes flip backends within a second.
"""

from __future__ import annotations

import base64
import os
import uuid

import pytest

LOCATION = "eastus"
VMS = ("myVM1", "myVM2", "myVM3")
TIME_SCALE = 25
APP = """#cloud-config
write_files:
  - path: /home/azureuser/myapp/index.js
    content: |
      var os = require('os');
      require('express')().get('/', function (req, res) {
        res.send('Hello World from host ' + os.hostname() + '!')
      }).listen(3000)
"""


def health(group, task_name="health", **options):
    """A task of the module on the tutorial's load balancer in `group` (failures do not stop the play)."""
    options.setdefault("load_balancer", "myLoadBalancer")
    return {"name": task_name, "cloudlb.azure.lb_health_info": dict(resource_group=group, **options),
            "ignore_errors": True}


@pytest.fixture(scope="module")
def tutorial(azemu, sdk):
    """The group name; the three VMs are running and in the pool when a test starts."""
    from azure.mgmt.compute import ComputeManagementClient

    before = azemu.settings()
    azemu.settings(time_scale=TIME_SCALE)
    group = f"rg-health-{uuid.uuid4().hex[:8]}"
    net = sdk.network
    base = f"/subscriptions/{sdk.env['AZURE_SUBSCRIPTION_ID']}/resourceGroups/{group}/providers/Microsoft.Network"
    lb = f"{base}/loadBalancers/myLoadBalancer"
    sdk.resource.resource_groups.create_or_update(group, {"location": LOCATION})
    net.virtual_networks.begin_create_or_update(group, "myVNet", {"location": LOCATION, "properties": {
        "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
        "subnets": [{"name": "myBackendSubnet", "properties": {"addressPrefix": "10.1.0.0/24"}}]}}).result()
    net.network_security_groups.begin_create_or_update(group, "myNSG", {"location": LOCATION, "properties": {
        "securityRules": [{"name": "myNSGRuleHTTP", "properties": {
            "protocol": "Tcp", "direction": "Inbound", "access": "Allow", "priority": 200,
            "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*",
            "destinationPortRange": "80"}}]}}).result()
    net.public_ip_addresses.begin_create_or_update(group, "myPublicIP", {
        "location": LOCATION, "sku": {"name": "Standard"},
        "properties": {"publicIPAllocationMethod": "Static"}}).result()
    net.load_balancers.begin_create_or_update(group, "myLoadBalancer", {
        "location": LOCATION, "sku": {"name": "Standard"}, "properties": {
            "frontendIPConfigurations": [{"name": "myFrontEnd", "properties": {
                "publicIPAddress": {"id": f"{base}/publicIPAddresses/myPublicIP"}}}],
            "backendAddressPools": [{"name": "myBackEndPool"}],
            "probes": [{"name": "myHealthProbe", "properties": {
                "protocol": "Http", "port": 80, "requestPath": "/", "intervalInSeconds": 5, "probeThreshold": 2}}],
            "loadBalancingRules": [{"name": "myHTTPRule", "properties": {
                "protocol": "Tcp", "frontendPort": 80, "backendPort": 80,
                "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/myFrontEnd"},
                "backendAddressPool": {"id": f"{lb}/backendAddressPools/myBackEndPool"},
                "probe": {"id": f"{lb}/probes/myHealthProbe"}}}]}}).result()
    compute = sdk.client(ComputeManagementClient)
    key = "ssh-rsa " + base64.b64encode(os.urandom(64)).decode()
    pollers = []
    for vm in VMS:
        nic = f"myNic{vm[2:]}"
        net.network_interfaces.begin_create_or_update(group, nic, {"location": LOCATION, "properties": {
            "networkSecurityGroup": {"id": f"{base}/networkSecurityGroups/myNSG"},
            "ipConfigurations": [{"name": "ipconfig1", "properties": {
                "subnet": {"id": f"{base}/virtualNetworks/myVNet/subnets/myBackendSubnet"},
                "loadBalancerBackendAddressPools": [{"id": f"{lb}/backendAddressPools/myBackEndPool"}]}}]}}).result()
        pollers.append(compute.virtual_machines.begin_create_or_update(group, vm, {
            "location": LOCATION, "properties": {
                "hardwareProfile": {"vmSize": "Standard_B1s"},
                "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                      "sku": "server", "version": "latest"}},
                "osProfile": {"computerName": vm, "adminUsername": "azureuser",
                              "customData": base64.b64encode(APP.encode()).decode(),
                              "linuxConfiguration": {"disablePasswordAuthentication": True, "ssh": {"publicKeys": [
                                  {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": key}]}}},
                "networkProfile": {"networkInterfaces": [{"id": f"{base}/networkInterfaces/{nic}"}]}}}))
    for poller in pollers:
        poller.result()
    yield group, compute.virtual_machines
    sdk.resource.resource_groups.begin_delete(group).result()
    azemu.settings(time_scale=before["time_scale"])


def all_healthy(run_playbook, group):
    run = run_playbook([health(group, wait_for="all_healthy", wait_timeout=60, wait_interval=0.2)])
    assert run.ok, run.output()
    return run.task("health")


def test_reports_every_backend_with_its_names_after_waiting_for_all_healthy(run_playbook, tutorial):
    group, _vms = tutorial
    result = all_healthy(run_playbook, group)
    assert not result["changed"]
    [rule] = result["rules"]
    assert rule["name"] == "myHTTPRule" and rule["id"].endswith("/loadBalancingRules/myHTTPRule")
    assert (rule["up"], rule["down"]) == (3, 0)
    by_vm = {b["virtual_machine"]: b for b in rule["backends"]}
    assert sorted(by_vm) == sorted(VMS)
    for vm, backend in by_vm.items():
        assert backend["network_interface"] == f"myNic{vm[2:]}"
        assert backend["ip_configuration_name"] == "ipconfig1"
        assert backend["ip_configuration"].endswith(f"/networkInterfaces/myNic{vm[2:]}/ipConfigurations/ipconfig1")
        assert backend["ip_address"].startswith("10.1.0.")
        assert (backend["state"], backend["reason"]) == ("Up", "Up_Probe_Success")
    # Read-only: check mode reports the same.
    run = run_playbook([health(group, rule="myHTTPRule")], check=True)
    assert run.ok and run.task("health")["rules"] == result["rules"], run.output()


def test_resolve_false_reads_no_network_interface_and_names_no_vm(run_playbook, azemu, tutorial):
    group, _vms = tutorial
    named = all_healthy(run_playbook, group)["rules"]
    mark = azemu.mark()
    run = run_playbook([health(group, resolve=False, wait_for="all_healthy", wait_timeout=60, wait_interval=0.2)])
    assert run.ok, run.output()
    paths = [r["path"].split("?")[0] for r in azemu.requests(since=mark) if r["kind"] == "arm"]
    assert not [p for p in paths if "/networkinterfaces/" in p.lower()], paths
    # The same report, less the VM names (what RETURN says is null then).
    assert run.task("health")["rules"] == [
        {**rule, "backends": [{**b, "virtual_machine": None} for b in rule["backends"]]} for rule in named]


def test_waits_for_a_stopped_vm_to_go_down_and_come_back(run_playbook, tutorial):
    group, vms = tutorial
    all_healthy(run_playbook, group)
    vms.begin_power_off(group, "myVM2").result()
    run = run_playbook([health(group, wait_for="unhealthy", member="myVM2", wait_timeout=60, wait_interval=0.2)])
    assert run.ok, run.output()
    backends = {b["virtual_machine"]: b for b in run.task("health")["rules"][0]["backends"]}
    assert backends["myVM2"]["state"] == "Down" and backends["myVM2"]["reason"].startswith("Down_Probe_")
    assert backends["myVM1"]["state"] == backends["myVM3"]["state"] == "Up"
    assert (run.task("health")["rules"][0]["up"], run.task("health")["rules"][0]["down"]) == (2, 1)

    vms.begin_start(group, "myVM2").result()
    # The member named by its NIC this time.
    run = run_playbook([health(group, wait_for="healthy", member="myNicVM2", rule="myHTTPRule", wait_timeout=60,
                               wait_interval=0.2)])
    assert run.ok, run.output()
    backends = {b["virtual_machine"]: b for b in run.task("health")["rules"][0]["backends"]}
    assert backends["myVM2"]["state"] == "Up"


def test_a_member_in_no_pool_fails_at_once_and_a_timeout_says_what_it_waits_for(run_playbook, tutorial):
    group, _vms = tutorial
    all_healthy(run_playbook, group)
    run = run_playbook([
        health(group, "not a member", wait_for="healthy", member="myVM9", wait_timeout=600, wait_interval=0.5),
        health(group, "timeout", wait_for="unhealthy", member="myVM1", wait_timeout=2, wait_interval=0.5)])
    record = run.record("not a member")
    assert record["status"] == "failed", run.output()
    # Not in any rule's pool, it cannot become healthy: said at once, not after wait_timeout.
    assert record["result"]["msg"] == ("member: myVM9 is not a backend of rule myHTTPRule of load balancer "
                                       "myLoadBalancer; add it to the backend pool first (cloudlb.azure.lb_pool_member)")
    assert record["duration"] < 60, record
    assert [r["name"] for r in record["result"]["rules"]] == ["myHTTPRule"]

    result = run.task("timeout")
    assert run.record("timeout")["status"] == "failed", run.output()
    assert result["msg"] == ("Timed out after 2 seconds waiting for myVM1 to be unhealthy on load balancer "
                             "myLoadBalancer; still: myHTTPRule: myVM1 Up (Up_Probe_Success)")
    assert [r["name"] for r in result["rules"]] == ["myHTTPRule"]


def test_nothing_found_is_an_empty_list_and_nothing_to_wait_on_fails(run_playbook, tutorial):
    group, _vms = tutorial
    run = run_playbook([health(group, "no-lb", load_balancer="nope"), health(group, "no-rule", rule="nope"),
                        health(group, "wait-no-lb", load_balancer="nope", wait_for="all_healthy")])
    assert run.record("no-lb")["status"] == "ok" and run.task("no-lb")["rules"] == [], run.output()
    # A rule the load balancer does not have is a mistake, not an empty answer (issue 11).
    assert run.record("no-rule")["status"] == "failed"
    assert run.task("no-rule")["msg"] == "rule: load balancer myLoadBalancer has no rule nope (it has: myHTTPRule)"
    assert run.record("wait-no-lb")["status"] == "failed"
    assert run.task("wait-no-lb")["msg"] == "Cannot wait for all_healthy: load balancer nope does not exist"


# Each check is unit-tested (tests/unit/test_lb_health_info.py); here: they run before any request.
BAD_OPTIONS = [
    (dict(wait_for="healthy"), "wait_for=healthy needs member"),
    (dict(load_balancer="my lb", wait_timeout=0), "load balancer name"),
]


def test_bad_options_fail_before_any_request(run_playbook, azemu):
    mark = azemu.mark()
    tasks = [health("rg", f"bad-{i}", **options)
             for i, (options, _why) in enumerate(BAD_OPTIONS)]
    run = run_playbook(tasks)
    for i, (_options, why) in enumerate(BAD_OPTIONS):
        assert run.record(f"bad-{i}")["status"] == "failed" and why in run.task(f"bad-{i}")["msg"], run.output()
    assert azemu.requests(since=mark) == []


def test_azure_error_codes_are_carried(run_playbook, azemu, sdk, tutorial):
    group, _vms = tutorial
    base = f"/subscriptions/{sdk.env['AZURE_SUBSCRIPTION_ID']}/resourceGroups/{group}/providers/Microsoft.Network"
    lb = f"{base}/loadBalancers/lbGoing"
    sdk.network.public_ip_addresses.begin_create_or_update(group, "pipGoing", {
        "location": LOCATION, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}).result()
    sdk.network.load_balancers.begin_create_or_update(group, "lbGoing", {
        "location": LOCATION, "sku": {"name": "Standard"}, "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": {
                "publicIPAddress": {"id": f"{base}/publicIPAddresses/pipGoing"}}}],
            "backendAddressPools": [{"name": "pool"}],
            "probes": [{"name": "probe", "properties": {"protocol": "Tcp", "port": 80}}],
            "loadBalancingRules": [{"name": "rule", "properties": {
                "protocol": "Tcp", "frontendPort": 80, "backendPort": 80,
                "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"},
                "backendAddressPool": {"id": f"{lb}/backendAddressPools/pool"},
                "probe": {"id": f"{lb}/probes/probe"}}}]}}).result()
    # While Azure deletes the load balancer, the health query is refused with a conflict.
    latency = azemu.settings()["latency"]
    azemu.settings(latency=60)
    try:
        sdk.network.load_balancers.begin_delete(group, "lbGoing")
        run = run_playbook([health(group, load_balancer="lbGoing", rule="rule")])
    finally:
        azemu.settings(latency=latency)
    result = run.task("health")
    assert run.record("health")["status"] == "failed", run.output()
    assert result["error_code"] == "AnotherOperationInProgress" and result["status_code"] == 409
    assert result["msg"].startswith("Failed to read the health of rule rule of load balancer lbGoing: "
                                    "(AnotherOperationInProgress) ")
