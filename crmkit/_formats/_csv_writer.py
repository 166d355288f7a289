"""Write records to a CSV file: UTF-8 (with a BOM for Excel), CRLF, neutralised formulas.

Cells are rendered by :func:`~crmkit._formats._cell_text.csv_converter`, without their
control characters; the header row is neutralised too. The records are read a chunk at a
time (:class:`~crmkit._formats._arrow_input.ArrowChunks`), so memory does not grow with
the number of rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from crmkit._formats._arrow_input import ArrowChunks, as_chunks, batches, column_kinds
from crmkit._formats._cell_text import csv_converter
from crmkit._formats._controls import Cleaner
from crmkit._formats._formula import neutralize_formula

__all__ = ["write_csv"]


def write_csv(
    data: ArrowChunks | pa.Table,
    headers: list[str],
    tmp: Path,
    *,
    delimiter: str,
    bom: bool,
    bool_words: tuple[str, str],
    decimal: str,
) -> tuple[int, list[int]]:
    """Write the CSV file; return the rows written and the values cleaned in each column."""
    data = as_chunks(data)
    cleaners = [Cleaner() for _ in headers]
    converters = [
        csv_converter(k, bool_words, decimal, c)
        for k, c in zip(column_kinds(data.schema), cleaners, strict=True)
    ]
    encoding = "utf-8-sig" if bom else "utf-8"
    rows = 0
    with tmp.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(
            out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )
        writer.writerow([neutralize_formula(h) if h else h for h in headers])
        for chunk in data.chunks:
            rows += chunk.num_rows
            for batch in batches(chunk):
                cells = [convert(values) for convert, values in zip(converters, batch, strict=True)]
                writer.writerows(zip(*cells, strict=True))
    return rows, [c.changed for c in cleaners]
