"""Which resource types exist: filled by `@register` when the provider modules are imported.

Every module under `azemu.providers` is imported at start-up (`load_providers`), so adding a
type means adding a module; no central list to edit. Extra modules (test-only types) come
in with `azemu serve --plugin MODULE`.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import traceback
from typing import Callable

from .resource_type import ActionSpec, ResourceType

_types: dict[str, ResourceType] = {}
_namespaces: dict[str, str] = {}     # lower-case namespace -> canonical casing
_location_endpoints: dict[tuple[str, str], Callable] = {}
# module name -> traceback of provider modules that failed to import. azemu still starts (one
# broken provider must not take the others down); the failures are logged and shown at
# /_azemu/health.
load_errors: dict[str, str] = {}
log = logging.getLogger("azemu.registry")


def register(cls: type[ResourceType]) -> type[ResourceType]:
    """Class decorator: make a ResourceType subclass servable."""
    inst = cls()
    if not inst.provider or not inst.type:
        raise ValueError(f"{cls.__name__} needs provider and type")
    inst.key = f"{inst.provider}/{inst.type}".lower()
    inst.segment = inst.type.split("/")[-1]
    if inst.collection is None:
        inst.collection = inst.segment
    inst.children = []
    inst.actions = {}
    for klass in reversed(cls.__mro__):
        for value in vars(klass).values():
            if isinstance(value, ActionSpec):
                inst.actions[value.name.lower()] = value
    if "/" in inst.type:
        parent_key = inst.key.rsplit("/", 1)[0]
        parent = _types.get(parent_key)
        if parent is None:
            raise ValueError(f"register the parent of {inst.full_type} first")
        inst.parent_type = parent
        parent.children.append(inst)
    elif inst.embedded:
        raise ValueError(f"{inst.full_type}: only child types can be embedded")
    _types[inst.key] = inst
    _namespaces[inst.provider.lower()] = inst.provider
    return cls


def location_endpoint(namespace: str, name: str) -> Callable[[Callable], Callable]:
    """Decorator for a GET at /subscriptions/{sub}/providers/{namespace}/locations/{loc}/{name}
    (Compute's vmSizes): `fn(ctx, location) -> response body`."""
    def deco(fn: Callable) -> Callable:
        _location_endpoints[(namespace.lower(), name.lower())] = fn
        return fn
    return deco


def location_handler(namespace: str, name: str) -> Callable | None:
    return _location_endpoints.get((namespace.lower(), name.lower()))


def get(key: str) -> ResourceType | None:
    return _types.get(key.lower())


def all_types() -> list[ResourceType]:
    return list(_types.values())


def namespace(name: str) -> str | None:
    """Canonical casing of a registered namespace, or None."""
    return _namespaces.get(name.lower())


def child(parent: ResourceType, segment: str) -> ResourceType | None:
    for c in parent.children:
        if c.segment.lower() == segment.lower():
            return c
    return None


def load_providers(extra_modules: list[str] = ()) -> None:
    """Import every provider module (registering their types), then any plugins (a plugin
    that fails to import is an error: it was asked for by name)."""
    from .. import providers
    names = [i.name for i in pkgutil.walk_packages(providers.__path__, providers.__name__ + ".",
                                                    onerror=lambda name: _failed(name))]
    for name in sorted(names):
        try:
            importlib.import_module(name)
        except Exception:
            _failed(name)
    for name in extra_modules:
        importlib.import_module(name)


def _failed(name: str) -> None:
    load_errors[name] = traceback.format_exc()
    log.error("provider module %s failed to import; its types are not served:\n%s", name, load_errors[name])
