"""Which record an imported row is (``crmkit._importing._matching``): match keys, stored
records found by them, earlier rows of the same file, rows merged into one."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

import crmkit as ck
from crmkit._importing._chunks import Chunk
from crmkit._importing._matching import FileGroups, Group, Matcher, fold
from crmkit.schemas._catalog import table


def chunk_of(columns: dict[str, list[Any]]) -> Chunk:
    n = len(next(iter(columns.values())))
    return Chunk(list(range(2, n + 2)), None, columns, [[] for _ in range(n)], [], [], {})


def test_contact_keys_strongest_first(crm: ck.CRM) -> None:
    chunk = chunk_of(
        {
            "uid": ["X-1", None, None, None],
            "email": ["Jean@Example.com", "marc@example.com", None, None],
            "first_name": ["Jean", "Marc", "Hélène", None],
            "last_name": ["Roy", "Durand", "Blou", None],
            "account_id": [None, None, 4, None],
        }
    )
    keys = Matcher(crm._session, "contacts", None).keys(chunk)
    assert keys == [
        ["uid:X-1", "email:jean@example.com"],
        ["email:marc@example.com"],
        ["name:helene|blou|4"],  # without an email: the name and the account
        [],
    ]


def test_match_on_makes_one_folded_key(crm: ck.CRM) -> None:
    crm.contacts.add(first_name="Hélène", last_name="Blou", city="Paris")
    matcher = Matcher(crm._session, "contacts", ["last_name", "city"])
    keys = matcher.keys(chunk_of({"last_name": ["BLOU", "Roy"], "city": ["PARIS", None]}))
    assert keys == [["blou|paris"], []]
    assert matcher.existing(keys, [None, None]) == [1, None]


def test_existing_contacts_by_uid_email_then_name(crm: ck.CRM) -> None:
    first = crm.contacts.add(last_name="Roy", email="jean@example.com", uid="X-1")
    named = crm.contacts.add(first_name="Marc", last_name="Durand")
    chunk = chunk_of(
        {
            "uid": [None, "X-2", "X-1", None],
            "email": ["JEAN@example.com", "jean@example.com", None, None],
            "first_name": [None, None, None, "marc"],
            "last_name": ["Roy", "Roy", None, "DURAND"],
        }
    )
    matcher = Matcher(crm._session, "contacts", None)
    keys = matcher.keys(chunk)
    found = matcher.existing(keys, chunk.columns["uid"])
    # Another external id is another person, whatever the email says.
    assert found == [first, None, first, named]


def test_existing_accounts_by_name_and_domain(crm: ck.CRM) -> None:
    acme = crm.accounts.add(name="Acme SAS", website="https://acme.fr")
    chunk = chunk_of(
        {"name": ["ACME", "Acme", "Acme", "Globex"], "website": [None, "acme.fr", "acme.com", None]}
    )
    matcher = Matcher(crm._session, "accounts", None)
    keys = matcher.keys(chunk)
    assert keys[0] == ["name:acme|"]
    assert matcher.existing(keys, [None] * 4) == [acme, acme, None, None]


def test_file_groups_join_rows_by_any_key() -> None:
    groups = FileGroups()
    first = Group("email:a@example.com", 2, None, None, None, record_id=10)
    groups.join(first, ["email:a@example.com", "name:a|b|"], None)
    assert groups.group_of(["name:a|b|"], None) is first  # a later row shares one key
    assert groups.group_of(["uid:Z", "email:a@example.com"], "Z") is first
    groups.join(first, ["uid:Z"], "Z")
    assert first.uid == "Z"  # the later row's external id now belongs to the group
    assert groups.group_of(["email:a@example.com"], "Y") is None  # another id: another record
    assert groups.group_of(["email:b@example.com"], None) is None


def test_fold_fills_unites_merges_and_reports_what_it_replaced() -> None:
    chunk = chunk_of(
        {
            "last_name": ["Roy", "Roy"],
            "city": [None, "Lyon"],
            "job_title": ["DSI", "CTO"],
            "tags": [["vip"], ["salon", "vip"]],
            "custom": [json.dumps({"a": 1}), json.dumps({"b": 2})],
            "_company_key": ["x", "y"],  # keys of the first row stay
        }
    )
    fold(table("contacts"), chunk, 0, 1)
    cols = chunk.columns
    assert cols["city"][0] == "Lyon"
    assert cols["job_title"][0] == "CTO"
    assert cols["tags"][0] == ["vip", "salon"]
    assert json.loads(cols["custom"][0]) == {"a": 1, "b": 2}
    assert cols["_company_key"][0] == "x"
    assert [(w[0], w[1]) for w in chunk.warnings] == [(3, "job_title")]
    assert "'DSI' of line 2 replaced by 'CTO'" in chunk.warnings[0][3]


def test_file_groups_find_groups_of_written_chunks() -> None:
    groups = FileGroups()
    first = Group("uid:A", 2, "A", None, 0)
    groups.load([["uid:A", "email:a@example.com"]])
    groups.join(first, ["uid:A", "email:a@example.com"], "A")
    first.record_id = 10
    groups.flush()  # the chunk is written: the group is kept compactly
    unnamed = Group("email:b@example.com", 3, None, None, 0, record_id=11)
    groups.load([["email:b@example.com"]])
    groups.join(unnamed, ["email:b@example.com"], None)
    groups.flush()
    groups.load([["email:a@example.com"], ["name:b|c|", "email:b@example.com"], ["uid:Z"]])
    again = groups.group_of(["email:a@example.com"], None)
    assert again is not None
    assert (again.key, again.line, again.uid, again.record_id) == ("uid:A", 2, "A", 10)
    assert (again.chunk, again.row) == (None, None)
    assert groups.group_of(["email:a@example.com"], "B") is None  # another external id
    later = groups.group_of(["name:b|c|", "email:b@example.com"], "U")
    assert later is not None and later.record_id == 11
    groups.join(later, ["name:b|c|", "email:b@example.com"], "U")  # fills its id and a key
    groups.flush()
    groups.load([["name:b|c|"]])
    found = groups.group_of(["name:b|c|"], None)
    assert found is not None and (found.line, found.uid) == (3, "U")


def test_a_record_updated_by_an_import_is_found_by_its_new_keys(crm: ck.CRM) -> None:
    stored = crm.contacts.add(last_name="Roy", email="old@example.com", uid="R-1")
    rows = pd.DataFrame(
        {
            "uid": ["R-1", None, None],
            "last_name": ["Roy", "Roy", "Autre"],
            "email": ["new@example.com", "new@example.com", "old@example.com"],
            "city": [None, "Lyon", None],
        }
    )
    # One row a chunk: the first row changes the stored record's email, the second finds
    # it again, the third no longer finds it by its old email (the import's table of
    # stored keys was refreshed after the first chunk).
    report = crm.import_frame(rows, "contacts", chunk_rows=1, mode="upsert")
    assert (report.updated, report.inserted) == (2, 1)
    record = crm.contacts.get(stored)
    assert (record["email"], record["city"]) == ("new@example.com", "Lyon")
    tables = crm._session.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_crmkit_import%'"
    ).fetchall()
    assert tables == []  # the import's key table is gone with it


def test_a_dry_run_leaves_no_key_table(crm: ck.CRM) -> None:
    crm.contacts.add(last_name="Roy", email="a@example.com")
    rows = pd.DataFrame({"last_name": ["Roy"], "email": ["a@example.com"], "city": ["Lyon"]})
    report = crm.import_frame(rows, "contacts", dry_run=True, mode="upsert")
    assert report.updated == 1
    assert crm._session.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_crmkit_import%'"
    ).fetchone() == (0,)
    assert crm.contacts.get(1)["city"] is None  # nothing written
