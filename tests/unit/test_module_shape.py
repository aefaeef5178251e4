"""Every module has the one shape of docs/developing.md: main() hands options and ensure
functions to AzureModule.run, the one boundary, which alone exits (through exit_with /
fail_with); modules and their helpers raise ModuleFailure instead."""

from __future__ import annotations

import ast
import pathlib

import pytest

PLUGINS = pathlib.Path(__file__).resolve().parents[2] / "plugins"
MODULES = sorted((PLUGINS / "modules").glob("*.py"))
UTILS = sorted((PLUGINS / "module_utils").glob("*.py"))
EXITS = {"exit_json", "fail_json", "exit_with_diff", "exit_with", "fail_with"}


def calls(node):
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            yield child, func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def functions(tree):
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_module_exits_itself(path):
    tree = ast.parse(path.read_text())
    exits = [f"{path.name}:{node.lineno} {name}" for node, name in calls(tree) if name in EXITS]
    assert not exits, f"a module exits itself (AzureModule.run does): {exits}"
    runs = [node for node, name in calls(functions(tree)["main"]) if name == "run"]
    assert len(runs) == 1, "main() hands the module to AzureModule.run once"


@pytest.mark.parametrize("path", [p for p in UTILS if p.name != "_module.py"], ids=lambda p: p.stem)
def test_helpers_never_exit(path):
    found = [f"{path.name}:{node.lineno} {name}" for node, name in calls(ast.parse(path.read_text()))
             if name in EXITS | {"fail_azure", "fail_invalid"}]
    assert not found, f"a helper exits (raise ModuleFailure instead): {found}"


def test_the_base_has_one_boundary_and_no_exiting_helpers_left():
    base = ast.parse((PLUGINS / "module_utils" / "_module.py").read_text())
    methods = {node.name: node for cls in base.body if isinstance(cls, ast.ClassDef) for node in cls.body
               if isinstance(node, ast.FunctionDef)}
    assert {"run", "exit_with", "fail_with"} <= set(methods)
    assert not set(methods) & {"fail_azure", "fail_invalid", "exit_with_diff"}
    callers = {name for name, method in methods.items()
               if any(called in ("exit_with", "fail_with") for _node, called in calls(method))}
    assert callers == {"run"}, f"exit_with/fail_with called outside run(): {sorted(callers - {'run'})}"
