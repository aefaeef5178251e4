"""The roles beyond the tutorial's defaults, as a user writes a playbook of them: five VMs, an HTTP
probe on the app's health route with its own interval and threshold, two rules (80 and 8080),
other names and another region; then the collection's own smoke test and step 5 on it, with
nothing but the names given (everything else derived from the load balancer).

One playbook run builds and tests (its JSON results are checked), one runs pool_member.yml;
azemu's data plane and the plain SDK check what was built.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TIME_SCALE = 30
RUN_FIRST = True     # long: started before the short files (root conftest.py)
LOCATION = "northeurope"
VMS = [f"web{i}" for i in range(1, 6)]
PROBE = {"name": "webHealth", "protocol": "Http", "port": 80, "request_path": "/healthz", "interval": 5,
         "probe_threshold": 3}
RULES = [
    {"name": "http", "protocol": "Tcp", "frontend_port": 80, "backend_port": 80, "probe": "webHealth"},
    {"name": "alt", "protocol": "Tcp", "frontend_port": 8080, "backend_port": 8080, "probe": "webHealth",
     "idle_timeout": 10, "enable_tcp_reset": True},
]

PLAYBOOK = [
    {
        "name": "A variant of the tutorial, from the roles",
        "hosts": "localhost",
        "gather_facts": False,
        "roles": [
            {"role": "cloudlb.azure.network", "vars": {
                "network_resource_group": "{{ resource_group }}", "network_location": LOCATION,
                "network_vnet_name": "webVnet", "network_subnet_name": "webSubnet",
                "network_security_group_name": "webNsg", "network_app_rule_name": "allowWeb",
                "network_app_ports": [80, 8080], "network_public_ip_name": "webIP"}},
            {"role": "cloudlb.azure.load_balancer", "vars": {
                "load_balancer_resource_group": "{{ resource_group }}", "load_balancer_location": LOCATION,
                "load_balancer_name": "{{ lb_name }}", "load_balancer_public_ip_name": "webIP",
                "load_balancer_frontend_name": "webFront", "load_balancer_backend_pool_name": "{{ backend_pool_name }}",
                "load_balancer_probes": [PROBE], "load_balancer_rules": RULES}},
            {"role": "cloudlb.azure.vms", "vars": {
                "vms_resource_group": "{{ resource_group }}", "vms_count": 5, "vms_name_prefix": "web",
                "vms_nic_name_prefix": "webNic", "vms_availability_set_name": "webSet",
                "vms_virtual_network": "webVnet", "vms_subnet": "webSubnet", "vms_security_group": "webNsg",
                "vms_load_balancer": "{{ lb_name }}", "vms_backend_pool": "{{ backend_pool_name }}",
                "vms_http_ports": [80, 8080], "vms_size": "Standard_B1s", "vms_wait_delay": 1}},
        ],
    },
    {"name": "Test it with the collection's smoke test", "ansible.builtin.import_playbook": "cloudlb.azure.smoke_test"},
]


@pytest.fixture(scope="module")
def variant(azemu, run_playbook, sdk, tmp_path_factory):
    before = azemu.settings()
    azemu.settings(time_scale=TIME_SCALE)
    group = f"rg-variant-{uuid.uuid4().hex[:8]}"
    names = {"resource_group": group, "lb_name": "webLB", "backend_pool_name": "webPool",
             "health_wait_interval": 0.5, "health_wait_timeout": 120}
    playbook = tmp_path_factory.mktemp("variant") / "variant.yml"
    playbook.write_text(yaml.safe_dump(PLAYBOOK, sort_keys=False))

    def run(path, *more):
        return run_playbook(playbook=path, args=("-e", json.dumps(names), *more))

    run.group = group
    run.built = run(playbook)
    yield run
    if sdk.resource.resource_groups.check_existence(group):
        sdk.resource.resource_groups.begin_delete(group).result()
    azemu.settings(time_scale=before["time_scale"])


def test_five_vms_behind_an_http_probe_and_two_rules_each_answer_on_both(variant, sdk):
    run = variant.built
    assert run.ok, run.output()
    checks = [r["result"]["msg"] for r in run.records if r["name"] == "Check that every VM answered"]
    assert len(checks) == 2, checks
    for check, port in zip(checks, (80, 8080)):
        assert f":{port}/: " in check and check.startswith("Every VM answered"), check
        assert all(vm in check for vm in VMS), check
    health = run.task("Wait until the load balancer sees every VM up")["rules"]
    assert sorted(rule["name"] for rule in health) == ["alt", "http"]
    assert all(sorted(b["virtual_machine"] for b in rule["backends"]) == VMS and rule["up"] == 5 for rule in health)

    lb = sdk.network.load_balancers.get(variant.group, "webLB")
    assert lb.location == LOCATION
    [probe] = lb.probes
    assert (probe.name, probe.protocol, probe.port, probe.request_path, probe.interval_in_seconds,
            probe.probe_threshold) == ("webHealth", "Http", 80, "/healthz", 5, 3)
    rules = {rule.name: rule for rule in lb.load_balancing_rules}
    assert sorted(rules) == ["alt", "http"]
    assert (rules["alt"].frontend_port, rules["alt"].backend_port, rules["alt"].idle_timeout_in_minutes,
            rules["alt"].enable_tcp_reset) == (8080, 8080, 10, True)
    assert all(r.backend_address_pool.id.endswith("/webPool") and r.frontend_ip_configuration.id.endswith("/webFront")
               for r in rules.values())
    [rule] = sdk.network.network_security_groups.get(variant.group, "webNsg").security_rules
    assert rule.name == "allowWeb" and sorted(rule.destination_port_ranges or [rule.destination_port_range]) == [
        "80", "8080"]
    nics = sorted(n.name for n in sdk.network.network_interfaces.list(variant.group))
    assert nics == [f"webNic{i}" for i in range(1, 6)]


def test_pool_member_needs_only_the_names_and_checks_every_rule(variant, sdk):
    assert variant.built.ok, "the build failed"
    # Two new connections per VM and rule while web3 is out (the playbook opens three).
    run = variant(REPO_ROOT / "playbooks" / "pool_member.yml", "-e", "vm=web3", "-e", "out_fetch_count=10")
    assert run.ok, run.output()
    out = run.task("Fetch the app over new connections while the VM is out")["results"]
    assert {item["pool_member_fetch"][0]["rule"] for item in out} == {"http", "alt"}
    assert all(item["content"] != "Hello World from host web3!" for item in out)
    assert "web3 got none of" in run.task("Check that only the other VMs answered")["msg"]
    back = run.task("Fetch the app over new connections until the VM answers again")["results"]
    assert [(item["pool_member_rule"]["rule"], item["content"]) for item in back] == [
        ("http", "Hello World from host web3!"), ("alt", "Hello World from host web3!")]
    pools = sdk.network.network_interfaces.get(variant.group, "webNic3").ip_configurations[0]
    assert [p.id.rsplit("/", 1)[-1] for p in pools.load_balancer_backend_address_pools] == ["webPool"]
