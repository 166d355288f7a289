"""The CRM object (crmkit._api._crm): crmkit.open, its life cycle, display, batches and
history, the SQL escape hatch, validation with the database's rules."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

import crmkit as ck


def test_an_in_memory_crm_and_its_life_cycle() -> None:
    crm = ck.open(user="Nicole Bertrand")
    assert (crm.path, crm.read_only, crm.closed, crm.user) == (
        None,
        False,
        False,
        "Nicole Bertrand",
    )
    assert isinstance(crm.connection, duckdb.DuckDBPyConnection)
    assert repr(crm) == (
        "CRM(memory: owners=0, accounts=0, contacts=0, batches=0, history=0, import_rejects=0)"
    )
    shown = crm._repr_html_()
    assert "in memory (user Nicole Bertrand)" in shown and ">0</td>" in shown
    with crm as same:
        assert same is crm
    assert crm.closed and repr(crm) == "CRM(memory, closed)"
    assert crm._repr_html_() == "<p>CRM in memory (closed)</p>"
    crm.close()  # twice is fine


def test_a_file_crm_read_only(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="<Zoé>") as crm:
        crm.contacts.add(last_name="Blou")
        assert crm.path == str(path)
        assert "&lt;Zoé&gt;" in crm._repr_html_()
    with ck.open(path, read_only=True) as reader:
        assert reader.read_only and reader.counts()["contacts"] == 1
        assert repr(reader).startswith(f"CRM({path}, read-only: owners=")
        with pytest.raises(ck.ReadOnlyError):
            reader.contacts.add(last_name="Roy")


def test_batches_history_and_undo(crm: ck.CRM) -> None:
    assert crm.last_batch_id is None
    blou = crm.contacts.add(last_name="Blou")
    added = crm.last_batch_id
    crm.contacts.update(blou, city="Lyon")
    updated = crm.last_batch_id
    assert crm.batches()["id"].tolist() == [updated, added]  # newest first
    assert crm.batches(limit=1)["id"].tolist() == [updated]
    history = crm.history("contacts", blou)
    assert history[history["field"] == "city"]["new"].tolist() == ["Lyon"]
    assert crm.history(batch_id=updated)["batch_id"].unique().tolist() == [updated]
    summary = crm.undo(updated)
    assert crm.last_batch_id == summary.batch_id != updated
    assert crm.contacts.get(blou).city is None
    assert crm.rejects().empty


def test_sql_counts_and_validate(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="Blou", city="Paris")
    crm.contacts.add(last_name="Roy", city="Lyon")
    rows = crm.sql("SELECT last_name FROM contacts_v WHERE city = ?", ["Lyon"]).fetchall()
    assert rows == [("Roy",)]
    assert crm.sql("SELECT count(*) FROM contacts").fetchall() == [(2,)]
    assert crm.counts()["contacts"] == 2 and crm.counts()["owners"] == 1  # the user
    frame = pd.DataFrame({"last_name": [None], "email": ["not an email"]})
    report = crm.validate(frame, "contacts")
    assert not report.ok and report.n_rows == 1
    assert set(report.failure_cases["field"]) >= {"last_name", "email"}
    # The database's own rules: a field made required for this database.
    email_missing = pd.DataFrame({"last_name": ["Roy"], "email": [None]})
    assert crm.validate(email_missing, "contacts").ok
    crm.settings.set_required_fields("contacts", ["last_name", "email"])
    assert "email" in set(crm.validate(email_missing, "contacts").errors["field"])


def test_the_crm_hands_every_part_one_session(crm: ck.CRM) -> None:
    assert crm.settings is crm._session.settings
    assert crm._records("contact") is crm.contacts and crm._records("accounts") is crm.accounts
    assert crm.views.names() == []
