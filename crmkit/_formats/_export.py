"""Write a table of accounts or contacts to CSV, XLSX or Parquet, safely.

:func:`export_table` is the I/O behind ``Selection.export(path)``: it takes a pyarrow
Table (or a pandas / polars DataFrame, or a list of dicts) whose columns are catalog field
names plus the derived columns of the ``contacts_v`` / ``accounts_v`` views, and writes it
to one file. It never touches the database.

What every export guarantees:

- **Atomic**: the file is written next to its destination under a hidden temporary name
  (``.crmkit-*``) and renamed over the destination at the very end, so a failed export
  never leaves half a file and never damages the file it would have replaced.
- **No formula runs**: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return could be run by a spreadsheet as a formula ("CSV injection"). In CSV
  such a cell gets a leading ``'`` (the OWASP advice), and so does a cell that already
  starts with ``'`` before one of ``= + - @``, so that crmkit's importer, which drops one
  such ``'``, gives back the value exported. In XLSX every text value is stored as a
  typed string cell, which Excel never evaluates, and is kept unchanged, but for that
  second case, which gets its ``'`` there too. See
  :func:`~crmkit._formats._formula.neutralize_formula` for the rule and for the numbers
  (phone numbers, ``-12.5``) left alone.
- **No control character**: CSV and XLSX cells are written without the control
  characters a terminal would act on or a reader refuse (see
  :func:`~crmkit._formats._controls.strip_controls`); :attr:`ExportResult.changed` counts
  the values this changed and :attr:`ExportResult.warnings` names their columns. Parquet
  keeps every character.
- **Headers** are field names, or labels in English, French or Chinese (``lang=``, by
  default the language chosen with ``ck.set_config``; ``lang="names"`` for field names) taken
  from the field catalog and, for derived columns, from
  :data:`~crmkit.schemas._labels.DERIVED_LABELS`. Labels that would repeat are made unique.
- **Columns** can be chosen and ordered (``columns=``); an unknown one is an
  :class:`~crmkit.UnknownValueError` that lists the valid names. Binary columns (the
  contact ``photo``) are left out of CSV and XLSX unless asked for by name, then written
  as base64 text; Parquet keeps them as they are.

How values are written:

======================  ===============================  =================================
value                   CSV                              XLSX
======================  ===============================  =================================
text, JSON (custom)     as is (neutralised, see above)   string cell, never a formula
int, float              ``42``, ``12.5`` (``12,5`` with  number cell (an int of 16 digits
                        ``decimal=","``); NaN: empty     or more is text: Excel keeps 15)
bool                    ``true``/``false``; ``oui``/     boolean cell
                        ``non`` (fr), ``是``/``否`` (zh)
date                    ``2024-03-05``                   date cell, ``yyyy-mm-dd``
timestamp               ``2024-03-05 14:30:00``          date-time cell, wall-clock time
list (tags, skills)     items joined by ``"; "``         the same text
binary (photo)          base64                           base64
missing                 empty                            empty cell
======================  ===============================  =================================

Timestamps in CSV have no fractions of a second (see :mod:`~crmkit._formats._cell_text`);
text too long for an Excel cell stops an XLSX export with an :class:`~crmkit.ExportError`,
and more rows than a sheet holds go on in further sheets (``Contacts``, ``Contacts (2)``
...; see :mod:`~crmkit._formats._xlsx_writer`). Parquet keeps the Arrow types: lists stay
lists, dates stay dates, JSON stays text.

**Streaming**: every format is written a chunk of
:data:`~crmkit._formats._arrow_input.BATCH_ROWS` rows at a time. Given a
``pyarrow.RecordBatchReader`` (``Selection.export`` passes DuckDB's), the records are read
as they are written, so memory stays bounded by a chunk whatever the number of rows; the
output is the same as from the whole table.

Where each part lives: the input read as Arrow in :mod:`~crmkit._formats._arrow_input`,
the header row in :mod:`~crmkit._formats._headers`, formula neutralisation in
:mod:`~crmkit._formats._formula`, control characters in :mod:`~crmkit._formats._controls`,
cell text in :mod:`~crmkit._formats._cell_text`, the writers in
:mod:`~crmkit._formats._csv_writer`, :mod:`~crmkit._formats._xlsx_writer` and
:mod:`~crmkit._formats._parquet_writer`, the atomic file in :mod:`~crmkit._formats._atomic`
and the result in :mod:`~crmkit._formats._result`. This module checks the arguments and
puts them together.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._formats._arrow_input import as_chunks, select_columns
from crmkit._formats._atomic import atomic_write
from crmkit._formats._cell_text import BOOL_WORDS
from crmkit._formats._controls import (
    CONTROL_CHARS,
    XLSX_CONTROL_CHARS,
    cleaning_warning,
    strip_text,
)
from crmkit._formats._csv_writer import write_csv
from crmkit._formats._headers import HeaderLang, export_lang, header_labels, unique_labels
from crmkit._formats._parquet_writer import write_parquet
from crmkit._formats._result import ExportFormat, ExportResult
from crmkit._formats._xlsx_writer import check_fits, sheet_title, write_xlsx
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table as catalog_table

__all__ = ["export_table"]

FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet")

_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def _check_kind(kind: str) -> str:
    return catalog_table(kind).name


def _resolve_format(target: Path, format: str | None) -> ExportFormat:
    if format is not None:
        name = format.lower().lstrip(".")
        if name not in FORMATS:
            raise UnknownValueError("export format", format, FORMATS, closest(name, FORMATS))
        return name  # type: ignore[return-value]
    suffix = target.suffix.lower()
    if suffix not in _EXTENSIONS:
        shown = suffix or target.name
        raise UnknownValueError(
            "export file extension",
            shown,
            [*FORMATS, *_EXTENSIONS],
            closest(suffix.lstrip("."), FORMATS) if suffix else None,
        )
    return _EXTENSIONS[suffix]  # type: ignore[return-value]


def _check_delimiter(delimiter: str) -> str:
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise UnknownValueError("CSV delimiter", delimiter, [",", ";", "\t", "|"])
    return delimiter


def export_table(
    data: Any,
    path: str | os.PathLike[str],
    *,
    kind: str,
    format: ExportFormat | str | None = None,
    columns: Sequence[str] | None = None,
    lang: HeaderLang | str | None = None,
    excel: bool = False,
    delimiter: str | None = None,
    bom: bool | None = None,
    decimal: str | None = None,
    sheet_name: str | None = None,
) -> ExportResult:
    """Write records to a CSV, XLSX or Parquet file, atomically.

    Parameters
    ----------
    data
        A pyarrow Table (or RecordBatch / RecordBatchReader, read as it is written), a
        pandas or polars DataFrame, or a list of dicts; columns are catalog field names
        and view columns.
    path
        Destination file; an existing file is replaced only once the export succeeded.
    kind
        ``"contacts"`` or ``"accounts"``: where header labels come from.
    format
        ``"csv"``, ``"xlsx"`` or ``"parquet"``; by default from the extension
        (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.parquet``, ``.pq``).
    columns
        Columns to write, in this order. By default every column, except binary ones
        (``photo``) in CSV and XLSX; name them here to get them as base64.
    lang
        Header language: ``"en"``, ``"fr"``, ``"zh"``, or ``"names"`` for field names;
        default (``None``): the language chosen with :func:`crmkit.set_config`, field
        names when none was chosen. Also
        the words written for booleans in CSV (``true``/``false``, ``oui``/``non``,
        ``是``/``否``) and the default sheet title.
    excel
        CSV meant for Excel: a UTF-8 byte-order mark (so accents and Chinese survive a
        double-click), and with ``lang="fr"`` the French-Excel conventions: ``;`` between
        cells and ``,`` as decimal separator.
    delimiter
        CSV cell separator; default ``,`` (tab for ``.tsv``; ``;`` with ``excel=True``
        and ``lang="fr"``).
    bom
        Write a UTF-8 byte-order mark; default: ``excel``.
    decimal
        CSV decimal separator for non-integral numbers; default ``.`` (``,`` with
        ``excel=True`` and ``lang="fr"``).
    sheet_name
        XLSX sheet title (characters Excel forbids are replaced, 31 characters at most);
        default: the kind, in ``lang``.

    Returns
    -------
    ExportResult
        Path, format, number of rows, the columns and headers written, and the number of
        values written without their control characters (``changed``, ``warnings``).

    Raises
    ------
    UnknownValueError
        Unknown format or extension, column, language or kind.
    ExportError
        The file could not be written (missing folder, disk full, a value Excel cannot
        hold ...). Nothing is left behind and an existing file is untouched.

    Examples
    --------
    >>> import tempfile, pathlib, pyarrow as pa
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> contacts = pa.table({"first_name": ["Hélène", "伟"], "last_name": ["Blou", "王"],
    ...                      "mobile": ["+33625341257", None], "active": [True, False],
    ...                      "notes": ["=1+1", "ok"]})
    >>> export_table(contacts, folder / "c.csv", kind="contacts", lang="fr")  # doctest: +ELLIPSIS
    ExportResult(path='.../c.csv', format='csv', rows=2, columns=[first_name, ..., notes])
    >>> print((folder / "c.csv").read_text(encoding="utf-8"))
    Prénom,Nom,Portable,Actif,Notes
    Hélène,Blou,+33625341257,oui,'=1+1
    伟,王,,non,ok
    <BLANKLINE>

    For Excel in a French locale, and a typed workbook:

    >>> out = export_table(contacts, folder / "c.csv", kind="contacts", lang="fr", excel=True)
    >>> out.path.read_bytes()[:3], out.path.read_text(encoding="utf-8-sig").splitlines()[1]
    (b'\\xef\\xbb\\xbf', "Hélène;Blou;+33625341257;oui;'=1+1")
    >>> result = export_table(contacts, folder / "c.xlsx", kind="contacts", lang="en",
    ...                       columns=["last_name", "notes"])
    >>> result.rows, result.headers
    (2, ('Last name', 'Notes'))
    """
    target = Path(path).expanduser()
    fmt = _resolve_format(target, format)
    kind = _check_kind(kind)
    lang = export_lang(lang)
    table = select_columns(as_chunks(data), columns, fmt)
    if len(table.schema) == 0:
        raise ValidationError(f"nothing to export to {target}: no columns selected")
    names = [str(n) for n in table.schema.names]
    headers = header_labels(names, kind, lang)
    warnings: list[str] = []
    find = XLSX_CONTROL_CHARS.search if fmt == "xlsx" else CONTROL_CHARS.search
    if fmt != "parquet" and any(find(h) for h in headers):
        headers = unique_labels([strip_text(h, xlsx=fmt == "xlsx") for h in headers])
        warnings.append("headers written without their control characters")
    french_excel = excel and lang == "fr"
    suffix = target.suffix or f".{fmt}"
    changed = [0] * len(names)
    rows = [0]

    if fmt == "csv":
        if delimiter is None:
            delimiter = "\t" if target.suffix.lower() == ".tsv" else ";" if french_excel else ","
        sep = _check_delimiter(delimiter)
        with_bom = excel if bom is None else bom
        decimal_mark = decimal if decimal is not None else "," if french_excel else "."
        words = BOOL_WORDS[lang or "en"]

        def write(tmp: Path) -> None:
            rows[0], changed[:] = write_csv(
                table, headers, tmp, delimiter=sep, bom=with_bom, bool_words=words,
                decimal=decimal_mark,
            )  # fmt: skip

    elif fmt == "xlsx":
        check_fits(len(names), target)
        title = sheet_title(sheet_name, kind, lang)

        def write(tmp: Path) -> None:
            rows[0], changed[:] = write_xlsx(table, headers, tmp, sheet_title=title)

    else:

        def write(tmp: Path) -> None:
            rows[0] = write_parquet(table, headers, tmp)

    atomic_write(target, suffix, write)
    counts: dict[str, int] = {}
    for name, n in zip(names, changed, strict=True):
        counts[name] = counts.get(name, 0) + n
    warnings[:0] = cleaning_warning(counts, fmt)
    return ExportResult(
        target,
        fmt,
        rows[0],
        tuple(names),
        tuple(headers),
        changed=sum(changed),
        warnings=tuple(warnings),
    )
