"""The session (crmkit._core._session): store, user, settings, batches and undo, as every
operation sees one open CRM."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from crmkit._core._session import Session, login_name
from crmkit._core._store import Store
from crmkit._exceptions import IntegrityError, ReadOnlyError


@pytest.fixture
def session() -> Iterator[Session]:
    store = Store()
    yield Session(store, user="Nicole Bertrand")
    store.close()


def _owner(name: str, team_id: int | None = None) -> pa.Table:
    return pa.table(
        {
            "name": pa.array([name], pa.string()),
            "kind": pa.array(["user"], pa.string()),
            "team_id": pa.array([team_id], pa.int64()),
            "active": pa.array([True], pa.bool_()),
        }
    )


def test_login_name() -> None:
    try:
        expected = getpass.getuser()
    except (OSError, KeyError):
        expected = "unknown"
    assert login_name() == expected


def test_user_and_parts(session: Session) -> None:
    assert (session.user, session.explicit_user) == ("Nicole Bertrand", "Nicole Bertrand")
    assert session.con is session.store.con
    assert session.settings.required_fields("contacts")
    assert session.last_batch_id is None and session.caches == {}
    anonymous = Session(session.store)
    assert (anonymous.explicit_user, anonymous.user) == (None, login_name())


def test_a_batch_commits_and_is_remembered(session: Session) -> None:
    with session.batch("owner add", "add Marc") as batch:
        (marc,) = session.store.insert("owners", _owner("Marc"), batch, session.user)
    assert session.last_batch_id == batch
    row = session.con.execute(
        "SELECT operation, actor, description FROM batches WHERE id = ?", [batch]
    ).fetchall()
    assert row == [("owner add", "Nicole Bertrand", "add Marc")]
    assert session.con.execute("SELECT name FROM owners WHERE id = ?", [marc]).fetchall() == [
        ("Marc",)
    ]
    summary = session.undo(batch)
    assert session.last_batch_id == summary.batch_id != batch
    assert session.con.execute("SELECT count(*) FROM owners").fetchall() == [(0,)]


def test_a_failed_batch_leaves_nothing(session: Session) -> None:
    with pytest.raises(RuntimeError, match="stop"), session.batch("owner add") as batch:
        session.store.insert("owners", _owner("Marc"), batch, session.user)
        raise RuntimeError("stop")
    assert session.last_batch_id is None
    assert session.con.execute("SELECT count(*) FROM owners").fetchall() == [(0,)]
    assert session.con.execute("SELECT count(*) FROM batches").fetchall() == [(0,)]


def test_a_batch_that_breaks_a_rule_is_rolled_back(session: Session) -> None:
    with pytest.raises(IntegrityError), session.batch("owner add") as batch:
        session.store.insert("owners", _owner("Marc", team_id=999), batch, session.user)
    assert session.con.execute("SELECT count(*) FROM owners").fetchall() == [(0,)]


def test_a_read_only_store_opens_no_batch(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    Store(str(path)).close()
    store = Store(str(path), read_only=True)
    try:
        with pytest.raises(ReadOnlyError), Session(store).batch("owner add"):
            pass
    finally:
        store.close()
