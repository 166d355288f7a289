"""Erasure (crmkit._ops._erase, crmkit._core._erasure): a person's personal values gone
from every table crmkit writes and from the DuckDB file's bytes, references still valid,
nothing undoable, nothing half done."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crmkit as ck
from crmkit._core._erasure import ERASED, Needles
from crmkit._core._integrity import REFERENCES
from crmkit._core._store import SCHEMA_VERSION
from crmkit._util._text import fold

EMAIL = "quillon.zarbuteau@xylophonia.example"
PHONE = "+33 6 71 82 93 04"
PHONE_E164 = "+33671829304"
LAST = "Zarbuteau"
FIRST = "Quillon"
NEEDLES = (EMAIL.encode(), PHONE_E164.encode(), LAST.encode(), b"71829304")


def _file_bytes(path: Path) -> bytes:
    data = b""
    for suffix in ("", ".wal"):
        part = Path(str(path) + suffix)
        if part.exists():
            data += part.read_bytes()
    return data


def _dangling(crm: ck.CRM) -> list[tuple[str, str, int]]:
    """Every reference pointing at no row (the store's integrity rule, whole database)."""
    found = []
    for source, field, target, _ in REFERENCES:
        rows = crm.connection.execute(
            f"SELECT s.id, s.{field} FROM {source} s LEFT JOIN {target} t ON t.id = s.{field} "
            f"WHERE s.{field} IS NOT NULL AND t.id IS NULL"
        ).fetchall()
        found += [(source, field, int(r[0])) for r in rows]
    return found


def _person(crm: ck.CRM) -> dict[str, int]:
    """The person to erase, with a past, a merge, notes, a subscription, a saved view,
    a rejected import row; and people around them."""
    acc = crm.accounts.add(name="Aprool")
    cid = crm.contacts.add(
        first_name=FIRST,
        last_name=LAST,
        email="old." + EMAIL,
        phone=PHONE,
        account_id=acc,
        birthday="1980-02-03",
        email_basis="consent",  # subscriptions need a legal basis for email
    )
    crm.contacts.update(cid, email=EMAIL, notes=f"met {FIRST} at the fair")
    twin = crm.contacts.add(first_name=FIRST, last_name=LAST, mobile="+33 6 00 11 22 33")
    crm.contacts.merge([cid, twin], survivor=cid)
    report_to = crm.contacts.add(last_name="Durand", reports_to_id=cid)
    gone_report = crm.contacts.add(last_name="Martin", reports_to_id=cid)
    crm.contacts.delete(gone_report)  # a deleted record still points at the person
    crm.activities.add_note(f"call {FIRST} {LAST} back", contact=cid)
    crm.contacts.filter(search=LAST).subscribe("newsletter")
    crm.views.save("the one", crm.contacts.filter(search=LAST))
    other = crm.contacts.add(first_name="Anne", last_name="Blou", email="anne.blou@ex.org")
    return {"id": cid, "twin": twin, "report": report_to, "gone": gone_report, "other": other}


def _reject_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email,birthday\n"
        f"{FIRST},{LAST},{EMAIL},not a date\n"
        "Paul,Roux,paul.roux@ex.org,not a date either\n",
        encoding="utf-8",
    )
    return path


def test_erase_removes_every_trace(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    with ck.open(db, user="DPO") as crm:
        ids = _person(crm)
        crm.import_file(_reject_file(tmp_path), "contacts")
        assert len(crm.rejects()) == 2
        crm.connection.execute("CHECKPOINT")
        assert all(n in _file_bytes(db) for n in (EMAIL.encode(), LAST.encode()))
        report = crm.contacts.erase(ids["id"], reason="art. 17 request", confirm=True)
        assert report.records == 2  # the record merged into it too
        counts = report.counts
        assert counts["tombstones"] == 1 and counts["removed"] == 1  # the twin: nothing left
        assert counts["activities"] == 1 and counts["rejects"] == 1 and counts["views"] == 1
        assert counts["subscriptions"] == 1
        assert counts["detached"] == 1 and counts["blocked"] == 4  # 2 emails, 2 phones
        crm.connection.execute("FORCE CHECKPOINT")
        open_bytes = _file_bytes(db)
        assert not [n for n in NEEDLES if n in open_bytes]
        # The tombstone keeps its id; the deleted contact's reports_to stays valid.
        row = crm.connection.execute(
            "SELECT first_name, last_name, email, phone, birthday, notes, deleted_at, account_id "
            "FROM contacts WHERE id = ?",
            [ids["id"]],
        ).fetchone()
        assert row is not None and row[:6] == (None,) * 6 and row[6] is not None
        assert row[7] is not None  # non-personal fields stay
        assert crm.contacts.get(ids["gone"])["reports_to_id"] == ids["id"]
        assert crm.contacts.get(ids["report"])["reports_to_id"] is None  # live: detached
        assert not crm.contacts.exists(ids["twin"])
        assert _dangling(crm) == []
        # Nothing in any table.
        for name in ("contacts", "history", "import_rejects", "batches", "saved_views"):
            text = crm.connection.execute(f"SELECT * FROM {name}").df().to_csv()
            assert LAST not in text and EMAIL not in text and PHONE_E164 not in text, name
        assert len(crm.rejects()) == 1  # Paul's row stays
        assert crm.contacts.get(ids["other"])["email"] == "anne.blou@ex.org"
        log = crm.connection.execute("SELECT actor, kind, reason, counts FROM erasures").fetchall()
        assert log[0][:3] == ("DPO", "contacts", "art. 17 request")
        assert LAST not in log[0][3] and json.loads(log[0][3])["records"] == 2
        out = tmp_path / "all.csv"
        crm.contacts.all().export(out)
        crm.contacts.export(tmp_path / "all.xlsx")
    assert LAST not in out.read_text(encoding="utf-8")
    data = _file_bytes(db)
    for needle in NEEDLES:
        assert needle not in data, needle
    with ck.open(db) as crm:  # the rewritten file opens and works
        assert crm.contacts.get(ids["other"])["last_name"] == "Blou"
        assert crm.contacts.add(last_name="Neuf") > ids["other"]  # sequences kept


def test_undo_refuses_cleanly_afterwards(tmp_path: Path) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        cid = crm.contacts.add(last_name=LAST, email=EMAIL)
        crm.contacts.update(cid, job_title="DSI")
        update = crm.last_batch_id
        assert update is not None
        report = crm.contacts.erase([cid], reason="request", confirm=True)
        with pytest.raises(ck.UndoError, match="erased since") as err:
            crm.undo(update)
        assert LAST not in str(err.value)
        with pytest.raises(ck.UndoError, match="an erasure cannot be undone"):
            crm.undo(report.batch_id)
        assert crm.connection.execute("SELECT count(*) FROM contacts").fetchone() == (0,)


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        cid = crm.contacts.add(last_name=LAST, email=EMAIL)
        batches = len(crm.batches())
        with pytest.raises(ck.ErasureError, match=r"cannot be undone.*confirm=True"):
            crm.contacts.erase(cid, reason="request")
        with pytest.raises(ck.RecordNotFoundError, match="999"):
            crm.contacts.erase([cid, 999], reason="request", confirm=True)
        with pytest.raises(ck.ErasureError, match="reason"):
            crm.contacts.erase(cid, reason="  ", confirm=True)
        with pytest.raises(ck.ErasureError, match="at least one"):
            crm.contacts.erase([], reason="request", confirm=True)
        with pytest.raises(ck.ValidationError, match="whole number"):
            crm.contacts.erase([1.5], reason="request", confirm=True)  # type: ignore[list-item]
        assert len(crm.batches()) == batches
        assert crm.contacts.get(cid)["last_name"] == LAST
        crm.contacts.erase(cid, reason="request", confirm=True)
        batches = len(crm.batches())
        with pytest.raises(ck.ErasureError, match="already erased"):
            crm.contacts.erase(cid, reason="again", confirm=True)
        assert len(crm.batches()) == batches
        assert crm.connection.execute("SELECT count(*) FROM erasures").fetchone() == (1,)


def test_erase_a_selection_and_in_memory() -> None:
    with ck.open() as crm:
        a = crm.contacts.add(first_name="Ana", last_name="Blou", email="a@ex.org")
        b = crm.contacts.add(first_name="Bea", last_name="Blou", email="b@ex.org")
        keep = crm.contacts.add(last_name="Roux")
        rows = {"first_name": ["Ana", "Bea", "Cy"], "last_name": ["Blou"] * 3}
        crm.import_frame(pl.DataFrame({**rows, "birthday": ["no date"] * 3}), "contacts")
        assert len(crm.rejects()) == 3
        report = crm.contacts.erase(crm.contacts.filter(search="Blou"), reason="r", confirm=True)
        assert sorted(report.ids) == [a, b] and "erasure 1" in str(report)
        assert report.counts["rejects"] == 2 and len(crm.rejects()) == 1  # Cy's row stays
        assert list(crm.contacts.df()["id"]) == [keep]
        assert crm.blocklist.counts() == {"email": 2, "phone": 0}


def test_erase_an_account_keeps_its_contacts_valid() -> None:
    with ck.open() as crm:
        acc = crm.accounts.add(name="Aprool", email="contact@aprool.example")
        cid = crm.contacts.add(last_name="Blou", account_id=acc)
        crm.settings.set_personal("accounts", "email")
        report = crm.accounts.erase(acc, reason="sole trader", confirm=True)
        assert report.counts["detached"] == 1 and report.counts["blocked"] == 0
        assert crm.contacts.get(cid)["account_id"] is None
        assert crm.connection.execute("SELECT count(*) FROM accounts").fetchone() == (0,)
        assert _dangling(crm) == []


def test_personal_fields_per_database(tmp_path: Path) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        fields = crm.settings.personal_fields("contacts")
        assert {"first_name", "last_name", "email", "mobile", "birthday", "notes"} <= set(fields)
        assert {"custom", "photo", "linkedin", "street"} <= set(fields)
        assert "job_title" not in fields and "account_id" not in fields
        assert crm.settings.personal_fields("accounts") == []
        crm.settings.add_field("contacts", "passport", "text", personal=True)
        crm.settings.add_field("contacts", "shoe", "integer")
        assert "passport" in crm.settings.personal_fields("contacts")
        batch = crm.settings.set_personal("contacts", "shoe")
        assert "shoe" in crm.settings.personal_fields("contacts")
        assert crm.settings.set_personal("contacts", "notes", personal=False) is not None
        assert "notes" not in crm.settings.personal_fields("contacts")
        assert crm.settings.set_personal("contacts", "email") is None  # already personal
        with pytest.raises(ck.ValidationError, match="crmkit manages"):
            crm.settings.set_personal("contacts", "merged_into")
        with pytest.raises(ck.UnknownValueError):
            crm.settings.set_personal("contacts", "shoe_size")
        assert batch is not None
        crm.undo(batch)
        assert "shoe" not in crm.settings.personal_fields("contacts")
    with ck.open(tmp_path / "crm.duckdb") as crm:  # stored in the database
        assert "notes" not in crm.settings.personal_fields("contacts")
        cid = crm.contacts.add(last_name=LAST, notes="kept", passport="X123", shoe=42)
        crm.contacts.erase(cid, reason="r", confirm=True)
        row = crm.connection.execute("SELECT count(*) FROM contacts WHERE id = ?", [cid]).fetchone()
        assert row == (0,)
        values = crm.connection.execute(
            "SELECT field, new_value FROM history WHERE record_id = ? AND table_name = 'contacts' "
            "AND field IS NOT NULL",
            [cid],
        ).fetchall()
        assert all(v is None for _, v in values)


def test_history_of_a_hard_delete_is_scrubbed() -> None:
    with ck.open() as crm:
        cid = crm.contacts.add(last_name=LAST, email=EMAIL, job_title="DSI")
        crm.contacts.delete(cid, hard=True)
        with pytest.raises(ck.RecordNotFoundError):  # nothing left to erase
            crm.contacts.erase(cid, reason="r", confirm=True)
        crm.undo(crm.last_batch_id)
        crm.contacts.erase(cid, reason="r", confirm=True)
        frame: pd.DataFrame = crm.connection.execute("SELECT * FROM history").df()
        text = frame.to_csv()
        assert LAST not in text and EMAIL not in text and "DSI" in text  # job title: kept


def test_texts_lose_the_person_only() -> None:
    with ck.open() as crm:
        cid = crm.contacts.add(first_name=FIRST, last_name=LAST, email=EMAIL)
        other = crm.contacts.add(first_name=FIRST, last_name="Roux")
        with crm.batch(f"calls for {FIRST} {LAST} ({EMAIL}) and {FIRST} Roux"):
            crm.contacts.update(other, job_title="DSI")
        crm.views.save("by name", crm.contacts.filter(last_name=LAST))
        crm.views.save("roux", crm.contacts.filter(last_name="Roux"))
        crm.contacts.erase(cid, reason="r", confirm=True)
        rows = crm.connection.execute("SELECT description FROM batches").fetchall()
        descriptions = [d for (d,) in rows]
        assert f"calls for [erased] ([erased]) and {FIRST} Roux" in descriptions
        views = dict(crm.connection.execute("SELECT name, definition FROM saved_views").fetchall())
        assert LAST not in views["by name"] and "[erased]" in views["by name"]
        assert "Roux" in views["roux"]
        assert len(crm.views.load("roux")) == 1


def test_a_shared_crm_erases_and_warns_about_the_file(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    with ck.open(db, shared=True) as crm:
        cid = crm.contacts.add(last_name=LAST, email=EMAIL)
        with pytest.warns(ck.CRMKitWarning, match=r"not rewritten.*shared=True"):
            crm.contacts.erase(cid, reason="r", confirm=True)
        assert len(crm.contacts) == 0
    with ck.open(db) as crm:
        cid = crm.contacts.add(last_name="Roux")
        with pytest.warns(ck.CRMKitWarning, match="crm.batch"), crm.batch() as batch:
            crm.contacts.erase(cid, reason="r", confirm=True)
        with pytest.raises(ck.UndoError, match="an erasure cannot be undone"):
            crm.undo(batch)


def test_migration_7_adds_what_erasure_needs(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "crm.duckdb"
    with ck.open(db) as crm:
        cid = crm.contacts.add(last_name=LAST, email=EMAIL)
    con = duckdb.connect(str(db))
    for name in ("personal_flags", "blocklist", "erasures", "erased_records"):
        con.execute(f"DROP TABLE {name}")
    con.execute("DELETE FROM meta WHERE key = 'blocklist_salt'")
    con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    con.close()
    with ck.open(db) as crm:  # a file of the previous version
        version = crm.connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
        assert version == (str(SCHEMA_VERSION),)
        crm.contacts.erase(cid, reason="r", confirm=True)
        assert len(crm.blocklist) == 1


def test_file_names_and_free_text_lose_the_person(tmp_path: Path) -> None:
    """A person's name inside a file's name (batch details, rejected rows' source), a
    surname alone or a phone written another way in a description, a cell of someone
    else's rejected row and the erasure's reason: all read ``[erased]`` afterwards."""
    db = tmp_path / "crm.duckdb"
    named = tmp_path / f"{LAST.lower()}_contacts.csv"
    named.write_text(
        "first_name,last_name,email,notes,birthday\n"
        f"{FIRST},{LAST},{EMAIL},,1980-02-03\n"
        f"Paul,Roux,paul.roux@ex.org,ami de {LAST.upper()},not a date\n",
        encoding="utf-8",
    )
    full = tmp_path / f"{FIRST.lower()}-{LAST.lower()}.csv"
    full.write_text("first_name,last_name,phone\nAnne,Vidal,+33 6 12 34 56 78\n", encoding="utf-8")
    with ck.open(db, user="DPO") as crm:
        crm.import_file(named, "contacts")
        crm.import_file(full, "contacts")
        cid = int(crm.contacts.filter(last_name=LAST).df()["id"].iloc[0])
        crm.contacts.update(cid, phone=PHONE)
        other = crm.contacts.filter(last_name="Vidal").df()["id"].iloc[0]
        with crm.batch(f"relance {LAST} au 06.71.82.93.04"):
            crm.contacts.update(int(other), job_title="DSI")
        crm.settings.retention("contacts", after="3 years", where={"last_name": LAST})
        report = crm.contacts.erase(cid, reason=f"mail from {EMAIL} ({LAST})", confirm=True)
        assert report.counts["reject_texts"] == 1  # Paul's row: a cell and the file name
        assert report.counts["settings"] == 1
        texts = {
            name: crm.connection.execute(f"SELECT * FROM {name}").df().to_csv()
            for name in ("batches", "import_rejects", "erasures", "settings", "history")
        }
        for name, text in texts.items():
            folded = text.casefold()
            assert LAST.casefold() not in folded and FIRST.casefold() not in folded, name
            assert "71829304" not in text.replace(".", "") and EMAIL not in text, name
        assert "[erased]_contacts.csv" in texts["import_rejects"]
        assert "[erased].csv" in texts["batches"]  # quillon-zarbuteau.csv
        assert "relance [erased] au" in texts["batches"]
        assert "paul.roux@ex.org" in texts["import_rejects"]  # Paul's own values stay
        assert len(crm.rejects()) == 1
    data = _file_bytes(db).lower()
    for needle in (LAST.lower().encode(), FIRST.lower().encode(), b"71829304"):
        assert needle not in data, needle


@pytest.mark.parametrize(
    ("first_name", "last_name", "file_name", "scrubbed"),
    [
        ("Hélène", "Bloutière", "helene_bloutiere.csv", "[erased].csv"),
        ("Hélène", "Le Goff", "export_le-goff_2024.csv", "export_[erased]_2024.csv"),
        ("伟", "王", "王伟的联系人.csv", "[erased]的联系人.csv"),
    ],
)
def test_file_names_are_matched_without_accents_and_in_chinese(
    tmp_path: Path, first_name: str, last_name: str, file_name: str, scrubbed: str
) -> None:
    path = tmp_path / file_name
    path.write_text(f"first_name,last_name\n{first_name},{last_name}\n", encoding="utf-8")
    with ck.open() as crm:
        crm.import_file(path, "contacts")
        keep = crm.contacts.add(first_name="Zoé", last_name="王五")  # another person stays
        cid = int(crm.contacts.filter(first_name=first_name).df()["id"].iloc[0])
        crm.contacts.erase(cid, reason="r", confirm=True)
        (details,) = crm.connection.execute(
            "SELECT details->>'$.file_name' FROM batches WHERE operation = 'import'"
        ).fetchone() or (None,)
        assert details == scrubbed
        assert crm.contacts.get(keep)["last_name"] == "王五"


def test_other_records_naming_the_person_are_reported_not_changed() -> None:
    with ck.open() as crm:
        cid = crm.contacts.add(first_name=FIRST, last_name=LAST, email=EMAIL)
        colleague = crm.contacts.add(last_name="Roux", notes=f"assistant of {FIRST} {LAST}")
        mail = crm.contacts.add(last_name="Vidal", notes=f"cc {EMAIL.upper()}")
        alone = crm.contacts.add(last_name="Petit", notes=f"met M. {LAST} once")  # surname only
        note = crm.activities.add_note(f"lunch with {LAST} {FIRST}", contact=colleague)
        with pytest.warns(ck.CRMKitWarning, match=r"3 other records .* contacts"):
            report = crm.contacts.erase(cid, reason="r", confirm=True)
        assert report.mentions == {"contacts": (colleague, mail), "activities": (note,)}
        assert crm.contacts.get(colleague)["notes"] == f"assistant of {FIRST} {LAST}"
        assert alone not in report.mentions.get("contacts", ())


def test_a_surname_that_is_also_a_field_name_leaves_rules_and_profiles_working() -> None:
    """Mr Street's erasure scrubs "Street" from text, never the field ``street`` that a
    profile's mapping or a batch's details name."""
    with ck.open() as crm:
        crm.import_profiles.save("salon", mapping={"Rue": "street", "Nom": "last_name"})
        cid = crm.contacts.add(first_name="Ada", last_name="Street", street="1 rue Haute")
        with crm.batch("call Street"):
            crm.contacts.update(cid, job_title="DSI")
        crm.contacts.erase(cid, reason="r", confirm=True)
        assert crm.import_profiles.get("salon").mapping == {"Rue": "street", "Nom": "last_name"}
        (description,) = crm.connection.execute(
            "SELECT description FROM batches WHERE description LIKE 'call %'"
        ).fetchone() or ("",)
        assert description == "call [erased]"


_NAME = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzéèçäßøABCDEFGHIJKLMNOÉ"), min_size=2, max_size=9
)
_SEPARATOR = st.sampled_from([" ", "_", "-", ".", "/", " - ", "__"])
_AROUND = st.text(st.sampled_from("0123456789 _-./()"), max_size=6)


def _words(text: str) -> list[str]:
    return [w for w in fold(re.sub(r"[\W\d_]+", " ", text)).split() if w]


@given(_NAME, _NAME, _SEPARATOR, _AROUND, _AROUND, st.booleans(), st.booleans())
def test_needles_find_a_name_written_any_way(
    first_name: str, last: str, sep: str, before: str, after: str, swap: bool, upper: bool
) -> None:
    # The words needles_of gives for one person: full names in both orders, the surname.
    needles = Needles(
        (f"{first_name} {last}", f"{last} {first_name}", last), frozenset({fold(first_name)})
    )
    written = f"{last}{sep}{first_name}" if swap else f"{first_name}{sep}{last}"
    text = before + (written.upper() if upper else _plain(written)) + after
    scrubbed = needles.scrub(text)
    left = _words(scrubbed.replace(ERASED, " "))
    assert fold(_plain(last)) not in left
    assert fold(_plain(first_name)) not in left  # written next to the surname: gone too
    assert needles.scrub(scrubbed) == scrubbed  # nothing left to find


@given(st.text(max_size=40), _NAME)
def test_needles_leave_text_without_the_name_as_it_is(text: str, last: str) -> None:
    needles = Needles((last,))
    if fold(_plain(last)) not in _words(text):
        assert needles.scrub(text) == text


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_no_undo_brings_back_the_persons_email_from_another_record(tmp_path: Path) -> None:
    """A duplicate removed for good before the erasure kept the person's email in its
    history; the erasure clears it there too, so undoing that removal brings the
    duplicate back without it."""
    db = tmp_path / "crm.duckdb"
    with ck.open(db) as crm:
        twin = crm.contacts.add(last_name="Dupli", email=EMAIL.upper(), phone=PHONE)
        crm.contacts.delete(twin, hard=True)
        removal = crm.last_batch_id
        typo = crm.contacts.add(last_name="Roux", email=f" {EMAIL} ")
        crm.contacts.update(typo, email="paul.roux@ex.org")  # a typo fixed: old value kept
        cid = crm.contacts.add(first_name=FIRST, last_name=LAST, email=EMAIL, mobile=PHONE)
        report = crm.contacts.erase(cid, reason="r", confirm=True)
        assert report.counts["other_history"] == 3  # the whole row's email and phone, the typo
        crm.undo(removal)
        back = crm.contacts.get(twin)
        assert back["last_name"] == "Dupli" and back["email"] is None and back["phone"] is None
    data = _file_bytes(db).lower()
    assert EMAIL.lower().encode() not in data and PHONE_E164.encode() not in data


def test_the_rewritten_file_keeps_its_permissions(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    with ck.open(db) as crm:
        cid = crm.contacts.add(last_name=LAST, email=EMAIL)
    db.chmod(0o600)  # readable by its owner alone
    with ck.open(db) as crm:
        crm.contacts.erase(cid, reason="r", confirm=True)
    assert db.stat().st_mode & 0o777 == 0o600


def test_a_search_after_the_erasure_knows_nothing_of_the_person() -> None:
    """The duplicates index a session built before the erasure held the person's names;
    it is built again, so a search for them finds nothing."""
    with ck.open() as crm:
        cid = crm.contacts.add(first_name=FIRST, last_name=LAST, email=EMAIL)
        crm.contacts.add(first_name="Anne", last_name="Roux", email="anne.roux@ex.org")
        assert cid in set(crm.contacts.similar(first_name=FIRST, last_name=LAST)["id"])
        crm.contacts.erase(cid, reason="r", confirm=True)
        found = crm.contacts.similar(first_name=FIRST, last_name=LAST)
        assert cid not in set(found["id"])
        assert not any(LAST in str(v) for v in found.to_numpy().ravel())
