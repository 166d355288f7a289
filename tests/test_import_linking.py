"""Linking imported rows (``crmkit._importing._linking``): owners and accounts by name,
created when the import may, ids checked, loops refused, parents linked at the end."""

from __future__ import annotations

from typing import Any

import crmkit as ck
from crmkit._importing._chunks import Chunk
from crmkit._importing._linking import Linker
from crmkit._importing._options import ImportOptions
from crmkit._importing._report import ReportParts


def chunk_of(columns: dict[str, list[Any]]) -> Chunk:
    n = len(next(iter(columns.values())))
    return Chunk(list(range(2, n + 2)), None, columns, [[] for _ in range(n)], [], [], {})


def link(crm: ck.CRM, chunk: Chunk, required: list[str] | None = None, **options: Any) -> Linker:
    """Link ``chunk`` in a batch of its own, as one chunk of an import."""
    linker = Linker(crm._session, ImportOptions(**options), required or [], ReportParts())
    with crm._session.batch("test") as batch:
        linker.link(chunk, batch)
    return linker


def test_owners_by_name_or_email_and_unknown_ones_named(crm: ck.CRM) -> None:
    marc = crm.owners.add("Marc Durand", email="md@example.com")
    chunk = chunk_of({"owner": ["marc durand", "MD@example.com", "Marc Durant", None]})
    link(crm, chunk)
    assert chunk.columns["owner_id"] == [marc, marc, None, None]
    assert "owner" not in chunk.columns
    assert chunk.errors[:2] == [[], []]
    assert chunk.errors[2] == [
        "owner: unknown owner 'Marc Durant' (did you mean 'Marc Durand'?); add it with "
        "crm.owners.add or pass create_owners=True"
    ]


def test_many_rows_of_unknown_owners_read_the_owners_once(crm: ck.CRM, monkeypatch) -> None:
    # Regression: each row of an unknown owner read every owner's name from the database
    # and searched the closest one (a 5M-row file of other owners ran for hours).
    from crmkit._ops import _owners

    crm.owners.add("Marc Durand")
    reads: list[int] = []
    real_names = _owners.names
    monkeypatch.setattr(_owners, "names", lambda *a, **k: reads.append(1) or real_names(*a, **k))
    chunk = chunk_of({"owner": ["Marc Durant", "Zoé Martin"] * 500})
    link(crm, chunk)
    assert len(reads) == 1
    assert (
        chunk.errors[0] == chunk.errors[998] and "did you mean 'Marc Durand'" in chunk.errors[0][0]
    )
    assert all(len(errors) == 1 for errors in chunk.errors)


def test_owners_created_on_request_and_deactivated_ones_refused(crm: ck.CRM) -> None:
    crm.owners.add("Ancien")
    crm.owners.deactivate("Ancien")
    chunk = chunk_of({"owner": ["Zoé Martin", "Ancien", "zoe martin"]})
    linker = link(crm, chunk, create_owners=True)
    zoe = crm.owners.resolve("Zoé Martin")
    assert chunk.columns["owner_id"][0] == zoe == chunk.columns["owner_id"][2]  # created once
    assert linker.parts.created_owners == ["Zoé Martin"]
    assert "Ancien' is deactivated" in chunk.errors[1][0]


def test_accounts_by_company_created_once_per_key(crm: ck.CRM) -> None:
    rexel = crm.accounts.add(name="Rexel")
    # No `_company_key` column (a chunk from elsewhere than the normaliser): computed here.
    chunk = chunk_of({"company": ["REXEL", "Acme SAS", "ACME", None]})
    linker = link(crm, chunk, create_accounts=True)
    ids = chunk.columns["account_id"]
    assert ids[0] == rexel
    assert ids[1] == ids[2] is not None  # two spellings, one new account
    assert ids[3] is None
    assert linker.parts.created_accounts == ["Acme SAS"]
    assert crm.accounts.get(ids[1])["name"] == "Acme SAS"


def test_unknown_company_refused_without_create_accounts(crm: ck.CRM) -> None:
    chunk = chunk_of({"company": ["Globex"]})
    link(crm, chunk)
    assert chunk.columns["account_id"] == [None]
    assert chunk.errors[0] == [
        "company: no account named 'Globex'; create it first or pass create_accounts=True"
    ]


def test_ids_given_by_the_file_are_checked(crm: ck.CRM) -> None:
    kept = crm.accounts.add(name="Rexel")
    gone = crm.accounts.add(name="Globex")
    crm.accounts.delete(gone)
    chunk = chunk_of({"account_id": [kept, gone, 999], "owner_id": [None, None, None]})
    link(crm, chunk, required=["owner_id"])
    assert chunk.errors == [
        ["owner_id: required"],  # the current user is the default owner of new records only
        [f"account_id: account {gone} is deleted"],
        ["account_id: no account with id 999"],
    ]


def test_update_that_would_make_a_loop_is_rejected(crm: ck.CRM) -> None:
    top = crm.accounts.add(name="Groupe")
    below = crm.accounts.add(name="Filiale", parent_id=top)
    linker = Linker(crm._session, ImportOptions(kind="accounts"), [], ReportParts())
    chunk = chunk_of({"name": ["Groupe", "Filiale"], "parent_id": [below, None]})
    rows, ids = linker.reject_cycles(chunk, [0, 1], [top, below])
    assert (rows, ids) == ([1], [below])
    assert chunk.errors[0] == [f"parent_id: would make a cycle ({top} → {below} → {top})"]


def test_parents_linked_after_every_row_with_warnings_for_the_others(crm: ck.CRM) -> None:
    group = crm.accounts.add(name="Groupe Martin SA")
    child = crm.accounts.add(name="Martin Lyon", parent_id=group)
    orphan = crm.accounts.add(name="Martin Nantes")
    linker = Linker(crm._session, ImportOptions(kind="accounts"), [], ReportParts())
    chunk = chunk_of({"parent": ["Groupe Martin", "Nulle Part", "Martin Lyon"]})
    with crm._session.batch("test") as batch:
        linker.link(chunk, batch)
        assert chunk.columns["_parent"] == ["Groupe Martin", "Nulle Part", "Martin Lyon"]
        linker.defer_parents(chunk, [0, 1, 2], [orphan, child, group])
        linker.resolve_parents(batch)
    assert crm.accounts.get(orphan)["parent_id"] == group
    assert crm.accounts.get(child)["parent_id"] == group  # left as it was
    assert crm.accounts.get(group)["parent_id"] is None
    assert [(line, f) for line, f, _, _ in linker.parts.warnings] == [
        (3, "parent_id"),
        (4, "parent_id"),
    ]
    assert "no account named 'Nulle Part'" in linker.parts.warnings[0][3]
    assert "would make a cycle" in linker.parts.warnings[1][3]
