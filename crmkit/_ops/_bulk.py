"""Bulk operations on a selection: one batch each, undoable with ``crm.undo``.

Set-based where possible: the store changes every selected record with one INSERT into
history and one UPDATE per field, so reassigning 100k contacts costs about what the
hand-written SQL costs.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from crmkit._core._integrity import owner_states
from crmkit._core._store import SqlExpr, now_utc
from crmkit._exceptions import ValidationError
from crmkit._normalize._prepare import prepare_values
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import table
from crmkit.schemas._models import describe_failures, validate

if TYPE_CHECKING:
    from crmkit._api._selection import Selection
    from crmkit._formats._export import ExportResult

__all__ = ["BulkReport"]


@dataclass
class BulkReport:
    """What a bulk operation did.

    Attributes
    ----------
    operation
        ``reassign``, ``update``, ``tag`` ...
    selected
        Records in the selection.
    changed
        Records actually changed.
    skipped
        pandas DataFrame ``id, reason`` of the selected records left as they were.
    batch_id
        The history batch (``None`` when nothing changed); ``crm.undo(batch_id)``.
    details
        Extra numbers (contacts moved by a cascade, per-owner counts ...).
    selection
        The selection acted on, pinned to exactly the records the action acted on
        (chain from it: ``report.selection.export("moved.xlsx")``).
    """

    operation: str
    kind: str
    selected: int
    changed: int
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["id", "reason"]))
    batch_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    selection: Selection | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        text = (
            f"BulkReport({self.operation} on {self.selected:,} {self.kind}: "
            f"{self.changed:,} changed, {len(self.skipped):,} skipped"
            + (f", batch {self.batch_id}" if self.batch_id is not None else "")
            + ")"
        )
        if not self.skipped.empty:
            reasons = self.skipped["reason"].value_counts()
            text += "\n" + "\n".join(f"  skipped {n:,}: {r}" for r, n in reasons.items())
        for key, value in self.details.items():
            text += f"\n  {key}: {value}"
        return text

    def _repr_html_(self) -> str:
        skipped = ""
        if not self.skipped.empty:
            counts = self.skipped["reason"].value_counts().rename("records").reset_index()
            skipped = "<p>Skipped</p>" + counts.to_html(index=False, border=0)
        return (
            f'<div class="crmkit-bulk-report"><p><strong>{html.escape(self.operation)}</strong>'
            f" on {self.selected:,} {self.kind}: <b>{self.changed:,}</b> changed, "
            f"{len(self.skipped):,} skipped"
            + (f" (batch {self.batch_id})" if self.batch_id is not None else "")
            + f"</p>{skipped}</div>"
        )


def _is_active(sel: Selection, owner_id: int) -> bool:
    return bool(owner_states(sel.crm._store.con, [owner_id]).get(owner_id, False))


def _skipped(rows: Sequence[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["id", "reason"])


def _run(
    sel: Selection,
    operation: str,
    description: str,
    values: dict[str, Any],
    table_name: str | None = None,
) -> tuple[int, int]:
    """Apply ``values`` to the selection in one batch; return (changed, batch id)."""
    crm = sel.crm
    sql, params = sel.ids_sql()
    with crm._batch(operation, description) as batch:
        changed = crm._store.set_where_ids(
            table_name or sel.kind, sql, params, values, batch, crm.user, operation
        )
    return changed, batch


def _finish(sel: Selection, report: BulkReport) -> BulkReport:
    # A batch that changed nothing is dropped, so `crm.batches()` lists real changes only.
    if report.batch_id is not None and report.changed == 0 and not report.details.get("cascade"):
        sel.crm._store.con.execute(
            "DELETE FROM batches WHERE id = ? AND NOT EXISTS "
            "(SELECT 1 FROM history WHERE batch_id = ?)",
            [report.batch_id, report.batch_id],
        )
        report.batch_id = None
    return report


def _unchanged(
    sel: Selection, changed_ids: set[int] | None, reason: str, selected: list[int]
) -> pd.DataFrame:
    if changed_ids is None:
        return _skipped([])
    return _skipped([(i, reason) for i in selected if i not in changed_ids])


def _changed_ids(sel: Selection, batch: int, table_name: str | None = None) -> set[int]:
    rows = sel.crm._store.con.execute(
        "SELECT DISTINCT record_id FROM history WHERE batch_id = ? AND table_name = ?",
        [batch, table_name or sel.kind],
    ).fetchall()
    return {int(r[0]) for r in rows}


def _apply(
    sel: Selection, operation: str, description: str, values: dict[str, Any], unchanged: str
) -> BulkReport:
    """Set ``values`` on the selection in one batch; report what changed and what did not.

    ``description`` may use ``{n}`` for the number of selected records.
    """
    ids = sel.ids
    changed, batch = _run(sel, operation, description.format(n=len(ids)), values)
    skipped = _unchanged(sel, _changed_ids(sel, batch), unchanged, ids)
    return _finish(sel, BulkReport(operation, sel.kind, len(ids), changed, skipped, batch))


def _current_values(sel: Selection, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
    """The stored values of ``fields`` for each id, in the order of ``ids``."""
    rows = sel.crm._store.con.execute(
        f"SELECT id, {', '.join(fields)} FROM {sel.kind} WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [ids],
    ).fetchall()
    by_id = {int(r[0]): dict(zip(fields, r[1:], strict=True)) for r in rows}
    return [by_id.get(i, {}) for i in ids]


def reassign(sel: Selection, to: Any, *, cascade: bool = False) -> BulkReport:
    """Reassign the selection (see :meth:`Selection.reassign`)."""
    crm = sel.crm
    targets = to if isinstance(to, list | tuple) else [to]
    if not targets:
        raise ValidationError("reassign needs at least one owner")
    owner_ids = [crm.owners.resolve(t) for t in targets]
    inactive = [t for t, o in zip(targets, owner_ids, strict=True) if not _is_active(sel, o)]
    if inactive:
        raise ValidationError(
            f"reassign refused: owner {', '.join(shorten(t) for t in inactive)} is "
            "deactivated; activate it (crm.owners.activate) or choose another owner"
        )
    ids = sel.ids
    store = crm._store
    names = ", ".join(str(t) for t in targets)
    with crm._batch("reassign", f"reassign {len(ids)} {sel.kind} to {names}") as batch:
        if len(owner_ids) == 1:
            sql, params = sel.ids_sql()
            changed = store.set_where_ids(
                sel.kind, sql, params, {"owner_id": owner_ids[0]}, batch, crm.user, "reassign"
            )
            plan = None
        else:
            # Round-robin in id order: each owner gets len(ids) / k records, +-1.
            plan = pa.table(
                {
                    "id": pa.array(ids, pa.int64()),
                    "owner_id": pa.array(
                        [owner_ids[i % len(owner_ids)] for i in range(len(ids))], pa.int64()
                    ),
                }
            )
            changed = store.update(sel.kind, plan, batch, crm.user, "reassign")
        details: dict[str, Any] = {}
        if len(owner_ids) > 1:
            per_owner = pd.Series([owner_ids[i % len(owner_ids)] for i in range(len(ids))])
            details["per owner"] = {
                crm.owners.get(int(str(o))).name: int(n)
                for o, n in per_owner.value_counts().items()
            }
        if cascade:
            if sel.kind != "accounts":
                raise ValidationError("cascade=True applies to accounts (their contacts)")
            mapping = (
                plan
                if plan is not None
                else pa.table(
                    {
                        "id": pa.array(ids, pa.int64()),
                        "owner_id": pa.array([owner_ids[0]] * len(ids), pa.int64()),
                    }
                )
            )
            store.con.register("_crmkit_owner_map", mapping)
            try:
                moves = store.con.sql(
                    "SELECT c.id, m.owner_id FROM contacts c JOIN _crmkit_owner_map m "
                    "ON c.account_id = m.id WHERE c.deleted_at IS NULL AND c.merged_into IS NULL"
                ).to_arrow_table()
            finally:
                store.con.unregister("_crmkit_owner_map")
            moved = store.update("contacts", moves, batch, crm.user, "reassign")
            details["cascade"] = f"{moved:,} contacts moved with their accounts"
    changed_ids = _changed_ids(sel, batch)
    report = BulkReport(
        "reassign",
        sel.kind,
        len(ids),
        changed,
        _unchanged(sel, changed_ids, "already with that owner", ids),
        batch,
        details,
    )
    return _finish(sel, report)


def update(sel: Selection, fields: dict[str, Any]) -> BulkReport:
    """Set fields on the selection, validated like a form save."""
    crm = sel.crm
    tbl = table(sel.kind)
    if not fields:
        raise ValidationError("update needs at least one field")
    values = crm._records(sel.kind)._values_from_keywords(fields)
    values = prepare_values(
        tbl,
        {k: v for k, v in values.items() if k in tbl},
        region=crm.settings.default_region,
        sectors=crm.settings.sectors,
    )
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in values.items()})
    required = [r for r in crm.settings.required_fields(sel.kind) if r in values]
    report = validate(frame, sel.kind, required=required, sectors=crm.settings.sectors.values)
    if not report.ok:
        raise ValidationError(f"update refused: {describe_failures(report.errors)}", report.errors)
    refs = [f.name for f in tbl.by_kind("ref") if values.get(f.name) is not None]
    if refs:
        ids = sel.ids
        current = _current_values(sel, ids, refs)
        crm._records(sel.kind)._check_references([values] * len(ids), ids, current)
    return _apply(
        sel,
        "update",
        f"set {', '.join(values)} on {{n}} {sel.kind}",
        values,
        "already had these values",
    )


def tag(sel: Selection, tags: Sequence[str], *, add: bool) -> BulkReport:
    """Add or remove tags on the selection."""
    from crmkit._normalize import _values as norm

    wanted = norm.split_list(list(tags))
    if not wanted:
        raise ValidationError("give at least one tag")
    current = "coalesce(t.tags, [])"
    if add:
        expr = SqlExpr(
            f"list_concat({current}, list_filter(?::VARCHAR[], "
            f"lambda x: NOT list_contains({current}, x)))",
            (wanted,),
        )
    else:
        expr = SqlExpr(
            "CASE WHEN t.tags IS NULL THEN NULL ELSE list_filter(t.tags, "
            "lambda x: NOT list_contains(?::VARCHAR[], x)) END",
            (wanted,),
        )
    operation = "tag" if add else "untag"
    reason = "already tagged" if add else "did not have these tags"
    return _apply(sel, operation, f"{operation} {', '.join(wanted)}", {"tags": expr}, reason)


def set_active(sel: Selection, active: bool) -> BulkReport:
    """Contacts: active flag; accounts: archived flag."""
    if sel.kind == "contacts":
        values: dict[str, Any] = {"active": active}
        reason = "already active" if active else "already inactive"
    else:
        values = {"archived": not active}
        reason = "not archived" if active else "already archived"
    operation = "activate" if active else "deactivate"
    return _apply(sel, operation, f"{operation} {{n}} {sel.kind}", values, reason)


def delete(sel: Selection) -> BulkReport:
    """Soft-delete what can go; report what is still used elsewhere."""
    crm = sel.crm
    ids = sel.ids
    con = crm._store.con
    blocked: dict[int, str] = {}
    if sel.kind == "accounts":
        checks = [
            (
                "SELECT account_id, count(*) FROM contacts WHERE deleted_at IS NULL AND "
                "merged_into IS NULL AND account_id IN (SELECT unnest(?::BIGINT[])) GROUP BY 1",
                "still has {n} contacts",
            ),
            (
                "SELECT parent_id, count(*) FROM accounts WHERE deleted_at IS NULL AND "
                "merged_into IS NULL AND parent_id IN (SELECT unnest(?::BIGINT[])) "
                "AND id NOT IN (SELECT unnest(?::BIGINT[])) GROUP BY 1",
                "is the parent of {n} accounts",
            ),
        ]
    else:
        checks = [
            (
                "SELECT reports_to_id, count(*) FROM contacts WHERE deleted_at IS NULL AND "
                "merged_into IS NULL AND reports_to_id IN (SELECT unnest(?::BIGINT[])) "
                "AND id NOT IN (SELECT unnest(?::BIGINT[])) GROUP BY 1",
                "{n} contacts report to them",
            ),
        ]
    for sql, reason in checks:
        params: list[Any] = [ids] * sql.count("?")
        for record_id, n in con.execute(sql, params).fetchall():
            blocked.setdefault(int(record_id), reason.format(n=n))
    deletable = [i for i in ids if i not in blocked]
    changed = 0
    batch: int | None = None
    if deletable:
        with crm._batch("delete", f"delete {len(deletable)} {sel.kind}") as batch:
            changed = crm._store.set_where_ids(
                sel.kind,
                "SELECT unnest(?::BIGINT[]) AS id",
                [deletable],
                {"deleted_at": now_utc()},
                batch,
                crm.user,
                "delete",
            )
    skipped = _skipped([(i, f"in use: {r}") for i, r in blocked.items()])
    return _finish(sel, BulkReport("delete", sel.kind, len(ids), changed, skipped, batch))


def _contacts_only(sel: Selection, operation: str) -> None:
    if sel.kind != "contacts":
        raise ValidationError(f"{operation} applies to contacts")


def subscribe(sel: Selection, list_name: str) -> BulkReport:
    """Subscribe eligible contacts to a mailing list, recording since when."""
    _contacts_only(sel, "subscribe")
    name = str(list_name).strip()
    if not name:
        raise ValidationError("a mailing list needs a name")
    crm = sel.crm
    sql, params = sel.sql(["id", "email", "email_opt_out"])
    rows = crm._store.con.execute(
        f"SELECT s.id, s.email, s.email_opt_out, sub.id FROM ({sql}) s LEFT JOIN subscriptions "
        f"sub ON sub.contact_id = s.id AND sub.list_name = ? AND sub.unsubscribed_at IS NULL",
        [*params, name],
    ).fetchall()
    skipped: list[tuple[int, str]] = []
    eligible: list[int] = []
    for contact_id, email, opted_out, existing in rows:
        if not email:
            skipped.append((int(contact_id), "no email"))
        elif opted_out:
            skipped.append((int(contact_id), "opted out of email"))
        elif existing is not None:
            skipped.append((int(contact_id), "already subscribed"))
        else:
            eligible.append(int(contact_id))
    batch: int | None = None
    if eligible:
        stamp = now_utc()
        with crm._batch("subscribe", f"subscribe {len(eligible)} contacts to {name}") as batch:
            crm._store.insert(
                "subscriptions",
                pa.table(
                    {
                        "contact_id": pa.array(eligible, pa.int64()),
                        "list_name": pa.array([name] * len(eligible), pa.string()),
                        "subscribed_at": pa.array([stamp] * len(eligible), pa.timestamp("us")),
                    }
                ),
                batch,
                crm.user,
            )
    return BulkReport(
        "subscribe", sel.kind, len(rows), len(eligible), _skipped(skipped), batch, {"list": name}
    )


def unsubscribe(sel: Selection, list_name: str) -> BulkReport:
    """End the selection's active subscriptions to a list."""
    _contacts_only(sel, "unsubscribe")
    crm = sel.crm
    sql, params = sel.ids_sql()
    rows = crm._store.con.execute(
        f"SELECT s.id, sub.id FROM ({sql}) s LEFT JOIN subscriptions sub ON "
        f"sub.contact_id = s.id AND sub.list_name = ? AND sub.unsubscribed_at IS NULL",
        [*params, list_name],
    ).fetchall()
    active = [int(r[1]) for r in rows if r[1] is not None]
    skipped = [(int(r[0]), "not subscribed") for r in rows if r[1] is None]
    batch: int | None = None
    if active:
        with crm._batch("unsubscribe", f"unsubscribe {len(active)} from {list_name}") as batch:
            crm._store.set_where_ids(
                "subscriptions",
                "SELECT unnest(?::BIGINT[]) AS id",
                [active],
                {"unsubscribed_at": now_utc()},
                batch,
                crm.user,
                "unsubscribe",
            )
    return BulkReport(
        "unsubscribe",
        sel.kind,
        len({r[0] for r in rows}),
        len(active),
        _skipped(skipped),
        batch,
        {"list": list_name},
    )


def export_vcf(
    sel: Selection, path: str | Path, *, version: str = "3.0", zip: bool = False
) -> ExportResult:
    """Write the selected contacts as vCards (see :meth:`Selection.export_vcf`)."""
    from crmkit._formats._vcard_write import export_vcards

    _contacts_only(sel, "export_vcf")
    fields = [
        f.name
        for f in table("contacts")
        if f.editable and f.name not in ("account_id", "owner_id", "reports_to_id")
    ]
    data = sel.columns(*fields, "company").arrow()
    records = data.rename_columns(
        ["org" if c == "company" else c for c in data.column_names]
    ).to_pylist()
    if version not in ("3.0", "4.0"):
        raise ValidationError(f"vCard version must be '3.0' or '4.0', got {version!r}")
    return export_vcards(records, path, version=version, zip=zip)  # type: ignore[arg-type]
