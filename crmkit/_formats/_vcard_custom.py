"""A database's custom fields in vCards: ``X-CRMKIT-<NAME>`` properties (pure).

A custom field ``shoe_size`` is written as ``X-CRMKIT-SHOE-SIZE:38`` (a vCard property
name holds no ``_``) and read back into the field. The vCard writer already writes the
entries of ``custom`` whose keys are property names, and the reader keeps unknown
properties there under their name: this module only moves values between the fields and
those entries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

__all__ = ["custom_property", "fields_to_properties", "properties_to_columns"]

_PREFIX = "X-CRMKIT-"


def custom_property(name: str) -> str:
    """The vCard property of custom field ``name``.

    Examples
    --------
    >>> custom_property("shoe_size")
    'X-CRMKIT-SHOE-SIZE'
    """
    return _PREFIX + name.upper().replace("_", "-")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def fields_to_properties(
    records: Iterable[dict[str, Any]], names: Sequence[str]
) -> Iterator[dict[str, Any]]:
    """Records whose custom fields ``names`` are moved into ``custom`` as properties.

    Examples
    --------
    >>> next(fields_to_properties([{"last_name": "Blou", "shoe_size": 38, "custom": None}],
    ...                           ["shoe_size"]))
    {'last_name': 'Blou', 'custom': {'X-CRMKIT-SHOE-SIZE': '38'}}
    """
    for rec in records:
        extra = {}
        for name in names:
            value = rec.pop(name, None)
            if value is not None and value != []:
                extra[custom_property(name)] = _text(value)
        if extra:
            custom = rec.get("custom")
            merged = json.loads(custom) if isinstance(custom, str) else dict(custom or {})
            rec["custom"] = {**merged, **extra}
        yield rec


def properties_to_columns(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """``frame`` (read from vCards) with the ``X-CRMKIT-`` entries of ``custom`` as columns.

    Examples
    --------
    >>> frame = pd.DataFrame({"custom": ['{"X-CRMKIT-SHOE-SIZE": "38", "X-A": "b"}', None]})
    >>> properties_to_columns(frame, ["shoe_size"]).iloc[0].to_dict()
    {'custom': '{"X-A": "b"}', 'shoe_size': '38'}
    """
    if not names or "custom" not in frame.columns:
        return frame
    wanted = {custom_property(n): n for n in names}
    columns: dict[str, list[Any]] = {n: [None] * len(frame) for n in names}
    customs: list[Any] = []
    for i, text in enumerate(frame["custom"].tolist()):
        found = json.loads(text) if isinstance(text, str) and text else None
        if not isinstance(found, dict) or not wanted.keys() & found.keys():
            customs.append(text)
            continue
        for prop, name in wanted.items():
            if prop in found:
                columns[name][i] = found.pop(prop)
        customs.append(json.dumps(found, ensure_ascii=False) if found else None)
    out = frame.copy()
    out["custom"] = customs
    for name, values in columns.items():
        if name not in out.columns:
            out[name] = values
    return out
