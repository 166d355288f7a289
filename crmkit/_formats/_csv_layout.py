"""How to read a CSV file, decided once: encoding, line end, delimiter, header, columns.

:func:`csv_layout` reads the start of the file (about 256 KiB of text from the first line
asked for), detects or checks the encoding on the whole file, sniffs the delimiter, finds
the header (title lines and blank lines above it are skipped), names the columns, and
refuses a quoted field left open in that sample before anything is read.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from crmkit._exceptions import ImportFormatError, ValidationError
from crmkit._formats._csv_quotes import check_sample_quotes
from crmkit._formats._csv_sniff import Record, parse_records, row_width, sniff
from crmkit._formats._encoding import Encoding, decoded_lines, encoding_for
from crmkit._formats._header import SNIFF_RECORDS, pick_header, trim, unique_names
from crmkit._formats._lines import newline_of
from crmkit._formats._magic import read_head, reject_binary
from crmkit._formats._table import OnRagged, SourceNote

__all__ = ["CsvLayout", "csv_layout", "text_from_line"]

_SNIFF_CHARS = 256 * 1024  # text read to find the delimiter and the header


@dataclass(frozen=True)
class CsvLayout:
    path: Path
    encoding: Encoding
    newline: str
    delimiter: str
    columns: tuple[str, ...]
    header_line: int | None
    data_line: int
    extra_slots: int
    on_ragged: OnRagged
    row_widths: frozenset[int] = frozenset()  # cells in a row of this file (2 or more)
    notes: tuple[SourceNote, ...] = ()  # warnings found while reading the encoding


def text_from_line(path: Path, enc: Encoding, newline: str, line: int) -> tuple[list[str], bool]:
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


def _repaired_text_from_line(
    path: Path, enc: Encoding, newline: str, line: int
) -> tuple[list[str], bool]:
    """:func:`text_from_line` for a file with repaired lines."""
    lines: list[str] = []
    size = 0
    with contextlib.closing(decoded_lines(path, enc, newline.encode("ascii"))) as decoded:
        for number, text in decoded:
            if number < line:
                continue
            if size >= _SNIFF_CHARS:
                return lines, False
            lines.append(text)
            size += len(text)
    return lines, True


def csv_layout(
    path: Path,
    *,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None,
    skip_rows: int,
    on_ragged: OnRagged,
) -> CsvLayout:
    where = str(path)
    head = read_head(path)
    reject_binary(head, where)
    enc, notes = encoding_for(path, head, encoding)
    newline = newline_of(head[enc.bom : enc.bom + 8192].decode(enc.codec, errors="replace"))
    first = header_row if header_row else skip_rows + 1
    lines, at_eof = text_from_line(path, enc, newline, first)
    if delimiter is None:
        preferred = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        delimiter = sniff(lines[:200], preferred)
    elif len(delimiter) != 1 or delimiter in '\r\n"':
        raise ValidationError(f"delimiter must be one character (not a quote), got {delimiter!r}")
    sample = parse_records(lines, first, delimiter, mark_end=at_eof)
    records = list(sample)
    if not at_eof and len(records) > 1:
        records.pop()  # may be cut by the end of the sample
    filled = [r for r in records if not r.blank]
    if not filled:
        check_sample_quotes(lines, first, sample, None, (), delimiter, newline, where)
        if header_row or skip_rows:
            raise ImportFormatError(f"no rows from line {first} on", path=where, line=first)
        raise ImportFormatError("the file has no rows (only blank lines)", path=where)
    header: Record | None = None
    if header_row == 0:
        width = max(len(trim(list(r.cells))) for r in filled)
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
            header = filled[pick_header([r.cells for r in filled[:SNIFF_RECORDS]])]
        cells = list(header.cells)
        if header.first_line == 1 and cells and enc.name != "utf-8-sig":
            cells[0] = cells[0].lstrip("\ufeff")
        names = unique_names(trim(cells))
        if not names:
            raise ImportFormatError("the header row is empty", path=where, line=header.first_line)
        header_line, data_line = header.first_line, header.last_line + 1
        data = [r for r in filled if r.first_line > header.last_line]
    # Before anything is read: a quote left open must not pass for a header or a cell.
    at = None if header is None else [r.first_line for r in sample].index(header.first_line)
    check_sample_quotes(lines, first, sample, at, names, delimiter, newline, where)
    widest = max((len(r.cells) for r in data), default=0)
    return CsvLayout(
        path=path,
        encoding=enc,
        newline=newline,
        delimiter=delimiter,
        columns=tuple(names),
        header_line=header_line,
        data_line=data_line,
        extra_slots=max(1, widest - len(names)),
        on_ragged=on_ragged,
        row_widths=frozenset(w for w in (row_width(sample), len(names)) if w >= 2),
        notes=tuple(notes),
    )
