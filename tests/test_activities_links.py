"""Activities and the operations on their records: merges, reassign, deletes, imports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[ck.CRM]:
    with ck.open(tmp_path / "crm.duckdb", user="Nicole Bertrand") as crm:
        crm.owners.add("Nicole Bertrand")
        crm.owners.add("Marc Durand")
        crm.owners.add("Li Wei")
        yield crm


def _links(crm: ck.CRM) -> list[tuple[int, int | None, int | None, int | None]]:
    rows = crm.connection.execute(
        "SELECT id, contact_id, account_id, owner_id FROM activities ORDER BY id"
    ).fetchall()
    return [tuple(r) for r in rows]


def test_merging_contacts_moves_their_activities_and_undo_moves_them_back(crm: ck.CRM) -> None:
    keep = crm.contacts.add(first_name="Hélène", last_name="Blou", email="h@aprool.com")
    lose = crm.contacts.add(first_name="Helene", last_name="Blou", email="h@aprool.com")
    note = crm.activities.add_note("on the loser", contact=lose)
    task = crm.activities.add_task("Call", contact=lose)
    before = _links(crm)
    report = crm.contacts.merge([keep, lose], prefer="oldest")
    assert report.survivor == keep
    assert report.repointed["activities.contact_id"] == 2
    assert {crm.activities.get(i)["contact_id"] for i in (note, task)} == {keep}
    assert len(crm.contacts.activities(keep)) == 2
    crm.undo(report.batch_id)
    assert _links(crm) == before


def test_merging_accounts_moves_their_activities(crm: ck.CRM) -> None:
    keep = crm.accounts.add(name="APROOL")
    lose = crm.accounts.add(name="APROOL SA")
    task = crm.activities.add_task("Renewal", account=lose)
    report = crm.accounts.merge([keep, lose], prefer="oldest")
    assert crm.activities.get(task)["account_id"] == keep
    crm.undo(report.batch_id)
    assert crm.activities.get(task)["account_id"] == lose


def test_reassign_cascades_to_open_tasks_only(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL", owner="Nicole Bertrand")
    cid = crm.contacts.add(last_name="Blou", account_id=acc, owner="Nicole Bertrand")
    other = crm.contacts.add(last_name="Autre", owner="Nicole Bertrand")
    open_task = crm.activities.add_task("Open", contact=cid, owner="Nicole Bertrand")
    done_task = crm.activities.add_task("Done", contact=cid, owner="Nicole Bertrand")
    crm.activities.complete(done_task)
    elsewhere = crm.activities.add_task("Other", contact=other, owner="Nicole Bertrand")
    marc = crm.owners.resolve("Marc Durand")
    nicole = crm.owners.resolve("Nicole Bertrand")

    plain = crm.contacts.filter(id=cid).reassign(to="Li Wei")
    assert crm.activities.get(open_task)["owner_id"] == nicole  # no cascade asked
    crm.undo(plain.batch_id)

    report = crm.contacts.filter(id=cid).reassign(to="Marc Durand", cascade_tasks=True)
    assert "1 open tasks" in str(report.details["cascade_tasks"])
    assert crm.activities.get(open_task)["owner_id"] == marc
    assert crm.activities.get(done_task)["owner_id"] == nicole
    assert crm.activities.get(elsewhere)["owner_id"] == nicole
    history = crm.history(batch_id=report.batch_id)
    assert set(history["table"]) == {"contacts", "activities"}
    crm.undo(report.batch_id)
    assert crm.activities.get(open_task)["owner_id"] == nicole

    # an account's reassign moves the open tasks linked to the account (this one through
    # its contact: a contact's task carries the contact's account)
    round_robin = crm.accounts.filter(id=acc).reassign(
        to=["Li Wei", "Marc Durand"], cascade_tasks=True
    )
    assert crm.activities.get(open_task)["owner_id"] == crm.owners.resolve("Li Wei")
    assert crm.activities.get(elsewhere)["owner_id"] == nicole
    crm.undo(round_robin.batch_id)
    assert crm.activities.get(open_task)["owner_id"] == nicole


def test_delete_if_unused_counts_activities(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    cid = crm.contacts.add(last_name="Blou")
    crm.activities.add_note("a", contact=cid)
    crm.activities.add_task("b", contact=cid)
    with pytest.raises(ck.RecordInUseError, match="2 activities"):
        crm.contacts.delete(cid)
    assert crm.contacts.exists(cid)
    crm.activities.add_task("c", account=acc)
    report = crm.accounts.filter(id=acc).delete()
    assert report.changed == 0
    assert report.skipped["reason"].tolist() == ["in use: has 1 activities"]
    # a deleted activity is no use
    for i in crm.contacts.activities(cid).ids():
        crm.activities.delete(i)
    crm.contacts.delete(cid)
    assert not crm.contacts.exists(cid)


def test_hard_delete_with_force_takes_activities_along_and_undo_restores(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    cid = crm.contacts.add(last_name="Blou", account_id=acc)
    both = crm.activities.add_note("both", contact=cid)
    only = crm.activities.add_note("contact only", contact=cid, account=None)
    crm.activities.update(only, account=None, contact=cid)
    crm.connection.execute("SELECT 1").fetchall()
    before = _links(crm)
    crm.contacts.delete(cid, force=True, hard=True)
    assert crm.activities.get(both)["contact_id"] is None
    batch = crm.last_batch_id
    assert batch is not None
    crm.undo(batch)
    assert _links(crm) == before


# -- import -----------------------------------------------------------------------------------


def _file(tmp_path: Path, rows: list[dict[str, object]], suffix: str = ".csv") -> Path:
    path = tmp_path / f"tasks{suffix}"
    frame = pd.DataFrame(rows)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_tasks_with_french_headers_and_rejects(
    crm: ck.CRM, tmp_path: Path, suffix: str
) -> None:
    acc = crm.accounts.add(name="APROOL")
    cid = crm.contacts.add(last_name="Blou", email="h@aprool.com", account_id=acc)
    uid = crm.contacts.get(cid)["uid"]
    rows: list[dict[str, object]] = [
        {
            "Objet": "Appeler",
            "Contact": "h@aprool.com",
            "Type": "Appel",
            "Échéance": "2026-12-08 10:00",
            "Priorité": "Haute",
            "Suivi par": "Marc Durand",
        },
        {
            "Objet": "Relancer",
            "Contact": str(cid),
            "Type": "todo",
            "Échéance": "2026-12-09",
            "Priorité": "normal",
            "Suivi par": "",
        },
        {
            "Objet": "Visite",
            "Contact": uid or str(cid),
            "Type": "meeting",
            "Échéance": "",
            "Priorité": "low",
            "Suivi par": "",
        },
        {
            "Objet": "Mauvais",
            "Contact": "h@aprool.com",
            "Type": "Appel",
            "Échéance": "bientôt",
            "Priorité": "Haute",
            "Suivi par": "",
        },
        {
            "Objet": "Personne",
            "Contact": "nobody@nowhere.com",
            "Type": "call",
            "Échéance": "",
            "Priorité": "low",
            "Suivi par": "",
        },
    ]
    path = _file(tmp_path, rows, suffix)
    preview = crm.activities.import_file(path, kind="tasks", dry_run=True)
    assert (preview.inserted, len(preview.rejected), preview.batch_id) == (3, 2, None)
    assert len(crm.activities.all()) == 0
    report = crm.activities.import_file(path, kind="tasks")
    assert report.mapping["Échéance"] == "due" and report.mapping["Suivi par"] == "owner"
    assert report.inserted == 3 and len(report.ids) == 3
    reasons = report.rejected["reasons"].tolist()
    assert "due_at: 'bientôt' is not a date" in reasons[0]
    assert "nobody@nowhere.com" in reasons[1]
    assert report.rejected["line"].tolist() == [5, 6]
    stored = crm.rejects(report.batch_id)
    assert len(stored) == 2
    frame = crm.activities.filter(kind="task").df().set_index("subject")
    assert frame.loc["Appeler", "task_type"] == "call"
    assert frame.loc["Appeler", "priority"] == "high"
    assert frame.loc["Appeler", "owner"] == "Marc Durand"
    assert frame.loc["Relancer", "account_id"] == acc
    crm.undo(report.batch_id)
    assert len(crm.activities.all()) == 0


def test_import_notes_with_a_mapping(crm: ck.CRM, tmp_path: Path) -> None:
    acc = crm.accounts.add(name="APROOL")
    path = _file(tmp_path, [{"Compte": acc, "Texte libre": "Salon 2026", "Qui": "Marc"}])
    report = crm.activities.import_file(
        path, kind="notes", mapping={"Compte": "account", "Texte libre": "body", "Qui": "author"}
    )
    assert report.inserted == 1 and report.rejected.empty
    note = crm.activities.get(report.ids[0])
    assert (note["body"], note["author"], note["account_id"]) == ("Salon 2026", "Marc", acc)
    with pytest.raises(ck.UnknownValueError, match="colour"):
        crm.activities.import_file(path, kind="notes", mapping={"Compte": "colour"})
    with pytest.raises(ck.ImportFormatError, match="Missing"):
        crm.activities.import_file(path, kind="notes", mapping={"Missing": "body"})
    with pytest.raises(ck.UnknownValueError, match="kind 'calls'"):
        crm.activities.import_file(path, kind="calls")
