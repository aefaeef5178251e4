"""The pure parts of _references: which part of a resource's JSON an id names."""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._references import child, top_level

VNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet"
DOC = {"name": "vnet", "properties": {"subnets": [{"name": "Web", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}


def test_top_level():
    assert top_level(f"{VNET}/subnets/web") == VNET
    assert top_level(VNET) == VNET


def test_child_finds_a_child_without_regard_to_case():
    assert child(DOC, f"{VNET}/subnets/web")["name"] == "Web"
    assert child(DOC, VNET) is DOC


def test_child_of_a_missing_resource_or_child_is_none():
    assert child(DOC, f"{VNET}/subnets/db") is None
    assert child(None, f"{VNET}/subnets/web") is None
    assert child(None, VNET) is None
