"""Turn values typed by a person (a form, ``add(...)``, ``update(...)``) into stored values.

Each field kind and format has one normaliser (from :mod:`crmkit._normalize`): phones to
E.164 with the database's default region, emails trimmed with a lower-case domain, URLs
with a scheme, country names to ISO codes, vocabulary synonyms to their stored value,
strings to lists, dates and booleans parsed. A value that cannot be normalised is kept as
given so that validation can name it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from crmkit import _normalize as norm
from crmkit._exceptions import ValidationError
from crmkit.schemas._catalog import Field, Table
from crmkit.schemas._vocab import ACCOUNT_TYPES, GENDERS, OWNERSHIPS, SALUTATIONS, Vocabulary

__all__ = ["prepare_value", "prepare_values"]

_VOCABULARIES: dict[str, Vocabulary] = {
    "account_type": ACCOUNT_TYPES,
    "ownership": OWNERSHIPS,
    "gender": GENDERS,
    "salutation": SALUTATIONS,
}


def prepare_value(field: Field, value: Any, *, region: str, sectors: Vocabulary) -> Any:
    """Normalise one value for ``field``; leave what cannot be read for validation to flag.

    Examples
    --------
    >>> from crmkit.schemas import CONTACTS, DEFAULT_SECTORS
    >>> prepare_value(CONTACTS["mobile"], "06 25 34 12 57", region="FR",
    ...               sectors=DEFAULT_SECTORS)
    '+33625341257'
    """
    if value is None:
        return None
    kind = field.kind
    if kind == "text":
        text = norm.clean_text(value)
        if text is None:
            return None
        return _prepare_text(field, text, region, sectors)
    if kind == "list":
        return norm.split_list(value)
    if kind == "json":
        if isinstance(value, str):
            return value if value.strip() else None
        return json.dumps(value, ensure_ascii=False, default=str)
    if kind == "bool":
        return _lenient(norm.parse_bool, value)
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        return _lenient(norm.parse_date, value)
    if kind in ("float", "int"):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return int(value) if kind == "int" and float(value).is_integer() else value
        number = _lenient(norm.parse_number, value)
        if isinstance(number, float) and kind == "int" and number.is_integer():
            return int(number)
        return number
    return value


def _lenient(parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except ValidationError:
        return value  # kept as given; the schema names it


def _prepare_text(field: Field, text: str, region: str, sectors: Vocabulary) -> str:
    fmt = field.format
    if fmt == "phone":
        return norm.normalize_phone(text, region).value or text
    if fmt == "email":
        return norm.normalize_email(text).value or text
    if fmt == "url" and field.name != "twitter":
        return norm.normalize_url(text) or text
    if fmt == "country":
        return norm.normalize_country(text) or text
    if fmt == "currency":
        return norm.parse_currency(text) or text.upper()
    if field.vocabulary == "sector":
        return sectors.lookup(text) or text
    if field.vocabulary in _VOCABULARIES:
        return _VOCABULARIES[field.vocabulary].lookup(text) or text
    return text


def prepare_values(
    tbl: Table, values: Mapping[str, Any], *, region: str, sectors: Vocabulary
) -> dict[str, Any]:
    """Normalise a dict of field values (keys must be catalog fields of ``tbl``)."""
    return {
        name: prepare_value(tbl[name], value, region=region, sectors=sectors)
        for name, value in values.items()
    }
