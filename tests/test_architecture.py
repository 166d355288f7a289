"""The layers of DESIGN.md, kept true by walking every import of the package.

Each module belongs to a layer (its folder); a module may import modules of its own
layer and of the layers below it, never one above. The import graph has no cycle. Both
are read from the source with :mod:`ast` (imports inside functions included; those under
``if TYPE_CHECKING:`` are annotations only and may point anywhere but must not be used
at run time). See docs/architecture.md for the picture.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "crmkit"

# From the top down. A module may import its own layer and any layer after it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("entry points", ("crmkit", "crmkit.__main__", "crmkit.cli", "crmkit.widgets")),
    ("samples", ("crmkit.samples",)),
    ("facade", ("crmkit._api",)),
    ("importing", ("crmkit._importing",)),
    ("operations", ("crmkit._ops",)),
    ("duplicates engine", ("crmkit._dedupe",)),
    ("core", ("crmkit._core",)),
    ("formats", ("crmkit._formats",)),
    ("normalising", ("crmkit._normalize",)),
    ("schemas", ("crmkit.schemas",)),
    ("foundation: errors and utilities", ("crmkit._exceptions", "crmkit._util")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    """The index of the layer holding ``module`` (the longest matching prefix wins)."""
    best, depth = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > depth:
                best, depth = index, len(prefix)
    if best < 0:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")
    return best


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for sub in ast.walk(child):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def imports_of(path: Path) -> Iterator[tuple[str, int, bool]]:
    """``(imported crmkit module, line, run time?)`` for each import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree)
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from crmkit._x import _y` may name a submodule: count the deepest that exists.
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                names.append(candidate if _exists(candidate) else base)
        for name in names:
            if name == "crmkit" or name.startswith("crmkit."):
                yield name, node.lineno, node.lineno not in typing_only


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_layer() -> None:
    for path in _sources():
        layer_of(module_name(path))


def test_no_import_points_up() -> None:
    wrong: list[str] = []
    for path in _sources():
        here = module_name(path)
        mine = layer_of(here)
        for target, line, run_time in imports_of(path):
            theirs = layer_of(target)
            if theirs < mine and (run_time or LAYERS[theirs][0] != "facade"):
                wrong.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {here} ({LAYERS[mine][0]}) "
                    f"imports {target} ({LAYERS[theirs][0]})"
                )
    assert not wrong, "imports pointing up a layer:\n" + "\n".join(wrong)


def test_the_import_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in _sources():
        here = module_name(path)
        graph.setdefault(here, set())
        for target, _, run_time in imports_of(path):
            if run_time and target != here:
                graph[here].add(target)
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles[:10])


@pytest.mark.parametrize("layer", [name for name, _ in LAYERS])
def test_layers_are_listed_in_design_order(layer: str) -> None:
    # The order is the one of ../shared/DESIGN.md and docs/architecture.md.
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert layer in doc
