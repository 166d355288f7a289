"""Proposed fixes to stored values, reviewed, then applied in one undoable batch.

``crm.contacts.suggest_fixes()`` finds values that crmkit would store differently today:
names in capitals or lower case (``DUPONT`` → ``Dupont``), outer or double spaces, phone
numbers not in E.164, email addresses, websites, country names (→ ISO codes) and
vocabulary values written another way. DuckDB picks the candidate values (one scan of the
table tests every field with its rules' SQL, then ``SELECT DISTINCT`` per field), Python
works out each distinct candidate's
proposal with the normalisers of :mod:`crmkit._normalize` (the same as imports and forms),
and one join gives the records holding them. The result, a :class:`Fixes`, is a frame
``id, field, current, proposed, rule`` to review; :meth:`Fixes.apply` writes all or some
of it through :func:`~crmkit._ops._field_writes.write_values` (one batch, history rows,
``crm.undo`` restores), skipping a proposal whose stored value changed since.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit import _normalize as norm
from crmkit._core._operation import per_operation
from crmkit._core._session import Session
from crmkit._exceptions import ValidationError
from crmkit._normalize._columns import ColumnOptions, normalize_column
from crmkit._normalize._name_case import name_case
from crmkit._normalize._text import clean_text
from crmkit._ops._bulk import BulkReport
from crmkit._ops._field_writes import write_values
from crmkit._ops._query import Query
from crmkit._util._config import current_lang
from crmkit._util._frames import to_pandas
from crmkit._util._messages import kind_noun, message, rule_sentence
from crmkit._util._shorten import shorten
from crmkit._util._table_html import Column, table_html, table_text
from crmkit.schemas._catalog import Field, table
from crmkit.schemas._models import describe_failures, validate
from crmkit.schemas._vocab import (
    FIXED_VOCABULARIES,
)

__all__ = ["FIX_RULES", "Fixes", "suggest_fixes"]

#: The rules, in the order they are applied to one value (the last that changes it names
#: the proposal): spaces first, then the field's format, then the case of names.
FIX_RULES = ("spaces", "phone", "email", "url", "country", "vocabulary", "name_case")
_FORMAT_RULES = frozenset({"phone", "email", "url", "country"})
_NAME_FIELDS = {"contacts": ("first_name", "last_name"), "accounts": ()}
_COUNTRY_FIELD = {"contacts": "country", "accounts": "billing_country"}
_COLUMNS = ("id", "field", "current", "proposed", "rule")

# Anything clean_text would change (see _normalize/_columns.py), as one RE2 pattern.
_NEEDS_CLEANING = (
    "^ | $|  |"
    "[\t\n\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]|"
    + norm.CONTROL_CHARACTERS
)
# Values the normalisers keep as they are: the SQL tests leave them out, so Python sees
# only the few values that may change. Each pattern is narrower than what the normaliser
# keeps, never wider (a value it lets through is only checked again in Python).
_E164 = r"\+[1-9][0-9]{6,14}"
_PLAIN_EMAIL = r"[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)+"
_CANONICAL_URL = r"https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(/[A-Za-z0-9_.~%-]+)+/?"


def _rules_of(kind: str, f: Field) -> list[str]:
    """The rules that apply to field ``f`` of ``kind``, in :data:`FIX_RULES` order."""
    rules = ["spaces"]
    if f.format in _FORMAT_RULES and f.name != "twitter":
        rules.append(str(f.format))
    if f.vocabulary is not None:
        rules.append("vocabulary")
    if f.name in _NAME_FIELDS[kind]:
        rules.append("name_case")
    return rules


def fixable_fields(kind: str) -> list[Field]:
    """The fields suggest_fixes looks at: the text fields users edit."""
    return [f for f in table(kind) if f.kind == "text" and f.editable]


def _checked_names(
    given: str | Iterable[str] | None, known: Sequence[str], key: str, **values: Any
) -> list[str] | None:
    """``given`` as a list, every name known, or a ValidationError naming the first not."""
    if given is None:
        return None
    names = [given] if isinstance(given, str) else list(given)
    for name in names:
        if name not in known:
            raise ValidationError(
                message(key, name=shorten(name), known=", ".join(known), **values)
            )
    return [str(n) for n in names]


@dataclass(frozen=True)
class _Context:
    """What one suggestion run reads values with."""

    kind: str
    options: ColumnOptions
    sectors: tuple[str, ...]


def _predicate(rule: str, f: Field, ctx: _Context, v: str) -> tuple[str, list[Any]]:
    """The SQL test (on the column expression ``v``) that a value may change under
    ``rule``, and its parameters."""
    if rule == "spaces":
        return f"(regexp_matches({v}, ?) OR {v} <> nfc_normalize({v}))", [_NEEDS_CLEANING]
    if rule == "name_case":
        return f"(({v} = upper({v}) OR {v} = lower({v})) AND upper({v}) <> lower({v}))", []
    if rule == "phone":
        return f"NOT regexp_full_match({v}, ?)", [_E164]
    if rule == "email":
        return f"NOT regexp_full_match({v}, ?)", [_PLAIN_EMAIL]
    if rule == "url":
        return f"NOT regexp_full_match({v}, ?)", [_CANONICAL_URL]
    if rule == "country":
        return f"NOT regexp_full_match({v}, '[A-Z]{{2}}')", []
    return f"NOT list_contains(?, {v})", [_vocabulary_values(f, ctx)]


def _vocabulary_values(f: Field, ctx: _Context) -> list[str]:
    """The stored values of ``f``'s vocabulary (the database's sectors for ``sector``)."""
    if f.vocabulary == "sector":
        return list(ctx.sectors)
    if f.choices is not None:
        return list(f.choices.values)
    return list(FIXED_VOCABULARIES[str(f.vocabulary)].values)


def _region(country: Any) -> str | None:
    """The phone region of a record's stored country (``None``: the default region)."""
    if not isinstance(country, str) or not country.strip():
        return None
    code = norm.normalize_country(country)
    return code if code else None


def _format_step(
    rule: str, f: Field, values: list[str], *, regions: list[str | None], ctx: _Context
) -> list[str | None]:
    """The value ``rule``'s normaliser stores for each value, ``None`` where it finds none."""
    result = normalize_column(f, values, ctx.options, regions if rule == "phone" else None)
    moved = result.to_custom or [None] * len(values)
    vocabulary = set(_vocabulary_values(f, ctx)) if rule == "vocabulary" else None
    out: list[str | None] = []
    checks = zip(result.values, result.errors, result.warnings, moved, strict=True)
    for value, error, warning, to_custom in checks:
        if error is not None or warning is not None or to_custom is not None:
            out.append(None)  # a value the normaliser cannot read: nothing to propose
        elif not isinstance(value, str):
            out.append(None)
        elif rule == "country" and not (len(value) == 2 and value.isupper()):
            out.append(None)  # a country the normaliser does not know stays as written
        elif vocabulary is not None and value not in vocabulary:
            out.append(None)
        else:
            out.append(value)
    return out


def _proposals(
    f: Field, rules: list[str], pairs: list[tuple[str, Any]], ctx: _Context
) -> list[tuple[str | None, str | None]]:
    """For each distinct (value, country): the proposed value and the rule that made it."""
    current = [value for value, _ in pairs]
    proposed = list(current)
    named: list[str | None] = [None] * len(pairs)
    regions = [_region(country) for _, country in pairs]

    def step(rule: str, func: Callable[[list[str]], list[str | None]]) -> None:
        for i, new in enumerate(func(proposed)):
            if new is not None and new != proposed[i]:
                proposed[i], named[i] = new, rule

    for rule in rules:
        if rule == "spaces":
            step(rule, lambda values: [clean_text(v) for v in values])
        elif rule == "name_case":
            step(rule, lambda values: [name_case(v) for v in values])
        else:
            step(rule, partial(_format_step, rule, f, regions=regions, ctx=ctx))
    return [
        (new, rule) if rule is not None else (None, None)
        for new, rule in zip(proposed, named, strict=True)
    ]


def _valid(kind: str, f: Field, values: list[str], sectors: Sequence[str]) -> list[bool]:
    """Which values the field's rules accept (the pandera models, as every save)."""
    if not values:
        return []
    frame = pd.DataFrame({f.name: pd.Series(values, dtype=object)})
    report = validate(frame, kind, required=[], sectors=sectors)
    if report.ok:
        return [True] * len(values)
    failing = report.errors
    bad = set(failing[failing["severity"] == "error"]["row"].astype(int))
    return [i not in bad for i in range(len(values))]


_IDS = "_crmkit_fix_ids"  # the selected ids, registered once per suggestion run
_CANDIDATES = "_crmkit_fix_candidates"  # the scan's candidates, registered once per run


def _scan_candidates(
    session: Session, plans: Sequence[tuple[Field, list[str]]], ctx: _Context
) -> pa.Table:
    """The candidate values of every planned field, in ONE scan of the table:
    ``id, field, v, c`` (``c``: the record's country, for fields with the phone rule).

    Each field becomes a column holding its value where one of its rules' SQL tests says
    it may change (NULL elsewhere); ``UNPIVOT`` turns those columns into rows and drops
    the NULLs. One scan with every test costs far less than a scan per field: the table
    is read and decompressed once (at 1M contacts, 23 scans were most of the time).
    The selected ids are joined in: cheaper than the view, whose joins name owners and
    accounts.
    """
    country = _COUNTRY_FIELD[ctx.kind]
    columns: list[str] = []
    params: list[Any] = []
    for f, rules in plans:
        tests = [_predicate(rule, f, ctx, f"t.{f.name}") for rule in rules]
        columns.append(
            f"CASE WHEN {' OR '.join(test for test, _ in tests)} THEN t.{f.name} END AS {f.name}"
        )
        params.extend(p for _, ps in tests for p in ps)
    with_country = [f.name for f, rules in plans if "phone" in rules]
    names = ", ".join(f.name for f, _ in plans)
    return session.con.sql(
        f"SELECT id, field, v, CASE WHEN list_contains(?, field) THEN c END AS c "
        f"FROM (UNPIVOT (SELECT t.id, t.{country}::VARCHAR AS c, {', '.join(columns)} "
        f"FROM {ctx.kind} t SEMI JOIN {_IDS} USING (id)) "
        f"ON {names} INTO NAME field VALUE v)",
        params=[with_country, *params],
    ).to_arrow_table()


def _field_fixes(session: Session, f: Field, rules: list[str], ctx: _Context) -> pd.DataFrame:
    """The fixes of one field: ``id, field, current, proposed, rule``, from the
    candidates of :func:`_scan_candidates` (registered as ``_CANDIDATES``).

    The distinct candidates get their proposals in Python; a join of the candidates with
    the proposals gives the records.
    """
    con = session.con
    pairs = con.execute(
        f"SELECT DISTINCT v, c FROM {_CANDIDATES} WHERE field = ?", [f.name]
    ).fetchall()
    if not pairs:
        return _empty()
    found = _proposals(f, rules, [(str(v), c) for v, c in pairs], ctx)
    kept = [
        (v, c, new, rule)
        for (v, c), (new, rule) in zip(pairs, found, strict=True)
        if new is not None and rule is not None
    ]
    distinct_new = sorted({new for _, _, new, _ in kept})
    valid = _valid(ctx.kind, f, distinct_new, ctx.sectors)
    accepted = dict(zip(distinct_new, valid, strict=True))
    kept = [row for row in kept if accepted[row[2]]]
    if not kept:
        return _empty()
    mapping = pa.table(
        {
            "v": pa.array([r[0] for r in kept], pa.string()),
            "c": pa.array([r[1] for r in kept], pa.string()),
            "proposed": pa.array([r[2] for r in kept], pa.string()),
            "rule": pa.array([r[3] for r in kept], pa.string()),
        }
    )
    con.register("_crmkit_fix_map", mapping)
    try:
        return con.execute(
            f"SELECT s.id, s.field, s.v AS current, m.proposed, m.rule "
            f"FROM {_CANDIDATES} s JOIN _crmkit_fix_map m "
            "ON s.v = m.v AND s.c IS NOT DISTINCT FROM m.c WHERE s.field = ?",
            [f.name],
        ).df()
    finally:
        con.unregister("_crmkit_fix_map")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series([], dtype="int64"),
            **{c: pd.Series([], dtype=object) for c in _COLUMNS[1:]},
        }
    )


def suggest_fixes(
    session: Session,
    query: Query,
    *,
    fields: str | Iterable[str] | None = None,
    rules: str | Iterable[str] | None = None,
) -> Fixes:
    """The proposed fixes of the selection's stored values (see :class:`Fixes`)."""
    kind = query.kind
    candidates = fixable_fields(kind)
    names = [f.name for f in candidates]
    chosen_fields = _checked_names(fields, names, "fixes_unknown_field", kind=kind)
    chosen_rules = _checked_names(rules, FIX_RULES, "fixes_unknown_rule")
    settings = session.settings
    sectors = settings.sectors
    ctx = _Context(
        kind,
        ColumnOptions(region=settings.default_region, sectors=sectors, unquote_formulas=False),
        tuple(sectors.values),
    )
    plans = [
        (f, [r for r in _rules_of(kind, f) if chosen_rules is None or r in chosen_rules])
        for f in candidates
        if chosen_fields is None or f.name in chosen_fields
    ]
    plans = [(f, rules_here) for f, rules_here in plans if rules_here]
    parts = []
    ids_sql, ids_params = query.ids_sql()
    con = session.con
    con.register(_IDS, con.sql(ids_sql, params=ids_params).to_arrow_table())
    try:
        found = _scan_candidates(session, plans, ctx) if plans else None
    finally:
        con.unregister(_IDS)
    if found is not None and found.num_rows:
        con.register(_CANDIDATES, found)
        try:
            for f, rules_here in plans:
                part = _field_fixes(session, f, rules_here, ctx)
                if not part.empty:
                    parts.append(part)
        finally:
            con.unregister(_CANDIDATES)
    frame = pd.concat(parts, ignore_index=True) if parts else _empty()
    frame["id"] = frame["id"].astype("int64")
    for column in _COLUMNS[1:]:
        frame[column] = frame[column].astype(object)
    order = {name: i for i, name in enumerate(names)}
    frame = frame.sort_values(
        ["id", "field"], key=lambda s: s.map(order) if s.name == "field" else s, kind="stable"
    ).reset_index(drop=True)
    return Fixes(session, kind, frame[list(_COLUMNS)])


# Only what reads the file or the settings runs as a store operation (shared mode).
_NO_FILE = frozenset({"df", "pl", "counts", "kind", "__len__", "__repr__", "_repr_html_"})


@per_operation(lambda fixes: fixes._session.store, skip=_NO_FILE)
@dataclass(repr=False, eq=False)
class Fixes:
    """Proposed fixes to stored values: ``crm.contacts.suggest_fixes()``.

    One row per (record, field): ``id``, ``field``, the ``current`` stored value, the
    ``proposed`` one and the ``rule`` that proposes it (``spaces``, ``phone``,
    ``email``, ``url``, ``country``, ``vocabulary``, ``name_case``).

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> ada = crm.contacts.add(last_name="Dupont", email="ada@aprool.com")
    >>> crm._session.con.execute(
    ...     "UPDATE contacts SET last_name = 'DUPONT', email = 'Ada@APROOL.com'"
    ... ).fetchall() and None
    >>> fixes = crm.contacts.suggest_fixes()
    >>> fixes.df()[["field", "current", "proposed", "rule"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['last_name', 'DUPONT', 'Dupont', 'name_case'],
     ['email', 'Ada@APROOL.com', 'Ada@aprool.com', 'email']]
    >>> report = fixes.apply(rules="name_case")
    >>> crm.contacts.get(ada)["last_name"]
    'Dupont'
    >>> _ = crm.undo(report.batch_id)
    >>> crm.contacts.get(ada)["last_name"]
    'DUPONT'
    >>> crm.close()
    """

    _session: Session
    kind: str
    _frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self._frame)

    def df(self) -> pd.DataFrame:
        """The fixes as pandas: ``id, field, current, proposed, rule``."""
        return self._frame.copy()

    def pl(self) -> pl.DataFrame:
        """The fixes as polars: ``id, field, current, proposed, rule``."""
        return pl.DataFrame(
            {c: self._frame[c].tolist() for c in _COLUMNS},
            schema={"id": pl.Int64, **{c: pl.String for c in _COLUMNS[1:]}},
        )

    def counts(self) -> pd.DataFrame:
        """How many fixes each rule proposes for each field: ``rule, field, count``."""
        if self._frame.empty:
            return pd.DataFrame(
                {"rule": pd.Series([], dtype=object), "field": pd.Series([], dtype=object),
                 "count": pd.Series([], dtype="int64")}
            )  # fmt: skip
        counts = self._frame.groupby(["rule", "field"], sort=False).size()
        out = counts.rename("count").reset_index()
        out["count"] = out["count"].astype("int64")
        rank = {rule: i for i, rule in enumerate(FIX_RULES)}
        return out.sort_values(
            ["rule", "count"], key=lambda s: s.map(rank) if s.name == "rule" else -s
        ).reset_index(drop=True)

    # -- display -------------------------------------------------------------------

    def _head(self, lang: str) -> str:
        if self._frame.empty:
            return message("fixes_none", lang, kind=kind_noun(self.kind, None, lang))
        return message(
            "fixes_head",
            lang,
            kind=kind_noun(self.kind, None, lang),
            count=len(self._frame),
            records=int(self._frame["id"].nunique()),
        )

    def _shown(self, lang: str) -> pd.DataFrame:
        """The frame as shown: field labels and rule names in ``lang``."""
        shown = self._frame.copy()
        tbl = table(self.kind)
        shown["field"] = [tbl[name].label(lang) for name in shown["field"]]
        shown["rule"] = [message(f"fixes_rule_{rule}", lang) for rule in shown["rule"]]
        return shown

    def _columns(self, lang: str) -> list[Column]:
        return [
            Column("id", message("fixes_col_id", lang), "integer"),
            Column("field", message("fixes_col_field", lang), "text"),
            Column("current", message("fixes_col_current", lang), "text"),
            Column("proposed", message("fixes_col_proposed", lang), "text"),
            Column("rule", message("fixes_col_rule", lang), "text"),
        ]

    def __repr__(self) -> str:
        lang = current_lang()
        head = self._head(lang)
        if self._frame.empty:
            return head
        return head + "\n" + table_text(self._shown(lang), self._columns(lang), lang=lang)

    def _repr_html_(self) -> str:
        lang = current_lang()
        head = html.escape(self._head(lang))
        if self._frame.empty:
            return f'<div class="crmkit-fixes"><p>{head}</p></div>'
        page = table_html(self._shown(lang), self._columns(lang), lang=lang)
        return f'<div class="crmkit-fixes"><p><strong>{head}</strong></p>{page}</div>'

    # -- applying --------------------------------------------------------------------

    def _chosen(
        self,
        fixes: Any,
        rules: str | Iterable[str] | None,
        fields: str | Iterable[str] | None,
        ids: int | Iterable[int] | None,
    ) -> pd.DataFrame:
        """The rows to apply: ``fixes`` (a frame of these fixes) or these, filtered."""
        names = [f.name for f in fixable_fields(self.kind)]
        chosen_rules = _checked_names(rules, FIX_RULES, "fixes_unknown_rule")
        chosen_fields = _checked_names(fields, names, "fixes_unknown_field", kind=self.kind)
        if fixes is None:
            frame = self._frame
        else:
            frame = to_pandas(fixes)
            missing = [c for c in ("id", "field", "current", "proposed") if c not in frame]
            if missing:
                raise ValidationError(message("fixes_bad_frame", columns=", ".join(missing)))
            frame = frame.copy()
            if "rule" not in frame:
                frame["rule"] = None
            _checked_names(frame["field"].unique().tolist(), names, "fixes_unknown_field",
                           kind=self.kind)  # fmt: skip
        if chosen_rules is not None:
            frame = frame[frame["rule"].isin(chosen_rules)]
        if chosen_fields is not None:
            frame = frame[frame["field"].isin(chosen_fields)]
        if ids is not None:
            wanted = [ids] if isinstance(ids, int) else list(ids)
            frame = frame[frame["id"].isin(wanted)]
        frame = frame[list(_COLUMNS)].copy()
        frame["id"] = frame["id"].astype("int64")
        return frame.drop_duplicates(["id", "field"], keep="last")

    def _prepared(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The proposals as stored. Those proposed here are written as proposed (already
        checked; a ``spaces`` fix of a phone stays a spaces fix); edited or foreign ones
        are normalised as a form save would and checked with the field's rules: a value
        refused is named with its record and nothing is written."""
        ours = (
            frame.merge(self._frame[["id", "field", "proposed"]], how="left", indicator=True)[
                "_merge"
            ].to_numpy()
            == "both"
        )
        edited = self._normalised(frame[~ours])
        return pd.concat([frame[ours], edited]) if len(edited) else frame[ours]

    def _normalised(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Edited proposals, normalised and checked (see :meth:`_prepared`)."""
        settings = self._session.settings
        sectors = settings.sectors
        options = ColumnOptions(
            region=settings.default_region, sectors=sectors, unquote_formulas=False
        )
        tbl = table(self.kind)
        frame = frame.copy()
        for name, part in frame.groupby("field", sort=False):
            f = tbl[str(name)]
            values = part["proposed"].tolist()
            blank = [i for i, v in enumerate(values) if not isinstance(v, str) or not v.strip()]
            if blank:
                raise self._refused(part, blank[0], message("variants_blank"))
            distinct = sorted(set(values))
            result = normalize_column(f, distinct, options)
            moved = result.to_custom or [None] * len(distinct)
            stored: dict[str, Any] = {}
            for value, new, error, warning, outside in zip(
                distinct, result.values, result.errors, result.warnings, moved, strict=True
            ):
                # A fix must leave a value crmkit accepts without a warning (a form keeps
                # an address it cannot read, flagged; a fix does not write one).
                if error is not None or warning is not None or outside is not None:
                    if outside is not None:  # the warning would say "kept in custom"
                        why = rule_sentence("vocabulary")
                    else:
                        why = error or str(warning)
                    raise self._refused(part, values.index(value), why)
                stored[value] = new
            checked = pd.DataFrame({f.name: pd.Series(list(stored.values()), dtype=object)})
            report = validate(checked, self.kind, required=[], sectors=sectors.values)
            errors = report.errors[report.errors["severity"] == "error"]
            if not errors.empty:
                row = int(errors["row"].iloc[0])
                why = describe_failures(errors[errors["row"] == row], kind=self.kind, rows=False)
                raise self._refused(part, values.index(list(stored)[row]), why)
            frame.loc[part.index, "proposed"] = [stored[v] for v in values]
        return frame

    def _refused(self, part: pd.DataFrame, position: int, why: str) -> ValidationError:
        name = str(part["field"].iloc[position])
        return ValidationError(
            message(
                "fixes_bad_value",
                id=int(part["id"].iloc[position]),
                field=table(self.kind)[name].label(current_lang()),
                value=shorten(part["proposed"].iloc[position]),
                why=why,
            )
        )

    def apply(
        self,
        fixes: Any = None,
        *,
        rules: str | Iterable[str] | None = None,
        fields: str | Iterable[str] | None = None,
        ids: int | Iterable[int] | None = None,
    ) -> BulkReport:
        """Write the fixes (all, or a subset) in one batch ``crm.undo`` reverts.

        Parameters
        ----------
        fixes
            A pandas or polars frame of some of these fixes (``fixes.df()`` filtered,
            ``proposed`` edited if you like); ``None``: all of them.
        rules, fields, ids
            Keep only the fixes of these rules, fields, records.

        Returns
        -------
        BulkReport
            ``changed`` records, the ``batch_id`` to undo, and in ``skipped`` the
            records whose stored value changed since the proposal (left as they are).

        Raises
        ------
        ValidationError
            An unknown rule or field, or a proposed value the field refuses (named with
            its record): nothing is written.
        """
        chosen = self._prepared(self._chosen(fixes, rules, fields, ids))
        details: dict[str, Any] = {"fixes": len(chosen)}
        if chosen.empty:
            return BulkReport("fixes", self.kind, 0, 0, details=details)
        con = self._session.con
        con.register("_crmkit_fixes", chosen)
        try:
            fresh_parts = []
            for name in chosen["field"].unique():
                fresh_parts.append(
                    con.execute(
                        f"SELECT f.id, f.field, f.proposed FROM _crmkit_fixes f "
                        f"JOIN {self.kind} t ON t.id = f.id "
                        f"WHERE f.field = ? AND t.{name} IS NOT DISTINCT FROM f.current",
                        [name],
                    ).df()
                )
        finally:
            con.unregister("_crmkit_fixes")
        fresh = pd.concat(fresh_parts, ignore_index=True)
        merged = chosen.merge(fresh[["id", "field"]], how="left", indicator=True)
        stale = merged[merged["_merge"] == "left_only"]
        skipped = pd.DataFrame(
            {
                "id": stale["id"].astype("int64").tolist(),
                "reason": [message("fixes_stale", field=f) for f in stale["field"]],
            }
        )
        details["stale"] = len(stale)
        if fresh.empty:
            report = BulkReport("fixes", self.kind, 0, 0, details=details)
            report.skipped = skipped
            return report
        wide = fresh.pivot(index="id", columns="field", values="proposed").reset_index()
        changes = pa.table(
            {
                "id": pa.array(wide["id"].astype("int64").tolist(), pa.int64()),
                **{
                    str(c): pa.array(
                        [None if pd.isna(v) else v for v in wide[c].tolist()], pa.string()
                    )
                    for c in wide.columns
                    if c != "id"
                },
            }
        )
        description = f"apply {len(fresh)} suggested fixes to {self.kind}"
        return write_values(
            self._session,
            self.kind,
            changes,
            operation="fixes",
            description=description,
            merge=True,  # a record's fields without a fix keep their stored value
            details=details,
            skipped=skipped,
        )
