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


def _prepared(frame: Any, kind: str) -> tuple[Any, ...]:
    table_ = prepare(
        frame, resolve_comparisons(kind, None, list(frame.columns)), ids=[0] * len(frame)
    )
    return (
        {name: codes.tolist() for name, codes in table_.codes.items()},
        {space: vocab.values for space, vocab in table_.vocabs.spaces.items()},
        table_.chinese_names.tolist(),
        {name: codes.tolist() for name, codes in table_.name_words.items()},
    )


def test_chunks_of_records_give_the_codes_of_whole_columns(monkeypatch: Any) -> None:
    # A vocabulary numbers its values in the order it first meets them: read in chunks,
    # every column (e-mails and phones are several; first and last names share one
    # vocabulary, a full name in the last-name cell is split) must meet them as before.
    from crmkit._dedupe import _features
    from crmkit.samples import generate

    data = generate(600, 1_200, seed=5, messiness=0.5, duplicates=0.2)
    contacts = data.contacts.copy()
    contacts.loc[contacts.index[::7], "first_name"] = None
    contacts.loc[contacts.index[::14], "last_name"] = "张伟"
    contacts.loc[contacts.index[1::14], "last_name"] = "Jean Dupont"
    for kind, frame in (("contacts", contacts), ("accounts", data.accounts)):
        whole = _prepared(frame, kind)
        monkeypatch.setattr(_features, "CHUNK_ROWS", 97)
        assert _prepared(frame, kind) == whole, kind
        monkeypatch.undo()
        assert len(frame) > 97 and (any(whole[2]) or kind == "accounts")  # Chinese names


def test_preparing_holds_one_chunk_of_strings_at_a_time(monkeypatch: Any) -> None:
    # 100,000 distinct e-mails: whole columns held each record's value, its key and the
    # value -> key cache at once, some 286 traced bytes a record at the peak; in chunks,
    # what stays is the vocabulary (each distinct key and its code, about 180 bytes).
    from crmkit._dedupe import _features

    monkeypatch.setattr(_features, "CHUNK_ROWS", 10_000)
    n = 100_000
    frame = pd.DataFrame({"email": [f"Person.{k}+news@Example{k % 97}.FR" for k in range(n)]})
    comparisons = resolve_comparisons("contacts", None, list(frame.columns))
    prepare(frame.head(10), comparisons, ids=list(range(10)))  # tables loaded at first use
    table_, peak = _traced_peak(lambda: prepare(frame, comparisons, ids=list(range(n))))
    assert table_.vocab(comparisons[0]).values[:1] == ["person.0@example0.fr"]
    assert peak / n < 250, f"{peak / n:.0f} traced bytes a record at the peak"


def test_a_frame_is_left_whole_unless_its_columns_may_go() -> None:
    frame = pd.DataFrame({"id": [1, 2], "email": ["a@x.fr", "b@x.fr"], "notes": ["n", "m"]})
    comparisons = resolve_comparisons("contacts", None, list(frame.columns))
    prepare(frame, comparisons, ids=[1, 2])
    assert list(frame.columns) == ["id", "email", "notes"]
    again = prepare(frame, comparisons, ids=[1, 2], drop_columns=True)
    assert list(frame.columns) == ["id", "notes"]  # compared columns gone once encoded
    assert again.codes["email"][:, 0].tolist() == [0, 1]


def test_a_fresh_vocabulary_gets_the_codes_of_encoding_value_by_value() -> None:
    # A table prepared on its own, in chunks of records, keeps the distinct values packed;
    # the codes are those of encoding value after value, column after column, as a shared
    # vocabulary does.
    from crmkit._dedupe._vocab import PackedStrings, Vocab, Vocabs
    from crmkit.samples import generate

    accounts = generate(300, 0, seed=4, messiness=0.5, duplicates=0.2).accounts
    accounts.loc[accounts.index[::5], "phone"] = ""
    accounts["mobile"] = accounts["phone"].iloc[::-1].to_numpy()  # a second phone column
    comparisons = resolve_comparisons("accounts", None, list(accounts.columns))
    assert any(len(c.columns) > 1 for c in comparisons)
    ids = list(range(len(accounts)))
    fresh = prepare(accounts, comparisons, ids=ids)
    shared = prepare(accounts, comparisons, ids=ids, vocabs=Vocabs({"other": Vocab()}))
    for comparison in comparisons:
        assert (fresh.codes[comparison.name] == shared.codes[comparison.name]).all()
        values = fresh.vocab(comparison).values
        assert list(values) == list(shared.vocab(comparison).values), comparison.name
        if comparison.method not in ("first_name", "last_name"):
            assert isinstance(values, PackedStrings), comparison.name
