"""``dedupe`` and ``merge`` (``crmkit.cli._commands._duplicates``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit.cli import EXIT_ERROR, EXIT_OK


def test_dedupe_and_merge(
    run: Callable[..., int], db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        a = crm.contacts.add(last_name="Blou", first_name="Hélène", email="h@aprool.com")
        b = crm.contacts.add(last_name="BLOU", first_name="Helene", email="H@aprool.com")
        crm.contacts.add(last_name="Roy", first_name="Jean", email="j@roy.fr")
    assert run("dedupe", "--out", str(tmp_path / "pairs.csv")) == EXIT_OK
    out = capsys.readouterr().out
    assert "DuplicateReport(1 pair, 1 cluster" in out and "email exact" in out
    assert len(pd.read_csv(tmp_path / "pairs.csv")) == 1
    assert run("merge", str(a), str(b), "--survivor", str(a)) == EXIT_OK
    out = capsys.readouterr().out
    assert f"[{b}] -> {a}" in out
    batch = int(out.split("batch ")[1].split(")")[0])
    assert run("undo", str(batch)) == EXIT_OK
    assert run("merge", "--all", "--min-probability", "0.5") == EXIT_OK
    assert "MergeReport(contacts: 1 merge, 1 record merged away" in capsys.readouterr().out
    assert run("merge", str(a)) == EXIT_ERROR


def test_dedupe_prints_only_the_pairs_asked(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        crm.accounts.add(name="APROOL SAS", website="aprool.com")
        crm.accounts.add(name="Aprool", website="https://www.aprool.com")
    assert run("dedupe", "--kind", "accounts", "--show", "0") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("DuplicateReport(1 pair, 1 cluster") and "explanation" in out
    assert run("dedupe", "--search", "nobody") == EXIT_OK
    assert capsys.readouterr().out.startswith("DuplicateReport(0 pairs")


def test_merge_needs_two_ids_or_all(
    run: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("merge") == EXIT_ERROR
    assert capsys.readouterr().err == "crmkit: error: give two record ids or more, or --all\n"


def test_merge_dry_run_prints_the_survivor_and_writes_nothing(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        a = crm.contacts.add(last_name="Blou", first_name="Hélène", email="h@aprool.com")
        b = crm.contacts.add(
            last_name="Blou", first_name="Helene", email="helene@perso.fr", job_title="CFO"
        )
        batches = len(crm.batches())
    assert run("merge", str(a), str(b), "--survivor", str(a), "--dry-run") == EXIT_OK
    out = capsys.readouterr().out
    # The plan: the merged-away email kept as secondary_email, the job title filled from b.
    assert "secondary_email" in out and "helene@perso.fr" in out
    assert "job_title" in out and "CFO" in out and "filled" in out
    with ck.open(db, user="CLI", read_only=True) as crm:
        assert len(crm.batches()) == batches
        assert crm.contacts.get(b)["merged_into"] is None
        assert crm.contacts.get(a)["secondary_email"] is None


def test_dedupe_identity_person_lists_job_changes(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        crm.accounts.add(name="Aprool")
        crm.accounts.add(name="Bexa")
        for first, email, company, city in (
            ("Hélène", "helene.panescu@aprool.com", "Aprool", "Paris"),
            ("Helene", "hpanescu@bexa.fr", "Bexa", "Lyon"),
        ):
            crm.contacts.add(
                first_name=first,
                last_name="Panescu",
                email=email,
                company=company,
                city=city,
                birthday="1980-03-04",
            )
        crm.contacts.add(first_name="Jean", last_name="Roy", email="j@roy.fr", city="Nantes")
    assert run("dedupe", "--identity", "person") == EXIT_OK
    out = capsys.readouterr().out
    assert "identity='person', 1 job change" in out
    assert "company_old" in out and "Aprool" in out and "Bexa" in out
    assert run("dedupe") == EXIT_OK  # "person" is the default
    assert "identity='person', 1 job change" in capsys.readouterr().out
    assert run("dedupe", "--identity", "role") == EXIT_OK
    out = capsys.readouterr().out
    assert "job change" not in out
    assert run("dedupe", "--identity", "persons") != EXIT_OK


def test_merge_all_identity_person_merges_a_job_changer(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        crm.accounts.add(name="Aprool")
        crm.accounts.add(name="Bexa")
        for first, email, company, city in (
            ("Hélène", "helene.panescu@aprool.com", "Aprool", "Paris"),
            ("Helene", "hpanescu@bexa.fr", "Bexa", "Lyon"),
        ):
            crm.contacts.add(
                first_name=first,
                last_name="Panescu",
                email=email,
                company=company,
                city=city,
                birthday="1980-03-04",
            )
    argv = ["merge", "--all", "--identity", "person", "--min-probability", "0.5"]
    assert run(*argv) == EXIT_OK
    assert "1 merge" in capsys.readouterr().out
    with ck.open(db, user="CLI", read_only=True) as crm:
        assert len(crm.contacts) == 1
    assert run("merge", "--all", "--identity", "persons") != EXIT_OK


def test_dedupe_accuracy_prints_the_estimate_after_the_pairs(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        a = crm.contacts.add(last_name="Blou", first_name="Hélène", email="h@aprool.com")
        b = crm.contacts.add(last_name="BLOU", first_name="Helene", email="H@aprool.com")
        crm.contacts.add(last_name="Roy", first_name="Jean", email="j@roy.fr")
    assert run("dedupe") == EXIT_OK
    assert "precision" not in capsys.readouterr().out
    assert run("dedupe", "--accuracy") == EXIT_OK
    out = capsys.readouterr().out
    assert out.index("email exact") < out.index("Accuracy at threshold 0.9")
    assert "model estimate (no reviews)" in out
    assert "  precision " in out and "  recall " in out
    with ck.open(db, user="CLI") as crm:
        crm.contacts.mark_same(a, b)
    assert run("dedupe", "--accuracy") == EXIT_OK
    assert "from 1 reviewed pairs (1 same, 0 different)" in capsys.readouterr().out


def test_decide_stores_a_decision_the_next_dedupe_respects(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        a = crm.contacts.add(first_name="Hélène", last_name="Blou", email="hb@aprool.com")
        b = crm.contacts.add(first_name="Helene", last_name="BLOU", email="hb@aprool.com")
    assert run("dedupe") == EXIT_OK
    assert f"{a}" in capsys.readouterr().out
    assert run("decide", str(a), str(b), "different") == EXIT_OK
    assert "different" in capsys.readouterr().out
    with ck.open(db, user="CLI", read_only=True) as crm:
        decisions = crm.contacts.duplicate_decisions()
        assert decisions[["id_a", "id_b", "decision"]].values.tolist() == [[a, b, "different"]]
        assert crm.contacts.find_duplicates().pairs.empty  # never proposed again
    assert run("decide", str(a), "99", "same") != EXIT_OK
    assert "99" in capsys.readouterr().err


def test_dedupe_no_tf_weighs_common_values_like_rare_ones(
    run: Callable[..., int], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ck.open(db, user="CLI") as crm:
        crm.contacts.add_many(
            [{"first_name": f"Anna{i}", "last_name": f"Surname{i:03d}x"} for i in range(60)]
            + [{"first_name": f"Marc{i}", "last_name": "Ito"} for i in range(5)]
            + [{"first_name": "Sorin", "last_name": "Ito", "city": "Lyon"}] * 2
        )
    assert run("dedupe") == EXIT_OK
    assert "common last_name" in capsys.readouterr().out
    assert run("dedupe", "--no-tf") == EXIT_OK
    out = capsys.readouterr().out
    assert "explanation" in out  # the pairs are printed
    assert "common" not in out
