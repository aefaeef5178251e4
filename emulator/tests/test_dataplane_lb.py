"""The load balancer at work on azemu: the tutorial's topology (VNet, NSG with the port-80 rule,
public IP, Standard LB with pool, HTTP probe and rule, three NICs in the pool, three VMs whose
cloud-init carries the app) built through the Azure SDK, then real TCP connections to the
public IP while VMs stop, NSG rules and pool members change.

Time-scaled: a 5 s probe interval with threshold 2 takes DETECTION real seconds to flip a
backend; waits are bounded by that plus SLACK for a busy machine.
"""

from __future__ import annotations

import http.client
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from armclient import Arm
from azemu.testing import Azemu
from dataplane_lab import VM_NAMES, Lab, Sdk, answered_by, connect, idle_connection, served_by, wait_until

TIME_SCALE = 25.0
INTERVAL, THRESHOLD = 5, 2
DETECTION = INTERVAL * THRESHOLD / TIME_SCALE
SLACK = 10.0
ALL_UP = {vm: "Up" for vm in VM_NAMES}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with Azemu(tmp_path_factory.mktemp("azemu-dataplane"), time_scale=TIME_SCALE, vm_boot_seconds=30) as emu:
        lab = Lab(emu, Sdk(emu), f"rg-dp-{uuid.uuid4().hex[:8]}").build({
            "protocol": "Http", "port": 80, "requestPath": "/", "intervalInSeconds": INTERVAL,
            "probeThreshold": THRESHOLD})
        yield lab


def frontend_open(lab) -> bool:
    [frontend] = lab.dataplane()["frontends"]
    return frontend["open"]


@pytest.fixture
def healthy(lab):
    """Every test starts (and must leave) the three VMs up behind the load balancer."""
    lab.wait_states(ALL_UP, DETECTION + SLACK)
    return lab


def test_frontend_listens_on_the_public_ip_and_vms_on_their_own_addresses(healthy):
    doc = healthy.dataplane()
    assert healthy.address.startswith("127.")
    assert [(f["address"], f["port"]) for f in doc["frontends"]] == [(healthy.address, 80)]
    vms = {vm["name"]: vm for vm in doc["vms"]}
    assert all(vms[name]["serving"] for name in VM_NAMES)
    addresses = [vms[name]["addresses"][0] for name in VM_NAMES]
    assert len(set(addresses)) == 3 and healthy.address not in addresses
    assert doc["errors"] == []


def test_new_connections_spread_over_all_vms(healthy):
    counts = healthy.spread(300)
    assert None not in counts, counts
    assert set(counts) == set(VM_NAMES)
    assert all(counts[vm] >= 60 for vm in VM_NAMES), counts


def test_rule_health_api_reports_every_backend(healthy):
    health = healthy.rule_health()
    assert (health["up"], health["down"]) == (3, 0)
    for vm in VM_NAMES:
        assert health[vm] == ("Up", "Up_Probe_Success")
    # The raw exchange: 202 with Azure-AsyncOperation and Location, the body at Location.
    arm = Arm(healthy.emu)
    path = f"/resourceGroups/{healthy.rg}/providers/Microsoft.Network/loadBalancers/myLoadBalancer" \
           "/loadBalancingRules/myHTTPRule/health"
    mark = healthy.emu.mark()
    started = arm.call("POST", path, api_version="2024-05-01")
    assert started.status == 202 and started.headers.get("Azure-AsyncOperation")
    # Asking for health reads: it must not count as a write in the request log.
    assert [r["method"] for r in healthy.emu.requests(since=mark)] == ["POST"]
    assert healthy.emu.writes(since=mark) == []
    final = wait_until(lambda: (r := arm.call("GET", None, raw_url=started.headers["Location"])).status == 200 and r,
                       SLACK, "the health operation's result")
    entries = final.body["loadBalancerBackendAddresses"]
    assert sorted(e["ipAddress"] for e in entries) == sorted(healthy.private_ip(vm) for vm in VM_NAMES)
    assert all(e["networkInterfaceIPConfigurationId"].endswith("/ipConfigurations/ipconfig1") for e in entries)


def test_a_stopped_vm_gets_no_new_connections_and_comes_back_when_started(healthy):
    compute = healthy.sdk.compute.virtual_machines
    compute.begin_power_off(healthy.rg, "myVM2").result()
    healthy.wait_states({"myVM2": "Down", "myVM1": "Up", "myVM3": "Up"}, DETECTION + SLACK)
    health = healthy.rule_health()
    assert (health["up"], health["down"]) == (2, 1)
    assert health["myVM2"][0] == "Down" and health["myVM2"][1].startswith("Down_Probe_")
    counts = healthy.spread(60)
    assert set(counts) == {"myVM1", "myVM3"}, counts
    compute.begin_start(healthy.rg, "myVM2").result()
    healthy.wait_states(ALL_UP, DETECTION + SLACK)
    assert "myVM2" in healthy.spread(60)


def test_an_established_connection_survives_its_backend_being_probed_down(healthy):
    conn = http.client.HTTPConnection(healthy.address, 80, timeout=10)
    vm = served_by(conn)
    assert vm in VM_NAMES
    # Drop only the probes to that VM (client traffic stays allowed): the LB takes it out.
    healthy.nsg_rule("DenyProbes", 100, "Deny", "AzureLoadBalancer", destination=healthy.private_ip(vm))
    try:
        healthy.wait_states({vm: "Down"}, DETECTION + SLACK)
        assert healthy.rule_health()[vm] == ("Down", "Down_Probe_HttpEndpointUnreachable")
        assert vm not in healthy.spread(30)
        assert served_by(conn) == vm
    finally:
        conn.close()
        healthy.delete_nsg_rule("DenyProbes")


def test_with_no_backend_up_syns_go_unanswered_until_one_is_back(healthy):
    """Azure drops the packets of a flow no backend can take: the client's connect times out
    (no reset, no refusal), established flows continue (Standard SKU), and the SYN a client
    retransmits gets through once a backend is up again."""
    sock, vm = idle_connection(healthy.address)
    pending = None
    healthy.nsg_rule("DenyProbes", 100, "Deny", "AzureLoadBalancer")
    try:
        healthy.wait_states({vm: "Down" for vm in VM_NAMES}, DETECTION + SLACK)
        wait_until(lambda: not frontend_open(healthy), SLACK, "the frontend to drop new SYNs")
        assert (healthy.rule_health()["up"], healthy.rule_health()["down"]) == (0, 3)
        outcome, seconds = connect(healthy.address, timeout=2.0)
        assert outcome == "timeout" and seconds >= 1.9, (outcome, seconds)
        assert answered_by(sock) == vm                   # the established flow carries on
        pending = ThreadPoolExecutor(1).submit(connect, healthy.address, 30.0)
        time.sleep(1.5)
        assert not pending.done()
    finally:
        healthy.delete_nsg_rule("DenyProbes")
        sock.close()
    outcome, seconds = pending.result(timeout=30.0 + SLACK)
    assert outcome == "connected" and seconds < 30.0, (outcome, seconds)
    healthy.wait_states(ALL_UP, DETECTION + SLACK)
    assert None not in healthy.spread(10)


def test_source_ip_distribution_keeps_a_client_on_one_vm(healthy):
    healthy.set_distribution("SourceIP")
    try:
        counts = healthy.spread(30)
        assert len(counts) == 1 and None not in counts, counts
    finally:
        healthy.set_distribution("Default")
    assert len(healthy.spread(30)) > 1


def test_without_the_nsg_allow_rule_no_connection_succeeds(healthy):
    healthy.delete_nsg_rule("myNSGRuleHTTP")
    try:
        wait_until(lambda: not frontend_open(healthy), SLACK, "the frontend to drop new SYNs")
        outcome, seconds = connect(healthy.address, timeout=2.0)
        assert outcome == "timeout" and seconds >= 1.9, (outcome, seconds)
        # Probes still pass (AllowAzureLoadBalancerInBound): the VMs stay up, only traffic is denied.
        time.sleep(DETECTION)
        assert healthy.probe_states() == ALL_UP
    finally:
        healthy.nsg_rule("myNSGRuleHTTP", 200, "Allow", "*")
    wait_until(lambda: frontend_open(healthy), SLACK, "the frontend to take connections again")
    assert None not in healthy.spread(10)


def test_a_flow_an_nsg_denies_by_its_source_is_dropped_not_reset(healthy):
    """Other clients still get in, so the frontend stays open; the denied client's handshake
    was completed by the kernel already, and then nothing: no answer, no FIN, no reset."""
    healthy.nsg_rule("DenyOneClient", 150, "Deny", "127.0.0.9/32")
    try:
        wait_until(lambda: healthy.hit(timeout=0.5, source="127.0.0.9") is None, SLACK, "the NSG rule to apply")
        assert frontend_open(healthy)
        sock = socket.create_connection((healthy.address, 80), timeout=2.0, source_address=("127.0.0.9", 0))
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
            with pytest.raises(TimeoutError):
                sock.recv(1)
            assert healthy.dataplane()["frontends"][0]["held"] >= 1
        finally:
            sock.close()
        assert None not in healthy.spread(10)
    finally:
        healthy.delete_nsg_rule("DenyOneClient")
    wait_until(lambda: healthy.dataplane()["frontends"][0]["held"] == 0, SLACK, "the held flows to end")
    wait_until(lambda: healthy.hit(source="127.0.0.9") is not None, SLACK, "the client to be let in again")


def test_a_vm_out_of_the_pool_gets_no_new_connections_but_keeps_its_established_ones(healthy):
    conn = http.client.HTTPConnection(healthy.address, 80, timeout=10)
    vm = served_by(conn)
    healthy.set_member(vm, False)
    try:
        wait_until(lambda: vm not in healthy.probe_states(), SLACK, f"{vm} to leave the pool")
        counts = healthy.spread(60)
        assert vm not in counts and None not in counts, counts
        assert vm not in healthy.rule_health()
        assert served_by(conn) == vm          # pool_removal_flows: continue (the default)
    finally:
        conn.close()
        healthy.set_member(vm, True)


def test_pool_removal_can_reset_established_flows(healthy):
    healthy.emu.settings(pool_removal_flows="reset")
    conn = http.client.HTTPConnection(healthy.address, 80, timeout=10)
    try:
        vm = served_by(conn)
        healthy.set_member(vm, False)
        wait_until(lambda: healthy.dataplane()["flows"] == 0, SLACK, "the flow to be reset")
        with pytest.raises((OSError, http.client.HTTPException)):
            served_by(conn)
    finally:
        conn.close()
        healthy.emu.settings(pool_removal_flows="continue")
        healthy.set_member(vm, True)


def serving(lab, vm):
    return any(v["name"] == vm and v["serving"] for v in lab.dataplane()["vms"])


def test_a_rebooting_vm_stops_answering_until_it_has_booted(healthy):
    boot = healthy.emu.settings()["vm_boot_seconds"]
    healthy.emu.settings(vm_boot_seconds=150)        # 6 s of real time: long enough to watch
    sock, vm = idle_connection(healthy.address)
    try:
        poller = healthy.sdk.compute.virtual_machines.begin_restart(healthy.rg, vm)
        wait_until(lambda: not serving(healthy, vm), SLACK, f"{vm} to go down for the reboot")
        # A graceful shutdown: the guest closed the idle keep-alive connection (FIN, no reset).
        assert sock.recv(1) == b""
        healthy.wait_states({vm: "Down"}, DETECTION + SLACK)
        counts = healthy.spread(30)
        assert vm not in counts and None not in counts, counts
        poller.result()
    finally:
        sock.close()
        healthy.emu.settings(vm_boot_seconds=boot)
    healthy.wait_states(ALL_UP, DETECTION + SLACK)
    assert vm in healthy.spread(60)


def test_a_hard_stop_resets_the_vms_connections(healthy):
    healthy.emu.settings(stop_mode="hard")
    sock, vm = idle_connection(healthy.address)
    try:
        healthy.sdk.compute.virtual_machines.begin_power_off(healthy.rg, vm).result()
        wait_until(lambda: not serving(healthy, vm), SLACK, f"{vm} to stop")
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
    finally:
        sock.close()
        healthy.emu.settings(stop_mode="graceful")
        healthy.sdk.compute.virtual_machines.begin_start(healthy.rg, vm).result()
