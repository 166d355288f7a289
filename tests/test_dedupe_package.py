"""The crmkit._dedupe package: its public names, one job per module, imports without cycles."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import crmkit._dedupe as dedupe

PACKAGE = Path(dedupe.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("_*.py") if p.stem != "__init__")


def _sibling(name: str | None) -> str | None:
    prefix = "crmkit._dedupe."
    if name and name.startswith(prefix):
        return name[len(prefix) :].split(".")[0]
    return None


def _imports(module: str) -> tuple[set[str], list[str]]:
    """Sibling modules imported at module level, and those imported inside functions."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    top: set[str] = set()
    nested: list[str] = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    inside = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    for node in ast.walk(tree):
        names: list[str | None] = []
        if isinstance(node, ast.ImportFrom):
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for found in filter(None, map(_sibling, names)):
            (nested.append if id(node) in inside else top.add)(found)
    return top, nested


def test_public_names() -> None:
    assert dedupe.__all__ == [
        "DEFAULT_THRESHOLD",
        "Comparison",
        "DedupeIndex",
        "DuplicateReport",
        "find_duplicates",
    ]
    for name in dedupe.__all__:
        value = getattr(dedupe, name)
        assert name.isupper() or value.__module__.startswith("crmkit._dedupe._")


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_a_docstring_and_its_names(module: str) -> None:
    loaded = importlib.import_module(f"crmkit._dedupe.{module}")
    assert loaded.__doc__ and loaded.__doc__.strip()
    assert loaded.__all__, module
    for name in loaded.__all__:
        assert hasattr(loaded, name), f"{module}.__all__ names {name!r}, which it lacks"


def test_imports_form_no_cycle_and_none_hide_in_functions() -> None:
    graph = {}
    for module in MODULES:
        top, nested = _imports(module)
        assert not nested, f"{module} imports {nested} inside a function"
        graph[module] = top
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message
        pytest.fail(f"import cycle in crmkit._dedupe: {exc.args[1]}")
    assert set(order) == set(MODULES)


def test_splink_is_loaded_only_when_asked_for() -> None:
    code = "import sys, crmkit._dedupe; print('splink' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
