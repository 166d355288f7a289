"""How clean the stored records are: fill rate, formats, duplicates, staleness, in SQL.

:func:`measure` reads the view of live records (``contacts_v`` / ``accounts_v``) in one
aggregate query per report (plus one for the exact-key duplicate estimate), grouped by
``by=``, so 1M contacts take seconds and about the memory of DuckDB's hash tables, not a
frame of the records. What is measured, per field and per group:

- **filled**: not null; text not blank, a list not empty.
- **format** (filled values only): phones in E.164 (``+`` and 7 to 15 digits, as the
  normaliser stores them), emails of the plain form the normaliser stores
  (``local@domain.tld``, ASCII; an internationalised address counts as not conforming),
  websites ``http(s)://host...`` with a lower-case host holding a dot, countries as ISO
  3166 alpha-2 codes, currencies as three capitals, vocabulary fields within their
  vocabulary (the database's sectors), names (``first_name``, ``last_name``, an
  account's ``name``) neither ALL CAPS nor all lower case.
- **spacing**: text values with a leading or trailing space or two spaces in a row (not
  counted in notes and descriptions: prose).

Per group: the records, those with an exact twin (contacts: the same email, folded and
trimmed, or the same first name, last name and account; accounts: the same name, folded
with spaces collapsed, or the same website), or, when a duplicates report is given, those
in one of its clusters; stale records (not updated since the cutoff); records missing a
field the database requires; contacts with no legal basis for email (``email_basis``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from crmkit._core._session import Session
from crmkit._core._store import now_utc
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._ops._query import view_columns
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import CATALOG, Field, table
from crmkit.schemas._models import _FIXED_VOCABULARIES
from crmkit.schemas._vocab import COUNTRY_CODES

__all__ = [
    "BY_SPECIAL",
    "FORMAT_PATTERNS",
    "GROUP_EXTRAS",
    "Measures",
    "check_kind",
    "filled_sql",
    "format_sql",
    "measure",
    "measured_fields",
    "stale_cutoff",
    "vocabularies",
]

# What a stored value must look like (RE2, as DuckDB runs it): the forms the normalisers
# write, so a value that conforms is one the import would have stored unchanged.
FORMAT_PATTERNS: dict[str, str] = {
    "phone": r"^\+[1-9][0-9]{6,14}$",
    "email": (
        r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
        r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
    ),
    "url": r"^https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+"
    r"(:[0-9]+)?([/?#][^\s]*)?$",
    "currency": r"^[A-Z]{3}$",
}

#: The names a contact or an account is called by: ALL CAPS or all lower case is a flaw.
NAME_FIELDS = frozenset({"first_name", "last_name", "name"})

#: Per-group counts that only some kinds have: contacts with no legal basis for email.
GROUP_EXTRAS = ("no_email_basis",)

#: ``by=`` values that are not columns of the view.
BY_SPECIAL = ("owner", "team", "sector", "source")

# Field kinds measured: what a person fills in (booleans always hold their default,
# custom JSON and photos are not fields one fills by hand).
_MEASURED_KINDS = ("text", "int", "float", "date", "ref", "list")

# Longer texts (notes, descriptions) are prose: their spaces are not a flaw to count.
_SPACED_TEXT = 1000

_UNITS = {
    "day": "to_days",
    "days": "to_days",
    "week": "to_weeks",
    "weeks": "to_weeks",
    "month": "to_months",
    "months": "to_months",
    "year": "to_years",
    "years": "to_years",
}
_STALE_RE = re.compile(r"\s*(\d{1,4})\s*([a-z]+)\s*")


# The per-field rows of Measures.fields (also when no record makes no row).
_MEASURE_COLUMNS = (
    "grp",
    "field",
    "records",
    "filled",
    "check",
    "nonconforming",
    "spacing",
    "required",
)


@dataclass(frozen=True)
class Measures:
    """The raw figures of a quality report (pandas frames, one row per group or field)."""

    kind: str
    by: str | None
    fields: pd.DataFrame
    groups: pd.DataFrame
    duplicates_method: str
    stale_cutoff: datetime
    stale_after: str
    required: tuple[str, ...]


def check_kind(kind: Any) -> str:
    """``contacts`` or ``accounts`` (singular accepted), else an error naming ``kind``."""
    key = (
        {"account": "accounts", "contact": "contacts"}.get(kind, kind)
        if isinstance(kind, str)
        else kind
    )
    if key not in CATALOG:
        error = UnknownValueError("kind", kind, list(CATALOG))
        error.args = (
            message("quality_unknown_kind", kind=shorten(kind), kinds=", ".join(CATALOG)),
        )
        raise error
    return str(key)


def measured_fields(kind: str) -> list[Field]:
    """The fields a quality report measures, in catalog order."""
    return [f for f in table(kind) if f.editable and f.kind in _MEASURED_KINDS]


def stale_cutoff(stale_after: Any, now: datetime | None = None) -> tuple[datetime, str]:
    """The moment before which a record not updated since is stale, and how it was said.

    ``stale_after`` is a :class:`~datetime.timedelta`, a number of days, or a text such
    as ``"12 months"``, ``"90 days"``, ``"2 years"``, ``"6 weeks"``.

    Examples
    --------
    >>> stale_cutoff("12 months", datetime(2026, 3, 31))[0]
    datetime.datetime(2025, 3, 31, 0, 0)
    >>> stale_cutoff(timedelta(days=10), datetime(2026, 3, 31))
    (datetime.datetime(2026, 3, 21, 0, 0), '10 days')
    """
    now = now or now_utc()
    if isinstance(stale_after, timedelta) and stale_after >= timedelta(0):
        return now - stale_after, f"{stale_after.days} days"
    if isinstance(stale_after, int) and not isinstance(stale_after, bool) and stale_after >= 0:
        return now - timedelta(days=stale_after), f"{stale_after} days"
    if isinstance(stale_after, str):
        match = _STALE_RE.fullmatch(stale_after.lower())
        if match and match[2] in _UNITS:
            count, unit = int(match[1]), match[2]
            return _shift(now, count, unit), f"{count} {unit}"
    raise ValidationError(message("quality_bad_stale", value=shorten(stale_after)))


def _shift(now: datetime, count: int, unit: str) -> datetime:
    if unit.startswith("day"):
        return now - timedelta(days=count)
    if unit.startswith("week"):
        return now - timedelta(weeks=count)
    months = count * (12 if unit.startswith("year") else 1)
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, _month_days(year, month + 1))
    return now.replace(year=year, month=month + 1, day=day)


def _month_days(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def filled_sql(f: Field, column: str) -> str:
    """SQL true when ``column`` (of field ``f``) holds a value."""
    if f.kind == "text":
        return f"(trim({column}) <> '')"
    if f.kind == "list":
        return f"(len({column}) > 0)"
    return f"({column} IS NOT NULL)"


def format_sql(f: Field, column: str, vocabularies: dict[str, list[str]]) -> tuple[str, str]:
    """``(check name, SQL true when a filled value conforms)``; ``("", "")`` when none.

    Vocabulary values are inlined as quoted literals (they come from the catalog and the
    database's settings, quotes doubled).
    """
    if f.format == "country":
        # One automaton for every code: several times faster than IN over 250 literals.
        return "country", f"regexp_full_match({column}, '{'|'.join(sorted(COUNTRY_CODES))}')"
    if f.format in FORMAT_PATTERNS:
        pattern = FORMAT_PATTERNS[f.format].replace("'", "''")
        return f.format, f"regexp_full_match({column}, '{pattern}')"
    if f.vocabulary is not None and vocabularies.get(f.vocabulary):
        return "vocabulary", f"{column} IN ({_literals(vocabularies[f.vocabulary])})"
    if f.name in NAME_FIELDS and f.kind == "text":
        # The same test as the fixes' name-case rule (``needs_name_case``): a flaw only
        # when the value has cased letters, all in one case ("王芳" has none: it conforms).
        one_case = f"({column} = upper({column}) OR {column} = lower({column}))"
        return "name_case", f"NOT (upper({column}) <> lower({column}) AND {one_case})"
    return "", ""


def _literals(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _spacing_sql(column: str) -> str:
    return f"({column} <> trim({column}) OR contains({column}, '  '))"


def _group_sql(session: Session, kind: str, by: str | None) -> tuple[str, str, bool]:
    """``(SQL of the group value over the records aliased r, joins it needs, view?)``.

    The records are the live rows of the table itself unless ``by`` is a column only
    the view computes (a band, the company name ...): the view's joins cost a good
    quarter of the scan.
    """
    if by is None:
        return "NULL::VARCHAR", "", False
    if by == "owner":
        return "o.name", "LEFT JOIN owners o ON o.id = r.owner_id", False
    if by == "team":
        return (
            "tm.name",
            "LEFT JOIN owners ow ON ow.id = r.owner_id LEFT JOIN owners tm ON tm.id = ow.team_id",
            False,
        )
    if by == "sector":
        if kind == "accounts":
            return "r.sector", "", False
        return "acc.sector", "LEFT JOIN accounts acc ON acc.id = r.account_id", False
    if by == "source":
        name = table(kind).name
        return (
            "src.source",
            "LEFT JOIN (SELECT h.record_id, arg_min(coalesce(json_extract_string(b.details, "
            "'$.source'), b.description), h.batch_id) AS source FROM history h JOIN batches "
            "b ON b.id = h.batch_id WHERE h.table_name = '" + name + "' AND h.operation = "
            "'insert' AND b.operation = 'import' GROUP BY h.record_id) src "
            "ON src.record_id = r.id",
            False,
        )
    columns = view_columns(session.con, kind)
    if by not in columns:
        valid = list(BY_SPECIAL) + [c for c in columns if c not in BY_SPECIAL]
        error = UnknownValueError("by", by, valid, closest(str(by), valid))
        error.args = (
            message("quality_unknown_by", by=shorten(by), kind=kind, valid=", ".join(valid)),
        )
        raise error
    return f"CAST(r.{by} AS VARCHAR)", "", by not in table(kind)


def _duplicate_sql(kind: str, view: str) -> tuple[str, str]:
    """``(CTEs of the duplicated keys, SQL over the view aliased r true for a twin)``.

    Keys held by two records or more are gathered with GROUP BY, then each record is
    looked up in them (hash semi-joins): no window over the records' columns.
    """
    # Keys are grouped by their 64-bit hash: fixed-width groups are several times cheaper
    # than strings, and two keys in a million share a hash with odds of about 1e-8.
    if kind == "contacts":
        first = "hash(lower(trim({r}email)))"
        first_if = "{r}email IS NOT NULL"
        second = "hash(lower(trim({r}first_name)), lower(trim({r}last_name)), {r}account_id)"
        second_if = "{r}last_name IS NOT NULL AND {r}account_id IS NOT NULL"
    else:
        first = "hash(lower(regexp_replace(trim({r}name), '\\s+', ' ', 'g')))"
        first_if = "{r}name IS NOT NULL"
        second = "hash(lower(regexp_replace({r}website, '^https?://(www\\.)?', '')))"
        second_if = "{r}website IS NOT NULL"
    ctes = (
        f"_dup1 AS (SELECT {first.format(r='')} AS k FROM {view} "
        f"WHERE {first_if.format(r='')} GROUP BY ALL HAVING count(*) > 1), "
        f"_dup2 AS (SELECT {second.format(r='')} AS k FROM {view} "
        f"WHERE {second_if.format(r='')} GROUP BY ALL HAVING count(*) > 1)"
    )
    test = (
        f"(({first_if.format(r='r.')}) AND {first.format(r='r.')} IN (SELECT k FROM _dup1)) "
        f"OR (({second_if.format(r='r.')}) AND {second.format(r='r.')} IN (SELECT k FROM _dup2))"
    )
    return ctes, test


def vocabularies(session: Session) -> dict[str, list[str]]:
    """Vocabulary name → its values: the fixed ones and this database's sectors."""
    custom = {
        f.name: list(f.choices.values)
        for kind in ("accounts", "contacts")
        for f in table(kind).custom
        if f.choices is not None
    }
    return {**custom, **_FIXED_VOCABULARIES, "sector": list(session.settings.sectors.values)}


def measure(
    session: Session,
    kind: Any,
    by: str | None = None,
    *,
    stale_after: Any = "12 months",
    duplicates: Any = None,
) -> Measures:
    """The figures of ``crm.quality(kind, by)``, computed in DuckDB.

    Parameters
    ----------
    session
        The CRM's session.
    kind
        ``contacts`` or ``accounts``.
    by
        ``owner``, ``team``, ``sector``, ``source`` (the file a record was imported
        from) or any column of the view; one group for all records when ``None``.
    stale_after
        How long without an update makes a record stale (see :func:`stale_cutoff`).
    duplicates
        A :class:`~crmkit.DuplicateReport` of these records: its clusters give the
        duplicate share instead of the exact-key estimate.
    """
    kind = check_kind(kind)
    cutoff, stale_text = stale_cutoff(stale_after)
    group, joins, needs_view = _group_sql(session, kind, by)
    fields = measured_fields(kind)
    required = tuple(session.settings.required_fields(kind))
    vocabs = vocabularies(session)
    # count_if, not count(*) FILTER: the same counts, a good third faster in DuckDB 1.x.
    parts = ["count(*) AS records"]
    checks: dict[str, str] = {}
    for i, f in enumerate(fields):
        column = f"r.{f.name}"
        filled = filled_sql(f, column)
        parts.append(f"count_if({filled}) AS f{i}")
        check, ok = format_sql(f, column, vocabs)
        if check:
            checks[f.name] = check
            parts.append(f"count_if({filled} AND NOT ({ok})) AS b{i}")
        if f.kind == "text" and (f.max_length or 0) <= _SPACED_TEXT:
            parts.append(f"count_if({_spacing_sql(column)}) AS s{i}")
    by_name = {f.name: f for f in table(kind)}
    missing = " OR ".join(
        f"NOT coalesce({filled_sql(by_name[n], 'r.' + n)}, false)" for n in required if n in by_name
    )
    parts.append(f"count_if({missing or 'false'}) AS missing_required")
    parts.append("count_if(coalesce(r.updated_at, r.created_at) < ?) AS stale")
    if kind == "contacts":  # consent: a contact reached by email needs a legal basis
        parts.append("count_if(r.email_basis IS NULL) AS no_email_basis")
    name = table(kind).name
    # NOT MATERIALIZED: read three times, it must stay a scan, not a copy of the records.
    live = "_live AS NOT MATERIALIZED " + (
        f"(SELECT * FROM {name}_v)"
        if needs_view
        else f"(SELECT * FROM {name} WHERE deleted_at IS NULL AND merged_into IS NULL)"
    )
    view = "_live"
    params: list[Any] = [cutoff]  # the stale cutoff comes first in the text
    if duplicates is None:
        method = "exact"
        ctes, twin = _duplicate_sql(kind, view)
    else:
        method = "report"
        ids = sorted({int(i) for cluster in duplicates.clusters for i in cluster})
        ctes, twin = "_dup1 AS (SELECT unnest(?::BIGINT[]) AS id)", "r.id IN (SELECT id FROM _dup1)"
        params.insert(0, ids)
    parts.append(f"count_if({twin}) AS duplicates")
    sql = (
        f"WITH {live}, {ctes} SELECT {group} AS grp, {', '.join(parts)} FROM {view} r {joins} "
        f"GROUP BY ALL ORDER BY records DESC, grp NULLS LAST"
    )
    raw = session.con.execute(sql, params).df()
    counts = [c for c in raw.columns if c != "grp"]
    raw[counts] = raw[counts].fillna(0)  # count_if of only nulls is null, not 0
    group_names = ["grp", "records", "duplicates", "stale", "missing_required"]
    groups = raw[group_names + [c for c in GROUP_EXTRAS if c in raw.columns]].copy()
    rows = []
    for _, row in raw.iterrows():
        for i, f in enumerate(fields):
            filled_n = int(row[f"f{i}"])
            bad = int(row[f"b{i}"]) if f"b{i}" in raw.columns else None
            rows.append(
                {
                    "grp": row["grp"],
                    "field": f.name,
                    "records": int(row["records"]),
                    "filled": filled_n,
                    "check": checks.get(f.name),
                    "nonconforming": bad,
                    "spacing": int(row[f"s{i}"]) if f"s{i}" in raw.columns else None,
                    "required": f.name in required,
                }
            )
    return Measures(
        kind=kind,
        by=by,
        fields=pd.DataFrame(rows, columns=_MEASURE_COLUMNS),
        groups=groups,
        duplicates_method=method,
        stale_cutoff=cutoff,
        stale_after=stale_text,
        required=required,
    )
