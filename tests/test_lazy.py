"""Lazy public names read from a package's stub (crmkit._util._lazy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import crmkit
from crmkit._util._lazy import lazy_names, stub_names


def test_stub_names_reads_every_import_form(tmp_path: Path) -> None:
    stub = tmp_path / "__init__.pyi"
    stub.write_text(
        "from json import (\n    dumps as dumps,\n    loads as loads,\n)\n"
        "from os.path import join as join\n"
        "import sys\n"
        "__all__ = ['dumps']\n",
        encoding="utf-8",
    )
    assert stub_names(str(stub)) == {"dumps": "json", "loads": "json", "join": "os.path"}


def test_lazy_names_loads_a_name_on_first_use_and_caches_it(tmp_path: Path) -> None:
    (tmp_path / "__init__.pyi").write_text("from json import dumps as dumps\n")
    package: dict[str, object] = {"__name__": "fake"}
    names, load = lazy_names(str(tmp_path / "__init__.py"), package)
    assert names == {"dumps": "json"}
    import json

    assert load("dumps") is json.dumps and package["dumps"] is json.dumps
    with pytest.raises(AttributeError, match="module 'fake' has no attribute 'loads'"):
        load("loads")


def test_crmkit_names_load_on_demand() -> None:
    code = (
        "import sys, crmkit\n"
        "print('crmkit._api._crm' in sys.modules)\n"
        "crmkit.open\n"
        "print('crmkit._api._crm' in sys.modules, 'open' in vars(crmkit))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "True"]  # loaded, then cached
    assert "open" in dir(crmkit) and crmkit.open is vars(crmkit)["open"]
