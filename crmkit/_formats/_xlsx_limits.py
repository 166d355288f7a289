"""Workbooks refused before they are opened: zip bombs and parts too big for memory.

The ZIP's directory is checked against :data:`XLSX_MAX_PART_BYTES`,
:data:`XLSX_MAX_SHEET_BYTES` and :data:`XLSX_MAX_RATIO`, so a zip bomb is refused before
anything is decompressed. XML entity expansion (billion laughs) is refused by defusedxml,
which openpyxl uses when it is installed (a crmkit dependency), and by expat's own
amplification limit.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from crmkit._exceptions import ImportFormatError
from crmkit._util._shorten import shorten

__all__ = [
    "XLSX_MAX_PART_BYTES",
    "XLSX_MAX_RATIO",
    "XLSX_MAX_SHEET_BYTES",
    "XLSX_RATIO_FLOOR_BYTES",
    "check_workbook_parts",
]

#: Largest uncompressed size of a workbook part that openpyxl reads whole into memory
#: (shared strings, styles, the workbook ...): a shared-strings table becomes a Python list
#: taking about four times its XML size.
XLSX_MAX_PART_BYTES = 256 * 1024 * 1024

#: Largest uncompressed size of a worksheet part, which is streamed row by row (a sheet of
#: a million rows and twenty columns is about a gigabyte of XML).
XLSX_MAX_SHEET_BYTES = 4 * 1024 * 1024 * 1024

#: Largest compression ratio (uncompressed / compressed) of a part bigger than
#: :data:`XLSX_RATIO_FLOOR_BYTES`. Real workbook XML compresses 5 to 30 times; a zip bomb
#: a thousand times.
XLSX_MAX_RATIO = 100

#: Parts up to this uncompressed size are not held to :data:`XLSX_MAX_RATIO`: a tiny part
#: of repeated markup compresses very well and is harmless.
XLSX_RATIO_FLOOR_BYTES = 8 * 1024 * 1024

_SHEET_PART = re.compile(r"xl/(?:worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml")


def check_workbook_parts(path: Path) -> None:
    """Refuse a workbook whose parts would expand to more than memory can take.

    The sizes come from the ZIP's central directory, before anything is decompressed.
    They cannot be understated to sneak a bomb through: :mod:`zipfile` stops reading a
    part at its recorded size, and the CRC check then fails on the cut data.
    """
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ImportFormatError(
            f"the workbook is damaged or truncated and cannot be opened ({exc})", path=where
        ) from None
    for info in infos:
        size = info.file_size
        streamed = _SHEET_PART.fullmatch(info.filename) is not None
        cap = XLSX_MAX_SHEET_BYTES if streamed else XLSX_MAX_PART_BYTES
        if size > cap:
            raise ImportFormatError(
                f"the workbook part {shorten(info.filename)} would expand to {size:,} bytes, "
                f"more than the {cap:,} crmkit reads; split the workbook or export it as CSV",
                path=where,
            )
        ratio = size / max(info.compress_size, 1)
        if size > XLSX_RATIO_FLOOR_BYTES and ratio > XLSX_MAX_RATIO:
            raise ImportFormatError(
                f"the workbook part {shorten(info.filename)} expands {ratio:,.0f} times "
                f"(from {info.compress_size:,} to {size:,} bytes): a zip bomb, not a "
                f"spreadsheet (real workbooks expand less than {XLSX_MAX_RATIO} times)",
                path=where,
            )
