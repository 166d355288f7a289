r"""vCard bytes to text: UTF-8 in one go, or property by property with its ``CHARSET``.

UTF-8 input is decoded in one go. A file that is not valid UTF-8, or that declares
another CHARSET on non-ASCII bytes, is decoded property by property, *before* any
unescaping, so a Shift_JIS second byte 0x5C is never taken for a backslash; writers that
declare Latin-1 and write UTF-8 are read as UTF-8, and bytes not valid in their charset
are replaced, with a note naming the line. Line ends are normalised to ``\n`` (CR LF,
CR CR LF, lone CR).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

__all__ = ["codec_of", "decode_input"]

_CR_RE = re.compile(r"\r+\n?")

_CHARSET_RE = re.compile(rb";[ \t]*charset[ \t]*=[ \t]*\"?([A-Za-z0-9_.:-]+)", re.I)

_BYTES_PROP_RE = re.compile(rb"(?:[A-Za-z0-9_-]+\.)?[A-Za-z0-9_-]+[;:]")

_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "utf_8"})


def decode_input(data: str | bytes, notes: list[tuple[int, str]]) -> str:
    """Text of ``data`` with line ends normalised to ``\\n``.

    UTF-8 input is decoded in one go. A file that is not valid UTF-8, or that declares
    another CHARSET on non-ASCII bytes, is decoded property by property.
    """
    if isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
    else:
        text = _decode_bytes(data, notes)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            text = _CR_RE.sub("\n", text)
    return text


def _decode_bytes(data: bytes, notes: list[tuple[int, str]]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.isascii():
        return data.decode("ascii")
    charsets = {m.lower() for m in _CHARSET_RE.findall(data)}
    other = {c.decode("ascii") for c in charsets} - _UTF8_NAMES
    if not other:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return _decode_per_property(data, notes)


def codec_of(charset: str | None) -> str | None:
    """A Python codec name for a CHARSET parameter, None when unknown."""
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    if name in ("gb2312", "gbk", "x-gbk", "cp936"):
        name = "gb18030"  # superset: decodes what GB2312 writers really produce
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _is_single_byte(codec: str) -> bool:
    """True for Latin-1 and its cousins (codec names as ``codecs.lookup`` gives them)."""
    return codec.startswith(("iso8859", "cp125", "mac-"))


def _decode_per_property(data: bytes, notes: list[tuple[int, str]]) -> str:
    """Decode each physical line with the charset of the property it belongs to.

    Lines are decoded *before* any unescaping, so a Shift_JIS second byte 0x5C is never
    taken for a backslash. The charset of an undeclared property is guessed on its whole
    value, the lines folded onto it included, and an incremental decoder per property
    carries a multi-byte character split by line folding over to the next line. Bytes
    left over when a property ends (a character cut short) are replaced, never dropped.
    """
    data = data.replace(b"\r\n", b"\n")
    if b"\r" in data:
        data = re.sub(rb"\r+\n?", b"\n", data)
    lines = data.split(b"\n")
    out: list[str] = []
    decoder: codecs.IncrementalDecoder | None = None
    codec = "utf-8"
    prop_line, noted = 0, False
    for index, raw in enumerate(lines):
        line_no = index + 1
        first = raw[:1]
        if first in (b" ", b"\t") and decoder is not None:
            out.append(first.decode() + decoder.decode(raw[1:]))
            continue
        match = _BYTES_PROP_RE.match(raw)
        colon = raw.find(b":") if match else -1
        if colon < 0:
            # QP continuation, base64 data, blank or junk line: current property's charset.
            if decoder is None:
                decoder = codecs.getincrementaldecoder(_guess_codec(raw))("replace")
            out.append(decoder.decode(raw))
            continue
        _flush(decoder, out, notes, prop_line, codec, noted)
        head, value = raw[:colon], raw[colon + 1 :]
        declared = _CHARSET_RE.search(head)
        following = lines[index + 1][:1] if index + 1 < len(lines) else b""
        whole = value + b"".join(_folded(lines, index + 1)) if following in (b" ", b"\t") else value
        codec = _pick_codec(declared.group(1).decode("ascii") if declared else None, whole)
        try:
            whole.decode(codec)
            noted = False
        except UnicodeDecodeError:
            notes.append((line_no, f"bytes not valid in {codec}; replaced"))
            noted = True
        prop_line = line_no
        decoder = codecs.getincrementaldecoder(codec)("replace")
        out.append(head.decode("utf-8", errors="replace") + ":" + decoder.decode(value))
    _flush(decoder, out, notes, prop_line, codec, noted)
    return "\n".join(out)


def _folded(lines: list[bytes], start: int) -> Iterator[bytes]:
    """The lines from ``start`` on folded onto the line before (space or tab), unfolded."""
    for index in range(start, len(lines)):
        raw = lines[index]
        if raw[:1] not in (b" ", b"\t"):
            return
        yield raw[1:]


def _flush(
    decoder: codecs.IncrementalDecoder | None,
    out: list[str],
    notes: list[tuple[int, str]],
    line: int,
    codec: str,
    noted: bool,
) -> None:
    """End a property: bytes its decoder still holds (a character cut short) are replaced."""
    if decoder is None:
        return
    tail = decoder.decode(b"", final=True)
    if tail and out:
        out[-1] += tail
        if not noted:
            notes.append((line or 1, f"bytes not valid in {codec}; replaced"))


def _guess_codec(raw: bytes, final: bool = False) -> str:
    """UTF-8 when ``raw`` is valid UTF-8, else cp1252.

    With ``final=False`` a character cut at the end (by folding) is fine; a whole value
    (``final=True``) must end on a whole character.
    """
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=final)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _pick_codec(declared: str | None, value: bytes) -> str:
    codec = codec_of(declared)
    if value.isascii():
        return codec or "utf-8"
    if codec is None or codec == "ascii":
        return _guess_codec(value, final=True)
    if _is_single_byte(codec):
        # Writers often declare Latin-1 and write UTF-8; valid multi-byte UTF-8 is
        # vanishingly rare in real Latin-1 text.
        return "utf-8" if _guess_codec(value, final=True) == "utf-8" else codec
    return codec
