"""Finding and naming the header of a table of raw cells (CSV records, Excel rows).

The header is the first record with about the modal number of non-empty cells that looks
like text labels, so title lines and blank lines above it are skipped
(:func:`pick_header`). Empty header cells are named ``column_N`` (N = 1-based position),
repeated names get ``" (2)"``, ``" (3)"`` ... (:func:`unique_names`). Trailing empty
cells do not count (:func:`trim`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["SNIFF_RECORDS", "pick_header", "trim", "unique_names"]

#: Non-blank records weighed to find the header.
SNIFF_RECORDS = 50
_MAX_LABEL_SHARE = 0.5

# Cells such as "12", "3,5", "2024-01-31", "+33 6 12", "45 %": values, not header labels.
_NUMBER_LIKE = re.compile(r"[\s\d.,:;/'%+\-−()€$£¥#]*\d[\s\d.,:;/'%+\-−()€$£¥#]*")


def unique_names(raw: Sequence[Any]) -> list[str]:
    """Header names: outer spaces removed, ``column_N`` for blanks, ``"X (2)"`` for repeats.

    Examples
    --------
    >>> unique_names(["Email", " Email ", None, "Email (2)"])
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


def _is_label(value: Any) -> bool:
    return isinstance(value, str) and _NUMBER_LIKE.fullmatch(value) is None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def pick_header(records: Sequence[Sequence[Any]]) -> int:
    """Index of the header among the first non-blank records of a table.

    The header is the first record whose non-empty cells are mostly text labels and
    number at least half the modal count of non-empty cells (and two, unless the table has
    one column): title lines above it have one or two cells, while blank or merged header
    cells and short data rows must not disqualify it. Failing that, the first record with
    enough cells.

    Examples
    --------
    >>> pick_header([["Export du 12/03/2024"], ["Nom", "Ville"], ["Blou", "Paris"]])
    1
    >>> pick_header([["Liste", "", ""], ["Nom", "Adresse", ""], ["Blou", "3 rue X", "Paris"]])
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


def trim(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and _is_blank_cell(cells[end - 1]):
        end -= 1
    return cells[:end]


def _is_blank_cell(value: Any) -> bool:
    return value is None or value == ""
