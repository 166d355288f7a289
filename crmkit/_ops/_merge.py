"""Merging duplicate records: survivorship per field, related records re-pointed, nothing lost.

A merge keeps one record (the survivor), fills its fields from the group by a rule, unions
its lists, points every related record (contacts of merged accounts, ``reports_to``
links, subscriptions, child accounts) at it, and marks the other records
``merged_into = survivor``. Nothing is deleted: the merged-away records keep every value
they had (only ``merged_into``, and links to other merged-away records, change), a
contact's second email address goes to ``secondary_email`` when that is blank, and every
other value that lost is listed in the report's ``conflicts``. The merge is one batch in
history and ``crm.undo`` reverts all of it.

Many groups are merged set-wise (``merge_all``): one query reads every record, the
survivors are computed in Python, all changed survivors are validated at once, and the
store writes them with one update, ``merged_into`` with another and each kind of
reference with one more.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._core._store import arrow_type
from crmkit._exceptions import RecordNotFoundError, UnknownValueError, ValidationError
from crmkit._formats._progress import progress_bar
from crmkit._ops import _records as records
from crmkit._util._config import current_lang
from crmkit._util._messages import kind_noun, message
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest
from crmkit._util._table_html import rows_to_read, table_html
from crmkit.schemas._catalog import Table, table
from crmkit.schemas._display import report_columns
from crmkit.schemas._labels import shown_name
from crmkit.schemas._models import describe_failures, validate

__all__ = [
    "CONFLICT_COLUMNS",
    "PLAN_COLUMNS",
    "RULES",
    "MergeReport",
    "merge_groups",
    "merged_values",
]

Rule = Literal["recent", "complete", "oldest", "client_first", "active_first"]
#: A rule that orders the records of a group: a name of :data:`RULES`, or a function of a
#: record (a dict of its stored values) returning a sort key, the smallest first.
RuleLike = Rule | str | Callable[[Mapping[str, Any]], Any]
RULES = ("recent", "complete", "oldest", "client_first", "active_first")
#: The columns of :attr:`MergeReport.conflicts` and :attr:`MergeReport.plan`.
CONFLICT_COLUMNS = ["survivor", "field", "kept", "lost", "from_record"]
PLAN_COLUMNS = ["survivor", "field", "value", "source", "rule"]
_MERGE_COLUMNS = ["survivor", "merged", "fields_changed"]
# What points at a merged record, by kind: (table, field).
_REFERENCES = {
    "contacts": [
        ("contacts", "reports_to_id"),
        ("subscriptions", "contact_id"),
        ("activities", "contact_id"),
    ],
    "accounts": [
        ("contacts", "account_id"),
        ("accounts", "parent_id"),
        ("activities", "account_id"),
    ],
}
# A record's link to another record of its own table (cleared when it points into the group).
_SELF_LINKS = ("reports_to_id", "parent_id")
# Fields holding the same kind of value: a value in one of them is not lost.
_SAME_KIND = {
    "contacts": (("email", "secondary_email"), ("phone", "mobile", "home_phone", "fax")),
    "accounts": (("phone", "fax"),),
}
_KIND_OF = {
    name: {n: fields for fields in kinds for n in fields} for name, kinds in _SAME_KIND.items()
}
# Groups from which the progress bar shows by default.
_PROGRESS_FROM = 2000
_BLANK = (None, "")


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class MergeReport:
    """What one or more merges did (or, with ``dry_run=True``, would do).

    Attributes
    ----------
    kind
        ``contacts`` or ``accounts``.
    merges
        pandas DataFrame, one row per group: ``survivor``, ``merged`` (the ids merged
        away), ``fields_changed`` (field names whose survivor value changed).
    repointed
        Related records now pointing at survivors, by ``table.field``.
    batch_id
        The history batch; ``crm.undo(batch_id)`` reverts every merge of the report
        (``None`` for a dry run).
    skipped
        pandas DataFrame ``cluster, reason`` of groups not merged (``merge_all``).
    conflicts
        pandas DataFrame, one row per value that lost: ``survivor``, ``field``, ``kept``
        (the survivor's value), ``lost`` (the other value) and ``from_record`` (the record
        that had it, which keeps it: merged-away records are never changed but for
        ``merged_into``). A second email address that went to ``secondary_email``, a
        phone number kept in another phone field and list items (unioned) are not lost.
        A ``custom`` value shows as ``custom.<key>``.
    plan
        With ``dry_run=True``: the survivors field by field, ``survivor``, ``field``,
        ``value``, ``source`` (the record the value comes from; ``None`` when several
        records gave it, a list's union, or none) and ``rule``: ``survivor`` (its own
        value), ``filled`` (blank on the survivor, taken from the first record by the
        rule that has one), ``union`` (lists), ``merged`` (``custom``), ``take``,
        ``values``, ``secondary email`` (a merged-away record's email address kept),
        ``cleared`` (a link into the group itself), ``re-pointed`` (a link to a record
        merged away, now to its survivor) or ``blank``. Empty otherwise.
    dry_run
        True when nothing was written.
    """

    kind: str
    merges: pd.DataFrame
    repointed: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    skipped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["cluster", "reason"])
    )
    conflicts: pd.DataFrame = field(default_factory=lambda: _empty(CONFLICT_COLUMNS))
    plan: pd.DataFrame = field(default_factory=lambda: _empty(PLAN_COLUMNS))
    dry_run: bool = False

    @property
    def survivor(self) -> int | None:
        """The survivor of the first (often the only) merge."""
        return None if self.merges.empty else int(self.merges["survivor"].iloc[0])

    @property
    def merged_count(self) -> int:
        """Records merged away in all."""
        return int(sum(len(m) for m in self.merges["merged"])) if not self.merges.empty else 0

    def __repr__(self) -> str:
        sep = message("list_sep")
        parts = [
            message("merge_head", kind=kind_noun(self.kind), count=len(self.merges)),
            message("merge_away", count=self.merged_count),
        ]
        if self.batch_id is not None:
            parts.append(message("batch", batch=self.batch_id))
        if self.dry_run:
            parts.append(message("merge_dry"))
        text = f"MergeReport({sep.join(parts)})"
        for row in self.merges.head(10).to_dict("records"):
            names = [shown_name(self.kind, f) for f in row["fields_changed"]]
            changed = sep.join(names) or message("merge_no_field")
            text += f"\n  {list(row['merged'])} -> {row['survivor']} ({changed})"
        if self.repointed:
            text += "\n  " + message(
                "colon",
                a=message("merge_repointed"),
                b=sep.join(f"{k}={v}" for k, v in self.repointed.items()),
            )
        if not self.conflicts.empty:
            text += "\n  " + message("merge_lost", count=len(self.conflicts))
        if not self.skipped.empty:
            text += "\n  " + message("merge_skipped", count=len(self.skipped))
        return text

    def _repr_html_(self) -> str:
        frame = self.merges.assign(
            merged=[", ".join(map(str, m)) for m in self.merges["merged"]],
            fields_changed=[", ".join(f) for f in self.merges["fields_changed"]],
        )
        lang = current_lang()
        lost = ""
        if not self.conflicts.empty:
            conflicts = self.conflicts
            lost = (
                f"<p>{len(self.conflicts)} values lost to the survivors (kept on the merged "
                f"records):</p>"
                + table_html(
                    conflicts.head(rows_to_read()),
                    report_columns(self.kind, [str(c) for c in conflicts.columns], lang),
                    total=len(conflicts),
                    lang=lang,
                )
            )
        return (
            f'<div class="crmkit-merge-report"><p><strong>{len(self.merges)} merges</strong> '
            f"of {html.escape(self.kind)}, {self.merged_count} records merged away"
            + (f" (batch {self.batch_id})" if self.batch_id is not None else "")
            + (" (dry run: nothing written)" if self.dry_run else "")
            + "</p>"
            + table_html(
                frame.head(rows_to_read()),
                report_columns(self.kind, [str(c) for c in frame.columns], lang),
                total=len(frame),
                lang=lang,
            )
            + lost
            + "</div>"
        )


# -- the order of a group's records ------------------------------------------------------


def _rules(prefer: Any) -> list[RuleLike]:
    """The rules ``prefer`` names, in order; a name alone is followed by ``"recent"``."""
    if isinstance(prefer, str):
        rules: list[RuleLike] = [prefer] if prefer in ("recent", "oldest") else [prefer, "recent"]
    elif callable(prefer):
        rules = [prefer]
    elif isinstance(prefer, Sequence) and prefer:
        rules = list(prefer)
    else:
        raise ValidationError(
            f"prefer is a rule ({', '.join(RULES)}), a function of a record, a list of "
            f"them or a {{field: value}} mapping; got {shorten(repr(prefer))}"
        )
    for rule in rules:
        if isinstance(rule, str):
            if rule not in RULES:
                raise UnknownValueError("merge rule", rule, RULES, closest(rule, RULES))
        elif not callable(rule):
            raise ValidationError(f"a merge rule is a name or a function, got {rule!r}")
    return rules


class _Ranker:
    """Sort keys of records by the rules, with what the rules need from other tables."""

    def __init__(self, tbl: Table, rules: list[RuleLike], source: str | None) -> None:
        self.rules = rules
        self.source = source
        self.editable = [f.name for f in tbl.editable]
        self.is_contact = tbl.name == "contacts"
        self.client_of: dict[int, bool] = {}  # account id -> is_client (contacts' rule)

    def needs_clients(self) -> bool:
        return self.is_contact and "client_first" in self.rules

    def key(self, r: Mapping[str, Any]) -> tuple[Any, ...]:
        preferred = 0 if self.source is not None and r.get("origin") == self.source else 1
        return (preferred, *(self._one(rule, r) for rule in self.rules), r["id"])

    def _one(self, rule: RuleLike, r: Mapping[str, Any]) -> Any:
        if callable(rule):
            return rule(r)
        if rule == "recent":
            stamp = r.get("updated_at") or r.get("created_at")
            return -stamp.timestamp() if stamp is not None else 0.0
        if rule == "complete":
            return -sum(r.get(n) not in (None, "", []) for n in self.editable)
        if rule == "oldest":
            return r["id"]
        if rule == "client_first":
            if self.is_contact:
                client = self.client_of.get(r.get("account_id") or -1, False)
            else:
                client = bool(r.get("is_client"))
            return 0 if client else 1
        # active_first: a contact still in post, an account not archived.
        gone = r.get("active") is False if self.is_contact else bool(r.get("archived"))
        return 1 if gone else 0


def _order(rows: list[dict[str, Any]], tbl: Table, rule: Any, source: str | None) -> list[int]:
    """Positions of ``rows`` from the most to the least preferred."""
    ranker = _Ranker(tbl, _rules(rule), source)
    return sorted(range(len(rows)), key=lambda i: ranker.key(rows[i]))


# -- the survivor's values -----------------------------------------------------------------


def _merged_value(name: str, kind: str, ordered: list[dict[str, Any]]) -> Any:
    values = [r.get(name) for r in ordered]
    if kind == "list":
        out: list[Any] = []
        for v in values:
            for item in v or []:
                if item not in out:
                    out.append(item)
        return out or None
    if kind == "json":
        merged: dict[str, Any] = {}
        for v in reversed(values):  # the preferred record written last wins
            decoded = _as_dict(v)
            if decoded:
                merged.update(decoded)
        return json.dumps(merged, ensure_ascii=False) if merged else None
    for v in values:
        if v not in _BLANK:
            return v
    return None


def _as_dict(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    try:
        decoded = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _same(value: Any) -> Any:
    """A value as compared for "is it lost": a text without case or surrounding spaces."""
    return value.strip().casefold() if isinstance(value, str) else value


@dataclass
class _Group:
    """One group: its ids, its records by preference, and the survivor's new values."""

    ids: list[int]
    ordered: list[dict[str, Any]]
    values: dict[str, Any] = field(default_factory=dict)
    changed: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, tuple[int | None, str]] = field(default_factory=dict)

    @property
    def keep(self) -> dict[str, Any]:
        return self.ordered[0]

    @property
    def keep_id(self) -> int:
        return int(self.ordered[0]["id"])

    @property
    def merged_ids(self) -> list[int]:
        return [int(r["id"]) for r in self.ordered[1:]]


def _survivor_values(
    tbl: Table,
    group: _Group,
    survivor_of: Mapping[int, int],
    values: Mapping[str, Any],
    take: Mapping[str, Any],
) -> None:
    """Fill ``group.values`` (every editable field), ``sources`` and ``changed``."""
    ids, ordered, keep_id = group.ids, group.ordered, group.keep_id
    by_id = {int(r["id"]): r for r in ordered}
    out, sources = group.values, group.sources
    for f in tbl.editable:
        name = f.name
        source: int | None = None
        if name in values:
            value, rule = values[name], "values"
        elif name in take:
            source = int(take[name])
            if source not in by_id:
                raise RecordNotFoundError(f"take: record {source} is not one of {ids}")
            value, rule = by_id[source].get(name), "take"
        elif f.kind in ("list", "json"):
            value = _merged_value(name, f.kind, ordered)
            givers = [int(r["id"]) for r in ordered if r.get(name) not in (None, "", [], {})]
            rule = "union" if f.kind == "list" else "merged"
            if len(givers) == 1:
                source = givers[0]
                rule = "survivor" if source == keep_id else "filled"
            elif not givers:
                rule = "blank"
        else:
            value, rule = None, "blank"
            for r in ordered:
                v = r.get(name)
                if v not in _BLANK:
                    value, source = v, int(r["id"])
                    rule = "survivor" if source == keep_id else "filled"
                    break
        if name in _SELF_LINKS and value is not None:
            if value in ids:
                value, rule = None, "cleared"  # would point at the group itself
            elif value in survivor_of:
                value, rule = survivor_of[value], "re-pointed"
        out[name] = value
        sources[name] = (source, rule)
    given = "secondary_email" in values or "secondary_email" in take
    if "secondary_email" in out and not given:
        _keep_second_email(group)
    keep = group.keep
    group.changed = {n: v for n, v in out.items() if v != keep.get(n)}


def _keep_second_email(group: _Group) -> None:
    """Put the first other email address of the group in a blank ``secondary_email``."""
    out = group.values
    if out.get("secondary_email") not in _BLANK:
        return
    primary = _same(out.get("email"))
    for r in group.ordered:
        email = r.get("email")
        if email not in _BLANK and _same(email) != primary:
            out["secondary_email"] = email
            group.sources["secondary_email"] = (int(r["id"]), "secondary email")
            return


def _conflicts(
    tbl: Table, group: _Group, survivor_of: Mapping[int, int]
) -> Iterator[tuple[Any, ...]]:
    """Values of the group's records that the survivor does not keep."""
    out, ids, keep_id = group.values, group.ids, group.keep_id
    kinds = _KIND_OF.get(tbl.name, {})
    for f in tbl.editable:
        name = f.name
        if f.kind == "list":
            continue  # unioned: nothing lost
        if f.kind == "json":
            merged = _as_dict(out.get(name))
            for r in group.ordered:
                for key, value in _as_dict(r.get(name)).items():
                    if merged.get(key) != value:
                        yield (keep_id, f"{name}.{key}", merged.get(key), value, int(r["id"]))
            continue
        final = out.get(name)
        kept: set[Any] | None = None
        for r in group.ordered:
            value = r.get(name)
            if value in _BLANK or value == final:
                continue
            if name in _SELF_LINKS:
                if value in ids:
                    continue  # a link inside the group, not a value
                value = survivor_of.get(value, value)
            if kept is None:
                kept = {_same(out.get(n)) for n in kinds.get(name, (name,))}
            if _same(value) not in kept:
                yield (keep_id, name, final, r.get(name), int(r["id"]))


def merged_values(session: Session, kind: str, record_id: int) -> pd.DataFrame:
    """The values of the records merged into ``record_id`` that it does not hold now.

    A merge keeps the merged-away records with every value they had; this reads them back
    (merges of merges included) and lists, field by field, what differs from the record as
    it is stored now: the values that lost to it, whenever it was merged.

    Returns
    -------
    pandas.DataFrame
        ``field, kept, lost, from_record`` (``kept`` is the record's value now), one row
        per value that lost; empty when nothing was merged into the record or nothing lost.

    Raises
    ------
    RecordNotFoundError
        No record with that id.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> a = crm.contacts.add(last_name="Blou", email="hb@aprool.com", job_title="CTO")
    >>> b = crm.contacts.add(last_name="Blou", email="hb@aprool.com", job_title="DSI")
    >>> _ = crm.contacts.merge([a, b], prefer="oldest")
    >>> merged_values(crm._session, "contacts", a).to_dict("records")
    [{'field': 'job_title', 'kept': 'CTO', 'lost': 'DSI', 'from_record': 2}]
    >>> crm.close()
    """
    tbl = table(kind)
    name = tbl.name
    survivor = _fetch(session, name, [int(record_id)])
    if int(record_id) not in survivor:
        raise RecordNotFoundError(f"no {name[:-1]} with id {record_id}")
    rows = session.con.execute(
        f"""WITH RECURSIVE merged(id) AS (
                SELECT id FROM {name} WHERE merged_into = ?
                UNION SELECT t.id FROM {name} t JOIN merged m ON t.merged_into = m.id)
            SELECT id FROM merged ORDER BY id""",
        [int(record_id)],
    ).fetchall()
    merged = [int(r[0]) for r in rows]
    columns = CONFLICT_COLUMNS[1:]
    if not merged:
        return _empty(columns)
    fetched = _fetch(session, name, merged)
    keep = survivor[int(record_id)]
    group = _Group([int(record_id), *merged], [keep, *(fetched[i] for i in merged)])
    group.values = {f.name: keep.get(f.name) for f in tbl.editable}
    lost = [c[1:] for c in _conflicts(tbl, group, dict.fromkeys(merged, int(record_id)))]
    return pd.DataFrame(lost, columns=columns) if lost else _empty(columns)


# -- reading -------------------------------------------------------------------------------


def _fetch(session: Session, name: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The rows of ``ids`` (deleted and merged-away ones included), by id, in one query."""
    cur = session.con.execute(
        f"SELECT * FROM {name} WHERE id IN (SELECT unnest(?::BIGINT[]))", [ids]
    )
    columns = [d[0] for d in cur.description or []]
    at = columns.index("id")
    return {int(row[at]): dict(zip(columns, row, strict=True)) for row in cur.fetchall()}


def _clients(session: Session, account_ids: set[int]) -> dict[int, bool]:
    rows = session.con.execute(
        "SELECT id, coalesce(is_client, FALSE) FROM accounts "
        "WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [sorted(account_ids)],
    ).fetchall()
    return {int(i): bool(c) for i, c in rows}


def _id_groups(groups: Sequence[Sequence[int]], noun: str) -> list[list[int]]:
    out: list[list[int]] = []
    seen: set[int] = set()
    for group in groups:
        ids = list(dict.fromkeys(int(i) for i in group))
        if len(ids) < 2:
            raise ValidationError(f"a merge needs two records or more, got {ids}")
        twice = seen.intersection(ids)
        if twice:
            raise ValidationError(
                f"{noun} {min(twice)} is in two groups; a record is merged into one survivor"
            )
        seen.update(ids)
        out.append(ids)
    return out


# -- checking ------------------------------------------------------------------------------


def _check(session: Session, tbl: Table, changed: list[_Group]) -> None:
    """The record rules on every changed survivor at once (one validation, one look-up)."""
    if not changed:
        return
    name = tbl.name
    columns = [f.name for f in tbl]
    rows = [{**g.keep, **g.changed} for g in changed]
    frame = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})
    report = validate(
        frame,
        name,
        required=session.settings.required_fields(name),
        sectors=session.settings.sectors.values,
    )
    if not report.ok:
        errors = report.errors.reset_index(drop=True)
        at = [int(i) for i in errors["row"]]
        errors.insert(0, "survivor", [changed[i].keep_id for i in at])
        errors.insert(1, "merged", [changed[i].merged_ids for i in at])
        parts = [
            message(
                "colon",
                a=message(
                    "merge_failure",
                    noun=kind_noun(name, 1),
                    id=changed[i].keep_id,
                    ids=", ".join(map(str, changed[i].merged_ids)),
                ),
                b=describe_failures(errors.iloc[[k]], kind=name, rows=False),
            )
            for k, i in enumerate(at[:5])
        ]
        if len(errors) > 5:
            parts.append(message("more", count=len(errors) - 5))
        why = "; ".join(parts)
        raise ValidationError(message("not_saved", what=kind_noun(name, 1), why=why), errors)
    # A merge keeps an owner one of the records had, even a deactivated one.
    kept = [{k: v for k, v in g.changed.items() if k != "owner_id"} for g in changed]
    records.check_references(
        session, name, kept, [g.keep_id for g in changed], [g.keep for g in changed]
    )


# -- the merge -----------------------------------------------------------------------------


def merge_groups(
    session: Session,
    kind: str,
    groups: Sequence[Sequence[int]],
    *,
    prefer: RuleLike | Sequence[RuleLike] | Mapping[str, Any] = "recent",
    survivor: int | None = None,
    source: str | None = None,
    take: Mapping[str, int] | None = None,
    values: Mapping[str, Any] | None = None,
    operation: str = "merge",
    dry_run: bool = False,
    progress: bool | None = None,
) -> MergeReport:
    """Merge each group of ids into one record, all in one batch.

    Parameters
    ----------
    prefer
        How the records of a group are ordered: the first is the survivor, and a field
        blank on it is filled from the next record that has a value. A rule name:
        ``"recent"`` (most recently updated first), ``"complete"`` (most filled fields
        first), ``"oldest"`` (first created), ``"client_first"`` (an account that is a
        client, a contact of a client account) or ``"active_first"`` (an active contact,
        an account not archived); a function of a record (a dict of its stored values)
        returning a sort key, the smallest first; or a list of those, applied in turn
        (``["client_first", "recent"]``: clients first, the most recent among them).
        A name alone other than "recent" and "oldest" breaks ties by "recent"; the
        lowest id breaks the last ties. A ``{field: value}`` mapping is taken as
        ``values``.
    survivor
        The id to keep (single group only); default: the first record by the rule.
    source
        Records whose ``origin`` is this value come first, whatever the rule.
    take
        ``{field: record_id}``: take that field from that record.
    values
        ``{field: value}``: set these values on the survivor.
    operation
        The name of the batch in history.
    dry_run
        Compute and check everything, write nothing: the report's ``plan`` gives each
        survivor field by field with the record each value comes from.
    progress
        Show a progress bar; ``None``: from 2,000 groups.

    Returns
    -------
    MergeReport
        The merges, the values that lost (``conflicts``), the re-pointed records and the
        batch (``crm.undo(report.batch_id)`` reverts all of it).

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit._ops._merge import merge_groups
    >>> crm = ck.open()
    >>> a = crm.contacts.add(last_name="Blou", email="hb@aprool.com", job_title="CTO")
    >>> b = crm.contacts.add(last_name="Blou", email="helene@blou.fr", job_title="DSI")
    >>> dry = merge_groups(crm._session, "contacts", [[a, b]], prefer="oldest", dry_run=True)
    >>> dry.plan.set_index("field").loc[["email", "secondary_email", "job_title"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                     survivor           value  source             rule
    field
    email                   1   hb@aprool.com       1         survivor
    secondary_email         1  helene@blou.fr       2  secondary email
    job_title               1             CTO       1         survivor
    >>> report = merge_groups(crm._session, "contacts", [[a, b]], prefer="oldest")
    >>> report.conflicts[["field", "kept", "lost", "from_record"]].to_dict("records")
    [{'field': 'job_title', 'kept': 'CTO', 'lost': 'DSI', 'from_record': 2}]
    >>> crm.contacts.get(b).job_title  # the merged-away record keeps its values
    'DSI'
    >>> crm.close()
    """
    tbl = table(kind)
    name, noun = tbl.name, tbl.name[:-1]
    if isinstance(prefer, Mapping):
        values, prefer = {**prefer, **(values or {})}, "recent"
    ranker = _Ranker(tbl, _rules(prefer), source)
    if survivor is not None and len(groups) != 1:
        raise ValidationError("survivor= applies to a single group")
    id_groups = _id_groups(groups, noun)
    rows = _fetch(session, name, [i for ids in id_groups for i in ids])
    for ids in id_groups:
        for i in ids:
            if i not in rows:
                raise RecordNotFoundError(f"no {noun} with id {i}")
        for i in ids:
            r = rows[i]
            if r.get("merged_into") is not None or r.get("deleted_at") is not None:
                raise ValidationError(
                    f"{noun} {i} was already merged or deleted; it cannot be merged again"
                )
    if ranker.needs_clients():
        accounts = {int(r["account_id"]) for r in rows.values() if r.get("account_id")}
        ranker.client_of = _clients(session, accounts)
    show = len(id_groups) >= _PROGRESS_FROM if progress is None else progress
    with progress_bar(show, len(id_groups), "groups", f"merge {name}") as bar:
        plan = _plan(tbl, id_groups, rows, ranker, survivor, values or {}, take or {}, bar)
        if bar is not None:
            bar.set_postfix_str("checking")
        changed = [g for g in plan if g.changed]
        _check(session, tbl, changed)
        survivor_of = _survivor_of(plan)
        conflicts = pd.DataFrame(
            [c for g in plan for c in _conflicts(tbl, g, survivor_of)], columns=CONFLICT_COLUMNS
        )
        merges = pd.DataFrame(
            [
                {"survivor": g.keep_id, "merged": g.merged_ids, "fields_changed": sorted(g.changed)}
                for g in plan
            ],
            columns=_MERGE_COLUMNS,
        )
        if dry_run:
            return MergeReport(
                name,
                merges,
                _would_repoint(session, name, plan),
                None,
                conflicts=conflicts,
                plan=_plan_frame(plan),
                dry_run=True,
            )
        if bar is not None:
            bar.set_postfix_str("writing")
        repointed, batch = _write(session, tbl, plan, changed, operation, len(groups))
    return MergeReport(name, merges, repointed, batch, conflicts=conflicts)


def _survivor_of(plan: list[_Group]) -> dict[int, int]:
    return {m: g.keep_id for g in plan for m in g.merged_ids}


def _plan(
    tbl: Table,
    id_groups: list[list[int]],
    rows: Mapping[int, dict[str, Any]],
    ranker: _Ranker,
    survivor: int | None,
    values: Mapping[str, Any],
    take: Mapping[str, Any],
    bar: Any,
) -> list[_Group]:
    """Order each group, then compute its survivor's values (links to records merged
    away in any group go to their survivors)."""
    plan: list[_Group] = []
    for ids in id_groups:
        ordered = sorted((rows[i] for i in ids), key=ranker.key)
        if survivor is not None:
            if survivor not in ids:
                raise RecordNotFoundError(f"survivor {survivor} is not one of {ids}")
            ordered.sort(key=lambda r: r["id"] != survivor)  # stable: the rest keep order
        plan.append(_Group(ids, ordered))
    survivor_of = _survivor_of(plan)
    for n, group in enumerate(plan, 1):
        _survivor_values(tbl, group, survivor_of, values, take)
        if bar is not None and (n % 500 == 0 or n == len(plan)):
            bar.update(n - bar.n)
    return plan


def _plan_frame(plan: list[_Group]) -> pd.DataFrame:
    rows = [(g.keep_id, n, v, *g.sources[n]) for g in plan for n, v in g.values.items()]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(PLAN_COLUMNS)
    frame = pd.DataFrame(
        {
            name: pd.Series(list(values), dtype=object)
            for name, values in zip(PLAN_COLUMNS, columns, strict=True)
        }
    )
    return frame.astype({"survivor": "int64", "source": "Int64"})


def _mapping(plan: list[_Group]) -> pa.Table:
    survivor_of = _survivor_of(plan)
    return pa.table(
        {
            "old": pa.array(list(survivor_of), pa.int64()),
            "new": pa.array(list(survivor_of.values()), pa.int64()),
        }
    )


def _would_repoint(session: Session, name: str, plan: list[_Group]) -> dict[str, int]:
    """What :func:`_write` would re-point, counted without writing."""
    merged = sorted(_survivor_of(plan))
    survivors = [g.keep_id for g in plan]
    out: dict[str, int] = {}
    for ref_table, ref_field in _REFERENCES[name]:
        # A survivor's own links are its values, not a re-pointing.
        own = " AND id NOT IN (SELECT unnest(?::BIGINT[]))" if ref_table == name else ""
        row = session.con.execute(
            f"SELECT count(*) FROM {ref_table} WHERE {ref_field} IN "
            f"(SELECT unnest(?::BIGINT[])){own}",
            [merged, survivors] if own else [merged],
        ).fetchall()
        if row and row[0][0]:
            out[f"{ref_table}.{ref_field}"] = int(row[0][0])
    return out


def _write(
    session: Session,
    tbl: Table,
    plan: list[_Group],
    changed: list[_Group],
    operation: str,
    n_groups: int,
) -> tuple[dict[str, int], int]:
    """One batch: the survivors, ``merged_into``, then each kind of reference."""
    store, name = session.store, tbl.name
    repointed: dict[str, int] = {}
    with session.batch(operation, f"{operation} {n_groups} group(s) of {name}") as batch:
        if changed:
            # Every changed column for every changed survivor: an unchanged one is given
            # its stored value, which the store does not count as a change.
            names = sorted({n for g in changed for n in g.changed})
            survivors = pa.table(
                {
                    "id": pa.array([g.keep_id for g in changed], pa.int64()),
                    **{
                        n: pa.array(
                            [g.changed[n] if n in g.changed else g.keep.get(n) for g in changed],
                            type=arrow_type(tbl[n]),
                        )
                        for n in names
                    },
                }
            )
            store.update(name, survivors, batch, session.user, operation)
        mapping = _mapping(plan)
        store.update(
            name,
            pa.table({"id": mapping.column("old"), "merged_into": mapping.column("new")}),
            batch,
            session.user,
            operation,
        )
        for ref_table, ref_field in _REFERENCES[name]:
            n = store.repoint(ref_table, ref_field, mapping, batch, session.user, operation)
            if n:
                repointed[f"{ref_table}.{ref_field}"] = n
    return repointed, batch
