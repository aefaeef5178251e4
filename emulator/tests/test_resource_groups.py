"""Resource groups: the plain SDK (ResourceManagementClient + ClientSecretCredential, set up
from the metadata document as the collection does) and the raw exchanges."""

from __future__ import annotations

import time
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from sdk_clients import resource_client

RG_API = "2021-04-01"


@pytest.fixture(scope="module")
def client(emu):
    return resource_client(emu)


def name() -> str:
    return f"sdk-{uuid.uuid4().hex[:8]}"


def test_sdk_life_cycle(client, emu):
    rg = name()
    mark = emu.mark()
    created = client.resource_groups.create_or_update(rg, {"location": "West Europe", "tags": {"a": "1"}})
    assert (created.name, created.location, created.tags) == (rg, "westeurope", {"a": "1"})
    assert created.properties.provisioning_state == "Succeeded"
    assert created.id == f"/subscriptions/{emu.info['subscription_id']}/resourceGroups/{rg}"
    assert client.resource_groups.get(rg.upper()).name == rg
    assert rg in [g.name for g in client.resource_groups.list()]
    assert client.resource_groups.check_existence(rg) is True
    assert client.resource_groups.check_existence(name()) is False
    assert client.resource_groups.update(rg, {"tags": {"b": "2"}}).tags == {"b": "2"}
    assert client.resource_groups.create_or_update(rg, {"location": "westeurope"}).tags is None
    assert list(client.resources.list_by_resource_group(rg)) == []

    started = time.monotonic()
    client.resource_groups.begin_delete(rg).result()
    assert time.monotonic() - started < 2
    assert client.resource_groups.check_existence(rg) is False
    methods = [(r["method"], r["status"]) for r in emu.requests(since=mark) if r["kind"] == "arm"]
    assert ("DELETE", 202) in methods and methods.count(("PUT", 201)) == 1 and ("PATCH", 200) in methods


def test_sdk_delete_polls_with_retry_after_not_30_seconds(client, emu, settings):
    rg = name()
    client.resource_groups.create_or_update(rg, {"location": "westus"})
    settings(latency=1.2)
    mark = emu.mark()
    started = time.monotonic()
    client.resource_groups.begin_delete(rg).result()
    elapsed = time.monotonic() - started
    assert 1.2 <= elapsed < 4.5, elapsed
    polls = [r for r in emu.requests(since=mark) if "/operationresults/" in r["path"]]
    assert [p["status"] for p in polls][-1] == 200 and all(p["status"] == 202 for p in polls[:-1])
    assert len(polls) >= 2


def test_sdk_errors(client):
    with pytest.raises(ResourceNotFoundError) as err:
        client.resource_groups.get(name())
    assert err.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError):
        client.resource_groups.begin_delete(name())
    rg = name()
    client.resource_groups.create_or_update(rg, {"location": "westus"})
    with pytest.raises(HttpResponseError) as err:
        client.resource_groups.create_or_update(rg, {"location": "eastus"})
    assert err.value.status_code == 409 and err.value.error.code == "InvalidResourceGroupLocation"


def test_list_resources_and_cascading_delete(client, arm, emu):
    rg = name()
    client.resource_groups.create_or_update(rg, {"location": "westus"})
    widget = f"/resourceGroups/{rg}/providers/Microsoft.Azemu/widgets/w1"
    assert arm.put(widget, {"location": "westus", "tags": {"t": "v"},
                            "properties": {"gadgets": [{"name": "g"}]}}).status == 201
    assert arm.put(f"/resourceGroups/{rg}/providers/Microsoft.Azemu/sprockets/s1", {"location": "westus"}).status == 200
    listed = sorted(client.resources.list_by_resource_group(rg), key=lambda r: r.name)
    assert [(r.name, r.type) for r in listed] == [("s1", "Microsoft.Azemu/sprockets"), ("w1", "Microsoft.Azemu/widgets")]
    assert listed[1].tags == {"t": "v"} and listed[1].location == "westus"
    only = list(client.resources.list_by_resource_group(rg, filter="resourceType eq 'Microsoft.Azemu/widgets'"))
    assert [r.name for r in only] == ["w1"]
    expanded = arm.get(f"/resourcegroups/{rg}/resources", query="$expand=createdTime,provisioningState",
                       api_version=RG_API)
    assert {"createdTime", "provisioningState"} <= set(expanded.body["value"][0])

    client.resource_groups.begin_delete(rg).result()
    assert arm.get(widget).body["error"]["code"] == "ResourceGroupNotFound"
    state = emu.state()
    assert not [r for r in state["resources"] if f"/resourcegroups/{rg}/" in r["body"]["id"].lower()]


def test_group_being_deleted_refuses_writes(arm, settings):
    rg = name()
    arm.put(f"/resourcegroups/{rg}", {"location": "westus"}, api_version=RG_API)
    settings(latency=30)
    deleting = arm.delete(f"/resourcegroups/{rg}", api_version=RG_API)
    assert deleting.status == 202
    location = deleting.headers.get("Location")
    assert f"/subscriptions/{arm.sub}/operationresults/" in location and "api-version=" in location
    assert deleting.headers.get("Retry-After") == "1"
    assert arm.follow(location).status == 202
    assert arm.get(f"/resourcegroups/{rg}", api_version=RG_API).body["properties"]["provisioningState"] == "Deleting"
    again = arm.delete(f"/resourcegroups/{rg}", api_version=RG_API)
    assert again.status == 202 and again.headers.get("Location") == location
    for path, body, api in [(f"/resourcegroups/{rg}", {"location": "westus"}, RG_API),
                            (f"/resourceGroups/{rg}/providers/Microsoft.Azemu/widgets/w", {"location": "westus"},
                             "2024-05-01")]:
        refused = arm.put(path, body, api_version=api)
        assert refused.status == 409 and refused.body["error"]["code"] == "ResourceGroupBeingDeleted"


def test_group_put_shapes(arm):
    rg = name()
    created = arm.put(f"/resourcegroups/{rg}", {"location": "westus", "tags": {}}, api_version=RG_API)
    assert created.status == 201
    assert created.body == {"id": f"/subscriptions/{arm.sub}/resourceGroups/{rg}", "name": rg,
                            "type": "Microsoft.Resources/resourceGroups", "location": "westus", "tags": {},
                            "properties": {"provisioningState": "Succeeded"}}
    assert created.headers.get("Content-Type") == "application/json; charset=utf-8"
    updated = arm.put(f"/resourcegroups/{rg.upper()}", {"location": "westus"}, api_version=RG_API)
    assert updated.status == 200 and updated.body["name"] == rg
    assert arm.head(f"/resourcegroups/{rg}", api_version=RG_API).status == 204
    assert arm.put("/resourcegroups/bad.", {"location": "westus"}, api_version=RG_API).body["error"]["code"] == \
        "InvalidResourceGroup"
    assert arm.put(f"/resourcegroups/{name()}", {}, api_version=RG_API).body["error"]["code"] == "LocationRequired"
    tagged = arm.get("/resourcegroups", api_version=RG_API, query="$filter=tagName%20eq%20'none'")
    assert tagged.body == {"value": []}
