"""Feature tables (crmkit._dedupe._features): records normalised and encoded, sharing their
vocabularies, extended with new records."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from dedupe_samples import MakeFrame

from crmkit._dedupe._comparisons import Comparison, resolve_comparisons
from crmkit._dedupe._features import FeatureTable, prepare


def _table(frame: Any, fields: list[str | Comparison] | None = None, **kw: Any) -> FeatureTable:
    comparisons = resolve_comparisons("contacts", fields, list(frame.columns))
    return prepare(frame, comparisons, **kw)


def test_codes_per_comparison_and_any_of_columns(make_frame: MakeFrame) -> None:
    frame = make_frame(
        {
            "first_name": ["Jean", "JEAN", None],
            "last_name": ["Dupont", "Dupont", "Roy"],
            "phone": ["01 42 68 53 00", None, "+33 6 12 34 56 78"],
            "mobile": ["06 12 34 56 78", "06 12 34 56 78", None],
        }
    )
    table_ = _table(frame, ids=["a", "b", "c"])
    assert (len(table_), table_.ids) == (3, ["a", "b", "c"])
    assert table_.codes["first_name"].tolist() == [[0], [0], [-1]]
    assert table_.codes["last_name"].tolist() == [[1], [1], [2]]  # one "person" space
    phones = table_.codes["phone"]
    assert phones.shape == (3, 2) and phones.dtype == np.int32
    assert phones.tolist() == [[0, 1], [-1, 1], [1, -1]]
    assert table_.primary("phone").tolist() == [0, 1, 1]
    vocab = table_.vocab(table_.comparisons[2])
    assert vocab.values == ["+33142685300", "+33612345678"]


def test_the_country_decides_how_a_phone_is_read() -> None:
    frame = pd.DataFrame({"phone": ["020 7946 0018", "020 7946 0018"], "country": ["UK", None]})
    table_ = _table(frame, ["phone"], ids=[1, 2], phone_region="FR")
    # Read as French, the London number is no valid number: its digits are kept.
    assert table_.vocab(table_.comparisons[0]).values == ["+442079460018", "02079460018"]


def test_chinese_names_and_full_names_in_one_cell() -> None:
    frame = pd.DataFrame(
        {"first_name": [None, "Wei", None], "last_name": ["张伟", "Zhang", "Jean Dupont"]}
    )
    table_ = _table(frame, ids=[1, 2, 3])
    assert table_.chinese_names.tolist() == [True, False, False]
    person = table_.vocab(table_.comparisons[0])
    firsts = person.take(table_.codes["first_name"][:, 0]).tolist()
    lasts = person.take(table_.codes["last_name"][:, 0]).tolist()
    assert (firsts, lasts) == (["wei", "wei", "jean"], ["zhang", "zhang", "dupont"])


def test_extend_widens_any_of_codes_and_keeps_one_vocabulary() -> None:
    old = pd.DataFrame({"email": ["a@x.fr"], "secondary_email": ["b@x.fr"]})
    new = pd.DataFrame({"email": ["b@x.fr", "c@x.fr"]})
    first = _table(old, ["email"], ids=[1])
    second = prepare(
        new,
        resolve_comparisons("contacts", ["email"], new.columns),
        ids=[2, 3],
        vocabs=first.vocabs,
    )
    both = first.extend(second)
    assert both.ids == [1, 2, 3]
    assert both.codes["email"].tolist() == [[0, 1], [1, -1], [2, -1]]
    assert both.vocabs is first.vocabs and len(both.chinese_names) == 3


def _traced_peak(func: Any) -> tuple[Any, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        out = func()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_preparing_reads_one_comparisons_columns_at_a_time() -> None:
    # Generated accounts: names, streets, phones, web sites nearly all distinct. Reading
    # every compared column up front held a Python string per record and column through
    # the whole preparation, and each vocabulary's lookup (value -> code) to the end:
    # about 1,000 traced bytes a record at the peak here, 430 since (the table: 360).
    from crmkit.samples import generate

    accounts = generate(4_000, 0, seed=3, messiness=0.3, duplicates=0.1).accounts
    comparisons = resolve_comparisons("accounts", None, list(accounts.columns))
    ids = accounts["source_id"].tolist()
    prepare(accounts.head(20), comparisons, ids=ids[:20])  # tables loaded at first use
    table_, peak = _traced_peak(lambda: prepare(accounts, comparisons, ids=ids))
    assert len(table_) == len(accounts) > 4_000
    per_record = peak / len(accounts)
    assert per_record < 700, f"{per_record:.0f} traced bytes a record at the peak"
    codes = {name: table_.codes[name].copy() for name in table_.codes}
    # The lookups let go are rebuilt when records are added: the same codes again.
    again = prepare(accounts, comparisons, ids=ids, vocabs=table_.vocabs)
    assert all((again.codes[name] == codes[name]).all() for name in codes)
