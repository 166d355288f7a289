"""Which record each imported row is: a stored one, an earlier row of the file, or new.

:class:`Matcher` gives each row its match keys (strongest first) and finds the existing
live record they name. :class:`FileGroups` remembers the rows of the file seen so far by
their keys, so that a later row naming the same record joins the earlier one's
:class:`Group`; :func:`fold` merges two such rows of one chunk.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmkit import _normalize as norm
from crmkit._core._session import Session
from crmkit._importing._chunks import Chunk
from crmkit._normalize._columns import company_key_column
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import Table
from crmkit.schemas._vocab import fold as fold_text

__all__ = ["FileGroups", "Group", "Matcher", "fold"]

_LIVE = "deleted_at IS NULL AND merged_into IS NULL"
# Contacts' keys by kind, strongest first, as DuckDB computes them for stored records.
_CONTACT_KEYS = (
    ("uid:", "'uid:' || uid"),
    ("email:", "'email:' || lower(email)"),
    (
        "name:",
        "'name:' || lower(strip_accents(coalesce(first_name, ''))) || '|' || "
        "lower(strip_accents(last_name)) || '|' || "
        "coalesce(CAST(account_id AS VARCHAR), '')",
    ),
)


class Matcher:
    """Match keys of imported rows and the existing records they name.

    Parameters
    ----------
    session
        The session whose records are matched.
    kind
        ``"contacts"`` or ``"accounts"``.
    match_on
        Fields that make the one match key instead of the default ones (``None``: the
        defaults).
    """

    def __init__(self, session: Session, kind: str, match_on: Sequence[str] | None) -> None:
        self.session = session
        self.kind = kind
        self.match_on = list(match_on) if match_on else None
        self._existing_accounts: dict[str, list[tuple[int, str]]] | None = None

    def keys(self, chunk: Chunk) -> list[list[str]]:
        """Each row's match keys, strongest first (an empty list: the row has none).

        Contacts: the external id (``uid``), then the email, then first name + last name
        + account for a row without an email; accounts: the company key and website
        domain. ``match_on`` replaces them with one key made of those fields.
        """
        cols = chunk.columns
        n = len(chunk.lines)

        def col(name: str) -> list[Any]:
            return cols.get(name) or [None] * n

        if self.match_on:
            parts = [col(f) for f in self.match_on]
            return [
                [] if any(p is None for p in row) else ["|".join(fold_text(str(p)) for p in row)]
                for row in zip(*parts, strict=True)
            ]
        if self.kind == "contacts":
            fields = ("uid", "email", "first_name", "last_name", "account_id")
            return [_contact_keys(*row) for row in zip(*map(col, fields), strict=True)]
        name_keys = cols.get("_name_key") or company_key_column(col("name"))
        domains = norm.map_distinct(col("website"), norm.url_domain)
        return [
            [f"name:{name_key}|{domain or ''}"] if name_key else []
            for name_key, domain in zip(name_keys, domains, strict=True)
        ]

    def existing(self, keys: list[list[str]], uids: list[Any]) -> list[int | None]:
        """The id of the existing record each row matches, if any.

        Keys are tried strongest first; a record that carries another external id than
        the row's is not the same record, whatever else they share.
        """
        wanted = sorted({k for row in keys for k in row})
        if not wanted:
            return [None] * len(keys)
        found = self._lookup_existing(wanted)
        out: list[int | None] = []
        for row, uid in zip(keys, uids, strict=True):
            match = None
            for key in row:
                hit = found.get(key)
                if hit is not None and (uid is None or hit[1] is None or hit[1] == uid):
                    match = hit[0]
                    break
            out.append(match)
        return out

    def _lookup_existing(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        """Existing live records by key: ``{key: (id, uid)}`` (the oldest record wins)."""
        if self.match_on:
            return self._lookup_match_on(wanted)
        if self.kind == "contacts":
            return self._lookup_contacts(wanted)
        return self._lookup_accounts(wanted)

    def _lookup_match_on(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        assert self.match_on is not None
        expr = " || '|' || ".join(
            f"lower(strip_accents(CAST({f} AS VARCHAR)))" for f in self.match_on
        )
        rows = self.session.con.execute(
            f"SELECT k, min(id) FROM (SELECT id, {expr} AS k FROM {self.kind} WHERE {_LIVE}) "
            f"WHERE k IN (SELECT unnest(?::VARCHAR[])) GROUP BY k",
            [[fold_text(k) for k in wanted]],
        ).fetchall()
        by_fold = {fold_text(k): k for k in wanted}
        return {by_fold[k]: (int(i), None) for k, i in rows if k in by_fold}

    def _lookup_contacts(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        found: dict[str, tuple[int, Any]] = {}
        for prefix, expr in _CONTACT_KEYS:
            # `wanted` is sorted, so the keys of one kind are one slice of it.
            start = bisect.bisect_left(wanted, prefix)
            subset = wanted[start : bisect.bisect_left(wanted, prefix[:-1] + ";", start)]
            if not subset:
                continue
            cond = "AND email IS NULL" if prefix == "name:" else ""
            rows = self.session.con.execute(
                f"SELECT k, min(id), arg_min(uid, id) FROM (SELECT id, uid, {expr} AS k "
                f"FROM contacts WHERE {_LIVE} {cond}) "
                f"WHERE k IN (SELECT unnest(?::VARCHAR[])) GROUP BY k",
                [subset],
            ).fetchall()
            found.update({k: (int(i), u) for k, i, u in rows})
        return found

    def _lookup_accounts(self, wanted: list[str]) -> dict[str, tuple[int, Any]]:
        """Accounts: same company key, and the same website domain when both have one."""
        found: dict[str, tuple[int, Any]] = {}
        by_name = self._accounts_by_name_domain()
        for k in wanted:
            name_key, domain = k[5:].split("|", 1)
            for account_id, existing_domain in by_name.get(name_key, []):
                if not domain or not existing_domain or domain == existing_domain:
                    found[k] = (account_id, None)
                    break
        return found

    def _accounts_by_name_domain(self) -> dict[str, list[tuple[int, str]]]:
        """Live accounts by company key, with their website domains (built once)."""
        if self._existing_accounts is None:
            rows = self.session.con.execute(
                f"SELECT id, name, website FROM accounts WHERE {_LIVE} ORDER BY id"
            ).fetchall()
            keys = company_key_column([r[1] for r in rows])
            domains = norm.map_distinct([r[2] for r in rows], norm.url_domain)
            index: dict[str, list[tuple[int, str]]] = {}
            for (account_id, _, _), key, domain in zip(rows, keys, domains, strict=True):
                if key:
                    index.setdefault(key, []).append((int(account_id), domain or ""))
            self._existing_accounts = index
        return self._existing_accounts


def _contact_keys(uid: Any, email: Any, first_name: Any, last_name: Any, account: Any) -> list[str]:
    """A contact row's keys: the external id, then the email or, without one, the name."""
    row: list[str] = []
    if uid:
        row.append(f"uid:{uid}")
    if email:
        row.append(f"email:{email.lower()}")
    elif last_name:
        row.append(f"name:{fold_text(first_name or '')}|{fold_text(last_name)}|{account or ''}")
    return row


@dataclass(eq=False)
class Group:
    """The rows of a file that are one record: where the first one is, what it became.

    Attributes
    ----------
    key
        The first row's strongest key (named in the report).
    line, uid
        The first row's line and external id (a later row's id fills a missing one).
    chunk, row
        Where the first row waits to be written (``None`` once its chunk is written).
    record_id
        The record the rows are: matched, or inserted for the first row.
    """

    key: str
    line: int
    uid: Any
    chunk: Chunk | None
    row: int | None
    record_id: int | None = None


class FileGroups:
    """The rows of the file seen so far, by each of their match keys."""

    def __init__(self) -> None:
        self._seen: dict[str, Group] = {}

    def group_of(self, keys: list[str], uid: Any) -> Group | None:
        """The earlier row of this file that is the same record, if any."""
        for key in keys:
            group = self._seen.get(key)
            if group is not None and (uid is None or group.uid is None or group.uid == uid):
                return group
        return None

    def join(self, group: Group, keys: list[str], uid: Any) -> None:
        """Make every key of a row find its group (a later row may share only one)."""
        for key in keys:
            self._seen.setdefault(key, group)
        if group.uid is None and uid is not None:
            group.uid = uid


def fold(tbl: Table, chunk: Chunk, into: int, row: int) -> None:
    """Merge row ``row`` into the earlier row ``into`` of the same chunk.

    Blanks are filled, a later non-empty value wins (the replaced value is reported as a
    warning, so nothing is lost unseen), lists are united and custom fields merged.
    """
    line, first_line = chunk.lines[row], chunk.lines[into]
    for name, values in chunk.columns.items():
        new = values[row]
        old = values[into]
        if new is None or (name.startswith("_") and name != "_parent"):
            continue
        if old is None:
            values[into] = new
        elif name in tbl and tbl[name].kind == "list":
            values[into] = list(dict.fromkeys([*old, *new]))
        elif name == "custom":
            merged = {**json.loads(old), **json.loads(new)}
            values[into] = json.dumps(merged, ensure_ascii=False, default=str)
        elif new != old:
            values[into] = new
            chunk.warnings.append(
                (
                    line,
                    name,
                    new,
                    f"{name}: {shorten(old)} of line {first_line} replaced by "
                    f"{shorten(new)} (line {line} is the same record)",
                )
            )
