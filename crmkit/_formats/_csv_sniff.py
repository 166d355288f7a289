"""A sample of CSV text cut into records, and the delimiter that splits it best.

The delimiter is ``,`` ``;`` tab or ``|``, whichever splits the first records into the
most consistent number of cells (delimiters inside quotes do not count). Each record
keeps the physical lines it spans (a quoted field with line breaks makes a record span
several lines).
"""

from __future__ import annotations

import contextlib
import csv
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from crmkit._formats._header import SNIFF_RECORDS
from crmkit._formats._lines import newline_of, split_lines

__all__ = ["DELIMITERS", "Record", "parse_records", "row_width", "sniff", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Record:
    first_line: int
    last_line: int
    cells: list[str]
    unclosed: bool = False  # the text ends inside a quoted field (the last cell)

    @property
    def blank(self) -> bool:
        return all(not c for c in self.cells)


# Fed to the csv module after the last line: it lands inside the last cell only when the
# text ends inside a quoted field (the csv module says nothing about that case).
_END_MARK = "\ue000crmkit:end\ue000"


def parse_records(
    lines: Sequence[str], first_line: int, delimiter: str, *, mark_end: bool = False
) -> list[Record]:
    """Records of ``lines`` with the physical lines each one spans.

    With ``mark_end``, a record cut by the end of ``lines`` inside a quoted field comes
    back with ``unclosed=True``.
    """
    source = itertools.chain(lines, [_END_MARK]) if mark_end else iter(lines)
    reader = csv.reader(source, delimiter=delimiter, quotechar='"', doublequote=True)
    records: list[Record] = []
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
            records.append(Record(first_line + done, last, cells, unclosed))
            done = reader.line_num
    return records


def row_width(records: Sequence[Record]) -> int:
    """The usual number of cells of the records that span one line (0 when unclear)."""
    counts = Counter(len(r.cells) for r in records if r.first_line == r.last_line)
    counts.pop(1, None)
    counts.pop(0, None)
    return max(counts, key=lambda k: (counts[k], k)) if counts else 0


def _delimiter_score(lines: Sequence[str], delimiter: str) -> tuple[int, int, int]:
    """(records of the usual width, records whose quotes all parsed, that width).

    A cell left holding an odd number of quotes means the delimiter split a quoted field
    (``;`` inside ``"a;b"`` read with ``;``): such readings rank below clean ones.
    """
    records = [r for r in parse_records(lines, 1, delimiter) if not r.blank]
    records = records[:SNIFF_RECORDS]
    counts = Counter(len(r.cells) for r in records)
    counts.pop(1, None)
    if not counts:
        return (0, 0, 0)
    width = max(counts, key=lambda k: (counts[k], k))
    clean = sum(
        1 for r in records if len(r.cells) == width and all(c.count('"') % 2 == 0 for c in r.cells)
    )
    return (counts[width], clean, width)


def sniff(lines: Sequence[str], preferred: str = ",") -> str:
    order = [preferred] + [d for d in DELIMITERS if d != preferred]
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
    return sniff(split_lines(text, newline_of(text))[:1000], preferred)
