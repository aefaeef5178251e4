# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``*_info`` modules share: the resource_group/name options and the flow "get the one
named, or list those of a resource group or of the subscription".

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import azure_call, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import MISSING, as_json, unless_missing
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_name_problem


def info_module(**argument_spec):
    """The AzureModule of an info module with options resource_group and name (name needs
    resource_group), plus ``argument_spec``."""
    spec = dict(resource_group=dict(type="str"), name=dict(type="str"), **argument_spec)
    return AzureModule(argument_spec=spec, required_by={"name": "resource_group"})


def check_names(module, name_problem=None):
    """The options, checked: OptionError for a resource group name Azure would refuse, or a name
    ``name_problem(name)`` finds fault with; no resource can have it, so it is a mistake, not an
    empty answer."""
    group, name = module.params["resource_group"], module.params["name"]
    check_options([group_name_problem(group) if group is not None else None,
                   name_problem(name) if name is not None and name_problem else None])
    return module.params


def get_or_list(get, list_all, read_failure, list_failure, missing_list_is_empty=True):
    """``[get()]`` when ``get`` is given (``[]`` when that resource does not exist), else
    ``list_all()``. A failed request raises the ModuleFailure of ``read_failure`` or
    ``list_failure``; a listing answered 404 (a missing resource group) is ``[]`` with
    ``missing_list_is_empty``.
    """
    if get is not None:
        found = unless_missing(read_failure, get)
        return [] if found is MISSING else [found]
    if not missing_list_is_empty:
        return azure_call(list_failure, list_all)
    found = unless_missing(list_failure, list_all)
    return [] if found is MISSING else found


def network_items(spec, operations, noun, plural):
    """Azure's JSON of the Microsoft.Network resource the options ``spec`` name (``[]`` when it
    does not exist), or of every one in the resource group (or the subscription)."""
    group, name = spec["resource_group"], spec["name"]
    return get_or_list(
        (lambda: as_json(operations.get(group, name))) if name else None,
        lambda: [as_json(item) for item in (operations.list(group) if group else operations.list_all())],
        f"Failed to read {noun} {name}",
        f"Failed to list {plural}",
    )


def by_id(items):
    """Returned dicts in a stable order, whatever order Azure lists them in."""
    return sorted(items, key=lambda item: item["id"].lower())


def parse_tag_filters(items):
    """[(name, value or None)] from "name" and "name:value" items."""
    filters = []
    for item in items or []:
        name, sep, value = item.partition(":")
        filters.append((name, value if sep else None))
    return filters


def matches(tags, filters):
    tags = tags or {}
    return all(name in tags and (value is None or tags[name] == value) for name, value in filters)
