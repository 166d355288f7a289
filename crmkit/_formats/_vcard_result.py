"""What reading vCards gives back: records, errors and warnings, and the records as a DataFrame."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from crmkit.schemas._catalog import CONTACTS

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = [
    "VCARD_COLUMNS",
    "VCardError",
    "VCardParseResult",
    "VCardWarning",
    "records_to_frame",
]

# The catalog fields the reader can fill (looked up, so a renamed field fails at import).
# ``org`` (the company name, which the import layer links to an account) takes the place
# of ``account_id`` in the column order.
_FILLED_FIELDS = frozenset(CONTACTS[name].name for name in (
    "salutation", "gender", "first_name", "last_name", "job_title", "department", "email",
    "secondary_email", "phone", "mobile", "home_phone", "fax", "street", "city",
    "postal_code", "region", "country", "website", "linkedin", "twitter", "birthday", "notes",
    "photo", "uid", "tags", "custom",
))  # fmt: skip

#: Columns of the DataFrame :func:`read_vcf` returns, in catalog order.
VCARD_COLUMNS: tuple[str, ...] = tuple(
    "org" if f.name == "account_id" else f.name
    for f in CONTACTS
    if f.name in _FILLED_FIELDS or f.name == "account_id"
)


class VCardWarning(UserWarning):
    """Issued by :func:`read_vcf` (``errors="report"``) when cards could not be read."""


@dataclass(frozen=True)
class VCardError:
    """One problem found while reading a vCard file.

    Attributes
    ----------
    card
        1-based position of the card in the file (``None`` outside any card).
    line
        1-based physical line where the card (or the problem) starts.
    reason
        What is wrong, in plain words.
    excerpt
        The first lines of the broken card, as found in the file.
    kept
        True when the card's record was still returned.
    """

    card: int | None
    line: int
    reason: str
    excerpt: tuple[str, ...] = ()
    kept: bool = False

    def __str__(self) -> str:
        where = f"card {self.card}, line {self.line}" if self.card else f"line {self.line}"
        kept = " (card kept)" if self.kept else ""
        text = f"{where}: {self.reason}{kept}"
        if self.excerpt:
            text += "\n    " + "\n    ".join(self.excerpt)
        return text


@dataclass
class VCardParseResult:
    """What :func:`parse_vcards` found.

    Attributes
    ----------
    records
        One dict per card: contact field names as keys (only the fields the card fills),
        ``org`` for the company name and ``custom`` (always present) for every property
        that maps to no field.
    errors
        Cards that could not be read (or only partly: truncated cards).
    warnings
        Smaller problems in cards that were read: dropped photos, unreadable lines,
        mis-encoded bytes, text outside any card.
    lines
        For each record, the 1-based line where its card starts.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[VCardError] = field(default_factory=list)
    warnings: list[VCardError] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"VCardParseResult({len(self.records)} records, {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings)"
        )

    def to_frame(
        self, backend: Literal["pandas", "polars"] = "pandas"
    ) -> pd.DataFrame | pl.DataFrame:
        """The records as a DataFrame with the columns :data:`VCARD_COLUMNS`."""
        return records_to_frame(self.records, backend)


def records_to_frame(
    records: list[dict[str, Any]], backend: Literal["pandas", "polars"] = "pandas"
) -> pd.DataFrame | pl.DataFrame:
    """Contact records (as :func:`parse_vcards` makes them) as a DataFrame.

    Examples
    --------
    >>> records_to_frame([{"last_name": "Blou", "tags": ["vip"], "custom": {}}]).loc[0, "tags"]
    ['vip']
    """
    columns: dict[str, list[Any]] = {c: [r.get(c) for r in records] for c in VCARD_COLUMNS}
    columns["custom"] = [
        json.dumps(c, ensure_ascii=False, default=str) if c else None for c in columns["custom"]
    ]
    if backend == "polars":
        import polars as pl

        schema = {
            c: pl.Date
            if c == "birthday"
            else pl.List(pl.String)
            if c == "tags"
            else pl.Binary
            if c == "photo"
            else pl.String
            for c in VCARD_COLUMNS
        }
        return pl.DataFrame(columns, schema=schema)
    if backend != "pandas":
        from crmkit._exceptions import UnknownValueError

        raise UnknownValueError("backend", backend, ["pandas", "polars"])
    import pandas as pd

    frame: dict[str, Any] = {}
    for c in VCARD_COLUMNS:
        if c == "birthday":
            frame[c] = pd.Series(pd.to_datetime(columns[c]), dtype="datetime64[s]")
        elif c in ("tags", "photo"):
            frame[c] = pd.Series(columns[c], dtype=object)
        else:
            frame[c] = pd.Series(columns[c], dtype="str")
    return pd.DataFrame(frame)
