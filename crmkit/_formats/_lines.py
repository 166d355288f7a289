"""A file as lines: blocks of whole lines, line ends, where a line starts.

Lines are counted at ``\\n``, or at ``\\r`` in a file that has no ``\\n`` (old Mac
files). Large files are read in blocks of about a megabyte cut at a line end, so memory
stays bounded and a line number is always exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "BLOCK_BYTES",
    "line_blocks",
    "line_offset",
    "newline_of",
    "raw_newline",
    "split_keep",
    "split_lines",
]

BLOCK_BYTES = 1 << 20


def raw_newline(head: bytes) -> bytes:
    return b"\r" if b"\n" not in head and b"\r" in head else b"\n"


def newline_of(text: str) -> str:
    return "\n" if "\n" in text or "\r" not in text else "\r"


def line_blocks(path: Path, start: int, newline: bytes) -> Iterator[tuple[int, int, bytes]]:
    """``(offset, first line, data)``: the file from ``start`` in blocks of whole lines."""
    with path.open("rb") as fh:
        fh.seek(start)
        offset, line, carry = start, 1, b""
        while True:
            block = fh.read(BLOCK_BYTES)
            data = carry + block
            if block:
                cut = data.rfind(newline) + 1
                data, carry = data[:cut], data[cut:]
            if data:
                yield offset, line, data
                offset += len(data)
                line += data.count(newline)
            if not block:
                return


def split_keep(data: bytes, newline: bytes) -> list[bytes]:
    """The lines of ``data``, each with its line end (the last one may have none)."""
    parts = data.split(newline)
    lines = [p + newline for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def split_lines(text: str, newline: str) -> list[str]:
    parts = text.split(newline)
    lines = [p + newline for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def line_offset(path: Path, line: int, newline: bytes, start: int, start_line: int) -> int:
    """Byte offset where physical line ``line`` starts, counting from a known line start."""
    remaining = line - start_line
    if remaining <= 0:
        return start
    with path.open("rb") as fh:
        fh.seek(start)
        pos = start
        while block := fh.read(BLOCK_BYTES):
            found = block.count(newline)
            if found < remaining:
                remaining -= found
                pos += len(block)
                continue
            at = -1
            for _ in range(remaining):
                at = block.index(newline, at + 1)
            return pos + at + 1
        return pos
