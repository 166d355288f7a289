"""The encoding a CSV file is read with, checked on the whole file, and stray lines repaired.

- A byte-order mark decides (``utf-8-sig``, ``utf-16``, ``utf-32``); otherwise a file
  that is valid UTF-8 from end to end is ``utf-8``; otherwise the legacy code page is
  guessed (:mod:`crmkit._formats._codepages`). The chosen (or forced) encoding is checked
  on the whole file before any row is returned, so a bad byte is reported with its line
  instead of failing half-way through an import.
- Mixed encodings: a UTF-8 file (with a BOM, or holding at least as many UTF-8 characters
  as stray legacy bytes) whose some lines are not UTF-8, say a row pasted from a cp1252
  export, stays ``utf-8``: the good lines are read exactly, and each other line alone is
  read with its legacy encoding (GB18030 for a Chinese line, else the code page guessed
  from those lines, cp1252 for Latin text; Latin-1 when that cannot read it) and listed
  in the source's warnings with its line. There is no whole-file fallback that would
  garble every accent of the UTF-8 lines. A forced ``encoding=`` is strict.
- Reading: :func:`decoded_lines` and :func:`transcode_repaired` decode each repaired line
  with its own codec; :func:`transcode` writes UTF-16/32 files as UTF-8 for the CSV parser.
"""

from __future__ import annotations

import bisect
import codecs
import os
import re
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

from crmkit._exceptions import ImportFormatError
from crmkit._formats._codepages import guess_legacy, line_codec, looks_chinese
from crmkit._formats._lines import BLOCK_BYTES, line_blocks, raw_newline, split_keep
from crmkit._formats._magic import (
    HEAD_BYTES,
    bom_of,
    count_of,
    read_head,
    reject_binary,
    utf16_without_bom,
)
from crmkit._formats._table import SourceNote
from crmkit._util._shorten import shorten

__all__ = [
    "ENCODING_FIELD",
    "Encoding",
    "decoded_lines",
    "detect_encoding",
    "encoding_for",
    "transcode",
    "transcode_repaired",
]

_ASCII_PROBE = '\n\r,;\t|"'

# Encodings that are declared (BOM) or clearly recognised: a bad byte further down is an
# error to report, not a hint to try cp1252.
_NO_FALLBACK = frozenset({"gb18030", "utf-8-sig", "utf-16", "utf-32", "utf-16-le", "utf-16-be"})


@dataclass(frozen=True)
class Encoding:
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


def _first_bad_byte(path: Path, enc: Encoding, newline: bytes) -> tuple[int, int, bool] | None:
    """Where ``path`` stops decoding with ``enc``: (byte offset, line, only cut short).

    ``None`` when the whole file decodes. The last item is True when the only problem is
    a character cut at the very end of the file.
    """
    decoder = codecs.getincrementaldecoder(enc.codec)(errors="strict")
    with path.open("rb") as fh:
        fh.seek(enc.bom)
        offset, line, carry = enc.bom, 1, b""
        while True:
            block = fh.read(BLOCK_BYTES)
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


def _sample_at(path: Path, offset: int) -> bytes:
    """About 64 KiB of whole lines, from the start of the line holding ``offset``."""
    start = max(0, offset - 4096)
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read(HEAD_BYTES)
    at_eof = len(data) < HEAD_BYTES
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
    for _, _, data in line_blocks(path, start, newline):
        if _is_utf8(data):
            good += count_of(data, _UTF8_LEADS)
        else:
            high = count_of(data, _HIGH_BYTES)
            pos = 0
            while (found := _UTF8_MULTIBYTE.search(data, pos)) is not None:
                begin = data.rfind(newline, 0, found.start()) + 1
                end = data.find(newline, found.end())
                pos = len(data) if end < 0 else end + 1
                line = data[begin:pos]
                if _is_utf8(line):
                    good += count_of(line, _UTF8_LEADS)
                    high -= count_of(line, _HIGH_BYTES)
            bad += high
        if not good and bad >= _LEGACY_EVIDENCE:
            break
    return good, bad


def _non_utf8_lines(path: Path, start: int, newline: bytes) -> list[tuple[int, bytes]]:
    """``(line, raw bytes)`` of every line of ``path`` that is not valid UTF-8."""
    found: list[tuple[int, bytes]] = []
    for _, first, data in line_blocks(path, start, newline):
        if _is_utf8(data):
            continue
        for number, raw in enumerate(split_keep(data, newline), first):
            if not raw.isascii() and not _is_utf8(raw):
                found.append((number, raw))
    return found


def _repair_lines(
    path: Path, name: str, bom: int, newline: bytes
) -> tuple[Encoding, list[SourceNote]]:
    """A UTF-8 file whose non-UTF-8 lines are each read with the legacy encoding they use.

    The legacy encoding is guessed from those lines only (cp1252 for Latin text, GB18030
    for Chinese ...), each line is checked with it (cp1252, then Latin-1, when it does not
    fit), and each one becomes a warning naming the line, so a stray row neither garbles
    the whole file nor passes unseen.
    """
    bad = _non_utf8_lines(path, bom, newline)
    # Chinese lines are told line by line (a GB2312 frequency test, reliable on one line);
    # the code page of the others is guessed on all of them together.
    chinese = {line for line, raw in bad if looks_chinese(raw)}
    sample = b"".join(raw for line, raw in bad[:2000] if line not in chinese)[:HEAD_BYTES]
    legacy = guess_legacy(sample) if sample else "cp1252"
    repaired: dict[int, str] = {}
    notes: list[SourceNote] = []
    for line, raw in bad:
        codec = line_codec(raw, "gb18030" if line in chinese else legacy)
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
    return Encoding(name, "utf-8", bom, repaired=repaired), notes


def _cut_short_note(line: int) -> SourceNote:
    return (
        line,
        ENCODING_FIELD,
        None,
        f"line {line}: the file ends inside a UTF-8 character (it was cut short); "
        "that character is shown as U+FFFD",
    )


def _detect(path: Path, head: bytes, newline: bytes) -> tuple[Encoding, bool, list[SourceNote]]:
    """The encoding of ``path``, whether the whole file was checked with it, and warnings."""
    bom = bom_of(head)
    if bom is not None:
        name, length = bom
        if name != "utf-8-sig":
            return Encoding(name, name, 0), False, []
        # A BOM declares UTF-8: bytes that are not are lines to repair, whatever their share.
        utf8 = Encoding(name, "utf-8", length)
        bad = _first_bad_byte(path, utf8, newline)
        if bad is None:
            return utf8, True, []
        if bad[2]:
            enc = Encoding(name, "utf-8", length, errors="replace")
            return enc, True, [_cut_short_note(bad[1])]
        enc, notes = _repair_lines(path, name, length, newline)
        return enc, True, notes
    utf16 = utf16_without_bom(head)
    if utf16 is not None:
        return Encoding(utf16, utf16, 0), False, []
    utf8 = Encoding("utf-8", "utf-8", 0)
    bad = _first_bad_byte(path, utf8, newline)
    if bad is None:
        return utf8, True, []
    offset, line, cut_short = bad
    if cut_short:
        # A UTF-8 file cut inside its last character: the rest is fine.
        enc = Encoding("utf-8", "utf-8", 0, errors="replace")
        return enc, True, [_cut_short_note(line)]
    good, legacy = _utf8_evidence(path, 0, newline)
    if good and good >= legacy:
        # Mostly UTF-8 with a few legacy lines: reading it all as cp1252 would garble every
        # accent of the UTF-8 lines, silently.
        enc, notes = _repair_lines(path, "utf-8", 0, newline)
        return enc, True, notes
    name = guess_legacy(_sample_at(path, offset))
    return Encoding(name, name, 0), False, []


def encoding_for(
    path: Path, head: bytes, encoding: str | None
) -> tuple[Encoding, list[SourceNote]]:
    """The encoding to read ``path`` with, checked on the whole file, and its warnings."""
    where = str(path)
    newline = raw_newline(head)
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
        bom = bom_of(head)
        if codec in ("utf-8", "utf-8-sig"):
            length = 3 if bom is not None and bom[0] == "utf-8-sig" else 0
            enc = Encoding("utf-8-sig" if length else "utf-8", "utf-8", length)
        else:
            enc = Encoding(codec, codec, 0)
    while True:
        bad = _first_bad_byte(path, enc, newline)
        if bad is None:
            return enc, []
        if fallbacks:
            name = fallbacks.pop(0)
            enc = Encoding(name, name, 0)
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


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """The encoding crmkit reads a CSV file with.

    ``"utf-8-sig"`` (UTF-8 with a BOM, as Excel writes "CSV UTF-8"), ``"utf-8"``,
    ``"utf-16"`` / ``"utf-32"`` (with a BOM), ``"cp1252"`` (Western Excel: French,
    Spanish, German ...), ``"gb18030"`` (Chinese Excel; reads GBK and GB2312 too),
    another legacy code page found by charset-normalizer, or ``"latin-1"`` as the last
    resort. The answer is checked against the whole file. A UTF-8 file with a few lines in
    a legacy encoding is ``"utf-8"``: :func:`~crmkit._formats.read_table` reads those lines with
    their own encoding and lists them in :attr:`~crmkit._formats.TableSource.warnings`.

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
    head = read_head(path)
    reject_binary(head, str(path))
    return encoding_for(path, head, None)[0].name


def decoded_lines(
    path: Path, enc: Encoding, newline: bytes
) -> Generator[tuple[int, str], None, None]:
    """``(line, text)`` of a file with repaired lines, each read with its own codec."""
    for _, first, data in line_blocks(path, enc.bom, newline):
        for number, raw in enumerate(split_keep(data, newline), first):
            codec = enc.repaired.get(number)
            if codec is None:
                yield number, raw.decode(enc.codec, enc.errors)
            else:
                yield number, raw.decode(codec)


def transcode(source: Path, enc: Encoding, target: Path) -> None:
    """Write ``source`` as UTF-8 (for UTF-16/32 files, whose line ends are not 0x0A)."""
    with (
        source.open("r", encoding=enc.codec, errors=enc.errors, newline="") as src,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        while text := src.read(BLOCK_BYTES):
            out.write(text)


def transcode_repaired(source: Path, enc: Encoding, target: Path, newline: bytes) -> None:
    """Write ``source`` as UTF-8, each repaired line decoded with its own codec.

    Blocks without a repaired line are decoded at once; the line numbers stay the same.
    """
    numbers = sorted(enc.repaired)
    with target.open("wb") as out:
        for _, first, data in line_blocks(source, enc.bom, newline):
            last = first + data.count(newline)
            at = bisect.bisect_left(numbers, first)
            if at == len(numbers) or numbers[at] > last:
                if enc.codec == "utf-8" and enc.errors == "strict":
                    out.write(data)  # checked whole at detection
                else:
                    out.write(data.decode(enc.codec, enc.errors).encode("utf-8"))
                continue
            for number, raw in enumerate(split_keep(data, newline), first):
                codec = enc.repaired.get(number)
                text = raw.decode(enc.codec, enc.errors) if codec is None else raw.decode(codec)
                out.write(text.encode("utf-8"))
