"""What happened, as frames (crmkit._ops._history): batches, decoded history rows, rejected
import rows and counts, read from a real database."""

from __future__ import annotations

import pandas as pd
import pytest

import crmkit as ck
from crmkit._ops import _history as history


def test_batches_newest_first_and_counts(crm: ck.CRM) -> None:
    session = crm._session
    assert history.counts(session) == {
        "owners": 0,
        "accounts": 0,
        "contacts": 0,
        "batches": 0,
        "history": 0,
        "import_rejects": 0,
    }
    first = crm.contacts.add(last_name="Blou")
    crm.contacts.update(first, city="Lyon", tags=["vip"])
    frame = history.batches_frame(session)
    assert frame["id"].is_monotonic_decreasing and len(frame) == 2
    assert frame["actor"].unique().tolist() == ["Nicole Bertrand"]
    assert history.batches_frame(session, limit=1)["id"].tolist() == [frame["id"].iloc[0]]
    assert history.batches_frame(session, limit=0).empty
    with pytest.raises(ck.ValidationError, match="limit must be 0 or more, got -1"):
        history.batches_frame(session, limit=-1)  # was DuckDB's own BinderException
    with pytest.raises(ck.ValidationError, match="whole number"):
        crm.batches(limit=1.5)  # type: ignore[arg-type]
    counts = history.counts(session)
    assert (counts["contacts"], counts["owners"], counts["batches"]) == (1, 1, 2)


def test_history_rows_are_decoded(crm: ck.CRM) -> None:
    session = crm._session
    blou = crm.contacts.add(last_name="Blou", tags=["vip"])
    crm.contacts.update(blou, city="Lyon", tags=["vip", "2025"], job_title=None)
    rows = history.history_frame(session, "contact", blou)
    insert = rows[rows["operation"] == "insert"].iloc[0]
    assert pd.isna(insert["field"]) and insert["new"] is None
    changed = rows[rows["field"].notna()].set_index("field")
    assert changed.loc["city", "new"] == "Lyon" and pd.isna(changed.loc["city", "old"])
    assert changed.loc["tags", "old"] == ["vip"] and changed.loc["tags", "new"] == ["vip", "2025"]
    batch = int(changed.loc["city", "batch_id"])
    assert set(history.history_frame(session, batch_id=batch)["field"]) == {"city", "tags"}
    assert history.history_frame(session, "owners")["table"].unique().tolist() == ["owners"]
    assert history.history_frame(session, record_id=999).empty


def test_a_deleted_record_shows_as_a_whole_record_among_field_changes(crm: ck.CRM) -> None:
    blou = crm.contacts.add(last_name="Blou")
    roy = crm.contacts.add(last_name="Roy")
    crm.contacts.update(blou, city="Lyon")
    crm.contacts.delete(roy, hard=True)
    rows = history.history_frame(crm._session, "contacts")
    deleted = rows[rows["operation"] == "delete"].iloc[0]
    # The field column mixes names and missing values (NaN in pandas strings): the old
    # value is still summed up, not shown as a dict of every column.
    assert (deleted["record_id"], deleted["old"]) == (roy, "(whole record)")
    assert rows[rows["operation"] == "update"]["old"].tolist() == [None]


def test_rejects_of_an_import(crm: ck.CRM, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.csv"
    path.write_text("Nom,Email\nBlou,b@x.fr\n,sans-nom@x.fr\n", encoding="utf-8")
    report = crm.import_file(path, "contacts")
    rejects = history.rejects_frame(crm._session)
    assert rejects[["batch_id", "kind", "line"]].values.tolist() == [
        [report.batch_id, "contacts", 3]
    ]
    assert "sans-nom@x.fr" in rejects["raw"].iloc[0]
    assert history.rejects_frame(crm._session, batch_id=report.batch_id + 1).empty
