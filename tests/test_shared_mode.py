"""``ck.open(path, shared=True)``: several processes on one file, each operation taking it
for a moment (crmkit._core._store.Store.operation, crmkit._core._operation)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import crmkit as ck

ROOT = Path(ck.__file__).resolve().parent.parent
WAIT = 60.0  # seconds a test waits for the other process before failing (never reached)


class Child:
    """Another Python process running ``code`` on the file; it reads lines sent to it."""

    def __init__(self, path: Path, code: str) -> None:
        prelude = (
            "import sys\nimport crmkit as ck\n"
            f"crm = ck.open({str(path)!r}, shared=True, user='other', timeout={WAIT})\n"
            "def wait_for(word):\n"
            "    assert sys.stdin.readline().strip() == word\n"
            "def say(word):\n"
            "    print(word, flush=True)\n"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", prelude + code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def send(self, word: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()

    def expect(self, word: str) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != word:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=WAIT)
            pytest.fail(f"the other process said {line!r}, not {word!r}: {err}")

    def finish(self) -> None:
        _, err = self.proc.communicate(timeout=WAIT)
        assert self.proc.returncode == 0, err


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    file = tmp_path / "crm.duckdb"
    with ck.open(file, user="me") as crm:
        crm.owners.add("Nicole Bertrand")
    yield file


def _names(crm: ck.CRM) -> list[str]:
    return sorted(crm.contacts.df()["last_name"])


def test_two_processes_alternate_writes_and_reads(path: Path) -> None:
    crm = ck.open(path, shared=True, user="me")
    other = Child(
        path,
        "for i in range(3):\n"
        "    wait_for('go')\n"
        "    names = sorted(crm.contacts.df()['last_name'])\n"
        "    assert f'Mine {i}' in names, names\n"
        "    crm.contacts.add(last_name=f'Other {i}', owner='Nicole Bertrand')\n"
        "    say('done')\n",
    )
    try:
        for i in range(3):
            crm.contacts.add(last_name=f"Mine {i}")
            other.send("go")
            other.expect("done")
            assert f"Other {i}" in _names(crm)  # the other's committed row, seen at once
            assert len(crm.contacts.filter(owner="Nicole Bertrand")) == i + 1
        other.finish()
    finally:
        if other.proc.poll() is None:
            other.proc.kill()
    actors = set(crm.batches()["actor"])
    assert actors == {"me", "other"}
    crm.close()
    with ck.open(path) as plain:  # and the file is fine for a CRM that is not shared
        assert len(plain.contacts.all()) == 6


def test_a_batch_holds_the_file_others_wait_then_time_out(path: Path) -> None:
    other = Child(
        path,
        "with crm.batch('long edit'):\n"
        "    crm.contacts.add(last_name='Held')\n"
        "    say('holding')\n"
        "    wait_for('release')\n"
        "say('released')\n",
    )
    try:
        other.expect("holding")
        with pytest.raises(ck.StoreLockedError) as err:
            ck.open(path, shared=True, timeout=0.2)
        message = str(err.value)
        assert str(path) in message and f"PID {other.proc.pid}" in message
        assert "shared=True" in message and "timeout=" in message
    finally:
        other.send("release")
    other.expect("released")
    other.finish()
    with ck.open(path, shared=True) as crm:
        assert _names(crm) == ["Held"]


def test_an_operation_waits_for_the_file(path: Path) -> None:
    crm = ck.open(path, shared=True, timeout=WAIT)
    other = Child(
        path,
        "with crm.batch('long edit'):\n"
        "    crm.contacts.add(last_name='First')\n"
        "    say('holding')\n"
        "    wait_for('release')\n",
    )
    done: dict[str, Any] = {}

    def add() -> None:
        try:
            done["id"] = crm.contacts.add(last_name="Second")
        except BaseException as exc:  # handed to the test's thread
            done["error"] = exc

    try:
        other.expect("holding")
        writer = threading.Thread(target=add)
        writer.start()
        writer.join(0.5)
        assert writer.is_alive(), done  # still waiting for the file
    finally:
        other.send("release")
    writer.join(WAIT)
    other.finish()
    assert "error" not in done, done
    assert _names(crm) == ["First", "Second"]
    crm.close()


def test_a_crm_that_is_not_shared_makes_shared_ones_time_out(path: Path) -> None:
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, crmkit as ck\ncrm = ck.open({str(path)!r})\nprint('open', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "open"
        with pytest.raises(ck.StoreLockedError, match=rf"PID {other.pid}.*crm.close\(\)"):
            ck.open(path, shared=True, timeout=0.1)
    finally:
        other.communicate("\n", timeout=WAIT)


def test_undo_in_another_process_keeps_history(path: Path) -> None:
    crm = ck.open(path, shared=True, user="me")
    cid = crm.contacts.add(last_name="Blou", job_title="Chef de projet")
    crm.contacts.update(cid, job_title="Directrice")
    batch = crm.last_batch_id
    other = Child(path, f"summary = crm.undo({batch})\nsay(str(summary.restored_fields))\n")
    other.expect("1")
    other.finish()
    assert crm.contacts.get(cid)["job_title"] == "Chef de projet"
    batches = crm.batches()
    assert batches.loc[batches["id"] == batch, "undone_by"].notna().all()
    timeline = crm.contacts.history(cid)
    assert {"Chef de projet", "Directrice"} <= set(timeline["new"].dropna())
    summary = crm.undo(int(batches["id"].max()))
    assert summary.restored_fields == 1  # undoing the other's undo, here, redoes
    assert crm.contacts.get(cid)["job_title"] == "Directrice"
    crm.close()


def test_settings_changed_elsewhere_are_seen(path: Path) -> None:
    crm = ck.open(path, shared=True)
    acc = crm.accounts.add(name="APROOL", employees=85, sector="Software")
    assert crm.accounts.get(acc)["name"] == "APROOL"
    assert crm.accounts.df()["headcount_band"].tolist() == ["51-200"]
    assert "Software" in crm.settings.sectors.values
    other = Child(
        path,
        "crm.settings.set_bands('headcount', [0, 100, 1000])\n"
        "crm.settings.set_sectors(['Retail', 'Banking'])\n"
        "say('done')\n",
    )
    other.expect("done")
    other.finish()
    assert crm.accounts.df()["headcount_band"].tolist() == ["0-99"]
    assert list(crm.settings.sectors.values) == ["Retail", "Banking"]
    crm.close()


def test_a_batch_is_one_undo(path: Path) -> None:
    with ck.open(path, shared=True) as crm:
        with crm.batch("new client") as batch:
            acc = crm.accounts.add(name="APROOL")
            crm.contacts.add(last_name="Blou", account_id=acc)
            assert crm.connection.sql("SELECT count(*) FROM contacts").fetchall() == [(1,)]
        assert crm.batches()["operation"].tolist()[0] == "batch"
        crm.undo(batch)
        assert crm.counts()["accounts"] == crm.counts()["contacts"] == 0
        with pytest.raises(ck.StoreOpenError, match="only while an operation runs"):
            crm.connection  # noqa: B018 - the property is the test


def test_an_error_in_a_batch_keeps_nothing(path: Path) -> None:
    with ck.open(path, shared=True) as crm:
        with pytest.raises(ck.RecordNotFoundError), crm.batch():
            crm.accounts.add(name="APROOL")
            crm.contacts.update(10**9, last_name="nobody")
        assert crm.counts()["accounts"] == 0
        assert len(crm.batches()) == 1  # the owner added by the fixture


def test_results_outlive_the_operation(path: Path) -> None:
    with ck.open(path, shared=True) as crm:
        crm.contacts.add(last_name="Blou")
        relation = crm.sql("SELECT last_name FROM contacts_v")
        assert relation.fetchall() == [("Blou",)]
        assert crm.contacts.all().relation().fetchall()[0][4] == "Blou"
        assert [r["last_name"] for r in crm.contacts.all()] == ["Blou"]
        chunks = list(crm.contacts.iter_batches(size=10))
        assert len(chunks) == 1
        assert "Blou" in repr(crm.contacts.all()) or len(crm.contacts.all()) == 1


def test_read_only_shared_readers(path: Path) -> None:
    with ck.open(path, shared=True) as writer:
        writer.contacts.add(last_name="Blou")
        reader = ck.open(path, shared=True, read_only=True)
        assert _names(reader) == ["Blou"]
        writer.contacts.add(last_name="Martin")
        assert _names(reader) == ["Blou", "Martin"]
        with pytest.raises(ck.ReadOnlyError):
            reader.contacts.add(last_name="Durand")
        reader.close()


def test_one_process_never_opens_a_file_twice(path: Path) -> None:
    shared = ck.open(path, shared=True)
    with ck.open(path) as plain:
        plain.contacts.add(last_name="Blou")
        with pytest.raises(ck.StoreLockedError, match="already open in this process"):
            len(shared.contacts.all())
    assert _names(shared) == ["Blou"]  # the plain CRM closed: the shared one works again
    with (
        shared.batch(),
        pytest.raises(ck.StoreLockedError, match="already open in this process"),
    ):
        ck.open(path, shared=True)
    shared.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"path": None}, "needs a file path"),
        ({"timeout": -1}, "timeout is a number of seconds"),
        ({"timeout": "10"}, "timeout is a number of seconds"),
    ],
)
def test_shared_needs_a_file_and_a_timeout(
    path: Path, arguments: dict[str, Any], message: str
) -> None:
    given = {"path": path, **arguments}
    with pytest.raises(ck.StoreOpenError, match=message):
        ck.open(given.pop("path"), shared=True, **given)


def test_closed_shared_crm(path: Path) -> None:
    crm = ck.open(path, shared=True)
    crm.close()
    assert crm.closed and "closed" in repr(crm)
    with pytest.raises(ck.StoreOpenError, match="closed"):
        crm.contacts.df()


def test_no_lock_between_operations(path: Path) -> None:
    crm = ck.open(path, shared=True)
    crm.contacts.add(last_name="Blou")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import crmkit as ck\nwith ck.open({str(path)!r}) as crm:\n"
            "    print(len(crm.contacts.all()))\n",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=WAIT,
    )
    assert out.stdout.strip() == "1", out.stderr  # even a CRM that is not shared opens it
    crm.close()


def test_widgets_work_on_a_shared_crm(path: Path) -> None:
    from crmkit.widgets import ContactBrowser, ContactForm

    crm = ck.open(path, shared=True, user="Nicole Bertrand")
    acc = crm.accounts.add(name="APROOL")
    crm.contacts.add(last_name="Blou", account_id=acc)
    form = ContactForm(crm)
    form.inputs["last_name"].value = "Martin"
    form.inputs["email"].value = "Martin@APROOL.com"
    cid = form.save()
    other = Child(path, f"say(crm.contacts.get({cid})['email'])\n")
    other.expect("Martin@aprool.com")  # saved, committed, and the file free for others
    other.finish()
    owner = crm.owners.add("Zoé Martin")
    browser = ContactBrowser(crm)
    browser.filters["search"].value = "martin"
    for box in browser.checkboxes.values():
        box.value = True
    browser.reassign_to.value = (owner,)
    browser.buttons["reassign"].click()
    assert crm.contacts.get(cid)["owner_id"] == owner
    crm.close()


def _log(path: Path) -> int:
    """Bytes in the file's write-ahead log (0: none)."""
    log = Path(f"{path}.wal")
    return log.stat().st_size if log.exists() else 0


def test_writes_stay_in_the_log_until_it_passes_its_budget(path: Path) -> None:
    from crmkit._core._store import _WAL_BUDGET

    crm = ck.open(path, shared=True, user="me")
    record = crm.contacts.add(last_name="Blou")
    assert _log(path) > 0  # committed to the log, not checkpointed by every operation
    sizes = []
    for i in range(40):
        crm.contacts.update(record, job_title=f"Title {i}")
        sizes.append(_log(path))
    assert max(sizes) <= _WAL_BUDGET  # checkpointed once past the budget: replay bounded
    assert any(b < a for a, b in itertools.pairwise(sizes))  # it did checkpoint
    other = Child(path, f"say(crm.contacts.get({record})['job_title'])\n")
    other.expect("Title 39")  # another process replays the log: it sees every commit
    other.finish()
    with ck.open(path, shared=True, read_only=True) as reader:
        assert reader.contacts.get(record)["job_title"] == "Title 39"
    crm.close()
    assert _log(path) == 0  # closing writes the log into the file: a copy of it is whole


def test_a_crash_after_a_commit_loses_nothing(path: Path, tmp_path: Path) -> None:
    # The other process commits, then dies without closing (no checkpoint, no detach
    # of its own): the commit is in the log, which the next open replays.
    code = (
        "import os\n"
        "record = crm.contacts.add(last_name='Survivor')\n"
        "with crm.batch('two edits'):\n"
        "    crm.contacts.update(record, job_title='Kept')\n"
        "    crm.contacts.update(record, email='kept@example.com')\n"
        "say(record)\n"
        "os._exit(3)\n"
    )
    other = Child(path, code)
    assert other.proc.stdout is not None
    record = int(other.proc.stdout.readline())
    other.proc.communicate(timeout=WAIT)
    assert other.proc.returncode == 3
    assert _log(path) > 0
    copy = tmp_path / "copy.duckdb"  # the state the crash left, for a plain open
    copy.write_bytes(path.read_bytes())
    Path(f"{copy}.wal").write_bytes(Path(f"{path}.wal").read_bytes())
    with ck.open(path, shared=True, user="me") as crm:
        assert crm.contacts.get(record)["job_title"] == "Kept"
        crm.undo(crm.batches()["id"].max())  # the last batch, whole
        assert crm.contacts.get(record)["job_title"] is None
        assert crm.contacts.get(record)["email"] is None
    with ck.open(copy) as plain:
        assert plain.contacts.get(record)["email"] == "kept@example.com"


def test_closing_while_another_process_holds_the_file(path: Path) -> None:
    crm = ck.open(path, shared=True, user="me")
    crm.contacts.add(last_name="Blou")
    assert _log(path) > 0
    other = Child(
        path,
        "with crm.batch('long edit'):\n"
        "    crm.contacts.add(last_name='Held')\n"
        "    say('holding')\n"
        "    wait_for('release')\n"
        "say('released')\n",
    )
    try:
        other.expect("holding")
        crm.close()  # cannot checkpoint now: closes at once, the log keeps the commit
        assert crm.closed
    finally:
        other.send("release")
    other.expect("released")
    other.finish()
    with ck.open(path) as plain:
        assert _names(plain) == ["Blou", "Held"]


def test_a_one_field_update_reads_its_batch_once(path: Path) -> None:
    """Each statement of a shared write reads from cold buffers (the file was attached
    for it): the batch's check reads its history rows once (their count and the fields
    written together), reads the batch's operation only when an owner changed, and the
    duplicate rules once. DuckDB's own query log counts the statements."""
    crm = ck.open(path, shared=True, user="me")
    record = crm.contacts.add(last_name="Blou")
    host = crm._session.store._host
    assert host is not None
    host.execute("CALL enable_logging('QueryLog')")
    crm.contacts.update(record, job_title="Chef de projet")
    statements = [
        " ".join(str(m).split())
        for (m,) in host.execute(
            "SELECT message FROM duckdb_logs WHERE type = 'QueryLog'"
        ).fetchall()
    ]
    host.execute("CALL disable_logging()")
    assert sum("FROM history WHERE batch_id" in s for s in statements) == 1, statements
    assert not any("FROM batches WHERE" in s for s in statements), statements
    assert sum("FROM settings" in s for s in statements) <= 3, statements
    assert crm.contacts.get(record)["job_title"] == "Chef de projet"
    [change] = crm.contacts.history(record).query("field == 'job_title'").to_dict("records")
    assert change["new"] == "Chef de projet"
    crm.close()
