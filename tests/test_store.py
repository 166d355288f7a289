"""The store on real DuckDB files: locking, read-only, migrations, history and undo."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import crmkit as ck
from crmkit._core._store import SCHEMA_VERSION


def _hold_file(path: Path, read_only: bool = False) -> subprocess.Popen[str]:
    """A real second process that opens the CRM and waits until told to stop."""
    code = textwrap.dedent(f"""
        import sys, crmkit as ck
        crm = ck.open({str(path)!r}, read_only={read_only})
        print("ready", flush=True)
        sys.stdin.readline()
        crm.close()
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.close()
    proc.wait(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()


def test_locked_file_names_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    ck.open(path).close()
    holder = _hold_file(path)
    try:
        with pytest.raises(ck.StoreLockedError) as err:
            ck.open(path)
        message = str(err.value)
        assert f"PID {holder.pid}" in message
        assert "read_only=True" in message and "crm.close()" in message
        assert isinstance(err.value, RuntimeError)
    finally:
        _release(holder)
    ck.open(path).close()  # released once the holder closed


def test_several_readers_share_a_file(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        crm.accounts.add(name="APROOL")
    reader = _hold_file(path, read_only=True)
    try:
        with ck.open(path, read_only=True) as mine:
            assert len(mine.accounts) == 1
            with pytest.raises(ck.ReadOnlyError):
                mine.accounts.add(name="Other")
    finally:
        _release(reader)


def test_close_releases_lock_and_context_manager(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path) as crm:
        crm.accounts.add(name="A")
    assert crm.closed
    crm.close()  # twice is fine
    probe = subprocess.run(
        [sys.executable, "-c", f"import crmkit as ck; ck.open({str(path)!r}).close()"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr


def test_read_only_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ck.open(tmp_path / "nope.duckdb", read_only=True)


def test_schema_version_recorded_and_newer_refused(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    ck.open(path).close()
    con = duckdb.connect(str(path))
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert version is not None and int(version[0]) == SCHEMA_VERSION
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(ck.SchemaVersionError, match="newer"):
        ck.open(path)


def test_migration_from_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # an empty DuckDB file: version 0
    with ck.open(path) as crm:
        assert crm.counts()["accounts"] == 0


def test_existing_connection_is_used(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "shared.duckdb"))
    crm = ck.open(connection=con)
    crm.accounts.add(name="APROOL")
    crm.close()  # does not close a connection it does not own
    assert con.execute("SELECT name FROM accounts").fetchall() == [("APROOL",)]
    con.close()


def test_failed_change_leaves_no_history(crm: ck.CRM) -> None:
    before = crm.counts()
    with pytest.raises(ck.ValidationError):
        crm.contacts.add(last_name=None)
    after = crm.counts()
    assert before == after


def test_transaction_rolls_back_on_error(crm: ck.CRM) -> None:
    store = crm._store
    with pytest.raises(RuntimeError), crm._session.batch("test") as batch:
        crm.accounts.add(name="inside")
        assert batch > 0
        raise RuntimeError("boom")
    assert len(crm.accounts) == 0
    assert crm.batches().empty
    assert store.con.execute("SELECT count(*) FROM history").fetchone() == (0,)


def test_history_row_per_changed_field(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    crm.accounts.update(acc, sector="Software", employees=85, name="APROOL")
    hist = crm.history("accounts", acc)
    changed = hist[hist["operation"] == "update"]
    assert sorted(changed["field"]) == ["employees", "sector"]
    assert changed["batch_id"].nunique() == 1
    batches = crm.batches()
    assert list(batches["operation"])[:2] == ["account update", "account add"]


def test_undo_restores_and_refuses_conflicts(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL", sector="Software")
    crm.accounts.update(acc, sector="Retail", employees=10)
    first = int(crm.batches().iloc[0]["id"])
    crm.accounts.update(acc, sector="Banking")
    second = int(crm.batches().iloc[0]["id"])
    with pytest.raises(ck.UndoConflictError) as err:
        crm.undo(first)
    assert f"batch {second}" in str(err.value) and "sector" in str(err.value)
    crm.undo(second)
    assert crm.accounts.get(acc).sector == "Retail"
    summary = crm.undo(first)
    rec = crm.accounts.get(acc)
    assert (rec.sector, rec.employees) == ("Software", None)
    assert summary.restored_fields == 2
    with pytest.raises(ck.UndoError, match="already undone"):
        crm.undo(first)
    with pytest.raises(ck.UndoError, match="no batch"):
        crm.undo(12345)


def test_undo_of_undo_redoes(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    crm.accounts.update(acc, sector="Retail")
    change = int(crm.batches().iloc[0]["id"])
    undo = crm.undo(change)
    assert crm.accounts.get(acc).sector is None
    crm.undo(undo.batch_id)
    assert crm.accounts.get(acc).sector == "Retail"
    crm.undo(change)  # in force again, so it can be undone again
    assert crm.accounts.get(acc).sector is None


def test_undo_insert_refused_when_record_changed_later(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    created = int(crm.batches().iloc[0]["id"])
    crm.accounts.update(acc, sector="Retail")
    with pytest.raises(ck.UndoConflictError, match="created by this batch"):
        crm.undo(created)
    crm.undo(int(crm.batches().iloc[0]["id"]))
    crm.undo(created)
    with pytest.raises(ck.RecordNotFoundError):
        crm.accounts.get(acc)


def test_band_edges_are_configurable(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL", employees=85, annual_revenue=4_200_000)
    crm.settings.set_bands("headcount", [0, 50, 250])
    crm.settings.set_bands("revenue", [0, 2e6, 2e7])
    row = crm.accounts.df().set_index("id").loc[acc]
    assert (row["headcount_band"], row["revenue_band"]) == ("50-249", "2M-20M")
    with pytest.raises(ck.ValidationError, match="ascending"):
        crm.settings.set_bands("headcount", [10, 5])


def test_band_from_declared_range(crm: ck.CRM) -> None:
    acc = crm.accounts.add(
        name="Only a range",
        employees_range_min=50,
        employees_range_max=99,
        revenue_range_min=1e6,
        revenue_range_max=1e7,
    )
    row = crm.accounts.df().set_index("id").loc[acc]
    assert (row["headcount_band"], row["revenue_band"]) == ("51-200", "1M-10M")
