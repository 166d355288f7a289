"""``crmkit.cli._filters``: the filter options, listed once, become ``filter`` keywords."""

from __future__ import annotations

import argparse

import pytest

import crmkit as ck
from crmkit.cli._filters import FILTER_OPTIONS, add_filter_options, filter_keywords, selection


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_filter_options(parser)
    return parser.parse_args(argv)


def test_no_filter_means_every_record() -> None:
    args = _parse()
    assert args.kind == "contacts"
    assert filter_keywords(args) == {}


def test_each_option_sets_its_keyword() -> None:
    args = _parse(
        "--search",
        "blou",
        "--owner",
        "Paris",
        "--owner",
        "Li Wei",
        "--sector",
        "Software",
        "--revenue-band",
        "1M-10M",
        "--headcount-band",
        "51-200",
        "--account",
        "APROOL",
        "--entity",
        "FR",
        "--origin",
        "Webinar",
        "--tag",
        "vip",
        "--within",
        "Groupe",
        "--stage",
        "lead",
        "--email-basis",
        "Consentement",
        "--phone-basis",
        "contract",
    )
    assert filter_keywords(args) == {
        "search": "blou",
        "owner": ["Paris", "Li Wei"],
        "sector": ["Software"],
        "revenue_band": ["1M-10M"],
        "headcount_band": ["51-200"],
        "account": ["APROOL"],
        "entity": ["FR"],
        "origin": ["Webinar"],
        "tags": ["vip"],
        "within": ["Groupe"],
        "lifecycle_stage": ["lead"],
        "email_basis": ["Consentement"],
        "phone_basis": ["contract"],
    }
    assert {o.keyword for o in FILTER_OPTIONS} <= set(filter_keywords(args))


def test_active_means_archived_false_for_accounts() -> None:
    assert filter_keywords(_parse("--active")) == {"active": True}
    assert filter_keywords(_parse("--inactive")) == {"active": False}
    assert filter_keywords(_parse("--kind", "accounts", "--active")) == {"archived": False}
    assert filter_keywords(_parse("--kind", "accounts", "--inactive")) == {"archived": True}


def test_where_groups_values_by_field() -> None:
    args = _parse("--where", "city=Paris", "--where", " city =Lyon", "--where", "country=FR")
    assert filter_keywords(args) == {"city": ["Paris", "Lyon"], "country": ["FR"]}
    with pytest.raises(ck.ValidationError, match="--where takes field=value, got 'city'"):
        filter_keywords(_parse("--where", "city"))


def test_selection_filters_the_kind_asked() -> None:
    with ck.open(user="CLI") as crm:
        acc = crm.accounts.add(name="APROOL")
        crm.accounts.add(name="Libius")
        crm.contacts.add(last_name="Blou", account_id=acc)
        assert len(selection(crm, _parse("--search", "blou"))) == 1
        assert selection(crm, _parse("--kind", "accounts")).kind == "accounts"
        assert len(selection(crm, _parse("--kind", "accounts", "--search", "libius"))) == 1
