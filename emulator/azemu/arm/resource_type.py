"""The base class every emulated resource type derives from, and the `action` decorator.

A type says *what* the resource is (path, body rules, read-only fields, rendering, delete
rules, actions); the framework (engine.py, handlers.py) does *how* ARM serves it (routing,
api-version, envelope, etags, conditional requests, provisioningState, long-running
operations, paging, persistence). See emulator/docs/resource-types.md.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any, Callable

from .lro import NETWORK, LroStyle

if TYPE_CHECKING:
    from .context import Ctx, Res

# `ResourceType.methods` of child types: Network's children take PUT and DELETE but no PATCH
# (their specs list no Update), and some are read-only (GET only).
CHILD_METHODS = ("GET", "HEAD", "PUT", "DELETE")
READ_ONLY_METHODS = ("GET", "HEAD")

# Top-level keys of a PUT body that a type keeps by default. The framework owns id, name,
# type, etag, location and tags.
NAME_RE = re.compile(r"^\w(?:[\w.-]{0,78}\w)?$")
DEFAULT_BODY_KEYS = ("properties", "sku", "kind", "zones", "plan", "identity", "extendedLocation")


class ActionSpec:
    """A POST (or GET) sub-operation of a resource: `virtualMachines/{vm}/powerOff`."""

    def __init__(self, name: str, method: str, long_running: bool, begin: Callable, *, read_only: bool = False,
                 requires_resource: bool = True, status: int = 200):
        self.name = name
        self.method = method.upper()
        self.long_running = long_running
        self.begin = begin
        # A POST that only reads (rule health): not a write in the request log.
        self.read_only = read_only
        # False: the action also runs on a name nothing is stored under yet (a deployment's
        # validate and whatIf); `res` is then None and the hooks get the id as `ctx.target_id`.
        self.requires_resource = requires_resource
        self.status = status              # of a synchronous action's answer (cancel: 204)
        self.finish: Callable | None = None

    def done(self, fn: Callable) -> Callable:
        """Register the hook that runs when the action's operation completes."""
        self.finish = fn
        return fn


def action(name: str, *, method: str = "POST", long_running: bool = True, read_only: bool = False,
           requires_resource: bool = True, status: int = 200) -> Callable[[Callable], ActionSpec]:
    """Declare an action. The decorated method runs when the request arrives:
    `begin(self, ctx, res, body) -> state` (raise ArmError to refuse). For a long-running
    action the returned JSON-able state is kept with the operation and handed to the
    `@<name>.done` hook `done(self, ctx, res, state) -> result body or None` when the
    operation completes. For a synchronous action (`long_running=False`) the return value is
    the response body (None: an empty answer) with status `status`."""
    def deco(fn: Callable) -> ActionSpec:
        return ActionSpec(name, method, long_running, fn, read_only=read_only,
                          requires_resource=requires_resource, status=status)
    return deco


class ResourceType:
    # --- identity -------------------------------------------------------------------------
    provider: str = ""              # "Microsoft.Network"
    type: str = ""                  # "publicIPAddresses", or "loadBalancers/probes" for a child
    # A child stored inside its parent's body, at properties[collection] (LB probes, subnets).
    # Otherwise a child is its own stored record under the parent's id (VM extensions).
    embedded: bool = False
    collection: str | None = None   # defaults to the last segment of `type`

    # --- body rules ---------------------------------------------------------------------
    # Names under `properties` the server owns: dropped from requests, carried over from the
    # stored resource on every write. Everything `fill` sets or `render` computes goes here.
    read_only: tuple[str, ...] = ()
    location_required: bool = True   # top-level types only
    has_tags: bool = True
    has_etag: bool = True
    # False: `{"id": ...}` members of this type's bodies are records of what it deployed, not
    # references that put their target in use or show as back-references (deployments).
    refers: bool = True
    listed: bool = True              # shown by the generic `/resources` lists
    # The methods Azure serves on one resource of this type. Some child types are read-only in
    # Azure (a load balancer's probes and rules, a NIC's ip configurations: the spec has only
    # their GET; they change through their parent's PUT): ("GET", "HEAD").
    methods: tuple[str, ...] = ("GET", "HEAD", "PUT", "PATCH", "DELETE")

    # --- long-running behaviour -----------------------------------------------------------
    lro: LroStyle = NETWORK
    long_running: bool = True          # PUT answered 201/200 + Azure-AsyncOperation
    long_running_delete: bool | None = None   # None: same as long_running
    long_running_patch: bool = False   # Network's tag PATCH is synchronous
    create_status: int = 201           # availabilitySets answer 200 even on create
    sync_delete_status: int = 200
    delete_missing_status: int = 204   # DELETE of something that is not there
    # provisioningState while an operation runs, per kind of write
    creating_state: str = "Updating"
    updating_state: str = "Updating"
    deleting_state: str = "Deleting"
    # list routes: "resourceGroup" -> .../resourceGroups/{rg}/providers/NS/type,
    # "subscription" -> /subscriptions/{sub}/providers/NS/type
    list_scopes: tuple[str, ...] = ("resourceGroup", "subscription")

    # --- filled in by register() ----------------------------------------------------------
    key: str = ""                       # "microsoft.network/loadbalancers/probes"
    segment: str = ""                   # "probes"
    parent_type: "ResourceType | None" = None
    children: "list[ResourceType]"
    actions: dict[str, ActionSpec]

    @property
    def full_type(self) -> str:
        return f"{self.provider}/{self.type}"

    @property
    def is_top_level(self) -> bool:
        return self.parent_type is None

    @property
    def is_long_running_delete(self) -> bool:
        return self.long_running if self.long_running_delete is None else self.long_running_delete

    def embedded_children(self) -> "list[ResourceType]":
        return [c for c in self.children if c.embedded]

    # --- hooks a type overrides -----------------------------------------------------------

    def validate(self, ctx: "Ctx", body: dict[str, Any], current: "Res | None") -> dict[str, Any]:
        """Check and normalise a PUT body (read-only fields already removed) into the body to
        store. Raise ArmError for bad input. `current` is the stored resource, None on create.
        Must accept what GET returns (clients read, modify and PUT back)."""
        out = {k: copy.deepcopy(body[k]) for k in DEFAULT_BODY_KEYS if k in body}
        if not isinstance(out.get("properties", {}), dict):
            from ..errors import ArmError
            raise ArmError.invalid("The 'properties' member must be an object.")
        out.setdefault("properties", {})
        return out

    def check_name(self, ctx: "Ctx", name: str) -> None:
        """Raise ArmError if `name` is not a valid name for a new resource of this type.
        Default: Network's rule (up to 80 word characters, '.', '-', '_'; starts with a word
        character, ends with one or '_')."""
        if not NAME_RE.match(name):
            from ..errors import ArmError
            raise ArmError.bad_request(
                "InvalidResourceName",
                f"Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a "
                "word character, and it must end with a word character or with '_'. The name may contain word "
                "characters or '.', '-', '_'.")

    def fill(self, ctx: "Ctx", res: "Res", current: "Res | None") -> None:
        """Set server-owned fields on the new resource (resourceGuid, allocated addresses).
        Read-only fields of `current` have already been carried over."""

    def render(self, ctx: "Ctx", res: "Res", out: dict[str, Any]) -> None:
        """Adjust the response body `out` (a copy) of a GET/PUT/list: add back-references
        computed from the store, hide internal fields."""

    def check_delete(self, ctx: "Ctx", res: "Res") -> None:
        """Raise ArmError (e.g. errors.in_use(...)) if the resource may not be deleted now."""

    def patch(self, ctx: "Ctx", current: "Res", body: dict[str, Any]) -> dict[str, Any]:
        """Turn a PATCH body into a full PUT body. Default: tags replace the stored tags,
        other members merge into the stored resource (JSON merge-patch)."""
        from .context import input_view
        merged = input_view(current)
        for key, value in body.items():
            if key == "tags":
                merged["tags"] = value
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merge_patch(merged[key], value)
            else:
                merged[key] = value
        return merged

    def operation_seconds(self, ctx: "Ctx", kind: str, res: "Res | None", action: str | None) -> float:
        """Wall-clock seconds an operation of `kind` ("put", "delete", "action") on `res` runs.
        Default: `settings.latency`; a VM's create, start and restart add its boot time."""
        return ctx.settings.latency

    def on_provisioned(self, ctx: "Ctx", res: "Res") -> None:
        """A write finished (its operation completed, or at once for synchronous types).
        Raise ArmError to make the operation fail (provisioningState becomes Failed)."""

    def on_deleted(self, ctx: "Ctx", res: "Res") -> None:
        """The resource is gone from the store (also when its resource group is deleted)."""

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} {self.full_type}>"


def merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7386 JSON merge-patch: null deletes, objects merge, anything else replaces."""
    out = dict(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_patch(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
