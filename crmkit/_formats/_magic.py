"""What the first bytes of a file say: its magic number, its byte-order mark, binary data.

Used before a file is read as text: a ZIP archive, an image or a PDF is named in the
message instead of being read as a garbled CSV; a byte-order mark declares UTF-8, UTF-16
or UTF-32; a start that is more than 10% control bytes (NUL ...) is refused as binary,
while a stray NUL or terminal escape sequence in a text file is cell content, read as is.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from crmkit._exceptions import ImportFormatError

__all__ = [
    "HEAD_BYTES",
    "OLE_MAGIC",
    "ZIP_MAGIC",
    "bom_of",
    "count_of",
    "read_head",
    "reject_binary",
    "text_head",
    "utf16_without_bom",
]

HEAD_BYTES = 64 * 1024  # what format, binary and encoding checks look at

ZIP_MAGIC = b"PK\x03\x04"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Magic numbers of files people attach by mistake, for a clearer message than "binary".
_MAGIC_NAMES = (
    (ZIP_MAGIC, "a ZIP archive (an Excel workbook?)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (OLE_MAGIC, "an old Excel 97-2003 .xls workbook (or another Office 97 file)"),
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

# Control bytes that text does not hold (tab, line ends, form feed and ESC, which starts
# the colour codes some tools leave in cells, aside). A stray NUL or two in a text file is
# a cell's content, to be read; binary data (zip, image, executable) is full of them.
_BINARY_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"

_BINARY_CONTROL_SHARE = 0.1

_BINARY_MIN_CONTROLS = 3


def read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise ImportFormatError("the file is empty (0 bytes)", path=str(path))
    return head


def text_head(head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return head.decode(name, errors="ignore")
    return head.decode("latin-1")


def bom_of(head: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    return None


def utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` for mostly-ASCII UTF-16 text without a BOM."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def count_of(data: bytes, members: bytes) -> int:
    """How many bytes of ``data`` are among ``members`` (at C speed)."""
    return len(data) - len(data.translate(None, members))


def reject_binary(head: bytes, where: str) -> None:
    for magic, what in _MAGIC_NAMES:
        if head.startswith(magic):
            hint = ""
            if magic in (ZIP_MAGIC, OLE_MAGIC):
                hint = "; read it as a workbook (format='xlsx') or export it as CSV"
            raise ImportFormatError(f"this is {what}, not a CSV text file{hint}", path=where)
    if bom_of(head) is None and utf16_without_bom(head) is None:
        controls = count_of(head, _BINARY_CONTROLS)
        if controls >= _BINARY_MIN_CONTROLS and controls > _BINARY_CONTROL_SHARE * len(head):
            raise ImportFormatError(
                f"this is a binary file (NUL bytes and other control bytes make up "
                f"{controls / len(head):.0%} of its start), not a CSV text file",
                path=where,
            )
