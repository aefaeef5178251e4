"""Writes on a bad day (issue 11): lost answers, operations that end Failed, power requests
whose answer never came. azemu injects them (emulator/README.md, Faults) into an azemu of this
file's own. What must hold:

- a write whose answer was lost is found made, not done twice (every resource of the tutorial,
  each losing its first answer), and a re-run with faults off writes nothing;
- a long-running operation that ends Failed fails the task with Azure's code and message; the
  same task run again once the cause is gone converges, and a third run writes nothing;
- a VM power request whose answer was lost (or never reached Azure) is read back from the VM's
  power state and converges, each action sent once when it took effect.

site.yml under faults is test_faults_site.py. Each run prints its figures.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter

from compute_setup import SSH_KEY
from faults_setup import figures, report, seed_hitting_once


def lost_answer(path, method="PUT"):
    return {"drop": "after", "share": 0.5, "method": method, "path": path}


def stages(group):
    """The tutorial's resources in three playbooks, so that each resource is written once per
    stage: (fault paths, tasks)."""
    def task(title, module, **options):
        return {"name": title, f"cloudlb.azure.{module}": options}

    rg = {"resource_group": group}
    return [
        (["*/resourcegroups/" + group, "*/publicipaddresses/pip", "*/publicipaddresses/pip2",
          "*/virtualnetworks/vnet", "*/networksecuritygroups/nsg", "*/availabilitysets/avset",
          "*/loadbalancers/lb"], [
            task("group", "resource_group", name=group, location="westus"),
            task("ip", "public_ip", name="pip", **rg),
            task("ip2", "public_ip", name="pip2", **rg),
            task("vnet", "virtual_network", name="vnet", address_prefixes=["10.1.0.0/16"],
                 subnets=[{"name": "web", "address_prefix": "10.1.0.0/24"}], **rg),
            task("nsg", "security_group", name="nsg", rules=[{
                "name": "http", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                "destination_port_ranges": ["80"]}], **rg),
            task("avset", "availability_set", name="avset", platform_fault_domain_count=2,
                 platform_update_domain_count=2, **rg),
            task("lb", "load_balancer", name="lb", frontend_ip_configurations=[{"name": "fe", "public_ip_address": "pip"}],
                 backend_pools=["pool"], **rg),
        ]),
        (["*/loadbalancers/lb", "*/networkinterfaces/nic1", "*/publicipaddresses/pip2"], [
            task("probe", "lb_probe", load_balancer="lb", name="http", protocol="Tcp", port=80, **rg),
            task("nic", "network_interface", name="nic1", virtual_network="vnet", subnet="web", security_group="nsg",
                 load_balancer_backend_address_pools=[{"load_balancer": "lb", "name": "pool"}], **rg),
            task("ip2 gone", "public_ip", name="pip2", state="absent", **rg),
        ]),
        (["*/loadbalancers/lb", "*/virtualmachines/vm1"], [
            task("rule", "lb_rule", load_balancer="lb", name="web", protocol="Tcp", frontend_port=80, backend_port=80,
                 frontend_ip_configuration="fe", backend_pool="pool", probe="http", **rg),
            task("vm", "virtual_machine", name="vm1", network_interfaces=["nic1"], availability_set="avset",
                 size="Standard_B1s", admin_username="azureuser", ssh_public_keys=[SSH_KEY], **rg),
        ]),
    ]


def test_writes_whose_answer_was_lost_are_found_made_not_done_twice(fault_azemu, fault_env, run_playbook):
    group = f"rg-lost-{uuid.uuid4().hex[:8]}"
    plan = stages(group)
    try:
        for paths, tasks in plan:
            rules = [lost_answer(path, ["PUT", "DELETE"]) for path in paths]
            fault_azemu.faults(rules, seed=seed_hitting_once(len(rules), 0.5))
            mark, started = fault_azemu.mark(), time.monotonic()
            run = run_playbook(tasks, env=fault_env)
            numbers = dict(figures(fault_azemu, mark), seconds=round(time.monotonic() - started, 1))
            injected = [rule["injected"] for rule in fault_azemu.faults()["rules"]]
            fault_azemu.faults([])
            report(f"lost answers of {[t['name'] for t in tasks]}", dict(numbers, injected=injected))
            assert run.ok, run.output()
            assert all(result["changed"] for result in run.tasks), [(t["name"], r["changed"]) for t, r in zip(tasks, run.tasks)]
            assert injected == [1] * len(rules), injected
        mark = fault_azemu.mark()
        # pip2 was made to be deleted: the rest, run again with faults off, must change nothing.
        again = run_playbook([task for _paths, tasks in plan for task in tasks if task["name"] not in ("ip2", "ip2 gone")],
                             env=fault_env)
        assert again.ok, again.output()
        assert [(w["method"], w["path"]) for w in fault_azemu.writes(since=mark)] == []

        # Power requests whose answer never came, read back from the power state: lost after they
        # took effect (powerOff, deallocate: waited for, not sent again), before Azure saw them
        # (start, its first try: sent again). A restart is the one a power state cannot tell
        # (this azemu boots at once, and Azure's VM stays running through a restart): the task
        # fails saying so, and sends no second restart.
        states = {"stopped": "powerOff", "running": "start", "restarted": "restart", "deallocated": "deallocate"}
        rules = [{"drop": "before", "share": 0.5, "method": "POST", "path": "*/virtualmachines/vm1/start"}] + [
            {"drop": "after", "method": "POST", "path": f"*/virtualmachines/vm1/{action}"}
            for action in ("powerOff", "restart", "deallocate")]
        fault_azemu.faults(rules, seed=seed_hitting_once(1, 0.5))
        mark = fault_azemu.mark()
        run = run_playbook([{"name": state, "ignore_errors": state == "restarted", "cloudlb.azure.virtual_machine": {
            "resource_group": group, "name": "vm1", "power_state": state}} for state in states], env=fault_env)
        injected = [rule["injected"] for rule in fault_azemu.faults()["rules"]]
        fault_azemu.faults([])
        report("lost answers of power requests", dict(figures(fault_azemu, mark), injected=injected))
        assert [(run.record(s)["status"], run.task(s).get("virtual_machine", {}).get("power_state")) for s in states] == [
            ("ok", "stopped"), ("ok", "running"), ("failed", None), ("ok", "deallocated")], run.output()
        assert "whether it restarted in between cannot be told" in run.task("restarted")["msg"]
        posts = Counter(r["path"].rsplit("/", 1)[-1] for r in fault_azemu.requests(since=mark)
                        if r["kind"] == "arm" and r["method"] == "POST")
        assert posts == {"powerOff": 1, "start": 2, "restart": 1, "deallocate": 1}, posts
        assert injected == [1, 1, 1, 1], injected
    finally:
        fault_azemu.faults([])


def test_an_operation_that_ends_failed_fails_the_task_and_a_rerun_converges(fault_azemu, fault_env, run_playbook):
    group = f"rg-failed-{uuid.uuid4().hex[:8]}"
    setup = stages(group)[0][1]
    assert run_playbook([t for t in setup if t["name"] in ("group", "ip", "vnet")], env=fault_env).ok
    vnet = {"resource_group": group, "name": "vnet2", "address_prefixes": ["10.2.0.0/16"]}
    tasks = [
        {"name": "public IP", "cloudlb.azure.public_ip": {"resource_group": group, "name": "pip3"}, "ignore_errors": True},
        {"name": "load balancer", "ignore_errors": True, "cloudlb.azure.load_balancer": {
            "resource_group": group, "name": "lb3", "frontend_ip_configurations": [{"name": "fe", "public_ip_address": "pip"}],
            "backend_pools": ["pool"]}},
        {"name": "VNet", "cloudlb.azure.virtual_network": vnet, "ignore_errors": True},
        {"name": "NIC", "ignore_errors": True, "cloudlb.azure.network_interface": {
            "resource_group": group, "name": "nic3", "virtual_network": "vnet", "subnet": "web"}},
        {"name": "VM", "ignore_errors": True, "cloudlb.azure.virtual_machine": {
            "resource_group": group, "name": "vm3", "network_interfaces": ["nic3"], "size": "Standard_B1s",
            "admin_username": "azureuser", "ssh_public_keys": [SSH_KEY]}},
    ]
    failing = ("*/publicipaddresses/pip3", "*/loadbalancers/lb3", "*/virtualnetworks/vnet2", "*/virtualmachines/vm3")
    fault_azemu.faults([{"lro": "Failed", "method": "PUT", "path": path} for path in failing])
    try:
        run = run_playbook(tasks, env=fault_env)
    finally:
        fault_azemu.faults([])
    failed = {t["name"]: run.record(t["name"]) for t in tasks}
    report("failed operations", {name: record["result"].get("msg") for name, record in failed.items()})
    for name, code, message in [("public IP", "InternalServerError", "An error occurred."),
                                ("load balancer", "InternalServerError", "An error occurred."),
                                ("VNet", "InternalServerError", "An error occurred."),
                                ("VM", "InternalExecutionError", "An internal execution error occurred.")]:
        assert failed[name]["status"] == "failed", failed[name]
        assert f"({code}) {message}" in failed[name]["result"]["msg"], failed[name]
        assert failed[name]["result"]["error_code"] == code, failed[name]
    assert failed["NIC"]["status"] == "ok", failed["NIC"]

    # The cause is gone (faults off): the same tasks repair what was left Failed, then rest.
    tasks = [{key: value for key, value in t.items() if key != "ignore_errors"} for t in tasks]
    repaired = run_playbook(tasks, env=fault_env)
    assert repaired.ok, repaired.output()
    changed = {t["name"]: r["changed"] for t, r in zip(tasks, repaired.tasks)}
    assert changed == {"public IP": True, "load balancer": True, "VNet": True, "NIC": False, "VM": True}, changed
    mark = fault_azemu.mark()
    third = run_playbook(tasks, env=fault_env)
    assert third.ok, third.output()
    assert [(w["method"], w["path"]) for w in fault_azemu.writes(since=mark)] == []


def test_a_security_rule_left_failed_is_written_again_then_rests(fault_azemu, fault_env, run_playbook):
    """A rule is a Microsoft.Network resource written whole, as an NSG is: Azure's way out of a
    Failed provisioning state (a PUT of the rule as it is) applies to it too."""
    group = f"rg-rule-{uuid.uuid4().hex[:8]}"
    rg = {"resource_group": group}
    assert run_playbook([
        {"name": "group", "cloudlb.azure.resource_group": {"name": group, "location": "westus"}},
        {"name": "nsg", "cloudlb.azure.security_group": dict(rg, name="nsg")},
    ], env=fault_env).ok
    rule = {"name": "rule", "cloudlb.azure.security_rule": dict(
        rg, security_group="nsg", name="ssh", priority=200, protocol="Tcp", destination_port_ranges=["22"])}
    fault_azemu.faults([{"lro": "Failed", "method": "PUT", "path": "*/securityrules/ssh"}])
    try:
        failed = run_playbook([dict(rule, ignore_errors=True)], env=fault_env)
    finally:
        fault_azemu.faults([])
    assert failed.record("rule")["status"] == "failed", failed.output()

    mark = fault_azemu.mark()
    repaired = run_playbook([rule, dict(rule, name="again")], env=fault_env)
    assert repaired.ok, repaired.output()
    writes = fault_azemu.writes(since=mark)
    assert repaired.task("rule")["changed"], repaired.output()
    assert repaired.task("rule")["security_rule"]["provisioning_state"] == "Succeeded"
    assert [w["method"] for w in repaired.during("rule", writes)] == ["PUT"]
    assert not repaired.task("again")["changed"] and repaired.during("again", writes) == []
