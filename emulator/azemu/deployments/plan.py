"""A template's resources as deployable nodes: copy loops expanded, conditions applied, nested
child resources given their full type and name (`subnets` + `s1` inside `virtualNetworks` `vn`
is `Microsoft.Network/virtualNetworks/subnets` `vn/s1`), each with its resource id and the
nodes it waits for.

Dependencies are what ARM uses (https://learn.microsoft.com/azure/azure-resource-manager/
templates/resource-dependency): `dependsOn` entries naming a resource (its name, `type/name`,
its resource id, or a copy loop's name for all its instances), and the implicit ones of
`reference()` to a resource of the template. A child is not made to wait for its parent unless
it says so, as in ARM. Dependencies on resources whose condition is false are dropped; `copy`
loops in `Serial` mode wait batch after batch. Circular dependencies are refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import Deferred, ExpressionError, TemplateError
from .evaluator import Scope, copy_count, evaluate, resolve
from .language import calls, is_expression, parse
from .positions import parts
from .template import TEMPLATE, Context

# Members of a template resource that are the template's, not the resource provider's.
TEMPLATE_KEYS = frozenset(("type", "apiversion", "name", "dependson", "copy", "condition", "resources", "comments",
                           "metadata", "scope"))
HELP = "Please see https://aka.ms/arm-template/#resources for usage details."


@dataclass
class Node:
    id: str
    type: str                    # full type, as the template writes it
    name: str                    # full name ("vnet/subnet")
    apiVersion: str
    path: str                    # JSON path of its definition in the request
    copy: dict[str, int] = field(default_factory=dict)   # loops it is in: name (lower) -> index
    loop: str | None = None      # its own copy loop (lower case)
    loopName: str | None = None  # that loop's name as written
    depends: list[str] = field(default_factory=list)     # keys of the nodes it waits for
    location: str | None = None

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def namespace(self) -> str:
        return self.type.split("/", 1)[0]

    def forms(self) -> set[str]:
        """What a `dependsOn` entry or `reference()` may call it (lower case)."""
        tail = self.id.split("/providers/", 1)[1]
        out = {self.key, tail.lower(), f"{self.type}/{self.name}".lower(), self.name.lower()}
        if self.loopName:
            out.add(self.loopName.lower())
        return out

    def to_json(self) -> dict:
        return asdict(self)


class Plan:
    def __init__(self, nodes: list[Node]):
        self.nodes = nodes
        self.by_key = {n.key: n for n in nodes}

    @classmethod
    def from_json(cls, data: list[dict]) -> "Plan":
        return cls([Node(**{k: v for k, v in d.items() if k in Node.__dataclass_fields__}) for d in data])

    def find(self, target: str) -> Node | None:
        """The resource `reference(target)` means: by id, or by name."""
        low = target.lower()
        return self.by_key.get(low) or next((n for n in self.nodes if low in (n.name.lower(),
                                                                               f"{n.type}/{n.name}".lower())), None)

    def dependencies(self) -> list[dict]:
        """`properties.dependencies`, as Azure shows it."""
        def ref(n: Node) -> dict:
            return {"id": n.id, "resourceType": n.type, "resourceName": n.name}
        return [{"dependsOn": [ref(self.by_key[d]) for d in n.depends], **ref(n)} for n in self.nodes if n.depends]

    def providers(self) -> list[dict]:
        """`properties.providers`: namespaces and types in template order, with their locations."""
        out: dict[str, dict[str, list[str]]] = {}
        for n in self.nodes:
            types = out.setdefault(n.namespace.lower(), {"": [n.namespace]})
            locations = types.setdefault(n.type.split("/", 1)[1], [])
            if n.location and n.location not in locations:
                locations.append(n.location)
        return [{"namespace": t.pop("")[0], "resourceTypes": [{"resourceType": rt, "locations": locs}
                                                              for rt, locs in t.items()]} for t in out.values()]


def definition(template: dict, path: str) -> dict:
    """The template resource at a node's path ("properties.template.resources[1].resources[0]")."""
    node: Any = template
    for part in parts(path)[2:]:
        node = node[part]
    return node


def body_of(context: Context, node: Node) -> dict:
    """The resource's PUT body: its definition without the template's members, evaluated."""
    d = definition(context.template, node.path)
    scope = Scope(context, "properties", node.copy, loop=node.loop)
    raw = {k: v for k, v in d.items() if k.lower() not in TEMPLATE_KEYS}
    if node.type.lower() == "microsoft.resources/deployments":
        return _nested_deployment(raw, scope)
    return resolve(raw, scope, copies=True)


def _nested_deployment(raw: dict, scope: Scope) -> dict:
    """A nested deployment whose expressions are evaluated in its own (inner) scope keeps its
    template as written; the outer scope (ARM's default) evaluates it here."""
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
    options = props.get("expressionEvaluationOptions") or {}
    if not (isinstance(options, dict) and str(options.get("scope", "")).lower() == "inner"):
        return resolve(raw, scope, copies=True)
    out = resolve({k: v for k, v in raw.items() if k != "properties"}, scope)
    out["properties"] = dict(resolve({k: v for k, v in props.items() if k != "template"}, scope),
                             **({"template": props["template"]} if "template" in props else {}))
    return out


class Planner:
    def __init__(self, context: Context):
        self.context = context
        self.nodes: list[Node] = []
        self.explicit: dict[str, list[tuple[str, str]]] = {}     # node key -> [(entry, path)]
        self.implicit: dict[str, set[str]] = {}                 # node key -> reference() targets
        self.skipped: set[str] = set()                          # forms of resources with condition false
        self.serial: dict[str, int] = {}                        # loop -> batch size

    def error(self, path: str, inner: str) -> TemplateError:
        return self.context.error(path, inner)

    def build(self) -> Plan:
        resources = self.context.template.get("resources")
        if not isinstance(resources, list):
            raise self.error(TEMPLATE, "Required property 'resources' not found in JSON or it is not an array.")
        self._walk(resources, f"{TEMPLATE}.resources", None, Scope(self.context, "resource"))
        plan = Plan(self.nodes)
        self.context.plan = plan
        for node in self.nodes:
            node.depends = self._depends(node, plan)
        self._serial(plan)
        self._cycles(plan)
        return plan

    # --- the walk -------------------------------------------------------------------------

    def _value(self, path: str, label: str, fn) -> Any:
        return self.context.guarded(path, label, fn)

    def _walk(self, defs: list, base: str, parent: Node | None, scope: Scope) -> None:
        for i, d in enumerate(defs):
            path = f"{base}[{i}]"
            if not isinstance(d, dict):
                raise self.error(path, f"The template resource{{at}} is not valid: it must be an object. {HELP}")
            label = f"The template resource '{d.get('name', '')}'"
            instances = [scope]
            loop = d.get("copy")
            if loop is not None:
                if parent is not None:
                    raise self.error(path, f"{label}{{at}} is not valid: copy is not supported on a nested resource; "
                                           f"define it at the top level. {HELP}")
                if not isinstance(loop, dict) or not isinstance(loop.get("name"), str) or "count" not in loop:
                    raise self.error(f"{path}.copy", f"{label}{{at}} is not valid: 'copy' needs a 'name' and a "
                                                     f"'count'. {HELP}")
                count = self._value(f"{path}.copy.count", label, lambda: copy_count(loop["count"], scope))
                instances = [scope.with_copy(loop["name"], j, own=True) for j in range(count)]
                if str(loop.get("mode", "parallel")).lower() == "serial":
                    size = loop.get("batchSize", 1)
                    self.serial[loop["name"].lower()] = size if isinstance(size, int) and size > 0 else 1
            for inst in instances:
                node = self._instance(d, path, label, parent, inst, loop)
                if d.get("resources") is not None:
                    if not isinstance(d["resources"], list):
                        raise self.error(f"{path}.resources", f"{label}{{at}} is not valid: 'resources' must be an "
                                                              f"array. {HELP}")
                    self._walk(d["resources"], f"{path}.resources", node, inst)

    def _instance(self, d: dict, path: str, label: str, parent: Node | None, scope: Scope, loop: Any) -> Node:
        here = scope.within("resource")
        values = {}
        for key in ("type", "name", "apiVersion"):
            raw = next((v for k, v in d.items() if k.lower() == key.lower()), None)
            if raw is None:
                raise self.error(path, f"{label}{{at}} is not valid: the required property '{key}' is missing. {HELP}")
            value = self._value(f"{path}.{key}", label, lambda raw=raw: resolve(raw, here))
            if not isinstance(value, str) or not value:
                raise self.error(f"{path}.{key}", f"{label}{{at}} is not valid: '{key}' must be a non-empty "
                                                  f"string. {HELP}")
            values[key] = value
        rtype, name = values["type"], values["name"]
        if parent is not None:
            if "." not in rtype.split("/", 1)[0]:      # a child written inside its parent: "subnets"
                rtype = f"{parent.type}/{rtype}"
            if len(name.split("/")) < len(rtype.split("/")) - 1:
                name = f"{parent.name}/{name}"
        type_segs, name_segs = rtype.split("/"), name.split("/")
        if len(type_segs) < 2 or len(type_segs) != len(name_segs) + 1 or not all(name_segs):
            raise self.error(path, f"The template resource '{name}' for type '{rtype}'{{at}} has incorrect segment "
                                   "lengths. A nested resource type must have identical number of segments as its "
                                   "resource name. A root resource type must have segment length one greater than "
                                   f"its resource name. {HELP}")
        ctx = self.context
        tail = "/".join(f"{t}/{n}" for t, n in zip(type_segs[1:], name_segs))
        rid = f"/subscriptions/{ctx.subscription_id}/resourceGroups/{ctx.group_name}/providers/{type_segs[0]}/{tail}"
        node = Node(rid, rtype, name, values["apiVersion"], path, dict(scope.copy),
                    loop["name"].lower() if loop else None, loop["name"] if loop else None)
        if "condition" in d:
            keep = self._value(f"{path}.condition", label, lambda: resolve(d["condition"], here))
            if not isinstance(keep, bool):
                raise self.error(f"{path}.condition", f"{label}{{at}} is not valid: the condition must be a "
                                                      f"boolean. {HELP}")
            if not keep:
                self.skipped |= node.forms()
                return node
        if node.key in {n.key for n in self.nodes}:
            raise self.error(path, f"The resource '{rid}'{{at}} is defined multiple times in a template. {HELP}")
        self.nodes.append(node)
        self.explicit[node.key] = self._explicit(d, path, label, here)
        self.implicit[node.key] = self._references(d, here)
        location = d.get("location")
        if location is not None:
            try:
                value = resolve(location, here)
                node.location = "".join(value.split()).lower() if isinstance(value, str) else None
            except (ExpressionError, Deferred, TemplateError):
                pass
        return node

    def _explicit(self, d: dict, path: str, label: str, scope: Scope) -> list[tuple[str, str]]:
        entries = d.get("dependsOn") or []
        if not isinstance(entries, list):
            raise self.error(f"{path}.dependsOn", f"{label}{{at}} is not valid: 'dependsOn' must be an array. {HELP}")
        out = []
        for j, entry in enumerate(entries):
            value = self._value(f"{path}.dependsOn[{j}]", label, lambda entry=entry: resolve(entry, scope))
            if not isinstance(value, str):
                raise self.error(f"{path}.dependsOn[{j}]", f"{label}{{at}} is not valid: a dependsOn entry must be a "
                                                           f"string. {HELP}")
            out.append((value, f"{path}.dependsOn[{j}]"))
        return out

    def _references(self, d: dict, scope: Scope) -> set[str]:
        """The first argument of every reference() in the resource's own members."""
        targets: set[str] = set()
        stack = [v for k, v in d.items() if k.lower() not in TEMPLATE_KEYS]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
            elif is_expression(value):
                try:
                    tree = parse(value)
                except ExpressionError:
                    continue
                for call in calls(tree):
                    if call.name.lower() == "reference" and call.args:
                        try:
                            target = evaluate(call.args[0], scope)
                        except (ExpressionError, Deferred, TemplateError):
                            continue
                        if isinstance(target, str):
                            targets.add(target.lower())
        return targets

    # --- dependencies ---------------------------------------------------------------------

    def _depends(self, node: Node, plan: Plan) -> list[str]:
        out: list[str] = []

        def add(key: str) -> None:
            if key != node.key and key not in out:
                out.append(key)

        for entry, path in self.explicit[node.key]:
            low = entry.lower()
            hits = [n.key for n in plan.nodes if low in n.forms()]
            if not hits:
                if low in self.skipped:
                    continue
                raise self.error(path, f"The resource '{entry}' is not defined in the template. Please see "
                                       "https://aka.ms/arm-template for usage details.")
            if hits == [node.key]:
                raise self.error(path, f"Circular dependency detected on resource: '{node.id}'. {HELP}")
            for key in hits:
                add(key)
        for target in self.implicit[node.key]:
            found = plan.find(target)
            if found is not None:
                add(found.key)
        return out

    def _serial(self, plan: Plan) -> None:
        for loop, size in self.serial.items():
            members = sorted((n for n in plan.nodes if n.loop == loop), key=lambda n: n.copy[loop])
            for n in members:
                batch = n.copy[loop] // size
                for earlier in members:
                    if earlier.copy[loop] // size == batch - 1 and earlier.key not in n.depends:
                        n.depends.append(earlier.key)

    def _cycles(self, plan: Plan) -> None:
        state: dict[str, int] = {}          # 1 visiting, 2 done
        for start in plan.nodes:
            stack = [(start.key, iter(start.depends))]
            if state.get(start.key):
                continue
            state[start.key] = 1
            while stack:
                key, deps = stack[-1]
                nxt = next(deps, None)
                if nxt is None:
                    state[key] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    raise self.error(plan.by_key[nxt].path, f"Circular dependency detected on resource: "
                                                            f"'{plan.by_key[nxt].id}'. {HELP}")
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, iter(plan.by_key[nxt].depends)))


def build(context: Context) -> Plan:
    return Planner(context).build()
