"""New imported rows checked against the records stored before them
(``crmkit._importing._likely``): found, then flagged, skipped or merged."""

from __future__ import annotations

import pandas as pd
import pytest

import crmkit as ck
from crmkit._importing._chunks import Chunk, ChunkNormalizer
from crmkit._importing._likely import LikelyDuplicates
from crmkit._importing._mapping import propose_mapping
from crmkit._importing._report import ReportParts
from crmkit._normalize._columns import ColumnOptions
from crmkit.schemas._catalog import table

ROWS = pd.DataFrame(
    {
        "Nom": ["BLOU", "Roy"],
        "Prénom": ["Helene", "Jean"],
        "Portable": ["+33 6 25 34 12 57", "06 11 22 33 44"],
        "Fonction": ["CTO", "DSI"],
    },
    dtype=object,
)


def prepared(cells: pd.DataFrame) -> Chunk:
    normalizer = ChunkNormalizer("contacts", ColumnOptions(region="FR"), "EUR")
    plan = propose_mapping(list(cells.columns), "contacts")
    return normalizer.prepare(cells, list(range(2, len(cells) + 2)), plan)


@pytest.fixture
def existing(crm: ck.CRM) -> int:
    return crm.contacts.add(
        last_name="Blou",
        first_name="Hélène",
        email="helene.blou@aprool.com",
        mobile="06 25 34 12 57",
    )


def test_find_pairs_a_new_row_with_the_record_it_duplicates(crm: ck.CRM, existing: int) -> None:
    likely = LikelyDuplicates(crm._session, table("contacts"), "flag", 0.9, ReportParts())
    assert likely.had_records
    found = likely.find(prepared(ROWS), [0, 1])
    assert list(found) == [0]
    record_id, probability = found[0]
    assert record_id == existing and probability >= 0.9


@pytest.mark.parametrize("action", ["flag", "skip", "merge"])
def test_handle_flags_skips_or_merges(crm: ck.CRM, existing: int, action: str) -> None:
    parts = ReportParts()
    likely = LikelyDuplicates(crm._session, table("contacts"), action, 0.9, parts)
    chunk = prepared(ROWS)
    updates: list[int] = []
    update_ids: list[int] = []
    keep = likely.handle(chunk, [0, 1], updates, update_ids)
    [(line, record_id, _, said)] = parts.likely_duplicates
    assert (line, record_id, said) == (2, existing, action)
    if action == "flag":
        assert keep == [0, 1] and chunk.warnings[-1][:3] == (2, "duplicate", existing)
    elif action == "skip":
        assert keep == [1] and chunk.errors[0][0].startswith("skipped: likely duplicate of contact")
    else:
        assert keep == [1] and (updates, update_ids) == ([0], [existing])


def test_nothing_stored_before_the_import_nothing_to_look_for(crm: ck.CRM) -> None:
    likely = LikelyDuplicates(crm._session, table("contacts"), "skip", 0.9, ReportParts())
    assert not likely.had_records
    chunk = prepared(pd.concat([ROWS, ROWS], ignore_index=True))
    assert likely.handle(chunk, [0, 1, 2, 3], [], []) == [0, 1, 2, 3]


def test_contacts_are_compared_with_their_company_name(crm: ck.CRM, existing: int) -> None:
    acme = crm.accounts.add(name="Acme")
    chunk = prepared(ROWS)
    chunk.columns["account_id"] = [acme, None]  # what linking sets
    likely = LikelyDuplicates(crm._session, table("contacts"), "flag", 0.9, ReportParts())
    frame = likely._frame(chunk, [1, 0])
    assert list(frame["id"]) == [-2, -1]  # new rows: negative ids, by position
    assert frame["company"].isna().tolist() == [True, False]
    assert frame["company"].iloc[1] == "Acme"
