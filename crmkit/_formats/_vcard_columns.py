"""Build the vCards of a chunk column by column, with Arrow string kernels.

A bulk export spends its time on the same few steps for every card: escaping a value,
putting a property prefix before it, folding the rare line longer than 75 octets, and
joining the lines of a card. Here each step runs once over a whole column of the chunk
(``pyarrow.compute``: ``replace_substring``, ``binary_join_element_wise``,
``binary_length``), a missing value is a null, and a card's lines are joined with nulls
skipped, so an empty field gives no line. Only the lines over 75 octets are folded in
Python (:func:`~crmkit._formats._vcard_text.fold`, which never splits a UTF-8 character).

:class:`~crmkit._formats._vcard_write.CardWriter` prepares the columns (values as text or
None, the ready BDAY and custom lines) and writes the rare cards this module does not
(photos, a custom FN...) one by one; the bytes are the same either way.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from crmkit._formats._vcard_names import CJK_ONLY_RE
from crmkit._formats._vcard_text import fold

__all__ = ["COLUMN_ERRORS", "CardLayout", "card_column", "custom_column", "joined_text"]

#: What building the columns raises for a value that is not text.
COLUMN_ERRORS = (pa.ArrowException, TypeError, ValueError, AttributeError)

# Both names CJK: family name first (the rule of _vcard_names; RE2 takes the same class).
_CJK_ONLY = f"^{CJK_ONLY_RE.pattern}$"

_NULL = pa.scalar(None, pa.string())


class CardLayout(Protocol):
    """The property prefixes of one vCard version (what CardWriter computes once)."""

    head: str
    tail: str
    v4: bool
    email1: str
    email2: str
    tel_phone: str
    tel_mobile: str
    tel_home: str
    tel_fax: str
    adr: str
    social: str


def _escaped(values: pa.Array) -> pa.Array:
    """Backslash, comma, semicolon and line breaks escaped, as in vCard text values."""
    # One look at the column's bytes (a superset of its values) tells whether any needs it.
    data = values.buffers()[2]
    raw = data.to_pybytes() if data is not None else b""
    if b"\\" in raw:
        values = pc.replace_substring(values, "\\", "\\\\")
    if b"," in raw:
        values = pc.replace_substring(values, ",", "\\,")
    if b";" in raw:
        values = pc.replace_substring(values, ";", "\\;")
    if b"\r" in raw:
        values = pc.replace_substring(pc.replace_substring(values, "\r\n", "\\n"), "\r", "\\n")
    if b"\n" in raw:
        values = pc.replace_substring(values, "\n", "\\n")
    return values


def _text(values: list[Any]) -> pa.Array:
    """Text values (None for missing, never empty) as an escaped Arrow column."""
    return _escaped(pa.array(values, type=pa.string()))


def _folded(lines: pa.Array) -> pa.Array:
    """Lines over 75 octets folded (in Python: they are few)."""
    lengths = pc.binary_length(lines)
    if (pc.max(lengths).as_py() or 0) <= 75:
        return lines
    long = pc.fill_null(pc.greater(lengths, 75), False)
    folded = [fold(line) for line in lines.filter(long).to_pylist()]
    return pc.replace_with_mask(lines, long, pa.array(folded, pa.string()))


def _line(prefix: str, values: pa.Array) -> pa.Array:
    """``prefix + value``, folded; null where the value is missing."""
    return _folded(pc.binary_join_element_wise(prefix, values, ""))


def _categories(tags: list[list[str] | None]) -> pa.Array:
    """The CATEGORIES values: each tag escaped, joined with commas; null for no tags."""
    column = pa.array(tags, type=pa.list_(pa.string()))
    flat = column.flatten()
    escaped = _escaped(flat)
    if escaped is not flat:
        column = pa.ListArray.from_arrays(column.offsets, escaped, mask=column.is_null())
    return pc.binary_join(column, ",")


def card_column(columns: Mapping[str, Sequence[Any]], layout: CardLayout, size: int) -> pa.Array:
    """The cards of a chunk, each ending with CRLF, as an Arrow string column.

    ``columns`` holds, for every card, the text fields (text or None; ``first_name`` and
    ``last_name`` already stripped), ``gender`` and ``notes`` (text or None), ``bday`` (the
    ready BDAY line or None), ``tags`` (a list of non-empty texts or None) and ``custom``
    (the ready custom lines, CRLF-joined, or None). Raises pyarrow's errors for a value
    that is not text.
    """
    t = {key: _text(list(columns[key])) for key in _TEXT_KEYS}
    first, last, org = t["first_name"], t["last_name"], t["org"]
    both = pc.and_(pc.is_valid(first), pc.is_valid(last))
    cjk = pc.fill_null(
        pc.and_(
            pc.match_substring_regex(first, _CJK_ONLY), pc.match_substring_regex(last, _CJK_ONLY)
        ),
        False,
    )
    joined = pc.if_else(
        cjk,
        pc.binary_join_element_wise(last, first, ""),
        pc.binary_join_element_wise(first, last, " "),
    )
    fn = pc.if_else(both, joined, pc.coalesce(first, last))
    company = pc.and_(pc.is_null(fn), pc.is_valid(org))
    fn = pc.coalesce(fn, org, "")

    def blank(values: pa.Array) -> pa.Array:
        return pc.coalesce(values, "")

    n_line = pc.binary_join_element_wise(
        pc.binary_join_element_wise("N:", blank(last), ""),
        blank(first),
        "",
        blank(t["salutation"]),
        "",
        ";",
    )
    department = t["department"]
    org_line = pc.if_else(
        pc.is_valid(department),
        pc.binary_join_element_wise(
            pc.binary_join_element_wise("ORG:", blank(org), ""), department, ";"
        ),
        pc.binary_join_element_wise("ORG:", org, ""),
    )
    address = [t[key] for key in ("street", "city", "region", "postal_code", "country")]
    has_address = pc.is_valid(pc.coalesce(*address))
    adr_line = pc.if_else(
        has_address,
        pc.binary_join_element_wise(layout.adr + ";", *map(blank, address), ";"),
        _NULL,
    )
    gender = _text(list(columns["gender"]))
    notes = _text(list(columns["notes"]))
    lines: list[Any] = [
        layout.head,
        _folded(n_line),
        _line("FN:", fn),
        _folded(org_line),
        pc.if_else(company, "X-ABSHOWAS:COMPANY", _NULL),
        _line("TITLE:", t["job_title"]),
        _line(layout.email1, t["email"]),
        _line(layout.email2, t["secondary_email"]),
        _line(layout.tel_phone, t["phone"]),
        _line(layout.tel_mobile, t["mobile"]),
        _line(layout.tel_home, t["home_phone"]),
        _line(layout.tel_fax, t["fax"]),
        _folded(adr_line),
        _line("URL:", t["website"]),
        _line(layout.social + "linkedin:", t["linkedin"]),
        _line(layout.social + "twitter:", t["twitter"]),
        pa.array(columns["bday"], pa.string()),
        _line("GENDER:" if layout.v4 else "X-GENDER:", gender),
        _line("NOTE:", notes),
        _line("CATEGORIES:", _categories(list(columns["tags"]))),
        pa.array(columns["custom"], pa.string()),
        _line("UID:", t["uid"]),
    ]
    if layout.tail:
        lines.append(layout.tail)
    lines += ["END:VCARD", ""]
    # A chunk whose every line is a scalar (no column at all) cannot happen: N is a column.
    cards = pc.binary_join_element_wise(*lines, "\r\n", null_handling="skip")
    assert len(cards) == size
    return cards


_TEXT_KEYS = (
    "first_name", "last_name", "salutation", "org", "department", "job_title", "email",
    "secondary_email", "phone", "mobile", "home_phone", "fax", "street", "city", "region",
    "postal_code", "country", "website", "linkedin", "twitter", "uid",
)  # fmt: skip


def joined_text(cards: pa.Array) -> str:
    """The concatenated text of a string column without nulls, from its data buffer."""
    offsets = cards.buffers()[1]
    first, end = (
        int.from_bytes(offsets[i * 4 : i * 4 + 4], sys.byteorder, signed=True)
        for i in (cards.offset, cards.offset + len(cards))
    )
    return codecs.decode(memoryview(cards.buffers()[2])[first:end], "utf-8")


def custom_column(
    values: list[list[Any]], layout: list[tuple[str, str | None]]
) -> list[str] | None:
    """The custom lines of cards whose custom entries have the same keys, CRLF-joined.

    ``values`` holds a column of values per key, ``layout`` the line prefix of each key
    and the ready line that follows it (an Apple ``X-ABLabel``) or None. None when a value
    is not a non-empty text (a list, a missing value: lines then depend on the values).
    """
    lines: list[Any] = []
    for column, (prefix, label_line) in zip(values, layout, strict=True):
        try:
            texts = pa.array(column, type=pa.string())
        except COLUMN_ERRORS:
            return None
        if texts.null_count or not len(texts) or pc.min(pc.binary_length(texts)).as_py() == 0:
            return None
        lines.append(_line(prefix, _escaped(texts)))
        if label_line is not None:
            lines.append(label_line)
    joined: list[str] = pc.binary_join_element_wise(*lines, "\r\n").to_pylist()
    return joined
