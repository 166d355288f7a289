"""The data-quality report (crmkit._ops._quality*, ``crm.quality``): figures known
exactly on crafted messy records in a real DuckDB file, pandas and polars frames, groups,
the duplicates report, the trend replayed from history, HTML in three languages, and bad
input refused with a message naming it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import crmkit as ck
from crmkit._dedupe import DuplicateReport
from crmkit._ops._quality import stale_cutoff
from crmkit._ops._quality_trend import fill_trend

# Stored as they are (written past the normalisers, as data loaded by other tools is):
# id, first_name, last_name, gender, email, mobile, country, website, city, owner, age
_MESSY = [
    ("jean", "DUPONT", "M", "j@ex.com", "06 25 34 12 57", "FR", "https://ex.com", " Paris"),
    ("Anne", "Martin", "Q", "not-an-email", "+33625341257", "France", "ex.com", "Lyon  Est"),
    (None, "Durand", None, "J@EX.com", None, None, None, "Lille"),
    ("Paul", "", None, None, None, None, None, None),
]


@pytest.fixture
def crm(tmp_path: Path) -> ck.CRM:
    """Four messy contacts: the last one two years old, two owners."""
    crm = ck.open(tmp_path / "quality.duckdb", user="Nicole Bertrand")
    sales = crm.owners.add("Sales")
    team_member = crm.owners.add("Ana", team="Sales")
    now = datetime.now().replace(microsecond=0)
    for i, row in enumerate(_MESSY):
        owner = team_member if i < 2 else sales
        updated = now - timedelta(days=800 if i == 3 else 1)
        crm.connection.execute(
            "INSERT INTO contacts (first_name, last_name, gender, email, mobile, country, "
            "website, city, owner_id, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*row, owner, updated, updated],
        )
    yield crm
    crm.close()


def _fields(report: ck.QualityReport) -> pd.DataFrame:
    return report.df().set_index("field")


def test_fill_rate_and_conformance_per_field(crm: ck.CRM) -> None:
    fields = _fields(crm.quality("contacts"))
    expected = {  # field: (filled, nonconforming, spacing)
        "first_name": (3, 1, 0),  # "jean": all lower case
        "last_name": (3, 1, 0),  # "" is not filled; "DUPONT": all caps
        "gender": (2, 1, 0),  # "Q" is not in the vocabulary
        "email": (3, 1, 0),
        "mobile": (2, 1, 0),  # "06 25 ..." is not E.164
        "country": (2, 1, 0),  # "France" is not an ISO code
        "website": (2, 1, 0),  # no scheme
        "city": (3, None, 2),  # " Paris", "Lyon  Est"
    }
    for name, (filled, bad, spacing) in expected.items():
        row = fields.loc[name]
        assert int(row["records"]) == 4
        assert (int(row["filled"]), row["spacing"]) == (filled, spacing), name
        assert row["fill_rate"] == pytest.approx(filled / 4)
        if bad is None:
            assert pd.isna(row["check"]) or row["check"] is None
            assert pd.isna(row["nonconforming"])
        else:
            assert int(row["nonconforming"]) == bad, name
            assert row["conformance"] == pytest.approx(1 - bad / filled)
    assert pd.isna(fields.loc["notes", "spacing"])  # prose: its spaces are no flaw
    assert fields.loc["mobile", "check"] == "phone"
    assert fields.loc["last_name", "check"] == "name_case"
    assert bool(fields.loc["last_name", "required"])


def test_groups_duplicates_stale_and_missing(crm: ck.CRM) -> None:
    report = crm.quality("contacts", stale_after="12 months")
    groups = report.groups_df()
    assert groups.to_dict("records") == [
        {
            "records": 4,
            "duplicates": 2,  # j@ex.com twice, case and all
            "duplicate_share": 0.5,
            "stale": 1,
            "missing_required": 1,  # the empty last name
            "no_email_basis": 4,  # consent: test_consent.py
        }
    ]
    assert report.duplicates_method == "exact"
    assert crm.quality("contacts", stale_after="900 days").groups_df()["stale"].item() == 0


def test_duplicates_from_a_report(crm: ck.CRM) -> None:
    ids = crm.sql("SELECT id FROM contacts ORDER BY id").df()["id"].tolist()
    duplicates = DuplicateReport(pd.DataFrame(), [[ids[1], ids[3]]], 0.9, "crmkit", {})
    report = crm.quality("contacts", duplicates=duplicates)
    assert report.duplicates_method == "report"
    assert report.groups_df()["duplicates"].item() == 2
    assert "duplicates report" in repr(report)


def test_by_owner_and_team(crm: ck.CRM) -> None:
    by_owner = crm.quality("contacts", by="owner")
    groups = by_owner.groups_df().set_index("owner")
    assert groups["records"].to_dict() == {"Ana": 2, "Sales": 2}
    assert groups.loc["Sales", "stale"] == 1
    mobile = by_owner.df().set_index(["owner", "field"]).loc[("Ana", "mobile")]
    assert (int(mobile["filled"]), int(mobile["nonconforming"])) == (2, 1)
    by_team = crm.quality("contacts", by="team").groups_df()
    # Sales itself belongs to no team
    assert dict(zip(by_team["team"], by_team["records"], strict=True)) == {"Sales": 2, None: 2}
    assert by_team["records"].sum() == 4


def test_by_source_names_the_imported_file(crm: ck.CRM, tmp_path: Path) -> None:
    path = tmp_path / "fair.csv"
    path.write_text("last_name,email\nBlou,b@aprool.com\nKahn,k@aprool.com\n", encoding="utf-8")
    crm.import_file(path, "contacts")
    groups = crm.quality("contacts", by="source").groups_df()
    counts = dict(zip(groups["source"], groups["records"], strict=True))
    assert counts[str(path)] == 2
    assert counts[None] == 4  # not imported


def test_no_records_in_groups(tmp_path: Path) -> None:
    with ck.open(tmp_path / "empty.duckdb") as empty:
        report = empty.quality("accounts", by="owner")
        assert report.df().empty and list(report.df().columns)[:2] == ["owner", "field"]
        assert report.groups_df().empty
        assert "0 records" in repr(report) and "<svg" in report._repr_html_()
        assert empty.quality("accounts").groups_df()["records"].tolist() == [0]


def test_shared_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    with ck.open(path) as crm:
        crm.contacts.add(last_name="Blou", mobile="+33625341257")
    with ck.open(path, shared=True) as shared:
        report = shared.quality("contacts")
        assert report.groups_df()["records"].item() == 1
        assert report.trend("mobile")["filled"].iloc[-1] == 1  # after the operation ended
        assert shared.contacts.quality_scores()["quality_score"].item() > 0


def test_pandas_and_polars_frames_agree(crm: ck.CRM) -> None:
    report = crm.quality("contacts", by="owner")
    frame = report.df()
    polars = report.pl()
    assert isinstance(polars, pl.DataFrame)
    assert polars.columns == list(frame.columns)
    assert polars["filled"].to_list() == frame["filled"].tolist()
    assert frame.columns[0] == "owner"


def test_accounts(crm: ck.CRM) -> None:
    crm.accounts.add(name="APROOL", website="aprool.com", sector="Banking")
    crm.accounts.add(name="aprool", billing_country="FR")
    report = crm.quality("accounts")
    fields = _fields(report)
    assert int(fields.loc["name", "nonconforming"]) == 2  # both all caps / lower case
    assert report.groups_df()["duplicates"].item() == 2  # same folded name


def test_by_sector_and_a_column_of_the_view(crm: ck.CRM) -> None:
    bank = crm.accounts.add(name="Aprool", sector="Banking")
    crm.contacts.add(last_name="Blou", account_id=bank)
    crm.contacts.add(last_name="Kahn", account_id=bank)
    by_sector = crm.quality("contacts", by="sector").groups_df()
    assert dict(zip(by_sector["sector"], by_sector["records"], strict=True)) == {
        "Banking": 2,
        None: 4,
    }
    by_company = crm.quality("contacts", by="company").groups_df()  # computed by the view
    assert dict(zip(by_company["company"], by_company["records"], strict=True)) == {
        "Aprool": 2,
        None: 4,
    }
    deleted = crm.contacts.add(last_name="Gone")
    crm.contacts.delete(deleted)
    assert crm.quality("contacts").groups_df()["records"].item() == 6  # live records only


def test_trend_replays_history(crm: ck.CRM) -> None:
    record = crm.contacts.add(last_name="Blou")
    crm.contacts.update(record, mobile="+33625341257")
    crm.contacts.update(record, mobile=None)
    con = crm.connection
    con.execute("UPDATE contacts SET created_at = TIMESTAMP '2026-01-15' WHERE id = ?", [record])
    con.execute("UPDATE contacts SET created_at = TIMESTAMP '2027-01-01' WHERE id <> ?", [record])
    batches = [
        r[0]
        for r in con.execute(
            "SELECT batch_id FROM history WHERE record_id = ? AND field = 'mobile' "
            "ORDER BY batch_id",
            [record],
        ).fetchall()
    ]
    for batch, when in zip(batches, ("2026-03-10", "2026-05-20"), strict=True):
        con.execute(
            "UPDATE history SET changed_at = CAST(? AS TIMESTAMP) WHERE batch_id = ?",
            [when, batch],
        )
    trend = fill_trend(crm._session, "contacts", "mobile", months=12, now=datetime(2026, 6, 15))
    assert trend["month"].tolist() == ["2026-01", "2026-02", "2026-03", "2026-04",
                                       "2026-05", "2026-06"]  # fmt: skip
    assert trend["records"].tolist() == [1] * 6
    assert trend["filled"].tolist() == [0, 0, 1, 1, 0, 0]
    assert crm.quality("contacts").trend("mobile")["month"].iloc[-1] == datetime.now().strftime(
        "%Y-%m"
    )


def test_trend_counts_deleted_records_until_deleted(crm: ck.CRM) -> None:
    record = crm.contacts.add(last_name="Blou", mobile="+33625341257")
    con = crm.connection
    con.execute("DELETE FROM contacts WHERE id <> ?", [record])
    con.execute(
        "UPDATE contacts SET created_at = TIMESTAMP '2026-01-15', "
        "deleted_at = TIMESTAMP '2026-03-02' WHERE id = ?",
        [record],
    )
    trend = fill_trend(crm._session, "contacts", "mobile", now=datetime(2026, 4, 15))
    assert trend["records"].tolist() == [1, 1, 0, 0]
    assert trend["filled"].tolist() == [1, 1, 0, 0]


def test_html_and_file_in_every_language(crm: ck.CRM, tmp_path: Path) -> None:
    report = crm.quality("contacts", by="owner")
    for lang, label, heading in (
        ("en", "Mobile", "Fill rate"),
        ("fr", "Portable", "Taux de remplissage"),
        ("zh", "手机", "填充率"),
    ):
        with ck.config_context(lang=lang):
            page = report._repr_html_()
            assert label in page and heading in page
            assert "<svg" in page and "<script" not in page
            assert label in repr(report)
            path = report.write_html(tmp_path / f"quality_{lang}.html")
            text = path.read_text(encoding="utf-8")
            assert text.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in text


@pytest.mark.parametrize(
    ("keywords", "named"),
    [
        ({"kind": "leads"}, "leads"),
        ({"kind": "contacts", "by": "shoe_size"}, "shoe_size"),
        ({"kind": "contacts", "stale_after": "soon"}, "soon"),
        ({"kind": "contacts", "stale_after": -3}, "-3"),
    ],
)
def test_bad_input_names_it(crm: ck.CRM, keywords: dict[str, object], named: str) -> None:
    for lang in ("en", "fr", "zh"):
        with ck.config_context(lang=lang), pytest.raises(ck.CRMKitError, match=named) as info:
            crm.quality(**keywords)  # type: ignore[arg-type]
        assert named in str(info.value)


def test_unknown_trend_field(crm: ck.CRM) -> None:
    with pytest.raises(ck.CRMKitError, match="mobil"):
        crm.quality("contacts").trend("mobil")


def test_stale_cutoff_months_end() -> None:
    assert stale_cutoff("1 month", datetime(2026, 3, 31))[0] == datetime(2026, 2, 28)
    assert stale_cutoff("2 years", datetime(2028, 2, 29))[0] == datetime(2026, 2, 28)
    assert stale_cutoff("6 weeks", datetime(2026, 3, 31))[0] == datetime(2026, 2, 17)


def test_scores_per_record(crm: ck.CRM) -> None:
    weights = {"last_name": 2, "mobile": 2, "email": 0}
    scores = crm.contacts.quality_scores(weights=weights).set_index("id")
    ids = sorted(scores.index)
    # DUPONT: a last name in ALL CAPS and a mobile not in E.164 bring half each: 2 / 4.
    assert scores.loc[ids[0], "quality_score"] == 50
    assert pd.isna(scores.loc[ids[0], "quality_missing"])
    # Martin, +33625341257: everything in form.
    assert scores.loc[ids[1], "quality_score"] == 100
    # Paul: empty last name, no mobile.
    assert scores.loc[ids[3], "quality_score"] == 0
    assert scores.loc[ids[3], "quality_missing"] == "Last name, Mobile"
    with ck.config_context(lang="fr"):
        french = crm.contacts.quality_scores(weights=weights, as_="polars")
    assert isinstance(french, pl.DataFrame)
    assert french.filter(pl.col("id") == ids[3])["quality_missing"].item() == "Nom, Portable"


def test_scores_of_a_selection_with_default_weights(crm: ck.CRM) -> None:
    chosen = crm.contacts.filter(last_name="Martin")
    scores = crm.contacts.quality_scores(chosen)
    assert len(scores) == 1
    assert 0 < scores["quality_score"].item() < 100
    assert "Account" in scores["quality_missing"].item()


def test_scores_as_columns_of_df_on_request(crm: ck.CRM) -> None:
    """``df(quality=True)`` / ``pl(quality=True)``: the records with their score and
    missing text as last columns, the same as quality_scores; without it, no such column."""
    plain = crm.contacts.df()
    assert "quality_score" not in plain and "quality_score" not in crm.contacts.pl().columns
    scores = crm.contacts.quality_scores()
    frame = crm.contacts.df(quality=True)
    assert list(frame.columns) == [*plain.columns, "quality_score", "quality_missing"]
    assert frame["id"].tolist() == plain["id"].tolist()
    expected = scores.set_index("id").loc[frame["id"]]
    assert frame["quality_score"].tolist() == expected["quality_score"].tolist()
    assert frame["quality_missing"].fillna("").tolist() == (
        expected["quality_missing"].fillna("").tolist()
    )
    with ck.config_context(lang="fr"):
        polars = crm.contacts.pl(quality=True)
    assert isinstance(polars, pl.DataFrame)
    assert polars.columns[-2:] == ["quality_score", "quality_missing"]
    assert polars["quality_score"].to_list() == frame["quality_score"].tolist()
    assert "Nom" in polars.filter(pl.col("last_name") == "")["quality_missing"].item()


@pytest.mark.parametrize(
    ("weights", "named"),
    [({"shoe_size": 1}, "shoe_size"), ({"mobile": -1}, "-1"), ({"mobile": 0}, "0")],
)
def test_bad_weights(crm: ck.CRM, weights: dict[str, float], named: str) -> None:
    with pytest.raises(ck.CRMKitError, match=named):
        crm.contacts.quality_scores(weights=weights)


def test_names_without_letter_case_are_not_case_flaws(tmp_path: Path) -> None:
    """Chinese names have no capitals: neither the report nor the fixes call them flaws."""
    with ck.open(tmp_path / "cjk.duckdb") as crm:
        chinese = crm.contacts.add(first_name="芳", last_name="王")
        irish = crm.contacts.add(first_name="Zoé", last_name="O'Brien")
        crm.contacts.add(first_name="MARC", last_name="Dupont")
        fields = _fields(crm.quality("contacts"))
        assert int(fields.loc["last_name", "nonconforming"]) == 0
        assert int(fields.loc["first_name", "nonconforming"]) == 1  # MARC
        proposed = crm.contacts.suggest_fixes().df()
        assert proposed["current"].tolist() == ["MARC"]
        weights = {"first_name": 1, "last_name": 1}
        scores = crm.contacts.quality_scores(weights=weights).set_index("id")
        assert scores.loc[chinese, "quality_score"] == scores.loc[irish, "quality_score"] == 100
