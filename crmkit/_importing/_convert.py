"""Lead conversion: leads become contacts of an account, found or created, in one batch.

A lead (stage ``lead`` or ``qualified``) names its company in ``company_name``, as typed.
:func:`convert` links each one to an account as an import links a contacts file: the
live account of the same company key (:class:`~crmkit._importing._account_index.AccountIndex`,
the importer's own matching), else the account the duplicates engine finds most probably
the same (``crm.accounts.similar`` on the name and the domain of the lead's web site or
work e-mail: its probabilities, for all the leads left in one pass of the index, see
:meth:`~crmkit._dedupe._index.DedupeIndex.similar_many`), else, when allowed, a new
account, one per company of the call: two leads whose company names have one key ("Baker
& Sons", "Baker and Sons Ltd") or whose web site or work e-mail share a domain (not a
webmail) make one account. Everything
(accounts created, links, stages) is one batch, so ``crm.undo(batch)`` takes all of it
back. Any refusal (not a lead, deleted, no account to link) raises before anything is
written; ``dry_run`` reports instead.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

from crmkit import _normalize as norm
from crmkit._core._session import Session
from crmkit._core._store import whole_id
from crmkit._dedupe import DEFAULT_THRESHOLD
from crmkit._dedupe._normalise import FREE_MAIL
from crmkit._exceptions import RecordNotFoundError, UnknownValueError, ValidationError
from crmkit._formats._progress import progress_bar
from crmkit._importing._account_index import AccountIndex
from crmkit._importing._scratch import Scratch
from crmkit._normalize._columns import company_key_column
from crmkit._ops import _records as records
from crmkit._ops._duplicates import duplicates_of
from crmkit._util._config import current_lang
from crmkit._util._messages import message, record_noun, short
from crmkit._util._suggest import closest
from crmkit._util._table_html import table_html
from crmkit.schemas._display import report_columns
from crmkit.schemas._labels import message_field
from crmkit.schemas._stages import lifecycle_stages
from crmkit.schemas._vocab import LEAD_STAGES

__all__ = ["REPORT_COLUMNS", "ConversionReport", "convert"]

REPORT_COLUMNS = ("contact", "name", "company_name", "action", "account", "account_name", "reason")
"""The columns of :attr:`ConversionReport.rows`."""

_LINKED = ("matched", "similar", "kept", "given")

PROGRESS_FROM = 5_000
"""Leads from which a conversion shows a progress bar unless told otherwise."""

SIMILAR_CHUNK = 1_000
"""Leads looked up in the duplicates index at a time (the bar moves after each chunk)."""


@dataclass
class ConversionReport:
    """What ``crm.contacts.convert`` did (or, with ``dry_run=True``, would do).

    Attributes
    ----------
    rows
        pandas DataFrame, one row per contact: ``contact`` (id), ``name``,
        ``company_name``, ``action`` and ``account`` (id; ``None`` for a new account in a
        dry run or a refusal), ``account_name`` and ``reason``. ``action`` is ``matched``
        (the live account of the same company name), ``similar`` (the account the
        duplicates engine finds; ``reason`` gives its probability), ``kept`` (the
        account the contact was already linked to), ``given`` (``account=``),
        ``created`` (a new account) or ``refused`` (``reason`` says why).
    stage
        The stage the contacts were given.
    batch_id
        The history batch (``crm.undo(batch_id)`` takes the whole conversion back);
        ``None`` for a dry run.
    dry_run
        True when nothing was written.
    """

    rows: pd.DataFrame
    stage: str
    batch_id: int | None = None
    dry_run: bool = False
    accounts_created: list[int] = field(default_factory=list)

    @property
    def converted(self) -> list[int]:
        """The contacts converted (or to convert, in a dry run)."""
        return [int(i) for i in self.rows.loc[self.rows["action"] != "refused", "contact"]]

    @property
    def linked(self) -> list[int]:
        """The contacts linked to an account that already existed."""
        return [int(i) for i in self.rows.loc[self.rows["action"].isin(_LINKED), "contact"]]

    @property
    def created(self) -> list[str]:
        """The names of the accounts created (or to create), one per new company."""
        names = self.rows.loc[self.rows["action"] == "created", "account_name"]
        return list(dict.fromkeys(str(n) for n in names))

    @property
    def refused(self) -> pd.DataFrame:
        """pandas DataFrame ``contact, reason`` of the contacts not converted."""
        found = self.rows.loc[self.rows["action"] == "refused", ["contact", "reason"]]
        return found.reset_index(drop=True)

    def df(self) -> pd.DataFrame:
        """:attr:`rows` as pandas."""
        return self.rows.copy()

    def pl(self) -> pl.DataFrame:
        """:attr:`rows` as polars."""
        return pl.from_pandas(self.rows.astype({"account": "Int64"}))

    def _summary(self) -> list[str]:
        head = "convert_would" if self.dry_run else "convert_head"
        parts = [
            message(head, count=len(self.converted)),
            message("convert_linked", count=len(self.linked)),
            message("convert_created", count=len(self.created)),
        ]
        if len(self.refused):
            parts.append(message("convert_refused", count=len(self.refused)))
        if self.batch_id is not None:
            parts.append(message("batch", batch=self.batch_id))
        if self.dry_run:
            parts.append(message("merge_dry"))
        return parts

    def __repr__(self) -> str:
        text = f"ConversionReport({message('list_sep').join(self._summary())})"
        for row in self.rows.head(10).to_dict("records"):
            shown = row["reason"] if row["action"] == "refused" else row["account_name"]
            text += f"\n  {row['contact']}: {row['action']} {shown or ''}".rstrip()
        return text

    def _repr_html_(self) -> str:
        lang = current_lang()
        summary = html.escape(message("list_sep").join(self._summary()))
        columns = report_columns("contacts", list(self.rows.columns), lang)
        return (
            f'<div class="crmkit-conversion-report"><p><strong>{summary}</strong></p>'
            + table_html(self.rows, columns, total=len(self.rows), lang=lang)
            + "</div>"
        )


def _ids(selection: Any) -> list[int]:
    """Contact ids from ids or a frame with an ``id`` column (pandas or polars)."""
    if isinstance(selection, pd.DataFrame | pl.DataFrame):
        selection = list(selection["id"])
    if isinstance(selection, int | str) or not isinstance(selection, Iterable):
        selection = [selection]
    ids = list(dict.fromkeys(whole_id(i, "contact") for i in selection))
    if not ids:
        raise ValidationError(message("convert_none"))
    return ids


def _stage(stage: Any) -> str:
    stages = lifecycle_stages()
    found = stages.lookup(stage)
    if found is None:
        values = stages.values
        raise UnknownValueError("lifecycle stage", stage, values, closest(str(stage), values))
    if found in LEAD_STAGES:
        raise ValidationError(message("convert_stage", value=short(stage)))
    return found


def _account(session: Session, account: Any) -> tuple[int, str]:
    """The id and name of ``account=`` (a name or an id of a live account)."""
    account_id = (
        records.find_id(session, "accounts", account)
        if isinstance(account, str)
        else whole_id(account, "account")
    )
    row = records.fetch(session, "accounts", account_id)
    if row["deleted_at"] is not None or row["merged_into"] is not None:
        field = message_field("contacts", "account_id")
        raise ValidationError(
            message("ref_deleted", field=field, noun=record_noun("accounts"), id=account_id)
            if row["merged_into"] is None
            else message(
                "ref_merged",
                field=field,
                noun=record_noun("accounts"),
                id=account_id,
                into=row["merged_into"],
            )
        )
    return account_id, str(row["name"])


def _domain(website: Any, email: Any) -> str | None:
    """The company domain of a lead: its web site's, else its e-mail's (not a webmail)."""
    website, email = _none(website), _none(email)
    for found in (
        None if website is None else norm.url_domain(website),
        None if email is None else norm.email_domain(email),
    ):
        if found and found not in FREE_MAIL:
            return found
    return None


def _read(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The contacts of ``ids``, in that order (an unknown id raises)."""
    frame = session.con.execute(
        "SELECT c.id, trim(concat_ws(' ', c.first_name, c.last_name)) AS name, "
        "c.company_name, c.lifecycle_stage, c.account_id, c.owner_id, c.email, c.website, "
        "c.deleted_at IS NOT NULL AS deleted, c.merged_into, a.name AS account_name, "
        "a.deleted_at IS NULL AND a.merged_into IS NULL AS account_live "
        "FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id "
        "WHERE c.id IN (SELECT unnest(?::BIGINT[]))",
        [ids],
    ).df()
    missing = sorted(set(ids) - {int(i) for i in frame["id"]})
    if missing:
        raise RecordNotFoundError(
            message("record_ref", noun=record_noun("contacts"), id=missing[0])
        )
    order = {i: n for n, i in enumerate(ids)}
    frame = frame.sort_values("id", key=lambda s: s.map(order))
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _record(contact: dict[str, Any]) -> str:
    """How messages name a contact ("contact 12")."""
    return message("record_ref", noun=record_noun("contacts"), id=int(contact["id"]))


def _none(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


class _Plan:
    """Each contact's account, decided before anything is written."""

    def __init__(self, session: Session, create_account: bool) -> None:
        self.session = session
        self.create_account = create_account
        self.rows: list[dict[str, Any]] = []
        self.new: dict[str, list[int]] = {}  # group -> rows of the account to create
        # ("key", company key) or ("domain", web domain) -> its group in ``new``
        self._group: dict[tuple[str, str], str] = {}

    def add(self, contact: dict[str, Any], **values: Any) -> None:
        row = {
            "contact": int(contact["id"]),
            "name": contact["name"],
            "company_name": _none(contact["company_name"]),
            "action": "refused",
            "account": None,
            "account_name": None,
            "reason": None,
            "_owner": None if _none(contact["owner_id"]) is None else int(contact["owner_id"]),
        }
        row.update(values)
        self.rows.append(row)

    def refusal(self, contact: dict[str, Any]) -> str | None:
        """Why ``contact`` cannot be converted, or ``None``."""
        record = _record(contact)
        if contact["deleted"]:
            return message("convert_deleted", record=record)
        if _none(contact["merged_into"]) is not None:
            return message("convert_merged", record=record, into=int(contact["merged_into"]))
        stage = _none(contact["lifecycle_stage"])
        if stage not in LEAD_STAGES:
            shown = "NULL" if stage is None else short(stage)
            field = message_field("contacts", "lifecycle_stage")
            return message("convert_not_lead", record=record, field=field, value=shown)
        return None

    def by_key(
        self, leads: list[dict[str, Any]]
    ) -> tuple[list[str | None], list[str | None], dict[str, int]]:
        """The leads' company names and keys, and the live accounts of those keys."""
        names = [_none(c["company_name"]) for c in leads]
        keys = company_key_column(names)
        scratch = Scratch()
        try:
            found = AccountIndex(self.session, scratch).find([k for k in keys if k])
        finally:
            scratch.close()
        return names, keys, found

    def link(self, leads: list[dict[str, Any]], progress: bool | None = None) -> None:
        """Find or plan the account of each lead by company key, then by similarity."""
        names, keys, found = self.by_key(leads)
        # The domain of the leads left to the duplicates engine and to new companies.
        domains = [
            None if name is None or not key or key in found else _domain(c["website"], c["email"])
            for c, name, key in zip(leads, names, keys, strict=True)
        ]
        similar = self._similar(leads, names, keys, domains, found, progress)
        field = message_field("contacts", "company_name")
        for n, (contact, name, key, domain) in enumerate(
            zip(leads, names, keys, domains, strict=True)
        ):
            if name is None or not key:
                record = _record(contact)
                reason = message("convert_no_company", record=record, field=field)
                self.add(contact, reason=reason)
                continue
            if key in found:
                self.add(contact, action="matched", account=found[key])
                continue
            group = self._group.get(("key", key)) or (
                domain and self._group.get(("domain", domain))
            )
            if group:  # a new company of an earlier lead of this call: same key or domain
                first = self.rows[self.new[group][0]]
                self.new[group].append(len(self.rows))
                self._group.setdefault(("key", key), group)
                if domain:
                    self._group.setdefault(("domain", domain), group)
                self.add(contact, action="created", account_name=first["company_name"])
                continue
            best = similar.get(n)
            if best is not None:
                account_id, probability = best
                self.add(
                    contact, action="similar", account=account_id, reason=f"p={probability:.2f}"
                )
            elif self.create_account:
                self.new[key] = [len(self.rows)]
                self._group[("key", key)] = key
                if domain:
                    self._group.setdefault(("domain", domain), key)
                self.add(contact, action="created", account_name=name)
            else:
                record = _record(contact)
                reason = message(
                    "convert_no_account", record=record, field=field, value=short(name)
                )
                self.add(contact, reason=reason)

    def _similar(
        self,
        leads: list[dict[str, Any]],
        names: list[Any],
        keys: list[str | None],
        domains: list[str | None],
        found: dict[str, int],
        progress: bool | None,
    ) -> dict[int, tuple[int, float]]:
        """Per lead (position) whose company has no live account of its key, the live
        account the duplicates engine finds most probably the same, when at least
        ``DEFAULT_THRESHOLD``: ``crm.accounts.similar`` on the name and the domain, for
        all those leads in one pass per :data:`SIMILAR_CHUNK` of them."""
        asked = [
            n for n, (name, key) in enumerate(zip(names, keys, strict=True))
            if name is not None and key and key not in found
        ]  # fmt: skip
        out: dict[int, tuple[int, float]] = {}
        if not asked:
            return out
        typed = [
            {"name": names[n], **({"website": domains[n]} if domains[n] else {})} for n in asked
        ]
        duplicates = duplicates_of(self.session, "accounts")
        show = len(leads) >= PROGRESS_FROM if progress is None else progress
        with progress_bar(show, len(asked), "leads", "convert") as bar:
            for start in range(0, len(asked), SIMILAR_CHUNK):
                part = typed[start : start + SIMILAR_CHUNK]
                for n, best in zip(
                    asked[start : start + SIMILAR_CHUNK],
                    duplicates.best(part, DEFAULT_THRESHOLD),
                    strict=True,
                ):
                    if best is not None:
                        out[n] = best
                if bar is not None:
                    bar.update(len(part))
        return out

    def frame(self) -> pd.DataFrame:
        names = dict(
            self.session.con.execute(
                "SELECT id, name FROM accounts WHERE id IN (SELECT unnest(?::BIGINT[]))",
                [[r["account"] for r in self.rows if r["account"] is not None]],
            ).fetchall()
        )
        for row in self.rows:
            if row["account"] is not None:
                row["account_name"] = names.get(row["account"])
        frame = pd.DataFrame(self.rows, columns=[*REPORT_COLUMNS, "_owner"])
        # Whole ids or None: built as objects, as pandas would make 32 a float next to None.
        frame["account"] = pd.Series([r["account"] for r in self.rows], dtype=object)
        return frame.drop(columns="_owner")


def convert(
    session: Session,
    selection: Any,
    *,
    create_account: bool = True,
    account: Any = None,
    stage: Any = "customer",
    dry_run: bool = False,
    progress: bool | None = None,
) -> ConversionReport:
    """Convert leads into contacts of an account; see ``crm.contacts.convert``."""
    ids = _ids(selection)
    target = _stage(stage)
    given = None if account is None else _account(session, account)
    plan = _Plan(session, create_account)
    leads = []
    for contact in _read(session, ids):
        reason = plan.refusal(contact)
        if reason is not None:
            plan.add(contact, reason=reason)
        elif given is not None:
            plan.add(contact, action="given", account=given[0])
        elif _none(contact["account_id"]) is not None and contact["account_live"]:
            plan.add(contact, action="kept", account=int(contact["account_id"]))
        else:
            leads.append(contact)
    if leads:
        plan.link(leads, progress)
    report = ConversionReport(plan.frame(), target, dry_run=dry_run)
    if dry_run:
        return report
    if len(report.refused):
        reasons = report.refused["reason"].head(5).tolist()
        more = len(report.refused) - len(reasons)
        why = message("list_sep").join(reasons) + (f" (+{more})" if more > 0 else "")
        raise ValidationError(message("convert_nothing", why=why))
    return _write(session, plan, report)


def _write(session: Session, plan: _Plan, report: ConversionReport) -> ConversionReport:
    rows = plan.rows
    description = f"{len(rows)} contacts to {report.stage}"
    with session.batch("convert", description) as batch:
        if plan.new:
            firsts = [rows[positions[0]] for positions in plan.new.values()]
            data = pa.table(
                {
                    "name": pa.array([r["company_name"] for r in firsts], pa.string()),
                    "owner_id": pa.array([r["_owner"] for r in firsts], pa.int64()),
                }
            )
            created = session.store.insert("accounts", data, batch, session.user)
            for positions, account_id in zip(plan.new.values(), created, strict=True):
                for i in positions:
                    rows[i]["account"] = account_id
            report.accounts_created = created
        changes = pa.table(
            {
                "id": pa.array([r["contact"] for r in rows], pa.int64()),
                "account_id": pa.array([r["account"] for r in rows], pa.int64()),
                "lifecycle_stage": pa.array([report.stage] * len(rows), pa.string()),
            }
        )
        session.store.update("contacts", changes, batch, session.user, "convert")
    report.rows = plan.frame()
    report.batch_id = batch
    return report
