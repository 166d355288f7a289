"""Read CSV files, XLSX workbooks and DataFrames into chunks of raw cells.

The file-reading layer of the import pipeline: a source goes in, DataFrames of untouched
cell values come out, each row tagged with the place it came from so that an error can
point at it. Nothing here maps headers to fields or parses values: that is the job of the
import pipeline and of :mod:`crmkit._normalize._values`.

:func:`read_table` looks at a source once (format, encoding, delimiter, header) and
returns a :class:`TableSource`; its :meth:`~TableSource.chunks` method then reads the rows
in bounded chunks, each a :class:`Chunk` with ``.frame``, ``.lines`` and ``.start_row``.
:func:`iter_csv` and :func:`iter_xlsx` do both steps in one call.

What a chunk holds:

- **CSV**: every cell is the ``str`` found in the file, untouched (spaces, quotes inside
  fields, ``"N/A"`` ...), or ``None`` for an empty cell. ``lines`` holds the 1-based
  physical line where each record starts (a quoted field with line breaks makes a record
  span several lines; lines are counted at ``\\n``, or at ``\\r`` in a file that has no
  ``\\n``).
- **XLSX**: cells keep their type: ``str``, ``int``, ``float``, ``bool``, ``datetime``
  (``date`` when the time is midnight), ``time``; ``None`` when empty. ``lines`` holds
  Excel row numbers.
- **DataFrame** (pandas, polars, polars LazyFrame): Python values, ``None`` for missing
  ones (NaN, NaT, NA and null alike). ``lines`` holds the 1-based position of the row in
  the frame (``line_label`` is ``"row"``).

Rows whose cells are all empty (blank lines, empty Excel rows) are skipped. Rows with fewer
cells than the header are padded with ``None``; a row with *more* non-empty cells than the
header raises :class:`~crmkit.ImportFormatError` (``on_ragged="error"``) or keeps the
surplus in columns ``extra_1``, ``extra_2`` ... (``on_ragged="keep"``) that appear in the
chunks that need them, after the header columns.

How a CSV file is understood:

- encoding: a byte-order mark decides (``utf-8-sig``, ``utf-16``, ``utf-32``); otherwise a
  file that is valid UTF-8 from end to end is ``utf-8``; otherwise the bytes are weighed
  between GB18030 (Chinese Excel) and cp1252 (Western Excel, Latin-1 with ``€ œ``), with
  charset-normalizer as a second opinion for other scripts. The chosen (or forced)
  encoding is checked on the whole file before any row is returned, so a bad byte is
  reported with its line instead of failing half-way through an import.
- mixed encodings: a UTF-8 file (with a BOM, or holding at least as many UTF-8 characters
  as stray legacy bytes) whose some lines are not UTF-8, say a row pasted from a cp1252
  export, stays ``utf-8``: the good lines are read exactly, and each other line alone is
  read with its legacy encoding (GB18030 for a Chinese line, else the code page guessed
  from those lines, cp1252 for Latin text; Latin-1 when that cannot read it) and listed in
  :attr:`TableSource.warnings` with its line. There is no whole-file fallback that would
  garble every accent of the UTF-8 lines. A forced ``encoding=`` is strict.
- binary: a start that is more than 10% control bytes (NUL ...) is refused as binary; a
  stray NUL or terminal escape sequence in a text file is cell content, read as is.
- delimiter: ``,`` ``;`` tab or ``|``, whichever splits the first records into the most
  consistent number of cells (delimiters inside quotes do not count).
- header: the first record with about the modal number of non-empty cells that looks like
  text labels, so title lines and blank lines above the header are skipped. Empty header
  cells are named ``column_N`` (N = 1-based position), repeated names get ``" (2)"``,
  ``" (3)"`` ...
- parsing: pandas' C parser, in chunks, with every value read as text.
- quotes: a quoted field left open is refused with :class:`~crmkit.ImportFormatError`
  naming the line where it opens and showing its start, when it reaches the end of the
  file, or when the whole lines inside it look like rows of the file (as many delimiters
  as a row): the rows after it would otherwise be stored inside one cell. Quoted fields
  with line breaks that do not look like rows (addresses, notes) are read as usual.

How a workbook is read: openpyxl in read-only mode, after the ZIP's directory is checked
against :data:`XLSX_MAX_PART_BYTES`, :data:`XLSX_MAX_SHEET_BYTES` and
:data:`XLSX_MAX_RATIO`, so a zip bomb is refused before anything is decompressed. XML
entity expansion (billion laughs) is refused by defusedxml, which openpyxl uses when it is
installed (a crmkit dependency), and by expat's own amplification limit.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import functools
import itertools
import math
import os
import re
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import pandas as pd

from crmkit._exceptions import ImportFormatError, UnknownValueError, ValidationError
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "Chunk",
    "TableSource",
    "detect_encoding",
    "detect_format",
    "iter_csv",
    "iter_xlsx",
    "read_table",
    "sniff_delimiter",
]

#: Rows per chunk when the caller does not say.
DEFAULT_CHUNK_ROWS = 100_000

FileFormat = Literal["csv", "xlsx", "vcf"]
OnRagged = Literal["error", "keep"]
PathLike = str | os.PathLike[str]

_DELIMITERS = (",", ";", "\t", "|")
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"})
_VCF_EXTENSIONS = frozenset({".vcf", ".vcard"})

_HEAD_BYTES = 64 * 1024  # what format, binary and encoding checks look at
_SNIFF_CHARS = 256 * 1024  # text read to find the delimiter and the header
_SNIFF_RECORDS = 50  # non-blank records weighed to find the header
_BLOCK_BYTES = 1 << 20
_MAX_LABEL_SHARE = 0.5
_AUTO_PROGRESS_CSV_BYTES = 32 * 1024 * 1024
_AUTO_PROGRESS_XLSX_BYTES = 2 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Magic numbers of files people attach by mistake, for a clearer message than "binary".
_MAGIC_NAMES = (
    (_ZIP_MAGIC, "a ZIP archive (an Excel workbook?)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (_OLE_MAGIC, "an old Excel 97-2003 .xls workbook (or another Office 97 file)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings charset-normalizer may suggest for scripts cp1252 cannot show. Latin
# neighbours (cp1250, latin-2, mac-roman ...) are left out: on a short French sample they
# win by chance and turn "è" into "č".
_OTHER_SCRIPTS = frozenset({
    "cp1251", "koi8_r", "koi8_u", "mac_cyrillic", "iso8859_5", "cp866", "cp1253",
    "iso8859_7", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "shift_jis", "cp932",
    "euc_jp", "iso2022_jp", "euc_kr", "cp949", "johab", "big5", "big5hkscs", "cp950",
    "tis_620", "cp874", "cp1258",
})  # fmt: skip
# Cells such as "12", "3,5", "2024-01-31", "+33 6 12", "45 %": values, not header labels.
_NUMBER_LIKE = re.compile(r"[\s\d.,:;/'%+\-−()€$£¥#]*\d[\s\d.,:;/'%+\-−()€$£¥#]*")
_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_IN_QUOTES = re.compile(r"EOF inside string starting at row (\d+)")
_INDEX_GUESS = "Length of header or names does not match length of data"
_MIDNIGHT = time(0, 0)
_ASCII_PROBE = '\n\r,;\t|"'
# Encodings that are declared (BOM) or clearly recognised: a bad byte further down is an
# error to report, not a hint to try cp1252.
_NO_FALLBACK = frozenset({"gb18030", "utf-8-sig", "utf-16", "utf-32", "utf-16-le", "utf-16-be"})


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Chunk:
    """A block of consecutive rows of a source.

    Attributes
    ----------
    frame
        pandas DataFrame, ``object`` columns named as in :attr:`TableSource.columns`
        (plus ``extra_N`` columns with ``on_ragged="keep"``), values raw (see the module
        docstring), ``None`` for empty cells; its index runs from ``start_row``.
    lines
        ``int64`` array, one entry per row: the CSV line where the record starts, the
        Excel row number, or the 1-based position in a DataFrame.
    start_row
        0-based position of the chunk's first row among all the data rows of the source
        (blank rows not counted).
    """

    frame: pd.DataFrame
    lines: np.ndarray
    start_row: int

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        span = f"lines {self.lines[0]}-{self.lines[-1]}" if len(self.lines) else "no rows"
        return f"Chunk({len(self.frame)} rows from row {self.start_row}, {span})"


class _ChunkReader(Protocol):
    def __call__(self, chunk_rows: int, progress: bool | None) -> Iterator[Chunk]: ...


@dataclass(frozen=True, eq=False)
class TableSource:
    """A readable table: a CSV file, a sheet of a workbook or a DataFrame.

    Made by :func:`read_table`, which has already checked the format, decided the
    encoding, delimiter and header, and read the column names. Rows are read on demand by
    :meth:`chunks` (as often as wanted) or all at once by :meth:`read`.

    Attributes
    ----------
    kind
        ``"csv"``, ``"xlsx"`` or ``"frame"``.
    columns
        Header names as written in the source (outer spaces removed), ``column_N`` for an
        empty header cell, ``"Email (2)"`` for a repeated name.
    path
        The file, ``None`` for a DataFrame.
    encoding
        The encoding a CSV file is read with (a Python codec name such as ``"utf-8"``,
        ``"utf-8-sig"``, ``"cp1252"``, ``"gb18030"``); ``None`` otherwise.
    delimiter
        The CSV delimiter; ``None`` otherwise.
    header_line
        Line (CSV) or Excel row of the header; ``None`` without a header row and for a
        DataFrame.
    sheet
        Name of the sheet read from a workbook.
    sheets
        Names of all the worksheets of the workbook.
    n_rows
        Number of rows when known without reading them (DataFrames), else ``None``.
    line_label
        What the numbers in :attr:`Chunk.lines` are: ``"line"`` (CSV) or ``"row"``.
    warnings
        Problems found while looking at the source that did not stop it from being read,
        one ``(line, field, value, message)`` tuple each, in line order; the import adds
        them to its report's warnings. Today: lines of a UTF-8 file that were not UTF-8 and
        were read with a legacy encoding instead (field ``"encoding"``, value the line as
        read), and a UTF-8 file cut inside its last character.
    """

    kind: Literal["csv", "xlsx", "frame"]
    columns: tuple[str, ...]
    path: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    n_rows: int | None = None
    line_label: Literal["line", "row"] = "line"
    warnings: tuple[tuple[int, str, Any, str], ...] = field(default=(), repr=False)
    _reader: _ChunkReader | None = field(default=None, repr=False)

    def chunks(
        self, chunk_rows: int = DEFAULT_CHUNK_ROWS, *, progress: bool | None = None
    ) -> Iterator[Chunk]:
        """Read the rows, ``chunk_rows`` at a time.

        Parameters
        ----------
        chunk_rows
            Rows per chunk (the last one may be shorter); bounds the memory used.
        progress
            Show a tqdm progress bar (by bytes for CSV, by rows otherwise). ``None``: only
            for large files.

        Yields
        ------
        Chunk
            Rows in file order; chunks are never empty.

        Raises
        ------
        ImportFormatError
            A ragged row (with ``on_ragged="error"``), a quoted field that never ends, a
            damaged workbook ...; the message names the file and the line.

        Examples
        --------
        >>> import pandas as pd
        >>> src = read_table(pd.DataFrame({"Nom": ["Blou", "Durand", "Roy"]}))
        >>> [chunk.lines.tolist() for chunk in src.chunks(chunk_rows=2)]
        [[1, 2], [3]]
        """
        _check_positive("chunk_rows", chunk_rows)
        if self._reader is None:  # pragma: no cover - every factory sets one
            raise ImportFormatError("this TableSource has no reader", path=self.path)
        return self._reader(chunk_rows, progress)

    def read(self, *, progress: bool | None = False) -> Chunk:
        """All the rows in one :class:`Chunk` (for sources that fit in memory).

        Examples
        --------
        >>> import polars as pl
        >>> chunk = read_table(pl.DataFrame({"Nom": ["Blou", None]})).read()
        >>> chunk.frame["Nom"].tolist(), chunk.lines.tolist()
        (['Blou', None], [1, 2])
        """
        parts = list(self.chunks(progress=progress))
        if len(parts) == 1:
            return parts[0]
        if not parts:
            frame = pd.DataFrame({name: [] for name in self.columns}, dtype=object)
            return Chunk(frame, np.zeros(0, dtype=np.int64), 0)
        frame = pd.concat([p.frame for p in parts])
        if any(len(p.frame.columns) != len(frame.columns) for p in parts):
            # extra_N columns some chunks lack came back as NaN.
            frame = frame.astype(object).where(frame.notna(), None)
        return Chunk(frame, np.concatenate([p.lines for p in parts]), 0)


# --------------------------------------------------------------------------- small helpers


def _check_positive(name: str, value: int, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_on_ragged(on_ragged: str) -> None:
    if on_ragged not in ("error", "keep"):
        raise UnknownValueError("on_ragged option", on_ragged, ["error", "keep"])


def _unique_names(raw: Sequence[Any]) -> list[str]:
    """Header names: outer spaces removed, ``column_N`` for blanks, ``"X (2)"`` for repeats.

    Examples
    --------
    >>> _unique_names(["Email", " Email ", None, "Email (2)"])
    ['Email', 'Email (3)', 'column_3', 'Email (2)']
    """
    wanted = [
        (str(v).strip() if v is not None else "") or f"column_{i + 1}" for i, v in enumerate(raw)
    ]
    reserved = set(wanted)  # a later "Email (2)" keeps its own name
    names: list[str] = []
    taken: set[str] = set()
    for base in wanted:
        name, n = base, 1
        while name in taken or (name != base and name in reserved):
            n += 1
            name = f"{base} ({n})"
        names.append(name)
        taken.add(name)
    return names


def _extra_names(columns: Sequence[str], count: int) -> list[str]:
    """``extra_1`` ... ``extra_count``, skipping names the header already uses."""
    taken = set(columns)
    names: list[str] = []
    i = 0
    while len(names) < count:
        i += 1
        if f"extra_{i}" not in taken:
            names.append(f"extra_{i}")
    return names


def _is_label(value: Any) -> bool:
    return isinstance(value, str) and _NUMBER_LIKE.fullmatch(value) is None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _pick_header(records: Sequence[Sequence[Any]]) -> int:
    """Index of the header among the first non-blank records of a table.

    The header is the first record whose non-empty cells are mostly text labels and
    number at least half the modal count of non-empty cells (and two, unless the table has
    one column): title lines above it have one or two cells, while blank or merged header
    cells and short data rows must not disqualify it. Failing that, the first record with
    enough cells.

    Examples
    --------
    >>> _pick_header([["Export du 12/03/2024"], ["Nom", "Ville"], ["Blou", "Paris"]])
    1
    >>> _pick_header([["Liste", "", ""], ["Nom", "Adresse", ""], ["Blou", "3 rue X", "Paris"]])
    1
    """
    filled = [sum(not _is_blank(v) for v in r) for r in records]
    counts = Counter(filled)
    mode = max(counts, key=lambda k: (counts[k], k))
    need = min(mode, max(2, math.ceil(mode / 2)))
    for i, record in enumerate(records):
        cells = [v for v in record if not _is_blank(v)]
        if filled[i] >= need and sum(map(_is_label, cells)) > _MAX_LABEL_SHARE * len(cells):
            return i
    return next(i for i, k in enumerate(filled) if k >= need)


def _trim(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and _is_blank_cell(cells[end - 1]):
        end -= 1
    return cells[:end]


def _is_blank_cell(value: Any) -> bool:
    return value is None or value == ""


# --------------------------------------------------------------------------- progress


@contextlib.contextmanager
def _progress_bar(show: bool, total: int | None, unit: str, desc: str) -> Iterator[Any]:
    """A tqdm bar (notebook widget in Jupyter, text elsewhere), or ``None``."""
    if not show:
        yield None
        return
    with warnings.catch_warnings():
        # tqdm.auto warns when it falls back from the notebook widget; not our concern.
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm

        bar = tqdm(
            total=total, unit=unit, unit_scale=True, unit_divisor=1024 if unit == "B" else 1000,
            desc=desc, leave=False,
        )  # fmt: skip
    try:
        yield bar
    finally:
        bar.close()


# --------------------------------------------------------------------------- format


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
    if head.startswith(_ZIP_MAGIC) and _zip_has_workbook(path):
        return "xlsx"
    if _text_head(head).lstrip().upper().startswith("BEGIN:VCARD"):
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


def _text_head(head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return head.decode(name, errors="ignore")
    return head.decode("latin-1")


# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class _Encoding:
    name: str  # what TableSource.encoding reports
    codec: str  # what the bytes after the BOM are decoded with
    bom: int  # length of the byte-order mark the file starts with
    errors: str = "strict"
    # Lines of a UTF-8 file that are not UTF-8 (a row pasted from a cp1252 file): line
    # number -> the codec that line is read with instead. Empty for a file in one encoding.
    repaired: dict[int, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ascii_compatible(self) -> bool:
        """Whether ``\\n``, quotes and delimiters are single ASCII bytes (not UTF-16/32)."""
        return _ASCII_PROBE.encode(self.codec, errors="replace") == _ASCII_PROBE.encode()


def _canonical(encoding: str) -> str:
    return codecs.lookup(encoding).name


def _bom_of(head: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` for mostly-ASCII UTF-16 text without a BOM."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


# Control bytes that text does not hold (tab, line ends, form feed and ESC, which starts
# the colour codes some tools leave in cells, aside). A stray NUL or two in a text file is
# a cell's content, to be read; binary data (zip, image, executable) is full of them.
_BINARY_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"
_BINARY_CONTROL_SHARE = 0.1
_BINARY_MIN_CONTROLS = 3


def _reject_binary(head: bytes, where: str) -> None:
    for magic, what in _MAGIC_NAMES:
        if head.startswith(magic):
            hint = ""
            if magic in (_ZIP_MAGIC, _OLE_MAGIC):
                hint = "; read it as a workbook (format='xlsx') or export it as CSV"
            raise ImportFormatError(f"this is {what}, not a CSV text file{hint}", path=where)
    if _bom_of(head) is None and _utf16_without_bom(head) is None:
        controls = _count_of(head, _BINARY_CONTROLS)
        if controls >= _BINARY_MIN_CONTROLS and controls > _BINARY_CONTROL_SHARE * len(head):
            raise ImportFormatError(
                f"this is a binary file (NUL bytes and other control bytes make up "
                f"{controls / len(head):.0%} of its start), not a CSV text file",
                path=where,
            )


def _newline_of(text: str) -> str:
    return "\n" if "\n" in text or "\r" not in text else "\r"


def _first_bad_byte(path: Path, enc: _Encoding, newline: bytes) -> tuple[int, int, bool] | None:
    """Where ``path`` stops decoding with ``enc``: (byte offset, line, only cut short).

    ``None`` when the whole file decodes. The last item is True when the only problem is
    a character cut at the very end of the file.
    """
    decoder = codecs.getincrementaldecoder(enc.codec)(errors="strict")
    with path.open("rb") as fh:
        fh.seek(enc.bom)
        offset, line, carry = enc.bom, 1, b""
        while True:
            block = fh.read(_BLOCK_BYTES)
            data = carry + block
            if enc.ascii_compatible and block:
                # Decode whole lines only, so an error offset is exact within `data`.
                cut = data.rfind(newline) + 1
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            try:
                if enc.ascii_compatible:
                    codecs.decode(data, enc.codec, "strict")
                else:
                    text = decoder.decode(data, final=not block)
                    line += text.count(newline.decode())
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                at_end = not block and exc.end >= len(data) and "end of data" in exc.reason
                if enc.ascii_compatible:
                    line += data.count(newline, 0, exc.start)
                return bad, line, at_end
            if enc.ascii_compatible:
                line += data.count(newline)
            offset += len(data)
            if not block:
                return None


def _looks_chinese(sample: bytes) -> bool:
    """Whether ``sample`` reads as common Chinese text in GB18030.

    Western text is rarely valid GB18030 ("é," is not a GB18030 pair) and, when it is
    ("én" is), its pairs fall outside GB2312. Cyrillic cp1251 text can form GB2312 pairs,
    but mostly rare ones: real Chinese text is mostly level-1 (frequent) characters.
    """
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return False
    in_gb2312 = frequent = 0
    for char in wide:
        try:
            lead = char.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        in_gb2312 += 1
        frequent += lead <= 0xD7  # symbols (0xA1-0xA9) and level-1 hanzi (0xB0-0xD7)
    return in_gb2312 >= 0.9 * len(wide) and frequent >= 0.6 * len(wide)


def _isolated_share(text: str) -> float:
    """Share of non-ASCII characters with ASCII on both sides (accents in Western words)."""
    positions = [i for i, c in enumerate(text) if ord(c) > 0x7F]
    if not positions:
        return 1.0
    last = len(text) - 1
    isolated = sum(
        (i == 0 or ord(text[i - 1]) < 0x80) and (i == last or ord(text[i + 1]) < 0x80)
        for i in positions
    )
    return isolated / len(positions)


def _guess_legacy(sample: bytes) -> str:
    """The 8-bit or double-byte encoding of a sample that is not UTF-8."""
    if _looks_chinese(sample):
        return "gb18030"
    try:
        sample.decode("cp1252")
        western = "cp1252"
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252
        western = "latin-1"
    if _isolated_share(sample.decode(western)) >= 0.5:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and best.encoding in _OTHER_SCRIPTS:
        return str(best.encoding)
    return western


def _sample_at(path: Path, offset: int) -> bytes:
    """About 64 KiB of whole lines, from the start of the line holding ``offset``."""
    start = max(0, offset - 4096)
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read(_HEAD_BYTES)
    at_eof = len(data) < _HEAD_BYTES
    if start:
        cut = data.rfind(b"\n", 0, offset - start)
        data = data[cut + 1 :]
    end = data.rfind(b"\n")
    return data if at_eof or end < 0 else data[: end + 1]


# A two-byte-or-longer UTF-8 sequence starts this way: lines without one cannot be UTF-8
# text with accents, so only lines with one need decoding to be told apart.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_UTF8_LEADS = bytes(range(0xC0, 0x100))
# Non-ASCII bytes on non-UTF-8 lines after which, with no UTF-8 character seen, a file is
# taken for a legacy-encoded file without reading the rest.
_LEGACY_EVIDENCE = 64 * 1024
#: Source warnings are ``(line, field, value, message)``; encoding repairs use this field.
ENCODING_FIELD = "encoding"
_Note = tuple[int, str, Any, str]


def _count_of(data: bytes, members: bytes) -> int:
    """How many bytes of ``data`` are among ``members`` (at C speed)."""
    return len(data) - len(data.translate(None, members))


def _line_blocks(path: Path, start: int, newline: bytes) -> Iterator[tuple[int, int, bytes]]:
    """``(offset, first line, data)``: the file from ``start`` in blocks of whole lines."""
    with path.open("rb") as fh:
        fh.seek(start)
        offset, line, carry = start, 1, b""
        while True:
            block = fh.read(_BLOCK_BYTES)
            data = carry + block
            if block:
                cut = data.rfind(newline) + 1
                data, carry = data[:cut], data[cut:]
            if data:
                yield offset, line, data
                offset += len(data)
                line += data.count(newline)
            if not block:
                return


def _split_keep(data: bytes, newline: bytes) -> list[bytes]:
    """The lines of ``data``, each with its line end (the last one may have none)."""
    parts = data.split(newline)
    lines = [p + newline for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_evidence(path: Path, start: int, newline: bytes) -> tuple[int, int]:
    """(non-ASCII characters on valid UTF-8 lines, non-ASCII bytes on the other lines).

    Whole blocks are decoded at once; only a block that fails is looked at line by line,
    and then only its lines holding a UTF-8-like sequence. Stops early on a file with
    plenty of legacy bytes and not one UTF-8 character.
    """
    good = bad = 0
    for _, _, data in _line_blocks(path, start, newline):
        if _is_utf8(data):
            good += _count_of(data, _UTF8_LEADS)
        else:
            high = _count_of(data, _HIGH_BYTES)
            pos = 0
            while (found := _UTF8_MULTIBYTE.search(data, pos)) is not None:
                begin = data.rfind(newline, 0, found.start()) + 1
                end = data.find(newline, found.end())
                pos = len(data) if end < 0 else end + 1
                line = data[begin:pos]
                if _is_utf8(line):
                    good += _count_of(line, _UTF8_LEADS)
                    high -= _count_of(line, _HIGH_BYTES)
            bad += high
        if not good and bad >= _LEGACY_EVIDENCE:
            break
    return good, bad


def _non_utf8_lines(path: Path, start: int, newline: bytes) -> list[tuple[int, bytes]]:
    """``(line, raw bytes)`` of every line of ``path`` that is not valid UTF-8."""
    found: list[tuple[int, bytes]] = []
    for _, first, data in _line_blocks(path, start, newline):
        if _is_utf8(data):
            continue
        for number, raw in enumerate(_split_keep(data, newline), first):
            if not raw.isascii() and not _is_utf8(raw):
                found.append((number, raw))
    return found


def _line_codec(raw: bytes, legacy: str) -> str:
    """The first of ``legacy``, cp1252 and Latin-1 (which reads any byte) that reads ``raw``."""
    for codec in (legacy, "cp1252"):
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return "latin-1"


def _repair_lines(path: Path, name: str, bom: int, newline: bytes) -> tuple[_Encoding, list[_Note]]:
    """A UTF-8 file whose non-UTF-8 lines are each read with the legacy encoding they use.

    The legacy encoding is guessed from those lines only (cp1252 for Latin text, GB18030
    for Chinese ...), each line is checked with it (cp1252, then Latin-1, when it does not
    fit), and each one becomes a warning naming the line, so a stray row neither garbles
    the whole file nor passes unseen.
    """
    bad = _non_utf8_lines(path, bom, newline)
    # Chinese lines are told line by line (a GB2312 frequency test, reliable on one line);
    # the code page of the others is guessed on all of them together.
    chinese = {line for line, raw in bad if _looks_chinese(raw)}
    sample = b"".join(raw for line, raw in bad[:2000] if line not in chinese)[:_HEAD_BYTES]
    legacy = _guess_legacy(sample) if sample else "cp1252"
    repaired: dict[int, str] = {}
    notes: list[_Note] = []
    for line, raw in bad:
        codec = _line_codec(raw, "gb18030" if line in chinese else legacy)
        repaired[line] = codec
        text = raw.decode(codec).rstrip("\r\n")
        first = 0
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            first = exc.start
        notes.append((
            line,
            ENCODING_FIELD,
            text,
            f"line {line} is not valid UTF-8 like the rest of the file (byte "
            f"0x{raw[first]:02X}); read as {codec}: {shorten(text)}",
        ))  # fmt: skip
    return _Encoding(name, "utf-8", bom, repaired=repaired), notes


def _cut_short_note(line: int) -> _Note:
    return (
        line,
        ENCODING_FIELD,
        None,
        f"line {line}: the file ends inside a UTF-8 character (it was cut short); "
        "that character is shown as U+FFFD",
    )


def _detect(path: Path, head: bytes, newline: bytes) -> tuple[_Encoding, bool, list[_Note]]:
    """The encoding of ``path``, whether the whole file was checked with it, and warnings."""
    bom = _bom_of(head)
    if bom is not None:
        name, length = bom
        if name != "utf-8-sig":
            return _Encoding(name, name, 0), False, []
        # A BOM declares UTF-8: bytes that are not are lines to repair, whatever their share.
        utf8 = _Encoding(name, "utf-8", length)
        bad = _first_bad_byte(path, utf8, newline)
        if bad is None:
            return utf8, True, []
        if bad[2]:
            enc = _Encoding(name, "utf-8", length, errors="replace")
            return enc, True, [_cut_short_note(bad[1])]
        enc, notes = _repair_lines(path, name, length, newline)
        return enc, True, notes
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return _Encoding(utf16, utf16, 0), False, []
    utf8 = _Encoding("utf-8", "utf-8", 0)
    bad = _first_bad_byte(path, utf8, newline)
    if bad is None:
        return utf8, True, []
    offset, line, cut_short = bad
    if cut_short:
        # A UTF-8 file cut inside its last character: the rest is fine.
        enc = _Encoding("utf-8", "utf-8", 0, errors="replace")
        return enc, True, [_cut_short_note(line)]
    good, legacy = _utf8_evidence(path, 0, newline)
    if good and good >= legacy:
        # Mostly UTF-8 with a few legacy lines: reading it all as cp1252 would garble every
        # accent of the UTF-8 lines, silently.
        enc, notes = _repair_lines(path, "utf-8", 0, newline)
        return enc, True, notes
    name = _guess_legacy(_sample_at(path, offset))
    return _Encoding(name, name, 0), False, []


def _raw_newline(head: bytes) -> bytes:
    return b"\r" if b"\n" not in head and b"\r" in head else b"\n"


def _encoding_for(path: Path, head: bytes, encoding: str | None) -> tuple[_Encoding, list[_Note]]:
    """The encoding to read ``path`` with, checked on the whole file, and its warnings."""
    where = str(path)
    newline = _raw_newline(head)
    fallbacks: list[str] = []
    if encoding is None:
        enc, checked, notes = _detect(path, head, newline)
        if checked:
            return enc, notes
        if enc.name not in _NO_FALLBACK:
            fallbacks = [e for e in ("cp1252", "latin-1") if e != enc.name]
    else:
        try:
            codec = _canonical(encoding)
        except LookupError:
            raise ImportFormatError(f"unknown encoding {encoding!r}", path=where) from None
        bom = _bom_of(head)
        if codec in ("utf-8", "utf-8-sig"):
            length = 3 if bom is not None and bom[0] == "utf-8-sig" else 0
            enc = _Encoding("utf-8-sig" if length else "utf-8", "utf-8", length)
        else:
            enc = _Encoding(codec, codec, 0)
    while True:
        bad = _first_bad_byte(path, enc, newline)
        if bad is None:
            return enc, []
        if fallbacks:
            name = fallbacks.pop(0)
            enc = _Encoding(name, name, 0)
            continue
        offset, line, _ = bad
        with path.open("rb") as fh:
            fh.seek(offset)
            byte = fh.read(1)
        how = "the encoding asked for" if encoding is not None else "the encoding detected"
        raise ImportFormatError(
            f"byte 0x{byte.hex().upper()} at offset {offset} is not valid {enc.name} "
            f"({how}); pass the right one, e.g. encoding='utf-8', 'cp1252' or 'gb18030'",
            path=where,
            line=line,
        )


def detect_encoding(path: PathLike) -> str:
    """The encoding crmkit reads a CSV file with.

    ``"utf-8-sig"`` (UTF-8 with a BOM, as Excel writes "CSV UTF-8"), ``"utf-8"``,
    ``"utf-16"`` / ``"utf-32"`` (with a BOM), ``"cp1252"`` (Western Excel: French,
    Spanish, German ...), ``"gb18030"`` (Chinese Excel; reads GBK and GB2312 too),
    another legacy code page found by charset-normalizer, or ``"latin-1"`` as the last
    resort. The answer is checked against the whole file. A UTF-8 file with a few lines in
    a legacy encoding is ``"utf-8"``: :func:`read_table` reads those lines with their own
    encoding and lists them in :attr:`TableSource.warnings`.

    Raises
    ------
    ImportFormatError
        The file is empty, binary, or has bytes no candidate can decode.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "fr.csv").write_bytes("Nom;Société\\nBlou;Café Crème\\n".encode("cp1252"))
    >>> _ = (folder / "zh.csv").write_bytes("客户名称,城市\\n华为,深圳\\n".encode("gb18030"))
    >>> detect_encoding(folder / "fr.csv"), detect_encoding(folder / "zh.csv")
    ('cp1252', 'gb18030')
    """
    path = Path(path)
    head = _read_head(path)
    _reject_binary(head, str(path))
    return _encoding_for(path, head, None)[0].name


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head:
        raise ImportFormatError("the file is empty (0 bytes)", path=str(path))
    return head


# --------------------------------------------------------------------------- CSV layout


@dataclass(frozen=True)
class _Record:
    first_line: int
    last_line: int
    cells: list[str]
    unclosed: bool = False  # the text ends inside a quoted field (the last cell)

    @property
    def blank(self) -> bool:
        return all(not c for c in self.cells)


def _split_lines(text: str, newline: str) -> list[str]:
    parts = text.split(newline)
    lines = [p + newline for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# Fed to the csv module after the last line: it lands inside the last cell only when the
# text ends inside a quoted field (the csv module says nothing about that case).
_END_MARK = "\ue000crmkit:end\ue000"


def _parse_records(
    lines: Sequence[str], first_line: int, delimiter: str, *, mark_end: bool = False
) -> list[_Record]:
    """Records of ``lines`` with the physical lines each one spans.

    With ``mark_end``, a record cut by the end of ``lines`` inside a quoted field comes
    back with ``unclosed=True``.
    """
    source = itertools.chain(lines, [_END_MARK]) if mark_end else iter(lines)
    reader = csv.reader(source, delimiter=delimiter, quotechar='"', doublequote=True)
    records: list[_Record] = []
    done = 0
    with contextlib.suppress(csv.Error):  # a huge field: the records so far are enough
        for cells in reader:
            last = first_line + reader.line_num - 1
            if mark_end and cells == [_END_MARK]:
                break
            unclosed = mark_end and bool(cells) and cells[-1].endswith(_END_MARK)
            if unclosed:
                cells[-1] = cells[-1][: -len(_END_MARK)]
                last -= 1  # the mark's own line
            records.append(_Record(first_line + done, last, cells, unclosed))
            done = reader.line_num
    return records


def _row_width(records: Sequence[_Record]) -> int:
    """The usual number of cells of the records that span one line (0 when unclear)."""
    counts = Counter(len(r.cells) for r in records if r.first_line == r.last_line)
    counts.pop(1, None)
    counts.pop(0, None)
    return max(counts, key=lambda k: (counts[k], k)) if counts else 0


def _rows_inside(cell: str, newline: str, delimiter: str, widths: frozenset[int]) -> int:
    """How many whole lines inside ``cell`` look like rows of the file; 0 if one does not.

    A quote opened by mistake (``"rappeler lundi`` with no closing quote) makes the CSV
    parser read the next rows into that cell, up to the next quote in the file. The lines
    strictly inside the cell are then whole rows: each has one delimiter fewer than a row
    has cells (there can be no other quote on them). Blank lines say nothing either way;
    at least two delimiters in all are asked for, so that a two-column file whose notes
    have one comma a line is not refused on a single line.
    """
    inner = [p for p in cell.split(newline)[1:-1] if p.strip()]
    if not inner or not widths:
        return 0
    counts = [p.count(delimiter) for p in inner]
    if all(c + 1 in widths for c in counts) and sum(counts) >= 2:
        return len(inner)
    return 0


def _rows_inside_any(cell: str, newline: str, delimiters: Sequence[str]) -> int:
    """:func:`_rows_inside` when the width of the rows is not known (everything is in cells).

    The inner lines must then agree among themselves: at least two of them, all with the
    same number (one or more) of one of the ``delimiters``.
    """
    inner = [p for p in cell.split(newline)[1:-1] if p.strip()]
    if len(inner) < 2:
        return 0
    for delimiter in delimiters:
        counts = {p.count(delimiter) for p in inner}
        if len(counts) == 1 and min(counts) >= 1:
            return len(inner)
    return 0


def _quote_line(record: _Record, cell: int, newline: str) -> int:
    """The physical line where cell number ``cell`` of ``record`` starts."""
    return record.first_line + sum(c.count(newline) for c in record.cells[:cell])


def _unclosed_error(where: str, line: int, text: str) -> ImportFormatError:
    return ImportFormatError(
        "a quoted field that starts on this line is never closed: the file ends inside it "
        "(a closing quote is missing, or the file is cut short); the line starts "
        f"{shorten(text)}",
        path=where,
        line=line,
    )


def _rows_in_cell_error(where: str, line: int, text: str, count: int) -> ImportFormatError:
    return ImportFormatError(
        f"a quoted field that starts on this line runs over the next {count} line(s), which "
        "look like whole rows of the file: a closing quote is missing, and those rows would "
        f"end up inside one cell. The line starts {shorten(text)}; close the quote, or "
        'double a quote that is part of the value ("")',
        path=where,
        line=line,
    )


def _check_sample_quotes(
    lines: Sequence[str],
    first: int,
    records: Sequence[_Record],
    header: int | None,
    names: Sequence[str],
    delimiter: str,
    newline: str,
    where: str,
) -> None:
    """Refuse a sample (``lines``, from line ``first``) in which an open quote swallows rows.

    ``header`` is the index of the header among ``records`` (``None`` without a header).
    Data rows are held to the widths of the file, as the chunk reader holds them; the
    header and the lines above it, where the width may come from the broken record itself,
    to their inner lines agreeing among themselves.
    """
    width = _row_width(records)
    widths = frozenset(w for w in (width, len(names)) if w >= 2)
    candidates = [delimiter] if width >= 2 else list(_DELIMITERS)

    def text_of(line: int) -> str:
        return lines[line - first].rstrip("\r\n") if 0 <= line - first < len(lines) else ""

    for i, record in enumerate(records):
        if record.unclosed:
            line = _quote_line(record, len(record.cells) - 1, newline)
            raise _unclosed_error(where, line, text_of(line))
        if record.first_line == record.last_line:
            continue
        above = header is not None and i <= header
        for j, cell in enumerate(record.cells):
            if newline not in cell:
                continue
            count = _rows_inside(cell, newline, delimiter, widths)
            if not count and (above or not widths):
                count = _rows_inside_any(cell, newline, candidates)
            if count:
                line = _quote_line(record, j, newline)
                raise _rows_in_cell_error(where, line, text_of(line), count)


def _delimiter_score(lines: Sequence[str], delimiter: str) -> tuple[int, int, int]:
    """(records of the usual width, records whose quotes all parsed, that width).

    A cell left holding an odd number of quotes means the delimiter split a quoted field
    (``;`` inside ``"a;b"`` read with ``;``): such readings rank below clean ones.
    """
    records = [r for r in _parse_records(lines, 1, delimiter) if not r.blank]
    records = records[:_SNIFF_RECORDS]
    counts = Counter(len(r.cells) for r in records)
    counts.pop(1, None)
    if not counts:
        return (0, 0, 0)
    width = max(counts, key=lambda k: (counts[k], k))
    clean = sum(
        1 for r in records if len(r.cells) == width and all(c.count('"') % 2 == 0 for c in r.cells)
    )
    return (counts[width], clean, width)


def _sniff(lines: Sequence[str], preferred: str = ",") -> str:
    order = [preferred] + [d for d in _DELIMITERS if d != preferred]
    scores = {d: _delimiter_score(lines, d) for d in order}
    best = max(order, key=lambda d: scores[d])  # max keeps the first of equals
    return best if scores[best][0] else preferred


def sniff_delimiter(text: str, preferred: str = ",") -> str:
    """The delimiter of CSV text: ``,`` ``;`` tab or ``|``.

    Each candidate splits the first records (quotes respected, so a ``;`` inside a
    quoted field does not count); the one giving the same number of cells (more than one)
    to the most records wins, then the one giving more cells, then ``preferred``.

    Examples
    --------
    >>> sniff_delimiter('Nom;Adresse\\nBlou;"3, rue de la Paix"\\nRoy;"1, place Bellecour"\\n')
    ';'
    >>> sniff_delimiter("Nom\\tVille\\nBlou\\tParis\\n")
    '\\t'
    >>> sniff_delimiter("Nom\\nBlou\\n")
    ','
    """
    return _sniff(_split_lines(text, _newline_of(text))[:1000], preferred)


@dataclass(frozen=True)
class _CsvLayout:
    path: Path
    encoding: _Encoding
    newline: str
    delimiter: str
    columns: tuple[str, ...]
    header_line: int | None
    data_line: int
    extra_slots: int
    on_ragged: OnRagged
    row_widths: frozenset[int] = frozenset()  # cells in a row of this file (2 or more)
    notes: tuple[_Note, ...] = ()  # warnings found while reading the encoding


def _text_from_line(path: Path, enc: _Encoding, newline: str, line: int) -> tuple[list[str], bool]:
    """Lines of text from physical line ``line`` on (about 256 KiB), and whether EOF was hit."""
    if enc.repaired:
        return _repaired_text_from_line(path, enc, newline, line)
    codec = "utf-8-sig" if enc.name == "utf-8-sig" else enc.codec
    lines: list[str] = []
    size = 0
    with path.open("r", encoding=codec, errors="replace", newline=newline) as fh:
        for _ in range(line - 1):
            if not fh.readline():
                return [], True
        while size < _SNIFF_CHARS:
            text = fh.readline()
            if not text:
                return lines, True
            lines.append(text)
            size += len(text)
    return lines, False


def _decoded_lines(
    path: Path, enc: _Encoding, newline: bytes
) -> Generator[tuple[int, str], None, None]:
    """``(line, text)`` of a file with repaired lines, each read with its own codec."""
    for _, first, data in _line_blocks(path, enc.bom, newline):
        for number, raw in enumerate(_split_keep(data, newline), first):
            codec = enc.repaired.get(number)
            if codec is None:
                yield number, raw.decode(enc.codec, enc.errors)
            else:
                yield number, raw.decode(codec)


def _repaired_text_from_line(
    path: Path, enc: _Encoding, newline: str, line: int
) -> tuple[list[str], bool]:
    """:func:`_text_from_line` for a file with repaired lines."""
    lines: list[str] = []
    size = 0
    with contextlib.closing(_decoded_lines(path, enc, newline.encode("ascii"))) as decoded:
        for number, text in decoded:
            if number < line:
                continue
            if size >= _SNIFF_CHARS:
                return lines, False
            lines.append(text)
            size += len(text)
    return lines, True


def _csv_layout(
    path: Path,
    *,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    skip_rows: int,
    on_ragged: OnRagged,
) -> _CsvLayout:
    where = str(path)
    head = _read_head(path)
    _reject_binary(head, where)
    enc, notes = _encoding_for(path, head, encoding)
    newline = _newline_of(head[enc.bom : enc.bom + 8192].decode(enc.codec, errors="replace"))
    first = header_row if header_row else skip_rows + 1
    lines, at_eof = _text_from_line(path, enc, newline, first)
    if delimiter is None:
        preferred = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        delimiter = _sniff(lines[:200], preferred)
    elif len(delimiter) != 1 or delimiter in '\r\n"':
        raise ValidationError(f"delimiter must be one character (not a quote), got {delimiter!r}")
    sample = _parse_records(lines, first, delimiter, mark_end=at_eof)
    records = list(sample)
    if not at_eof and len(records) > 1:
        records.pop()  # may be cut by the end of the sample
    filled = [r for r in records if not r.blank]
    if not filled:
        _check_sample_quotes(lines, first, sample, None, (), delimiter, newline, where)
        if header_row or skip_rows:
            raise ImportFormatError(f"no rows from line {first} on", path=where, line=first)
        raise ImportFormatError("the file has no rows (only blank lines)", path=where)
    header: _Record | None = None
    if header_row == 0:
        width = max(len(_trim(list(r.cells))) for r in filled)
        names = [f"column_{i + 1}" for i in range(width)]
        header_line, data_line, data = None, first, filled
    else:
        if header_row is not None:
            header = records[0]
            if header.blank:
                raise ImportFormatError(
                    "the header row asked for (header_row) is blank", path=where, line=first
                )
        else:
            header = filled[_pick_header([r.cells for r in filled[:_SNIFF_RECORDS]])]
        cells = list(header.cells)
        if header.first_line == 1 and cells and enc.name != "utf-8-sig":
            cells[0] = cells[0].lstrip("\ufeff")
        names = _unique_names(_trim(cells))
        if not names:
            raise ImportFormatError("the header row is empty", path=where, line=header.first_line)
        header_line, data_line = header.first_line, header.last_line + 1
        data = [r for r in filled if r.first_line > header.last_line]
    # Before anything is read: a quote left open must not pass for a header or a cell.
    at = None if header is None else [r.first_line for r in sample].index(header.first_line)
    _check_sample_quotes(lines, first, sample, at, names, delimiter, newline, where)
    widest = max((len(r.cells) for r in data), default=0)
    return _CsvLayout(
        path=path,
        encoding=enc,
        newline=newline,
        delimiter=delimiter,
        columns=tuple(names),
        header_line=header_line,
        data_line=data_line,
        extra_slots=max(1, widest - len(names)),
        on_ragged=on_ragged,
        row_widths=frozenset(w for w in (_row_width(sample), len(names)) if w >= 2),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- CSV rows


def _line_offset(path: Path, line: int, newline: bytes, start: int, start_line: int) -> int:
    """Byte offset where physical line ``line`` starts, counting from a known line start."""
    remaining = line - start_line
    if remaining <= 0:
        return start
    with path.open("rb") as fh:
        fh.seek(start)
        pos = start
        while block := fh.read(_BLOCK_BYTES):
            found = block.count(newline)
            if found < remaining:
                remaining -= found
                pos += len(block)
                continue
            at = -1
            for _ in range(remaining):
                at = block.index(newline, at + 1)
            return pos + at + 1
        return pos


def _breaks_per_cell(texts: np.ndarray, joined: str, newline: str) -> np.ndarray:
    """How many ``newline`` characters each of ``texts`` holds (``joined`` is their concat)."""
    ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)))
    # Code points as an array: the line breaks are found and binned without a Python loop.
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    at = np.flatnonzero(points == ord(newline))
    return np.bincount(np.searchsorted(ends, at, side="right"), minlength=len(texts))


@dataclass(frozen=True)
class _RowsInCell:
    """A cell whose inner lines look like rows: a quote left open (see :func:`_rows_inside`)."""

    line: int  # where the cell (its opening quote) starts
    count: int  # whole lines inside it that look like rows


def _cells_and_lines(
    raw: pd.DataFrame,
    start_line: int,
    newline: str,
    layout: _CsvLayout | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, int, _RowsInCell | None]:
    """Object columns (``None`` for empty), filled masks, record lines, the next line.

    With ``layout``, also the first cell that holds rows of the file (a quote left open),
    else ``None``.
    """
    n = len(raw)
    spans = np.ones(n, dtype=np.int64)
    arrays: list[np.ndarray] = []
    masks: list[np.ndarray] = []
    # Per column with line breaks: (column, its filled mask, breaks of each filled cell).
    broken: list[tuple[int, np.ndarray, np.ndarray]] = []
    for j in range(raw.shape[1]):
        values = raw.iloc[:, j].to_numpy(dtype=object, copy=True)
        # "": an empty cell; NaN: a cell absent from a short row
        missing = (values == "") | (values != values)
        filled = ~missing
        texts = values[filled]
        joined = "".join(texts)  # one C-level scan finds whether any cell spans lines
        if newline in joined:
            breaks = _breaks_per_cell(texts, joined, newline)
            spans[filled] += breaks
            broken.append((j, filled, breaks))
        values[missing] = None
        arrays.append(values)
        masks.append(filled)
    starts = np.empty(n, dtype=np.int64)
    if n:
        starts[0] = start_line
        np.cumsum(spans[:-1], out=starts[1:])
        starts[1:] += start_line
    found = _first_rows_in_cell(arrays, broken, starts, newline, layout) if layout else None
    return arrays, masks, starts, start_line + int(spans.sum()), found


def _first_rows_in_cell(
    arrays: list[np.ndarray],
    broken: list[tuple[int, np.ndarray, np.ndarray]],
    starts: np.ndarray,
    newline: str,
    layout: _CsvLayout,
) -> _RowsInCell | None:
    """The first cell (by line) whose inner lines look like rows of the file."""
    if not broken:
        return None
    # Line breaks of the cells left of each cell, so a cell's own first line is known.
    before = np.zeros(len(starts), dtype=np.int64)
    best: _RowsInCell | None = None
    for j, filled, breaks in broken:
        rows = np.flatnonzero(filled)
        # Only a cell with two breaks or more has a whole line inside it.
        for k in np.flatnonzero(breaks >= 2):
            row = int(rows[k])
            cell = arrays[j][row]
            count = _rows_inside(cell, newline, layout.delimiter, layout.row_widths)
            if not count and not layout.row_widths:
                count = _rows_inside_any(cell, newline, [layout.delimiter])
            line = int(starts[row] + before[row])
            if count and (best is None or line < best.line):
                best = _RowsInCell(line, count)
        before[rows] += breaks
    return best


def _ragged_error(
    where: str, line: int, width: int, count: int, extra_values: Sequence[Any], place: str
) -> ImportFormatError:
    shown = ", ".join(repr(v) for v in extra_values[:3])
    hint = " (a delimiter inside a value needs quotes)" if place == "line" else ""
    return ImportFormatError(
        f"{place} {line} has {count} cells but the header has {width}; the cells past the "
        f"header hold {shown}. Fix the {place}{hint}, or pass on_ragged='keep' to keep "
        f"them in columns extra_1, extra_2 ...",
        path=where,
        line=line,
    )


def _make_chunk(
    columns: Sequence[str],
    arrays: list[np.ndarray],
    masks: list[np.ndarray],
    lines: np.ndarray,
    start_row: int,
    on_ragged: OnRagged,
    where: str,
    place: str = "line",
) -> Chunk | None:
    """A chunk from full-width columns (header columns first, then spare ones)."""
    keep = np.logical_or.reduce(masks) if masks else np.zeros(len(lines), dtype=bool)
    if not keep.all():
        arrays = [a[keep] for a in arrays]
        masks = [m[keep] for m in masks]
        lines = lines[keep]
    if not len(lines):
        return None
    width = len(columns)
    spare = masks[width:]
    used = [i for i, m in enumerate(spare) if m.any()]
    if used and on_ragged == "error":
        over = np.logical_or.reduce([spare[i] for i in used])
        row = int(np.argmax(over))
        count = max(i for i in range(len(masks)) if masks[i][row]) + 1
        extras = [arrays[width + i][row] for i in range(len(spare)) if spare[i][row]]
        raise _ragged_error(where, int(lines[row]), width, count, extras, place)
    n_extra = max(used) + 1 if used else 0
    names = [*columns, *_extra_names(columns, n_extra)]
    frame = pd.DataFrame(
        dict(zip(names, arrays[: width + n_extra], strict=True)), dtype=object, copy=False
    )
    frame.index = pd.RangeIndex(start_row, start_row + len(frame))
    return Chunk(frame, lines, start_row)


def _transcode(source: Path, enc: _Encoding, target: Path) -> None:
    """Write ``source`` as UTF-8 (for UTF-16/32 files, whose line ends are not 0x0A)."""
    with (
        source.open("r", encoding=enc.codec, errors=enc.errors, newline="") as src,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        while text := src.read(_BLOCK_BYTES):
            out.write(text)


def _transcode_repaired(source: Path, enc: _Encoding, target: Path, newline: bytes) -> None:
    """Write ``source`` as UTF-8, each repaired line decoded with its own codec.

    Blocks without a repaired line are decoded at once; the line numbers stay the same.
    """
    numbers = sorted(enc.repaired)
    with target.open("wb") as out:
        for _, first, data in _line_blocks(source, enc.bom, newline):
            last = first + data.count(newline)
            at = bisect.bisect_left(numbers, first)
            if at == len(numbers) or numbers[at] > last:
                if enc.codec == "utf-8" and enc.errors == "strict":
                    out.write(data)  # checked whole at detection
                else:
                    out.write(data.decode(enc.codec, enc.errors).encode("utf-8"))
                continue
            for number, raw in enumerate(_split_keep(data, newline), first):
                codec = enc.repaired.get(number)
                text = raw.decode(enc.codec, enc.errors) if codec is None else raw.decode(codec)
                out.write(text.encode("utf-8"))


def _csv_chunks(layout: _CsvLayout, chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
    with contextlib.ExitStack() as stack:
        path, enc = layout.path, layout.encoding
        if not enc.ascii_compatible or enc.repaired:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="crmkit-")))
            path = folder / "utf8.csv"
            if enc.repaired:
                _transcode_repaired(layout.path, enc, path, layout.newline.encode("ascii"))
            else:
                _transcode(layout.path, enc, path)
            enc = _Encoding("utf-8", "utf-8", 0)
        size = path.stat().st_size
        show = size >= _AUTO_PROGRESS_CSV_BYTES if progress is None else progress
        bar = stack.enter_context(_progress_bar(show, size, "B", layout.path.name))
        newline = layout.newline.encode("ascii")
        line = layout.data_line
        offset = _line_offset(path, line, newline, enc.bom, 1)
        slots = layout.extra_slots
        start_row = 0
        while offset < size:
            restart = yield from _csv_run(
                layout, path, enc, offset, line, slots, chunk_rows, start_row, bar
            )
            if restart is None:
                return
            # More cells than spare columns: read again from the unread chunk, wider.
            line, slots, start_row = restart
            offset = _line_offset(path, line, newline, enc.bom, 1)


def _read_csv(layout: _CsvLayout, handle: Any, enc: _Encoding, slots: int, **options: Any) -> Any:
    names = [f"\x00{i}" for i in range(len(layout.columns) + slots)]
    return pd.read_csv(
        handle,
        sep=layout.delimiter,
        header=None,
        names=names,
        index_col=False,
        dtype=object,
        na_filter=False,  # empty cells come as "" (faster); _cells_and_lines makes them None
        skip_blank_lines=False,
        quotechar='"',
        doublequote=True,
        encoding=enc.codec,
        encoding_errors=enc.errors,
        engine="c",
        **options,
    )


def _strict_pandas(step: Callable[[], Any]) -> Any:
    """``step()``, with pandas' warning that it dropped cells turned into an error.

    A first row with exactly one cell more than the names is taken by pandas for an index
    column; with ``index_col=False`` it then drops the last cell with a mere
    ``ParserWarning``. As an error, it calls for one more spare column instead. (Scoped to
    the pandas call: a filter set across the generator's ``yield`` would leak to the caller.)
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", _INDEX_GUESS, pd.errors.ParserWarning)
        return step()


def _csv_run(
    layout: _CsvLayout,
    path: Path,
    enc: _Encoding,
    offset: int,
    line: int,
    slots: int,
    chunk_rows: int,
    start_row: int,
    bar: Any,
) -> Generator[Chunk, None, tuple[int, int, int] | None]:
    """Read from ``offset`` (line ``line``) to the end, or until more spare columns are needed.

    Returns ``None`` at the end of the file, or ``(line, slots, start_row)`` to start again
    at the first unread record with ``slots`` spare columns.
    """
    where = str(layout.path)
    newline = layout.newline.encode("ascii")
    run_offset, run_line = offset, line
    seen = 0  # records pandas has handed out since `offset`
    with path.open("rb") as handle, contextlib.ExitStack() as stack:
        handle.seek(offset)
        reader: Any = None
        while True:
            try:
                if reader is None:
                    # pandas reads the first rows as soon as the reader is made: its errors
                    # there (an open quote on the first row ...) are handled as later ones.
                    reader = stack.enter_context(
                        _strict_pandas(
                            lambda: _read_csv(layout, handle, enc, slots, chunksize=chunk_rows)
                        )
                    )
                raw = _strict_pandas(functools.partial(next, reader, None))
            except pd.errors.ParserWarning:
                return line, slots + 1, start_row
            except pd.errors.ParserError as exc:
                message = str(exc)
                wider = _EXPECTED_FIELDS.search(message)
                if wider is not None:
                    needed = int(wider.group(3)) - len(layout.columns)
                    return line, max(needed, slots + 1), start_row
                unclosed = _EOF_IN_QUOTES.search(message)
                if unclosed is not None:
                    before = int(unclosed.group(1)) - seen
                    at = _skip_records(layout, path, enc, line, slots, before)
                    at = _open_quote_line(layout, path, enc, at)
                    text = _line_text(path, enc, newline, at, (run_offset, run_line))
                    raise _unclosed_error(where, at, text) from None
                raise ImportFormatError(
                    f"cannot read the CSV at or after this line: {shorten(message, 200)}",
                    path=where,
                    line=line,
                ) from None
            except UnicodeDecodeError as exc:  # pragma: no cover - encoding is pre-checked
                raise ImportFormatError(
                    f"undecodable bytes at or after this line: {exc}", path=where, line=line
                ) from None
            if raw is None:
                return None
            seen += len(raw)
            arrays, masks, lines, line, swallowed = _cells_and_lines(
                raw, line, layout.newline, layout
            )
            if swallowed is not None:
                at = swallowed.line
                text = _line_text(path, enc, newline, at, (run_offset, run_line))
                raise _rows_in_cell_error(where, at, text, swallowed.count)
            chunk = _make_chunk(
                layout.columns, arrays, masks, lines, start_row, layout.on_ragged, where
            )
            if bar is not None and handle.tell() > bar.n:
                # Absolute, so a restart does not count bytes twice.
                bar.update(handle.tell() - bar.n)
            if chunk is not None:
                start_row += len(chunk)
                yield chunk


def _skip_records(
    layout: _CsvLayout, path: Path, enc: _Encoding, line: int, slots: int, count: int
) -> int:
    """The line after ``count`` records starting at ``line``."""
    if count <= 0:
        return line
    offset = _line_offset(path, line, layout.newline.encode("ascii"), enc.bom, 1)
    with path.open("rb") as handle:
        handle.seek(offset)
        try:
            raw = _read_csv(layout, handle, enc, slots, nrows=count)
        except pd.errors.ParserError:
            return line  # a wide row on the way: the chunk's first line is the best bound
    return _cells_and_lines(raw, line, layout.newline)[3]


def _line_text(
    path: Path, enc: _Encoding, newline: bytes, line: int, known: tuple[int, int]
) -> str:
    """The beginning of physical line ``line``; ``known`` is a line start: (offset, line)."""
    offset = _line_offset(path, line, newline, *known)
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(400)
    end = data.find(newline)
    return data[: end if end >= 0 else len(data)].decode(enc.codec, errors="replace")


def _open_quote_line(layout: _CsvLayout, path: Path, enc: _Encoding, line: int) -> int:
    """The line where the quoted field left open in the record starting at ``line`` opens."""
    lines, _ = _text_from_line(path, enc, layout.newline, line)
    records = _parse_records(lines, line, layout.delimiter, mark_end=True)
    if records and records[0].unclosed:
        return _quote_line(records[0], len(records[0].cells) - 1, layout.newline)
    return line


def _csv_source(
    path: Path,
    *,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    skip_rows: int,
    on_ragged: OnRagged,
) -> TableSource:
    layout = _csv_layout(
        path,
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        skip_rows=skip_rows,
        on_ragged=on_ragged,
    )

    def reader(chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
        return _csv_chunks(layout, chunk_rows, progress)

    return TableSource(
        kind="csv",
        columns=layout.columns,
        path=str(path),
        encoding=layout.encoding.name,
        delimiter=layout.delimiter,
        header_line=layout.header_line,
        line_label="line",
        warnings=layout.notes,
        _reader=reader,
    )


# --------------------------------------------------------------------------- XLSX


_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, SyntaxError)

#: Largest uncompressed size of a workbook part that openpyxl reads whole into memory
#: (shared strings, styles, the workbook ...): a shared-strings table becomes a Python list
#: taking about four times its XML size.
XLSX_MAX_PART_BYTES = 256 * 1024 * 1024
#: Largest uncompressed size of a worksheet part, which is streamed row by row (a sheet of
#: a million rows and twenty columns is about a gigabyte of XML).
XLSX_MAX_SHEET_BYTES = 4 * 1024 * 1024 * 1024
#: Largest compression ratio (uncompressed / compressed) of a part bigger than
#: :data:`XLSX_RATIO_FLOOR_BYTES`. Real workbook XML compresses 5 to 30 times; a zip bomb
#: a thousand times.
XLSX_MAX_RATIO = 100
#: Parts up to this uncompressed size are not held to :data:`XLSX_MAX_RATIO`: a tiny part
#: of repeated markup compresses very well and is harmless.
XLSX_RATIO_FLOOR_BYTES = 8 * 1024 * 1024
_SHEET_PART = re.compile(r"xl/(?:worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml")


def _check_workbook_parts(path: Path) -> None:
    """Refuse a workbook whose parts would expand to more than memory can take.

    The sizes come from the ZIP's central directory, before anything is decompressed.
    They cannot be understated to sneak a bomb through: :mod:`zipfile` stops reading a
    part at its recorded size, and the CRC check then fails on the cut data.
    """
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ImportFormatError(
            f"the workbook is damaged or truncated and cannot be opened ({exc})", path=where
        ) from None
    for info in infos:
        size = info.file_size
        streamed = _SHEET_PART.fullmatch(info.filename) is not None
        cap = XLSX_MAX_SHEET_BYTES if streamed else XLSX_MAX_PART_BYTES
        if size > cap:
            raise ImportFormatError(
                f"the workbook part {shorten(info.filename)} would expand to {size:,} bytes, "
                f"more than the {cap:,} crmkit reads; split the workbook or export it as CSV",
                path=where,
            )
        ratio = size / max(info.compress_size, 1)
        if size > XLSX_RATIO_FLOOR_BYTES and ratio > XLSX_MAX_RATIO:
            raise ImportFormatError(
                f"the workbook part {shorten(info.filename)} expands {ratio:,.0f} times "
                f"(from {info.compress_size:,} to {size:,} bytes): a zip bomb, not a "
                f"spreadsheet (real workbooks expand less than {XLSX_MAX_RATIO} times)",
                path=where,
            )


@contextlib.contextmanager
def _quiet_openpyxl() -> Iterator[None]:
    with warnings.catch_warnings():
        # Styles, data validation, extensions openpyxl cannot keep: irrelevant to values.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        yield


@contextlib.contextmanager
def _open_workbook(path: Path) -> Iterator[Any]:
    import openpyxl

    where = str(path)
    with path.open("rb") as handle:
        magic = handle.read(8)
        handle.seek(0)
        if not magic:
            raise ImportFormatError("the file is empty (0 bytes)", path=where)
        if magic.startswith(_OLE_MAGIC):
            raise ImportFormatError(
                "this is an old Excel 97-2003 .xls workbook, which crmkit cannot read; "
                "open it in Excel and save it as .xlsx or CSV",
                path=where,
            )
        if not magic.startswith(b"PK"):
            what = "text (a CSV file?)" if b"\x00" not in magic else "some other binary file"
            raise ImportFormatError(
                f"not an Excel workbook: the file is not a ZIP archive but {what}", path=where
            )
        _check_workbook_parts(path)
        try:
            with _quiet_openpyxl():
                book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except KeyError as exc:
            raise ImportFormatError(
                f"not an Excel workbook: a ZIP archive without the workbook parts ({exc})",
                path=where,
            ) from None
        except (*_DAMAGED, ValueError, TypeError) as exc:
            raise ImportFormatError(
                f"the workbook is damaged or truncated and cannot be opened ({exc})",
                path=where,
            ) from None
        try:
            yield book
        finally:
            book.close()


def _pick_sheet(book: Any, sheet: str | int, where: str) -> Any:
    titles = [ws.title for ws in book.worksheets]
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise ValidationError(f"sheet must be a name or a 0-based index, got {sheet!r}")
    if isinstance(sheet, int):
        if not -len(titles) <= sheet < len(titles):
            raise ImportFormatError(
                f"no sheet at index {sheet}: the workbook has {len(titles)} sheet(s) "
                f"({', '.join(repr(t) for t in titles)})",
                path=where,
            )
        return book.worksheets[sheet]
    if sheet in titles:
        return book.worksheets[titles.index(sheet)]
    folded = {t.casefold().strip(): t for t in titles}
    if sheet.casefold().strip() in folded:
        return book.worksheets[titles.index(folded[sheet.casefold().strip()])]
    hint = closest(sheet, titles)
    guess = f" Did you mean {hint!r}?" if hint else ""
    raise ImportFormatError(
        f"no sheet named {sheet!r}.{guess} The sheets are: {', '.join(repr(t) for t in titles)}",
        path=where,
    )


def _cell_value(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, datetime) and value.time() == _MIDNIGHT and value.tzinfo is None:
        return value.date()
    return value


def _sheet_rows(
    ws: Any, where: str, batch: int
) -> Generator[list[tuple[int, list[Any]]], None, None]:
    """Lists of (Excel row number, trimmed cells), ``batch`` rows read at a time."""
    # Writers often record a stale or oversized dimension: ignore it and read what is there.
    ws.reset_dimensions()
    rows = iter(ws.iter_rows(min_row=1, min_col=1, values_only=True))
    number = 0
    while True:
        out: list[tuple[int, list[Any]]] = []
        try:
            with _quiet_openpyxl():
                for values in rows:
                    number += 1
                    out.append((number, _trim([_cell_value(v) for v in values])))
                    if len(out) >= batch:
                        break
        except (*_DAMAGED, ValueError) as exc:
            raise ImportFormatError(
                f"the workbook is damaged or truncated; reading stopped after row {number} ({exc})",
                path=where,
                line=number + 1,
            ) from None
        if out:
            yield out
        if len(out) < batch:
            return


@dataclass(frozen=True)
class _XlsxLayout:
    path: Path
    sheet: str
    columns: tuple[str, ...]
    header_line: int | None
    data_row: int
    on_ragged: OnRagged


def _xlsx_source(
    path: Path,
    *,
    sheet: str | int,
    header_row: int | None,
    skip_rows: int,
    on_ragged: OnRagged,
) -> TableSource:
    where = str(path)
    first = header_row if header_row else skip_rows + 1
    sample: list[tuple[int, list[Any]]] = []
    with _open_workbook(path) as book:
        ws = _pick_sheet(book, sheet, where)
        title, titles = ws.title, tuple(w.title for w in book.worksheets)
        with contextlib.closing(_sheet_rows(ws, where, 256)) as batches:
            for batch in batches:
                for number, cells in batch:
                    if number >= first and (cells or number == header_row):
                        sample.append((number, cells))
                if len(sample) >= _SNIFF_RECORDS:
                    break
    if not sample:
        raise ImportFormatError(
            f"sheet {title!r} has no rows" + (f" from row {first} on" if first > 1 else ""),
            path=where,
        )
    if header_row == 0:
        width = max(len(cells) for _, cells in sample)
        columns = tuple(f"column_{i + 1}" for i in range(width))
        header_line, data_row = None, first
    else:
        if header_row is not None:
            number, cells = sample[0]
            if number != header_row or not cells:
                raise ImportFormatError(
                    f"row {header_row} of sheet {title!r} is empty; it cannot be the header",
                    path=where,
                    line=header_row,
                )
            picked = 0
        else:
            picked = _pick_header([cells for _, cells in sample[:_SNIFF_RECORDS]])
        header_line, cells = sample[picked]
        columns = tuple(_unique_names([_header_text(v) for v in cells]))
        data_row = header_line + 1
    layout = _XlsxLayout(path, title, columns, header_line, data_row, on_ragged)

    def reader(chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
        return _xlsx_chunks(layout, chunk_rows, progress)

    return TableSource(
        kind="xlsx",
        columns=columns,
        path=where,
        header_line=header_line,
        sheet=title,
        sheets=titles,
        line_label="row",
        _reader=reader,
    )


def _header_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_chunks(layout: _XlsxLayout, chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
    where = str(layout.path)
    size = layout.path.stat().st_size
    show = size >= _AUTO_PROGRESS_XLSX_BYTES if progress is None else progress
    with _open_workbook(layout.path) as book:
        ws = _pick_sheet(book, layout.sheet, where)
        # The recorded dimension (read before _sheet_rows drops it) is only an estimate.
        with _progress_bar(show, ws.max_row, "rows", layout.path.name) as bar:
            yield from _xlsx_rows_to_chunks(layout, ws, chunk_rows, bar)


def _xlsx_rows_to_chunks(
    layout: _XlsxLayout, ws: Any, chunk_rows: int, bar: Any
) -> Iterator[Chunk]:
    where = str(layout.path)
    rows: list[list[Any]] = []
    lines: list[int] = []
    start_row = 0
    for batch in _sheet_rows(ws, where, min(chunk_rows, 10_000)):
        for number, cells in batch:
            if number >= layout.data_row and cells:
                rows.append(cells)
                lines.append(number)
        if bar is not None:
            bar.update(len(batch))
        while len(rows) >= chunk_rows:
            chunk = _rows_chunk(layout, rows[:chunk_rows], lines[:chunk_rows], start_row)
            del rows[:chunk_rows], lines[:chunk_rows]
            start_row += len(chunk)
            yield chunk
    if rows:
        yield _rows_chunk(layout, rows, lines, start_row)


def _rows_chunk(
    layout: _XlsxLayout, rows: list[list[Any]], lines: list[int], start_row: int
) -> Chunk:
    widest = max(len(r) for r in rows)
    total = max(widest, len(layout.columns))
    arrays = [np.empty(len(rows), dtype=object) for _ in range(total)]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            arrays[j][i] = value
    masks = [a != None for a in arrays]  # noqa: E711 - element-wise on object arrays
    chunk = _make_chunk(
        layout.columns,
        arrays,
        masks,
        np.asarray(lines, dtype=np.int64),
        start_row,
        layout.on_ragged,
        str(layout.path),
        "Excel row",
    )
    assert chunk is not None  # blank rows were left out before
    return chunk


# --------------------------------------------------------------------------- DataFrames


def _is_polars(obj: Any, name: str) -> bool:
    module = sys.modules.get("polars")
    return module is not None and isinstance(obj, getattr(module, name))


def _pandas_columns(frame: pd.DataFrame) -> list[np.ndarray]:
    arrays = []
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        values = column.to_numpy(dtype=object, copy=True)
        missing = pd.isna(values)
        if missing.any():
            values[missing] = None
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            values = np.array(
                [v.to_pydatetime() if v is not None else None for v in values], dtype=object
            )
        arrays.append(values)
    return arrays


def _polars_columns(frame: pl.DataFrame) -> list[np.ndarray]:
    arrays = []
    for values in frame.to_dict(as_series=False).values():
        array = np.empty(len(values), dtype=object)
        array[:] = [None if isinstance(v, float) and v != v else v for v in values]
        arrays.append(array)
    return arrays


def _frame_source(source: Any) -> TableSource:
    lazy = _is_polars(source, "LazyFrame")
    if lazy:
        raw_names: list[Any] = list(source.collect_schema().names())
    else:
        raw_names = list(source.columns)
    columns = tuple(_unique_names([str(c) for c in raw_names]))
    n_rows = None if lazy else len(source)

    def reader(chunk_rows: int, progress: bool | None) -> Iterator[Chunk]:
        return _frame_chunks(source, columns, chunk_rows, bool(progress))

    return TableSource(
        kind="frame", columns=columns, n_rows=n_rows, line_label="row", _reader=reader
    )


def _frame_chunks(
    source: Any, columns: tuple[str, ...], chunk_rows: int, progress: bool
) -> Iterator[Chunk]:
    frame = source.collect() if _is_polars(source, "LazyFrame") else source
    polars = _is_polars(frame, "DataFrame")
    total = len(frame)
    with _progress_bar(progress, total, "rows", "DataFrame") as bar:
        for start in range(0, total, chunk_rows):
            if polars:
                arrays = _polars_columns(frame.slice(start, chunk_rows))
            else:
                arrays = _pandas_columns(frame.iloc[start : start + chunk_rows])
            n = len(arrays[0]) if arrays else min(chunk_rows, total - start)
            part = pd.DataFrame(dict(zip(columns, arrays, strict=True)), dtype=object, copy=False)
            part.index = pd.RangeIndex(start, start + n)
            if bar is not None:
                bar.update(n)
            yield Chunk(part, np.arange(start + 1, start + n + 1, dtype=np.int64), start)


# --------------------------------------------------------------------------- entry points


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
    _check_positive("skip_rows", skip_rows, minimum=0)
    if header_row is not None:
        _check_positive("header_row", header_row, minimum=0)
    if isinstance(source, pd.DataFrame) or _is_polars(source, "DataFrame"):
        return _frame_source(source)
    if _is_polars(source, "LazyFrame"):
        return _frame_source(source)
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
        return _csv_source(
            path,
            encoding=encoding,
            delimiter=delimiter,
            header_row=header_row,
            skip_rows=skip_rows,
            on_ragged=on_ragged,
        )
    if format == "xlsx":
        return _xlsx_source(
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
