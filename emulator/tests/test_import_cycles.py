"""No import cycles inside azemu or the collection's plugins (issue 13, "layers without cycles").

The import graph is read from the source with `ast`, not by importing anything: every `import`
and `from ... import` of a module counts, at module level and inside functions alike (an import
hidden in a function is still a dependency, only a later one), relative imports resolved against
the importing module's package. `from pkg import name` depends on `pkg.name` when that is a
module, on `pkg` otherwise. Importing `a.b.c` from outside `a.b` also runs `a/b/__init__.py`, so
the packages on the way count as well. Left out: imports under `if TYPE_CHECKING:`, which never
run (annotations only); that is the one way to name a type from a higher layer.

A cycle is reported as its strongly connected set of modules and, for each of them, a shortest
path back to itself, so every loop a reader has to untie is named. azemu's modules also import
only downwards through its layers (LAYERS, as emulator/README.md describes them).
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# (source folder, the dotted name it is imported as)
ROOTS = {
    "azemu": (REPO / "emulator" / "azemu", "azemu"),
    "plugins": (REPO / "plugins", "ansible_collections.cloudlb.azure.plugins"),
}


def module_files(folder: Path, name: str) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's __init__)."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join([name, *parts])] = (path, is_package)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every Import/ImportFrom node that runs, at any depth; not the body of `if TYPE_CHECKING`."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")
        base = base[:len(base) - node.level + 1]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    return [origin] + [f"{origin}.{alias.name}" for alias in node.names]


def import_graph(folder: Path, name: str) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports (directly, as described above)."""
    files = module_files(folder, name)
    graph: dict[str, set[str]] = {module: set() for module in files}
    for module, (path, is_package) in files.items():
        package = module if is_package else module.rpartition(".")[0]
        own_packages = _ancestors(module) | {module}
        for node in _imports(ast.parse(path.read_text(), str(path))):
            candidates = _targets(node, package)
            # `from pkg import x` names pkg.x when x is a module; pkg itself is imported anyway
            for target in candidates:
                if target not in files:
                    continue
                for needed in (_ancestors(target) | {target}) - own_packages:
                    if needed in files:
                        graph[module].add(needed)
    return graph


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; the components with more than one module, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def shortest_cycle(graph: dict[str, set[str]], start: str) -> list[str]:
    """Breadth-first from `start` back to itself."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return []


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """One line per distinct shortest cycle, grouped by component."""
    lines = []
    for component in strongly_connected(graph):
        lines.append(f"cycle group of {len(component)}: {', '.join(component)}")
        seen = set()
        for module in component:
            loop = shortest_cycle(graph, module)
            key = frozenset(loop)
            if key not in seen:
                seen.add(key)
                lines.append("  " + " -> ".join(loop))
    return lines


@pytest.mark.parametrize("tree", sorted(ROOTS))
def test_no_import_cycles(tree):
    folder, name = ROOTS[tree]
    found = cycles(import_graph(folder, name))
    assert not found, f"import cycles in {tree}:\n" + "\n".join(found)


# azemu's layers, bottom first (emulator/README.md, "Layers"): a module imports from its own
# layer or those below. Names are modules or packages under azemu; the longest one matching wins.
LAYERS = (
    ("store", "errors", "settings", "hosts", "metadata", "pidfile", "tls", "requestlog",
     "arm.lro", "arm.latency", "arm.regions", "arm.fields", "arm.filters", "arm.conditions", "arm.paths",
     "arm.paging"),
    ("arm", "arm.resource_type", "arm.registry", "arm.context", "arm.operations", "arm.engine"),
    ("providers", "deployments"),
    ("arm.http", "arm.groups", "arm.handlers", "identity", "testapi", "documents", "capture"),
    ("emulator", "app", "dataplane", "proxy", "server", "faults", "cli", "testing", "__main__"),
)
# The registry walks the providers package at start-up to import every provider (load_providers).
UPWARD_ALLOWED = {("azemu.arm.registry", "azemu.providers")}


def layer_of(module: str) -> int | None:
    name = module.partition(".")[2]
    found = [(len(entry), i) for i, entries in enumerate(LAYERS) for entry in entries
             if name == entry or name.startswith(entry + ".")]
    return max(found)[1] if found else None


def test_azemu_imports_downwards():
    graph = import_graph(*ROOTS["azemu"])
    unplaced = sorted(m for m in graph if m != "azemu" and layer_of(m) is None)
    upward = sorted(f"{a} (layer {layer_of(a) + 1}) -> {b} (layer {layer_of(b) + 1})"
                    for a, targets in graph.items() for b in targets
                    if layer_of(a) is not None and layer_of(b) is not None and layer_of(b) > layer_of(a)
                    and (a, b) not in UPWARD_ALLOWED)
    assert not unplaced, f"modules in no layer of LAYERS: {unplaced}"
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def _write(folder: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_graph_sees_hidden_relative_and_package_imports(tmp_path):
    """The check itself can fail: a cycle through a function-level relative import and one
    through a package's __init__ are found; a TYPE_CHECKING import is not a cycle."""
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "a.py": "from . import b\n",
        "b.py": "def later():\n    from .a import thing\n",
        "typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .low import X\n",
        "low.py": "from .typed import Y\n",
        "sub/__init__.py": "from .inner import Z\n",
        "sub/inner.py": "from pkg import c\n",
        "c.py": "import pkg.sub.other\n",
        "sub/other.py": "",
    })
    graph = import_graph(tmp_path / "pkg", "pkg")
    assert graph["pkg.c"] == {"pkg.sub", "pkg.sub.other"}
    assert graph["pkg.typed"] == set()
    assert cycles(graph) == [
        "cycle group of 2: pkg.a, pkg.b",
        "  pkg.a -> pkg.b -> pkg.a",
        "cycle group of 3: pkg.c, pkg.sub, pkg.sub.inner",
        "  pkg.c -> pkg.sub -> pkg.sub.inner -> pkg.c",
    ]
