"""Duplicate rules applied: which written records match stored ones, and what happens.

One function finds the matches of a rule (:func:`rule_matches`: one SQL query, no index
to keep up to date) and one decides for a batch (:func:`check_batch`): every batch opened
with :meth:`crmkit._core._session.Session.batch` (add, add_many, clone, update, bulk
edits, forms, the command line) is checked before it commits, the way
:mod:`crmkit._core._integrity` is; an import checks its rows one chunk at a time with the
same :func:`rule_matches` so it can reject the blocked rows and keep the rest
(``crmkit._importing._rules``). Merges and undo are never checked: a merge removes
duplicates, an undo puts back what was there.

How values compare, per rule:

- ``exact``: the stored values (already normalised by crmkit: trimmed text, E.164
  phones, lower-case emails) are equal;
- ``folded``: equal once case, accents, spaces and punctuation are dropped (emails:
  case; phones: everything but digits and ``+``);
- ``fuzzy``: text fields at least ``threshold`` similar (``1 - levenshtein / length``
  of the folded values), other fields equal; pairs are first blocked on the first three
  folded characters of any field of the rule, so a typo in those is not caught.

A blank value never matches with ``ignore_blanks`` (the default); otherwise two blanks
match, but two records whose rule fields are all blank never do. ``exclude_inactive``
leaves out inactive contacts (``active`` false) and archived accounts, on both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from crmkit._core._duplicate_rules import INACTIVE_FIELD, DuplicateRule, DuplicateRules
from crmkit._exceptions import DuplicateRecordError
from crmkit._util._messages import message, record_noun, short
from crmkit.schemas._catalog import table
from crmkit.schemas._labels import message_field

__all__ = [
    "SKIPPED_OPERATIONS",
    "DuplicateAlert",
    "Match",
    "block_error",
    "check_batch",
    "rule_matches",
]

#: Batches never checked: a merge removes duplicates, an undo restores what was there,
#: an import checks its own rows (and rejects the blocked ones only).
SKIPPED_OPERATIONS = frozenset({"merge", "merge all", "undo", "detach", "import", "erase"})
CANDIDATES = "_crmkit_duplicate_candidates"
_FOLD_PATTERN = r"'[\s\p{P}\p{S}]+'"


@dataclass(frozen=True)
class Match:
    """One candidate row (``row``) of a rule's query matching a record or another row."""

    row: int
    record_id: int | None
    match_id: int | None
    match_row: int | None
    match_name: str | None
    match_values: tuple[str | None, ...]


@dataclass(frozen=True)
class DuplicateAlert:
    """A record (or import line) that matched another one under a duplicate rule.

    Attributes
    ----------
    kind, rule, fields
        The kind of record, the rule's name and its fields.
    action
        ``"alert"`` (the change was made) or ``"block"`` (it was refused).
    event
        ``"create"``, ``"update"`` or ``"import"``.
    record_id
        The record written (``None`` for an import row that was not stored).
    match_id, match_name, match_values
        The stored record it matches: id, display name, its values of the rule's fields.
        ``match_id`` is ``None`` when it matches an earlier row of the same import that
        is not stored (``match_line`` says which).
    line, match_line
        For an import: the file lines.

    Examples
    --------
    >>> alert = DuplicateAlert("contacts", "same email", ("email",), "alert", "create",
    ...                        12, 3, "Hélène Blou", ("helene@aprool.com",))
    >>> str(alert)[:48]
    "new contact 12 matches contact 3 ('Hélène Blou')"
    """

    kind: str
    rule: str
    fields: tuple[str, ...]
    action: str
    event: str
    record_id: int | None
    match_id: int | None
    match_name: str | None
    match_values: tuple[str | None, ...] = ()
    line: int | None = None
    match_line: int | None = None

    def describe(self) -> str:
        """A sentence naming both records, the rule, its fields and values (cut short).

        In the language in force; fields by name until a language is chosen, by label
        once one is (:func:`crmkit.set_config`).
        """
        noun = record_noun(self.kind)
        if self.line is not None:
            who = message("line", line=self.line)
        elif self.record_id is None or (self.event == "create" and self.action == "block"):
            who = message("alert_new_record", noun=noun)  # a blocked new record has no id
        elif self.event == "create":
            who = message("alert_new_id", noun=noun, id=self.record_id)
        else:
            who = message("record_ref", noun=noun, id=self.record_id)
        if self.match_id is not None:
            other = message("record_ref", noun=noun, id=self.match_id)
            if self.match_name:
                other = message("alert_named", record=other, name=short(self.match_name, 60))
        else:
            other = message("alert_earlier_line", line=self.match_line)
        blank = message("blank")
        values = message("list_sep").join(
            message(
                "alert_value",
                field=message_field(self.kind, f),
                value=short(v, 40) if v is not None else blank,
            )
            for f, v in zip(self.fields, self.match_values, strict=False)
        )
        text = message("alert_matches", who=who, other=other, rule=short(self.rule, 60))
        return message("colon", a=text, b=values) if values else text

    def as_row(self) -> dict[str, Any]:
        """The alert as a row of a DataFrame."""
        return {
            "line": self.line,
            "record_id": self.record_id,
            "rule": self.rule,
            "fields": ", ".join(self.fields),
            "action": self.action,
            "match_id": self.match_id,
            "match_line": self.match_line,
            "match_name": self.match_name,
        }

    def __str__(self) -> str:
        return self.describe()


def block_error(alerts: Sequence[DuplicateAlert]) -> DuplicateRecordError:
    """The error for blocking matches (the first named, the others counted)."""
    first = alerts[0]
    more = message("block_more", count=len(alerts) - 1) if len(alerts) > 1 else ""
    why = message("not_saved", what=record_noun(first.kind), why=first.describe() + more)
    return DuplicateRecordError(message("block_hint", why=why), alerts)


# -- matching ----------------------------------------------------------------------------


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key(rule: DuplicateRule, field: str, ref: str) -> str:
    """The SQL comparison key of ``field`` (``ref`` is the column) under ``rule``."""
    spec = table(rule.kind)[field]
    text = f"CAST({ref} AS VARCHAR)"
    if rule.match == "exact":
        return f"nullif(trim({text}), '')"
    if spec.format == "email":
        return f"nullif(lower(trim({text})), '')"
    if spec.format == "phone":
        return f"nullif(regexp_replace({text}, '[^0-9+]', '', 'g'), '')"
    return f"nullif(regexp_replace(lower(strip_accents({text})), {_FOLD_PATTERN}, '', 'g'), '')"


def _is_text(rule: DuplicateRule, field: str) -> bool:
    return table(rule.kind)[field].kind == "text"


def _condition(rule: DuplicateRule, a: str, b: str) -> str:
    """SQL true when rows ``a`` and ``b`` (aliases with ``k0, k1 ...``) match."""
    parts = []
    for i, field in enumerate(rule.fields):
        left, right = f"{a}.k{i}", f"{b}.k{i}"
        if rule.match == "fuzzy" and _is_text(rule, field):
            same = (
                f"(1.0 - levenshtein({left}, {right}) / "
                f"greatest(length({left}), length({right}))) >= {float(rule.threshold)!r}"
            )
        else:
            same = f"{left} = {right}"
        if not rule.ignore_blanks:
            same = f"(({left} IS NULL AND {right} IS NULL) OR {same})"
        parts.append(same)
    if not rule.ignore_blanks:
        keys = ", ".join(f"{a}.k{i}" for i in range(len(rule.fields)))
        parts.append(f"coalesce({keys}, NULL) IS NOT NULL")
    return " AND ".join(parts)


def _pairs(rule: DuplicateRule, c_sql: str, s_sql: str, where: str, select: str) -> str:
    """SQL selecting ``select`` from the matching pairs of relations ``c`` and ``s``."""
    cond = _condition(rule, "c", "s")
    if rule.match != "fuzzy":
        return f"SELECT {select} FROM {c_sql} c JOIN {s_sql} s ON {cond} WHERE {where}"
    # Fuzzy: block on the first folded characters of any field, then compare.
    blocks = " UNION ".join(
        f"SELECT c._row AS cr, s._rid AS sr FROM {c_sql} c JOIN {s_sql} s ON "
        + (f"left(c.k{i}, 3) = left(s.k{i}, 3)" if _is_text(rule, field) else f"c.k{i} = s.k{i}")
        for i, field in enumerate(rule.fields)
    )
    return (
        f"SELECT {select} FROM ({blocks}) p JOIN {c_sql} c ON c._row = p.cr "
        f"JOIN {s_sql} s ON s._rid = p.sr WHERE {cond} AND {where}"
    )


def _live(rule: DuplicateRule, ref: str) -> str:
    if not rule.exclude_inactive:
        return "TRUE"
    field, inactive = INACTIVE_FIELD[rule.kind]
    return f"coalesce({ref}.{field}, {not inactive}) <> {inactive}"


def _name_sql(kind: str) -> str:
    if kind == "accounts":
        return "x.name"
    return (
        "coalesce(nullif(trim(concat_ws(' ', x.first_name, x.last_name)), ''), x.email, "
        "CAST(x.id AS VARCHAR))"
    )


def rule_matches(
    con: duckdb.DuckDBPyConnection,
    rule: DuplicateRule,
    candidates: str,
    *,
    within: bool = False,
) -> list[Match]:
    """The rows of ``candidates`` that match a live stored record under ``rule``.

    ``candidates`` names a relation (a table or a registered Arrow table) with columns ``_row`` (a
    unique row number), ``_id`` (the record the row is, or ``NULL`` for a new one), the
    rule's fields and the kind's inactive flag. A row never matches its own record. With
    ``within``, rows also match earlier rows of ``candidates`` (``match_row``), for rows
    not yet written.
    """
    n = len(rule.fields)
    columns = list(enumerate(rule.fields))
    keys = ", ".join(f"{_key(rule, f, 'x.' + _quoted(f))} AS k{i}" for i, f in columns)
    values = ", ".join(f"CAST(x.{_quoted(f)} AS VARCHAR) AS v{i}" for i, f in columns)
    cand = (
        f"(SELECT x._row, x._id, x._row AS _rid, {keys}, {values} FROM {candidates} x "
        f"WHERE {_live(rule, 'x')})"
    )
    stored = (
        f"(SELECT x.id AS _rid, {_name_sql(rule.kind)} AS _name, {keys}, {values} "
        f"FROM {rule.kind} x WHERE x.deleted_at IS NULL AND x.merged_into IS NULL "
        f"AND {_live(rule, 'x')})"
    )
    shown = ", ".join(f"s.v{i}" for i in range(n))
    sql = _pairs(
        rule,
        cand,
        stored,
        "s._rid IS DISTINCT FROM c._id",
        f"c._row, c._id, s._rid, NULL::BIGINT, s._name, {shown}",
    )
    if within:
        sql += " UNION ALL " + _pairs(
            rule,
            cand,
            cand,
            "s._row < c._row AND (c._id IS NULL OR s._id IS DISTINCT FROM c._id)",
            f"c._row, c._id, s._id, s._row, NULL::VARCHAR, {shown}",
        )
    rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1, 3, 4").fetchall()
    return [
        Match(
            int(r[0]),
            None if r[1] is None else int(r[1]),
            None if r[2] is None else int(r[2]),
            None if r[3] is None else int(r[3]),
            r[4],
            tuple(r[5 : 5 + n]),
        )
        for r in rows
    ]


# -- a batch -----------------------------------------------------------------------------


def alert_of(rule: DuplicateRule, match: Match, event: str, **lines: int | None) -> DuplicateAlert:
    """The alert (or block) ``rule`` raises for ``match`` on ``event``."""
    return DuplicateAlert(
        rule.kind,
        rule.name,
        rule.fields,
        rule.action(event),
        event,
        match.record_id,
        match.match_id,
        match.match_name,
        match.match_values,
        **lines,
    )


def matches_of_records(
    con: duckdb.DuckDBPyConnection, rule: DuplicateRule, ids: Sequence[int]
) -> list[Match]:
    """The stored records ``ids`` (written by the running batch) that match others."""
    field, _ = INACTIVE_FIELD[rule.kind]
    columns = ", ".join(_quoted(f) for f in dict.fromkeys([*rule.fields, field]))
    rows: pa.Table = con.sql(
        f"SELECT id AS _row, id AS _id, {columns} FROM {rule.kind} "
        f"WHERE id IN (SELECT unnest(?::BIGINT[])) AND deleted_at IS NULL "
        f"AND merged_into IS NULL",
        params=[list(ids)],
    ).to_arrow_table()
    con.register(CANDIDATES, rows)
    try:
        return rule_matches(con, rule, CANDIDATES)
    finally:
        con.unregister(CANDIDATES)


def check_batch(
    con: duckdb.DuckDBPyConnection, rules: DuplicateRules, batch_id: int, operation: str
) -> list[DuplicateAlert]:
    """Apply every enabled rule to what batch ``batch_id`` wrote; return the alerts.

    Records the batch inserted go through each rule's ``create`` action, records whose
    rule fields it changed through its ``update`` action; both are matched against every
    live record (so two records of the same batch match each other too). A ``block``
    raises :class:`DuplicateRecordError`, inside the batch's transaction, so nothing of
    the batch is written.
    """
    if operation in SKIPPED_OPERATIONS:
        return []
    alerts: list[DuplicateAlert] = []
    stored = rules.all()  # one read of the setting for both tables
    for kind in INACTIVE_FIELD:
        kind_rules = [r for r in stored if r.kind == kind and r.enabled]
        if not kind_rules:
            continue
        written = con.execute(
            "SELECT record_id, bool_or(operation = 'insert' AND field IS NULL), "
            "list(DISTINCT field) FILTER (WHERE field IS NOT NULL) FROM history "
            "WHERE batch_id = ? AND table_name = ? GROUP BY record_id ORDER BY record_id",
            [batch_id, kind],
        ).fetchall()
        inserted = [int(r[0]) for r in written if r[1]]
        changed = {int(r[0]): set(r[2] or ()) for r in written if not r[1]}
        for rule in kind_rules:
            # Re-activating a record makes it a candidate again: check it too.
            watched = set(rule.fields)
            if rule.exclude_inactive:
                watched.add(INACTIVE_FIELD[kind][0])
            touched = [i for i, fields in changed.items() if fields & watched]
            for event, ids in (("create", inserted), ("update", touched)):
                if ids and rule.action(event) != "allow":
                    matches = matches_of_records(con, rule, ids)
                    alerts += [alert_of(rule, m, event) for m in matches]
    blocks = [a for a in alerts if a.action == "block"]
    if blocks:
        raise block_error(blocks)
    return alerts
