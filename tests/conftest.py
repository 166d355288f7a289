"""Shared fixtures: a fresh CRM, a DataFrame backend parametrized over pandas and polars, and
the sample contacts of the export tests in each backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis_profiles  # noqa: F401 - registers and loads the hypothesis profile
import pandas as pd
import polars as pl
import pytest
from export_samples import contacts_in

import crmkit as ck

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = SHARED / "fixtures"


@pytest.fixture
def crm() -> Iterator[ck.CRM]:
    """An in-memory CRM whose user is Nicole Bertrand."""
    with ck.open(user="Nicole Bertrand") as db:
        yield db


@pytest.fixture
def crm_file(tmp_path: Path) -> Iterator[ck.CRM]:
    """A CRM in a real DuckDB file."""
    with ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand") as db:
        yield db


@pytest.fixture(params=["pandas", "polars"])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once with pandas and once with polars."""
    return str(request.param)


@pytest.fixture
def make_frame(backend: str) -> Callable[[dict[str, list[Any]]], Any]:
    """Build a DataFrame of the parametrized backend from a dict of columns."""

    def make(columns: dict[str, list[Any]]) -> Any:
        if backend == "pandas":
            return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
        return pl.DataFrame(columns, strict=False)

    return make


@pytest.fixture(params=["pyarrow", "pandas", "polars"])
def frame_backend(request: pytest.FixtureRequest) -> str:
    """Run the test with a pyarrow Table, a pandas DataFrame and a polars DataFrame."""
    return str(request.param)


@pytest.fixture
def contacts(frame_backend: str) -> Any:
    """Three sample contacts (French, Chinese, gaps) in the parametrized backend."""
    return contacts_in(frame_backend)
