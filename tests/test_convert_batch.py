"""Converting many leads looks their accounts up in one pass
(:meth:`crmkit._dedupe._index.DedupeIndex.similar_many`), with the links the per-lead
``crm.accounts.similar`` gave: the same accounts, the same probabilities."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from lead_samples import add_leads

import crmkit as ck
from crmkit._dedupe import DEFAULT_THRESHOLD, DedupeIndex
from crmkit._importing._convert import _domain
from crmkit._normalize._columns import company_key_column
from crmkit._ops._duplicates import duplicates_of


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("convert") / "crm.duckdb"
    with ck.open(path) as crm:
        ids = add_leads(crm, accounts=600, leads=200)
        yield crm, ids


def _one_at_a_time(crm: ck.CRM, lead: dict[str, Any]) -> tuple[int, float] | None:
    """The old path's answer for one lead: ``crm.accounts.similar`` (limit 1), kept at
    the threshold."""
    domain = _domain(lead["website"], lead["email"])
    found = crm.accounts.similar(
        limit=1, name=lead["company_name"], **({"website": domain} if domain else {})
    )
    if found.empty or float(found["probability"].iloc[0]) < DEFAULT_THRESHOLD:
        return None
    return int(found["id"].iloc[0]), float(found["probability"].iloc[0])


def test_batch_links_the_leads_the_per_lead_path_linked(sample: Any) -> None:
    crm, ids = sample
    report = crm.contacts.convert(ids, dry_run=True)
    rows = report.df()
    assert rows["contact"].tolist() == ids  # the report keeps the order asked
    leads = crm.contacts.df().set_index("id").loc[ids].reset_index()
    keys = company_key_column(leads["company_name"].tolist())
    stored = set(company_key_column(crm.accounts.df()["name"].tolist()))
    seen_created: set[str] = set()
    counts = {"matched": 0, "similar": 0, "created": 0}
    for row, lead, key in zip(rows.to_dict("records"), leads.to_dict("records"), keys, strict=True):
        counts[row["action"]] += 1
        if row["action"] == "matched":
            assert key in stored
            continue
        old = _one_at_a_time(crm, lead)
        if row["action"] == "similar":
            assert old is not None, row
            assert (row["account"], row["reason"]) == (old[0], f"p={old[1]:.2f}")
        else:  # a new company: none similar enough, or one an earlier lead of the call named
            assert row["action"] == "created"
            assert old is None or row["account_name"] in seen_created, row
            seen_created.add(row["account_name"])
    # The sample goes every way: exact keys, typos found by the engine, new companies.
    assert min(counts.values()) >= 10, counts


def test_best_is_similar_for_each_lead(sample: Any) -> None:
    crm, ids = sample
    leads = crm.contacts.df().set_index("id").loc[ids].reset_index().to_dict("records")
    typed = []
    for lead in leads:
        domain = _domain(lead["website"], lead["email"])
        typed.append({"name": lead["company_name"], **({"website": domain} if domain else {})})
    found = duplicates_of(crm._session, "accounts").best(typed, 0.05)
    for fields, best in zip(typed, found, strict=True):
        one = crm.accounts.similar(limit=1, **fields)
        expected = None if one.empty else (int(one["id"].iloc[0]), one["probability"].iloc[0])
        assert best == expected, fields


def test_a_deleted_account_is_not_linked(tmp_path: Any) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        kept = crm.accounts.add(name="Liberty Harbor Care Ltd", website="liberty-harbor.co.uk")
        gone = crm.accounts.add(name="Xylonium Conseil SAS", website="xylonium-conseil.fr")
        crm.accounts.delete(gone)
        leads = pl.DataFrame(
            {
                "id": [
                    crm.contacts.add(
                        last_name="Lee",
                        lifecycle_stage="lead",
                        company_name=name,
                        website=site,
                    )
                    for name, site in (
                        ("Liberty Harbor Crae", "https://www.liberty-harbor.co.uk"),
                        ("Xylonium Cnoseil", "http://xylonium-conseil.fr/"),
                    )
                ]
            }
        )
        report = crm.contacts.convert(leads)  # a polars frame of ids
        assert report.df()["action"].tolist() == ["similar", "created"]
        assert report.pl()["account"][0] == kept
        assert gone not in report.accounts_created
        crm.undo(report.batch_id)
        assert len(crm.accounts) == 1


def test_the_progress_bar(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with ck.open(tmp_path / "crm.duckdb") as crm:
        crm.accounts.add(name="Acme SAS")
        lead = crm.contacts.add(last_name="Lee", lifecycle_stage="lead", company_name="Akme")
        crm.contacts.convert([lead], dry_run=True, progress=True)
        assert "convert" in capsys.readouterr().err
        crm.contacts.convert([lead], dry_run=True)  # one lead: no bar by default
        assert "convert" not in capsys.readouterr().err


_ACCOUNTS = pd.DataFrame(
    {
        "id": list(range(1, 9)),
        "name": [
            "Aprool",
            "Blue Widgets Ltd",
            "Baker & Sons",
            "Méroatek SAS",
            "Highpath Systems",
            "Noviant Insurance plc",
            "Domiet",
            "Galania Solaire SA",
        ],
        "website": [
            "aprool.com",
            "bluewidgets.co.uk",
            None,
            "meroatek.com",
            "highpath-systems.co.uk",
            "noviant-insurance.com",
            "domiet.fr",
            None,
        ],
    }
)

_NAMES = st.sampled_from([*_ACCOUNTS["name"], "Zeta Corp", "Baker and Sons", "APROOL SA"])


@st.composite
def _typed(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(_NAMES)
    if draw(st.booleans()) and len(name) > 3:  # a typo: two letters swapped
        at = draw(st.integers(0, len(name) - 2))
        name = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    record: dict[str, Any] = {"name": name}
    site = draw(st.sampled_from([None, *(s for s in _ACCOUNTS["website"] if s)]))
    if site is not None:
        record["website"] = site
    return record


@pytest.fixture(scope="module")
def index() -> DedupeIndex:
    return DedupeIndex.build(_ACCOUNTS, "accounts")


@settings(max_examples=examples(60))
@given(records=st.lists(_typed(), max_size=8))
def test_similar_many_scores_each_record_as_similar_alone(
    index: DedupeIndex, records: list[dict[str, Any]]
) -> None:
    found = index.similar_many(records)
    assert found["record"].is_monotonic_increasing
    for n, record in enumerate(records):
        alone = index.similar(record, limit=len(index))
        mine = found[found["record"] == n]
        assert mine["id"].tolist() == alone["id"].tolist()
        assert mine["probability"].tolist() == alone["probability"].tolist()


def test_similar_many_refuses_a_bad_probability(index: DedupeIndex) -> None:
    with pytest.raises(ck.ValidationError, match="min_probability"):
        index.similar_many([{"name": "Aprool"}], min_probability=1.5)


def test_many_leads_of_one_company_score_as_one_alone(index: DedupeIndex) -> None:
    # A trade fair: forty leads of one company. Each scores as if typed alone; the others
    # do not make the name look common (DedupeIndex.check counts them: 0.99999 for one
    # record, 0.973 for forty on 3,000 generated accounts).
    record = {"name": "Noviant Insurance plc", "website": "noviant-insurance.com"}
    alone = index.similar(record, limit=1)
    found = index.similar_many([record] * 40)
    assert found.groupby("record")["id"].first().tolist() == [alone["id"].iloc[0]] * 40
    firsts = found.groupby("record")["probability"].first()
    assert (firsts == alone["probability"].iloc[0]).all()


def test_a_dry_run_shows_whole_account_ids_beside_new_companies() -> None:
    with ck.open() as crm:
        acc = crm.accounts.add(name="Aprool")
        known = crm.contacts.add(last_name="Blou", company_name="Aprool", lifecycle_stage="lead")
        new = crm.contacts.add(last_name="Roy", company_name="Zyxwa", lifecycle_stage="lead")
        report = crm.contacts.convert([known, new], dry_run=True)
        accounts = dict(zip(report.rows["contact"], report.rows["account"], strict=True))
        assert accounts[known] == acc and type(accounts[known]) is int
        assert accounts[new] is None
