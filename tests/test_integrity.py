"""Regression tests for issue #11: nothing silently lost, nothing silently changed.

Each test failed before its fix; together with the stateful test (``test_stateful.py``)
they back the README's "What crmkit guarantees".
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

import crmkit as ck


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


# -- 1. an import never changes a field its file does not map ------------------------------


def test_import_without_owner_column_keeps_the_owners(tmp_path: Path) -> None:
    crm = ck.open(user="Alice Martin")
    crm.owners.add("Bruno Petit")
    french = pd.DataFrame(
        {
            "Nom": ["Dupont"],
            "Prénom": ["Marc"],
            "E-mail": ["marc@x.com"],
            "Affecté à": ["Bruno Petit"],
        }
    )
    crm.import_file(write_csv(tmp_path / "fr.csv", french), "contacts", progress=False)
    google = pd.DataFrame(
        {
            "Given Name": ["Marc", "Léa"],
            "Family Name": ["Dupont", "Durand"],
            "E-mail 1 - Value": ["marc@x.com", "lea@x.com"],
            "Phone 1 - Value": ["0612345678", None],
        }
    )
    report = crm.import_file(write_csv(tmp_path / "g.csv", google), "contacts", progress=False)
    assert (report.updated, report.inserted) == (1, 1)
    owners = crm.contacts.df().set_index("last_name")["owner"]
    assert owners["Dupont"] == "Bruno Petit"  # matched: its owner is kept
    assert owners["Durand"] == "Alice Martin"  # new: the default owner applies
    changed = crm.history(batch_id=report.batch_id)
    assert "owner_id" not in set(changed["field"].dropna())


def test_import_update_keeps_the_stored_currency(tmp_path: Path) -> None:
    crm = ck.open()
    crm.accounts.add(name="APROOL", annual_revenue=1_000_000, currency="USD")
    crm.accounts.add(name="Zenith")
    frame = pd.DataFrame({"Account Name": ["APROOL", "Zenith"], "Annual Revenue": [2e6, 3e6]})
    crm.import_file(write_csv(tmp_path / "a.csv", frame), "accounts", progress=False)
    stored = crm.accounts.df().set_index("name")
    assert stored.loc["APROOL", "currency"] == "USD"  # not the database default
    assert stored.loc["Zenith", "currency"] == "EUR"  # a blank filled with the default


# -- 2. the same person twice in one file is merged, not rejected ---------------------------


@pytest.mark.parametrize("chunk_rows", [1, 100])
def test_upsert_merges_the_same_person_named_twice(tmp_path: Path, chunk_rows: int) -> None:
    crm = ck.open()
    frame = pd.DataFrame(
        {
            "Nom": ["Durand", "Roy", "Durand"],
            "Prénom": ["Léa", "Paul", "Léa"],
            "E-mail": ["lea@x.com", "paul@x.com", "LEA@x.com"],
            "Fonction": ["Acheteuse", None, "Directrice achats"],
            "Mobile": [None, None, "06 25 34 12 57"],
            "Étiquettes": ["salon", None, "vip"],
        }
    )
    path = write_csv(tmp_path / "dup.csv", frame)
    report = crm.import_file(path, "contacts", progress=False, chunk_rows=chunk_rows)
    assert (report.inserted, report.n_rejected) == (2, 0)
    assert report.merged_in_file.to_dict("records") == [
        {"line": 4, "merged_into_line": 2, "key": "email:lea@x.com"}
    ]
    lea = crm.contacts.df().set_index("last_name").loc["Durand"]
    assert lea["mobile"] == "+33625341257"  # a blank filled
    assert lea["job_title"] == "Directrice achats"  # the later value wins ...
    assert list(lea["tags"]) == ["salon", "vip"]  # lists united
    if chunk_rows == 100:  # ... and the value it replaced is reported
        messages = " ".join(report.warnings["message"])
        assert "'Acheteuse' of line 2 replaced by 'Directrice achats'" in messages
    again = crm.import_file(path, "contacts", progress=False)
    assert again.inserted == 0 and len(crm.contacts) == 2


def test_in_file_duplicates_can_still_be_rejected(crm: ck.CRM) -> None:
    frame = pl.DataFrame({"Last Name": ["Blou", "Blou"], "Email": ["h@a.com", "h@a.com"]})
    report = crm.import_frame(frame, progress=False, in_file_duplicates="reject")
    assert report.inserted == 1 and report.n_rejected == 1
    with pytest.raises(ck.UnknownValueError, match="reject"):
        crm.import_frame(frame, progress=False, in_file_duplicates="drop")


# -- 3. uid, then email, then the other keys ------------------------------------------------


def test_rows_with_a_uid_also_match_by_email(tmp_path: Path) -> None:
    crm = ck.open()
    plain = pd.DataFrame({"Nom": ["Martin"], "Prénom": ["Paul"], "E-mail": ["paul@x.com"]})
    crm.import_file(write_csv(tmp_path / "plain.csv", plain), "contacts", progress=False)
    with_uid = plain.assign(UID=["crm-42"])
    report = crm.import_file(write_csv(tmp_path / "uid.csv", with_uid), "contacts", progress=False)
    assert (report.inserted, report.updated) == (0, 1)
    (paul,) = crm.contacts.df().to_dict("records")
    assert paul["uid"] == "crm-42"


def test_another_uid_is_another_record_and_is_flagged(tmp_path: Path) -> None:
    crm = ck.open()
    crm.contacts.add(last_name="Martin", first_name="Paul", email="paul@x.com", uid="crm-1")
    other = pd.DataFrame(
        {"UID": ["crm-2"], "Nom": ["Martin"], "Prénom": ["Paul"], "E-mail": ["paul@x.com"]}
    )
    report = crm.import_file(write_csv(tmp_path / "o.csv", other), "contacts", progress=False)
    assert report.inserted == 1  # another external id: not matched by email
    assert list(report.likely_duplicates["existing_id"]) == [1]  # but flagged by default
    assert "likely duplicate" in " ".join(report.warnings["message"])


# -- 6. undo never leaves a reference dangling ---------------------------------------------


def test_undo_of_an_accounts_import_refuses_while_contacts_use_them(tmp_path: Path) -> None:
    crm = ck.open(user="Alice Martin")
    frame = pd.DataFrame({"Account Name": ["APROOL", "Zenith"]})
    report = crm.import_file(write_csv(tmp_path / "a.csv", frame), "accounts", progress=False)
    contact = crm.contacts.add(last_name="Blou", account="APROOL")
    later = crm.last_batch_id
    with pytest.raises(ck.UndoConflictError, match=f"batch {later}") as err:
        crm.undo(report.batch_id)
    assert "contacts 1.account_id" in str(err.value) and "detach=True" in str(err.value)
    assert crm.contacts.get(contact).account_id == 1  # nothing changed
    summary = crm.undo(report.batch_id, detach=True)
    assert summary.detached == 2  # the account, and the owner the import created
    assert crm.contacts.get(contact).account_id is None
    crm.undo(summary.batch_id)  # undoing the undo puts everything back
    assert crm.contacts.get(contact).account_id == 1


def test_undo_refuses_to_point_back_at_a_deleted_record(crm: ck.CRM) -> None:
    a = crm.accounts.add(name="A")
    b = crm.accounts.add(name="B")
    c = crm.contacts.add(last_name="Blou", account_id=a)
    crm.contacts.update(c, account_id=b)
    moved = crm.last_batch_id
    crm.accounts.delete(a)
    deleted = crm.last_batch_id
    with pytest.raises(ck.UndoConflictError, match=f"batch {deleted} removed"):
        crm.undo(moved)


def test_undo_of_an_undo_of_an_undo_keeps_batches_straight(crm: ck.CRM) -> None:
    crm.owners.add("Bruno Petit")
    first = crm.last_batch_id
    u1 = crm.undo(first).batch_id
    u2 = crm.undo(u1).batch_id  # redo
    u3 = crm.undo(u2).batch_id  # undo again
    crm.undo(u3)  # redo again
    assert crm.owners.names() == ["Bruno Petit"]
    with pytest.raises(ck.UndoError, match="already undone"):
        crm.undo(u1)
    batches = crm.batches().set_index("id")["undone_by"]
    assert pd.isna(batches[first])


# -- 7. one rule set on every path ---------------------------------------------------------


def test_import_cannot_make_a_parent_cycle(tmp_path: Path) -> None:
    crm = ck.open()
    chain = pd.DataFrame({"Account Name": ["A", "B", "C"], "Parent Account": ["B", "C", None]})
    crm.import_file(write_csv(tmp_path / "chain.csv", chain), "accounts", progress=False)
    loop = pd.DataFrame({"Account Name": ["C"], "Parent Account": ["A"]})
    report = crm.import_file(write_csv(tmp_path / "loop.csv", loop), "accounts", progress=False)
    assert "cycle" in " ".join(report.warnings["message"])
    parents = crm.accounts.df().set_index("name")["parent"]
    assert pd.isna(parents["C"])


def test_import_links_the_parent_of_existing_accounts(tmp_path: Path) -> None:
    crm = ck.open()
    crm.accounts.add(name="Groupe")
    crm.accounts.add(name="Filiale")
    frame = pd.DataFrame({"Account Name": ["Filiale"], "Parent Account": ["Groupe"]})
    crm.import_file(write_csv(tmp_path / "p.csv", frame), "accounts", progress=False)
    assert crm.accounts.df().set_index("name").loc["Filiale", "parent"] == "Groupe"


def test_reports_to_cannot_loop(crm: ck.CRM) -> None:
    boss = crm.contacts.add(last_name="Boss")
    aide = crm.contacts.add(last_name="Aide", reports_to_id=boss)
    with pytest.raises(ck.ParentCycleError, match="cycle"):
        crm.contacts.update(boss, reports_to_id=aide)
    with pytest.raises(ck.ParentCycleError, match="own superior"):
        crm.contacts.update(boss, reports_to_id=boss)


def test_merge_that_would_make_a_reports_to_loop_is_refused(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="C")
    b = crm.contacts.add(last_name="B", reports_to_id=c)
    a = crm.contacts.add(last_name="A", reports_to_id=b)
    before = crm.contacts.df()
    with pytest.raises(ck.ParentCycleError):
        crm.contacts.merge([a, c], survivor=a)  # b would report to a, a to b
    pd.testing.assert_frame_equal(crm.contacts.df(), before)


def test_nothing_is_given_to_a_deactivated_owner(tmp_path: Path) -> None:
    crm = ck.open(user="Alice Martin")
    crm.owners.add("Bruno Petit")
    contact = crm.contacts.add(last_name="Blou")
    crm.owners.deactivate("Bruno Petit")
    with pytest.raises(ck.ValidationError, match="deactivated"):
        crm.contacts.add(last_name="Roy", owner="Bruno Petit")
    with pytest.raises(ck.ValidationError, match="deactivated"):
        crm.contacts.update(contact, owner="Bruno Petit")
    with pytest.raises(ck.ValidationError, match="deactivated"):
        crm.contacts.all().reassign(to="Bruno Petit")
    frame = pd.DataFrame({"Nom": ["Roy"], "Affecté à": ["Bruno Petit"]})
    report = crm.import_file(write_csv(tmp_path / "o.csv", frame), "contacts", progress=False)
    assert report.inserted == 0 and "deactivated" in report.rejected["__reasons__"].item()
    crm.owners.deactivate("Alice Martin")  # the default owner of new records
    with pytest.raises(ck.ValidationError, match="deactivated"):
        crm.contacts.add(last_name="Roy")


def test_undo_puts_a_record_back_with_its_deactivated_owner() -> None:
    # Found by the thorough stateful run: undoing a hard delete was refused because the
    # record's owner had been deactivated since. An undo gives records back the owner they
    # had: deactivating an owner does not take its records away, so neither may undo.
    crm = ck.open(user="Alice Martin")
    crm.owners.add("Alice Martin")
    crm.owners.add("Bruno Petit")
    account = crm.accounts.add(name="Northwind", owner="Bruno Petit", tags=["salon"])
    contact = crm.contacts.add(last_name="Blou", owner="Bruno Petit")
    before = dict(crm.accounts.get(account))
    crm.accounts.delete(account, hard=True)
    crm.contacts.all().reassign(to="Alice Martin")
    reassigned = crm.last_batch_id
    crm.owners.deactivate("Bruno Petit")
    crm.undo(reassigned)  # the contact goes back to Bruno Petit, deactivated or not
    assert crm.contacts.get(contact)["owner_id"] == before["owner_id"]
    deleted = next(b for b in crm.batches()["id"] if b < reassigned)
    crm.undo(deleted)
    assert dict(crm.accounts.get(account)) == before
    with pytest.raises(ck.ValidationError, match="deactivated"):  # giving is still refused
        crm.contacts.add(last_name="Roy", owner="Bruno Petit")


def test_references_must_point_at_live_records(crm: ck.CRM) -> None:
    gone = crm.accounts.add(name="Gone")
    crm.accounts.delete(gone)
    with pytest.raises(ck.ValidationError, match="deleted"):
        crm.contacts.add(last_name="Blou", account_id=gone)
    with pytest.raises(ck.RecordNotFoundError):
        crm.contacts.add(last_name="Blou", account_id=999)


def test_a_batch_that_breaks_a_rule_is_rolled_back_whatever_wrote_it(crm: ck.CRM) -> None:
    # The net under every path: the store refuses the batch before it commits.
    a = crm.accounts.add(name="A")
    b = crm.accounts.add(name="B", parent_id=a)
    store = crm._store
    import pyarrow as pa

    before = crm.counts()
    with pytest.raises(ck.ParentCycleError, match="cycle"), crm._session.batch("test") as batch:
        store.update("accounts", pa.table({"id": [a], "parent_id": [b]}), batch, crm.user)
    assert crm.counts() == before and crm.accounts.get(a).parent_id is None


def test_a_checked_bulk_write_does_not_hide_another_write_of_its_field(crm: ck.CRM) -> None:
    # A reassign's one target is checked when written, so the batch's end skips that
    # field, but only while every row of it in the batch came from such a write.
    import pyarrow as pa

    crm.owners.add("Alice Martin")
    crm.owners.add("Bruno Petit")
    bruno = crm.owners.resolve("Bruno Petit")
    first_id = crm.contacts.add(last_name="Blou")
    second = crm.contacts.add(last_name="Roy")
    crm.owners.deactivate("Bruno Petit")
    store = crm._store
    before = crm.contacts.df()["owner_id"].tolist()
    with pytest.raises(ck.IntegrityError, match="deactivated"), crm._session.batch("t") as batch:
        crm.contacts.filter(ids=[first_id]).reassign(to="Alice Martin")
        store.update("contacts", pa.table({"id": [second], "owner_id": [bruno]}), batch, "me")
    assert crm.contacts.df()["owner_id"].tolist() == before
    gone = crm.accounts.add(name="Gone")
    live = crm.accounts.add(name="Live")
    crm.accounts.delete(gone)
    with pytest.raises(ck.IntegrityError), crm._session.batch("t") as batch:
        crm.contacts.filter(ids=[first_id]).update(account_id=live)
        store.update("contacts", pa.table({"id": [second], "account_id": [gone]}), batch, "me")
    assert crm.contacts.get(second)["account_id"] is None


def test_hard_delete_of_a_merge_survivor_is_refused(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", email="h@a.com")
    b = crm.contacts.add(last_name="Blou", email="h@a.com")
    crm.contacts.merge([a, b], survivor=a)
    with pytest.raises(ck.RecordInUseError, match="survivor"):
        crm.contacts.delete(a, hard=True)


# -- 11. smaller ones ----------------------------------------------------------------------


def test_open_with_an_empty_path_is_refused() -> None:
    with pytest.raises(ck.StoreOpenError, match="empty"):
        ck.open("")


def test_last_batch_id_follows_imports_and_undo(crm: ck.CRM) -> None:
    report = crm.import_frame(pl.DataFrame({"Last Name": ["Blou"]}), progress=False)
    assert crm.last_batch_id == report.batch_id is not None
    summary = crm.undo(report.batch_id)
    assert crm.last_batch_id == summary.batch_id


@pytest.mark.parametrize("bad", [1.9, "1", "abc", True, None, 2**70])
def test_ids_are_never_guessed(crm: ck.CRM, bad: object) -> None:
    crm.contacts.add(last_name="Blou")
    with pytest.raises(ck.ValidationError, match="whole number"):
        crm.contacts.get(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["x", 1.5, None])
def test_undo_needs_a_batch_id(crm: ck.CRM, bad: object) -> None:
    with pytest.raises(ck.UndoError, match="whole number"):
        crm.undo(bad)  # type: ignore[arg-type]


# -- untrusted database files ---------------------------------------------------------------


def _crafted(tmp_path: Path) -> Path:
    path = tmp_path / "crafted.duckdb"
    with ck.open(path, user="A") as crm:
        crm.contacts.add(last_name="Blou")
        crm.contacts.update(1, job_title="CEO")
    return path


def test_a_crafted_history_field_is_never_run_as_sql(tmp_path: Path) -> None:
    path = _crafted(tmp_path)
    con = duckdb.connect(str(path))
    con.execute(
        "UPDATE history SET field = 'job_title = (SELECT content FROM "
        "read_text(''/etc/hostname''))' WHERE field = 'job_title'"
    )
    con.close()
    with ck.open(path) as crm:
        batch = int(crm.batches().iloc[0]["id"])
        with pytest.raises(ck.UndoError, match="not a crmkit table or field"):
            crm.undo(batch)
        assert crm.contacts.get(1).job_title == "CEO"


def test_crafted_views_are_replaced_and_files_stay_out_of_reach(tmp_path: Path) -> None:
    path = _crafted(tmp_path)
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE OR REPLACE VIEW contacts_v AS SELECT *, (SELECT content FROM "
        "read_text('/etc/hostname')) AS secret FROM contacts"
    )
    con.close()
    for read_only in (False, True):
        with ck.open(path, read_only=read_only) as crm:
            assert "secret" not in crm.contacts.df().columns
            with pytest.raises(duckdb.Error, match="disabled"):
                crm.sql("SELECT * FROM read_text('/etc/hostname')").fetchall()


def test_macros_in_a_file_are_refused(tmp_path: Path) -> None:
    path = _crafted(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("CREATE MACRO lower(x) AS 'pwned'")
    con.close()
    with pytest.raises(ck.StoreOpenError, match="macros"):
        ck.open(path)


def test_a_foreign_file_with_crmkit_table_names_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foreign.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE contacts (name VARCHAR)")
    con.close()
    with pytest.raises(ck.StoreOpenError, match="not written by crmkit"):
        ck.open(path)


def test_a_damaged_table_is_refused(tmp_path: Path) -> None:
    path = _crafted(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE contacts DROP COLUMN email")
    con.close()
    with pytest.raises(ck.StoreOpenError, match="email"):
        ck.open(path)


def test_a_non_numeric_schema_version_is_refused(tmp_path: Path) -> None:
    path = _crafted(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = 'two' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(ck.SchemaVersionError, match="not a number"):
        ck.open(path)


def test_open_errors_are_crmkit_errors(tmp_path: Path) -> None:
    with pytest.raises(ck.StoreOpenError, match="folder"):
        ck.open(tmp_path)
    with pytest.raises(ck.StoreOpenError, match="does not exist"):
        ck.open(tmp_path / "no" / "such" / "crm.duckdb")
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    with pytest.raises(ck.StoreOpenError):
        ck.open(text)
    with pytest.raises(ck.StoreNotFoundError):
        ck.open(tmp_path / "missing.duckdb", read_only=True)


def test_a_reader_and_a_writer_in_one_process(tmp_path: Path) -> None:
    path = _crafted(tmp_path)
    with ck.open(path), pytest.raises(ck.StoreLockedError, match="this process"):
        ck.open(path, read_only=True)


def test_the_lock_message_does_not_call_a_reader_a_writer(tmp_path: Path) -> None:
    path = _crafted(tmp_path)
    code = textwrap.dedent(f"""
        import sys, crmkit as ck
        crm = ck.open({str(path)!r}, read_only=True)
        print("ready", flush=True)
        sys.stdin.readline()
    """)
    reader = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        with pytest.raises(ck.StoreLockedError) as err:
            ck.open(path)
        assert "reading or writing" in str(err.value)
        assert "write lock" not in str(err.value)
    finally:
        assert reader.stdin is not None
        reader.stdin.close()
        reader.wait(timeout=30)
        if reader.stdout is not None:
            reader.stdout.close()


def test_external_access_is_an_explicit_choice(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("name\nAPROOL\n")
    with ck.open(external_access=True) as crm:
        assert crm.sql(f"SELECT name FROM read_csv('{leads}')").fetchall() == [("APROOL",)]


# -- 9. a selection stays on the records a bulk action acted on ----------------------------


def test_a_selection_keeps_the_records_it_acted_on(crm: ck.CRM, tmp_path: Path) -> None:
    crm.owners.add("Bruno Petit")
    crm.owners.add("Zoé Martin")
    for i in range(5):
        crm.contacts.add(last_name=f"N{i}", owner="Bruno Petit" if i < 3 else "Zoé Martin")
    sel = crm.contacts.filter(owner="Bruno Petit")
    report = sel.reassign(to="Zoé Martin")
    assert report.changed == 3 and sel.pinned
    result = sel.export(tmp_path / "moved.csv")
    assert result.rows == 3  # not 0: the filter is not run again
    assert report.selection is sel and len(sel.filter(last_name="N1")) == 1
    assert len(sel.refresh()) == 0  # the live query, on demand
    refused = crm.contacts.filter(owner="Zoé Martin")
    with pytest.raises(ck.ValidationError):
        refused.update(last_name=None)
    assert not refused.pinned  # a refused action leaves a live query


# -- 10. money in several currencies is never added as it is --------------------------------


def test_revenue_is_banded_and_summed_in_one_currency(crm: ck.CRM) -> None:
    for name, currency in (("Huaxin", "CNY"), ("Sony", "JPY"), ("APROOL", "EUR")):
        crm.accounts.add(name=name, annual_revenue=30_000_000, currency=currency)
    assert crm.settings.missing_rates() == ["CNY", "JPY"]
    summary = crm.accounts.summary(by="revenue_band").frame
    assert summary["revenue"].sum() == 30_000_000  # not 90,000,000
    assert summary["revenue_not_converted"].sum() == 2
    batch = crm.settings.set_rate("CNY", 0.13, as_of="2026-12-01")
    crm.settings.set_rate("JPY", 0.0062)
    crm.settings.set_rate("CNY", 0.125, as_of="2026-12-05")  # the latest rate wins
    bands = crm.accounts.df().set_index("name")["revenue_band"]
    assert (bands["Huaxin"], bands["Sony"], bands["APROOL"]) == ("1M-10M", "0-1M", "10M-50M")
    total = crm.accounts.summary(by="sector").frame["revenue"].sum()
    assert total == pytest.approx(30e6 + 30e6 * 0.125 + 30e6 * 0.0062)
    assert len(crm.accounts.filter(revenue_min=10_000_000)) == 1
    with pytest.raises(ck.ValidationError):
        crm.settings.set_rate("CNY", -1)
    with pytest.raises(ck.UnknownValueError):
        crm.settings.set_rate("XXY", 1.0)
    crm.undo(batch)  # a rate is a change like any other
    assert len(crm.settings.rates()) == 2


@pytest.mark.parametrize("edges", ["abc", [1, "x"], None, [True, 2]])
def test_band_edges_must_be_numbers(crm: ck.CRM, edges: object) -> None:
    with pytest.raises(ck.ValidationError, match="numbers"):
        crm.settings.set_bands("revenue", edges)  # type: ignore[arg-type]


# -- huge values ------------------------------------------------------------------------------


def test_huge_cells_are_cut_short_in_reasons_and_reports(crm: ck.CRM) -> None:
    big = "x" * 1_500_000
    frame = pl.DataFrame({"Last Name": [None], "Notes": [big], "Email": ["bad@@" + big]})
    report = crm.import_frame(frame, progress=False)
    reasons = report.rejected.iloc[0]["__reasons__"]
    assert len(reasons) < 1_000 and "1,500,000 characters" in reasons
    assert report.rejected.iloc[0]["Notes"] == big  # the raw cell itself is kept whole
    # The first table a process shows carries itables' offline bundle (~1 MB, once per
    # process); send it first so that this test does not depend on the tests run before it.
    report._repr_html_()
    assert len(report._repr_html_()) < 20_000 and len(repr(report)) < 5_000
    stored = crm.rejects()["raw"].iloc[0]
    assert big in stored


# -- the rules a batch is checked against follow what it wrote -----------------------------


def test_batch_checks_follow_the_fields_written(crm: ck.CRM) -> None:
    from crmkit._core._integrity import batch_breaches, touched_fields

    crm.owners.add("Marc Durand")
    crm.owners.add("Zoé Martin")
    acc = crm.accounts.add(name="APROOL")
    first = crm.contacts.add(last_name="Blou", account_id=acc, owner="Marc Durand")
    report = crm.contacts.all().reassign(to="Zoé Martin")
    con = crm.connection
    assert touched_fields(con, report.batch_id) == {("contacts", "owner_id")}
    assert batch_breaches(con, report.batch_id) == []
    # A contact whose account is removed outside crmkit, then a reassign: the reassign
    # did not touch account_id, so it is not blamed for the stale reference ...
    con.execute("UPDATE accounts SET deleted_at = now()::TIMESTAMP WHERE id = ?", [acc])
    again = crm.contacts.all().reassign(to="Marc Durand")
    assert batch_breaches(con, again.batch_id) == []
    # ... while a batch that deletes the account is (the target side of the reference).
    con.execute("UPDATE accounts SET deleted_at = NULL WHERE id = ?", [acc])
    with pytest.raises(ck.RecordInUseError):
        crm.accounts.delete(acc)
    assert crm.contacts.get(first)["account_id"] == acc
