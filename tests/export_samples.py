"""Shared by the tests of the exports (crmkit._formats): three sample contacts as the
contacts_v view returns them, in each DataFrame backend, and CSV files read back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

__all__ = [
    "PHOTO",
    "SCHEMA",
    "build",
    "contact_columns",
    "contacts_in",
    "leftovers",
    "read_csv_rows",
]

PHOTO = b"\x89PNG\r\n\x1a\n\x00\x00fake"


def contact_columns() -> dict[str, list[Any]]:
    """Three contacts as the contacts_v view returns them (French, Chinese, gaps)."""
    return {
        "id": [1, 2, 3],
        "first_name": ["Hélène", "伟", None],
        "last_name": ["Blou", "王", "Durand"],
        "mobile": ["+33625341257", "+86 138 0013 8000", None],
        "email": ["helene.blou@aprool.com", None, "marc@durand.fr"],
        "birthday": [dt.date(1985, 3, 5), None, dt.date(1990, 12, 31)],
        "active": [True, False, None],
        "tags": [["vip", "salon 2024"], [], None],
        "account_annual_revenue": [4_200_000.0, 12.5, None],
        "account_employees": [85, None, 3],
        "created_at": [
            dt.datetime(2024, 3, 5, 14, 30, 0, 123456),
            dt.datetime(2024, 1, 1, 8, 0, 0),
            None,
        ],
        "custom": ['{"score": 3}', None, '{"note": "été"}'],
        "notes": ["Rencontrée au salon; très intéressée", "负责华东区", None],
        "company": ["APROOL", "华为", None],
        "owner": ["Nicole Bertrand", "Marc Durand", None],
        "photo": [PHOTO, None, None],
    }


SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("first_name", pa.string()),
        ("last_name", pa.string()),
        ("mobile", pa.string()),
        ("email", pa.string()),
        ("birthday", pa.date32()),
        ("active", pa.bool_()),
        ("tags", pa.list_(pa.string())),
        ("account_annual_revenue", pa.float64()),
        ("account_employees", pa.int64()),
        ("created_at", pa.timestamp("us")),
        ("custom", pa.string()),
        ("notes", pa.string()),
        ("company", pa.string()),
        ("owner", pa.string()),
        ("photo", pa.binary()),
    ]
)


def build(backend: str, columns: dict[str, list[Any]]) -> Any:
    """A pyarrow Table, pandas or polars DataFrame holding ``columns``."""
    if backend == "pyarrow":
        return pa.table(columns)
    if backend == "pandas":
        return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    return pl.DataFrame(columns, strict=False)


def read_csv_rows(path: Path, *, delimiter: str = ",", encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".crmkit-"))


def contacts_in(backend: str) -> Any:
    """The three sample contacts as a pyarrow Table, a pandas or a polars DataFrame."""
    if backend == "pyarrow":
        return pa.table(contact_columns(), schema=SCHEMA)
    return build(backend, contact_columns())
