"""Bulk operations on a selection (crmkit._ops._bulk): reassign, update, tag, subscribe,
deactivate, delete, export as vCards; one batch each, undoable.
"""

from __future__ import annotations

import pytest
from crm_samples import add_sample_records

import crmkit as ck
from crmkit._exceptions import ValidationError
from crmkit._ops import _bulk as bulk
from crmkit._ops._filters import Condition
from crmkit._ops._query import Query


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Three owners in two teams, four accounts, six contacts."""
    return add_sample_records(crm)


def test_reassign_one_owner_and_undo(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris")
    report = sel.reassign(to="Li Wei")
    assert (report.selected, report.changed) == (4, 4)
    assert len(crm_data.contacts.filter(owner="Li Wei")) == 6
    hist = crm_data.history(batch_id=report.batch_id)
    assert len(hist) == 4 and set(hist["field"]) == {"owner_id"}
    crm_data.undo(report.batch_id)
    assert len(crm_data.contacts.filter(owner="Li Wei")) == 2
    again = crm_data.contacts.filter(owner="Li Wei").reassign(to="Li Wei")
    assert again.changed == 0 and len(again.skipped) == 2 and again.batch_id is None


def test_reassign_round_robin_balanced(crm_data: ck.CRM) -> None:
    report = crm_data.contacts.all().reassign(to=["Marc Durand", "Zoé Martin", "Li Wei"])
    counts = crm_data.contacts.summary("owner").frame.set_index("owner")["count"]
    assert sorted(counts.tolist()) == [2, 2, 2]
    assert report.details["per owner"] == {"Marc Durand": 2, "Zoé Martin": 2, "Li Wei": 2}


def test_reassign_accounts_cascade(crm_data: ck.CRM) -> None:
    report = crm_data.accounts.filter(name="APROOL").reassign(to="Li Wei", cascade=True)
    assert report.changed == 1 and "2 contacts" in report.details["cascade"]
    assert set(crm_data.contacts.filter(account="APROOL").df()["owner"]) == {"Li Wei"}
    crm_data.undo(report.batch_id)
    assert set(crm_data.contacts.filter(account="APROOL").df()["owner"]) == {
        "Marc Durand",
        "Zoé Martin",
    }
    with pytest.raises(ck.ValidationError, match="cascade"):
        crm_data.contacts.all().reassign(to="Li Wei", cascade=True)


def test_bulk_update_validated_and_undone(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(account="Northwind Ltd")
    report = sel.update(department="Achats", country="Royaume-Uni")
    assert report.changed == 2
    assert set(sel.df()["country"]) == {"GB"}
    with pytest.raises(ck.ValidationError, match=r"^update refused: Last name: required$"):
        sel.update(last_name=None)
    with pytest.raises(ck.ValidationError, match="Job title: at most 128 characters"):
        sel.update(job_title="x" * 200)
    with pytest.raises(ck.UnknownValueError):
        sel.update(departement="Achats")
    crm_data.undo(report.batch_id)
    assert set(sel.df()["department"].dropna()) == set()


def test_tags(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(owner="Paris")
    report = sel.tag("vip", "2025")
    assert report.changed == 4
    assert len(crm_data.contacts.filter(tags_all=["vip", "2025"])) == 4
    blou = crm_data.contacts.filter(search="blou").df()["tags"].iloc[0]
    assert list(blou) == ["vip", "2025"]
    assert sel.tag("vip").changed == 0
    removed = sel.untag("2025")
    assert removed.changed == 4
    assert len(crm_data.contacts.filter(tags="2025")) == 0
    crm_data.undo(removed.batch_id)
    assert len(crm_data.contacts.filter(tags="2025")) == 4


def test_subscribe_only_eligible(crm_data: ck.CRM) -> None:
    crm_data.contacts.all().update(email_basis="consent")  # the basis: see test_consent.py
    report = crm_data.contacts.all().subscribe("Newsletter FR")
    assert report.changed == 4
    reasons = dict(zip(report.skipped["id"], report.skipped["reason"], strict=True))
    assert sorted(reasons.values()) == ["no email", "opted out of email"]
    assert len(crm_data.contacts.filter(subscribed="Newsletter FR")) == 4
    since = crm_data.sql("SELECT min(subscribed_at) FROM subscriptions").fetchall()[0][0]
    assert since is not None
    again = crm_data.contacts.all().subscribe("Newsletter FR")
    assert again.changed == 0 and "already subscribed" in set(again.skipped["reason"])
    out = crm_data.contacts.filter(search="blou").unsubscribe("Newsletter FR")
    assert out.changed == 1
    assert len(crm_data.contacts.filter(subscribed="Newsletter FR")) == 3
    crm_data.undo(out.batch_id)
    assert len(crm_data.contacts.filter(subscribed="Newsletter FR")) == 4
    with pytest.raises(ck.ValidationError):
        crm_data.accounts.all().subscribe("x")


def test_deactivate_and_delete_with_reasons(crm_data: ck.CRM) -> None:
    report = crm_data.contacts.filter(account="APROOL").deactivate()
    assert report.changed == 2
    assert crm_data.contacts.filter(account="APROOL").activate().changed == 2
    archived = crm_data.accounts.filter(name="APROOL").deactivate()
    assert archived.changed == 1 and len(crm_data.accounts.filter(archived=True)) == 2
    deleted = crm_data.accounts.all().delete()
    assert deleted.changed == 1  # only Empty Co has no contacts
    assert len(deleted.skipped) == 3
    assert all("still has" in r for r in deleted.skipped["reason"])
    assert sorted(crm_data.accounts.all().df()["name"]) == ["APROOL", "Northwind Ltd", "华信科技"]
    crm_data.undo(deleted.batch_id)
    assert len(crm_data.accounts) == 4


def test_export_vcf_round_trip(crm_data: ck.CRM, tmp_path) -> None:
    path = crm_data.contacts.filter(owner="Paris").export_vcf(tmp_path / "paris.vcf")
    cards = ck.read_vcf(path)
    assert sorted(cards["last_name"]) == ["Blou", "Lefèvre", "Nadal", "Smith"]
    assert "APROOL" in set(cards["org"])
    zipped = crm_data.contacts.all().export_vcf(tmp_path / "all.zip", zip=True, version="4.0")
    import zipfile

    with zipfile.ZipFile(zipped) as archive:
        names_in_zip = archive.namelist()
    assert len(names_in_zip) == 6 and len(set(names_in_zip)) == 6
    assert all("/" not in n and n.endswith(".vcf") for n in names_in_zip)
    with pytest.raises(ck.ValidationError):
        crm_data.accounts.all().export_vcf(tmp_path / "x.vcf")


# -- the module's own functions ----------------------------------------------------------


def test_operations_on_a_query_and_their_report(crm_data: ck.CRM) -> None:
    session = crm_data._session
    query = Query("contacts", (Condition("owner = ?", ("Zoé Martin",)),))
    report = bulk.tag(session, query, ["vip", " VIP ", "2025"], add=True)
    assert (report.operation, report.kind, report.selected, report.changed) == (
        "tag",
        "contacts",
        2,
        2,
    )
    assert report.batch_id == session.last_batch_id
    assert report.skipped.empty
    assert repr(report).startswith("BulkReport(tag on 2 contacts: 2 changed, 0 skipped, batch ")
    again = bulk.tag(session, query, ["vip"], add=True)
    assert (again.changed, again.batch_id) == (0, None)  # the empty batch is dropped
    assert repr(again) == (
        "BulkReport(tag on 2 contacts: 0 changed, 2 skipped)\n  skipped 2: already tagged"
    )
    shown = again._repr_html_()
    assert "<strong>tag</strong> on 2 contacts: <b>0</b> changed, 2 skipped" in shown
    assert "already tagged" in shown
    with pytest.raises(ValidationError, match="at least one tag"):
        bulk.tag(session, query, [" ", ""], add=True)


def test_set_active_on_accounts_is_the_archived_flag(crm_data: ck.CRM) -> None:
    session = crm_data._session
    query = Query("accounts", (Condition("name = ?", ("APROOL",)),))
    report = bulk.set_active(session, query, False)
    assert (report.operation, report.changed) == ("deactivate", 1)
    assert crm_data.accounts.filter(archived=True).df()["name"].tolist() == ["APROOL", "华信科技"]
    again = bulk.set_active(session, query, False)
    assert again.skipped["reason"].tolist() == ["already archived"]
    assert "batch" not in repr(again)


def test_reassign_of_a_pinned_selection_reads_its_live_records_again(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(active=True)
    sel.tag("salon")  # pins the selection
    gone = sel.ids[0]
    crm_data.contacts.filter(ids=[gone]).delete()
    report = sel.reassign(to="Li Wei")
    assert gone not in {int(i) for i in crm_data.contacts.filter(owner="Li Wei").ids}
    assert report.selected == len(sel.ids) and gone not in sel.ids
    history = crm_data.connection.execute(
        "SELECT count(*) FROM history WHERE batch_id = ? AND record_id = ?",
        [report.batch_id, gone],
    ).fetchone()
    assert history == (0,)
    undone = crm_data.undo(report.batch_id)
    assert undone.batch_id is not None


def test_reassign_history_complete_and_undone(crm_data: ck.CRM) -> None:
    sel = crm_data.contacts.filter(active=True)
    before = dict(crm_data.connection.execute("SELECT id, owner_id FROM contacts").fetchall())
    report = sel.reassign(to="Li Wei")
    rows = crm_data.connection.execute(
        "SELECT record_id, old_value FROM history WHERE batch_id = ? AND field = 'owner_id'",
        [report.batch_id],
    ).fetchall()
    moved = [i for i in sel.ids if before[i] != crm_data.owners.resolve("Li Wei")]
    assert sorted(r[0] for r in rows) == sorted(moved) and report.changed == len(moved)
    crm_data.undo(report.batch_id)
    after = dict(crm_data.connection.execute("SELECT id, owner_id FROM contacts").fetchall())
    assert after == before
