"""Write records to a Parquet file: Arrow types kept, every character kept.

Lists stay lists, dates stay dates, JSON stays text, binary columns (the contact
``photo``) stay binary; only the column names become the header labels. The records are
written a chunk at a time (a row group each), so memory does not grow with the number of
rows.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from crmkit._formats._arrow_input import ArrowChunks, as_chunks

__all__ = ["write_parquet"]


def write_parquet(data: ArrowChunks | pa.Table, headers: list[str], tmp: Path) -> int:
    """Write the Parquet file; return the number of rows written."""
    import pyarrow.parquet as pq

    data = as_chunks(data)
    # pandas metadata would describe the columns before renaming: drop it.
    schema = pa.schema(
        [data.schema.field(i).with_name(h) for i, h in enumerate(headers)]
    ).remove_metadata()
    rows = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        for chunk in data.chunks:
            rows += chunk.num_rows
            writer.write_table(pa.Table.from_arrays(chunk.columns, schema=schema))
    return rows
