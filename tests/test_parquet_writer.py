"""Writing Parquet files (crmkit._formats._parquet_writer): Arrow types and every character
kept, header labels as column names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from export_samples import PHOTO, contact_columns

from crmkit._formats import (
    export_table,
)
from crmkit._formats._parquet_writer import write_parquet


def test_parquet_round_trip(contacts: Any, tmp_path: Path, frame_backend: str) -> None:
    out = tmp_path / "contacts.parquet"
    result = export_table(contacts, out, kind="contacts")
    assert result.columns == tuple(contact_columns())  # photo kept

    back = pq.read_table(out)
    schema = back.schema
    assert back.column_names == list(contact_columns())
    assert pa.types.is_date32(schema.field("birthday").type)
    assert pa.types.is_timestamp(schema.field("created_at").type)
    tags_type = schema.field("tags").type
    assert pa.types.is_list(tags_type) or pa.types.is_large_list(tags_type)
    photo_type = schema.field("photo").type
    assert pa.types.is_binary(photo_type) or pa.types.is_large_binary(photo_type)
    custom_type = schema.field("custom").type
    assert pa.types.is_string(custom_type) or pa.types.is_large_string(custom_type)
    assert back.column("tags").to_pylist() == [["vip", "salon 2024"], [], None]
    assert back.column("photo").to_pylist() == [PHOTO, None, None]
    assert back.column("birthday").to_pylist()[0] == dt.date(1985, 3, 5)
    assert back.column("account_employees").to_pylist() == [85, None, 3]
    assert back.column("active").to_pylist() == [True, False, None]
    assert back.schema.metadata is None or b"pandas" not in back.schema.metadata


def test_parquet_headers_in_chinese(contacts: Any, tmp_path: Path) -> None:
    out = tmp_path / "c.pq"
    export_table(contacts, out, kind="contacts", lang="zh", columns=["last_name", "company"])
    back = pq.read_table(out)
    assert back.column_names == ["姓", "公司"]
    assert back.column("公司").to_pylist() == ["APROOL", "华为", None]


# -- the module's own functions ----------------------------------------------------------


def test_write_parquet_renames_the_columns_and_drops_pandas_metadata(tmp_path: Path) -> None:
    table = pa.Table.from_pandas(pd.DataFrame({"last_name": ["Bl\x00ou"], "n": [3]}))
    assert b"pandas" in table.schema.metadata
    out = tmp_path / "p.parquet"
    write_parquet(table, ["Nom", "N"], out)
    back = pq.read_table(out)
    assert back.column_names == ["Nom", "N"]
    assert back.to_pylist() == [{"Nom": "Bl\x00ou", "N": 3}]  # every character kept
    assert back.schema.metadata is None or b"pandas" not in back.schema.metadata
