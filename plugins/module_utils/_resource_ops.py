# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read, write and delete one ARM resource through an SDK operations group
(``client.public_ip_addresses``, ``client.security_rules``, ...), with the bodies kept as Azure's
JSON (camelCase, ``properties``), which the SDKs send as given; and the present/absent flow of a
module that PUTs its resource whole (``NetworkResource``), returning a Result.

Everything here returns a value or raises ModuleFailure (what an SDK request raises becomes
azure_failure); nothing exits. Nothing here imports an SDK: ``fetch`` and ``ensure_deleted``
serve compute and resource modules too.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, ResourceNotFoundError, azure_call
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result

# What unless_missing returns for a request Azure answers with "not found".
MISSING = object()


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


def unless_missing(msg, call):
    """``call()``, or MISSING when Azure answers that the resource does not exist; any other
    error is azure_failure(exc, msg), as azure_call raises it."""

    def missing_apart():
        try:
            return call()
        except ResourceNotFoundError:
            return MISSING

    return azure_call(msg, missing_apart)


def fetch(module, get, what):
    """``get()``, or None when the resource does not exist; any other error raises ModuleFailure."""
    found = unless_missing(f"Failed to read {what}", get)
    return None if found is MISSING else found


def read(module, operations, resource_group, name, what):
    """The resource as Azure's JSON, or None when it does not exist."""
    return fetch(module, lambda: as_json(operations.get(resource_group, name)), what)


def group_location(module, resource_group):
    """The region of ``resource_group``, the default region of a resource created in it."""
    group = fetch(module, lambda: module.client("resource").resource_groups.get(resource_group),
                  f"resource group {resource_group}")
    if group is None:
        raise ModuleFailure(f"Resource group {resource_group} does not exist; create it first or give a location")
    return group.location


def write(module, operations, resource_group, name, body, what):
    """PUT ``body``; Azure's JSON of the result once provisioned, None when not waiting."""
    return _write(module, operations, (resource_group, name), body, what)


def _write(module, operations, path, body, what):
    poller = azure_call(f"Failed to write {what}", operations.begin_create_or_update, *path, body)
    return as_json(module.wait_for(poller, f"{what} to be provisioned"))


def delete(module, operations, resource_group, name, what):
    """DELETE the resource and wait for it to be gone; False when it was gone already."""
    return delete_by(module, lambda: operations.begin_delete(resource_group, name), what)


def delete_by(module, start_delete, what):
    """``start_delete()`` (a poller, or None for a delete done when it returns), then wait;
    False when Azure says the resource is gone already."""
    poller = unless_missing(f"Failed to delete {what}", start_delete)
    if poller is MISSING:
        return False
    if poller is not None:
        module.wait_for(poller, f"{what} to be deleted")
    return True


def ensure_deleted(module, before, start_delete, what):
    """The Result of deleting (not in check mode) a resource that exists, ``before`` being its
    diff view; ``start_delete()`` as in delete_by. Gone meanwhile: unchanged."""
    if not module.check_mode and not delete_by(module, start_delete, what):
        return Result(False, {}, {})
    return Result(True, before, {})


class NetworkResource:
    """The Microsoft.Network resource a task names and its present/absent flow, for a module that
    PUTs it whole (public_ip, virtual_network, security_group, security_rule) or deletes it by name.

    ``operations`` names the network client's operations group ("public_ip_addresses"), bound at
    the first request, so that building this needs none. ``path`` is what its calls take before
    the body: (resource group, name), or (resource group, parent, name) for a child such as a
    security rule. ``to_dict(json)`` is the module's view, returned under ``key``; ``view(dict)``
    the diff's (default: the same).
    """

    def __init__(self, module, operations, path, what, to_dict, key=None, view=None):
        self.module = module
        self.operations_name = operations
        self.path = tuple(path)
        self.what = what
        self.to_dict = to_dict
        self.key = key
        self.view = view or (lambda resource: resource)
        self.json = None
        self.current = None

    @property
    def operations(self):
        return getattr(self.module.client("network"), self.operations_name)

    def read(self):
        """The resource as the module sees it (None when it does not exist); its JSON in ``json``."""
        self.json = fetch(self.module, lambda: as_json(self.operations.get(*self.path)), self.what)
        self.current = self.to_dict(self.json) if self.json else None
        return self.current

    def ensure_absent(self):
        """Read the resource and delete it (not in check mode) when it exists."""
        if self.read() is None:
            return Result(False, {}, {})
        return ensure_deleted(self.module, self.view(self.current),
                              lambda: self.operations.begin_delete(*self.path), self.what)

    def ensure_present(self, desired, differs, body_for):
        """Write ``desired`` (the module's view of the resource wanted) when the resource is
        missing, ``differs`` or was left Failed; ``body_for(desired, json)`` is the PUT body.
        In check mode, or with wait=false, ``desired`` is the prediction returned."""
        current = self.current
        if current and not differs and not left_failed(self.json):
            return self._result(False, current)
        result = desired
        if not self.module.check_mode:
            done = _write(self.module, self.operations, self.path, body_for(desired, self.json), self.what)
            result = self.to_dict(done) if done else desired
        return self._result(True, result)

    def _result(self, changed, after):
        return Result(changed, self.view(self.current) if self.current else {}, self.view(after), **{self.key: after})
