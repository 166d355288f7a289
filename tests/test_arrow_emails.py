"""plain_emails() (Arrow kernels) gives exactly normalize_email() on the rows it handles.

Every test compares the vectorised rules with the scalar, row by row: a handled row must
have the scalar's value with ok=True and no reason; the rows it leaves are the caller's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import email_validator
import pyarrow as pa
import pytest
from email_validator import rfc_constants
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from crmkit._normalize._arrow_emails import plain_emails
from crmkit._normalize._columns import clean_column
from crmkit._normalize._emails import _email_rules, normalize_email
from crmkit.samples import generate

_STRING = pa.string()


def _check(values: Sequence[str | None], array_type: pa.DataType = _STRING) -> list[bool]:
    """Run plain_emails on ``values``; assert each handled row is the scalar's result."""
    normalized, handled = plain_emails(pa.array(values, array_type))
    assert len(normalized) == len(handled) == len(values)
    assert normalized.type == array_type
    assert handled.type == pa.bool_()
    assert handled.null_count == 0
    flags: list[bool] = handled.to_pylist()
    for value, got, done in zip(values, normalized.to_pylist(), flags, strict=True):
        if done:
            want = normalize_email(value)
            assert (got, True, None) == (want.value, want.ok, want.reason), value
        else:
            assert got is None, value
    return flags


def _scalar_fast_path_answers(value: str) -> bool:
    """True when normalize_emails' own fast path decides ``value`` (a bare address)."""
    rules = _email_rules()
    assert rules is not None
    return rules.normalize(value) is not None


# --------------------------------------------------------------------------------------
# Arbitrary text made of e-mail pieces
# --------------------------------------------------------------------------------------

# fmt: off
PIECES = [
    "a", "Z", "jean", "Jean", "DUPONT", "o'brien", "x1", "0", "42", "é", "ß", "Ä", "张",
    "\u212a", "\u017f", "İ", "ﬁ", *"!#$%&'*+/=?^_`{|}~-", ".", "..", "@", "@@", "-", "--",
    " ", "\t", "\n", "\xa0", "\u200b", '"', "<", ">", ":", "mailto:", "(", ")", ",", ";", "[",
    "]", "\\", "info", "INFO", "Sales", "www", "NoC", "postmaster", "infos",
    "x.local", "x.test", "localhost", ".LOCAL", ".Test", ".onion", ".arpa", ".invalid", "test",
    ".fr", ".FR", ".com", ".co.uk", ".c", ".123", ".c0m", "xn--", "xn--bcher-kva", "ab--cd",
    "Example", "example.com", "a" * 62, "a" * 63, "a" * 64, "a" * 65, "b" * 60, "c" * 63,
]
# fmt: on
_LOCAL_CHARS = "abcXYZ019!#$%&'*+/=?^_`{|}~-."
_TLDS = [
    "fr",
    "FR",
    "com",
    "uk",
    "c",
    "x1",
    "local",
    "TEST",
    "onion",
    "invalid",
    "xLocal",
    "notest",
]


@st.composite
def pieces_text(draw: st.DrawFn) -> str:
    """Any concatenation of e-mail pieces: mostly invalid, sometimes plain."""
    return "".join(draw(st.lists(st.sampled_from(PIECES), max_size=12)))


@st.composite
def shaped_address(draw: st.DrawFn) -> str:
    """local@label.label.tld, with lengths around the limits (64, 63, 254)."""
    local = draw(
        st.one_of(
            st.text(_LOCAL_CHARS, min_size=1, max_size=12),
            st.sampled_from(["info", "INFO", "Sales", "www", "Jean.Dupont", "'jean", "jean'"]),
            st.integers(60, 66).map(lambda n: "a" * n),
            st.integers(60, 66).map(lambda n: "a." * (n // 2) + "b" * (n % 2)),
        )
    )
    label = st.one_of(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9\-]{0,10}", fullmatch=True),
        st.integers(58, 65).map(lambda n: "b" * n),
        st.sampled_from(["xn--bcher-kva", "a-b", "-a", "a-", "X--Y", "Example", "localhost"]),
    )
    labels = draw(st.lists(label, min_size=0, max_size=5))
    tld = draw(st.one_of(st.sampled_from(_TLDS), st.integers(60, 65).map(lambda n: "z" * n)))
    return f"{local}@{'.'.join([*labels, tld])}"


@st.composite
def near_254(draw: st.DrawFn) -> str:
    """Addresses of about 254 characters: four labels of 60 and a filler."""
    total = draw(st.integers(250, 258))
    head = draw(st.sampled_from(["a", "Jean.Dupont", "INFO", "a" * 64]))
    domain = ".".join(["b" * 60] * 3 + ["fr"])
    filler = total - len(head) - 1 - len(domain) - 1
    return f"{head}@{'c' * max(filler, 1)}.{domain}" if filler > 0 else f"{head}@{domain}"


emails = st.one_of(pieces_text(), shaped_address(), near_254())


@settings(max_examples=examples(400))
@given(st.lists(st.one_of(emails, st.none()), max_size=12))
@example(["Jean.Dupont@Example.FR", None, "INFO@x.fr", "a@x.local"])
def test_handled_rows_match_the_scalar(values: list[str | None]) -> None:
    flags = _check(values)
    # Texts that need no trimming and hold no "<" or ":" are handled exactly when
    # normalize_emails' own fast path answers them.
    for value, done in zip(values, flags, strict=True):
        if value is not None and value == value.strip() and not {"<", ":"} & set(value):
            assert done == _scalar_fast_path_answers(value), value


@given(st.lists(emails, max_size=8))
def test_large_strings_match_the_scalar(values: list[str]) -> None:
    _check(values, pa.large_string())


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Jean.Dupont@Example.FR", "Jean.Dupont@example.fr"),
        ("helene.blou@aprool.com", "helene.blou@aprool.com"),
        ("o'brien@example.co.uk", "o'brien@example.co.uk"),
        ("a+crm@GMAIL.com", "a+crm@gmail.com"),
        ("x_y-z@sub.Domain-1.example.org", "x_y-z@sub.domain-1.example.org"),
        ("Sales@Aprool.COM", "sales@aprool.com"),
        ("WWW@x.fr", "www@x.fr"),
        ("Infos@X.fr", "Infos@x.fr"),
    ],
)
def test_common_addresses_are_handled(raw: str, value: str) -> None:
    normalized, handled = plain_emails(pa.array([raw]))
    assert handled.to_pylist() == [True]
    assert normalized.to_pylist() == [value] == [normalize_email(raw).value]


# --------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------

LONG_DOMAIN = ".".join(["b" * 60] * 3 + ["bbbbb", "fr"])  # 191 characters


# value None: not handled (left to the scalar path)
# fmt: off
EDGE_CASES: list[tuple[str | None, str | None]] = [
    (None, None), ("", None), ("a@b", None), ("a..b@c.fr", None), (".a@c.fr", None),
    ("a.@c.fr", None), ("a@-c.fr", None), ("a@c-.fr", None), ("a@c--d.fr", None),
    ("a--b@c.fr", "a--b@c.fr"), ("a@b.c", None), ("a@b.c0m", None), ("a@b.123", None),
    ("a@b@c.fr", None), ("a b@c.fr", None), (" a@c.fr", None), ("a@c.fr ", None),
    ("'a@c.fr", None), ("a'@c.fr", "a'@c.fr"), ('"a"@c.fr', None), ("é@c.fr", None),
    ("a@ç.fr", None), ("Jean <a@c.fr>", None), ("mailto:a@c.fr", None),
    ("a" * 64 + "@x.fr", "a" * 64 + "@x.fr"), ("a" * 65 + "@x.fr", None),
    ("a." * 32 + "b@x.fr", None), ("a." * 31 + "bc@x.fr", "a." * 31 + "bc@x.fr"),
    ("a@" + "b" * 63 + ".fr", "a@" + "b" * 63 + ".fr"), ("a@" + "b" * 64 + ".fr", None),
    ("a@b." + "z" * 63, "a@b." + "z" * 63), ("a@b." + "z" * 64, None),
    ("a" * 62 + "@" + LONG_DOMAIN, "a" * 62 + "@" + LONG_DOMAIN),  # 254 characters
    ("a" * 63 + "@" + LONG_DOMAIN, None),  # 255
    ("INFO@x.fr", "info@x.fr"), ("INFO@X.FR", "info@x.fr"), ("a@X.LOCAL", None),
    ("a@x.Test", None), ("a@localhost", None), ("a@x.localhost", None),
    ("a@notlocal.fr", "a@notlocal.fr"), ("a@xlocal", None), ("a@b.xlocal", "a@b.xlocal"),
    ("a@xn--bcher-kva.ch", None), ("a@b.xn--p1ai", None),
]
# fmt: on


@pytest.mark.parametrize(("raw", "value"), EDGE_CASES)
def test_edge_cases(raw: str | None, value: str | None) -> None:
    normalized, handled = plain_emails(pa.array([raw], pa.string()))
    assert normalized.to_pylist() == [value]
    assert handled.to_pylist() == [value is not None]
    if value is not None:
        assert normalize_email(raw) == normalize_email(value)
        assert (normalize_email(raw).value, normalize_email(raw).ok) == (value, True)
    if raw is not None and raw == raw.strip() and "<" not in raw and ":" not in raw:
        assert _scalar_fast_path_answers(raw) == (value is not None)


def test_lengths_of_the_edge_cases() -> None:
    assert len("a" * 62 + "@" + LONG_DOMAIN) == 254


@pytest.mark.parametrize(
    "array",
    [
        pa.array([], pa.string()),
        pa.array([None, None]),  # type null: an empty column
        pa.array([None, "a@b.fr"], pa.string_view()),
        pa.array(["x", "a@b.fr", "A@B.FR"] * 3, pa.string()).slice(2, 4),
    ],
)
def test_other_arrays(array: pa.Array) -> None:
    normalized, handled = plain_emails(array)
    values = array.to_pylist()
    assert handled.to_pylist() == [v is not None and "@" in v for v in values]
    assert normalized.to_pylist() == [
        normalize_email(v).value if v is not None and "@" in v else None for v in values
    ]


# --------------------------------------------------------------------------------------
# email-validator's settings, read on each call
# --------------------------------------------------------------------------------------


def test_settings_are_read_on_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    values = ["jean@example.corp", "jean@example.test", "Info@x.fr", "Team@x.fr", "a@b.local"]
    assert _check(values) == [True, False, True, True, False]
    special = [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "CORP"]
    monkeypatch.setattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES", special)
    monkeypatch.setattr(email_validator, "TEST_ENVIRONMENT", True)
    assert _check(values) == [False, True, True, True, False]
    monkeypatch.setattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES", [])
    assert _check(values) == [True, True, True, True, True]
    # validate_email() holds the list itself: it is changed in place.
    roles = rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES
    saved = list(roles)
    roles[:] = ["team"]
    try:
        assert _check(values) == [True, True, True, True, True]
        assert plain_emails(pa.array(values))[0].to_pylist()[2:4] == ["Info@x.fr", "team@x.fr"]
    finally:
        roles[:] = saved


def test_no_rules_handles_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES")
    assert _email_rules() is None
    normalized, handled = plain_emails(pa.array(["a@b.fr", None]))
    assert handled.to_pylist() == [False, False]
    assert normalized.to_pylist() == [None, None]


# --------------------------------------------------------------------------------------
# Generated CRM data
# --------------------------------------------------------------------------------------


def _cells(column: Any) -> list[Any]:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in column.tolist()]


def test_generated_contacts_match_the_scalar() -> None:
    data = generate(n_accounts=2000, n_contacts=10000, seed=7, messiness=0.3, n_owners=5)
    texts: list[str | None] = []
    for name in ("email", "secondary_email"):
        texts += clean_column(_cells(data.contacts[name]))
    flags = _check(texts)
    present = [done for text, done in zip(texts, flags, strict=True) if text is not None]
    assert len(present) > 5000
    assert sum(present) >= 0.8 * len(present)


def test_email_column_matches_normalize_email_value_by_value() -> None:
    from crmkit._normalize import normalize_email
    from crmkit._normalize._columns import ColumnOptions, normalize_column
    from crmkit.schemas import CONTACTS

    texts = [
        "Jean.Dupont@Example.FR",
        " INFO@Aprool.com ",
        "Hélène <helene@aprool.fr>",
        "mailto:a@b.fr",
        "x@@y.fr",
        "n/c",
        None,
        "a@b.local",
    ]
    result = normalize_column(CONTACTS["email"], texts, ColumnOptions(workers=1))
    expected = [normalize_email(t) for t in texts]
    assert result.values == [
        None if t == "n/c" else e.value for t, e in zip(texts, expected, strict=True)
    ]
    assert [w is not None for w in result.warnings] == [
        t != "n/c" and not e.ok for t, e in zip(texts, expected, strict=True)
    ]
