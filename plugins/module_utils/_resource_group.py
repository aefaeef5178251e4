# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource groups as the modules see them: Azure's naming rules and the returned dict.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import re

from ansible_collections.cloudlb.azure.plugins.module_utils._network_validation import name_problem as network_name_problem

# Azure's rule for resource group names: Unicode letters and digits count as word characters.
NAME_RULES = (
    (re.compile(r"^[-\w.()]+$"), "may contain only letters, digits, underscores, hyphens, periods and parentheses"),
    (re.compile(r"^.*[^.]$", re.DOTALL), "cannot end with a period"),
)
LOCATION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ]*$")


def name_problem(name):
    """Why Azure would refuse ``name`` for a resource group, or None: the one name check with the
    resource group's rule."""
    return network_name_problem(name, "resource group name", longest=90, rules=NAME_RULES)


def location_problem(location):
    """Why ``location`` cannot be a region name, or None."""
    if location is not None and not LOCATION_PATTERN.match(location):
        return f"location {location!r} is not a region name: a region name has only letters, digits and spaces"
    return None


def moved_problem(noun, current, wanted):
    """Why a task asking for region ``wanted`` cannot apply to a ``noun`` in ``current``, or None
    (Azure keeps every resource in the region it was created in)."""
    if wanted and normalize_location(wanted) != normalize_location(current):
        return f"location is {wanted}, but the {noun} is in {current}, and Azure cannot move a {noun} to another region"
    return None


def normalize_location(location):
    """Azure's name for a region: "West Europe" and "westeurope" are the same place."""
    return location.replace(" ", "").lower() if location else location


def group_to_dict(group):
    properties = group.properties
    return {
        "id": group.id,
        "name": group.name,
        "location": group.location,
        "tags": dict(group.tags or {}),
        "provisioning_state": properties.provisioning_state if properties else None,
        "managed_by": group.managed_by,
    }
