"""One chunk of an import (``crmkit._importing._chunks``): mapped, normalised, validated,
pickled to and from worker processes, turned into Arrow."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pyarrow as pa

from crmkit._formats import read_table
from crmkit._importing._chunks import (
    Chunk,
    ChunkNormalizer,
    chunk_arrow,
    frame_and_lines,
    set_arrow_column,
)
from crmkit._importing._mapping import propose_mapping
from crmkit._normalize._columns import ColumnOptions
from crmkit.schemas._catalog import table


def frame(columns: dict[str, list[object]]) -> pd.DataFrame:
    """Cells as a reader gives them: object columns, ``None`` for empty cells."""
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def prepare(kind: str, cells: pd.DataFrame, required: tuple[str, ...] = ()) -> Chunk:
    normalizer = ChunkNormalizer(kind, ColumnOptions(region="FR"), "EUR", required)
    plan = propose_mapping(list(cells.columns), kind)
    return normalizer.prepare(cells, list(range(2, len(cells) + 2)), plan)


CONTACTS = frame(
    {
        "Prénom": ["hélène", "Jean"],
        "Nom": ["BLOU", None],
        "E-mail": ["Helene.Blou@APROOL.com", "pas un email"],
        "Téléphone": ["01 42 68 53 00", None],
        "Société": ["APROOL SAS", "Rexel"],
        "Hobby": ["voile", None],
    }
)


def test_prepare_normalises_maps_custom_and_keys() -> None:
    chunk = prepare("contacts", CONTACTS, required=("last_name",))
    cols = chunk.columns
    assert cols["email"][0] == "Helene.Blou@aprool.com"
    assert cols["phone"][0] == "+33142685300"
    assert cols["company"] == ["APROOL SAS", "Rexel"]
    assert cols["_company_key"] == ["aprool", "rexel"]  # linked to accounts by this key
    assert json.loads(cols["custom"][0]) == {"Hobby": "voile"}
    assert cols["custom"][1] is None
    # Changed values are listed with their line; the count is per field.
    assert (2, "email", "Helene.Blou@APROOL.com", "Helene.Blou@aprool.com") in chunk.changes
    assert chunk.change_counts == {"email": 1, "phone": 1}
    # Line 3: an email that is not one is stored with a warning; no last name is an error.
    assert [(w[0], w[1]) for w in chunk.warnings] == [(3, "email")]
    assert chunk.errors == [[], ["last_name: required, but empty"]]
    assert chunk.arrow is not None and "email" in chunk.arrow.column_names


def test_a_required_field_missing_from_the_file_is_named() -> None:
    cells = frame({"Nom": ["Blou"]})
    chunk = prepare("contacts", cells, required=("last_name", "email"))
    assert chunk.errors[0] == ["email: required, but the file has no such column"]


def test_a_chunk_survives_the_trip_to_a_worker_and_back() -> None:
    chunk = prepare("contacts", CONTACTS)
    back = pickle.loads(pickle.dumps(chunk))
    assert back.raw is None  # the raw cells stay with the process that read them
    assert back.lines == chunk.lines
    assert back.errors == chunk.errors
    assert back.changes == chunk.changes
    # Columns come back lazily from Arrow: fields and the keys computed for linking.
    assert set(back.columns) == set(chunk.columns)
    assert back.columns["email"] == chunk.columns["email"]
    assert back.columns.pop("company") == ["APROOL SAS", "Rexel"]
    assert "company" not in back.columns
    assert back.columns.get("company") is None
    assert back.columns["_company_key"] == chunk.columns["_company_key"]


def test_frame_and_lines_keeps_the_lines_of_a_reimported_file() -> None:
    rejected = frame({"__line__": [14, None], "__reasons__": ["x", "y"], "Nom": ["Blou", "Roy"]})
    cells, lines = frame_and_lines(read_table(rejected).read())
    assert lines == [14, 2]  # a row without a line keeps its position
    assert list(cells.columns) == ["Nom"]


def test_chunk_arrow_follows_linking_and_defaults() -> None:
    accounts = table("accounts")
    cells = frame({"Société": ["Acme", "Globex"], "Chiffre d'affaires": ["1 000", None]})
    chunk = prepare("accounts", cells)
    assert chunk.arrow is not None and "owner_id" not in chunk.arrow.column_names
    chunk.columns["owner_id"] = [7, None]  # what linking sets after validation
    data = chunk_arrow(accounts, chunk)
    assert data.column("owner_id").to_pylist() == [7, None]
    assert chunk.arrow is data
    chunk.columns["currency"] = ["EUR", None]  # what a default fills in
    set_arrow_column(accounts, chunk, "currency")
    assert chunk.arrow.column("currency").to_pylist() == ["EUR", None]
    assert chunk.arrow.schema.field("owner_id").type == pa.int64()
    assert chunk.arrow.column("name").to_pylist() == ["Acme", "Globex"]  # validation's columns
