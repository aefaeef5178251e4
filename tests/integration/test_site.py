"""The tutorial end to end: site.yml, pool_member.yml and teardown.yml as users run them.

Real ansible-playbook runs of the repository's playbooks against the session's azemu,
time-scaled so that the probe (15 s x 2) takes a second. The tests build on each other, in
file order (pytest-xdist's loadfile keeps them on one worker): site.yml, site.yml again,
pool_member.yml, teardown.yml. What the VMs served is read from azemu's data plane, not only
from what the playbooks say.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
VMS = ("myVM1", "myVM2", "myVM3")
TIME_SCALE = 30


def answer_of(result):
    """The VM named in one fetch's answer ("Hello World from host myVM1!" -> "myVM1")."""
    content = result.get("content") or ""
    assert content.startswith("Hello World from host ") and content.endswith("!"), result
    return content[len("Hello World from host "):-1]


def fetched(run, task):
    """The VMs that answered each new connection the loop task `task` opened, in order."""
    return [answer_of(item) for item in run.task(task).get("results", [])]


def dataplane(azemu):
    response = requests.get(f"{azemu.url}/_azemu/dataplane", verify=azemu.info["ca_file"], timeout=30)
    response.raise_for_status()
    return response.json()


def served(azemu, group):
    """Requests each VM of `group` has answered so far, by VM name (azemu's data plane)."""
    return Counter({vm["name"]: vm["requests"] for vm in dataplane(azemu)["vms"]
                    if f"/resourcegroups/{group.lower()}/" in vm["id"].lower()})


@pytest.fixture(scope="module")
def tutorial(azemu, run_playbook, sdk):
    """Runs a playbook of the repository on the tutorial's resource group for this module."""
    before = azemu.settings()
    azemu.settings(time_scale=TIME_SCALE)
    group = f"rg-site-{uuid.uuid4().hex[:8]}"
    extra = json.dumps({"resource_group": group, "health_wait_interval": 0.5, "health_wait_timeout": 120,
                        "vms_wait_delay": 1})

    def run(playbook, *more):
        return run_playbook(playbook=REPO_ROOT / playbook, args=("-e", extra, *more))

    run.group = group
    yield run
    if sdk.resource.resource_groups.check_existence(group):
        sdk.resource.resource_groups.begin_delete(group).result()
    azemu.settings(time_scale=before["time_scale"])


@pytest.fixture(scope="module")
def first_run(tutorial, azemu):
    counts = served(azemu, tutorial.group)
    return tutorial("site.yml"), counts


def test_site_builds_the_tutorial_and_every_vm_answers(first_run, tutorial, azemu):
    run, served_before = first_run
    assert run.ok, run.output()
    assert run.stats["localhost"]["failures"] == 0 and run.stats["localhost"]["changed"] > 0, run.output()
    health = run.task("Wait until the load balancer sees every VM up")["rules"]
    assert sorted((b["virtual_machine"], b["state"]) for b in health[0]["backends"]) == [(vm, "Up") for vm in VMS]
    url = run.task("Show the URL of the app")["msg"]
    lb = run.task("Read the load balancer, its rules, frontends and pool")["load_balancers"][0]
    address = lb["frontend_ip_configurations"][0]["ip_address"]
    assert f"http://{address}:" in url, url
    answers = fetched(run, "Fetch the app over new connections")
    retries = run.task("Fetch again until each VM that has not answered yet does").get("results", [])
    assert set(answers) | {answer_of(item) for item in retries} == set(VMS), (answers, retries)
    # azemu's count agrees: one request per connection the playbook opened, and each VM served
    # at least the answers seen (a retry's earlier answers are not kept in its result).
    delta = served(azemu, tutorial.group) - served_before
    assert sum(delta.values()) == len(answers) + sum(item["attempts"] for item in retries), (delta, answers, retries)
    assert all(delta[vm] >= count for vm, count in Counter(answers).items()), (delta, answers)
    assert run.task("Check that every VM answered")["msg"].startswith("Every VM answered")


def test_site_second_run_changes_nothing_and_writes_nothing(first_run, tutorial, azemu):
    assert first_run[0].ok, "the first run failed"
    mark = azemu.mark()
    run = tutorial("site.yml")
    assert run.ok, run.output()
    assert run.stats["localhost"]["changed"] == 0, [r["name"] for r in run.records if r["result"].get("changed")]
    # The rule health query is a POST, but a read-only one: azemu's log does not count it.
    assert [(w["method"], w["path"]) for w in azemu.writes(since=mark)] == []
    assert set(fetched(run, "Fetch the app over new connections")) <= set(VMS)


def test_pool_member_takes_the_vm_out_then_back(first_run, tutorial, azemu, sdk):
    assert first_run[0].ok, "the first run failed"
    before = served(azemu, tutorial.group)
    run = tutorial("playbooks/pool_member.yml", "-e", "vm=myVM2")
    assert run.ok, run.output()
    assert run.task("Take the VM out of the backend pool")["changed"]
    assert run.task("Put the VM back in the backend pool")["changed"]
    out = fetched(run, "Fetch the app over new connections while the VM is out")
    # One item per rule (the tutorial has one): new connections until myVM2 answered.
    back = run.task("Fetch the app over new connections until the VM answers again")["results"]
    assert out and "myVM2" not in out, out
    assert [answer_of(item) for item in back] == ["myVM2"], back
    # azemu's own count: myVM2 answered exactly one request, the last one, during the run.
    delta = served(azemu, tutorial.group) - before
    assert delta["myVM2"] == 1, delta
    assert sum(delta.values()) == len(out) + sum(item["attempts"] for item in back), (delta, out, back)
    nic = sdk.network.network_interfaces.get(tutorial.group, "myNic2")
    pools = nic.ip_configurations[0].load_balancer_backend_address_pools or []
    assert [p.id.rsplit("/", 1)[-1] for p in pools] == ["myBackEndPool"]


def test_teardown_deletes_the_resource_group(first_run, tutorial, sdk):
    assert first_run[0].ok, "the first run failed"
    run = tutorial("playbooks/teardown.yml")
    assert run.ok, run.output()
    assert run.task("Delete the resource group and everything in it")["changed"]
    assert not sdk.resource.resource_groups.check_existence(tutorial.group)
