"""The public API: what crmkit exports, listed once in the stub, documented and light to import.

(The error family: tests/test_exceptions.py.)"""

from __future__ import annotations

import inspect
import types

import crmkit as ck


def test_public_names_are_listed_once_in_the_stub() -> None:
    # As httpx's tests/test_exported_members.py: __all__ complete, sorted, and the same as
    # the stub's imports and its own __all__ (the one list every other place derives from).
    import ast
    from pathlib import Path

    stub = ast.parse((Path(ck.__file__).parent / "__init__.pyi").read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name
        for node in stub.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    declared = next(
        ast.literal_eval(node.value)
        for node in stub.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
    )
    assert len(declared) == len(set(declared))  # sorted by ruff (RUF022), each name once
    assert set(declared) == imported | {"__version__"}
    assert sorted(ck.__all__) == sorted(declared)
    for node in stub.body:  # every name really comes from the module the stub says
        if isinstance(node, ast.ImportFrom):
            module = __import__(node.module or "", fromlist=["_"])
            for alias in node.names:
                assert getattr(ck, alias.asname or alias.name) is getattr(module, alias.name)


def test_all_is_complete_and_exists() -> None:
    assert set(ck.__all__) == {*ck._LAZY, "__version__"}
    assert len(ck.__all__) == len(set(ck.__all__))
    for name in ck.__all__:
        assert getattr(ck, name) is not None
    public = {
        name
        for name in dir(ck)
        if not name.startswith("_") and not isinstance(getattr(ck, name), types.ModuleType)
    }
    assert public == set(ck.__all__) - {"__version__"}
    assert ck.widgets.ContactForm is not None  # loaded on first use


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, crmkit; print(sorted(m for m in ('duckdb', 'pandas', 'pandera') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_every_public_name_is_documented() -> None:
    for name in ck.__all__:
        value = getattr(ck, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name} has no docstring"
