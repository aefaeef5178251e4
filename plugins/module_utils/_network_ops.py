# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read, write and delete one Microsoft.Network resource through an SDK operations group
(``client.public_ip_addresses``, ``client.virtual_networks``, ...), with the bodies kept as
Azure's JSON (camelCase, ``properties``), which azure-mgmt-network sends as given.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ResourceNotFoundError


def as_json(model):
    """Azure's JSON for an SDK model (or a dict already)."""
    if model is None or isinstance(model, dict):
        return model
    return model.as_dict()


def read(module, operations, resource_group, name, what):
    """The resource as Azure's JSON, or None when it does not exist."""
    try:
        return as_json(operations.get(resource_group, name))
    except ResourceNotFoundError:
        return None
    except Exception as exc:
        module.fail_azure(exc, f"Failed to read {what}")


def group_location(module, resource_group):
    """The region of ``resource_group``, the default region of a resource created in it."""
    try:
        return module.client("resource").resource_groups.get(resource_group).location
    except ResourceNotFoundError:
        module.fail_json(msg=f"Resource group {resource_group} does not exist; create it first or give a location")
    except Exception as exc:
        module.fail_azure(exc, f"Failed to read resource group {resource_group}")


def write(module, operations, resource_group, name, body, what):
    """PUT ``body``; Azure's JSON of the result once provisioned, None when not waiting."""
    try:
        poller = operations.begin_create_or_update(resource_group, name, body)
    except Exception as exc:
        module.fail_azure(exc, f"Failed to write {what}")
    return as_json(module.wait_for(poller, f"{what} to be provisioned"))


def delete(module, operations, resource_group, name, what):
    try:
        poller = operations.begin_delete(resource_group, name)
    except ResourceNotFoundError:
        return
    except Exception as exc:
        module.fail_azure(exc, f"Failed to delete {what}")
    module.wait_for(poller, f"{what} to be deleted")


def list_json(module, operations, resource_group, what):
    """Every resource of one type in a resource group (or the subscription), as JSON."""
    try:
        items = operations.list(resource_group) if resource_group else operations.list_all()
        return [as_json(item) for item in items]
    except ResourceNotFoundError:
        return []
    except Exception as exc:
        module.fail_azure(exc, f"Failed to list {what}")
