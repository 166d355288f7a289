"""vCards through the import pipeline: every real device's cards land in the CRM."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit as ck

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"

VCARDS = sorted((FIXTURES / "vcards").glob("*.vcf"))


def _card_count(path: Path) -> int:
    return sum(
        1 for line in path.read_bytes().splitlines() if line.strip().upper() == b"BEGIN:VCARD"
    )


@pytest.mark.parametrize("path", VCARDS, ids=[p.name for p in VCARDS])
def test_every_fixture_imports_every_card(path: Path) -> None:
    with ck.open(user="Importer") as crm:
        report = crm.import_file(path, create_accounts=True, progress=False)
        cards = _card_count(path)
        assert report.n_rejected == 0, report.rejected
        assert report.read == cards
        assert report.inserted + report.updated + report.unchanged == cards
        names = crm.contacts.df()["last_name"]
        assert names.notna().all() and (names.str.len() > 0).all()


def test_fixture_values_survive_the_pipeline() -> None:
    with ck.open() as crm:
        crm.import_file(
            FIXTURES / "vcards" / "ezvcard__John_Doe_MS_OUTLOOK.vcf",
            create_accounts=True,
            progress=False,
        )
        crm.import_file(
            FIXTURES / "vcards" / "ezvcard__John_Doe_GMAIL.vcf",
            create_accounts=True,
            progress=False,
        )
        df = crm.contacts.df()
        assert "Doe" in set(df["last_name"])
        assert len(crm.accounts) >= 1
        history = crm.batches()
        assert set(history["operation"]) == {"import"}


def test_unreadable_card_rejected_others_imported(tmp_path: Path) -> None:
    path = tmp_path / "mixed.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Blou;Hélène\r\nEMAIL:h@aprool.com\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\n\x00\x01garbage\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Roy;Jean\r\nTEL;TYPE=CELL:06 25 34 12 57\r\n"
        "END:VCARD\r\n",
        encoding="utf-8",
    )
    with ck.open() as crm:
        report = crm.import_file(path, progress=False)
        assert report.inserted == 2
        assert report.n_rejected == 1
        assert report.rejected["__line__"].item() == 6
        assert "cannot be read" in report.rejected["__reasons__"].item()
        assert set(crm.contacts.df()["mobile"].dropna()) == {"+33625341257"}
        crm.undo(report.batch_id)
        assert len(crm.contacts) == 0


def test_garbage_vcf_file(tmp_path: Path) -> None:
    path = tmp_path / "junk.vcf"
    path.write_text("BEGIN:VCARD\nthis is not\nEND:VCARD\n", encoding="utf-8")
    with ck.open() as crm:
        report = crm.import_file(path, progress=False)
        assert report.inserted == 0 and report.n_rejected == 1
