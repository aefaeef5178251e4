"""site.yml with the IP-based variant of the pool (backend_pool_kind=ip, as `make demo POOL_KIND=ip`
runs it): the load_balancer role makes a pool of IP addresses in the VNet, the vms role puts each
VM's address in it rather than its NIC, and the tutorial's smoke test sees every VM answer."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_FIRST = True     # long: started before the short files (root conftest.py)


@pytest.fixture
def group(azemu, sdk):
    before = azemu.settings()
    azemu.settings(time_scale=30)
    name = f"rg-sip-{uuid.uuid4().hex[:8]}"
    yield name
    if sdk.resource.resource_groups.check_existence(name):
        sdk.resource.resource_groups.begin_delete(name).result()
    azemu.settings(time_scale=before["time_scale"])


def test_the_tutorial_on_an_ip_based_pool(run_playbook, azemu, sdk, group):
    extra = {"resource_group": group, "backend_pool_kind": "ip", "health_wait_interval": 0.5,
             "health_wait_timeout": 120, "vms_wait_delay": 1}
    # First --check on the empty subscription: the plan, the addresses of the load balancer an
    # earlier task only planned included (a warning, as for every planned reference), no write.
    mark = azemu.mark()
    check = run_playbook(playbook=REPO_ROOT / "site.yml", args=("-e", json.dumps(extra)), check=True)
    assert check.ok, check.output()
    assert azemu.writes(since=mark) == []
    addresses = check.record("cloudlb.azure.vms : Put the VMs' addresses in the IP-based backend pool")
    assert addresses["status"] == "ok", check.output()
    planned = addresses["result"]["results"]
    assert [(p["changed"], p["backend_address"]["name"]) for p in planned] == [
        (True, f"myVM{i}") for i in (1, 2, 3)], planned
    # The NICs are planned too: their addresses are not known yet (the warnings:
    # test_lb_backend_address.py's check-mode test).
    assert [p["backend_address"]["ip_address"] for p in planned] == [None] * 3, planned

    run = run_playbook(playbook=REPO_ROOT / "site.yml", args=("-e", json.dumps(extra)))
    assert run.ok, run.output()
    checks = [r["result"]["msg"] for r in run.records if r["name"] == "Check that every VM answered"]
    assert checks and all(c.startswith("Every VM answered") for c in checks), checks
    pool = sdk.network.load_balancer_backend_address_pools.get(group, "myLoadBalancer", "myBackEndPool").as_dict()
    entries = {e["name"]: e["properties"] for e in pool["properties"]["loadBalancerBackendAddresses"]}
    nics = {n.name: n for n in sdk.network.network_interfaces.list(group)}
    assert sorted(entries) == ["myVM1", "myVM2", "myVM3"], entries
    for i in (1, 2, 3):
        config = nics[f"myNic{i}"].ip_configurations[0]
        assert entries[f"myVM{i}"]["ipAddress"] == config.private_ip_address
        assert entries[f"myVM{i}"]["virtualNetwork"]["id"].endswith("/virtualNetworks/myVnet")
        assert not config.load_balancer_backend_address_pools, config
