"""Example resource types, loaded only by azemu's own tests (`azemu serve --plugin widgets`).

They exercise every framework feature in a few lines and are the example in
emulator/docs/resource-types.md. `Microsoft.Azemu` is not an Azure namespace.
"""

from azemu.arm import COMPUTE, ArmError, ResourceType, action, in_use, register


@register
class Widgets(ResourceType):
    """Network style: PUT 201/200 + Azure-AsyncOperation, DELETE 202 + Location."""
    provider = "Microsoft.Azemu"
    type = "widgets"
    read_only = ("widgetGuid", "gadgetCount", "usedBy", "polishedAt")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        color = out["properties"].setdefault("color", "blue")
        if color not in ("blue", "red"):
            raise ArmError.invalid(f"Color '{color}' is not supported.", target="properties.color")
        return out

    def fill(self, ctx, res, current):
        res.props.setdefault("widgetGuid", ctx.new_guid())

    def render(self, ctx, res, out):
        out["properties"]["gadgetCount"] = len(res.children("gadgets"))
        out["properties"]["usedBy"] = [{"id": user.id} for user, _path in ctx.referrers(res.id)]

    def check_delete(self, ctx, res):
        users = ctx.referrers(res.id)
        if users:
            raise in_use("WidgetInUse", f"Widget {res.name} is in use by {users[0][0].id} and cannot be deleted.")

    @action("polish")
    def polish(self, ctx, res, body):
        shine = (body or {}).get("shine", 1)
        if not isinstance(shine, int):
            raise ArmError.invalid("shine must be an integer")
        return {"shine": shine}

    @polish.done
    def polish_done(self, ctx, res, state):
        res.props["polishedAt"] = ctx.now_iso()
        return {"shine": state["shine"], "by": res.name}

    @action("inspect", method="GET", long_running=False)
    def inspect(self, ctx, res, body):
        return {"color": res.props["color"], "gadgets": [g.name for g in res.children("gadgets")]}


@register
class Gadgets(ResourceType):
    """Embedded child: stored in the widget's properties.gadgets, also at widgets/{w}/gadgets/{g}."""
    provider = "Microsoft.Azemu"
    type = "widgets/gadgets"
    embedded = True

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        size = out["properties"].setdefault("size", 1)
        if not isinstance(size, int) or not 1 <= size <= 10:
            raise ArmError.invalid("Gadget size must be an integer from 1 to 10.", target="properties.size")
        return out


@register
class Sprockets(ResourceType):
    """Synchronous, like availabilitySets: PUT answers 200 even on create, DELETE 200. It
    references a widget, which makes the widget in use."""
    provider = "Microsoft.Azemu"
    type = "sprockets"
    long_running = False
    create_status = 200

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        ref = out["properties"].get("widget")
        if ref is not None:
            target = ctx.resolve(ref.get("id", "")) if isinstance(ref, dict) else None
            if target is None or target.rtype.type != "widgets":
                raise ArmError.bad_request("InvalidResourceReference", f"Resource {ref} referenced by sprocket was not found.")
        return out


@register
class Gizmos(ResourceType):
    """Compute style operations: operations/{id} for both, monitor=true for the result."""
    provider = "Microsoft.Azemu"
    type = "gizmos"
    lro = COMPUTE
    creating_state = "Creating"

    def on_provisioned(self, ctx, res):
        """A gizmo asked to break fails when its operation completes (an asynchronous failure)."""
        if res.props.get("breaks"):
            raise ArmError(400, "GizmoBroke", f"Gizmo {res.name} broke while it was being provisioned.")

    @action("restart")
    def restart(self, ctx, res, body):
        res.internal["restarts"] = res.internal.get("restarts", 0) + 1
        return None

    @action("fail")
    def fail(self, ctx, res, body):
        return None

    @fail.done
    def fail_done(self, ctx, res, state):
        raise ArmError(409, "OperationNotAllowed", "Gizmos cannot do that.")


@register
class Cogs(ResourceType):
    """A separately stored child: its own record under the widget's id, with its own etag."""
    provider = "Microsoft.Azemu"
    type = "widgets/cogs"
