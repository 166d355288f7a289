"""What exports take in (crmkit._formats._arrow_input): Arrow tables, pandas and polars
DataFrames, records, readers; their types; batches.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from export_samples import read_csv_rows

from crmkit._exceptions import UnknownValueError
from crmkit._formats import (
    _arrow_input,
    export_table,
)
from crmkit._formats._arrow_input import as_arrow, batches, column_kinds, select_columns


def test_other_inputs(tmp_path: Path) -> None:
    records = [{"last_name": "Blou", "employees": 3}, {"last_name": "王", "employees": None}]
    out = tmp_path / "c.csv"
    export_table(records, out, kind="contacts")
    assert read_csv_rows(out) == [["last_name", "employees"], ["Blou", "3"], ["王", ""]]

    lazy = pl.DataFrame(records).lazy()
    assert export_table(lazy, out, kind="contacts").rows == 2
    reader = pa.table({"a": [1, 2]}).to_reader()
    assert export_table(reader, out, kind="contacts").rows == 2
    with pytest.raises(TypeError, match="not str"):
        export_table("contacts", out, kind="contacts")


def test_pandas_mixed_and_missing_values(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "postal_code": pd.Series(["75001", 69002, None], dtype=object),
            "employees": [85.0, float("nan"), 3.0],  # an int column with gaps, as pandas has it
            "seen": pd.to_datetime(
                pd.Series(["2024-03-05 14:30:00.5", None, "2024-01-01"]), format="ISO8601"
            ),
        }
    )
    out = tmp_path / "c.csv"
    export_table(frame, out, kind="contacts")
    assert read_csv_rows(out)[1:] == [
        ["75001", "85", "2024-03-05 14:30:00"],
        ["69002", "", ""],
        ["", "3", "2024-01-01 00:00:00"],
    ]


def test_polars_nan_is_empty(tmp_path: Path) -> None:
    frame = pl.DataFrame({"ratio": [float("nan"), 2.0]})
    out = tmp_path / "c.xlsx"
    export_table(frame, out, kind="contacts")
    sheet = openpyxl.load_workbook(out).active
    assert [sheet["A2"].value, sheet["A3"].value] == [None, 2]
    export_table(frame, tmp_path / "c.csv", kind="contacts")
    assert read_csv_rows(tmp_path / "c.csv")[1:] == [[""], ["2"]]


def test_duckdb_view_columns(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    table = con.sql(
        """
        SELECT 'Blou' AS last_name, '{"score": 3}'::JSON AS custom,
               ['vip', 'salon']::VARCHAR[] AS tags, DATE '1985-03-05' AS birthday,
               TIMESTAMP '2024-03-05 14:30:00.25' AS created_at, 'x'::BLOB AS photo,
               '1M-10M' AS revenue_band
        """
    ).to_arrow_table()
    con.close()
    result = export_table(table, tmp_path / "c.csv", kind="contacts", lang="en")
    assert read_csv_rows(result.path) == [
        ["Last name", "Custom fields", "Tags", "Birthday", "Created at", "Revenue band"],
        ["Blou", '{"score": 3}', "vip; salon", "1985-03-05", "2024-03-05 14:30:00", "1M-10M"],
    ]


def test_arrow_extension_types(tmp_path: Path) -> None:
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    table = pa.table(
        {
            "custom": pa.array(['{"score": 3}', None], pa.json_()),
            "uid": pa.array([uid.bytes, None], pa.uuid()),
            "sector": pa.array(["Software", "Software"]).dictionary_encode(),
        }
    )
    out = tmp_path / "c.csv"
    export_table(table, out, kind="contacts")
    assert read_csv_rows(out)[1:] == [
        ['{"score": 3}', str(uid), "Software"],
        ["", "", "Software"],
    ]
    export_table(table, tmp_path / "c.xlsx", kind="contacts")
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx").active
    assert [c.value for c in sheet[2]] == ['{"score": 3}', str(uid), "Software"]


def test_many_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_arrow_input, "BATCH_ROWS", 7)
    table = pa.table({"id": list(range(50)), "last_name": [f"n{i}" for i in range(50)]})
    export_table(table, tmp_path / "m.csv", kind="contacts")
    export_table(table, tmp_path / "m.xlsx", kind="contacts")
    assert [r[0] for r in read_csv_rows(tmp_path / "m.csv")[1:]] == [str(i) for i in range(50)]
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx").active
    assert [c.value for c in sheet["A"][1:]] == list(range(50))
    assert sheet.auto_filter.ref == "A1:B51"


# -- the module's own functions ----------------------------------------------------------


def test_as_arrow_takes_every_kind_of_table() -> None:
    table = pa.table({"a": [1, 2]})
    assert as_arrow(table) is table
    assert as_arrow(table.to_batches()[0]).equals(table)
    assert as_arrow(table.to_reader()).equals(table)
    assert as_arrow(pl.DataFrame({"a": [1, 2]}).lazy()).column("a").to_pylist() == [1, 2]
    assert as_arrow([{"a": 1}, {"a": 2}]).equals(table)
    mixed = as_arrow(pd.DataFrame({"x": pd.Series(["a", 1, {"k": "é"}, None], dtype=object)}))
    assert mixed.column("x").to_pylist() == ["a", "1", '{"k": "é"}', None]
    with pytest.raises(TypeError, match="not int"):
        as_arrow(3)


def test_column_kinds() -> None:
    table = pa.table(
        {
            "t": ["a"],
            "b": [True],
            "i": [1],
            "f": [1.5],
            "d": [dt.date(2024, 1, 1)],
            "ts": pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("ns")),
            "l": [["x"]],
            "bin": [b"x"],
            "s": [{"k": 1}],
            "n": pa.array([None], pa.null()),
            "cat": pa.array(["x"]).dictionary_encode(),
        }
    )
    assert column_kinds(table) == [
        "text",
        "bool",
        "int",
        "float",
        "date",
        "timestamp",
        "list",
        "binary",
        "json",
        "null",
        "text",
    ]


def test_select_columns_leaves_binary_out_of_text_formats() -> None:
    table = pa.table({"a": [1], "photo": [b"x"], "b": ["y"]})
    assert select_columns(table, None, "csv").column_names == ["a", "b"]
    assert select_columns(table, None, "parquet").column_names == ["a", "photo", "b"]
    assert select_columns(table, ["b", "photo"], "xlsx").column_names == ["b", "photo"]
    assert select_columns(table, "a", "csv").column_names == ["a"]  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError) as caught:
        select_columns(table, ["phot"], "csv")
    assert caught.value.suggestion == "photo"


def test_batches_give_python_values_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_arrow_input, "BATCH_ROWS", 2)
    table = pa.table({"n": [1, 2, 3], "ts": pa.array([0, None, 1_000], pa.timestamp("ns"))})
    assert list(batches(table)) == [
        [[1, 2], [dt.datetime(1970, 1, 1), None]],
        [[3], [dt.datetime(1970, 1, 1, 0, 0, 0, 1)]],
    ]
