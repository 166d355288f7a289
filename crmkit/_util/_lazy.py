"""Lazy public names read from a package's ``__init__.pyi`` stub.

A package lists its public names once, as ``from module import Name as Name`` lines in its
stub (what type checkers and IDEs read). Its ``__init__.py`` calls :func:`lazy_names` on
that stub and loads each name on first use, so importing the package stays light until a
name is needed (the command line's ``--help``, the import workers, one reader of a layer).
"""

import importlib
import os
import re
from collections.abc import Callable

# `from crmkit._x._y import (A as A, B as B)`: the module, then the names it gives.
_STUB_IMPORT = re.compile(r"^from ([\w.]+) import (?:\(([^)]*)\)|(.*)$)", re.M)


def stub_names(stub_path: str) -> dict[str, str]:
    """``{name: module}`` from the ``from ... import`` lines of a stub file."""
    with open(stub_path, encoding="utf-8") as handle:
        stub = handle.read()
    names: dict[str, str] = {}
    for module, grouped, single in _STUB_IMPORT.findall(stub):
        for item in (grouped or single).split(","):
            if item.strip():
                names[item.split(" as ")[-1].strip()] = module
    return names


def lazy_names(
    package_file: str, package_globals: dict[str, object]
) -> tuple[dict[str, str], Callable[[str], object]]:
    """The names listed in the stub next to ``package_file`` and a module ``__getattr__``.

    The ``__getattr__`` imports a name's module on first use and caches the name in the
    package's globals, so later lookups are plain attribute reads.
    """
    names = stub_names(os.path.join(os.path.dirname(package_file), "__init__.pyi"))
    package = package_globals["__name__"]

    def load(name: str) -> object:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name]), name)
        package_globals[name] = value
        return value

    return names, load
