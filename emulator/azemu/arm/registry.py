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
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import ArmError
from .resource_type import ActionSpec, ResourceType

_types: dict[str, ResourceType] = {}
_real_types: dict[str, str] = {}     # lower-case "namespace/type" -> its canonical casing
_namespaces: dict[str, str] = {}     # lower-case namespace -> canonical casing
_location_endpoints: list["LocationEndpoint"] = []
_documents: dict[str, "Document"] = {}
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


@dataclass(frozen=True)
class LocationEndpoint:
    namespace: str                 # lower case
    pattern: tuple[str, ...]       # segments after locations/{loc}/: literals and {params}
    fn: Callable

    @property
    def type_name(self) -> str:
        """ARM's name for it: the type segments, e.g. locations/publishers/artifacttypes/offers."""
        return "/".join(("locations",) + self.pattern[0::2])

    def match(self, segments: list[str]) -> dict[str, str] | None:
        if len(segments) != len(self.pattern):
            return None
        params = {}
        for want, seg in zip(self.pattern, segments):
            if want.startswith("{"):
                params[want[1:-1]] = seg
            elif want.lower() != seg.lower():
                return None
        return params


def location_endpoint(namespace: str, pattern: str) -> Callable[[Callable], Callable]:
    """Decorator for a GET at /subscriptions/{sub}/providers/{namespace}/locations/{loc}/{pattern},
    where `pattern` is segments, literal (matched without case) or `{param}`: Compute's `vmSizes`,
    `publishers/{publisher}/artifacttypes/vmimage/offers`. `fn(ctx, subscription, location, **params)`
    returns the body."""
    def deco(fn: Callable) -> Callable:
        _location_endpoints.append(LocationEndpoint(namespace.lower(), tuple(pattern.split("/")), fn))
        return fn
    return deco


def location_handler(namespace: str, segments: list[str]) -> tuple[LocationEndpoint, dict[str, str]] | None:
    for endpoint in _location_endpoints:
        params = endpoint.match(segments) if endpoint.namespace == namespace.lower() else None
        if params is not None:
            return endpoint, params
    return None


@dataclass(frozen=True)
class Document:
    fn: Callable[[], Any]
    content_type: str
    public_urls: tuple[str, ...]     # where public Azure's clients fetch the same document


def public_document(path: str, *, content_type: str = "application/json",
                    public_urls: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Decorator for a JSON document served at `path` to anyone, outside ARM and its tokens (the
    VM image alias document the cloud metadata advertises): `fn() -> body`. `public_urls`: the
    same document at the public hosts Azure's clients fetch it from (`documents.py`)."""
    def deco(fn: Callable) -> Callable:
        _documents[path] = Document(fn, content_type, tuple(public_urls))
        return fn
    return deco


def documents() -> dict[str, Document]:
    return dict(_documents)


def get(key: str) -> ResourceType | None:
    return _types.get(key.lower())


def all_types() -> list[ResourceType]:
    return list(_types.values())


def real_types(namespace: str, types: tuple[str, ...]) -> None:
    """Declare top-level types Azure has in `namespace` that no provider emulates. Nothing of
    them exists in azemu, so reads answer as Azure answers for a resource that does not exist
    (`handlers.absent_type_request`), where an unknown type is `InvalidResourceType`."""
    for name in types:
        _real_types[f"{namespace}/{name}".lower()] = f"{namespace}/{name}"
    _namespaces.setdefault(namespace.lower(), namespace)


def real_type(namespace: str, type_segment: str) -> str | None:
    """The canonical "namespace/type" of a declared real type no provider serves, or None."""
    key = f"{namespace}/{type_segment}".lower()
    return None if key in _types else _real_types.get(key)


def type_error(namespace: str, type_name: str, api_version: str) -> ArmError:
    """What a write of an unserved type gets: a real one is not emulated, any other unknown."""
    real = real_type(namespace, type_name)
    return ArmError.not_emulated(real) if real else ArmError.invalid_resource_type(type_name, namespace, api_version)


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
