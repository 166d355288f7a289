"""A file as lines (crmkit._formats._lines): line ends, blocks of whole lines, where a line
starts."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit._formats._lines as lines_module
from crmkit._formats._lines import (
    line_blocks,
    line_offset,
    newline_of,
    raw_newline,
    split_keep,
    split_lines,
)


def test_line_ends() -> None:
    assert raw_newline(b"a\r\nb\r\n") == b"\n"
    assert raw_newline(b"a\rb\r") == b"\r"  # an old Mac file
    assert raw_newline(b"abc") == b"\n"
    assert newline_of("a\r\nb") == "\n" and newline_of("a\rb") == "\r" and newline_of("a") == "\n"


def test_split_keeps_each_line_end() -> None:
    assert split_keep(b"a\nb\n", b"\n") == [b"a\n", b"b\n"]
    assert split_keep(b"a\nb", b"\n") == [b"a\n", b"b"]
    assert split_keep(b"", b"\n") == []
    assert split_lines("a\rb\r\rc", "\r") == ["a\r", "b\r", "\r", "c"]


def test_line_blocks_cut_at_line_ends_and_count_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lines_module, "BLOCK_BYTES", 8)
    path = tmp_path / "f.txt"
    data = b"HEADline 1\nline 2\nlong line 3\nend"
    path.write_bytes(data)
    blocks = list(line_blocks(path, 4, b"\n"))
    assert b"".join(b for _, _, b in blocks) == data[4:]
    assert all(b.endswith(b"\n") for _, _, b in blocks[:-1])
    assert blocks == [
        (4, 1, b"line 1\n"),
        (11, 2, b"line 2\n"),
        (18, 3, b"long line 3\n"),  # longer than a block: read on until its end
        (30, 4, b"end"),
    ]
    for offset, _, block in blocks:
        assert data[offset : offset + len(block)] == block


def test_line_offset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.txt"
    data = b"".join(b"line %d\n" % i for i in range(1, 40))
    path.write_bytes(data)
    for block_bytes in (5, 1 << 20):
        monkeypatch.setattr(lines_module, "BLOCK_BYTES", block_bytes)
        assert line_offset(path, 1, b"\n", 0, 1) == 0
        assert line_offset(path, 10, b"\n", 0, 1) == data.index(b"line 10\n")
        start = data.index(b"line 5\n")
        assert line_offset(path, 30, b"\n", start, 5) == data.index(b"line 30\n")
        assert line_offset(path, 3, b"\n", start, 5) == start  # before the known line
        assert line_offset(path, 99, b"\n", 0, 1) == len(data)  # past the end
