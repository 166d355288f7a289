r"""The value of a vCard property: unescaped, split, quoted-printable decoded, a date, a photo.

In every version ``\\``, ``\,``, ``\;``, ``\n``/``\N`` and the non-standard ``\:``
and ``\"`` are unescaped (other backslashes stay as written, as vobject does); an
unescaped comma is ordinary text (vCard 2.1, and single values everywhere); N, ADR and
ORG split on unescaped ``;``, CATEGORIES on unescaped ``,``. Text values are stripped and
their line ends normalised to ``\n``.

A corrupt base64 photo (characters outside base64, a cut block) is not decoded: the
caller keeps its raw text under :data:`BAD_PHOTO_KEY` and the card gets a note naming the
line.
"""

from __future__ import annotations

import binascii
import re
from datetime import date
from typing import Any

from crmkit._formats._vcard_decode import codec_of
from crmkit._formats._vcard_scan import B64, QP, Prop, RawCard
from crmkit._util._shorten import shorten

__all__ = [
    "BAD_PHOTO_KEY",
    "clean",
    "decode_photo",
    "parse_date",
    "raw_value",
    "split_values",
    "tel_text",
    "unescape",
]

_UNESCAPE_RE = re.compile(r"\\([\\,;:\"nN])")

_UNESCAPES = {"\\": "\\", ",": ",", ";": ";", ":": ":", '"': '"', "n": "\n", "N": "\n"}

_SPLIT_RES = {sep: re.compile(r"\\.|" + re.escape(sep), re.S) for sep in ";,"}

_DATE_RE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:T[0-9:.+\-Z]*)?")


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPES[m.group(1)], text)


def split_values(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not escaped by a backslash."""
    if "\\" not in text:
        return text.split(sep)
    out: list[str] = []
    start = 0
    for m in _SPLIT_RES[sep].finditer(text):
        if m.group() == sep:
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return out


def clean(text: str) -> str:
    """Unescape, normalise line ends and strip surrounding whitespace."""
    if "\\" in text:  # called for every value: most have no escape, and skip the call
        text = unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def raw_value(prop: Prop, card: RawCard) -> str:
    """The property's value text, quoted-printable decoded, still backslash-escaped."""
    value = prop[3]
    if prop[5] != QP:
        return value
    params = prop[2]
    declared = params.get("CHARSET", [None])[0]
    codec = codec_of(declared)
    try:
        raw = binascii.a2b_qp(value.encode(codec or "utf-8", errors="replace"))
    except (binascii.Error, ValueError):  # pragma: no cover - a2b_qp is lenient
        card.notes.append((prop[4], f"{prop[1]}: quoted-printable value unreadable"))
        return value
    for candidate in (codec, "utf-8") if codec else ("utf-8", "cp1252"):
        if candidate is None:
            continue
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    reason = f"{prop[1]}: bytes not valid {codec or 'utf-8'} after quoted-printable decoding"
    card.notes.append((prop[4], reason + "; replaced"))
    return raw.decode(codec or "utf-8", errors="replace")


def parse_date(text: str) -> date | None:
    m = _DATE_RE.fullmatch(text.strip())
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def tel_text(value: str) -> str:
    """A phone number from a ``tel:`` URI (``tel:+1-418;ext=102`` -> ``+1-418 ext. 102``)."""
    if value[:4].lower() != "tel:":
        return value
    number, *uri_params = value[4:].split(";")
    for item in uri_params:
        key, _, val = item.partition("=")
        if key.lower() == "ext" and val:
            number += f" ext. {val}"
    return number


#: The ``custom`` key that keeps the raw value of a PHOTO whose base64 data is corrupt.
BAD_PHOTO_KEY = "PHOTO (invalid base64)"


def decode_photo(prop: Prop, raw: str, card: RawCard) -> tuple[str, Any]:
    """What a PHOTO holds: ``("photo", bytes)``, ``("uri", text)`` for a linked photo,
    ``("invalid", raw text)`` for base64 data that is not, or ``("empty", None)``.

    Base64 is decoded strictly (folding whitespace aside, missing ``=`` padding restored):
    the lenient decoder skips any character it does not know, so ``PHOTO:!!!!`` became an
    empty photo and a damaged one a few bytes of junk, both without a word.
    """
    params = prop[2]
    if prop[5] == B64:
        data = raw
    else:
        text = raw.strip()
        if text[:5].lower() == "data:":
            head, sep, body = text.partition(",")
            if not sep or ";base64" not in head.lower():
                return "uri", unescape(text)  # a data URI of another kind: kept as written
            data = body
        elif "VALUE" in params or "://" in text or text[:5].lower() == "file:":
            return "uri", unescape(text)
        else:
            data = text
    # Folding whitespace; str.split returns the string itself when there is none.
    compact = "".join(data.split())
    if not compact:
        return "empty", None
    try:
        return "photo", _strict_b64(compact)
    except (binascii.Error, ValueError) as exc:
        reason = (
            f"PHOTO base64 data is corrupt ({exc}); the photo is left out and its raw value "
            f"({len(compact):,} characters, starting {shorten(compact[:20])}) kept in custom "
            f"as {BAD_PHOTO_KEY!r}"
        )
        card.notes.append((prop[4], reason))
        return "invalid", compact


def _strict_b64(data: str) -> bytes:
    """Decode base64 (standard or URL-safe alphabet) or raise :class:`binascii.Error`."""
    # Copies only when needed: a photo can be megabytes of text.
    if ("-" in data or "_" in data) and "+" not in data and "/" not in data:
        data = data.translate(_URLSAFE)
    if len(data) % 4:
        body = data.rstrip("=")
        if len(body) % 4 == 1:
            raise binascii.Error(
                f"{len(body):,} data characters, one more than a multiple of 4: cut or damaged"
            )
        data = body + "=" * (-len(body) % 4)
    return binascii.a2b_base64(data, strict_mode=True)


_URLSAFE = str.maketrans("-_", "+/")
