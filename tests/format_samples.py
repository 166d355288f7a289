"""Shared by the tests of crmkit._formats: files written for the readers, rows read back.

``write_file`` writes text in an encoding, ``read_rows`` and ``line_numbers`` read a
:class:`~crmkit._formats.TableSource` whole, ``workbook`` writes an XLSX file with openpyxl
and ``shared_strings_workbook`` a minimal one by hand (for zip bombs and the like).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import openpyxl

from crmkit._formats import TableSource

__all__ = [
    "bomb",
    "line_numbers",
    "read_rows",
    "shared_strings",
    "shared_strings_workbook",
    "workbook",
    "write_file",
]


def write_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_rows(source: TableSource | Any, **options: Any) -> list[dict[str, Any]]:
    chunk = source.read(**options)
    return [dict(r) for r in chunk.frame.to_dict("records")]


def line_numbers(source: TableSource) -> list[int]:
    return [int(v) for v in source.read().lines]


def workbook(path: Path, rows: list[list[Any]], **sheets: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Contacts"
    for row in rows:
        ws.append(row)
    for name, extra in sheets.items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(row)
    book.save(path)
    return path


_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PKG = b"http://schemas.openxmlformats.org/package/2006"
_DOC = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>'
_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml."


def shared_strings_workbook(path: Path, strings: Iterable[bytes]) -> Path:
    """A minimal valid workbook: A1 and A2 are shared strings 0 and 1 of ``strings``.

    ``strings`` are the pieces of xl/sharedStrings.xml, streamed into the archive (openpyxl
    writes inline strings, so it cannot make such a workbook itself).
    """
    parts = {
        "[Content_Types].xml": b'%s<Types xmlns="%s/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="%ssheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="%sworksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="%ssharedStrings+xml"/>'
        b"</Types>" % (_XML_HEAD, _PKG, _TYPE, _TYPE, _TYPE),
        "_rels/.rels": b'%s<Relationships xmlns="%s/relationships"><Relationship Id="rId1" '
        b'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        % (_XML_HEAD, _PKG, _DOC),
        "xl/workbook.xml": b'%s<workbook %s xmlns:r="%s"><sheets><sheet name="Contacts" '
        b'sheetId="1" r:id="rId1"/></sheets></workbook>' % (_XML_HEAD, _MAIN, _DOC),
        "xl/_rels/workbook.xml.rels": b'%s<Relationships xmlns="%s/relationships">'
        b'<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>" % (_XML_HEAD, _PKG, _DOC, _DOC),
        "xl/worksheets/sheet1.xml": b'%s<worksheet %s><sheetData><row r="1"><c r="A1" t="s">'
        b'<v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData>'
        b"</worksheet>" % (_XML_HEAD, _MAIN),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for piece in strings:
                part.write(piece)
    return path


def shared_strings(*items: bytes) -> list[bytes]:
    return [_XML_HEAD + b"<sst " + _MAIN + b">", *items, b"</sst>"]


def bomb(expanded: int) -> Iterator[bytes]:
    """A shared-strings table of about ``expanded`` bytes of one name, repeated."""
    item = b"<si><t>Dupont</t></si>"
    yield from shared_strings(b"<si><t>Nom</t></si><si><t>Blou</t></si>")[:-1]
    block = item * 4096
    for _ in range(expanded // len(block)):
        yield block
    yield b"</sst>"
