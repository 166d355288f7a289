"""The blocklist (crmkit._core._blocklist, crm.blocklist): an erased person's emails and
phones, as salted hashes only, refused on every input path with a reason that does not
reveal them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import crmkit as ck

EMAIL = "quillon.zarbuteau@xylophonia.example"
PHONE = "06 71 82 93 04"


def _erased(crm: ck.CRM) -> None:
    cid = crm.contacts.add(first_name="Quillon", last_name="Zarbuteau", email=EMAIL, mobile=PHONE)
    crm.contacts.erase(cid, reason="request", confirm=True)


def test_only_salted_hashes_are_kept(tmp_path: Path) -> None:
    salts = []
    hashes = []
    for name in ("a.duckdb", "b.duckdb"):
        with ck.open(tmp_path / name) as crm:
            _erased(crm)
            assert len(crm.blocklist) == 2
            assert crm.blocklist.counts() == {"email": 1, "phone": 1}
            assert "email: 1" in repr(crm.blocklist)
            rows = crm.connection.execute("SELECT channel, hash FROM blocklist").fetchall()
            assert all(len(h) == 64 and "zarbuteau" not in h for _, h in rows)
            hashes.append({h for _, h in rows})
            salts.append(
                crm.connection.execute(
                    "SELECT value FROM meta WHERE key = 'blocklist_salt'"
                ).fetchone()
            )
    assert salts[0] != salts[1] and not hashes[0] & hashes[1]  # a salt per database


def test_add_update_clone_and_bulk_are_refused() -> None:
    with ck.open() as crm:
        _erased(crm)
        with pytest.raises(ck.BlockedRecordError, match="matches an erased person") as err:
            crm.contacts.add(last_name="Other", email=EMAIL.upper())
        assert "zarbuteau" not in str(err.value).lower()
        with pytest.raises(ck.BlockedRecordError, match=r"Phone|phone"):
            crm.contacts.add(last_name="Other", phone="+33671829304")
        cid = crm.contacts.add(last_name="Other", email="other@ex.org")
        with pytest.raises(ck.BlockedRecordError, match=f"contact {cid}"):
            crm.contacts.update(cid, secondary_email=EMAIL)
        with pytest.raises(ck.BlockedRecordError):
            crm.contacts.add_many(pd.DataFrame({"last_name": ["A"], "email": [EMAIL]}))
        with pytest.raises(ck.BlockedRecordError):
            crm.contacts.add_many(pl.DataFrame({"last_name": ["A"], "home_phone": [PHONE]}))
        assert len(crm.contacts) == 1
        # Accounts are not people: an account may have the address.
        crm.accounts.add(name="Xylophonia", email=EMAIL)


def test_imports_reject_the_row_without_its_cells(tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(
        f"last_name,email,mobile\nZarbuteau,{EMAIL},\nRoux,paul.roux@ex.org,\nBlou,,{PHONE}\n",
        encoding="utf-8",
    )
    xlsx = tmp_path / "people.xlsx"
    pd.read_csv(csv, dtype=str).to_excel(xlsx, index=False)
    vcf = tmp_path / "people.vcf"
    vcf.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Zarbuteau;Quillon;;;\r\nFN:Quillon Zarbuteau\r\n"
        f"EMAIL:{EMAIL}\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Roux;Paul;;;\r\nFN:Paul Roux\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    for source, kept in ((csv, 1), (xlsx, 1), (vcf, 1)):
        with ck.open(tmp_path / f"{source.suffix[1:]}.duckdb") as crm:
            _erased(crm)
            report = crm.import_file(source, "contacts")
            assert len(crm.contacts) == kept, source
            rejected = report.rejected
            assert len(rejected) == (1 if source == vcf else 2)
            reasons = " ".join(rejected["__reasons__"])
            assert "matches an erased person" in reasons
            text = rejected.to_csv() + crm.rejects().to_csv()
            assert "Zarbuteau" not in text and EMAIL not in text and "71 82" not in text
            assert set(crm.rejects()["line"]) == set(rejected["__line__"])


def test_import_frames_pandas_and_polars() -> None:
    with ck.open() as crm:
        _erased(crm)
        for frame in (
            pd.DataFrame({"last_name": ["A", "B"], "email": [EMAIL, "b@ex.org"]}),
            pl.DataFrame({"last_name": ["C", "D"], "email": ["c@ex.org", EMAIL]}),
        ):
            report = crm.import_frame(frame, "contacts")
            assert len(report.rejected) == 1
        assert sorted(crm.contacts.df()["last_name"]) == ["B", "C"]


def test_the_form_shows_the_reason_and_saves_nothing() -> None:
    from crmkit.widgets import ContactForm

    with ck.open() as crm:
        _erased(crm)
        form = ContactForm(crm)
        form.inputs["last_name"].value = "Other"
        form.inputs["email"].value = EMAIL
        assert form.save() is None
        assert "matches an erased person" in form.status.value
        assert EMAIL not in form.status.value
        assert len(crm.contacts) == 0


def test_remove_lets_the_value_in_again_and_undo_puts_it_back() -> None:
    with ck.open() as crm:
        _erased(crm)
        with pytest.raises(ck.ErasureError, match="one of email= or phone="):
            crm.blocklist.remove()
        with pytest.raises(ck.ErasureError, match="one of email= or phone="):
            crm.blocklist.remove(email=EMAIL, phone=PHONE)
        with pytest.raises(ck.ErasureError, match="no blocklist entry"):
            crm.blocklist.remove(email="someone@else.org")
        batch = crm.blocklist.remove(phone="+33 6 71 82 93 04")
        assert crm.blocklist.counts() == {"email": 1, "phone": 0}
        cid = crm.contacts.add(last_name="Back", mobile=PHONE)
        crm.contacts.delete(cid, hard=True)
        crm.undo(batch)
        assert crm.blocklist.counts() == {"email": 1, "phone": 1}
        with pytest.raises(ck.BlockedRecordError):
            crm.contacts.add(last_name="Back", mobile=PHONE)
        crm.blocklist.remove(email=f"  {EMAIL.upper()} ")
        assert len(crm.blocklist) == 1
