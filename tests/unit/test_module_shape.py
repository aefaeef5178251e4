"""Every module has the one shape of docs/developing.md: only main() exits, through
AzureModule.exit_with / fail_with, and its helpers raise ModuleFailure instead."""

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
def test_only_main_exits(path):
    tree = ast.parse(path.read_text())
    main = functions(tree)["main"]
    inside = {id(node) for node, _name in calls(main)}
    outside = [f"{path.name}:{node.lineno} {name}" for node, name in calls(tree) if name in EXITS
               and id(node) not in inside]
    assert not outside, f"exits outside main(): {outside}"
    used = {name for _node, name in calls(main) if name in EXITS}
    assert used <= {"exit_with", "fail_with"}, f"main() exits with {sorted(used)}, not exit_with/fail_with"
    assert "fail_with" in used and "exit_with" in used


@pytest.mark.parametrize("path", [p for p in UTILS if p.name != "_module.py"], ids=lambda p: p.stem)
def test_helpers_never_exit(path):
    found = [f"{path.name}:{node.lineno} {name}" for node, name in calls(ast.parse(path.read_text()))
             if name in EXITS | {"fail_azure", "fail_invalid"}]
    assert not found, f"a helper exits (raise ModuleFailure instead): {found}"


def test_the_base_has_no_exiting_helpers_left():
    base = ast.parse((PLUGINS / "module_utils" / "_module.py").read_text())
    methods = {node.name for cls in base.body if isinstance(cls, ast.ClassDef) for node in cls.body
               if isinstance(node, ast.FunctionDef)}
    assert {"exit_with", "fail_with"} <= methods
    assert not methods & {"fail_azure", "fail_invalid", "exit_with_diff"}
