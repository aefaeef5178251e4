"""The `$filter` of ARM's generic lists: the grammar on its own (table-driven), then through
HTTP with the real SDK (`resources.list(filter=...)`, `list_by_resource_group`,
`resource_groups.list`) and with the exact filters az sends (recordings/azure-cli/network)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from azure.core.exceptions import HttpResponseError

from armclient import Arm
from azemu.arm import filters
from azemu.arm.filters import Both, Call, Compare, Either
from azemu.errors import ArmError
from network_helpers import path_of, put_done
from sdk_clients import resource_client

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"

ITEMS = [
    {"id": f"{SUB}/resourceGroups/RG-One/providers/Microsoft.Network/publicIPAddresses/pip1", "name": "pip1",
     "type": "Microsoft.Network/publicIPAddresses", "location": "eastus", "tags": {"Env": "Prod"}},
    {"id": f"{SUB}/resourceGroups/RG-One/providers/Microsoft.Network/virtualNetworks/vnet-demo", "name": "vnet-demo",
     "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
     "tags": {"env": "prod", "department": "it"}},
    {"id": f"{SUB}/resourceGroups/rg-two/providers/Microsoft.Compute/virtualMachines/O'Brien", "name": "O'Brien",
     "type": "Microsoft.Compute/virtualMachines", "location": "westus",
     "identity": {"type": "SystemAssigned", "principalId": "p-1"},
     "plan": {"name": "pl", "publisher": "pub", "product": "prod"}, "tags": {"departureDate": "2026"}},
]


def names(text, build=filters.resources_filter):
    wanted = build(text)
    return [item["name"] for item in ITEMS if wanted.keeps(item)]


@pytest.mark.parametrize("text, tree", [
    ("name eq 'a'", Compare("name", "eq", "a")),
    ("Name EQ 'it''s'", Compare("name", "eq", "it's")),
    ("resourceType eq 'Microsoft.Network/publicIPAddresses'",
     Compare("resourcetype", "eq", "Microsoft.Network/publicIPAddresses")),
    ("substringof('demo', name)", Call("substringof", "name", "demo")),
    ("startswith(tagName, 'dep')", Call("startswith", "tagname", "dep")),
    ("a eq 'x' and b ne 'y' or c eq 'z'",
     Either((Both((Compare("a", "eq", "x"), Compare("b", "ne", "y"))), Compare("c", "eq", "z")))),
    ("a eq 'x' and (b eq 'y' or c eq 'z')",
     Both((Compare("a", "eq", "x"), Either((Compare("b", "eq", "y"), Compare("c", "eq", "z")))))),
    ("  ( (a eq '') )  ", Compare("a", "eq", "")),
    ("identity/principalId eq 'p'", Compare("identity/principalid", "eq", "p")),
])
def test_parse(text, tree):
    assert filters.parse(text) == tree


@pytest.mark.parametrize("text", [
    "name eq", "name eq 'a", "name 'a'", "name gt 'a'", "(name eq 'a'", "name eq 'a')", "name eq 'a' and",
    "and name eq 'a'", "name eq 'a' name eq 'b'", "substringof(name, 'a')", "startswith('a', tagName)",
    "endswith(name, 'a')", "name eq \"a\"", "name eq 1", "$filter=name eq 'a'",
])
def test_parse_refuses_malformed(text):
    with pytest.raises(filters.FilterError):
        filters.parse(text)


@pytest.mark.parametrize("text, expected", [
    (None, ["pip1", "vnet-demo", "O'Brien"]),
    ("", ["pip1", "vnet-demo", "O'Brien"]),
    ("name eq 'pip1'", ["pip1"]),
    ("name eq 'PIP1'", ["pip1"]),
    ("name ne 'pip1'", ["vnet-demo", "O'Brien"]),
    ("name eq 'O''Brien'", ["O'Brien"]),
    ("name eq 'None'", []),
    ("resourceGroup eq 'rg-one'", ["pip1", "vnet-demo"]),
    ("resourceType eq 'microsoft.network/VIRTUALNETWORKS'", ["vnet-demo"]),
    ("location eq 'West Europe'", ["vnet-demo"]),
    ("location eq 'eastus' or location eq 'westus'", ["pip1", "O'Brien"]),
    ("resourceGroup eq 'RG-One' and name eq 'pip1' and resourceType eq 'Microsoft.Network/publicIPAddresses'",
     ["pip1"]),
    ("resourceGroup eq 'RG-One' and name eq 'pip1' and resourceType eq 'Microsoft.Network/virtualNetworks'", []),
    ("substringof('DEMO', name)", ["vnet-demo"]),
    ("substringof('two', resourceGroup)", ["O'Brien"]),
    ("substringof('pip', name) or substringof('vnet', name)", ["pip1", "vnet-demo"]),
    ("substringof('-', name) and resourceType eq 'Microsoft.Network/virtualNetworks'", ["vnet-demo"]),
    ("(substringof('pip', name) or substringof('vnet', name)) and location eq 'eastus'", ["pip1"]),
    ("identity eq 'SystemAssigned'", ["O'Brien"]),
    ("identity eq 'SystemAssigned' and identity/principalId eq 'p-1'", ["O'Brien"]),
    ("plan eq 'pl' and plan/publisher eq 'pub' and plan/name eq 'pl'", ["O'Brien"]),
    ("tagName eq 'env'", ["pip1", "vnet-demo"]),
    ("tagname eq 'ENV' and tagvalue eq 'prod'", ["vnet-demo"]),          # names in any case, values exactly
    ("tagName eq 'Env' and tagValue eq 'Prod'", ["pip1"]),
    ("tagValue eq 'Prod' and tagName eq 'env'", ["pip1"]),
    ("startswith(tagName, 'depart')", ["vnet-demo", "O'Brien"]),
])
def test_resources_filter(text, expected):
    assert names(text) == expected


def test_a_tag_name_and_value_filter_hides_tags():
    assert filters.resources_filter("tagName eq 'env' and tagValue eq 'prod'").hides_tags
    assert not filters.resources_filter("tagName eq 'env'").hides_tags
    assert not filters.resources_filter("name eq 'x'").hides_tags


@pytest.mark.parametrize("text", [
    "foo eq 'x'",                                        # not a filterable property
    "tags eq 'x'",
    "substringof('x', location)",                        # substringof: name and resourceGroup only
    "substringof('x', resourceType)",
    "startswith(name, 'x')",                             # startswith: tag names only
    "tagValue eq 'x'",                                   # a value needs its name
    "tagName ne 'x'",
    "tagName eq 'a' and resourceType eq 'Microsoft.Network/publicIPAddresses'",   # tags stand alone
    "resourceGroup eq 'rg' and tagName eq 'a' and tagValue eq 'b'",
    "tagName eq 'a' or tagName eq 'b'",
    "tagName eq 'a' and tagName eq 'b'",
    "tagname eq 'name' and tagvalue/any(c: c eq 'vm-49154')",    # Azure/azure-sdk-for-net#2819
    "name eq 'a",
])
def test_resources_filter_refuses(text):
    with pytest.raises(ArmError) as caught:
        filters.resources_filter(text)
    err = caught.value
    assert (err.status, err.code, err.message) == (
        400, "InvalidFilterInQueryString", f"Invalid $filter '{text}' specified in the query string.")


@pytest.mark.parametrize("text, expected", [
    ("tagName eq 'env'", ["pip1", "vnet-demo"]),
    ("tagName eq 'department' and tagValue eq 'it'", ["vnet-demo"]),
    ("startswith(tagName, 'dep')", ["vnet-demo", "O'Brien"]),
])
def test_groups_filter(text, expected):
    assert names(text, filters.groups_filter) == expected


@pytest.mark.parametrize("text", ["name eq 'foo'", "location eq 'westus'", "substringof('a', name)",
                                  "tagName eq 'a' and name eq 'b'"])
def test_groups_filter_takes_only_tags(text):
    with pytest.raises(ArmError) as caught:
        filters.groups_filter(text)
    assert caught.value.code == "InvalidFilterInQueryString"


# --- through HTTP -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(emu):
    return resource_client(emu)


@pytest.fixture(scope="module")
def world(emu, client):
    """Two groups: one with a public IP and a widget, one with a widget; tagged apart."""
    arm = Arm(emu)
    tag = uuid.uuid4().hex[:8]
    one, two = f"flt-{tag}-one", f"flt-{tag}-two"
    client.resource_groups.create_or_update(one, {"location": "westus", "tags": {f"grp{tag}": "one"}})
    client.resource_groups.create_or_update(two, {"location": "westus", "tags": {f"grp{tag}": "two"}})
    put_done(arm, path_of(one, "publicIPAddresses", "publicip4"), {"location": "westus"})
    for rg, name in ((one, "w-demo"), (two, "w-other")):
        assert arm.put(arm.widget(rg, name), {"location": "westus", "tags": {f"t{tag}": rg}}).status == 201
    yield {"tag": tag, "one": one, "two": two}
    for rg in (one, two):
        client.resource_groups.begin_delete(rg)


def test_sdk_resources_list_filters(client, world):
    one = world["one"]
    az_filter = f"resourceGroup eq '{one}' and name eq 'publicip4' and resourceType eq 'Microsoft.Network/publicIPAddresses'"
    assert [r.name for r in client.resources.list(filter=az_filter)] == ["publicip4"]
    assert list(client.resources.list(filter=az_filter.replace("'publicip4'", "'None'"))) == []
    demo = list(client.resources.list(filter=f"substringof('demo', name) and substringof('{world['tag']}', resourceGroup)"))
    assert [(r.name, r.type) for r in demo] == [("w-demo", "Microsoft.Azemu/widgets")]
    either = client.resources.list(filter=f"resourceGroup eq '{one}' or resourceGroup eq '{world['two']}'")
    assert sorted(r.name for r in either) == ["publicip4", "w-demo", "w-other"]


def test_sdk_list_by_resource_group_filters(client, world):
    listed = client.resources.list_by_resource_group(world["one"], filter="resourceType eq 'Microsoft.Azemu/widgets'")
    assert [r.name for r in listed] == ["w-demo"]
    tagged = list(client.resources.list_by_resource_group(
        world["two"], filter=f"tagName eq 't{world['tag']}' and tagValue eq '{world['two']}'"))
    assert [r.name for r in tagged] == ["w-other"] and tagged[0].tags is None     # as Azure: tags left out
    by_name = list(client.resources.list_by_resource_group(world["two"], filter=f"tagName eq 'T{world['tag']}'"))
    assert [(r.name, r.tags) for r in by_name] == [("w-other", {f"t{world['tag']}": world["two"]})]


def test_sdk_resource_groups_list_filters(client, world):
    tag = world["tag"]
    assert [g.name for g in client.resource_groups.list(filter=f"tagName eq 'grp{tag}' and tagValue eq 'two'")] == \
        [world["two"]]
    assert sorted(g.name for g in client.resource_groups.list(filter=f"startswith(tagName, 'grp{tag[:6]}')")) == \
        sorted([world["one"], world["two"]])
    with pytest.raises(HttpResponseError) as caught:
        list(client.resource_groups.list(filter=f"name eq '{world['one']}'"))
    assert caught.value.error.code == "InvalidFilterInQueryString"


def test_sdk_refused_filter_is_azures_error(client):
    text = "tagName eq 'a' and resourceType eq 'Microsoft.Network/publicIPAddresses'"
    with pytest.raises(HttpResponseError) as caught:
        list(client.resources.list(filter=text))
    assert caught.value.status_code == 400
    assert caught.value.error.code == "InvalidFilterInQueryString"
    assert caught.value.error.message == f"Invalid $filter '{text}' specified in the query string."


@pytest.mark.parametrize("slash", ["/", "%2F"])
def test_az_filter_with_the_type_slash_raw_or_encoded(emu, world, slash):
    """az sends the type's `/` both raw and as `%2F` (recordings/azure-cli/network/test_network_lb.yaml)."""
    text = (f"resourceGroup eq '{world['one']}' and name eq 'publicip4' and resourceType eq "
            f"'Microsoft.Network{slash}publicIPAddresses'")
    query = "$filter=" + quote(text, safe="/%'")
    resp = Arm(emu).get("/resources", api_version="2022-09-01", query=query)
    assert resp.status == 200, resp
    assert [(r["name"], r["type"]) for r in resp.body["value"]] == [("publicip4", "Microsoft.Network/publicIPAddresses")]
