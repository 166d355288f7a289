"""Normalised values for comparing (crmkit._dedupe._normalise): the key string each method
compares, ``""`` for null."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from crmkit._dedupe._comparisons import Comparison
from crmkit._dedupe._normalise import (
    ROLE_LOCALS,
    map_text,
    normalise,
    phone_tails,
    split_full_names,
)
from crmkit._dedupe._vocab import Vocab


def _keys(method: str, values: list[Any], name: str = "x", region: str | None = None) -> list[str]:
    comparison = Comparison(name, method)  # type: ignore[arg-type]
    (keys,) = normalise(comparison, {name: values}, [region] * len(values), "FR")
    return keys


@pytest.mark.parametrize(
    ("method", "values", "keys"),
    [
        ("first_name", ["Jean-Marie", " HÉLÈNE ", None, ""], ["jeanmarie", "helene", "", ""]),
        ("email", ["Helene.Blou+crm@Aprool.COM", "j.smith@googlemail.com", "not an email", None],
         ["helene.blou@aprool.com", "jsmith@gmail.com", "", ""]),
        ("company", ["Aprool SAS", "S.A.S. Aprool", "Conseil Dupont SARL", None],
         ["aprool", "aprool", "conseil dupont", ""]),
        ("city", ["Paris Cedex 08", "PARIS", "上海市", None], ["paris", "paris", "shang hai", ""]),
        ("postal_code", ["75 008", 75008.0, "F-75008", None], ["75008", "75008", "F75008", ""]),
        ("code", ["552 100 554", "552-100-554", None], ["552100554", "552100554", ""]),
        ("date", [dt.date(1980, 1, 15), dt.datetime(1980, 1, 15, 10, 0), "15/01/1980",
                  np.datetime64("NaT"), None], ["19800115", "19800115", "19800115", "", ""]),
        ("text", ["12 Rue de la Paix", None], ["12 rue de la paix", ""]),
        ("exact", ["Non-profit", " non profit ", None], ["non profit", "non profit", ""]),
    ],
)  # fmt: skip
def test_keys_of_each_method(method: str, values: list[Any], keys: list[str]) -> None:
    assert _keys(method, values) == keys


def test_countries_and_phones_and_domains() -> None:
    assert _keys("exact", ["France", "fr", "Atlantis"], name="country") == ["FR", "FR", "atlantis"]
    assert _keys("phone", ["06 12 34 56 78", "+44 20 7946 0018", "12", "0612"]) == [
        "+33612345678",
        "+442079460018",
        "",
        "",
    ]
    assert _keys("phone", ["020 7946 0018"], region="GB") == ["+442079460018"]
    websites = _keys("domain", ["https://www.aprool.com/fr", "gmail.com", None], name="website")
    assert websites == ["aprool.com", "", ""]  # a free mail provider is no company's domain
    mails = _keys("domain", ["h@Aprool.com", "x@gmail.com"], name="email")
    assert mails == ["aprool.com", ""]
    assert {"info", "contact", "noreply"} <= ROLE_LOCALS


def test_map_text_computes_each_distinct_value_once() -> None:
    calls: list[Any] = []

    def upper(value: Any) -> str | None:
        calls.append(value)
        return None if value == "none" else str(value).upper()

    assert map_text(["a", "b", "a", None, "none", ["x"]], upper) == ["A", "B", "A", "", "", "['X']"]
    assert calls == ["a", "b", "none", ["x"]]


def test_split_full_names() -> None:
    first = ["", "", "marc", ""]
    last = ["", "", "durand", "madonna"]
    split_full_names(first, last, ["Jean Dupont", "张伟", "Marc Durand", "Madonna"])
    assert first == ["jean", "wei", "marc", ""]
    assert last == ["dupont", "zhang", "durand", "madonna"]


def test_phone_tails_group_a_number_whatever_its_country() -> None:
    vocab = Vocab()
    vocab.encode(["+33612345678", "+442012345678", "0612", "+33700000000"])
    tails = phone_tails(vocab)
    assert tails.tolist() == [0, 0, -1, 1]
    assert vocab.sub("tail").values == ["12345678", "00000000"]
