"""Merges that keep everything (issue 13, part 7).

The losing records' values never vanish: a second email address goes to
``secondary_email``, every other value that lost is in the report's ``conflicts`` and
stays on the merged-away record (which only gets ``merged_into``); ``dry_run=True`` shows
the survivor field by field with the record each value comes from and writes nothing;
``prefer`` takes rules such as ``"client_first"``, functions and lists of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit._ops._merge import CONFLICT_COLUMNS, PLAN_COLUMNS, merge_groups

STAMPS = ["updated_at", "updated_by"]


def _row(crm: ck.CRM, kind: str, record_id: int) -> dict[str, object]:
    frame = crm.sql(f"SELECT * FROM {kind} WHERE id = {int(record_id)}").df()
    return {k: v for k, v in frame.iloc[0].to_dict().items() if k not in STAMPS}


def _conflicts(report: ck.MergeReport) -> list[tuple[object, ...]]:
    return sorted(
        tuple(r) for r in report.conflicts[["field", "kept", "lost", "from_record"]].values
    )


# -- second email addresses --------------------------------------------------------------


def test_a_losing_email_goes_to_a_blank_secondary_email(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", email="hb@aprool.com")
    b = crm.contacts.add(last_name="Blou", email="helene@blou.fr")
    report = crm.contacts.merge([a, b], prefer="oldest")
    kept = crm.contacts.get(a)
    assert (kept.email, kept.secondary_email) == ("hb@aprool.com", "helene@blou.fr")
    assert report.conflicts.empty
    assert report.merges["fields_changed"].item() == ["secondary_email"]


def test_a_third_email_is_a_conflict_and_the_same_email_is_not(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", email="hb@aprool.com")
    b = crm.contacts.add(last_name="Blou", email="helene@blou.fr")
    c = crm.contacts.add(last_name="Blou", email="h.blou@gmail.com")
    d = crm.contacts.add(last_name="Blou", email="HB@aprool.com ".strip())
    report = crm.contacts.merge([a, b, c, d], prefer="oldest")
    kept = crm.contacts.get(a)
    assert (kept.email, kept.secondary_email) == ("hb@aprool.com", "helene@blou.fr")
    assert _conflicts(report) == [("email", "hb@aprool.com", "h.blou@gmail.com", c)]


def test_a_secondary_email_already_there_is_kept(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Roy", email="jr@x.fr", secondary_email="jean@roy.fr")
    b = crm.contacts.add(last_name="Roy", email="j.roy@y.fr")
    report = crm.contacts.merge([a, b], prefer="oldest")
    assert crm.contacts.get(a).secondary_email == "jean@roy.fr"
    assert _conflicts(report) == [("email", "jr@x.fr", "j.roy@y.fr", b)]


def test_secondary_email_given_by_values_is_not_overwritten(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Roy", email="jr@x.fr")
    b = crm.contacts.add(last_name="Roy", email="j.roy@y.fr")
    report = crm.contacts.merge([a, b], prefer="oldest", values={"secondary_email": None})
    assert crm.contacts.get(a).secondary_email is None
    assert _conflicts(report) == [("email", "jr@x.fr", "j.roy@y.fr", b)]


# -- conflicts and what the merged-away records keep ---------------------------------------


def test_losing_values_are_reported_and_stay_on_the_merged_record(crm: ck.CRM) -> None:
    acc = crm.accounts.add(name="APROOL")
    a = crm.contacts.add(
        last_name="Durand",
        job_title="CTO",
        phone="01 42 68 53 00",
        mobile="06 25 34 12 57",
        tags=["vip"],
        custom={"score": 1, "from": "a"},
    )
    b = crm.contacts.add(
        last_name="DURAND",  # the same name in capitals: not a lost value
        job_title="DSI",
        phone="06 25 34 12 57",  # a's mobile: kept, in another phone field
        home_phone="01 45 00 00 00",
        account_id=acc,
        tags=["salon"],
        custom={"score": 2},
    )
    before = _row(crm, "contacts", b)
    report = crm.contacts.merge([a, b], prefer="oldest")
    assert list(report.conflicts.columns) == CONFLICT_COLUMNS
    assert set(report.conflicts["survivor"]) == {a}
    assert _conflicts(report) == [("custom.score", 1, 2, b), ("job_title", "CTO", "DSI", b)]
    kept = crm.contacts.get(a)
    assert (kept.home_phone, kept.account_id, kept.tags) == ("+33145000000", acc, ["vip", "salon"])
    # The merged-away record keeps every value: only merged_into changes.
    after = _row(crm, "contacts", b)
    assert after.pop("merged_into") == a
    before.pop("merged_into")
    assert after == before
    assert crm.contacts.get(b).job_title == "DSI"
    # History has the survivor's old values and the merge's new ones.
    history = crm.history(batch_id=report.batch_id)
    changed = history[history["record_id"] == a].set_index("field")
    assert changed.loc["home_phone", "old"] is None
    assert changed.loc["home_phone", "new"] == "+33145000000"
    assert "job_title" not in changed.index


def test_a_value_replaced_by_take_or_values_is_a_conflict_of_the_survivor(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Durand", job_title="CTO", city="Lyon")
    b = crm.contacts.add(last_name="Durand", job_title="DSI")
    report = crm.contacts.merge([a, b], survivor=a, take={"job_title": b}, values={"city": "Nice"})
    assert (crm.contacts.get(a).job_title, crm.contacts.get(a).city) == ("DSI", "Nice")
    assert _conflicts(report) == [("city", "Nice", "Lyon", a), ("job_title", "DSI", "CTO", a)]
    history = crm.history(record_id=a, kind="contacts")
    assert history[history["field"] == "job_title"]["old"].tolist() == ["CTO"]


def test_conflicts_show_in_the_report(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Durand", job_title="CTO")
    b = crm.contacts.add(last_name="Durand", job_title="DSI")
    report = crm.contacts.merge([a, b], prefer="oldest")
    assert "1 value lost to the survivors (see .conflicts)" in repr(report)
    assert "DSI" in report._repr_html_()


def test_account_conflicts(crm: ck.CRM) -> None:
    a = crm.accounts.add(name="Aprool", phone="01 42 68 53 00", sector="Software")
    b = crm.accounts.add(name="APROOL SAS", fax="01 42 68 53 00", sector="Retail")
    report = crm.accounts.merge([a, b], prefer="oldest")
    assert _conflicts(report) == [
        ("name", "Aprool", "APROOL SAS", b),
        ("sector", "Software", "Retail", b),
    ]
    assert crm.accounts.get(a).fax == "+33142685300"


# -- dry runs ------------------------------------------------------------------------------


def test_a_dry_run_shows_the_survivor_and_writes_nothing(crm: ck.CRM) -> None:
    boss = crm.contacts.add(last_name="Boss")
    a = crm.contacts.add(last_name="Blou", email="hb@aprool.com", job_title="CTO", tags=["a"])
    b = crm.contacts.add(
        last_name="Blou", email="h@blou.fr", city="Lyon", tags=["b"], reports_to_id=a
    )
    crm.contacts.add(last_name="Aide", reports_to_id=b)
    counts, history = crm.counts(), len(crm.history())
    dry = crm.contacts.merge([a, b], prefer="oldest", dry_run=True)
    assert crm.counts() == counts and len(crm.history()) == history
    assert dry.dry_run and dry.batch_id is None and dry.survivor == a
    assert "dry run: nothing written" in repr(dry)
    assert list(dry.plan.columns) == PLAN_COLUMNS
    plan = dry.plan.set_index("field")
    assert set(plan.index) == {f.name for f in ck.schemas.CONTACTS.editable}

    def shown(name: str) -> tuple[object, object, str]:
        value, source, rule = plan.loc[name, ["value", "source", "rule"]]
        return value, None if pd.isna(source) else int(source), rule

    assert shown("email") == ("hb@aprool.com", a, "survivor")
    assert shown("secondary_email") == ("h@blou.fr", b, "secondary email")
    assert shown("city") == ("Lyon", b, "filled")
    assert shown("tags") == (["a", "b"], None, "union")
    assert shown("reports_to_id") == (None, b, "cleared")
    assert shown("phone") == (None, None, "blank")
    assert dry.repointed == {"contacts.reports_to_id": 1}
    assert dry.merges["fields_changed"].item() == ["city", "secondary_email", "tags"]
    # The real merge writes what the dry run showed.
    report = crm.contacts.merge([a, b], prefer="oldest")
    kept = crm.contacts.get(a)
    for name, value in plan["value"].items():
        assert kept[name] == value, name
    assert report.repointed == dry.repointed
    pd.testing.assert_frame_equal(report.conflicts, dry.conflicts)
    assert crm.contacts.get(boss).merged_into is None


def test_a_dry_run_of_merge_all_and_merge_groups(crm: ck.CRM) -> None:
    ids = [crm.contacts.add(last_name="Martin", first_name="Jean", email="jm@x.fr") for _ in "ab"]
    report = crm.contacts.find_duplicates()
    counts = crm.counts()
    dry = crm.contacts.merge_all(report, min_probability=0.5, dry_run=True)
    assert dry.dry_run and dry.merged_count == 1 and crm.counts() == counts
    assert set(dry.plan["survivor"]) == {dry.survivor}
    groups = merge_groups(crm._session, "contacts", [ids], dry_run=True)
    assert groups.dry_run and groups.batch_id is None and crm.counts() == counts
    crm.contacts.merge(ids)
    again = crm.contacts.merge_all(report, min_probability=0.5, dry_run=True)
    assert again.dry_run and again.merges.empty


def test_a_dry_run_on_a_read_only_crm(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    with ck.open(path, user="Nicole Bertrand") as crm:
        a = crm.contacts.add(last_name="Blou", email="hb@aprool.com")
        b = crm.contacts.add(last_name="Blou", email="h@blou.fr")
    with ck.open(path, read_only=True) as reader:
        dry = reader.contacts.merge([a, b], dry_run=True)
        assert dry.dry_run and set(dry.plan["survivor"]) == {dry.survivor}
        with pytest.raises(ck.ReadOnlyError):
            reader.contacts.merge([a, b])


def test_a_dry_run_refuses_what_the_merge_would_refuse(crm: ck.CRM) -> None:
    a = crm.accounts.add(name="Aprool")
    b = crm.accounts.add(name="APROOL")
    with pytest.raises(
        ck.ValidationError, match=f"account {a} \\(merging {b}\\): Employees: must be at least 0"
    ):
        crm.accounts.merge([a, b], prefer="oldest", values={"employees": -1}, dry_run=True)


# -- which record survives -------------------------------------------------------------------


def test_client_first_for_accounts_and_contacts(crm: ck.CRM) -> None:
    prospect = crm.accounts.add(name="Aprool")
    client = crm.accounts.add(name="APROOL SAS", is_client=True)
    other = crm.accounts.add(name="Aprool Lyon")
    dry = crm.accounts.merge([prospect, client, other], prefer="client_first", dry_run=True)
    assert dry.survivor == client
    a = crm.contacts.add(last_name="Blou", account_id=prospect)
    b = crm.contacts.add(last_name="Blou", account_id=client)
    c = crm.contacts.add(last_name="Blou")
    assert crm.contacts.merge([a, b, c], prefer=["client_first"], dry_run=True).survivor == b
    # With no client among them, the next rule decides.
    assert crm.contacts.merge([a, c], prefer=["client_first", "recent"], dry_run=True).survivor == c
    assert crm.contacts.merge([a, c], prefer=["client_first", "oldest"], dry_run=True).survivor == a
    report = crm.contacts.merge([a, b, c], prefer=["client_first", "recent"])
    assert report.survivor == b and crm.contacts.get(a).merged_into == b


def test_active_first(crm: ck.CRM) -> None:
    left = crm.contacts.add(last_name="Blou", active=False)
    here = crm.contacts.add(last_name="Blou")
    newer = crm.contacts.add(last_name="Blou", active=False)
    assert (
        crm.contacts.merge([left, here, newer], prefer="active_first", dry_run=True).survivor
        == here
    )
    old = crm.accounts.add(name="Aprool", archived=True)
    live = crm.accounts.add(name="APROOL")
    assert crm.accounts.merge([old, live], prefer="active_first", dry_run=True).survivor == live


def test_a_function_or_a_list_of_rules(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", origin="Salon", city="Lyon")
    b = crm.contacts.add(last_name="Blou", origin="Web")
    c = crm.contacts.add(last_name="Blou", origin="Salon")

    def from_the_fair(record: dict[str, object]) -> int:
        return 0 if record["origin"] == "Salon" else 1

    assert crm.contacts.merge([a, b, c], prefer=from_the_fair, dry_run=True).survivor == a
    rules = [from_the_fair, "recent"]
    assert crm.contacts.merge([a, b, c], prefer=rules, dry_run=True).survivor == c
    assert crm.contacts.merge([a, b, c], prefer=["complete"], dry_run=True).survivor == a
    report = crm.contacts.merge([a, b, c], prefer=rules)
    assert report.survivor == c and crm.contacts.get(c).city == "Lyon"


def test_wrong_rules_are_refused(crm: ck.CRM) -> None:
    a, b = (crm.contacts.add(last_name="Blou") for _ in "ab")
    with pytest.raises(ck.UnknownValueError, match=r"merge rule 'client_frist'.*client_first"):
        crm.contacts.merge([a, b], prefer=["client_frist", "recent"])
    with pytest.raises(ck.ValidationError, match="prefer is a rule"):
        crm.contacts.merge([a, b], prefer=[])
    with pytest.raises(ck.ValidationError, match="a merge rule is a name or a function"):
        crm.contacts.merge([a, b], prefer=["recent", 3])
    assert len(crm.contacts) == 2


def test_custom_values_that_lose_are_named_by_key(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", custom={"level": "gold", "since": 2019})
    b = crm.contacts.add(last_name="Blou", custom={"level": "silver", "seat": 4})
    report = crm.contacts.merge([a, b], prefer="oldest")
    assert json.loads(crm.contacts.get(a).custom) == {"level": "gold", "since": 2019, "seat": 4}
    assert _conflicts(report) == [("custom.level", "gold", "silver", b)]


def test_the_command_line_takes_rules_in_turn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crmkit.cli import EXIT_OK, main

    db = tmp_path / "crm.duckdb"
    with ck.open(db, user="CLI") as crm:
        client = crm.accounts.add(name="APROOL", is_client=True)
        a = crm.contacts.add(last_name="Blou", account_id=client)
        b = crm.contacts.add(last_name="Blou")
    argv = ["--db", str(db), "--user", "CLI", "merge", str(a), str(b)]
    assert main([*argv, "--prefer", "client_first,recent"]) == EXIT_OK
    assert f"[{b}] -> {a}" in capsys.readouterr().out
    assert main([*argv, "--prefer", "client_first,newest"]) != EXIT_OK
    assert "unknown rule newest" in capsys.readouterr().err


# -- the values that lost, read back later -----------------------------------------------


def test_merged_values_lists_what_lost_across_merges_of_merges(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", job_title="CTO", city="Paris")
    b = crm.contacts.add(last_name="Blou", job_title="DSI", city="Paris")
    c = crm.contacts.add(last_name="Blou", job_title="CIO", city="Lyon")
    crm.contacts.merge([b, c], prefer="oldest")  # c lost to b
    crm.contacts.merge([a, b], prefer="oldest")  # b (holding c) lost to a
    lost = crm.contacts.merged_values(a)
    assert list(lost.columns) == CONFLICT_COLUMNS[1:]
    assert sorted(map(tuple, lost[["field", "lost", "from_record"]].values)) == [
        ("city", "Lyon", c),
        ("job_title", "CIO", c),
        ("job_title", "DSI", b),
    ]
    assert set(lost["kept"]) == {"CTO", "Paris"}


def test_merged_values_follow_the_record_as_it_is_now(crm: ck.CRM) -> None:
    a = crm.contacts.add(last_name="Blou", job_title="CTO")
    b = crm.contacts.add(last_name="Blou", job_title="DSI")
    crm.contacts.merge([a, b], prefer="oldest")
    crm.contacts.update(a, job_title="DSI")  # the lost value was taken back by hand
    assert crm.contacts.merged_values(a).empty


def test_merged_values_is_empty_after_undo_and_for_unmerged_records(crm: ck.CRM) -> None:
    a = crm.accounts.add(name="Aprool", sector="Retail")
    b = crm.accounts.add(name="APROOL SAS", sector="Software")
    report = crm.accounts.merge([a, b], prefer="oldest")
    assert crm.accounts.merged_values(a)[["field", "lost"]].values.tolist() == [
        ["name", "APROOL SAS"],
        ["sector", "Software"],
    ]
    crm.undo(report.batch_id)
    assert crm.accounts.merged_values(a).empty
    assert crm.accounts.merged_values(b).empty


def test_merged_values_of_an_unknown_record_is_an_error(crm: ck.CRM) -> None:
    with pytest.raises(ck.RecordNotFoundError, match="no contact with id 99"):
        crm.contacts.merged_values(99)
