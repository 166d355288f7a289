"""The records of one search as a feature table (crmkit._dedupe._table): ids checked, existing
records first, reviewed pairs as row pairs.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from dedupe_samples import MakeFrame

from crmkit._dedupe import find_duplicates
from crmkit._dedupe._frames import ReadBackSource, StoredRecords
from crmkit._dedupe._options import Options
from crmkit._dedupe._table import build_table, excluded_rows, record_ids
from crmkit._exceptions import ValidationError


def test_exclude_pairs_are_not_proposed_again(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "id": [1, 2, 3],
            "first_name": ["Jean", "Jean", "Jean"],
            "last_name": ["Martin", "Martin", "Martin"],
            "email": ["jean.martin@x.fr", "jean.martin@x.fr", "jean.martin@x.fr"],
        }
    )
    assert find_duplicates(frame).clusters == [[1, 2, 3]]
    report = find_duplicates(frame, exclude_pairs={(3, 1)})
    listed = {tuple(sorted(p)) for p in zip(report.pairs.id_a, report.pairs.id_b, strict=True)}
    assert (1, 3) not in listed and (1, 2) in listed
    assert not any(1 in c and 3 in c for c in report.clusters)
    assert report.stats["excluded_pairs"] == 1
    with pytest.raises(ValidationError, match="pairs"):
        find_duplicates(frame, exclude_pairs=[1, 2])


# -- the module's own functions ----------------------------------------------------------


def _options(**changes: Any) -> Options:
    base: dict[str, Any] = {
        "kind": "contacts",
        "fields": None,
        "id_column": "id",
        "phone_region": "FR",
        "max_block_size": 20,
        "window": 5,
        "seed": 0,
    }
    return Options(**(base | changes))


def test_record_ids_are_present_and_distinct(make_frame: MakeFrame) -> None:
    assert record_ids(make_frame({"ref": ["b", "a"]}), "ref", "frame") == ["b", "a"]
    with pytest.raises(ValidationError, match=r"existing has no 'id' column .*id_column="):
        record_ids(make_frame({"ref": [1]}), "id", "existing")
    with pytest.raises(ValidationError, match="frame: row 1 has no 'id'"):
        record_ids(make_frame({"id": [1, None]}), "id", "frame")
    with pytest.raises(ValidationError, match="frame: 'id' 1 appears more than once"):
        record_ids(make_frame({"id": [1, 2, 1]}), "id", "frame")


def test_build_table_puts_the_existing_records_first(make_frame: MakeFrame) -> None:
    existing = make_frame({"id": [1, 2], "last_name": ["Blou", "Roy"], "city": ["Paris", "Lyon"]})
    new = make_frame({"id": [7], "last_name": ["Blou"], "email": ["b@x.fr"]})
    table_, source, new_from = build_table(new, existing, _options())
    assert (table_.ids, new_from) == ([1, 2, 7], 2)
    assert [c.name for c in table_.comparisons] == ["last_name"]  # columns both frames have
    assert table_.codes["last_name"][:, 0].tolist() == [0, 1, 0]  # one vocabulary
    assert source.values(2, ["last_name", "email"]) == {"last_name": "Blou", "email": "b@x.fr"}
    alone, _, none = build_table(new, None, _options(fields=["email"]))
    assert (alone.ids, none, [c.name for c in alone.comparisons]) == ([7], None, ["email"])
    with pytest.raises(
        ValidationError, match=r"ids in both the new and the existing records: \[1\]"
    ):
        build_table(make_frame({"id": [1], "last_name": ["x"]}), existing, _options())


def test_excluded_rows_are_low_high_row_pairs_of_known_ids() -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c"], "last_name": ["x", "y", "z"]})
    table_, _, _ = build_table(frame, None, _options())
    assert excluded_rows([("c", "a"), ("a", "b"), ("a", "zz")], table_) == {(0, 2), (0, 1)}
    assert excluded_rows(None, table_) == set() and excluded_rows([], table_) == set()
    with pytest.raises(ValidationError, match="exclude_pairs must hold"):
        excluded_rows([("a", "b", "c")], table_)


def test_stored_records_lose_their_compared_columns_as_they_are_encoded() -> None:
    # The frame read for a store's search is held by nothing else: its columns go as the
    # codes come (at 5.5M contacts the frame was 2.4 GB held through the preparation).
    frame = pd.DataFrame(
        {"id": [1, 2], "first_name": ["Jean", "Jean"], "email": ["j@x.fr", "j@x.fr"],
         "country": ["FR", "FR"], "phone": ["0102030405", "0102030405"]}
    )  # fmt: skip
    options = Options("contacts", None, "id", "FR", 20, 5, 0)
    table_, source, _ = build_table(StoredRecords(frame, lambda ids, columns: None), None, options)
    assert list(frame.columns) == ["id"] and len(table_) == 2
    assert isinstance(source, ReadBackSource) and table_.ids == [1, 2]
