"""Write a table to a Parquet file: Arrow types kept, every character kept.

Lists stay lists, dates stay dates, JSON stays text, binary columns (the contact
``photo``) stay binary; only the column names become the header labels.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

__all__ = ["write_parquet"]


def write_parquet(table: pa.Table, headers: list[str], tmp: Path) -> None:
    import pyarrow.parquet as pq

    # pandas metadata would describe the columns before renaming: drop it.
    renamed = table.rename_columns(headers).replace_schema_metadata(None)
    pq.write_table(renamed, tmp)
