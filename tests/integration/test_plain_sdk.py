"""The plain Azure SDK against azemu, the way the contract says any client reaches it.

If these fail, the modules cannot work either; the failure points at the seam, not the modules.
"""

from __future__ import annotations

import pytest


def test_resource_group_round_trip(sdk, unique_name):
    from azure.core.exceptions import ResourceNotFoundError

    groups = sdk.resource.resource_groups
    name = unique_name("sdk")
    created = groups.create_or_update(name, {"location": "East US", "tags": {"k": "v"}})
    assert (created.name, created.location, created.tags) == (name, "eastus", {"k": "v"})
    assert created.properties.provisioning_state == "Succeeded"
    assert groups.get(name).id == created.id
    assert name in {group.name for group in groups.list()}
    groups.begin_delete(name).result()
    with pytest.raises(ResourceNotFoundError):
        groups.get(name)
