from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._lb_health import backend_to_dict, is_member, pending
from ansible_collections.cloudlb.azure.plugins.modules.lb_health_info import option_problems

IPCONFIG = ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/myNicVM{n}"
            "/ipConfigurations/ipconfig1")


def params(**changes):
    base = dict(resource_group="rg", load_balancer="myLoadBalancer", rule=None, wait_for=None, member=None,
                wait_timeout=300, wait_interval=5.0, resolve=True)
    base.update(changes)
    return base


def backend(n, state="Up", reason="Up_Probe_Success"):
    return backend_to_dict({"ipAddress": f"10.1.0.{n + 3}", "networkInterfaceIPConfigurationId": IPCONFIG.format(n=n),
                            "state": state, "reason": reason}, lambda nic_id: "myVM" + nic_id[-1])


def rule(name, *backends):
    return {"name": name, "id": f"/x/{name}", "up": sum(b["state"] == "Up" for b in backends),
            "down": sum(b["state"] != "Up" for b in backends), "backends": list(backends)}


def test_valid_options():
    assert option_problems(params()) == []
    assert option_problems(params(rule="myHTTPRule", wait_for="healthy", member="myVM1")) == []
    assert option_problems(params(wait_for="all_healthy")) == []
    assert option_problems(params(wait_for="all_healthy", resolve=False)) == []


@pytest.mark.parametrize("changes, why", [
    (dict(resource_group="bad/rg"), "resource group name"),
    (dict(load_balancer="bad lb"), "load balancer name"),
    (dict(rule="-rule-"), "rule name"),
    (dict(wait_for="healthy"), "needs member"),
    (dict(wait_for="unhealthy"), "needs member"),
    (dict(member="myVM1"), "only used with"),
    (dict(member="myVM1", wait_for="all_healthy"), "only used with"),
    (dict(wait_timeout=0), "wait_timeout"),
    (dict(wait_interval=-1.0), "wait_interval"),
    (dict(wait_for="healthy", member="myVM1", resolve=False), "needs resolve=true"),
    (dict(wait_for="unhealthy", member="10.1.0.4", resolve=False), "needs resolve=true"),
])
def test_invalid_options(changes, why):
    problems = option_problems(params(**changes))
    assert len(problems) == 1 and why in problems[0], problems


def test_backend_names_come_from_the_ip_configuration_and_its_nic():
    b = backend(2, "Down", "Down_Probe_HttpStatusCodeError")
    assert b == {"ip_address": "10.1.0.5", "ip_configuration": IPCONFIG.format(n=2), "network_interface": "myNicVM2",
                 "ip_configuration_name": "ipconfig1", "virtual_machine": "myVM2", "state": "Down",
                 "reason": "Down_Probe_HttpStatusCodeError", "admin_state": "None"}


def test_a_member_is_named_by_vm_nic_or_ip_configuration_id():
    b = backend(1)
    assert is_member(b, "myvm1") and is_member(b, "MYNICVM1") and is_member(b, IPCONFIG.format(n=1).lower())
    assert not is_member(b, "myVM2")


def test_healthy_needs_the_member_up_in_every_rule_that_has_it():
    rules = [rule("http", backend(1), backend(2)), rule("https", backend(1, "Down", "Down_Probe_TcpProbeTimeout"))]
    assert pending(rules, "healthy", "myVM2") is None
    assert pending(rules, "healthy", "myVM1") == "https: myVM1 Down (Down_Probe_TcpProbeTimeout)"
    assert pending(rules, "healthy", "myVM9") == "myVM9 is a backend of no rule"


def test_unhealthy_holds_when_down_everywhere_or_out_of_every_pool():
    rules = [rule("http", backend(1, "Down", "Down_Probe_HttpEndpointUnreachable"), backend(2))]
    assert pending(rules, "unhealthy", "myVM1") is None
    assert pending(rules, "unhealthy", "myVM3") is None
    assert pending(rules, "unhealthy", "myVM2") == "http: myVM2 Up (Up_Probe_Success)"


def test_all_healthy_needs_backends_and_all_of_them_up():
    assert pending([rule("http", backend(1), backend(2))], "all_healthy", None) is None
    assert pending([rule("http")], "all_healthy", None) == "http has no backend"
    waiting = pending([rule("http", backend(1), backend(2, "Down", "Down_Probe_ApproachingHealthyThreshold"))],
                      "all_healthy", None)
    assert waiting == "http: myVM2 Down (Down_Probe_ApproachingHealthyThreshold)"
