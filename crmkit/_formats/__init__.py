"""Pure readers and writers of CSV, XLSX, vCard and Parquet files: the formats layer.

Nothing here touches the database. The layers above import the names of this layer from
``crmkit._formats``, not from the private modules that hold them:

- tables in: :func:`detect_format`, :func:`read_table` (a :class:`TableSource` read in
  :class:`Chunk` s), :func:`iter_csv`, :func:`iter_xlsx`, :func:`detect_encoding`,
  :func:`sniff_delimiter`;
- vCards: :func:`parse_vcards`, :func:`read_vcf`, :func:`records_to_frame`,
  :func:`write_vcards`, :func:`write_vcf`, :func:`export_vcards`, :func:`display_name`,
  :func:`vcard_file_name`;
- tables out: :func:`export_table` and its :class:`ExportResult`, :func:`header_labels`,
  :func:`neutralize_formula`, :func:`strip_controls`;
- tasks out: :func:`tasks_ics`, :func:`write_ics`, :func:`task_uid` (iCalendar).

The names are listed once, in ``__init__.pyi`` (what type checkers and IDEs read); this
module reads the same file and loads each name on first use, so importing one part of the
layer (the vCard reader, say) does not load the others and what they import (pandas,
openpyxl ...).
"""

from crmkit._util._lazy import lazy_names as _lazy_names

_LAZY, __getattr__ = _lazy_names(__file__, globals())
__all__ = sorted(_LAZY)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
