"""vCard files: one ``.vcf`` with every card, or a zip of one safely named file a contact.

Files are written next to their destination and moved into place at the end, so a failure
never leaves a partial file behind. :func:`vcard_file_name` names a contact's file so that
Windows, macOS and Linux all accept it and no name can climb out of the archive.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from anyascii import anyascii

from crmkit._exceptions import ExportError
from crmkit._formats._controls import cleaning_warning, has_controls, strip_controls
from crmkit._formats._result import ExportResult
from crmkit._formats._vcard_names import display_name
from crmkit._formats._vcard_write import (
    CHUNK_CARDS,
    CardWriter,
    VCardVersion,
    chunked,
    records_of,
    text_of,
)

__all__ = ["export_vcards", "vcard_file_name", "write_vcf"]

_UNSAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")

# Windows device names: a file whose name before its first dot is one of them cannot be
# created ("prn.x.vcf" is PRN). COM¹ and LPT² are transliterated to COM1 and LPT2 first.
_WINDOWS_DEVICE_RE = re.compile(r"(?i)con|prn|aux|nul|com[0-9]|lpt[0-9]")

_MAX_FILE_STEM = 80


def vcard_file_name(record: Mapping[str, Any], taken: set[str] | None = None) -> str:
    """A file name for one contact that Windows, macOS and Linux all accept.

    The name is transliterated to ASCII (``Hélène Blou`` -> ``Helene_Blou.vcf``, ``ＣＯＭ¹``
    -> ``COM1``), so Unicode normalisation cannot change it; it keeps only letters, digits,
    ``.``, ``_`` and ``-`` (no path separator, no character Windows or macOS reserve, no
    control character, no space), has no dot, ``_`` or ``-`` at its ends, is at most 81
    characters before ``-2`` and the extension, and is never empty (``contact.vcf``). Its
    part before the first dot is never a Windows device name: ``CON``, ``PRN``, ``AUX``,
    ``NUL``, ``COM0``-``COM9``, ``LPT0``-``LPT9`` in any case get a ``_`` (``prn.x`` ->
    ``prn_.x.vcf``). With ``taken``, the lower-cased names already used, a name that
    differs from one of them only by case gets ``-2``, ``-3`` ... (Windows and macOS
    file systems ignore case), and the new name is added to ``taken``.

    Examples
    --------
    >>> taken = set()
    >>> vcard_file_name({"first_name": "Hélène", "last_name": "Blou"}, taken)
    'Helene_Blou.vcf'
    >>> vcard_file_name({"first_name": "HELENE", "last_name": "Blou"}, taken)
    'HELENE_Blou-2.vcf'
    >>> vcard_file_name({"last_name": "../../etc/passwd"})
    'etc_passwd.vcf'
    >>> vcard_file_name({"first_name": "伟", "last_name": "王"})
    'WangWei.vcf'
    >>> vcard_file_name({"last_name": "Prn"}), vcard_file_name({"last_name": "aux.txt"})
    ('Prn_.vcf', 'aux_.txt.vcf')
    """
    base = display_name(text_of(record.get("first_name")), text_of(record.get("last_name")))
    if not base:
        base = text_of(record.get("org")) or (text_of(record.get("email")) or "").split("@")[0]
    if base and has_controls(base):  # "Blou\x1b[31m" is Blou, not Blou_31m
        base = strip_controls(base)
    stem = _UNSAFE_NAME_RE.sub("_", anyascii(base or "").replace(" ", "_"))
    stem = re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", stem)).strip("._-")[:_MAX_FILE_STEM]
    stem = stem.strip("._-") or "contact"
    head, dot, tail = stem.partition(".")
    if _WINDOWS_DEVICE_RE.fullmatch(head):  # CON, NUL, COM1 ... cannot be file names there
        stem = f"{head}_{dot}{tail}"
    if taken is None:
        return stem + ".vcf"
    name, n = stem, 1
    while name.lower() + ".vcf" in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name.lower() + ".vcf")
    return name + ".vcf"


def write_vcf(
    records: Iterable[Mapping[str, Any]] | Any,
    path: str | os.PathLike[str],
    *,
    version: VCardVersion = "3.0",
    zip: bool = False,
    rev: datetime | date | str | bool | None = None,
) -> Path:
    """Write contacts to one ``.vcf`` file, or to a zip with one ``.vcf`` per contact.

    The file is written next to its destination and moved into place at the end, so a
    failure never leaves a partial file behind. Values are written without their control
    characters; :func:`export_vcards` does the same and also says how many it changed.

    Parameters
    ----------
    records
        Dicts of contact fields plus ``org``, or a pandas or polars DataFrame.
    path
        Destination file.
    version
        ``"3.0"`` or ``"4.0"``.
    zip
        One ``.vcf`` per contact in a zip archive, named after the contact
        (:func:`vcard_file_name`).
    rev
        REV timestamp, as in :func:`write_vcards`.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = write_vcf([{"first_name": "Marc", "last_name": "Durand"}], folder / "c.vcf")
    >>> out.read_bytes().splitlines()[3]
    b'N:Durand;Marc;;;'
    """
    return export_vcards(records, path, version=version, zip=zip, rev=rev).path


def export_vcards(
    records: Iterable[Mapping[str, Any]] | Any,
    path: str | os.PathLike[str],
    *,
    version: VCardVersion = "3.0",
    zip: bool = False,
    rev: datetime | date | str | bool | None = None,
) -> ExportResult:
    r"""Write contacts as :func:`write_vcf` does; say how many cards, and what was changed.

    Parameters are those of :func:`write_vcf`.

    Returns
    -------
    ExportResult
        ``format="vcf"``, ``rows`` the number of cards; ``changed`` the number of values
        written without their control characters, and ``warnings`` the fields they were
        in (no ``columns`` nor ``headers``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> result = export_vcards([{"first_name": "Marc", "last_name": "Durand\x1b[31m"}],
    ...                        folder / "c.zip", zip=True)
    >>> result  # doctest: +ELLIPSIS
    ExportResult(path='.../c.zip', format='vcf', rows=1, changed=1)
    >>> result.warnings[0].split(":")[0]
    '1 value written without their control characters (last_name'
    """
    target = Path(path)
    writer = CardWriter(version, rev)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc}") from exc
    cards = 0
    try:
        with os.fdopen(handle, "wb") as out:
            if zip:
                taken: set[str] = set()
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                    for rec in records_of(records):
                        name = vcard_file_name(rec, taken)
                        archive.writestr(name, writer.card(rec).encode("utf-8"))
                        cards += 1
            else:
                for chunk in chunked(records_of(records), CHUNK_CARDS):
                    out.write(writer.chunk(chunk).encode("utf-8"))
                    cards += len(chunk)
        os.replace(tmp_name, target)
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {target}: {exc}") from exc
        raise
    return ExportResult(
        target,
        "vcf",
        cards,
        (),
        changed=sum(writer.changed.values()),
        warnings=cleaning_warning(writer.changed, "vcf"),
    )
