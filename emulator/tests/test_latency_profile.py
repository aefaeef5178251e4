"""The latency profile (`latency_profile: azure`, arm/latency.py): Azure's durations per
resource type and operation, the Retry-After of each provider, scaled by `latency_scale`."""

from __future__ import annotations

import re
import time

import pytest

from azemu.arm import latency
from azemu.arm.lro import Operation
from azemu.settings import Settings
from compute_helpers import action, call, make_nic, vm_body, vm_path, wait_operation
from network_helpers import path_of, vnet_body
from reference import load_recording, recordings

# What the tutorial's playbooks make Azure do (issue 12), each of which needs its figure.
TUTORIAL_OPERATIONS = [
    ("Microsoft.Network/publicIPAddresses", "create"), ("Microsoft.Network/virtualNetworks", "create"),
    ("Microsoft.Network/networkSecurityGroups", "create"), ("Microsoft.Network/networkSecurityGroups", "update"),
    ("Microsoft.Network/loadBalancers", "create"), ("Microsoft.Network/loadBalancers", "update"),
    ("Microsoft.Network/loadBalancers/loadBalancingRules", "health"), ("Microsoft.Network/networkInterfaces", "create"),
    ("Microsoft.Network/networkInterfaces", "update"), ("Microsoft.Compute/virtualMachines", "create"),
    ("Microsoft.Compute/virtualMachines", "restart")]


def operation(full_type, verb, **fields):
    return Operation(id="op", subscription="s", provider=full_type.split("/")[0], location="westus",
                     style="network", kind="put", target="/x", type_key=full_type.lower(), api_version="2024-05-01",
                     due=0.0, start="", verb=verb, **fields)


@pytest.mark.parametrize("full_type, verb", TUTORIAL_OPERATIONS)
def test_each_operation_of_the_tutorial_has_a_figure_and_its_source(full_type, verb):
    found = latency.AZURE_SECONDS[(full_type, verb)]
    assert found.seconds > 0 and len(found.source) > 20


def test_durations_scale_and_without_a_profile_latency_decides():
    settings = Settings(latency=0.7, latency_profile="azure", latency_scale=0.25)
    assert latency.seconds(settings, "Microsoft.Compute/virtualMachines", "restart") == 42 * 0.25
    # Any other operation of a provider: the provider's figure; case does not matter.
    assert latency.seconds(settings, "microsoft.network/routeTables", "create") == 0.25
    assert latency.seconds(Settings(latency=0.7), "Microsoft.Compute/virtualMachines", "restart") is None


def test_retry_after_follows_the_provider_and_stays_an_integer_of_at_least_one():
    settings = Settings(latency_profile="azure", latency_scale=0.2)
    restart = operation("Microsoft.Compute/virtualMachines", "restart")
    assert latency.retry_after(settings, restart, poll=False) == 2            # 10 s
    assert [latency.retry_after(settings, restart, poll=True) for _ in range(3)] == [2, 6, 6]   # 10, 30, 30
    create = operation("Microsoft.Compute/virtualMachines", "create")
    assert latency.retry_after(settings, create, poll=True) == 10             # 50 s
    ip = operation("Microsoft.Network/publicIPAddresses", "create")
    assert latency.retry_after(settings, ip, poll=False) == 1                 # 1 s, not 0.2
    plain = Settings(retry_after=4, latency=0.5)
    assert latency.retry_after(plain, restart, poll=True) == latency.retry_after(plain, ip, poll=False) == 4
    # latency 0: the operation is over when its write is answered, so the write says 0; a poll
    # never says 0 (azure-core would read it as none and wait 30 s).
    instant = Settings(retry_after=4)
    assert (latency.retry_after(instant, ip, poll=False), latency.retry_after(instant, restart, poll=True)) == (0, 4)


def test_the_settings_refuse_an_unknown_profile_and_a_scale_of_zero():
    settings = Settings()
    with pytest.raises(ValueError, match="latency_profile"):
        settings.update({"latency_profile": "aws"})
    with pytest.raises(ValueError, match="latency_scale"):
        settings.update({"latency_scale": 0})
    settings.update({"latency_profile": "AZURE", "latency_scale": "0.5"})
    assert (settings.latency_profile, settings.latency_scale) == ("azure", 0.5)


def test_a_vnet_runs_and_is_polled_as_the_profile_says(arm, rg, settings):
    settings(latency_profile="azure", latency_scale=0.5)
    started = time.monotonic()
    resp = arm.put(path_of(rg, "virtualNetworks", "vnet"), vnet_body())
    assert resp.status == 201 and resp.headers.get("Retry-After") == "2"     # 3 s, scaled
    poll = arm.follow(resp.headers.get("Azure-AsyncOperation"))
    assert poll.body == {"status": "InProgress"} and poll.headers.get("Retry-After") == "5"   # 10 s
    while arm.follow(resp.headers.get("Azure-AsyncOperation")).body["status"] == "InProgress":
        time.sleep(0.05)
    assert 1.4 <= time.monotonic() - started < 5                             # 3 s, scaled
    done = arm.follow(resp.headers.get("Azure-AsyncOperation"))
    assert done.body == {"status": "Succeeded"} and done.headers.get("Retry-After") is None


def test_a_vm_restart_keeps_it_down_for_the_profile_s_restart(arm, rg, settings):
    nic = make_nic(arm, rg)
    settings(latency_profile="azure", latency_scale=0.02)         # create 1.06 s, restart 0.84 s
    resp = call(arm, "PUT", vm_path(rg), vm_body([nic]))
    assert resp.status == 201 and wait_operation(arm, resp)["status"] == "Succeeded"
    started = time.monotonic()
    resp, status = action(arm, rg, "vm1", "restart")
    assert resp.headers.get("Retry-After") == "1" and status["status"] == "Succeeded"
    assert 0.8 <= time.monotonic() - started < 4


def sdk_retry_afters():
    """(provider, type, verb, answer, Retry-After) of each write and each InProgress poll in the
    SDK's recordings (the Azure CLI's have their Retry-After stripped)."""
    seen, started = [], {}
    for path in recordings():
        if path.suffix != ".json":
            continue
        polls = {}
        for e in load_recording(path):
            value = e.header("Retry-After")
            match = re.search(r"/providers/(Microsoft\.\w+)/(\w+)/[^/]+(/(\w+)/[^/]+)?$", e.path)
            if e.method in ("PUT", "DELETE") and match and e.header("Azure-AsyncOperation"):
                verb = "delete" if e.method == "DELETE" else ("create" if e.status == 201 else "update")
                started[e.header("Azure-AsyncOperation").split("?")[0]] = (match[1], match[2], verb)
                if value:
                    seen.append((match[1], match[2], verb, "write", int(value)))
            elif e.method == "GET" and e.uri.split("?")[0] in started and value \
                    and isinstance(e.response_body, dict) and e.response_body.get("status") == "InProgress":
                key = e.uri.split("?")[0]
                answer = "first_poll" if key not in polls else "later_polls"
                polls[key] = True
                seen.append((*started[key], answer, int(value)))
    return seen


def test_the_profile_s_retry_after_is_what_the_sdk_recordings_show():
    seen = sdk_retry_afters()
    assert len(seen) >= 6, seen
    for provider, type_name, verb, answer, value in seen:
        figure = latency.retry_after_figure(f"{provider}/{type_name}", verb)
        assert getattr(figure, answer) == value, (provider, type_name, verb, answer, value, figure)
