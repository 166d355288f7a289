"""Which fields an import may change on a record it updates, field by field.

An overwrite policy maps a field to ``"always"`` (the file's non-empty value wins, as
every import does by default), ``"if_empty"`` (only where the stored value is empty) or
``"never"`` (the stored value stays, e.g. the owner or the origin of a record that a
purchased list names again). New records are not concerned: they take every value
of their row. The policy is applied to the rows an import updates by blanking the cells
it holds back: an import's update keeps the stored value of a blank cell.

The names of fields here (policies and per-field defaults) are the catalog's editable
fields or the keywords of references (``owner``, ``account``, ``company``,
``reports_to``, ``parent``), as in ``crm.contacts.add``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._ops._records import REFERENCE_KEYWORDS
from crmkit._util._messages import kind_noun, message, short
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table
from crmkit.schemas._labels import message_field

__all__ = ["POLICIES", "check_default_names", "check_overwrite", "field_column", "hold_back"]

POLICIES: tuple[str, ...] = ("always", "if_empty", "never")


def _names(kind: str) -> dict[str, str]:
    """Every name a policy or a default may use -> the column it sets."""
    tbl = table(kind)
    names = {f.name: f.name for f in tbl.editable}
    names["owner"] = "owner_id"
    names.update(REFERENCE_KEYWORDS[tbl.name])
    return names


def field_column(kind: str, name: Any, part: str) -> str:
    """The column that ``name`` sets; :class:`UnknownValueError` naming it otherwise.

    Examples
    --------
    >>> field_column("contacts", "owner", "overwrite")
    'owner_id'
    >>> field_column("contacts", "lifecyle_stage", "overwrite")
    Traceback (most recent call last):
    ...
    crmkit._exceptions.UnknownValueError: overwrite policy: 'lifecyle_stage' is not a field ...
    """
    names = _names(kind)
    if isinstance(name, str) and name in names:
        return names[name]
    valid = sorted(names)
    hint_name = closest(str(name), valid)
    text = message(
        "profile_unknown_field",
        part=message(f"profile_part_{part}"),
        field=short(name),
        kind=kind_noun(table(kind).name),
        hint=message("profile_hint", name=hint_name) if hint_name else "",
    )
    raise UnknownValueError("field", name, valid, hint_name, text=text)


def check_overwrite(kind: str, overwrite: Mapping[str, Any] | None) -> dict[str, str]:
    """``{column: policy}`` from a user's ``{field: policy}``; unknown names are refused.

    Examples
    --------
    >>> check_overwrite("contacts", {"owner": "never", "origin": "if_empty"})
    {'owner_id': 'never', 'origin': 'if_empty'}
    >>> check_overwrite("contacts", {"owner": "sometimes"})
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: overwrite policy of owner_id: 'sometimes' is not one ...
    """
    if not overwrite:
        return {}
    if not isinstance(overwrite, Mapping):
        raise ValidationError(f"overwrite is a dict of field -> policy, got {short(overwrite)}")
    out: dict[str, str] = {}
    for name, policy in overwrite.items():
        column = field_column(kind, name, "overwrite")
        if policy not in POLICIES:
            raise ValidationError(
                message(
                    "profile_bad_policy",
                    field=message_field(table(kind).name, column),
                    value=short(policy),
                    valid=message("list_sep").join(POLICIES),
                )
            )
        out[column] = str(policy)
    return out


def check_default_names(kind: str, defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    """``defaults`` as a plain dict once every name is known (values are checked later,
    against the database: an owner's name, a sector of its vocabulary)."""
    if not defaults:
        return {}
    if not isinstance(defaults, Mapping):
        raise ValidationError(f"defaults is a dict of field -> value, got {short(defaults)}")
    for name in defaults:
        field_column(kind, name, "defaults")
    return dict(defaults)


def hold_back(
    con: duckdb.DuckDBPyConnection, kind: str, data: pa.Table, overwrite: Mapping[str, str]
) -> pa.Table:
    """``data`` (rows updating the records of its ``id`` column) with the cells the
    policy holds back blanked: every cell of a ``never`` field, and the cells of an
    ``if_empty`` field whose record already holds a value (an empty list or text counts
    as empty)."""
    held = {c: p for c, p in overwrite.items() if p != "always" and c in data.column_names}
    if not held or data.num_rows == 0:
        return data
    name = table(kind).name
    ids = data.column("id")
    for column, policy in held.items():
        values = data.column(column)
        blank = pa.nulls(data.num_rows, values.type)
        if policy == "never":
            kept = blank
        else:
            filled = _filled_ids(con, name, column, ids.to_pylist())
            kept = pc.if_else(pc.is_in(ids, pa.array(filled, pa.int64())), blank, values)
        data = data.set_column(data.column_names.index(column), column, kept)
    return data


def _filled_ids(
    con: duckdb.DuckDBPyConnection, kind: str, column: str, ids: list[Any]
) -> list[int]:
    """The records among ``ids`` whose ``column`` holds a value."""
    sql_type = {r[0]: r[1] for r in con.execute(f"DESCRIBE {kind}").fetchall()}[column]
    if sql_type.endswith("[]"):
        empty = f"({column} IS NULL OR len({column}) = 0)"
    elif sql_type == "VARCHAR":
        empty = f"({column} IS NULL OR trim({column}) = '')"
    else:
        empty = f"{column} IS NULL"
    rows = con.execute(
        f"SELECT id FROM {kind} WHERE id IN (SELECT unnest(?::BIGINT[])) AND NOT {empty}",
        [[int(i) for i in ids]],
    ).fetchall()
    return [int(r[0]) for r in rows]
