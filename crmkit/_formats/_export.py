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
  second case, which gets its ``'`` there too. See :func:`neutralize_formula` for the
  rule and for the numbers (phone numbers, ``-12.5``) left alone.
- **No control character**: CSV and XLSX cells are written without the control
  characters a terminal would act on or a reader refuse (see :func:`strip_controls`);
  :attr:`ExportResult.changed` counts the values this changed and
  :attr:`ExportResult.warnings` names their columns. Parquet keeps every character.
- **Headers** are field names, or labels in English, French or Chinese (``lang=``) taken
  from the field catalog and, for derived columns, from :data:`DERIVED_LABELS`. Labels
  that would repeat are made unique.
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

Timestamps in CSV use a space between date and time (RFC 3339 allows it) and no
fractions of a second, because Excel recognises ``2024-03-05 14:30:00`` as a date-time in
every locale and leaves ``2024-03-05T14:30:00.123456`` as text.

Control characters (:func:`strip_controls`): tab, line feed and carriage return are kept;
U+000B and U+000C (line breaks in Outlook and Word exports) become ``\\n``; U+001C-U+001F
and U+0085 a space; the other C0 and C1 controls, DEL, the bidirectional overrides and
whole terminal escape sequences (``ESC[31m``) are dropped, from CSV (crmkit's importer
refuses a NUL, a terminal runs an escape sequence), XLSX (XML cannot hold most of them,
nor U+FFFE and U+FFFF) and vCard alike. In XLSX a lone carriage return reads back as
``\\n``. A text longer than an Excel cell holds (32,767 characters) stops an XLSX export
with an :class:`~crmkit.ExportError` naming the row and column, and so do more rows than a
sheet holds.

Parquet keeps the Arrow types: lists stay lists, dates stay dates, JSON stays text.

XLSX is written with openpyxl in write-only (streaming) mode, which costs about 10 µs a
cell: 100,000 contacts × 25 columns take some 25-30 s, against 2 s for CSV and well under
a second for Parquet.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from crmkit._exceptions import ExportError, UnknownValueError, ValidationError
from crmkit._normalize._values import QUOTED_FORMULA
from crmkit._util._shorten import printable, shorten
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table as catalog_table

__all__ = [
    "DERIVED_LABELS",
    "ExportFormat",
    "ExportResult",
    "HeaderLang",
    "cleaning_warning",
    "export_table",
    "has_controls",
    "header_labels",
    "neutralize_formula",
    "strip_controls",
]

ExportFormat = Literal["csv", "xlsx", "parquet"]
#: Formats an :class:`ExportResult` describes: the table formats and vCard.
ResultFormat = Literal["csv", "xlsx", "parquet", "vcf"]
HeaderLang = Literal["en", "fr", "zh"]

FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet")
_LANGS: tuple[str, ...] = ("en", "fr", "zh")
_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: Header labels (en, fr, zh) of the columns the database views add to the stored fields.
DERIVED_LABELS: Mapping[str, tuple[str, str, str]] = {
    # contacts_v
    "display_name": ("Name", "Nom complet", "姓名"),
    "company": ("Company", "Société", "公司"),
    "account_sector": ("Account sector", "Secteur du compte", "公司行业"),
    "account_archived": ("Account archived", "Compte archivé", "公司已归档"),
    "account_is_client": ("Account is a client", "Compte client", "公司已成交"),
    "account_entity": ("Account entity", "Entité du compte", "公司业务单元"),
    "account_annual_revenue": ("Account annual revenue", "CA du compte", "公司年收入"),
    "account_employees": ("Account employees", "Effectif du compte", "公司员工数"),
    "account_owner": ("Account owner", "Propriétaire du compte", "客户负责人"),
    # both views
    "revenue_band": ("Revenue band", "Fourchette de CA", "收入区间"),
    "headcount_band": ("Headcount band", "Tranche d'effectif", "人数区间"),
    "owner": ("Owner", "Affecté à", "负责人"),
    # accounts_v
    "parent": ("Parent account", "Maison mère", "母公司"),
    "contact_count": ("Contacts", "Nombre de contacts", "联系人数"),
}

_SHEET_TITLES: dict[str, tuple[str, str, str]] = {
    "contacts": ("Contacts", "Contacts", "联系人"),
    "accounts": ("Accounts", "Comptes", "客户"),
}

_BOOL_WORDS: dict[str, tuple[str, str]] = {
    "en": ("true", "false"),
    "fr": ("oui", "non"),
    "zh": ("是", "否"),
}

# Rows converted to Python values at a time: bounds memory on large exports.
_BATCH_ROWS = 20_000
# Column widths are measured on this many rows (enough to be representative, cheap).
_WIDTH_SAMPLE_ROWS = 1_000
_MIN_WIDTH, _MAX_WIDTH = 8.0, 60.0
# Excel's hard limits.
_XLSX_MAX_ROWS = 1_048_576
_XLSX_MAX_COLUMNS = 16_384
_XLSX_MAX_CELL_CHARS = 32_767
# Excel keeps 15 significant digits: a larger int written as a number would be changed.
_XLSX_MAX_EXACT_INT = 10**15

_FORMULA_TRIGGERS = frozenset("=+-@\t\r")
# Text crmkit's importer would give back without its first "'": one or more "'" before
# = + - @. Such text gets one "'" more on export, so that the importer restores it.
# The same pattern the import reads the protection back with: kept once, in _normalize.
_QUOTED_TRIGGER = re.compile(QUOTED_FORMULA)
# Text made only of digits, spaces, dots, dashes and parentheses after an optional sign
# (E.164 or formatted phone numbers, "-12.5"). Without letters, ":" "!" "|" or "&" it can
# name no function, no cell reference and no external (DDE) link: the worst a
# spreadsheet does with it is compute a number. Prefixing it with "'" would only damage
# the phone numbers that fill a CRM.
_NUMBER_LIKE = re.compile(r"[+-]?[0-9 .()\-]*\Z")
# Control characters no export writes, as crmkit's importer reads them (its
# _normalize.drop_controls): terminal escape sequences (ECMA-48) go whole: CSI (colours,
# cursor moves, clearing the screen: ESC [ 2 J, or U+009B), terminated DCS, SOS, OSC, PM
# and APC strings (window titles, hyperlinks: ESC ] 8 ; ; url ESC \) and two-character
# escapes; then the controls that are spaces (U+001C-U+001F, U+0085) become a space,
# vertical tab and form feed a line feed (line breaks in Outlook and Word exports), and
# the other C0 and C1 controls, DEL and the bidirectional embeddings, overrides and
# isolates are dropped. Tab, line feed and carriage return stay.
_ESCAPE_SEQUENCES = (
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|\x1b[\x50\x58\x5d\x5e\x5f][^\x07\x1b\x9c]*(?:\x07|\x1b\x5c|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)
_CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_ESCAPES = re.compile(_ESCAPE_SEQUENCES)
# Every escape sequence starts with a control character: one character class finds them
# all (a scan in C, much faster than trying the alternatives at every position).
_CONTROL_CHARS = re.compile(f"[{_CONTROL_CLASS}]")
# XLSX is XML 1.0, which cannot hold U+FFFE and U+FFFF either.
_XLSX_CONTROL_CHARS = re.compile(rf"[{_CONTROL_CLASS}\ufffe\uffff]")
# The same classes for RE2 (pyarrow), which scans a long text (a batch of cells, a chunk
# of vCards) about three times faster than Python's re; from this many characters on.
_RE2_CONTROL_CLASS = re.sub(r"\\u(\w{4})", r"\\x{\1}", _CONTROL_CLASS)
_RE2_CONTROL_CHARS = f"[{_RE2_CONTROL_CLASS}]"
_RE2_XLSX_CONTROL_CHARS = rf"[{_RE2_CONTROL_CLASS}\x{{fffe}}\x{{ffff}}]"
_LONG_TEXT = 100_000
_CONTROLS_AS_TEXT = str.maketrans(
    {"\x0b": "\n", "\x0c": "\n", "\x1c": " ", "\x1d": " ", "\x1e": " ", "\x1f": " ", "\x85": " "}
)
# Characters of an error message kept before it is cut.
_MESSAGE_CHARS = 300
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_Cell = Any
_Converter = Callable[[list[Any]], list[_Cell]]


# -- result -------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ExportResult:
    """What :func:`export_table` wrote.

    Attributes
    ----------
    path
        The file written.
    format
        ``"csv"``, ``"xlsx"`` or ``"parquet"``.
    rows
        Number of records written (the header line not counted).
    columns
        The source column names written, in file order.
    headers
        The header labels written, in the same order (equal to ``columns`` without
        ``lang``). Empty for vCards.
    changed
        Number of values written without some of their characters: the control
        characters the format cannot hold or that crmkit never writes (see
        :func:`strip_controls`). 0 for Parquet, which keeps every character.
    warnings
        What was changed, in words: the number of values per column.

    The result stands for its file where a path is expected (``os.PathLike``):
    ``pd.read_csv(result)``, ``zipfile.ZipFile(result)``.
    """

    path: Path
    format: ResultFormat
    rows: int
    columns: tuple[str, ...]
    headers: tuple[str, ...] = ()
    changed: int = 0
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        shown = ", ".join(printable(c) for c in self.columns[:6])
        if len(self.columns) > 6:
            shown += f", ... ({len(self.columns)} in all)"
        columns = f", columns=[{shown}]" if self.columns else ""
        changed = f", changed={self.changed}" if self.changed else ""
        return (
            f"ExportResult(path='{self.path}', format={self.format!r}, rows={self.rows}"
            f"{columns}{changed})"
        )

    def __fspath__(self) -> str:
        return os.fspath(self.path)


# -- formula neutralisation -------------------------------------------------------------


def neutralize_formula(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: a leading ``'`` when it could run.

    The rule, applied to every CSV cell and header (XLSX cells, typed text that no
    spreadsheet runs, only take its third point):

    1. Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be
       evaluated as a formula by Excel or LibreOffice (``=HYPERLINK(...)``, DDE
       ``=cmd|' /C calc'!A0``): it gets a ``'`` in front, as OWASP recommends ...
    2. ... except when it is made only of digits, spaces, dots, dashes and parentheses
       after an optional sign, like the phone number ``+33625341257`` or ``-12.5``: a
       spreadsheet can at worst read that as a number, never as a function call or a
       link, and a CRM is full of them. Phone numbers are written as they are.
    3. Text that already starts with one or more ``'`` followed by ``=``, ``+``, ``-`` or
       ``@`` (``'=x``, ``''+33...``) gets one ``'`` more.

    The rule is undone by removing one ``'`` from text made of one or more ``'`` then
    ``=``, ``+``, ``-`` or ``@``, as crmkit's importer does
    (:func:`crmkit._normalize._values.unquote_formula`): importing a crmkit CSV or XLSX gives back
    every value exported, the formula-like ones included. (Only text starting with a tab
    or a carriage return keeps its ``'``: crmkit trims those on every input, so it never
    stores them.)

    Examples
    --------
    >>> neutralize_formula('=HYPERLINK("http://evil","x")')
    '\\'=HYPERLINK("http://evil","x")'
    >>> neutralize_formula("+1+1"), neutralize_formula("@SUM(1+1)"), neutralize_formula("-x")
    ("'+1+1", "'@SUM(1+1)", "'-x")
    >>> neutralize_formula("+33625341257"), neutralize_formula("+1 (415) 555-0199")
    ('+33625341257', '+1 (415) 555-0199')
    >>> neutralize_formula("'=x"), neutralize_formula("'+33625341257")
    ("''=x", "''+33625341257")
    >>> neutralize_formula("'x"), neutralize_formula("Hélène")
    ("'x", 'Hélène')
    """
    first = text[:1]
    if first in _FORMULA_TRIGGERS:
        if _NUMBER_LIKE.match(text) is None:
            return "'" + text
    elif first == "'" and _QUOTED_TRIGGER.match(text):
        return "'" + text
    return text


# -- control characters -------------------------------------------------------------------


def has_controls(text: str) -> bool:
    r"""True when :func:`strip_controls` would change ``text``.

    Examples
    --------
    >>> has_controls("Dupont\x1b[31m"), has_controls("ligne 1\tligne 2\r\n")
    (True, False)
    """
    return _holds_controls(text)


def _holds_controls(text: str, xlsx: bool = False) -> bool:
    if len(text) >= _LONG_TEXT:
        with contextlib.suppress(ValueError):  # a lone surrogate: Python's re below
            array = pa.array([text], pa.large_string())
            pattern = _RE2_XLSX_CONTROL_CHARS if xlsx else _RE2_CONTROL_CHARS
            return bool(pc.any(pc.match_substring_regex(array, pattern)).as_py())
    return (_XLSX_CONTROL_CHARS if xlsx else _CONTROL_CHARS).search(text) is not None


def strip_controls(text: str) -> str:
    r"""``text`` without the control characters no crmkit export writes.

    Terminal escape sequences go whole, not only their ``ESC`` (``ESC [ 31 m``, ``ESC ] 8
    ; ; url ESC \``); the controls that are spaces (U+001C to U+001F, U+0085) become a
    space; vertical tab and form feed (line breaks in Outlook and Word exports) a line
    feed; the other C0 and C1 control characters, DEL and the bidirectional embeddings,
    overrides and isolates (U+202A to U+202E, U+2066 to U+2069) are dropped. Tab, line
    feed and carriage return are kept. crmkit's importer drops the same characters, so
    an export read back gives what importing the stored value would give.

    Examples
    --------
    >>> strip_controls("Bl\x00ou\x1b[31m\u202e")
    'Blou'
    >>> strip_controls("ligne 1\x0bligne 2\r\n\tfin\x85")
    'ligne 1\nligne 2\r\n\tfin '
    """
    return _strip(text)


def _strip(text: str, xlsx: bool = False) -> str:
    # Escape sequences first: their parameters are printable characters.
    text = _ESCAPES.sub("", text).translate(_CONTROLS_AS_TEXT)
    return (_XLSX_CONTROL_CHARS if xlsx else _CONTROL_CHARS).sub("", text)


class _Cleaner:
    """Strips control characters from one column's texts and counts the values changed."""

    __slots__ = ("changed", "search", "xlsx")

    def __init__(self, xlsx: bool = False) -> None:
        self.xlsx = xlsx
        self.search = (_XLSX_CONTROL_CHARS if xlsx else _CONTROL_CHARS).search
        self.changed = 0

    def texts(self, values: list[Any]) -> list[Any]:
        """``values`` (texts and None) with their control characters stripped."""
        # One search over the whole batch first: almost every batch holds none.
        if not _holds_controls("".join(v for v in values if v.__class__ is str), self.xlsx):
            return values
        search = self.search
        out = []
        for value in values:
            if value.__class__ is str and search(value) is not None:
                value = _strip(value, self.xlsx)
                self.changed += 1
            out.append(value)
        return out


def cleaning_warning(changed: Mapping[str, int], format: str) -> tuple[str, ...]:
    """The :attr:`ExportResult.warnings` saying how many values per column were cleaned.

    Examples
    --------
    >>> (message,) = cleaning_warning({"last_name": 2, "notes": 1, "email": 0}, "xlsx")
    >>> print(message.replace(": XLSX", ":\\nXLSX"))
    3 values written without their control characters (last_name: 2, notes: 1):
    XLSX cannot hold most of them; tab and line breaks are kept
    >>> cleaning_warning({"last_name": 0}, "csv")
    ()
    """
    counts = [(name, n) for name, n in changed.items() if n]
    if not counts:
        return ()
    total = sum(n for _, n in counts)
    shown = ", ".join(
        f"{name if len(name) <= 40 and printable(name) == name else shorten(name, 40)}: {n:,}"
        for name, n in counts[:10]
    )
    if len(counts) > 10:
        shown += f", ... ({len(counts)} columns)"
    why = {
        "csv": "crmkit's importer refuses a NUL and a terminal runs an escape sequence",
        "xlsx": "XLSX cannot hold most of them",
        "vcf": "vCard text cannot hold them",
    }.get(format, "the format cannot hold them")
    plural = "value" if total == 1 else "values"
    return (
        f"{total:,} {plural} written without their control characters ({shown}): {why}; "
        "tab and line breaks are kept",
    )


# -- headers ------------------------------------------------------------------------------


def header_labels(
    columns: Sequence[str], kind: str, lang: HeaderLang | str | None = None
) -> list[str]:
    """The header written for each column: its name, or its label in ``lang``.

    Catalog fields take their label from the field catalog, derived columns from
    :data:`DERIVED_LABELS`; other columns keep their name. When two columns would get the
    same label, the one that holds an id (``account_id`` next to ``company``) becomes
    ``"<label> (id)"`` (``"<label>编号"`` in Chinese); any label still repeated gets
    ``" (2)"``, ``" (3)"`` ...

    Parameters
    ----------
    columns
        Column names, in order.
    kind
        ``"contacts"`` or ``"accounts"``: the catalog table to read labels from.
    lang
        ``"en"``, ``"fr"``, ``"zh"``, or ``None`` for the column names themselves.

    Examples
    --------
    >>> header_labels(["last_name", "company", "owner"], "contacts", "fr")
    ['Nom', 'Société', 'Affecté à']
    >>> header_labels(["account_id", "company"], "contacts", "zh")
    ['公司编号', '公司']
    >>> header_labels(["owner_id", "owner", "x"], "contacts", "en")
    ['Owner (id)', 'Owner', 'x']
    """
    fields = catalog_table(kind)
    lang = _check_lang(lang)
    if lang is None:
        labels = [str(c) for c in columns]
        id_like = [False] * len(labels)
    else:
        position = _LANGS.index(lang)
        labels = []
        id_like = []
        for name in columns:
            if name in fields:
                field = fields[name]
                labels.append(field.label(lang))
                id_like.append(field.kind in ("id", "ref"))
            elif name in DERIVED_LABELS:
                labels.append(DERIVED_LABELS[name][position])
                id_like.append(False)
            else:
                labels.append(str(name))
                id_like.append(False)
        suffix = "编号" if lang == "zh" else " (id)"
        counts: dict[str, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        labels = [
            label + suffix if counts[label] > 1 and is_id else label
            for label, is_id in zip(labels, id_like, strict=True)
        ]
    return _unique(labels)


def _unique(labels: list[str]) -> list[str]:
    taken = set(labels)
    seen: set[str] = set()
    out = []
    for label in labels:
        if label in seen:
            n = 2
            while f"{label} ({n})" in taken:
                n += 1
            label = f"{label} ({n})"
            taken.add(label)
        seen.add(label)
        out.append(label)
    return out


# -- argument checks ----------------------------------------------------------------------


def _check_lang(lang: str | None) -> HeaderLang | None:
    if lang is None or lang in _LANGS:
        return lang  # type: ignore[return-value]
    raise UnknownValueError("header language", lang, _LANGS, closest(str(lang), _LANGS))


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


def _sheet_title(sheet_name: str | None, kind: str, lang: HeaderLang | None) -> str:
    if sheet_name is None:
        return _SHEET_TITLES[kind][_LANGS.index(lang or "en")]
    title = _strip(sheet_name, xlsx=True).replace("\n", " ").replace("\r", " ")
    title = _SHEET_FORBIDDEN.sub(" ", title).strip().strip("'").strip()[:31].strip()
    if not title:
        return _SHEET_TITLES[kind][_LANGS.index(lang or "en")]
    # Excel reserves this name for its change history and refuses the workbook.
    if title.casefold() == "history":
        title += " 1"
    return title


# -- input --------------------------------------------------------------------------------


def _as_arrow(data: Any) -> pa.Table:
    """A pyarrow Table from a Table, a RecordBatch(Reader), a pandas / polars frame or dicts."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    module = type(data).__module__
    if module.startswith("polars"):
        if hasattr(data, "collect"):  # a LazyFrame
            data = data.collect()
        return data.to_arrow()
    if module.startswith("pandas"):
        return _pandas_to_arrow(data)
    if isinstance(data, Sequence) and all(isinstance(r, Mapping) for r in data):
        return pa.Table.from_pylist(list(data))
    raise TypeError(
        "export_table() takes a pyarrow Table, a pandas or polars DataFrame or a list of "
        f"dicts, not {type(data).__name__}"
    )


def _pandas_to_arrow(frame: Any) -> pa.Table:
    arrays = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        try:
            arrays.append(pa.array(series, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            # A column of mixed Python objects (text and numbers after a messy import):
            # written as the text of each value rather than refused.
            arrays.append(pa.array([_text_of_object(v) for v in series], pa.string()))
    names = [str(c) for c in frame.columns]
    return pa.Table.from_arrays(arrays, names=names)


def _text_of_object(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if value != value:  # pd.NA, pd.NaT, NaN of other float types
            return None
    except (TypeError, ValueError):  # pd.NA compares to NA, arrays compare elementwise
        if type(value).__name__ in ("NAType", "NaTType"):
            return None
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column with extension and dictionary types replaced by their plain values."""
    kind = column.type
    if _is_uuid(kind):
        texts = [None if v is None else str(v) for v in column.to_pylist()]
        return pa.chunked_array([pa.array(texts, pa.string())], pa.string())
    if isinstance(kind, pa.BaseExtensionType):
        column = pa.chunked_array([c.storage for c in column.chunks], kind.storage_type)
        kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
    if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
        # Python datetimes hold microseconds; nanoseconds would come back as pandas objects.
        column = pc.cast(column, pa.timestamp("us", column.type.tz), safe=False)
    return column


def _value_kind(kind: pa.DataType) -> str:
    types = pa.types
    if types.is_string(kind) or types.is_large_string(kind) or types.is_string_view(kind):
        return "text"
    if types.is_boolean(kind):
        return "bool"
    if types.is_integer(kind):
        return "int"
    if types.is_floating(kind):
        return "float"
    if types.is_decimal(kind):
        return "decimal"
    if types.is_date(kind):
        return "date"
    if types.is_timestamp(kind):
        return "timestamp"
    if (
        types.is_list(kind)
        or types.is_large_list(kind)
        or types.is_fixed_size_list(kind)
        or types.is_list_view(kind)
        or types.is_large_list_view(kind)
    ):
        return "list"
    if _is_binary(kind):
        return "binary"
    if types.is_struct(kind) or types.is_map(kind):
        return "json"
    if types.is_null(kind):
        return "null"
    return "other"


def _is_binary(kind: pa.DataType) -> bool:
    types = pa.types
    return bool(
        types.is_binary(kind)
        or types.is_large_binary(kind)
        or types.is_binary_view(kind)
        or types.is_fixed_size_binary(kind)
    )


def _select(table: pa.Table, columns: Sequence[str] | None, fmt: ExportFormat) -> pa.Table:
    names = [str(n) for n in table.column_names]
    if columns is None:
        if fmt == "parquet":
            return table
        keep = [i for i, f in enumerate(table.schema) if not _is_binary(_storage_type(f.type))]
        return table.select(keep)
    if isinstance(columns, str):
        columns = [columns]
    for name in columns:
        if name not in names:
            raise UnknownValueError("export column", name, names, closest(str(name), names))
    return table.select([names.index(name) for name in columns])


def _storage_type(kind: pa.DataType) -> pa.DataType:
    if _is_uuid(kind):
        return pa.string()  # written as its usual text form
    return kind.storage_type if isinstance(kind, pa.BaseExtensionType) else kind


def _is_uuid(kind: pa.DataType) -> bool:
    return isinstance(kind, pa.BaseExtensionType) and kind.extension_name == "arrow.uuid"


# -- text renderings (CSV cells, XLSX column widths) --------------------------------------


def _format_float(value: float, decimal: str) -> str:
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    return text.replace(".", decimal) if decimal != "." else text


def _join_list(items: Sequence[Any] | None) -> str | None:
    if items is None:
        return None
    return "; ".join(str(item) for item in items if item is not None)


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):  # a map arrives as (key, value) pairs
        value = dict(value) if all(isinstance(p, tuple) for p in value) else value
    return json.dumps(value, ensure_ascii=False, default=str)


def _base64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def _timestamp_text(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat(sep=" ")


def _csv_converter(
    kind: str, bool_words: tuple[str, str], decimal: str, cleaner: _Cleaner | None = None
) -> _Converter:
    """A function turning one column's Python values into CSV cell strings.

    Texts lose their control characters (counted by ``cleaner``) before they are
    neutralised: a formula must not hide behind a character that is then dropped.
    """
    yes, no = bool_words

    def text(values: list[Any]) -> list[str]:
        if cleaner is not None:
            values = cleaner.texts(values)
        return ["" if v is None else neutralize_formula(v) if v else v for v in values]

    if kind == "text":
        return text
    if kind == "int":
        return lambda values: ["" if v is None else str(v) for v in values]
    if kind == "float":
        return lambda values: ["" if v is None else _format_float(v, decimal) for v in values]
    if kind == "decimal":
        return lambda values: ["" if v is None else str(v).replace(".", decimal) for v in values]
    if kind == "bool":
        return lambda values: ["" if v is None else yes if v else no for v in values]
    if kind == "date":
        return lambda values: ["" if v is None else v.isoformat() for v in values]
    if kind == "timestamp":
        return lambda values: ["" if v is None else _timestamp_text(v) for v in values]
    if kind == "list":
        return lambda values: text([_join_list(v) for v in values])
    if kind == "binary":
        return lambda values: ["" if v is None else _base64(v) for v in values]
    if kind == "json":
        return lambda values: text([_json_text(v) for v in values])
    if kind == "null":
        return lambda values: [""] * len(values)
    return lambda values: text([None if v is None else str(v) for v in values])


def _display_width(text: str) -> int:
    """Width of the longest line of ``text`` in Excel character units (CJK count double)."""
    best = 0
    for line in text.splitlines() or [""]:
        if line.isascii():
            width = len(line)
        else:
            width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        best = max(best, width)
    return best


def _column_width(header: str, texts: Sequence[str]) -> float:
    # The header is bold and carries the autofilter button: a few characters more.
    widest = max([_display_width(header) + 3, *(_display_width(t) for t in texts)])
    return min(_MAX_WIDTH, max(_MIN_WIDTH, widest + 2.0))


# -- batches ------------------------------------------------------------------------------


def _batches(table: pa.Table) -> Iterator[list[list[Any]]]:
    """The table as lists of Python values, one list per column, ``_BATCH_ROWS`` at a time."""
    columns = [_plain(table.column(i)) for i in range(table.num_columns)]
    for start in range(0, table.num_rows, _BATCH_ROWS):
        yield [c.slice(start, _BATCH_ROWS).to_pylist() for c in columns]


def _kinds(table: pa.Table) -> list[str]:
    return [_value_kind(_plain(table.column(i)).type) for i in range(table.num_columns)]


# -- writers ------------------------------------------------------------------------------


def _write_csv(
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
    cleaners = [_Cleaner() for _ in headers]
    converters = [
        _csv_converter(k, bool_words, decimal, c)
        for k, c in zip(_kinds(table), cleaners, strict=True)
    ]
    encoding = "utf-8-sig" if bom else "utf-8"
    with tmp.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(
            out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )
        writer.writerow([neutralize_formula(h) if h else h for h in headers])
        for batch in _batches(table):
            cells = [convert(values) for convert, values in zip(converters, batch, strict=True)]
            writer.writerows(zip(*cells, strict=True))
    return [c.changed for c in cleaners]


class _XlsxCells:
    """Turns one column's Python values into XLSX cell values, checking Excel's limits."""

    def __init__(self, sheet: Any, kind: str, header: str) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES

        self._sheet = sheet
        self._kind = kind
        self._header = header
        self._cell_class = WriteOnlyCell
        self._error_codes = frozenset(ERROR_CODES)
        self.cleaner = _Cleaner(xlsx=True)
        self.first_row = 2  # Excel row of the first value of the current batch

    def convert(self, values: list[Any]) -> list[_Cell]:
        kind = self._kind
        if kind == "text":
            return self._texts(values)
        if kind in ("int", "bool", "date", "decimal", "null"):
            if kind == "int":
                return [self._int(v) for v in values]
            return values
        if kind == "float":
            return [self._float(v) for v in values]
        if kind == "timestamp":
            # Excel has no time zones: keep the wall-clock time the analyst sees.
            return [v if v is None or v.tzinfo is None else v.replace(tzinfo=None) for v in values]
        if kind == "list":
            return self._texts([_join_list(v) for v in values])
        if kind == "binary":
            return self._texts([_base64(v) for v in values])
        if kind == "json":
            return self._texts([_json_text(v) for v in values])
        return self._texts(
            [v if v is None or isinstance(v, time | timedelta) else str(v) for v in values]
        )

    def _int(self, value: int | None) -> int | str | None:
        if value is not None and abs(value) >= _XLSX_MAX_EXACT_INT:
            return str(value)
        return value

    @staticmethod
    def _float(value: float | None) -> float | str | None:
        if value is None or math.isnan(value):
            return None
        if math.isinf(value):
            return str(value)  # Excel has no infinity
        return value

    def _texts(self, values: list[Any]) -> list[_Cell]:
        out: list[_Cell] = []
        for offset, value in enumerate(self.cleaner.texts(values)):
            if value is None or value.__class__ is not str:
                out.append(value)
                continue
            if value[:1] == "'" and _QUOTED_TRIGGER.match(value):
                value = "'" + value  # the importer drops one: see neutralize_formula()
            if len(value) > _XLSX_MAX_CELL_CHARS:
                record = self.first_row - 1 + offset
                raise ExportError(
                    f"row {record} (Excel row {record + 1}), column {shorten(self._header)}: "
                    "a text of "
                    f"{len(value)} characters does not fit in an Excel cell (at most "
                    f"{_XLSX_MAX_CELL_CHARS}); export to CSV or Parquet, or leave the "
                    "column out"
                )
            if value[:1] == "=" or value in self._error_codes:
                # openpyxl would store these as a formula or an error value: force a
                # string cell, which Excel shows as typed and never evaluates.
                cell = self._cell_class(self._sheet, value)
                cell.data_type = "s"
                value = cell
            out.append(value)
        return out


def _write_xlsx(
    table: pa.Table,
    headers: list[str],
    tmp: Path,
    *,
    sheet_title: str,
) -> list[int]:
    """Write the workbook; return the number of values cleaned in each column."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    try:
        changed = _fill_sheet(sheet, table, headers)
        workbook.save(tmp)
    except BaseException:
        _abandon(sheet)
        raise
    return changed


def _abandon(sheet: Any) -> None:
    """Close a write-only sheet that failed half-way and delete openpyxl's scratch file.

    openpyxl streams the rows of a write-only sheet through generators into a temporary
    file of its own; left open, they fail noisily when garbage-collected and the file
    lingers until the interpreter exits.
    """
    rows = getattr(sheet, "_rows", None)
    if rows is not None:
        with contextlib.suppress(Exception):
            rows.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(Exception):
            writer.cleanup()


def _fill_sheet(sheet: Any, table: pa.Table, headers: list[str]) -> list[int]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    kinds = _kinds(table)
    cells = [_XlsxCells(sheet, kind, h) for kind, h in zip(kinds, headers, strict=True)]

    # Widths must be set before the first row is written in write-only mode.
    sample = table.slice(0, _WIDTH_SAMPLE_ROWS)
    renderers = [_csv_converter(k, _BOOL_WORDS["en"], ".") for k in kinds]
    sample_columns: list[list[Any]] = next(_batches(sample), [[] for _ in headers])
    for position, (header, render, values) in enumerate(
        zip(headers, renderers, sample_columns, strict=True), start=1
    ):
        width = _column_width(header, render(values))
        sheet.column_dimensions[get_column_letter(position)].width = width

    sheet.freeze_panes = "A2"
    last = get_column_letter(max(1, len(headers)))
    sheet.auto_filter.ref = f"A1:{last}{table.num_rows + 1}"

    bold = Font(bold=True)
    header_row = []
    for header in headers:
        cell = WriteOnlyCell(sheet, header)
        cell.data_type = "s"
        cell.font = bold
        header_row.append(cell)
    sheet.append(header_row)

    next_row = 2
    for batch in _batches(table):
        columns = []
        for converter, values in zip(cells, batch, strict=True):
            converter.first_row = next_row
            columns.append(converter.convert(values))
        for row in zip(*columns, strict=True):
            sheet.append(row)
        next_row += len(batch[0]) if batch else 0
    return [c.cleaner.changed for c in cells]


def _write_parquet(table: pa.Table, headers: list[str], tmp: Path) -> None:
    import pyarrow.parquet as pq

    # pandas metadata would describe the columns before renaming: drop it.
    renamed = table.rename_columns(headers).replace_schema_metadata(None)
    pq.write_table(renamed, tmp)


# -- atomic file handling -----------------------------------------------------------------


def _file_mode(target: Path) -> int:
    """Permissions for the new file: those of the file it replaces, else the umask's."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        pass
    # A temporary file is created 0600; a normal new file follows the umask, which can
    # only be read by setting it.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _check_target(target: Path) -> Path:
    folder = target.parent
    if target.is_dir():
        raise ExportError(f"cannot export to {target}: it is a folder, not a file name")
    if not folder.is_dir():
        if folder.exists():
            raise ExportError(f"cannot export to {target}: {folder} is not a folder")
        raise ExportError(f"cannot export to {target}: the folder {folder} does not exist")
    return folder


def _atomic_write(target: Path, suffix: str, write: Callable[[Path], None]) -> None:
    folder = _check_target(target)
    try:
        with tempfile.NamedTemporaryFile(
            delete=False, dir=folder, prefix=".crmkit-", suffix=suffix
        ) as handle:
            tmp = Path(handle.name)
    except OSError as exc:
        raise ExportError(f"cannot export to {target}: {exc}") from exc
    try:
        write(tmp)
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, ExportError):
            raise ExportError(f"cannot export to {target}: {exc}") from exc
        if isinstance(exc, Exception):
            raise ExportError(f"cannot export to {target}: {_cause(exc)}") from exc
        raise


def _cause(exc: BaseException) -> str:
    """The error of a library, short and printable: it may quote a whole cell."""
    text = str(exc)
    if len(text) > _MESSAGE_CHARS:
        text = f"{text[: _MESSAGE_CHARS - 1]}… ({len(text):,} characters)"
    text = printable(text.replace("\n", " "))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- entry point --------------------------------------------------------------------------


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
        A pyarrow Table (or RecordBatch / RecordBatchReader), a pandas or polars
        DataFrame, or a list of dicts; columns are catalog field names and view columns.
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
        Header language: ``"en"``, ``"fr"``, ``"zh"``, or ``None`` for field names. Also
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
    lang = _check_lang(lang)
    table = _select(_as_arrow(data), columns, fmt)
    if table.num_columns == 0:
        raise ValidationError(f"nothing to export to {target}: no columns selected")
    names = [str(n) for n in table.column_names]
    headers = header_labels(names, kind, lang)
    warnings: list[str] = []
    find = _XLSX_CONTROL_CHARS.search if fmt == "xlsx" else _CONTROL_CHARS.search
    if fmt != "parquet" and any(find(h) for h in headers):
        headers = _unique([_strip(h, xlsx=fmt == "xlsx") for h in headers])
        warnings.append("headers written without their control characters")
    french_excel = excel and lang == "fr"
    suffix = target.suffix or f".{fmt}"
    changed = [0] * len(names)

    if fmt == "csv":
        if delimiter is None:
            delimiter = "\t" if target.suffix.lower() == ".tsv" else ";" if french_excel else ","
        sep = _check_delimiter(delimiter)
        with_bom = excel if bom is None else bom
        decimal_mark = decimal if decimal is not None else "," if french_excel else "."
        words = _BOOL_WORDS[lang or "en"]

        def write(tmp: Path) -> None:
            changed[:] = _write_csv(
                table, headers, tmp, delimiter=sep, bom=with_bom, bool_words=words,
                decimal=decimal_mark,
            )  # fmt: skip

    elif fmt == "xlsx":
        if table.num_rows + 1 > _XLSX_MAX_ROWS or table.num_columns > _XLSX_MAX_COLUMNS:
            raise ExportError(
                f"cannot export to {target}: {table.num_rows} rows × {table.num_columns} "
                f"columns exceed Excel's {_XLSX_MAX_ROWS - 1} rows × {_XLSX_MAX_COLUMNS} "
                "columns; export to CSV or Parquet"
            )
        title = _sheet_title(sheet_name, kind, lang)

        def write(tmp: Path) -> None:
            changed[:] = _write_xlsx(table, headers, tmp, sheet_title=title)

    else:

        def write(tmp: Path) -> None:
            _write_parquet(table, headers, tmp)

    _atomic_write(target, suffix, write)
    counts: dict[str, int] = {}
    for name, n in zip(names, changed, strict=True):
        counts[name] = counts.get(name, 0) + n
    warnings[:0] = cleaning_warning(counts, fmt)
    return ExportResult(
        target,
        fmt,
        table.num_rows,
        tuple(names),
        tuple(headers),
        changed=sum(changed),
        warnings=tuple(warnings),
    )
