"""What an export wrote: :class:`ExportResult`, for tables (CSV, XLSX, Parquet) and vCards."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from crmkit._util._messages import message
from crmkit._util._shorten import printable

__all__ = ["ExportFormat", "ExportResult", "ResultFormat"]

#: The formats :func:`~crmkit._formats.export_table` writes.
ExportFormat = Literal["csv", "xlsx", "parquet"]
#: Formats an :class:`ExportResult` describes: the table formats and vCard.
ResultFormat = Literal["csv", "xlsx", "parquet", "vcf"]


@dataclass(frozen=True, repr=False)
class ExportResult:
    """What :func:`export_table` wrote.

    Attributes
    ----------
    path
        The file written.
    format
        ``"csv"``, ``"xlsx"`` or ``"parquet"``.
    rows
        Number of records written (the header line not counted).
    columns
        The source column names written, in file order.
    headers
        The header labels written, in the same order (equal to ``columns`` without
        ``lang``). Empty for vCards.
    changed
        Number of values written without some of their characters: the control
        characters the format cannot hold or that crmkit never writes (see
        :func:`strip_controls`). 0 for Parquet, which keeps every character.
    warnings
        What was changed, in words: the number of values per column.

    The result stands for its file where a path is expected (``os.PathLike``):
    ``pd.read_csv(result)``, ``zipfile.ZipFile(result)``.
    """

    path: Path
    format: ResultFormat
    rows: int
    columns: tuple[str, ...]
    headers: tuple[str, ...] = ()
    changed: int = 0
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        shown = ", ".join(printable(c) for c in self.columns[:6])
        if len(self.columns) > 6:
            shown += f", ... ({len(self.columns)} in all)"
        columns = f", columns=[{shown}]" if self.columns else ""
        changed = f", changed={self.changed}" if self.changed else ""
        return (
            f"ExportResult(path='{self.path}', format={self.format!r}, rows={self.rows}"
            f"{columns}{changed})"
        )

    def __str__(self) -> str:
        """What was written, in words (the language of :func:`crmkit.set_config`).

        Examples
        --------
        >>> print(ExportResult(Path("out.csv"), "csv", 1, ("email",)))
        1 row written to out.csv
        """
        return message("export_text", count=self.rows, path=self.path)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython shows the sentence; ``repr`` stays the code-like form."""
        printer.text(str(self))

    def __fspath__(self) -> str:
        return os.fspath(self.path)
