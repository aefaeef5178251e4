# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``*_info`` modules share: the resource_group/name options and the flow "get the one
named, or list those of a resource group or of the subscription".

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ResourceNotFoundError
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import as_json
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem as group_name_problem


def info_module(name_problem=None, **argument_spec):
    """The AzureModule of an info module with options resource_group and name (name needs
    resource_group), plus ``argument_spec``. A resource group name Azure would refuse, or a
    name ``name_problem(name)`` finds fault with, fails it before any request: no resource can
    have it, so it is a mistake, not an empty answer."""
    spec = dict(resource_group=dict(type="str"), name=dict(type="str"), **argument_spec)
    module = AzureModule(argument_spec=spec, required_by={"name": "resource_group"})
    group, name = module.params["resource_group"], module.params["name"]
    module.fail_invalid([problem for problem in (
        group_name_problem(group) if group is not None else None,
        name_problem(name) if name is not None and name_problem else None) if problem])
    return module


def get_or_list(module, get, list_all, read_failure, list_failure, missing_list_is_empty=True):
    """``[get()]`` when ``get`` is given (``[]`` when that resource does not exist), else
    ``list_all()``. A failed request fails the module with ``read_failure`` or ``list_failure``;
    a listing answered 404 (a missing resource group) is ``[]`` with ``missing_list_is_empty``.
    """
    try:
        if get is not None:
            try:
                return [get()]
            except ResourceNotFoundError:
                return []
        return list_all()
    except ResourceNotFoundError as exc:
        if missing_list_is_empty:
            return []
        module.fail_azure(exc, list_failure)
    except Exception as exc:
        module.fail_azure(exc, read_failure if get is not None else list_failure)


def network_items(module, operations, noun, plural):
    """Azure's JSON of the Microsoft.Network resource the options name (``[]`` when it does not
    exist), or of every one in the resource group (or the subscription)."""
    group, name = module.params["resource_group"], module.params["name"]
    return get_or_list(
        module,
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
