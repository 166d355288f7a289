"""Link imported rows to the records they name: owners, accounts, parents, references.

A row names its owner by name or email and its account by company name; :class:`Linker`
turns those into ids (creating the missing ones when the import may), checks the ids a
file gives itself, and refuses links that cannot hold: an unknown or deactivated owner,
an unknown account, a reference to a deleted or merged record, a loop of parents or
managers. An account's parent is linked once every row is written, since it may be a
later row of the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from crmkit import _normalize as norm
from crmkit._core._integrity import cycle_path, links, owner_states
from crmkit._core._session import Session
from crmkit._importing._account_index import AccountIndex
from crmkit._importing._chunks import Chunk
from crmkit._importing._options import ImportOptions
from crmkit._importing._report import ReportParts
from crmkit._importing._scratch import Scratch
from crmkit._normalize._columns import company_key_column
from crmkit._ops import _owners as owner_ops
from crmkit._util._messages import message, record_noun, short
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import Table, table
from crmkit.schemas._labels import message_field
from crmkit.schemas._vocab import LEAD_STAGES, fold

__all__ = ["Linker"]

_REFERENCES = ("account_id", "owner_id", "parent_id", "reports_to_id")


class Linker:
    """Links the rows of one import to owners, accounts and parent accounts.

    Parameters
    ----------
    session
        The session the import writes through.
    options
        The import's options (``kind``, ``create_accounts``, ``create_owners``).
    required
        Fields the database's settings require (``owner_id`` or ``account_id`` may be).
    parts
        Where created owners and accounts, and parents not linked, are reported.
    scratch
        The DuckDB that keeps the accounts' index (``None``: one of its own).
    """

    def __init__(
        self,
        session: Session,
        options: ImportOptions,
        required: Sequence[str],
        parts: ReportParts,
        scratch: Scratch | None = None,
    ) -> None:
        self.session = session
        self.table: Table = table(options.kind)
        self.kind = self.table.name
        self.create_accounts = options.create_accounts
        self.create_owners = options.create_owners
        self.required = list(required)
        self.parts = parts
        self.accounts = AccountIndex(session, scratch or Scratch())
        self._owners_by_key: dict[str, int] | None = None
        # (account id, parent's name, line): linked by resolve_parents, after every row.
        self._pending_parents: list[tuple[int, str, int]] = []

    # -- rows ------------------------------------------------------------------------

    def link(self, chunk: Chunk, batch: int) -> None:
        """Set ``owner_id`` and ``account_id`` from names; errors go on the rows."""
        cols = chunk.columns
        given_refs = [ref for ref in _REFERENCES if ref in cols and ref in self.table]
        if "owner" in cols:
            self._link_owners(chunk, batch)
        if self.kind == "contacts" and "company" in cols:
            self._link_accounts(chunk, batch)
        if self.kind == "accounts" and "parent" in cols:
            cols["_parent"] = cols.pop("parent")
        for ref in given_refs:  # ids found by linking above exist: no need to look
            self._check_refs(chunk, ref)
        n = len(chunk.lines)
        for i, errs in enumerate(chunk.errors):
            if errs:
                continue
            for name in self.required:
                if name in ("account_id", "owner_id") and (cols.get(name) or [None] * n)[i] is None:
                    errs.append(f"{name}: required")

    def _link_owners(self, chunk: Chunk, batch: int) -> None:
        cols = chunk.columns
        owner_ids = cols.get("owner_id") or [None] * len(chunk.lines)
        names = cols.pop("owner")
        # Each distinct name is looked up (or created) once, in order of first use.
        wanted = dict.fromkeys(
            name for name, given in zip(names, owner_ids, strict=True) if given is None
        )
        wanted.pop(None, None)
        resolved = self._resolve_owners(list(wanted), batch)
        if None in resolved.values():
            self._reject_unknown_owners(chunk, names, owner_ids, resolved)
        cols["owner_id"] = [
            given if given is not None else found
            for given, found in zip(owner_ids, map(resolved.get, names), strict=True)
        ]
        active = owner_states(self.session.con, [v for v in resolved.values() if v])
        for i, (name, owner_id) in enumerate(zip(names, cols["owner_id"], strict=True)):
            if name is not None and owner_id is not None and not active.get(owner_id, True):
                chunk.errors[i].append(
                    message(
                        "reject_owner_deactivated",
                        field=message_field(self.kind, "owner"),
                        name=short(name),
                    )
                )

    def _reject_unknown_owners(
        self,
        chunk: Chunk,
        names: list[Any],
        owner_ids: list[Any],
        resolved: dict[str, int | None],
    ) -> None:
        # One message per distinct unknown name: a file of many rows naming owners the
        # CRM lacks read the owners and searched the closest name once a row.
        known = owner_ops.names(self.session)
        messages: dict[str, str] = {}
        for i, (name, given) in enumerate(zip(names, owner_ids, strict=True)):
            if name is not None and given is None and resolved[name] is None:
                if name not in messages:
                    hint = closest(name, known)
                    messages[name] = message(
                        "reject_unknown_owner",
                        field=message_field(self.kind, "owner"),
                        name=short(name),
                        hint=message("did_you_mean", name=short(hint)) if hint else "",
                    )
                chunk.errors[i].append(messages[name])

    def _link_accounts(self, chunk: Chunk, batch: int) -> None:
        """Contacts: the account of each row's company, created if the import may."""
        cols = chunk.columns
        account_ids = cols.get("account_id") or [None] * len(chunk.lines)
        names = cols.pop("company")
        keys = cols.pop("_company_key") if "_company_key" in cols else company_key_column(names)
        leads = _lead_rows(cols, len(chunk.lines))
        if any(leads):
            # A lead keeps its company as typed; an existing account is linked, none is
            # created (crm.contacts.convert does that once the lead is qualified).
            typed = cols.get("company_name") or [None] * len(chunk.lines)
            cols["company_name"] = [
                (t if t is not None else n) if lead else t
                for t, n, lead in zip(typed, names, leads, strict=True)
            ]
        index = self.accounts.find(
            [
                k
                for i, (n, k) in enumerate(zip(names, keys, strict=True))
                if n is not None and account_ids[i] is None and k
            ]
        )
        missing: dict[str, list[int]] = {}  # company key -> rows naming it
        for i, (name, key) in enumerate(zip(names, keys, strict=True)):
            if name is None or account_ids[i] is not None or not key:
                continue
            found = index.get(key)
            if found is not None:
                account_ids[i] = found
            elif leads[i]:
                continue
            elif self.create_accounts and not chunk.errors[i]:
                missing.setdefault(key, []).append(i)
            else:
                chunk.errors[i].append(
                    message(
                        "reject_no_account",
                        field=message_field(self.kind, "company"),
                        name=short(name),
                    )
                )
        if missing:
            owners = cols.get("owner_id") or [None] * len(chunk.lines)
            created = self._create_accounts(
                [names[rows[0]] for rows in missing.values()],
                [owners[rows[0]] for rows in missing.values()],
                batch,
            )
            self.accounts.add(list(missing), created)
            for rows, account_id in zip(missing.values(), created, strict=True):
                for i in rows:
                    account_ids[i] = account_id
        cols["account_id"] = account_ids

    def _owner_index(self) -> dict[str, int]:
        """Owners by folded name and by email, built once."""
        if self._owners_by_key is None:
            rows = self.session.con.execute("SELECT id, name, email FROM owners").fetchall()
            index: dict[str, int] = {}
            for owner_id, name, email in rows:
                index.setdefault(fold(name), int(owner_id))
                if email:
                    index.setdefault(email.lower(), int(owner_id))
            self._owners_by_key = index
        return self._owners_by_key

    def _resolve_owners(self, names: list[str], batch: int) -> dict[str, int | None]:
        """The owner id of each name or email (``None``: unknown and not created)."""
        index = self._owner_index()
        keys = norm.map_distinct(names, _owner_key)
        resolved: dict[str, int | None] = {}
        for name, key in zip(names, keys, strict=True):
            found = index.get(key)
            if found is None and self.create_owners:
                found = owner_ops.insert(self.session, name, None, "user", None, batch)
                index[key] = found
                self.parts.created_owners.append(name)
            resolved[name] = found
        return resolved

    def _create_accounts(self, names: list[str], owners: list[int | None], batch: int) -> list[int]:
        """Create the accounts a contacts file names (first spelling seen wins)."""
        data = pa.table(
            {"name": pa.array(names, pa.string()), "owner_id": pa.array(owners, pa.int64())}
        )
        new_ids = self.session.store.insert("accounts", data, batch, self.session.user)
        self.parts.created_accounts.extend(names)
        return new_ids

    def _check_refs(self, chunk: Chunk, ref: str) -> None:
        """Ids the file gives itself must name a live record (an active owner)."""
        target = self.table[ref].ref or ""
        ids = sorted({int(v) for v in chunk.columns[ref] if v is not None})
        if not ids:
            return
        # What is wrong with each id: NULL (nothing), a state, or the id merged into.
        if target == "owners":
            state = "CASE WHEN coalesce(active, TRUE) THEN NULL ELSE 'deactivated' END"
        else:
            state = (
                "CASE WHEN merged_into IS NOT NULL THEN CAST(merged_into AS VARCHAR) "
                "WHEN deleted_at IS NOT NULL THEN 'deleted' END"
            )
        known = dict(
            self.session.con.execute(
                f"SELECT id, {state} FROM {target} WHERE id IN (SELECT unnest(?::BIGINT[]))",
                [ids],
            ).fetchall()
        )
        words = {"field": message_field(self.kind, ref), "noun": record_noun(target)}
        for i, v in enumerate(chunk.columns[ref]):
            if v is None:
                continue
            state = known.get(int(v), "missing")
            if state is None:
                continue
            key = {
                "missing": "ref_not_found",
                "deleted": "ref_deleted",
                "deactivated": "reject_ref_deactivated",
            }.get(state, "reject_ref_merged")
            chunk.errors[i].append(message(key, id=v, into=state, **words))

    def reject_cycles(
        self, chunk: Chunk, rows: list[int], ids: list[int]
    ) -> tuple[list[int], list[int]]:
        """Reject update rows whose parent or reports_to id would make a loop.

        Returns the update rows and record ids that remain.
        """
        for field_name in ("parent_id", "reports_to_id"):
            values = chunk.columns.get(field_name)
            if field_name not in self.table or not values:
                continue
            wanted = [(i, r) for i, r in zip(rows, ids, strict=True) if values[i] is not None]
            if not wanted:
                continue
            graph = links(self.session.con, self.kind, field_name)
            for i, record_id in wanted:
                path = _try_link(graph, record_id, int(values[i]))
                if path:
                    chain = " → ".join(str(p) for p in path)
                    chunk.errors[i].append(
                        message(
                            "reject_cycle", field=message_field(self.kind, field_name), chain=chain
                        )
                    )
        kept = [(i, r) for i, r in zip(rows, ids, strict=True) if not chunk.errors[i]]
        return [i for i, _ in kept], [r for _, r in kept]

    # -- parents ---------------------------------------------------------------------

    def defer_parents(self, chunk: Chunk, rows: list[int], record_ids: list[int]) -> None:
        """Remember the parent named by each written row, to link after every row."""
        parents = chunk.columns.get("_parent")
        if parents is None:
            return
        for i, record_id in zip(rows, record_ids, strict=True):
            if parents[i]:
                self._pending_parents.append((record_id, parents[i], chunk.lines[i]))

    def resolve_parents(self, batch: int) -> None:
        """Link each written account to the parent it names; warn for those left out."""
        if not self._pending_parents:
            return
        self.accounts.reset()  # the file's own accounts are parents too
        keys = [norm.company_key(parent) for _, parent, _ in self._pending_parents]
        index = self.accounts.find([k for k in keys if k])
        graph = links(self.session.con, "accounts", "parent_id")
        ids, parents = [], []
        for (account_id, parent, line), key in zip(self._pending_parents, keys, strict=True):
            found = self._parent_of(account_id, parent, line, index.get(key or ""), graph)
            if found is not None:
                ids.append(account_id)
                parents.append(found)
        if ids:
            self.session.store.update(
                "accounts",
                pa.table(
                    {"id": pa.array(ids, pa.int64()), "parent_id": pa.array(parents, pa.int64())}
                ),
                batch,
                self.session.user,
                "import",
            )

    def _parent_of(
        self, account_id: int, parent: str, line: int, found: int | None, graph: dict[int, int]
    ) -> int | None:
        """The id of the account named ``parent`` (``found``), or ``None`` (with a warning)."""
        if found is None:
            message = f"parent: no account named {short(parent)}; not linked"
        elif path := _try_link(graph, account_id, found):
            chain = " → ".join(str(i) for i in path)
            message = (
                f"parent: {short(parent)} is below this account; linking them "
                f"would make a cycle ({chain}); not linked"
            )
        else:
            return found
        self.parts.warnings.append((line, "parent_id", parent, message))
        return None


def _try_link(graph: dict[int, int], record_id: int, target: int) -> tuple[int, ...]:
    """Point ``record_id`` at ``target`` in ``graph``; undo it and return the loop if any.

    The graph is shared by the rows of a chunk: a link kept holds for the next row.
    """
    before = graph.get(record_id)
    graph[record_id] = target
    path = cycle_path(graph, record_id)
    if path:
        if before is None:
            graph.pop(record_id)
        else:
            graph[record_id] = before
    return path


def _lead_rows(cols: dict[str, list[Any]], n: int) -> list[bool]:
    """Which of ``n`` rows are leads (stage ``lead`` or ``qualified``): no import creates
    their company's account."""
    stages = cols.get("lifecycle_stage")
    return [s in LEAD_STAGES for s in stages] if stages else [False] * n


def _owner_key(name: str) -> str:
    return name.lower() if "@" in name else fold(name)
