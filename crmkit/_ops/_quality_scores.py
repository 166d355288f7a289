"""A quality score per record (0-100) and a "missing: ..." text, computed in DuckDB.

Scoring: each weighted field brings its weight when filled and in the stored format (the
checks of :mod:`crmkit._ops._quality`), half its weight when filled in another format,
nothing when empty; the score is the share of the total weight brought, times 100,
rounded. The text names the empty weighted fields, heaviest first, by their labels in
the current language. The weights are :data:`DEFAULT_WEIGHTS` unless ``weights=`` gives
others (a weight of 0 leaves a field out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmkit._core._session import Session
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._ops._frames import FrameKind, as_frame
from crmkit._ops._quality import filled_sql, format_sql, measured_fields, vocabularies
from crmkit._ops._query import Query
from crmkit._util._config import current_lang
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

__all__ = ["DEFAULT_WEIGHTS", "quality_scores"]

#: Field → weight per kind: what a usable record holds (who, how to reach them, where).
DEFAULT_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "contacts": {
        "last_name": 3,
        "email": 3,
        "first_name": 2,
        "account_id": 2,
        "phone": 1,
        "mobile": 1,
        "job_title": 2,
        "country": 1,
        "city": 1,
        "owner_id": 1,
    },
    "accounts": {
        "name": 3,
        "website": 2,
        "phone": 2,
        "sector": 2,
        "billing_country": 2,
        "billing_city": 1,
        "employees": 1,
        "annual_revenue": 1,
        "owner_id": 1,
    },
}


def _checked_weights(kind: str, weights: Mapping[str, Any] | None) -> dict[str, float]:
    chosen = dict(DEFAULT_WEIGHTS[kind] if weights is None else weights)
    names = [f.name for f in measured_fields(kind)]
    out: dict[str, float] = {}
    for name, weight in chosen.items():
        if name not in names:
            error = UnknownValueError("field", name, names, closest(str(name), names))
            error.args = (
                message(
                    "quality_unknown_field", field=shorten(name), kind=kind, fields=", ".join(names)
                ),
            )
            raise error
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight >= 0:
            raise ValidationError(message("quality_bad_weight", field=name, value=shorten(weight)))
        if weight > 0:
            out[name] = float(weight)
    if not out:
        raise ValidationError(message("quality_no_weight"))
    return out


def quality_scores(
    session: Session,
    query: Query,
    weights: Mapping[str, Any] | None = None,
    as_: FrameKind = "pandas",
) -> Any:
    """``id``, ``quality_score`` (0-100) and ``quality_missing`` of the selected records.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> _ = crm.contacts.add(last_name="Blou", email="h.blou@aprool.com")
    >>> crm.contacts.quality_scores().to_dict("records")
    [{'id': 1, 'quality_score': 35, 'quality_missing': 'First name, Account, Job title, \
Phone, Mobile, Country, City, Owner'}]
    >>> crm.contacts.quality_scores(weights={"email": 1, "mobile": 1})["quality_score"].item()
    50
    >>> crm.close()
    """
    kind = query.kind
    chosen = _checked_weights(kind, weights)
    lang = current_lang()
    fields = {f.name: f for f in table(kind)}
    vocabs = vocabularies(session)
    total = sum(chosen.values())
    points: list[str] = []
    missing: list[str] = []
    for name, weight in sorted(chosen.items(), key=lambda item: -item[1]):
        f = fields[name]
        column = f"r.{name}"
        filled = f"coalesce({filled_sql(f, column)}, false)"
        check, ok = format_sql(f, column, vocabs)
        brought = (
            f"CASE WHEN NOT {filled} THEN 0 WHEN {ok} THEN 1 ELSE 0.5 END"
            if check
            else (f"CASE WHEN {filled} THEN 1 ELSE 0 END")
        )
        points.append(f"{weight!r} * ({brought})")
        label = f.label(lang).replace("'", "''")
        missing.append(f"CASE WHEN NOT {filled} THEN '{label}' END")
    selected, params = query.ids_sql()
    sql = (
        f"SELECT r.id, CAST(round(100 * ({' + '.join(points)}) / {total!r}) AS INTEGER) "
        f"AS quality_score, nullif(concat_ws('{message('list_sep', lang)}', "
        f"{', '.join(missing)}), '') AS quality_missing "
        f"FROM {table(kind).name}_v r WHERE r.id IN ({selected}) ORDER BY r.id"
    )
    return as_frame(session.con.sql(sql, params=params).to_arrow_table(), as_)
