"""Write a table to a CSV file: UTF-8 (with a BOM for Excel), CRLF, neutralised formulas.

Cells are rendered by :func:`~crmkit._formats._cell_text.csv_converter`, without their
control characters; the header row is neutralised too.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from crmkit._formats._arrow_input import batches, column_kinds
from crmkit._formats._cell_text import csv_converter
from crmkit._formats._controls import Cleaner
from crmkit._formats._formula import neutralize_formula

__all__ = ["write_csv"]


def write_csv(
    table: pa.Table,
    headers: list[str],
    tmp: Path,
    *,
    delimiter: str,
    bom: bool,
    bool_words: tuple[str, str],
    decimal: str,
) -> list[int]:
    """Write the CSV file; return the number of values cleaned in each column."""
    cleaners = [Cleaner() for _ in headers]
    converters = [
        csv_converter(k, bool_words, decimal, c)
        for k, c in zip(column_kinds(table), cleaners, strict=True)
    ]
    encoding = "utf-8-sig" if bom else "utf-8"
    with tmp.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(
            out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )
        writer.writerow([neutralize_formula(h) if h else h for h in headers])
        for batch in batches(table):
            cells = [convert(values) for convert, values in zip(converters, batch, strict=True)]
            writer.writerows(zip(*cells, strict=True))
    return [c.changed for c in cleaners]
