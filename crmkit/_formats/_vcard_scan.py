r"""vCard text cut into cards of logical properties.

:func:`scan` unfolds continuation lines (space or tab), joins quoted-printable soft line
breaks (also onto unindented or empty lines), gathers base64 blocks (folded or not, ended
by a blank line or running into the next property, blank lines inside), joins vCard 2.1
continuation lines after a trailing backslash, and notes every line it cannot read. Each
property comes out as a :data:`Prop` tuple with its parameters parsed; values are left as
written (still escaped, still quoted-printable) for :mod:`crmkit._formats._vcard_values`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from crmkit._formats._vcard_result import VCardError, VCardParseResult

__all__ = ["B64", "EXCERPT_LINES", "EXCERPT_WIDTH", "PLAIN", "QP", "Prop", "RawCard", "scan"]

#: How a property's value is encoded: as text, quoted-printable or base64.
PLAIN, QP, B64 = 0, 1, 2
EXCERPT_LINES = 4
EXCERPT_WIDTH = 100

# A property line starts with an optional group and a name, followed by ';' or ':'.
_PROP_RE = re.compile(r'(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_-]+)(;[^:"]*)?:')

# The same, for parameters with quoted values (which may hold ':' or ';').
_PROP_QUOTED_RE = re.compile(r"(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_-]+)(?=;)")

_B64_LINE_RE = re.compile(r"[ \t]*[A-Za-z0-9+/=]+[ \t]*")

_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})

_MAX_OUTSIDE_WARNINGS = 20

# A property: (group, NAME, params, raw value, line number, mode). ``params`` maps upper-case
# parameter names to value lists; it is shared between properties with the same
# parameter text, so it must never be mutated.
Prop = tuple[str | None, str, dict[str, list[str]], str, int, int]

_NO_PARAMS: dict[str, list[str]] = {}


@dataclass
class RawCard:
    index: int
    line: int
    lines: list[str]
    start: int
    props: list[Prop] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    unreadable: int = 0
    truncated: str | None = None

    def excerpt(self) -> tuple[str, ...]:
        rows = self.lines[self.start : self.start + EXCERPT_LINES]
        return tuple(r if len(r) <= EXCERPT_WIDTH else r[:EXCERPT_WIDTH] + "…" for r in rows)


def _blocks(text: str, size: int = 1 << 20) -> Iterator[list[str]]:
    """The lines of ``text`` in blocks cut just before a ``BEGIN:VCARD`` line.

    Splitting a big file block by block keeps memory bounded to about one block of
    line objects on top of the text itself.
    """
    start, n = 0, len(text)
    while start < n:
        cut = text.find("\nBEGIN:VCARD", start + size) if start + size < n else -1
        if cut < 0:
            yield text[start:].split("\n")
            return
        yield text[start:cut].split("\n")
        start = cut + 1


@lru_cache(maxsize=4096)
def _head_params(head: str) -> dict[str, list[str]]:
    """Parameters from the text between a property name and its value (``;TYPE=cell``)."""
    params: dict[str, list[str]] = {}
    items = _split_quoted(head) if '"' in head else head.split(";")
    for item in items:
        key, sep, val = item.partition("=")
        key = key.strip().upper()
        if not sep:
            if not key:
                continue
            # vCard 2.1 bare parameters: TEL;CELL;PREF, PHOTO;BASE64, PHOTO;JPEG.
            if key in _BARE_ENCODINGS:
                params.setdefault("ENCODING", []).append(key)
            else:
                params.setdefault("TYPE", []).append(key.lower())
            continue
        values = [v.strip().strip('"') for v in _split_quoted(val, ",")]
        if key == "TYPE":  # TYPE="work,voice" is a list too
            values = [t.strip().lower() for v in values for t in v.split(",") if t.strip()]
        params.setdefault(key, []).extend(values)
    return params


def _split_quoted(text: str, sep: str = ";") -> list[str]:
    """Split on ``sep`` outside double quotes."""
    if '"' not in text:
        return text.split(sep)
    items: list[str] = []
    start, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def _quoted_colon(line: str, pos: int) -> int:
    """Index of the first ':' at or after ``pos`` that is not inside double quotes."""
    quoted = False
    for i in range(pos, len(line)):
        ch = line[i]
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return i
    return -1


def _mode(params: dict[str, list[str]]) -> int:
    enc = params.get("ENCODING")
    if enc:
        kind = enc[0].upper()
        if kind in ("QUOTED-PRINTABLE", "QP"):
            return QP
        if kind in ("B", "BASE64"):
            return B64
    return PLAIN


def _odd_backslashes(text: str) -> bool:
    return text.endswith("\\") and (len(text) - len(text.rstrip("\\"))) % 2 == 1


def scan(
    text: str, result: VCardParseResult, byte_notes: list[tuple[int, str]]
) -> Iterator[RawCard]:
    """Cut ``text`` into cards of logical properties, yielding each card when it ends.

    Handles folding (space or tab), quoted-printable soft line breaks (also onto
    unindented or empty lines), base64 blocks (folded or not, ended by a blank line or
    running into the next property, blank lines inside), 2.1 continuation lines after a
    trailing backslash, and text that is no property at all.
    """
    card: RawCard | None = None
    # The open property: appended to the card by close() when the next one starts.
    has_cur = False
    cur_group: str | None = None
    cur_name = ""
    cur_params = _NO_PARAMS
    cur_value = ""
    cur_line = 0
    cur_mode = PLAIN
    parts: list[str] | None = None  # the value's pieces once it continues on more lines
    qp_soft = False  # the last quoted-printable piece ended with a soft line break
    line_no = n_cards = outside = 0
    pending_notes = sorted(byte_notes, reverse=True)
    prop_match = _PROP_RE.match
    b64_line = _B64_LINE_RE.fullmatch

    def close() -> None:
        nonlocal has_cur, parts
        assert card is not None
        value = "".join(parts) if parts is not None else cur_value
        card.props.append((cur_group, cur_name, cur_params, value, cur_line, cur_mode))
        has_cur, parts = False, None

    for lines in _blocks(text):
        i, nlines = 0, len(lines)
        while i < nlines:
            line = lines[i]
            i += 1
            line_no += 1
            while pending_notes and pending_notes[-1][0] <= line_no:
                note = pending_notes.pop()
                if card is not None:
                    card.notes.append(note)

            if card is None:
                stripped = line.strip()
                if stripped.upper() == "BEGIN:VCARD":
                    n_cards += 1
                    card = RawCard(n_cards, line_no, lines, i - 1)
                    has_cur, parts, qp_soft = False, None, False
                elif stripped:
                    outside += 1
                    if outside <= _MAX_OUTSIDE_WARNINGS:
                        excerpt = (line[:EXCERPT_WIDTH],)
                        reason = "text outside any card ignored"
                        result.warnings.append(VCardError(None, line_no, reason, excerpt))
                continue

            if qp_soft:
                assert parts is not None
                upper = line.strip().upper()
                if upper != "END:VCARD" and upper != "BEGIN:VCARD":
                    seg = line.rstrip(" \t")
                    qp_soft = seg.endswith("=")
                    parts.append(seg[:-1] if qp_soft else seg)
                    continue
                qp_soft = False

            first = line[:1]
            if first == " " or first == "\t":  # folded continuation
                if not has_cur:
                    card.unreadable += 1
                    card.notes.append((line_no, "continuation line without a property ignored"))
                    continue
                if parts is None:
                    parts = [cur_value]
                if cur_mode == PLAIN:
                    parts.append(line[1:])
                elif cur_mode == B64:
                    parts.append(line.strip())
                else:
                    seg = line[1:].rstrip(" \t")
                    qp_soft = seg.endswith("=")
                    parts.append(seg[:-1] if qp_soft else seg)
                continue

            if not line or line.isspace():
                if has_cur and cur_mode == B64:
                    # vCard 2.1 ends base64 with a blank line, but blank lines also turn
                    # up inside base64 blocks: look at the next non-blank line.
                    j = i
                    while j < nlines and (not lines[j] or lines[j].isspace()):
                        j += 1
                    if j < nlines and b64_line(lines[j]):
                        line_no += j - i
                        i = j
                        continue
                if has_cur:
                    close()
                continue

            if has_cur and cur_mode == B64 and b64_line(line):  # unindented base64
                if parts is None:
                    parts = [cur_value]
                parts.append(line.strip())
                continue

            m = prop_match(line)
            if m is not None:
                head = m.group(3)
                value = line[m.end() :]
            elif (m := _PROP_QUOTED_RE.match(line)) is not None:
                colon = _quoted_colon(line, m.end())
                if colon < 0:
                    m = None
                else:
                    head = line[m.end() : colon]
                    value = line[colon + 1 :]
            if m is None:  # not a property line
                if has_cur and cur_mode == PLAIN:
                    if parts is None:
                        parts = [cur_value]
                    if _odd_backslashes(parts[-1]):
                        # vCard 2.1 writers continue a value on the next line after "\".
                        parts[-1] = parts[-1][:-1]
                    else:
                        reason = f"line is not a property; joined to {cur_name} (line {cur_line})"
                        card.notes.append((line_no, reason))
                    parts.append("\n" + line)
                else:
                    card.unreadable += 1
                    card.notes.append((line_no, f"unreadable line ignored: {line[:60]!r}"))
                continue

            if has_cur:
                close()
            name = m.group(2).upper()
            if (name == "END" or name == "BEGIN") and value.strip().upper() == "VCARD":
                if name == "BEGIN":
                    card.truncated = f"no END:VCARD before the next BEGIN:VCARD (line {line_no})"
                yield card
                card = None
                if name == "BEGIN":
                    n_cards += 1
                    card = RawCard(n_cards, line_no, lines, i - 1)
                    qp_soft = False
                continue
            cur_group, cur_name, cur_line, has_cur = m.group(1), name, line_no, True
            if head:
                cur_params = _head_params(head)
                cur_mode = _mode(cur_params)
            else:
                cur_params, cur_mode = _NO_PARAMS, PLAIN
            if cur_mode == QP:
                seg = value.rstrip(" \t")
                qp_soft = seg.endswith("=")
                parts = [seg[:-1] if qp_soft else seg]
            else:
                cur_value = value.strip() if cur_mode == B64 else value

    if card is not None:
        if has_cur:
            close()
        card.truncated = "no END:VCARD: the input ends inside this card"
        yield card
