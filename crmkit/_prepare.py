"""Turn values typed by a person (a form, ``add(...)``, ``update(...)``) into stored values.

The same column normalisers as the import pipeline (:mod:`crmkit._columns`), applied to
one value: phones to E.164 with the database's default region, emails with a lower-case
domain, URLs with a scheme, country names to ISO codes, vocabulary labels and synonyms
to their stored value, strings to lists, dates and booleans parsed, "4,2 M€" to an amount
with its currency, "50-99" to a headcount range. A value that cannot be read is kept as
given, so that validation names the field, the value and the rule it breaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmkit._columns import ColumnOptions, normalize_column
from crmkit.schemas._catalog import Field, Table
from crmkit.schemas._vocab import Vocabulary

__all__ = ["prepare_value", "prepare_values"]


def _prepare(field: Field, value: Any, options: ColumnOptions) -> tuple[Any, dict[str, Any]]:
    """The stored value and the side fields it implies (currency, ranges)."""
    if value is None:
        return None, {}
    result = normalize_column(field, [value], options)
    unreadable = result.errors[0] is not None
    outside_vocabulary = result.to_custom is not None and result.to_custom[0] is not None
    if unreadable or outside_vocabulary:
        return value, {}  # kept as given; the schema names the rule it breaks
    side = {name: values[0] for name, values in result.side.items() if values[0] is not None}
    return result.values[0], side


def prepare_value(field: Field, value: Any, *, region: str, sectors: Vocabulary) -> Any:
    """Normalise one value for ``field``; leave what cannot be read for validation to flag.

    Examples
    --------
    >>> from crmkit.schemas import CONTACTS, DEFAULT_SECTORS
    >>> prepare_value(CONTACTS["mobile"], "06 25 34 12 57", region="FR",
    ...               sectors=DEFAULT_SECTORS)
    '+33625341257'
    """
    return _prepare(field, value, ColumnOptions(region=region, sectors=sectors))[0]


def prepare_values(
    tbl: Table, values: Mapping[str, Any], *, region: str, sectors: Vocabulary
) -> dict[str, Any]:
    """Normalise a dict of field values (keys must be catalog fields of ``tbl``).

    Side fields a value implies are added unless given: ``annual_revenue="4,2 M€"`` sets
    ``currency="EUR"``, ``employees="50-99"`` sets the headcount range.

    Examples
    --------
    >>> from crmkit.schemas import ACCOUNTS, DEFAULT_SECTORS
    >>> prepare_values(ACCOUNTS, {"annual_revenue": "4,2 M€", "employees": "50-99"},
    ...                region="FR", sectors=DEFAULT_SECTORS)  # doctest: +NORMALIZE_WHITESPACE
    {'annual_revenue': 4200000.0, 'employees': None, 'currency': 'EUR',
     'employees_range_min': 50, 'employees_range_max': 99}
    """
    options = ColumnOptions(region=region, sectors=sectors)
    out: dict[str, Any] = {}
    implied: dict[str, Any] = {}
    for name, value in values.items():
        out[name], side = _prepare(tbl[name], value, options)
        implied.update(side)
    for name, value in implied.items():
        if name in tbl and out.get(name) is None:
            out[name] = value
    return out
