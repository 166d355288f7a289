"""``merge_all`` at scale (issue 13, part 8): many groups merged set-wise in one batch.

The merge reads every record in one query, computes the survivors in Python, validates the
changed ones at once and writes them with one update, ``merged_into`` with another and each
reference with one ``Store.repoint``. These tests check that it does what the merge of
one group at a time did, on real DuckDB: same survivors and values, references re-pointed,
one batch that undo restores exactly, errors that name the group, integrity still enforced.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pyarrow as pa
import pytest

import crmkit as ck
from crmkit._dedupe import DuplicateReport
from crmkit._ops._merge import merge_groups

# Fields an undo or a merge stamps; everything else must come back exactly.
STAMPS = ["updated_at", "updated_by"]


def _people(crm: ck.CRM, n_groups: int, size: int = 3) -> list[list[int]]:
    """``n_groups`` groups of ``size`` contacts describing one person each, with values
    that differ from record to record (phones, titles, tags, cities)."""
    groups = []
    for g in range(n_groups):
        ids = []
        for k in range(size):
            ids.append(
                crm.contacts.add(
                    first_name=f"Jean{g}",
                    last_name=f"Martin{g}",
                    email=f"jean.martin{g}@x{k}.fr" if k != 1 else None,
                    job_title=["CTO", None, "DSI"][k % 3],
                    city=None if k == 0 else ["Lyon", "Paris"][k % 2],
                    tags=[f"t{k}"],
                    phone=f"+3314268{g:03d}{k}" if k != 2 else None,
                )
            )
        groups.append(ids)
    return groups


def _snapshot(crm: ck.CRM) -> dict[str, pd.DataFrame]:
    return {
        name: crm.sql(f"SELECT * FROM {name} ORDER BY id").df().drop(columns=STAMPS)
        for name in ("contacts", "accounts", "subscriptions")
    }


def _report(groups: list[list[int]], probability: float = 1.0) -> DuplicateReport:
    pairs = [(a, b, probability) for g in groups for a, b in itertools.combinations(sorted(g), 2)]
    frame = pd.DataFrame(pairs, columns=["id_a", "id_b", "probability"])
    return DuplicateReport(frame, [list(g) for g in groups], 0.9, "crmkit", {})


def _history_of(crm: ck.CRM, batch: int) -> pd.DataFrame:
    return crm.sql(
        f"SELECT table_name, record_id, field FROM history WHERE batch_id = {int(batch)}"
    ).df()


def test_many_groups_merge_in_one_batch_that_undo_restores_exactly(crm: ck.CRM) -> None:
    groups = _people(crm, 40)
    losers = [i for g in groups for i in g[1:]]
    boss_of = [
        crm.contacts.add(last_name=f"Aide{n}", reports_to_id=i) for n, i in enumerate(losers)
    ]
    crm.settings.require_email_basis = False  # consent: test_consent.py
    crm.contacts.all().filter(ids=[g[2] for g in groups]).subscribe("News")  # by email
    before = _snapshot(crm)
    batches = len(crm.batches())
    report = crm.contacts.merge_all(_report(groups), min_probability=0.5, prefer="oldest")
    assert len(crm.batches()) == batches + 1 and crm.batches()["id"].iloc[0] == report.batch_id
    assert len(report.merges) == 40 and report.merged_count == 80
    for group, row in zip(groups, report.merges.to_dict("records"), strict=True):
        assert row["survivor"] == group[0] and sorted(row["merged"]) == group[1:]
        for loser in group[1:]:
            assert crm.contacts.get(loser).merged_into == group[0]
        kept = crm.contacts.get(group[0])
        assert kept.city == "Paris" and kept.job_title == "CTO"  # filled by "oldest"
        assert kept.tags == ["t0", "t1", "t2"]
    survivor_of = {i: g[0] for g in groups for i in g}
    for aide, loser in zip(boss_of, losers, strict=True):
        assert crm.contacts.get(aide).reports_to_id == survivor_of[loser]
    assert report.repointed == {"contacts.reports_to_id": 80, "subscriptions.contact_id": 40}
    subscribed = crm.sql("SELECT contact_id FROM subscriptions").df()["contact_id"]
    assert set(subscribed) <= {g[0] for g in groups}
    # Each field of each record is written once in the batch: undo has one old value.
    history = _history_of(crm, report.batch_id)
    assert not history.duplicated().any()
    crm.undo(report.batch_id)
    after = _snapshot(crm)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame)


def test_set_wise_merge_gives_what_one_group_at_a_time_gives() -> None:
    with ck.open(user="Nicole Bertrand") as together, ck.open(user="Nicole Bertrand") as apart:
        groups = _people(together, 12)
        assert _people(apart, 12) == groups
        for prefer in ("complete", "oldest"):
            both = merge_groups(together._session, "contacts", groups, prefer=prefer)
            one_by_one = [
                merge_groups(apart._session, "contacts", [g], prefer=prefer) for g in groups
            ]
            assert both.merges.to_dict("records") == [
                r.merges.to_dict("records")[0] for r in one_by_one
            ]
            columns = ["id", *(f.name for f in ck.schemas.CONTACTS.editable), "merged_into"]
            pd.testing.assert_frame_equal(_all(together, columns), _all(apart, columns))
            together.undo(both.batch_id)
            for r in reversed(one_by_one):
                apart.undo(r.batch_id)


def _all(crm: ck.CRM, columns: list[str]) -> pd.DataFrame:
    return crm.sql(f"SELECT {', '.join(columns)} FROM contacts ORDER BY id").df()


def test_a_link_to_a_record_merged_in_another_group_goes_to_its_survivor(crm: ck.CRM) -> None:
    a1 = crm.contacts.add(last_name="A")
    a2 = crm.contacts.add(last_name="A")
    b1 = crm.contacts.add(last_name="B", reports_to_id=a2)  # points at a loser of group A
    b2 = crm.contacts.add(last_name="B")
    report = merge_groups(crm._session, "contacts", [[b1, b2], [a1, a2]], prefer="oldest")
    assert crm.contacts.get(b1).reports_to_id == a1
    assert crm.contacts.get(a2).merged_into == a1 and crm.contacts.get(b2).merged_into == b1
    assert "reports_to_id" in report.merges["fields_changed"].iloc[0]
    assert not _history_of(crm, report.batch_id).duplicated().any()
    crm.undo(report.batch_id)
    assert crm.contacts.get(b1).reports_to_id == a2
    assert crm.contacts.get(a2).merged_into is None


def test_a_rule_broken_by_one_group_stops_the_batch_and_names_the_group(crm: ck.CRM) -> None:
    good = [crm.accounts.add(name="Aprool"), crm.accounts.add(name="APROOL SAS")]
    bad = [crm.accounts.add(name="Blou", employees=10), crm.accounts.add(name="BLOU")]
    before = _snapshot(crm)
    batches = len(crm.batches())
    with pytest.raises(ck.ValidationError) as caught:
        merge_groups(
            crm._session,
            "accounts",
            [good, bad],
            prefer="oldest",
            values={"employees_range_min": 50, "employees_range_max": 20},
        )
    message = str(caught.value)
    assert message.startswith("account not saved: ")
    assert f"account {good[0]} (merging {good[1]})" in message
    assert f"account {bad[0]} (merging {bad[1]})" in message
    assert "Headcount range from: more than Headcount range to ('50')" in message
    cases = caught.value.failure_cases
    assert cases is not None and set(cases["survivor"]) == {good[0], bad[0]}
    assert len(crm.batches()) == batches
    for name, frame in before.items():
        pd.testing.assert_frame_equal(_snapshot(crm)[name], frame)


def test_a_merge_that_makes_a_loop_is_refused_whole(crm: ck.CRM) -> None:
    c = crm.contacts.add(last_name="C")
    b = crm.contacts.add(last_name="B", reports_to_id=c)
    a = crm.contacts.add(last_name="A", reports_to_id=b)
    x, y = crm.contacts.add(last_name="X"), crm.contacts.add(last_name="X")
    before = _snapshot(crm)
    with pytest.raises(ck.ParentCycleError):
        # a (the most recent) survives, c merges into it: b -> a -> b
        merge_groups(crm._session, "contacts", [[x, y], [a, c]], prefer="recent")
    for name, frame in before.items():
        pd.testing.assert_frame_equal(_snapshot(crm)[name], frame)


def test_a_record_in_two_groups_is_refused(crm: ck.CRM) -> None:
    a, b, c = (crm.contacts.add(last_name=n) for n in "ABC")
    with pytest.raises(ck.ValidationError, match=f"contact {b} is in two groups"):
        merge_groups(crm._session, "contacts", [[a, b], [b, c]])


def test_merge_all_picks_clusters_by_mean_probability_and_live_members(crm: ck.CRM) -> None:
    ids = [crm.contacts.add(last_name=f"N{i}", email=f"n{i}@x.fr") for i in range(11)]
    strong, weak, gone, partly = ids[0:3], ids[3:5], ids[5:7], ids[7:11]
    crm.contacts.delete(gone[0])
    crm.contacts.merge([partly[0], partly[1]], survivor=partly[0])  # partly[1] merged away
    pairs = [
        (strong[0], strong[1], 0.99),
        (strong[0], strong[2], 0.97),
        (strong[1], strong[2], 0.95),
        (weak[0], weak[1], 0.6),
        (gone[0], gone[1], 1.0),
        (partly[0], partly[1], 0.1),  # leaves with the merged-away record
        (partly[0], partly[2], 0.98),
        (partly[2], partly[3], 0.96),
        (strong[0], partly[0], 0.2),  # across two clusters: counts for neither
    ]
    report = DuplicateReport(
        pd.DataFrame(pairs, columns=["id_a", "id_b", "probability"]),
        [strong, weak, gone, partly],
        0.9,
        "crmkit",
        {},
    )
    merged = crm.contacts.merge_all(report)
    assert [sorted([r["survivor"], *r["merged"]]) for r in merged.merges.to_dict("records")] == [
        strong,
        [partly[0], partly[2], partly[3]],
    ]
    assert merged.skipped.to_dict("records") == [
        {"cluster": f"{weak[0]}, {weak[1]}", "reason": "mean probability 0.60 < 0.95"},
        {"cluster": f"{gone[0]}, {gone[1]}", "reason": "already merged or deleted"},
    ]


def test_merge_all_keeps_an_owner_a_record_had_even_deactivated(crm: ck.CRM) -> None:
    crm.owners.add("Bruno Petit")
    a = crm.contacts.add(last_name="Blou", email="h@a.fr", owner=None)
    b = crm.contacts.add(last_name="Blou", email="h@a.fr", owner="Bruno Petit")
    crm.contacts.update(a, owner=None)
    crm.owners.deactivate("Bruno Petit")
    merged = crm.contacts.merge_all(_report([[a, b]]), prefer="oldest")
    assert merged.survivor == a
    assert crm.contacts.get(a).owner_id == crm.owners.resolve("Bruno Petit")


def test_the_progress_bar(crm: ck.CRM, capsys: pytest.CaptureFixture[str]) -> None:
    groups = _people(crm, 3, size=2)
    crm.contacts.merge_all(_report(groups[:1]), progress=True)
    assert "merge contacts" in capsys.readouterr().err
    crm.contacts.merge_all(_report(groups[1:]))  # a few groups: no bar by default
    assert "merge contacts" not in capsys.readouterr().err


def test_store_repoint(crm: ck.CRM) -> None:
    a, b, c = (crm.contacts.add(last_name=n) for n in "ABC")
    d = crm.contacts.add(last_name="D", reports_to_id=b)
    e = crm.contacts.add(last_name="E", reports_to_id=c)
    crm.contacts.update(a, reports_to_id=b)
    mapping = pa.table({"old": pa.array([b, c], pa.int64()), "new": pa.array([a, e], pa.int64())})
    store = crm._store
    with crm._session.batch("test") as batch:
        n = store.repoint("contacts", "reports_to_id", mapping, batch, crm.user, "merge")
        empty = mapping.slice(0, 0)
        assert store.repoint("contacts", "reports_to_id", empty, batch, crm.user) == 0
    assert n == 1  # a -> a and e -> e would point at themselves: left as they were
    assert crm.contacts.get(d).reports_to_id == a
    assert crm.contacts.get(a).reports_to_id == b and crm.contacts.get(e).reports_to_id == c
    history = crm.history(batch_id=batch)
    assert history[["operation", "record_id", "field", "old", "new"]].values.tolist() == [
        ["merge", d, "reports_to_id", b, a]
    ]
    crm.undo(batch)
    assert crm.contacts.get(d).reports_to_id == b
    with pytest.raises(KeyError), crm._session.batch("test") as batch:
        store.repoint("contacts", "nope", mapping, batch, crm.user)
