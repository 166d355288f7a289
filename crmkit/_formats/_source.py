"""Read CSV files, XLSX workbooks and DataFrames into chunks of raw cells: the entry points.

The file-reading layer of the import pipeline: a source goes in, DataFrames of untouched
cell values come out, each row tagged with the place it came from so that an error can
point at it. Nothing here maps headers to fields or parses values: that is the job of the
import pipeline and of :mod:`crmkit._normalize._values`.

:func:`detect_format` says how to read a file; :func:`read_table` looks at a source once
(format, encoding, delimiter, header) and returns a :class:`~crmkit._formats._table.TableSource`
whose :meth:`~crmkit._formats._table.TableSource.chunks` method then reads the rows in
bounded chunks. :func:`iter_csv` and :func:`iter_xlsx` do both steps in one call.

Where each kind of source is read, and what its chunks hold:

- CSV: :mod:`~crmkit._formats._csv_reader` (encoding in :mod:`~crmkit._formats._encoding`,
  delimiter and header in :mod:`~crmkit._formats._csv_layout`, quotes left open in
  :mod:`~crmkit._formats._csv_quotes`): text cells as found in the file, physical lines;
- XLSX: :mod:`~crmkit._formats._xlsx_reader` (safety checks in
  :mod:`~crmkit._formats._xlsx_limits`): typed cells, Excel row numbers;
- DataFrames: :mod:`~crmkit._formats._dataframe`: Python values, positions in the frame.

Rows whose cells are all empty (blank lines, empty Excel rows) are skipped. Rows with fewer
cells than the header are padded with ``None``; a row with *more* non-empty cells than the
header raises :class:`~crmkit.ImportFormatError` (``on_ragged="error"``) or keeps the
surplus in columns ``extra_1``, ``extra_2`` ... (``on_ragged="keep"``) that appear in the
chunks that need them, after the header columns.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crmkit._exceptions import ImportFormatError, UnknownValueError, ValidationError
from crmkit._formats._csv_reader import csv_source
from crmkit._formats._dataframe import frame_source
from crmkit._formats._magic import ZIP_MAGIC, text_head
from crmkit._formats._table import (
    DEFAULT_CHUNK_ROWS,
    Chunk,
    OnRagged,
    TableSource,
    check_positive,
)
from crmkit._formats._xlsx_reader import xlsx_source
from crmkit._util._frames import is_pandas, is_polars

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["FileFormat", "detect_format", "iter_csv", "iter_xlsx", "read_table"]

FileFormat = Literal["csv", "xlsx", "vcf"]
PathLike = str | os.PathLike[str]

_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"})
_VCF_EXTENSIONS = frozenset({".vcf", ".vcard"})


def _check_on_ragged(on_ragged: str) -> None:
    if on_ragged not in ("error", "keep"):
        raise UnknownValueError("on_ragged option", on_ragged, ["error", "keep"])


def detect_format(path: PathLike) -> FileFormat:
    """Say how to read a file: ``"csv"``, ``"xlsx"`` or ``"vcf"``.

    The content wins over the name when it is clear: a ZIP archive holding a workbook is
    ``"xlsx"`` and text starting with ``BEGIN:VCARD`` is ``"vcf"``, whatever they are
    called. Otherwise the extension decides (``.xlsx .xlsm .xls`` → ``"xlsx"``, ``.vcf``
    → ``"vcf"``) and anything else is treated as CSV (``.csv .tsv .txt`` ...), which the
    CSV reader rejects with a clear message when it is binary.

    Raises
    ------
    FileNotFoundError
        The file does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "cards.txt").write_text("BEGIN:VCARD\\r\\nVERSION:3.0\\r\\nEND:VCARD\\r\\n")
    >>> _ = (folder / "contacts.txt").write_text("Nom;Ville\\nBlou;Paris\\n")
    >>> detect_format(folder / "cards.txt"), detect_format(folder / "contacts.txt")
    ('vcf', 'csv')
    """
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(4096)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC) and _zip_has_workbook(path):
        return "xlsx"
    if text_head(head).lstrip().upper().startswith("BEGIN:VCARD"):
        return "vcf"
    if suffix in _XLSX_EXTENSIONS:
        return "xlsx"
    if suffix in _VCF_EXTENSIONS:
        return "vcf"
    return "csv"


def _zip_has_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        # A cut workbook: let the XLSX reader say it is damaged.
        return path.suffix.lower() in _XLSX_EXTENSIONS


def read_table(
    source: PathLike | pd.DataFrame | pl.DataFrame | pl.LazyFrame,
    *,
    format: Literal["csv", "xlsx"] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int = 0,
    header_row: int | None = None,
    skip_rows: int = 0,
    on_ragged: OnRagged = "error",
) -> TableSource:
    """Look at a CSV file, a workbook sheet or a DataFrame, ready to read its rows.

    Parameters
    ----------
    source
        A path, or a pandas / polars DataFrame or polars LazyFrame.
    format
        ``"csv"`` or ``"xlsx"``; by default :func:`detect_format` decides.
    encoding
        CSV only: force an encoding (any Python codec name) instead of detecting it.
    delimiter
        CSV only: force the delimiter instead of sniffing it.
    sheet
        XLSX only: sheet name or 0-based index (the first worksheet by default).
    header_row
        1-based line (CSV) or Excel row of the header, instead of finding it; ``0`` when
        there is no header (columns are then named ``column_1``, ``column_2`` ...).
    skip_rows
        Lines (CSV) or rows (XLSX) to ignore at the top before looking for the header
        (ignored when ``header_row`` is given).
    on_ragged
        What to do with a row that has more non-empty cells than the header: ``"error"``
        raises, ``"keep"`` puts them in columns ``extra_1``, ``extra_2`` ...

    Returns
    -------
    TableSource
        Column names, encoding, delimiter, header line ... and a :meth:`~TableSource.chunks`
        method to read the rows.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ImportFormatError
        The file is empty, binary, not a workbook, damaged, wrongly encoded for the
        encoding forced, or has no sheet of that name; a vCard file (read those with
        :func:`crmkit.read_vcf`).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
    >>> text = ("Export du 12/03/2024\\n\\nNom;Prénom;Notes\\n"
    ...         "Blou;Hélène;\\"2 lignes\\nici\\"\\nRoy;Léa;\\n")
    >>> _ = path.write_bytes(text.encode("cp1252"))
    >>> src = read_table(path)
    >>> src.encoding, src.delimiter, src.header_line, src.columns
    ('cp1252', ';', 3, ('Nom', 'Prénom', 'Notes'))
    >>> chunk = src.read()
    >>> chunk.frame.values.tolist()
    [['Blou', 'Hélène', '2 lignes\\nici'], ['Roy', 'Léa', None]]
    >>> chunk.lines.tolist()
    [4, 6]
    """
    _check_on_ragged(on_ragged)
    check_positive("skip_rows", skip_rows, minimum=0)
    if header_row is not None:
        check_positive("header_row", header_row, minimum=0)
    if is_pandas(source) or is_polars(source):
        return frame_source(source)
    if not isinstance(source, (str, os.PathLike)):
        raise ValidationError(
            f"read_table takes a path or a DataFrame, got {type(source).__name__}"
        )
    path = Path(source)
    if path.is_dir():
        raise ImportFormatError("this is a folder, not a file", path=str(path))
    if format is None:
        found = detect_format(path)
        if found == "vcf":
            raise ImportFormatError(
                "this is a vCard file; read it with crmkit.read_vcf", path=str(path)
            )
        format = found
    if format == "csv":
        return csv_source(
            path,
            encoding=encoding,
            delimiter=delimiter,
            header_row=header_row,
            skip_rows=skip_rows,
            on_ragged=on_ragged,
        )
    if format == "xlsx":
        return xlsx_source(
            path, sheet=sheet, header_row=header_row, skip_rows=skip_rows, on_ragged=on_ragged
        )
    raise UnknownValueError("file format", format, ["csv", "xlsx"])


def iter_csv(
    path: PathLike,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    skip_rows: int = 0,
    on_ragged: OnRagged = "error",
    progress: bool | None = None,
) -> Iterator[Chunk]:
    """Read a CSV file in chunks: ``read_table(path, format="csv", ...).chunks(...)``.

    The file is examined (encoding, delimiter, header) when this is called, so a file that
    cannot be read fails here, before any chunk; see :func:`read_table` for the options.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
    >>> _ = path.write_text("Nom,Ville\\nBlou,Paris\\nRoy,\\nDurand,Lyon\\n", encoding="utf-8")
    >>> for chunk in iter_csv(path, chunk_rows=2):
    ...     print(chunk.start_row, chunk.lines.tolist(), chunk.frame["Ville"].tolist())
    0 [2, 3] ['Paris', None]
    2 [4] ['Lyon']
    """
    source = read_table(
        path,
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        skip_rows=skip_rows,
        on_ragged=on_ragged,
    )
    return source.chunks(chunk_rows, progress=progress)


def iter_xlsx(
    path: PathLike,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    *,
    sheet: str | int = 0,
    header_row: int | None = None,
    skip_rows: int = 0,
    on_ragged: OnRagged = "error",
    progress: bool | None = None,
) -> Iterator[Chunk]:
    """Read a workbook sheet in chunks: ``read_table(path, format="xlsx", ...).chunks(...)``.

    Examples
    --------
    >>> import pathlib, tempfile, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "accounts.xlsx"
    >>> book = openpyxl.Workbook()
    >>> book.active.append(["Société", "CA"])
    >>> book.active.append(["APROOL", 4_200_000])
    >>> book.save(path)
    >>> [chunk.frame.to_dict("records") for chunk in iter_xlsx(path)]
    [[{'Société': 'APROOL', 'CA': 4200000}]]
    """
    source = read_table(
        path,
        format="xlsx",
        sheet=sheet,
        header_row=header_row,
        skip_rows=skip_rows,
        on_ragged=on_ragged,
    )
    return source.chunks(chunk_rows, progress=progress)
