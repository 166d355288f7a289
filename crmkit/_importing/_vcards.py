"""A vCard file as the rows an import reads: one row per card, with its line.

Cards then go through the same pipeline as a table. What the vCard reader could not read
becomes rejected rows and warnings of the import, and a card without a family name gets
one from what it has (a family name is required), with a warning saying from where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crmkit._formats import parse_vcards
from crmkit._formats._vcard_custom import properties_to_columns
from crmkit._util._messages import message
from crmkit.schemas._catalog import table

__all__ = ["VCardRows", "read_vcard_rows"]


@dataclass
class VCardRows:
    """The cards of a vCard file as rows, and what reading them found.

    Attributes
    ----------
    frame
        One row per card, its line in ``__line__``.
    rejects
        Cards that cannot be read, as rejected rows (``__line__``, ``__reasons__``,
        ``first_lines``).
    warnings
        ``(line, field, value, message)`` rows: cards read with a repair.
    """

    frame: pd.DataFrame
    rejects: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[tuple[int, str, Any, str]] = field(default_factory=list)


def read_vcard_rows(path: str | Path) -> VCardRows:
    """Read a vCard file into rows for the import."""
    parsed = parse_vcards(Path(path).read_bytes())
    warnings: list[tuple[int, str, Any, str]] = []
    for record, line in zip(parsed.records, parsed.lines, strict=True):
        source = _name_fallback(record)
        if source is not None:
            warnings.append(
                (
                    line,
                    "last_name",
                    record["last_name"],
                    f"the card has no family name; last_name taken from {source}",
                )
            )
    frame = parsed.to_frame("pandas")
    assert isinstance(frame, pd.DataFrame)
    # The database's custom fields, written as X-CRMKIT-<NAME> properties.
    frame = properties_to_columns(frame, [f.name for f in table("contacts").custom])
    frame.insert(0, "__line__", parsed.lines)
    rows = VCardRows(frame, warnings=warnings)
    for error in parsed.errors:
        if not error.kept:
            rows.rejects.append(
                {
                    "__line__": error.line,
                    "__reasons__": message(
                        "reject_vcard", card=error.card or "", reason=error.reason
                    ),
                    "first_lines": "\n".join(error.excerpt),
                }
            )
        else:
            rows.warnings.append((error.line, "vcard", None, error.reason))
    rows.warnings.extend((w.line, "vcard", None, w.reason) for w in parsed.warnings)
    return rows


def _name_fallback(record: dict[str, Any]) -> str | None:
    """Give a vCard without a family name one, from what it has; say from where."""
    if record.get("last_name"):
        return None
    custom = record.get("custom") or {}
    if isinstance(custom.get("FN"), str) and custom["FN"].strip():
        record["last_name"] = custom.pop("FN").strip()
        return "FN"
    for key, label in (("first_name", "the given name"), ("org", "ORG"), ("email", "EMAIL")):
        if record.get(key):
            record["last_name"] = record.pop(key) if key == "first_name" else record[key]
            return label
    return None
