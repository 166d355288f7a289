"""Owners: the sales reps, users and teams records are assigned to.

Operations on a :class:`~crmkit._core._session.Session`; ``crm.owners``
(:class:`crmkit.Owners`) is the facade over them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from crmkit import _normalize as norm
from crmkit._core._integrity import owner_states
from crmkit._core._results import first
from crmkit._core._session import Session
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._messages import unknown_value
from crmkit._util._shorten import shorten
from crmkit._util._suggest import closest

__all__ = [
    "add",
    "count",
    "default_owner_id",
    "expand_many",
    "fetch",
    "find",
    "insert",
    "list_frame",
    "members",
    "names",
    "resolve",
    "set_active",
]

KINDS = ("user", "team")


def add(
    session: Session,
    name: str,
    *,
    email: str | None = None,
    team: str | int | None = None,
    kind: str = "user",
) -> int:
    """Add a user or a team (created when ``team`` names one that does not exist)."""
    clean = norm.clean_text(name)
    if not clean:
        raise ValidationError(f"an owner needs a name, got {shorten(name)}")
    if kind not in KINDS:
        raise UnknownValueError("owner kind", kind, KINDS)
    if find(session, clean) is not None:
        raise ValidationError(f"an owner named {shorten(clean)} already exists")
    mail = None
    if email:
        checked = norm.normalize_email(email)
        if not checked.ok:
            raise ValidationError(f"owner email {shorten(email)} is not valid: {checked.reason}")
        mail = checked.value
    with session.batch("owner add", f"add {kind} {clean}") as batch:
        team_id = None
        if team is not None:
            team_id = find(session, team)
            if team_id is None:
                team_id = insert(session, str(team), None, "team", None, batch)
        return insert(session, clean, mail, kind, team_id, batch)


def insert(
    session: Session, name: str, email: str | None, kind: str, team_id: int | None, batch: int
) -> int:
    """Store one owner in ``batch`` (no checks: the callers made them); return its id."""
    data = pa.table(
        {
            "name": pa.array([name], pa.string()),
            "email": pa.array([email], pa.string()),
            "kind": pa.array([kind], pa.string()),
            "team_id": pa.array([team_id], pa.int64()),
            "active": pa.array([True], pa.bool_()),
        }
    )
    return session.store.insert("owners", data, batch, session.user)[0]


def find(session: Session, key: str | int) -> int | None:
    """The id of the owner named by ``key`` (name, email or id), or ``None``."""
    con = session.con
    if isinstance(key, int) and not isinstance(key, bool):
        row = first(con.execute("SELECT id FROM owners WHERE id = ?", [key]))
    else:
        text = str(key).strip()
        row = first(
            con.execute(
                "SELECT id FROM owners WHERE lower(name) = lower(?) OR lower(email) = lower(?) "
                "ORDER BY id LIMIT 1",
                [text, text],
            )
        )
    return None if row is None else int(row[0])


def resolve(session: Session, key: str | int) -> int:
    """The id of an owner; :class:`UnknownValueError` lists the owners and the closest."""
    found = find(session, key)
    if found is None:
        known = names(session)
        raise unknown_value("owner", key, known, closest(str(key), known))
    return found


def names(session: Session, active_only: bool = False) -> list[str]:
    """Every owner name (users and teams), sorted."""
    cond = "WHERE active" if active_only else ""
    rows = session.con.execute(f"SELECT name FROM owners {cond} ORDER BY name")
    return [r[0] for r in rows.fetchall()]


def members(session: Session, team: str | int) -> list[int]:
    """Ids of the users in a team."""
    team_id = resolve(session, team)
    rows = session.con.execute(
        "SELECT id FROM owners WHERE team_id = ? ORDER BY id", [team_id]
    ).fetchall()
    return [int(r[0]) for r in rows]


def expand_many(session: Session, keys: list[str | int]) -> list[int]:
    """Ids of the owners named by ``keys`` (names, emails, ids), teams with their members.

    One query for the whole list, whatever its length.
    """
    rows = session.con.execute("SELECT id, lower(name), lower(email), team_id FROM owners")
    by_key: dict[str | int, int] = {}
    team_members: dict[int, list[int]] = {}
    for owner_id, name, email, team_id in rows.fetchall():
        by_key.setdefault(int(owner_id), int(owner_id))
        by_key.setdefault(name, int(owner_id))
        if email:
            by_key.setdefault(email, int(owner_id))
        if team_id is not None:
            team_members.setdefault(int(team_id), []).append(int(owner_id))
    out: list[int] = []
    for key in keys:
        lookup = (
            key if isinstance(key, int) and not isinstance(key, bool) else str(key).strip().lower()
        )
        found = by_key.get(lookup)
        if found is None:
            resolve(session, key)  # raises with the valid names and a suggestion
            continue
        out += [found, *sorted(team_members.get(found, []))]
    return out


def fetch(session: Session, key: str | int) -> dict[str, Any]:
    """One owner's row as a dict."""
    return session.store.fetch_record("owners", resolve(session, key))


def list_frame(session: Session, include_inactive: bool = True) -> pd.DataFrame:
    """Every owner with its team and how many accounts and contacts it holds."""
    cond = "" if include_inactive else "WHERE o.active"
    return session.con.sql(
        f"""SELECT o.id, o.name, o.email, o.kind, t.name AS team, o.active,
               (SELECT count(*) FROM accounts_v a WHERE a.owner_id = o.id) AS accounts,
               (SELECT count(*) FROM contacts_v c WHERE c.owner_id = o.id) AS contacts
        FROM owners o LEFT JOIN owners t ON t.id = o.team_id {cond} ORDER BY o.id"""
    ).df()


def set_active(session: Session, key: str | int, active: bool) -> None:
    """Activate or deactivate an owner (records keep pointing at it)."""
    owner_id = resolve(session, key)
    verb = "activate" if active else "deactivate"
    with session.batch(f"owner {verb}", f"{verb} owner {owner_id}") as batch:
        session.store.update(
            "owners", pa.table({"id": [owner_id], "active": [active]}), batch, session.user
        )


def count(session: Session) -> int:
    """How many owners (users and teams)."""
    row = first(session.con.execute("SELECT count(*) FROM owners"))
    return int(row[0]) if row else 0


def default_owner_id(session: Session, batch: int) -> int | None:
    """The current user's owner id, created in ``batch`` the first time it is needed.

    ``None`` when the session has no explicit user (new records then get no owner).
    """
    if session.explicit_user is None:
        return None
    found = find(session, session.explicit_user)
    if found is None:
        found = insert(session, session.explicit_user, None, "user", None, batch)
    return found


def is_active(session: Session, owner_id: int) -> bool:
    """Whether the owner exists and is active."""
    return bool(owner_states(session.con, [owner_id]).get(owner_id, False))
