"""Blocking keys (crmkit._dedupe._keys): one list of keys per rule, following the comparisons
present, and the order of records inside a big block."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit._dedupe._comparisons import resolve_comparisons
from crmkit._dedupe._features import FeatureTable, prepare
from crmkit._dedupe._keys import blocking_key_codes, blocking_keys, sort_key, sort_ranks


def _table(kind: str, columns: dict[str, list[object]]) -> FeatureTable:
    frame = pd.DataFrame(columns)
    return prepare(
        frame, resolve_comparisons(kind, None, frame.columns), ids=list(range(len(frame)))
    )


def test_contact_rules_and_their_keys() -> None:
    table_ = _table(
        "contacts",
        {
            "first_name": ["Jean", "Jean", None],
            "last_name": ["Dupont", "Dupond", "Roy"],
            "email": ["J.Dupont+crm@X.fr", None, "info@y.fr"],
            "phone": ["+33 1 42 68 53 00", "01 42 68 53 00", None],
            "company": ["Aprool", "APROOL SAS", None],
            "city": ["Paris", "Paris", None],
        },
    )
    keys = {k.rule: k for k in blocking_keys(table_)}
    assert keys["email"].keys == ["j.dupont@x.fr", "info@y.fr"]
    assert keys["email"].rows.tolist() == [0, 2] and keys["email"].identity
    assert keys["phone"].keys == ["42685300", "42685300"]  # the last 8 digits
    assert keys["company_city"].keys == ["aprool|paris", "aprool|paris"]
    assert keys["company_city"].fields == ("company", "city")
    assert all(len(k.rows) == len(k.keys) > 0 for k in keys.values())
    assert "email_local" in keys


def test_account_rules_and_an_empty_rule_left_out() -> None:
    table_ = _table(
        "accounts",
        {"name": ["Aprool SAS", "Aprool", "Northwind"], "website": [None, None, None]},
    )
    rules = {k.rule: k for k in blocking_keys(table_)}
    assert rules["name"].keys == ["aprool", "aprool", "northwind"] and rules["name"].identity
    assert "domain" not in rules  # no value: no key


def test_sort_key_orders_by_name() -> None:
    people = _table("contacts", {"first_name": ["Jean", None], "last_name": ["Dupont", "Roy"]})
    assert sort_key(people) == ["jean|dupont", "|roy"]
    companies = _table("accounts", {"name": ["Aprool SAS"]})
    assert sort_key(companies) == ["aprool"]
    emails = _table("contacts", {"email": ["a@x.fr"]})
    assert sort_key(emails) == [""]


# -- integer keys (a search's own) ---------------------------------------------------------


def _same_blocks(table_: FeatureTable) -> None:
    """blocking_key_codes gives blocking_keys' rules, rows and blocks, with integers."""
    import numpy as np

    strings, codes = blocking_keys(table_), blocking_key_codes(table_)
    assert [k.rule for k in codes] == [k.rule for k in strings]
    for s, c in zip(strings, codes, strict=True):
        assert isinstance(c.keys, np.ndarray) or c.keys == s.keys, s.rule
        assert c.rows.tolist() == s.rows.tolist(), s.rule
        assert (c.fields, c.identity) == (s.fields, s.identity), s.rule
        by_string = pd.factorize(pd.Series(s.keys, dtype=object))[0].tolist()
        assert pd.factorize(np.asarray(c.keys))[0].tolist() == by_string, s.rule


def test_integer_keys_make_the_blocks_the_strings_make() -> None:
    from dedupe_samples import sample

    frame = sample(3000, seed=3).drop(columns=["entity_id"])
    _same_blocks(prepare(frame, resolve_comparisons("contacts", None, frame.columns),
                         ids=frame["id"].tolist()))  # fmt: skip


def test_integer_keys_on_missing_and_odd_names() -> None:
    # A first name alone, a last name alone, names without a letter (no Soundex), the same
    # prefix in either order, a role e-mail, two phones, a company without a city.
    _same_blocks(
        _table(
            "contacts",
            {
                "first_name": ["Jean", None, "123", "Marc", "Dupont", "Ann", "Éric"],
                "last_name": [None, "Dupont", "456", "Dupont", "Marc", "Lee", "Lee"],
                "email": ["info@x.fr", "jd@x.fr", None, "marc.dupont@x.fr", None, "a@b.c", None],
                "phone": ["0142685300", None, "0142685300", None, None, "0600000001", None],
                "mobile": [None, "0142685300", None, None, "0600000001", None, None],
                "company": ["Aprool", None, "Aprool", "Bexa", "Bexa", "Aprool", None],
                "city": [None, "Paris", None, "Lyon", "Lyon", "Paris", "Paris"],
                "postal_code": ["75001", "75001", None, "69001", "69001", "75001", "75001"],
            },
        )
    )


def test_accounts_integer_keys_make_the_blocks_the_strings_make() -> None:
    # Integers in place of a string per company word and record (the accounts' keys were
    # strings until training). Generic words with initials, the city in the name, a
    # company without a city, a name of short words only.
    from crmkit.samples import generate

    accounts = generate(3_000, 0, seed=5, messiness=0.3, duplicates=0.1).accounts
    _same_blocks(prepare(accounts, resolve_comparisons("accounts", None, accounts.columns),
                         ids=accounts["source_id"].tolist()))  # fmt: skip
    table_ = _table(
        "accounts",
        {
            "name": ["Cabinet Aprool Conseil", "Paris Import Export", "Aprool SAS", "AB CD",
                     "Cabinet", None, "Ëtre Consulting"],
            "billing_city": ["Paris", "Paris", None, "Lyon", "Paris", "Paris", "Lyon"],
            "phone": ["0142685300", None, "01 42 68 53 00", None, None, "0600000001", None],
            "website": ["aprool.fr", "www.aprool.fr", None, None, None, None, "etre.fr"],
        },
    )  # fmt: skip
    assert [k.rule for k in blocking_key_codes(table_)][-2:] == ["name", "name_word_city"]
    assert all(isinstance(k.keys, np.ndarray) for k in blocking_key_codes(table_))
    _same_blocks(table_)


def test_sort_ranks_order_records_as_their_sort_keys() -> None:
    import numpy as np
    from dedupe_samples import sample

    frame = sample(2000, seed=5).drop(columns=["entity_id"])
    table_ = prepare(frame, resolve_comparisons("contacts", None, frame.columns),
                     ids=frame["id"].tolist())  # fmt: skip
    by_string = pd.factorize(np.asarray(sort_key(table_), dtype=object), sort=True)[0]
    assert sort_ranks(table_).tolist() == by_string.tolist()
    accounts = _table("accounts", {"name": ["B", "A", None, "B"]})
    assert sort_ranks(accounts).tolist() == [2, 1, 0, 2]  # "" first


def test_integer_keys_without_any_name() -> None:
    _same_blocks(
        _table(
            "contacts",
            {"first_name": [None, None], "last_name": [None, None], "email": ["a@x.fr", None]},
        )
    )


def test_a_generic_company_word_blocks_with_the_initials_of_the_other_words() -> None:
    # "Consulting" in Paris made one block of every consulting firm there (178,562 of
    # 179,862 candidates on 55,000 generated accounts); keyed with the initials of the
    # name's other words, a misspelt name still meets its original, others do not.
    from crmkit._dedupe._blocking import candidate_pairs

    names = ["Capiot Consulting", "Cpaiot Consulting SAS", "Zenith Consulting", "Consulting"]
    table_ = _table("accounts", {"name": names, "billing_city": ["Paris"] * 4})
    rule = next(k for k in blocking_keys(table_) if k.rule.endswith("_word_city"))
    assert sorted(zip(rule.rows.tolist(), rule.keys, strict=True)) == [
        (0, "capiot|paris"),
        (0, "consulting|paris|c"),
        (1, "consulting|paris|c"),
        (1, "cpaiot|paris"),
        (2, "consulting|paris|z"),
        (2, "zenith|paris"),
        (3, "consulting|paris"),  # the generic word alone keeps it with the city
    ]
    pairs = candidate_pairs([rule], sort_key(table_))
    assert list(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True)) == [(0, 1)]


def test_a_records_company_keys_do_not_depend_on_the_other_records() -> None:
    # DedupeIndex adds records and looks them up one at a time: a record's keys alone must
    # be those it has among many (keys from counts over the table would differ).
    names = ["Aprool Solutions", "Shenzhen Jinhong Import Export", "Cabinet Roy Assurances"]
    cities = ["Lyon", "Shenzhen", "Paris"]
    many = _table("accounts", {"name": names * 20, "billing_city": cities * 20})
    rule = next(k for k in blocking_keys(many) if k.rule.endswith("_word_city"))
    for row in range(3):
        alone = _table("accounts", {"name": [names[row]], "billing_city": [cities[row]]})
        own = next(k for k in blocking_keys(alone) if k.rule.endswith("_word_city"))
        assert own.keys == [k for r, k in zip(rule.rows, rule.keys, strict=True) if r == row]


def test_generated_accounts_give_fewer_candidates_and_keep_their_true_pairs() -> None:
    # On 5,500 generated accounts the common words' blocks made 5,099 candidates, 4,976 of
    # them by name_word_city; split by initials, under half, with every true pair that
    # blocking found before (the rules' other keys and the initials still propose them).
    from crmkit._dedupe._blocking import candidate_pairs
    from crmkit.samples import generate

    frame = generate(5000, 0, seed=3, messiness=0.3, duplicates=0.1).accounts
    frame = frame.rename(columns={"source_id": "id"})
    table_ = prepare(
        frame, resolve_comparisons("accounts", None, frame.columns), ids=list(range(len(frame)))
    )
    pairs = candidate_pairs(blocking_keys(table_), sort_key(table_))
    entity = frame["entity_id"].to_numpy()
    found = int((entity[pairs.a] == entity[pairs.b]).sum())
    assert len(pairs) < 2_500
    assert found == 519  # as many as before


def test_integer_keys_are_held_as_int32_where_they_fit() -> None:
    # An int64 row and key a record and rule were held through blocking (0.4 GB at 1.1M
    # contacts); the keys that need more (a company and city pair of big vocabularies)
    # keep int64, and every key stays the same number.
    from crmkit.samples import generate

    contacts = generate(300, 2_000, seed=2, messiness=0.3, duplicates=0.2).contacts
    comparisons = resolve_comparisons("contacts", None, list(contacts.columns))
    table_ = prepare(contacts, comparisons, ids=list(range(len(contacts))))
    keys = blocking_key_codes(table_)
    assert keys and all(k.rows.dtype == np.int32 for k in keys)
    assert all(k.keys.dtype == np.int32 for k in keys if k.keys.max() < 2**31)
    strings = {k.rule: k for k in blocking_keys(table_)}
    for k in keys:  # the same blocks as the string keys
        assert k.rows.tolist() == strings[k.rule].rows.tolist(), k.rule
        assert len(set(k.keys.tolist())) == len(set(strings[k.rule].keys)), k.rule


def test_accounts_integer_keys_peak_below_a_bound() -> None:
    # Generated accounts (names, phones, web sites nearly all distinct): every rule's int64
    # keys held until the end, the names and cities read whole as strings and the phones'
    # last digits derived from every phone at once peaked at 436 traced bytes a record
    # (82 a key row); narrowed as each rule is made, read and derived in chunks, 298.
    import tracemalloc

    from crmkit.samples import generate

    accounts = generate(4_000, 0, seed=3, messiness=0.3, duplicates=0.1).accounts
    comparisons = resolve_comparisons("accounts", None, list(accounts.columns))
    table_ = prepare(accounts, comparisons, ids=accounts["source_id"].tolist())
    table_.vocabs.release_indexes()  # as a search holds them when it blocks
    small = prepare(accounts.head(50), comparisons, ids=list(range(50)))
    blocking_key_codes(small)  # tables loaded at first use
    tracemalloc.start()
    try:
        keys = blocking_key_codes(table_)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(len(k.rows) for k in keys) > 20_000
    per_record = peak / len(accounts)
    assert per_record < 360, f"{per_record:.0f} traced bytes a record at the peak"
    strings = {k.rule: k for k in blocking_keys(table_)}
    for k in keys:  # the same blocks as the string keys
        assert k.rows.tolist() == strings[k.rule].rows.tolist(), k.rule
