"""vCard import and export: the pure layer (no database).

:func:`parse_vcards` / :func:`read_vcf` read vCard 2.1, 3.0 and 4.0 files into contact
records or DataFrames; :func:`write_vcards` / :func:`write_vcf` write records or
DataFrames as standard vCard 3.0 or 4.0. The reader lives in :mod:`crmkit._formats._vcard_read`,
the writer in :mod:`crmkit._formats._vcard_write`; this module gathers their public names.
"""

from __future__ import annotations

from crmkit._formats._vcard_read import (
    VCARD_COLUMNS,
    VCardError,
    VCardParseResult,
    VCardWarning,
    parse_vcards,
    read_vcf,
    records_to_frame,
)
from crmkit._formats._vcard_write import display_name, vcard_file_name, write_vcards, write_vcf

__all__ = [
    "VCARD_COLUMNS",
    "VCardError",
    "VCardParseResult",
    "VCardWarning",
    "display_name",
    "parse_vcards",
    "read_vcf",
    "records_to_frame",
    "vcard_file_name",
    "write_vcards",
    "write_vcf",
]
