"""Merging duplicate records: survivorship per field, related records re-pointed.

A merge keeps one record (the survivor), fills its fields from the group by a rule, unions
its lists, points every related record (contacts of merged accounts, ``reports_to``
links, subscriptions, child accounts) at it, and marks the other records
``merged_into = survivor``. Nothing is deleted; the merge is one batch in history and
``crm.undo`` reverts all of it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from crmkit._core._session import Session
from crmkit._core._store import arrow_type
from crmkit._exceptions import RecordNotFoundError, UnknownValueError, ValidationError
from crmkit._ops import _records as records
from crmkit.schemas._catalog import Table, table

__all__ = ["RULES", "MergeReport", "merge_groups"]

Rule = Literal["recent", "complete", "oldest"]
RULES = ("recent", "complete", "oldest")
# What points at a merged record, by kind: (table, field).
_REFERENCES = {
    "contacts": [("contacts", "reports_to_id"), ("subscriptions", "contact_id")],
    "accounts": [("contacts", "account_id"), ("accounts", "parent_id")],
}


@dataclass
class MergeReport:
    """What one or more merges did.

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
        The history batch; ``crm.undo(batch_id)`` reverts every merge of the report.
    skipped
        pandas DataFrame ``cluster, reason`` of groups not merged (``merge_all``).
    """

    kind: str
    merges: pd.DataFrame
    repointed: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    skipped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["cluster", "reason"])
    )

    @property
    def survivor(self) -> int | None:
        """The survivor of the first (often the only) merge."""
        return None if self.merges.empty else int(self.merges["survivor"].iloc[0])

    @property
    def merged_count(self) -> int:
        """Records merged away in all."""
        return int(sum(len(m) for m in self.merges["merged"])) if not self.merges.empty else 0

    def __repr__(self) -> str:
        text = (
            f"MergeReport({self.kind}: {len(self.merges)} merges, {self.merged_count} records "
            f"merged away" + (f", batch {self.batch_id}" if self.batch_id is not None else "") + ")"
        )
        for row in self.merges.head(10).to_dict("records"):
            changed = ", ".join(row["fields_changed"]) or "no field changed"
            text += f"\n  {list(row['merged'])} -> {row['survivor']} ({changed})"
        if self.repointed:
            text += "\n  re-pointed: " + ", ".join(f"{k}={v}" for k, v in self.repointed.items())
        if not self.skipped.empty:
            text += f"\n  skipped {len(self.skipped)} clusters"
        return text

    def _repr_html_(self) -> str:
        frame = self.merges.assign(
            merged=[", ".join(map(str, m)) for m in self.merges["merged"]],
            fields_changed=[", ".join(f) for f in self.merges["fields_changed"]],
        )
        return (
            f'<div class="crmkit-merge-report"><p><strong>{len(self.merges)} merges</strong> '
            f"of {html.escape(self.kind)}, {self.merged_count} records merged away"
            + (f" (batch {self.batch_id})" if self.batch_id is not None else "")
            + "</p>"
            + frame.to_html(index=False, border=0)
            + "</div>"
        )


def _order(rows: list[dict[str, Any]], tbl: Table, rule: str, source: str | None) -> list[int]:
    """Positions of ``rows`` from the most to the least preferred."""
    if rule not in RULES:
        from crmkit._util._suggest import closest

        raise UnknownValueError("merge rule", rule, RULES, closest(rule, RULES))
    editable = [f.name for f in tbl.editable]

    def filled(r: dict[str, Any]) -> int:
        return sum(r.get(n) not in (None, "", []) for n in editable)

    def key(i: int) -> tuple[Any, ...]:
        r = rows[i]
        preferred = 0 if source is not None and r.get("origin") == source else 1
        stamp = r.get("updated_at") or r.get("created_at")
        recent = -stamp.timestamp() if stamp is not None else 0.0
        if rule == "recent":
            return (preferred, recent, r["id"])
        if rule == "complete":
            return (preferred, -filled(r), recent, r["id"])
        return (preferred, r["id"])

    return sorted(range(len(rows)), key=key)


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
            if v:
                decoded = json.loads(v) if isinstance(v, str) else v
                if isinstance(decoded, dict):
                    merged.update(decoded)
        return json.dumps(merged, ensure_ascii=False) if merged else None
    for v in values:
        if v not in (None, ""):
            return v
    return None


def merge_groups(
    session: Session,
    kind: str,
    groups: Sequence[Sequence[int]],
    *,
    prefer: Rule | Mapping[str, Any] = "recent",
    survivor: int | None = None,
    source: str | None = None,
    take: Mapping[str, int] | None = None,
    values: Mapping[str, Any] | None = None,
    operation: str = "merge",
) -> MergeReport:
    """Merge each group of ids into one record, all in one batch.

    Parameters
    ----------
    prefer
        The survivorship rule for fields not given otherwise: ``"recent"`` (most recently
        updated record first), ``"complete"`` (record with the most filled fields first)
        or ``"oldest"`` (first created). A mapping is taken as ``values``.
    survivor
        The id to keep (single group only); default: the first record by the rule.
    source
        Records whose ``origin`` is this value come first, whatever the rule.
    take
        ``{field: record_id}``: take that field from that record.
    values
        ``{field: value}``: set these values on the survivor.
    """
    tbl = table(kind)
    if isinstance(prefer, Mapping):
        values, prefer = {**prefer, **(values or {})}, "recent"
    if survivor is not None and len(groups) != 1:
        raise ValidationError("survivor= applies to a single group")
    store = session.store
    rows_report = []
    repointed: dict[str, int] = {}
    with session.batch(operation, f"{operation} {len(groups)} group(s) of {kind}") as batch:
        for group in groups:
            ids = list(dict.fromkeys(int(i) for i in group))
            if len(ids) < 2:
                raise ValidationError(f"a merge needs two records or more, got {ids}")
            rows = [records.fetch(session, kind, i) for i in ids]
            for r in rows:
                if r.get("merged_into") is not None or r.get("deleted_at") is not None:
                    raise ValidationError(
                        f"{kind[:-1]} {r['id']} was already merged or deleted; it cannot be "
                        f"merged again"
                    )
            ordered_pos = _order(rows, tbl, str(prefer), source)
            if survivor is not None:
                if survivor not in ids:
                    raise RecordNotFoundError(f"survivor {survivor} is not one of {ids}")
                ordered_pos.remove(ids.index(survivor))
                ordered_pos.insert(0, ids.index(survivor))
            ordered = [rows[i] for i in ordered_pos]
            keep = ordered[0]
            keep_id = int(keep["id"])
            merged_ids = [int(r["id"]) for r in ordered[1:]]
            new_values: dict[str, Any] = {}
            for f in tbl.editable:
                if f.name in (values or {}):
                    value = (values or {})[f.name]
                elif f.name in (take or {}):
                    source_id = int((take or {})[f.name])
                    if source_id not in ids:
                        raise RecordNotFoundError(f"take: record {source_id} is not one of {ids}")
                    value = rows[ids.index(source_id)].get(f.name)
                else:
                    value = _merged_value(f.name, f.kind, ordered)
                if f.name in ("reports_to_id", "parent_id") and value in ids:
                    value = None  # would point at the group itself
                new_values[f.name] = value
            changed = {n: v for n, v in new_values.items() if v != keep.get(n)}
            if changed:
                records.check_row(session, kind, {**keep, **changed})
                # A merge keeps an owner one of the records had, even a deactivated one.
                kept = {k: v for k, v in changed.items() if k != "owner_id"}
                records.check_references(session, kind, [kept], [keep_id], [keep])
                store.update(
                    kind,
                    pa.table(
                        {
                            "id": pa.array([keep_id], pa.int64()),
                            **{
                                n: pa.array([v], type=arrow_type(tbl[n]))
                                for n, v in changed.items()
                            },
                        }
                    ),
                    batch,
                    session.user,
                    operation,
                )
            store.update(
                kind,
                pa.table(
                    {
                        "id": pa.array(merged_ids, pa.int64()),
                        "merged_into": pa.array([keep_id] * len(merged_ids), pa.int64()),
                    }
                ),
                batch,
                session.user,
                operation,
            )
            for ref_table, ref_field in _REFERENCES[kind]:
                # A record of the same table must not be made to point at itself.
                self_link = ref_table == kind
                n = store.set_where_ids(
                    ref_table,
                    f"SELECT id FROM {ref_table} WHERE {ref_field} IN "
                    f"(SELECT unnest(?::BIGINT[]))" + (" AND id <> ?" if self_link else ""),
                    [merged_ids, keep_id] if self_link else [merged_ids],
                    {ref_field: keep_id},
                    batch,
                    session.user,
                    operation,
                )
                if n:
                    key = f"{ref_table}.{ref_field}"
                    repointed[key] = repointed.get(key, 0) + n
            rows_report.append(
                {"survivor": keep_id, "merged": merged_ids, "fields_changed": sorted(changed)}
            )
    return MergeReport(
        kind,
        pd.DataFrame(rows_report, columns=["survivor", "merged", "fields_changed"]),
        repointed,
        batch,
    )
