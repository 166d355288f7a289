"""Turn values typed by a person (a form, ``add(...)``, ``update(...)``) into stored values.

The same column normalisers as the import pipeline (:mod:`crmkit._normalize._columns`), applied to
one value: phones to E.164 with the database's default region, emails with a lower-case
domain, URLs with a scheme, country names to ISO codes, vocabulary labels and synonyms
to their stored value, strings to lists, dates and booleans parsed, "4,2 M€" to an amount
with its currency, "50-99" to a headcount range. A value that cannot be read is kept as
given, so that validation names the field, the value and the rule it breaks.

A number that no column of its field's type can hold is refused at once with a
:class:`~crmkit.ValidationError`: a yes/no value, NaN, an infinity, or a number beyond a
BIGINT (whole numbers) or a DOUBLE (amounts). NaN would otherwise read as "empty" and the
others fail in the database driver. Every other value this returns fits its column or is
one the schemas refuse: a text a number field cannot read comes back as an
:class:`~crmkit.schemas._models.UnreadText`, which the number rules refuse even where
Python reads a number in it (``"1e5"`` as a headcount).

Text is kept as typed: a ``'`` in front of ``=`` is not the protection a CSV file puts
there (see :class:`~crmkit._normalize._columns.ColumnOptions`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from crmkit._exceptions import ValidationError
from crmkit._normalize._columns import ColumnOptions, normalize_column
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import BIGINT_MAX, BIGINT_MIN, Field, Table
from crmkit.schemas._models import UnreadText, value_text
from crmkit.schemas._vocab import Vocabulary

__all__ = ["prepare_value", "prepare_values"]

# Kinds stored as BIGINT (whole numbers) and DOUBLE.
_WHOLE_KINDS = frozenset({"int", "ref", "id"})
_NUMBER_KINDS = _WHOLE_KINDS | {"float"}


def _options(region: str, sectors: Vocabulary) -> ColumnOptions:
    return ColumnOptions(region=region, sectors=sectors, unquote_formulas=False)


def _unstorable(field: Field, value: Any) -> str | None:
    """Why a number cannot be stored in ``field``'s column at all, or ``None``."""
    if field.kind not in _NUMBER_KINDS:
        return None
    if isinstance(value, bool | np.bool_):
        return "a yes/no value is not a number"
    if not isinstance(value, numbers.Real | Decimal):
        return None  # text and the rest: read, or kept for the schema to name the rule
    if value.is_nan() if isinstance(value, Decimal) else value != value:
        return "not a number (NaN)"
    if isinstance(value, numbers.Integral) and field.kind in _WHOLE_KINDS:
        if BIGINT_MIN <= int(value) <= BIGINT_MAX:
            return None
        return "outside the whole numbers a column holds (-2**63 to 2**63-1)"
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        return "not a finite number"
    if field.kind in _WHOLE_KINDS and number.is_integer() and not -(2.0**63) <= number < 2.0**63:
        return "outside the whole numbers a column holds (-2**63 to 2**63-1)"
    return None


def _refuse(field: Field, value: Any, reason: str) -> ValidationError:
    check = "number" if field.kind == "float" else "integer"
    cases = pd.DataFrame(
        {
            "row": [0],
            "field": [field.name],
            "value": pd.Series([value_text(value)], dtype=object),
            "check": [check],
            "severity": ["error"],
        }
    )
    shown = shorten(value)
    return ValidationError(f"{field.name} = {shown} cannot be stored: {reason}", cases)


def _prepare(field: Field, value: Any, options: ColumnOptions) -> tuple[Any, dict[str, Any]]:
    """The stored value and the side fields it implies (currency, ranges)."""
    if value is None:
        return None, {}
    if (reason := _unstorable(field, value)) is not None:
        raise _refuse(field, value, reason)
    result = normalize_column(field, [value], options)
    unreadable = result.errors[0] is not None
    outside_vocabulary = result.to_custom is not None and result.to_custom[0] is not None
    if unreadable and field.kind in _NUMBER_KINDS and isinstance(value, str):
        # Kept as typed, marked so that the schema refuses it even where Python reads a
        # number ("1e5" as a headcount): a number column holds no text.
        return UnreadText(value), {}
    if outside_vocabulary:  # kept as written, cleaned; the schema names the rule it breaks
        assert result.to_custom is not None
        return result.to_custom[0], {}
    if unreadable:
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
    return _prepare(field, value, _options(region, sectors))[0]


def prepare_values(
    tbl: Table, values: Mapping[str, Any], *, region: str, sectors: Vocabulary
) -> dict[str, Any]:
    """Normalise a dict of field values (keys must be catalog fields of ``tbl``).

    Side fields a value implies are added unless given: ``annual_revenue="4,2 M€"`` sets
    ``currency="EUR"``, ``employees="50-99"`` sets the headcount range.

    Raises
    ------
    ValidationError
        For a number no column of the field's type can hold (see the module notes); the
        message names the field and the value, cut short.

    Examples
    --------
    >>> from crmkit.schemas import ACCOUNTS, DEFAULT_SECTORS
    >>> prepare_values(ACCOUNTS, {"annual_revenue": "4,2 M€", "employees": "50-99"},
    ...                region="FR", sectors=DEFAULT_SECTORS)  # doctest: +NORMALIZE_WHITESPACE
    {'annual_revenue': 4200000.0, 'employees': None, 'currency': 'EUR',
     'employees_range_min': 50, 'employees_range_max': 99}
    """
    options = _options(region, sectors)
    out: dict[str, Any] = {}
    implied: dict[str, Any] = {}
    for name, value in values.items():
        out[name], side = _prepare(tbl[name], value, options)
        implied.update(side)
    for name, value in implied.items():
        if name in tbl and out.get(name) is None:
            out[name] = value
    return out
