"""Write contact records as standard vCard 3.0 or 4.0.

The output follows RFC 2426 / RFC 6350 to the letter: CRLF line ends, UTF-8, lines folded
at 75 octets without splitting a UTF-8 character, text values escaped (``\\\\``, ``\\,``,
``\\;``, ``\\n``). Every card parses with vobject, and
:func:`~crmkit._formats._vcard_read.parse_vcards` gives back the fields it was made from.

The writer is built for bulk exports (a million contacts in a few seconds): a chunk of
cards is built column by column with Arrow string kernels
(:mod:`crmkit._formats._vcard_columns`), and only the rare card (a photo, a custom FN, a
value that is not text) is assembled on its own, from precomputed property prefixes, with
a value only escaped or folded when it needs to be. Both give the same bytes.

vCard text cannot hold control characters (RFC 6350 allows none but the tab): values are
written without them, as :func:`~crmkit._formats._controls.strip_controls` describes (terminal
escape sequences, NUL, C1 controls and bidirectional overrides go; tab and line breaks stay).
The text of a whole chunk of cards is checked at once, so clean data costs nothing more;
:func:`~crmkit._formats._vcard_files.export_vcards` counts the values changed. Files (one
``.vcf``, or a zip of one file a contact) are written by :mod:`crmkit._formats._vcard_files`.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal

from crmkit._exceptions import UnknownValueError
from crmkit._formats._controls import column_has_controls, has_controls, strip_controls
from crmkit._formats._vcard_columns import (
    COLUMN_ERRORS,
    card_column,
    custom_column,
    joined_text,
)
from crmkit._formats._vcard_names import CJK_ONLY_RE, PRODID
from crmkit._formats._vcard_text import escape as _escape
from crmkit._formats._vcard_text import fold as _fold
from crmkit._util._frames import is_pandas, is_polars_frame

__all__ = [
    "CHUNK_CARDS",
    "CardWriter",
    "VCardVersion",
    "chunked",
    "records_of",
    "text_of",
    "write_vcards",
]

VCardVersion = Literal["3.0", "4.0"]

_CUSTOM_KEY_RE = re.compile(r"([A-Za-z][A-Za-z0-9-]*)(?: \((.+)\))?")

_TYPE_LABEL_RE = re.compile(r"[a-z0-9-]+(?:,[a-z0-9-]+)*")

_PRODID = "PRODID:" + PRODID

CHUNK_CARDS = 20_000

# Single-line text fields (everything the writer escapes the same way).
_TEXT_FIELDS = frozenset({
    "first_name", "last_name", "salutation", "org", "department", "job_title", "email",
    "secondary_email", "phone", "mobile", "home_phone", "fax", "street", "city", "region",
    "postal_code", "country", "website", "linkedin", "twitter", "uid",
})  # fmt: skip

# Custom keys that the writer produces itself from fields (or that must never be copied
# into a card); anything else in ``custom`` with a valid property name is exported.
_RESERVED = frozenset({
    "BEGIN", "END", "VERSION", "PRODID", "PROFILE", "N", "FN", "ORG", "ORG-UNITS", "NOTE",
    "CATEGORIES", "PHOTO", "UID", "REV", "GENDER", "X-GENDER", "X-SOCIALPROFILE",
    "X-ABSHOWAS", "X-ABLABEL", "ADDITIONAL-NAMES", "HONORIFIC-SUFFIXES", "AGENT",
})  # fmt: skip


def text_of(value: Any) -> str | None:
    """A field value as text; None for missing values (None, NaN, NaT, pd.NA, "")."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, float) and value != value:
        return None
    try:
        if value != value:  # NaT
            return None
    except (TypeError, ValueError):  # pd.NA refuses comparison
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pd.NA refuses to be a bool; arrays compare elementwise
        return type(value).__name__ == "NAType"


def _clean_record(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``rec`` with missing values as None and text fields as str."""
    out: dict[str, Any] = {}
    for key, value in rec.items():
        if isinstance(value, str | bytes | list | tuple | dict) or value is None:
            out[key] = value
        elif _missing(value):
            out[key] = None
        elif key in _TEXT_FIELDS:
            out[key] = text_of(value)
        else:
            out[key] = value
    return out


def _as_date(value: Any) -> date | str | None:
    """A date for BDAY, the original text when it is not one, None when missing."""
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_of(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return text


def _format_rev(rev: datetime | date | str | None) -> str:
    if rev is None:
        rev = datetime.now(UTC)
    if isinstance(rev, str):
        return rev
    if isinstance(rev, datetime):
        if rev.tzinfo is not None:
            rev = rev.astimezone(UTC)
        return rev.strftime("%Y%m%dT%H%M%SZ")
    return rev.strftime("%Y%m%dT000000Z")


def _sniff_image(data: bytes) -> tuple[str, str]:
    """(3.0 TYPE, MIME type) of a photo, from its magic bytes."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG", "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG", "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP", "image/webp"
    return "", "application/octet-stream"


def _custom_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    text = text_of(value)
    if not text:
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


class CardWriter:
    """Card assembly for one version; property prefixes are computed once."""

    def __init__(self, version: str, rev: datetime | date | str | bool | None) -> None:
        if version not in ("3.0", "4.0"):
            raise UnknownValueError("vCard version", version, ["3.0", "4.0"])
        self.version = version
        v4 = version == "4.0"
        self.head = f"BEGIN:VCARD\r\nVERSION:{version}\r\n{_PRODID}"
        self.tail = "" if rev is False else "REV:" + _format_rev(None if rev is True else rev)
        self.v4 = v4
        if v4:
            self.tel = {
                "phone": "TEL;TYPE=work,voice;VALUE=text:",
                "mobile": "TEL;TYPE=cell,voice;VALUE=text:",
                "home_phone": "TEL;TYPE=home,voice;VALUE=text:",
                "fax": "TEL;TYPE=work,fax;VALUE=text:",
            }
            self.email1, self.email2 = "EMAIL;TYPE=work:", "EMAIL;TYPE=home:"
            self.adr = "ADR;TYPE=work:"
            self.social = "X-SOCIALPROFILE;TYPE="
        else:
            self.tel = {
                "phone": "TEL;TYPE=WORK,VOICE:",
                "mobile": "TEL;TYPE=CELL,VOICE:",
                "home_phone": "TEL;TYPE=HOME,VOICE:",
                "fax": "TEL;TYPE=WORK,FAX:",
            }
            self.email1, self.email2 = "EMAIL;TYPE=INTERNET,WORK:", "EMAIL;TYPE=INTERNET,HOME:"
            self.adr = "ADR;TYPE=WORK:"
            self.social = "X-SOCIALPROFILE;TYPE="
        self.tel_phone, self.tel_mobile = self.tel["phone"], self.tel["mobile"]
        self.tel_home, self.tel_fax = self.tel["home_phone"], self.tel["fax"]
        self._custom_layouts: dict[
            tuple[Any, ...], tuple[list[str], list[tuple[str, str | None]]] | None
        ] = {}
        #: Values written without their control characters, per field.
        self.changed: dict[str, int] = {}

    def clean(self, rec: Mapping[str, Any]) -> Mapping[str, Any]:
        """``rec`` without control characters (a copy, when it held some), counted."""
        out: dict[str, Any] | None = None
        for key, value in rec.items():
            if key == "custom" and isinstance(value, str):
                value = _custom_dict(value)  # JSON hides a NUL as \u0000
            if _deep_has_controls(value):
                if out is None:
                    out = dict(rec)
                out[key] = _strip_deep(value)
                self.changed[key] = self.changed.get(key, 0) + 1
        return rec if out is None else out

    def chunk(self, records: list[Mapping[str, Any]]) -> str:
        """The cards of ``records`` as CRLF-terminated text, without control characters.

        The cards are built column by column (:mod:`crmkit._formats._vcard_columns`);
        a chunk holding a value that is not text is written card by card instead, with
        the same bytes. The text is checked once; only a chunk that holds a control
        character is written again from cleaned records.
        """
        if not records:
            return ""
        text = self._columnar(records)
        return self.chunk_per_card(records) if text is None else text

    def chunk_per_card(self, records: list[Mapping[str, Any]]) -> str:
        """The cards of ``records`` as :meth:`chunk` writes them, assembled card by card."""
        lines: list[str] = []
        for rec in records:
            self.emit(rec, lines)
        if not lines:
            return ""
        lines.append("")
        text = "\r\n".join(lines)
        if has_controls(text):
            return self._cleaned(records)
        return text

    def _cleaned(self, records: list[Mapping[str, Any]]) -> str:
        lines: list[str] = []
        for rec in records:
            self.emit(self.clean(rec), lines)
        lines.append("")
        return self._last_resort("\r\n".join(lines))

    def _columnar(self, records: list[Mapping[str, Any]]) -> str | None:
        """The cards of ``records`` built column-wise; None when a value is not text.

        Cards with a photo, a custom FN or N part, or a value of another type than the
        usual ones are written one by one and put in their place.
        """
        try:
            columns, slow = self._columns(records)
            column = card_column(columns, self, len(records))
        except COLUMN_ERRORS:
            return None
        if column_has_controls(column):
            return self._cleaned(records)
        if not slow:
            return joined_text(column)
        cards = column.to_pylist()
        for i in slow:
            lines: list[str] = []
            self.emit(records[i], lines)
            lines.append("")
            cards[i] = "\r\n".join(lines)
        text = "".join(cards)
        return self._cleaned(records) if has_controls(text) else text

    def _columns(self, records: list[Mapping[str, Any]]) -> tuple[dict[str, list[Any]], list[int]]:
        """The columns :func:`card_column` takes, and the rows to write one by one."""
        columns: dict[str, list[Any]] = {
            key: [rec.get(key) or None for rec in records]
            for key in _TEXT_FIELDS
            if key not in ("first_name", "last_name")
        }
        columns["first_name"] = [(rec.get("first_name") or "").strip() or None for rec in records]
        columns["last_name"] = [(rec.get("last_name") or "").strip() or None for rec in records]
        size = len(records)
        gender: list[str | None] = [None] * size
        notes: list[str | None] = [None] * size
        bday: list[str | None] = [None] * size
        tags: list[list[str] | None] = [None] * size
        custom: list[str | None] = [None] * size
        slow: list[int] = []
        # Rows whose custom entries are all texts, by their keys: written column-wise.
        same_keys: dict[tuple[Any, ...], list[int]] = {}
        dicts: list[dict[str, Any] | None] = [None] * size
        v4 = self.v4
        for i, rec in enumerate(records):
            g = rec.get
            value = g("photo")
            if value and isinstance(value, bytes | bytearray | memoryview):
                slow.append(i)
                continue
            value = g("gender")
            if value:
                if type(value) is not str:
                    slow.append(i)
                    continue
                gender[i] = value
            value = g("notes")
            if value:
                if type(value) is not str:
                    slow.append(i)
                    continue
                notes[i] = value
            value = g("birthday")
            if value is not None:
                if type(value) is not date:
                    slow.append(i)
                    continue
                text = value.isoformat()
                bday[i] = "BDAY:" + (text.replace("-", "") if v4 else text)
            value = g("tags")
            if value is not None:
                # A tag that is not text makes Arrow raise: the chunk goes card by card.
                if type(value) is not list or "" in value or None in value:
                    slow.append(i)
                    continue
                tags[i] = value or None
            value = g("custom")
            if value:
                found = value if type(value) is dict else _custom_dict(value)  # only read
                if found:
                    if (
                        "FN" in found
                        or "ADDITIONAL-NAMES" in found
                        or "HONORIFIC-SUFFIXES" in found
                    ):
                        slow.append(i)
                        continue
                    keys = tuple(found)
                    if keys in self._custom_layouts:
                        layout = self._custom_layouts[keys]
                    else:
                        layout = self._custom_layouts[keys] = self._custom_layout(keys)
                    if layout is not None:
                        same_keys.setdefault(keys, []).append(i)
                        dicts[i] = found
                        continue
                    lines: list[str] = []
                    self._custom(found, rec, lines.append)
                    custom[i] = "\r\n".join(lines) or None
        for keys, rows in same_keys.items():
            used, prefixes = self._custom_layouts[keys] or ([], [])
            if not used:
                continue
            values = [[dicts[i][k] for i in rows] for k in used]  # type: ignore[index]
            texts = custom_column(values, prefixes)
            if texts is None:  # not all non-empty texts: entry by entry
                for i in rows:
                    lines = []
                    self._custom(dicts[i], records[i], lines.append)  # type: ignore[arg-type]
                    custom[i] = "\r\n".join(lines) or None
                continue
            for i, text in zip(rows, texts, strict=True):
                custom[i] = text
        columns.update(gender=gender, notes=notes, bday=bday, tags=tags, custom=custom)
        return columns, slow

    def _custom_layout(
        self, keys: tuple[Any, ...]
    ) -> tuple[list[str], list[tuple[str, str | None]]] | None:
        """How :meth:`_custom` writes custom entries with these keys, all non-empty texts:
        the keys it exports and, for each, its line prefix and X-ABLabel line; None when
        it depends on more than the keys (a BDAY entry, a key that is not text).
        """
        used: list[str] = []
        prefixes: list[tuple[str, str | None]] = []
        group = 0
        for key in keys:
            if not isinstance(key, str):
                return None
            match = _CUSTOM_KEY_RE.fullmatch(key)
            if match is None:
                continue
            name, label = match.group(1).upper(), match.group(2)
            if name == "BDAY":
                return None
            if name in _RESERVED:
                continue
            used.append(key)
            if not label:
                prefixes.append((f"{name}:", None))
            elif _TYPE_LABEL_RE.fullmatch(label):
                prefixes.append((f"{name};TYPE={label if self.v4 else label.upper()}:", None))
            else:
                group += 1
                prefixes.append(
                    (f"item{group}.{name}:", _fold(f"item{group}.X-ABLabel:{_escape(label)}"))
                )
        return used, prefixes

    def card(self, rec: Mapping[str, Any]) -> str:
        """One card, CRLF-terminated, without control characters."""
        lines: list[str] = []
        self.emit(rec, lines)
        lines.append("")
        text = "\r\n".join(lines)
        if has_controls(text):
            return self.chunk([rec])
        return text

    def _last_resort(self, text: str) -> str:
        # A value of some other type whose text holds a control character (clean() looks
        # into strings, lists and dicts): drop them from the card itself. Vertical tab and
        # form feed must not become line breaks there.
        if not has_controls(text):
            return text
        self.changed["other"] = self.changed.get("other", 0) + 1
        return strip_controls(text.replace("\x0b", "").replace("\x0c", ""))

    def emit(self, rec: Mapping[str, Any], lines: list[str]) -> None:
        """Append the lines of one card (without line ends) to ``lines``.

        Values that are not text (numbers, dates in text fields, NaN, ``pd.NA``) make the
        fast path fail with a TypeError or AttributeError; the card is then written again
        from a cleaned copy of the record.
        """
        mark = len(lines)
        try:
            self._emit(rec, lines.append)
        except (TypeError, AttributeError):
            del lines[mark:]
            self._emit(_clean_record(rec), lines.append)

    def _emit(self, rec: Mapping[str, Any], add: Any) -> None:
        """Append the lines of one card (without line ends) with ``add``.

        The hot path of bulk exports: values are fetched once, checked for special
        characters all at once, and a line is only folded when it may be too long.
        """
        g = rec.get
        first = (g("first_name") or "").strip()
        last = (g("last_name") or "").strip()
        salutation = g("salutation") or ""
        org = g("org") or ""
        department = g("department") or ""
        title = g("job_title") or ""
        email = g("email") or ""
        email2 = g("secondary_email") or ""
        phone = g("phone") or ""
        mobile = g("mobile") or ""
        home = g("home_phone") or ""
        fax = g("fax") or ""
        street = g("street") or ""
        city = g("city") or ""
        region = g("region") or ""
        code = g("postal_code") or ""
        country = g("country") or ""
        website = g("website") or ""
        linkedin = g("linkedin") or ""
        twitter = g("twitter") or ""
        uid = g("uid") or ""
        values = (first, last, salutation, org, department, title, email, email2, phone,
                  mobile, home, fax, street, city, region, code, country, website, linkedin,
                  twitter, uid)  # fmt: skip
        probe = "".join(values)  # TypeError for a value that is not text: see emit()
        if "\\" in probe or "," in probe or ";" in probe or "\n" in probe or "\r" in probe:
            (first, last, salutation, org, department, title, email, email2, phone, mobile,
             home, fax, street, city, region, code, country, website, linkedin, twitter,
             uid) = [_escape(v) if v else v for v in values]  # fmt: skip

        custom_raw = g("custom")
        custom = _custom_dict(custom_raw) if custom_raw else None
        additional = suffix = fn = None
        if custom:
            additional = custom.get("ADDITIONAL-NAMES")
            suffix = custom.get("HONORIFIC-SUFFIXES")
            fn = custom.get("FN")
            fn = _escape(fn) if isinstance(fn, str) and fn else None
        if fn is None:
            if first and last:
                # Both names CJK: family name first, no space (王伟).
                if (
                    first.isascii()
                    or last.isascii()
                    or ord(first[0]) < 0x2E80
                    or not (CJK_ONLY_RE.fullmatch(first) and CJK_ONLY_RE.fullmatch(last))
                ):
                    fn = f"{first} {last}"
                else:
                    fn = last + first
            else:
                fn = first or last
        show_as_company = not fn and bool(org)
        if show_as_company:
            fn = org

        add(self.head)
        if additional or suffix:
            line = (
                f"N:{last};{first};{_escape(str(additional or ''))};{salutation};"
                f"{_escape(str(suffix or ''))}"
            )
        else:
            line = f"N:{last};{first};;{salutation};"
        add(line if len(line) <= 75 and line.isascii() else _fold(line))
        line = "FN:" + fn
        add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if org or department:
            line = f"ORG:{org};{department}" if department else "ORG:" + org
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if show_as_company:
            add("X-ABSHOWAS:COMPANY")
        if title:
            line = "TITLE:" + title
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if email:
            line = self.email1 + email
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if email2:
            line = self.email2 + email2
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if phone:
            line = self.tel_phone + phone
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if mobile:
            line = self.tel_mobile + mobile
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if home:
            line = self.tel_home + home
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if fax:
            line = self.tel_fax + fax
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if street or city or region or code or country:
            line = f"{self.adr};;{street};{city};{region};{code};{country}"
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if website:
            line = "URL:" + website
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        if linkedin:
            add(_fold(self.social + "linkedin:" + linkedin))
        if twitter:
            add(_fold(self.social + "twitter:" + twitter))
        value = g("birthday")
        if type(value) is date:
            text = value.isoformat()
            add("BDAY:" + (text.replace("-", "") if self.v4 else text))
        elif value is not None:
            day = _as_date(value)
            if isinstance(day, date):
                text = day.isoformat()
                add("BDAY:" + (text.replace("-", "") if self.v4 else text))
            elif day:
                add(_fold(("BDAY;VALUE=text:" if self.v4 else "BDAY:") + _escape(day)))
        value = g("gender")
        if value and (type(value) is str or (value := text_of(value))):
            add(_fold(("GENDER:" if self.v4 else "X-GENDER:") + _escape(value)))
        value = g("notes")
        if value and (type(value) is str or (value := text_of(value))):
            line = "NOTE:" + _escape(value)
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        value = g("tags")
        if type(value) is list and value and "" not in value:
            try:
                probe = "".join(value)
            except TypeError:
                probe = "\\"  # not all text: take the careful path below
            if "\\" in probe or "," in probe or ";" in probe or "\n" in probe or "\r" in probe:
                value = [_escape(t) for t in (text_of(x) for x in value) if t]
            line = "CATEGORIES:" + ",".join(value)
            add(line if len(line) <= 75 and line.isascii() else _fold(line))
        elif value is not None and not isinstance(value, str | float):
            tags = [_escape(t) for t in (text_of(x) for x in value) if t]
            if tags:
                line = "CATEGORIES:" + ",".join(tags)
                add(line if len(line) <= 75 and line.isascii() else _fold(line))
        elif value and isinstance(value, str):
            add(_fold("CATEGORIES:" + _escape(value)))
        value = g("photo")
        if value and isinstance(value, bytes | bytearray | memoryview):
            add(self._photo(bytes(value)))
        if custom:
            self._custom(custom, rec, add)
        if uid:
            add(_fold("UID:" + uid))
        if self.tail:
            add(self.tail)
        add("END:VCARD")

    def _photo(self, data: bytes) -> str:
        kind, mime = _sniff_image(data)
        encoded = binascii.b2a_base64(data, newline=False).decode("ascii")
        if self.v4:
            return _fold(f"PHOTO:data:{mime};base64,{encoded}")
        type_param = f";TYPE={kind}" if kind else ""
        return _fold(f"PHOTO;ENCODING=b{type_param}:{encoded}")

    def _custom(self, custom: dict[str, Any], rec: Mapping[str, Any], add: Any) -> None:
        """Export custom entries whose key is a property name (``X-SKYPE``, ``TEL (pager)``).

        A label made of lower-case TYPE words (``pager``, ``home,fax``) becomes a TYPE
        parameter; any other label (``AssistantPhone``, ``费``) an Apple item group with an
        X-ABLabel, so that reading the card back gives the same custom key.
        """
        group = 0
        for key, raw in custom.items():
            match = _CUSTOM_KEY_RE.fullmatch(key) if isinstance(key, str) else None
            if match is None:
                continue
            name, label = match.group(1).upper(), match.group(2)
            if name in _RESERVED or (name == "BDAY" and rec.get("birthday") is not None):
                continue
            values = raw if isinstance(raw, list) else [raw]
            for value in values:
                if isinstance(value, str) and value:
                    text = _escape(value)
                elif name == "ADR" and isinstance(value, Mapping):
                    text = ";;" + ";".join(
                        _escape(str(value.get(k) or ""))
                        for k in ("street", "city", "region", "postal_code", "country")
                    )
                else:
                    continue
                if not label:
                    add(_fold(f"{name}:{text}"))
                elif _TYPE_LABEL_RE.fullmatch(label):
                    types = label if self.v4 else label.upper()
                    add(_fold(f"{name};TYPE={types}:{text}"))
                else:
                    group += 1
                    add(_fold(f"item{group}.{name}:{text}"))
                    add(_fold(f"item{group}.X-ABLabel:{_escape(label)}"))


def _deep_has_controls(value: Any) -> bool:
    if isinstance(value, str):
        return has_controls(value)
    if isinstance(value, Mapping):
        return any(_deep_has_controls(k) or _deep_has_controls(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_deep_has_controls(v) for v in value)
    return False


def _strip_deep(value: Any) -> Any:
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, Mapping):
        return {_strip_deep(k): _strip_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strip_deep(v) for v in value]
    return value


def records_of(records: Any) -> Iterable[Mapping[str, Any]]:
    """Dict records from a list of dicts, a pandas DataFrame or a polars DataFrame."""
    if is_polars_frame(records):
        return records.iter_rows(named=True)
    if is_pandas(records):
        frame = records.astype(object)
        frame = frame.where(frame.notna(), None)
        rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
        return rows
    if isinstance(records, Mapping):
        return [records]
    return records


def write_vcards(
    records: Iterable[Mapping[str, Any]] | Any,
    version: VCardVersion = "3.0",
    *,
    rev: datetime | date | str | bool | None = None,
) -> str:
    """Contact records as the text of one multi-contact vCard file.

    Parameters
    ----------
    records
        Dicts keyed by contact field names (as :func:`~crmkit.read_vcf` makes them) plus
        ``org`` (the company name), or a pandas or polars DataFrame of them.
    version
        ``"3.0"`` (the most widely read) or ``"4.0"``.
    rev
        The REV timestamp of every card: None (now, UTC), a datetime, a ready string, or
        False to leave REV out.

    Returns
    -------
    str
        CRLF line ends, lines folded at 75 octets; encode it as UTF-8.

    Examples
    --------
    >>> text = write_vcards([{"first_name": "Hélène", "last_name": "Blou", "org": "APROOL",
    ...                       "mobile": "06 25 34 12 57", "notes": "Rappeler lundi, 10h"}],
    ...                     rev=False)
    >>> print(text.replace("\\r\\n", "\\n"), end="")
    BEGIN:VCARD
    VERSION:3.0
    PRODID:-//crmkit//crmkit vCard writer//EN
    N:Blou;Hélène;;;
    FN:Hélène Blou
    ORG:APROOL
    TEL;TYPE=CELL,VOICE:06 25 34 12 57
    NOTE:Rappeler lundi\\, 10h
    END:VCARD
    """
    writer = CardWriter(version, rev)
    return "".join(writer.chunk(chunk) for chunk in chunked(records_of(records), CHUNK_CARDS))


def chunked(records: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    chunk: list[Mapping[str, Any]] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
