# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read, write and delete one Microsoft.Network resource through an SDK operations group
(``client.public_ip_addresses``, ``client.virtual_networks``, ...), with the bodies kept as
Azure's JSON (camelCase, ``properties``), which azure-mgmt-network sends as given; and the
whole present/absent flow of a module that manages such a resource (``manage``).

Nothing here imports an SDK: ``fetch`` and ``delete_and_exit`` serve compute and resource
modules too.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, ResourceNotFoundError


def as_json(model):
    """Azure's JSON for an SDK model (or a dict already)."""
    if model is None or isinstance(model, dict):
        return model
    return model.as_dict()


def left_failed(resource):
    """Whether a resource (Azure's JSON, or a module's view with ``provisioning_state``) was left
    ``Failed`` by its last operation.

    Azure's way out is to write it again as it is ("Troubleshoot Azure Microsoft.Network failed
    provisioning state": a GET, then a PUT of what it returned), so a module that finds it so
    writes even when nothing it manages differs; the write's own operation then says whether the
    cause is gone.
    """
    if not resource:
        return False
    state = resource.get("provisioning_state") or (resource.get("properties") or {}).get("provisioningState")
    return (state or "").lower() == "failed"


def fetch(module, get, what):
    """``get()``, or None when the resource does not exist; any other error fails the module."""
    try:
        return get()
    except ResourceNotFoundError:
        return None
    except Exception as exc:
        module.fail_azure(exc, f"Failed to read {what}")


def read(module, operations, resource_group, name, what):
    """The resource as Azure's JSON, or None when it does not exist."""
    return fetch(module, lambda: as_json(operations.get(resource_group, name)), what)


def group_location(module, resource_group):
    """The region of ``resource_group``, the default region of a resource created in it."""
    try:
        return module.client("resource").resource_groups.get(resource_group).location
    except ResourceNotFoundError:
        raise ModuleFailure(f"Resource group {resource_group} does not exist; create it first or give a location") from None
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


def delete_and_exit(module, before, start_delete, what):
    """Exit with ``changed`` after deleting (not in check mode) a resource that exists;
    ``before`` is its diff view. ``start_delete()`` returns a poller to wait for, or None
    for a delete that is done when it returns. Gone meanwhile: exits unchanged."""
    if not module.check_mode:
        try:
            poller = start_delete()
        except ResourceNotFoundError:
            module.exit_with_diff(False, {}, {})
        except Exception as exc:
            module.fail_azure(exc, f"Failed to delete {what}")
        if poller is not None:
            module.wait_for(poller, f"{what} to be deleted")
    module.exit_with_diff(True, before, {})


def manage(module, operations, noun, key, to_dict, desired_state, differs, body_for):
    """The whole flow of a module managing one network resource it PUTs whole (public_ip,
    virtual_network, security_group); exits the module.

    ``to_dict(json)`` is the returned shape (also the diff's), ``desired_state(module,
    current)`` the wanted one (it may fail_json), ``differs(current, desired)`` whether to
    write, ``body_for(desired, current_json)`` the PUT body. Returned under ``key``.
    """
    params = module.params
    rg, name = params["resource_group"], params["name"]
    what = f"{noun} {name}"
    current_json = read(module, operations, rg, name, what)
    current = to_dict(current_json) if current_json else None

    if params["state"] == "absent":
        if current and not module.check_mode:
            delete(module, operations, rg, name, what)
        module.exit_with_diff(bool(current), current, None)

    desired = desired_state(module, current)
    if current and not differs(current, desired) and not left_failed(current_json):
        module.exit_with_diff(False, current, current, **{key: current})
    result = desired
    if not module.check_mode:
        done = write(module, operations, rg, name, body_for(desired, current_json), what)
        result = to_dict(done) if done else desired
    module.exit_with_diff(True, current, result, **{key: result})
