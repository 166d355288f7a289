"""The public names of the formats layer, listed once.

This stub is read by type checkers and IDEs, and by ``crmkit/_formats/__init__.py``, which
builds its lazy loader and ``__all__`` from the imports below (as ``crmkit/__init__.py``
does with ``crmkit/__init__.pyi``): a name added here is public for the layers above, and
``tests/test_formats_api.py`` checks that every name resolves.
"""

from crmkit._formats._controls import strip_controls as strip_controls
from crmkit._formats._csv_sniff import sniff_delimiter as sniff_delimiter
from crmkit._formats._encoding import detect_encoding as detect_encoding
from crmkit._formats._export import export_table as export_table
from crmkit._formats._formula import neutralize_formula as neutralize_formula
from crmkit._formats._headers import HeaderLang as HeaderLang
from crmkit._formats._headers import header_labels as header_labels
from crmkit._formats._ics import task_uid as task_uid
from crmkit._formats._ics import tasks_ics as tasks_ics
from crmkit._formats._ics import write_ics as write_ics
from crmkit._formats._result import ExportFormat as ExportFormat
from crmkit._formats._result import ExportResult as ExportResult
from crmkit._formats._source import (
    detect_format as detect_format,
)
from crmkit._formats._source import (
    iter_csv as iter_csv,
)
from crmkit._formats._source import (
    iter_xlsx as iter_xlsx,
)
from crmkit._formats._source import (
    read_table as read_table,
)
from crmkit._formats._table import (
    DEFAULT_CHUNK_ROWS as DEFAULT_CHUNK_ROWS,
)
from crmkit._formats._table import (
    Chunk as Chunk,
)
from crmkit._formats._table import (
    TableSource as TableSource,
)
from crmkit._formats._vcard_files import (
    export_vcards as export_vcards,
)
from crmkit._formats._vcard_files import (
    vcard_file_name as vcard_file_name,
)
from crmkit._formats._vcard_files import (
    write_vcf as write_vcf,
)
from crmkit._formats._vcard_names import display_name as display_name
from crmkit._formats._vcard_read import parse_vcards as parse_vcards
from crmkit._formats._vcard_read import read_vcf as read_vcf
from crmkit._formats._vcard_result import (
    VCARD_COLUMNS as VCARD_COLUMNS,
)
from crmkit._formats._vcard_result import (
    VCardError as VCardError,
)
from crmkit._formats._vcard_result import (
    VCardParseResult as VCardParseResult,
)
from crmkit._formats._vcard_result import (
    VCardWarning as VCardWarning,
)
from crmkit._formats._vcard_result import (
    records_to_frame as records_to_frame,
)
from crmkit._formats._vcard_write import VCardVersion as VCardVersion
from crmkit._formats._vcard_write import write_vcards as write_vcards

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "VCARD_COLUMNS",
    "Chunk",
    "ExportFormat",
    "ExportResult",
    "HeaderLang",
    "TableSource",
    "VCardError",
    "VCardParseResult",
    "VCardVersion",
    "VCardWarning",
    "detect_encoding",
    "detect_format",
    "display_name",
    "export_table",
    "export_vcards",
    "header_labels",
    "iter_csv",
    "iter_xlsx",
    "neutralize_formula",
    "parse_vcards",
    "read_table",
    "read_vcf",
    "records_to_frame",
    "sniff_delimiter",
    "strip_controls",
    "vcard_file_name",
    "write_vcards",
    "write_vcf",
]
