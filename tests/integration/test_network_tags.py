"""cloudlb.azure.network_tags through real ansible-playbook runs; the load balancer and NIC are
made with the SDK."""

from __future__ import annotations

import pytest
from lb_setup import ids, make_lb, task


def tags_task(group, task_name="tags", **options):
    """A task on load balancer `lb` unless told otherwise (None leaves an option out); failures do not stop the play."""
    options.setdefault("load_balancer", "lb")
    options = {key: value for key, value in options.items() if value is not None}
    return {**task("network_tags", task_name, resource_group=group, **options), "ignore_errors": True}


@pytest.fixture
def tagged(sdk, lb_group):
    """Load balancer `lb` tagged {env: demo}; NIC `nic1` tagged {owner: web}."""
    make_lb(sdk, lb_group)
    sdk.network.load_balancers.update_tags(lb_group, "lb", {"tags": {"env": "demo"}})
    sdk.network.network_interfaces.begin_create_or_update(lb_group, "nic1", {
        "location": "eastus", "tags": {"owner": "web"}, "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {"subnet": {"id": ids(sdk, lb_group).subnet}}}]}}).result()
    return lb_group


def lb_tags(sdk, group):
    return dict(sdk.network.load_balancers.get(group, "lb").tags or {})


def test_set_only_when_expected_then_idempotent_then_remove(run_playbook, azemu, sdk, tagged):
    group = tagged
    take = tags_task(group, set={"lock": "run=a"}, expect={"lock": None})
    mark = azemu.mark()
    run = run_playbook([take], check=True, diff=True)
    assert run.task("tags")["changed"] and run.task("tags")["tags"] == {"env": "demo", "lock": "run=a"}
    assert run.task("tags")["diff"] == {"before": {"tags": {"env": "demo"}}, "after": {"tags": {"env": "demo", "lock": "run=a"}}}
    assert azemu.writes(since=mark) == []

    run = run_playbook([take])
    assert run.ok and run.task("tags")["changed"], run.output()
    assert lb_tags(sdk, group) == {"env": "demo", "lock": "run=a"}
    # The whole load balancer is written back as it was read, with the ETag in If-Match.
    [write] = azemu.writes(since=mark)
    assert write["method"] == "PUT" and write["path"].endswith("/loadBalancers/lb")
    lb = sdk.network.load_balancers.get(group, "lb")
    assert [p.name for p in lb.backend_address_pools] == ["pool"]

    # Taken: a second taker's expectation fails, nothing changes, and it is told what is there.
    mark = azemu.mark()
    run = run_playbook([tags_task(group, set={"lock": "run=b"}, expect={"lock": None})])
    result = run.task("tags")
    assert run.record("tags")["status"] == "failed" and not result["changed"]
    assert result["msg"] == "Tags of load balancer lb are not as expected, nothing changed: lock is 'run=a', expected None"
    assert result["conflicts"] == [{"name": "lock", "expected": None, "actual": "run=a"}]
    assert azemu.writes(since=mark) == [] and lb_tags(sdk, group)["lock"] == "run=a"

    # The same change again: nothing to do, no write.
    run = run_playbook([tags_task(group, set={"lock": "run=a"})])
    assert run.ok and not run.task("tags")["changed"]
    assert azemu.writes(since=mark) == []

    run = run_playbook([tags_task(group, remove=["lock", "absent-tag"], expect={"lock": "run=a"})])
    assert run.ok and run.task("tags")["changed"] and run.task("tags")["tags"] == {"env": "demo"}
    assert lb_tags(sdk, group) == {"env": "demo"}


def test_a_nic_keeps_everything_but_the_tags_it_is_told(run_playbook, sdk, tagged):
    group = tagged
    run = run_playbook([tags_task(group, load_balancer=None, network_interface="nic1", set={"mark": "x"})])
    assert run.ok and run.task("tags")["tags"] == {"owner": "web", "mark": "x"}, run.output()
    nic = sdk.network.network_interfaces.get(group, "nic1")
    assert nic.tags == {"owner": "web", "mark": "x"} and nic.ip_configurations[0].subnet.id.endswith("/subnets/web")


def test_options_are_checked_before_any_request(run_playbook, azemu):
    mark = azemu.mark()
    run = run_playbook([
        tags_task("rg", "both", set={"a": "1"}, remove=["a"]),
        tags_task("rg", "bad-name", set={"a/b": "1"}),
        tags_task("rg", "missing-kind", load_balancer=None),
    ])
    assert run.task("both")["msg"] == "Invalid options: tags a are both in set and in remove"
    assert "tag name 'a/b' contains one of" in run.task("bad-name")["msg"]
    assert "one of the following is required: load_balancer, network_interface" in run.task("missing-kind")["msg"]
    assert azemu.requests(since=mark) == []


def test_a_missing_resource_fails_clearly(run_playbook, lb_group):
    run = run_playbook([tags_task(lb_group, load_balancer="nope", set={"a": "1"})])
    assert run.task("tags")["msg"] == f"The load balancer nope does not exist (resource group {lb_group})"
