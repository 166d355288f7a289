"""Per-database settings: sectors, default currency and region, and the demo command."""

from __future__ import annotations

from pathlib import Path

import pytest

import crmkit as ck
from crmkit.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def test_sectors_are_replaceable_per_database(crm_file: ck.CRM) -> None:
    crm_file.settings.set_sectors(
        [{"value": "Widgets", "fr": "Gadgets", "zh": "小部件", "synonyms": ["gizmos"]}, "Services"]
    )
    acc = crm_file.accounts.add(name="A", sector="gizmos")
    assert crm_file.accounts.get(acc).sector == "Widgets"
    report = crm_file.validate(crm_file.accounts.df().assign(sector=["Software"]), "accounts")
    assert list(report.warnings["check"]) == ["vocabulary(sector)"]
    path = crm_file.path
    crm_file.close()
    with ck.open(path) as again:
        assert again.settings.sectors.values == ["Widgets", "Services"]
        again.settings.reset_sectors()
        assert "Software" in again.settings.sectors.values
    with ck.open() as other, pytest.raises(ck.ValidationError, match="unique"):
        other.settings.set_sectors(["A", "a"])


def test_default_currency_and_region(crm: ck.CRM) -> None:
    crm.settings.default_currency = "usd"
    acc = crm.accounts.add(name="A", annual_revenue=10)
    assert crm.accounts.get(acc).currency == "USD"
    with pytest.raises(ck.UnknownValueError) as err:
        crm.settings.default_currency = "EURO"
    assert err.value.suggestion == "EUR"
    crm.settings.default_region = "gb"
    cid = crm.contacts.add(last_name="Smith", mobile="07700 900123")
    assert crm.contacts.get(cid).mobile == "+447700900123"
    with pytest.raises(ck.UnknownValueError):
        crm.settings.default_region = "ZZ"
    assert "currency=USD" in repr(crm.settings)


def test_demo_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.duckdb"
    assert main(["--db", str(db), "demo", "--samples", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    assert "Rows per table" in out and "1M-10M" in out and "ImportReport" in out
    with ck.open(db, read_only=True) as crm:
        assert len(crm.contacts) > 250 and len(crm.accounts) > 50


def test_cli_errors_have_no_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--db", str(tmp_path / "x.duckdb"), "demo", "--samples", str(tmp_path / "nowhere")])
        == 1
    )
    err = capsys.readouterr().err
    assert err.startswith("crmkit: error:") and "Traceback" not in err
    assert main(["no-such-command"]) == 2
