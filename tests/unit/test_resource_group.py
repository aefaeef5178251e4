from __future__ import annotations

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import (
    location_problem,
    moved_problem,
    name_problem,
    normalize_location,
)


@pytest.mark.parametrize("name", ["rg", "myResourceGroupLB", "a.b-c_d(e)", "x" * 90, "grüße", "资源组", "1"])
def test_valid_names(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name, why",
    [
        ("", "cannot be empty"),
        ("x" * 91, "longer than 90"),
        ("rg.", "cannot end with a period"),
        ("my rg", "may contain only"),
        ("rg/1", "may contain only"),
        ("rg#", "may contain only"),
        ("rg*", "may contain only"),
    ],
)
def test_invalid_names(name, why):
    assert why in name_problem(name)


@pytest.mark.parametrize("location, expected", [("West Europe", "westeurope"), ("eastus2", "eastus2"), (None, None)])
def test_normalize_location(location, expected):
    assert normalize_location(location) == expected


@pytest.mark.parametrize("location", ["westeurope", "West Europe", None])
def test_valid_locations(location):
    assert location_problem(location) is None


@pytest.mark.parametrize("location", ["", " eastus", "east-us", "eastus;"])
def test_invalid_locations(location):
    assert "is not a region name" in location_problem(location)


@pytest.mark.parametrize("wanted, problem", [(None, False), ("westus", False), ("West US", False), ("eastus", True)])
def test_moved_problem(wanted, problem):
    message = moved_problem("public IP address", "westus", wanted)
    assert bool(message) is problem
    if problem:
        assert message == ("location is eastus, but the public IP address is in westus, and Azure cannot move a public"
                           " IP address to another region")
