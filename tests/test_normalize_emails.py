"""E-mails (crmkit._normalize._emails): normalize_email, matching keys, and normalize_emails'
fast path, which must give exactly the scalar's results (compared value by value)."""

from __future__ import annotations

from typing import Any

import email_validator
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from crmkit._normalize._emails import (
    EmailResult,
    _email_rules,
    email_domain,
    email_key,
    normalize_email,
    normalize_emails,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Helene.Blou@APROOL.com", "Helene.Blou@aprool.com"),
        ("  helene.blou@aprool.com\t", "helene.blou@aprool.com"),
        ("mailto:helene.blou@aprool.com", "helene.blou@aprool.com"),
        ("MAILTO:helene.blou@aprool.com?subject=Bonjour", "helene.blou@aprool.com"),
        ("Hélène Blou <helene.blou@Aprool.com>", "helene.blou@aprool.com"),
        ("jean@EXÄMPLE.fr", "jean@exämple.fr"),  # internationalised domain
        ("张伟@例子.中国", "张伟@例子.中国"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == EmailResult(expected, True, None)


@pytest.mark.parametrize(
    "raw",
    [
        "helene.blou@",
        "helene.blou@aprool",
        "a..b@aprool.com",
        "helene blou@aprool.com",
        "pas d'email",
    ],
)
def test_normalize_email_keeps_bad_addresses_with_a_reason(raw: str) -> None:
    result = normalize_email(raw)
    assert result.value == raw
    assert not result.ok
    assert result.reason


def test_normalize_email_empty() -> None:
    assert normalize_email("N/A") == EmailResult(None, True, None)


_LOCAL = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,15}", fullmatch=True)


_DOMAIN = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}\.(com|fr|cn|org|CO\.UK)", fullmatch=True)


@given(st.one_of(st.emails(), st.builds("{}@{}".format, _LOCAL, _DOMAIN)))
def test_normalize_email_is_idempotent_on_valid_emails(raw: str) -> None:
    result = normalize_email(raw)
    assume(result.ok)
    assert normalize_email(result.value) == result
    assert result.value is not None
    assert result.value.rpartition("@")[2] == result.value.rpartition("@")[2].lower()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("John.Smith+crm@GoogleMail.com", "johnsmith@gmail.com"),
        ("j.o.h.n.smith@gmail.com", "johnsmith@gmail.com"),
        ("john+crm@x.com", "john@x.com"),
        ("H.Blou@Aprool.com", "h.blou@aprool.com"),  # dots matter outside Gmail
        ("not an email", None),
        (None, None),
    ],
)
def test_email_key(raw: Any, expected: str | None) -> None:
    assert email_key(raw) == expected


def test_email_domain() -> None:
    assert email_domain("Helene.Blou@Aprool.COM") == "aprool.com"
    assert email_domain("Hélène <h@Aprool.fr>") == "aprool.fr"
    assert email_domain("aprool.com") is None
    assert email_domain("") is None


# --------------------------------------------------------------------------------------
# The fast path of normalize_emails
# --------------------------------------------------------------------------------------


def _assert_emails_match(values: list[Any]) -> None:
    expected = [normalize_email(v) for v in values]
    assert normalize_emails(values, workers=1) == expected
    rules = _email_rules()
    assert rules is not None
    for value, want in zip(values, expected, strict=True):
        got = rules.normalize(value)
        assert got is None or got == want, value


_ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"


@st.composite
def mutated_emails(draw: st.DrawFn) -> str:
    """A valid address, then (maybe) one of the faults found in CRM exports."""
    address = draw(st.emails())
    local, _, domain = address.rpartition("@")
    mutation = draw(
        st.sampled_from(
            [
                "none", "upper domain", "upper all", "spaces", "inner space", "double dot",
                "lead dot", "trail dot", "unicode local", "idn domain", "punycode",
                "special tld", "quoted", "long local", "long domain", "long label", "role",
                "quote ends", "mailto", "display", "one letter tld", "hyphen label",
                "digits tld", "two at", "no at", "dash dash",
            ]
        )
    )  # fmt: skip
    special = draw(st.sampled_from(["local", "test", "invalid", "localhost", "onion", "arpa"]))
    size = draw(st.integers(min_value=60, max_value=70))
    return {
        "none": address,
        "upper domain": f"{local}@{domain.upper()}",
        "upper all": address.upper(),
        "spaces": f"  {address}\t",
        "inner space": f"{local} x@{domain}",
        "double dot": f"{local}..x@{domain}",
        "lead dot": f".{local}@{domain}",
        "trail dot": f"{local}.@{domain}",
        "unicode local": f"{local}é@{domain}",
        "idn domain": f"{local}@exämple.{domain}",
        "punycode": f"{local}@xn--exmple-cua.fr",
        "special tld": f"{local}@{domain.rpartition('.')[0] or 'x'}.{special}",
        "quoted": f'"{local} x"@{domain}',
        "long local": f"{'a' * size}@{domain}",
        "long domain": f"{local}@{'.'.join(['b' * 60] * 4)}.{domain}",
        "long label": f"{local}@{'c' * (size - 4)}.{domain}",
        "role": f"{draw(st.sampled_from(['Info', 'SALES', 'Support', 'www', 'NoC']))}@{domain}",
        "quote ends": f"'{address}'",
        "mailto": f"mailto:{address}",
        "display": f"Jean Dupont <{address}>",
        "one letter tld": f"{local}@example.c",
        "hyphen label": f"{local}@-x.{domain}",
        "digits tld": f"{local}@example.123",
        "two at": f"{local}@x@{domain}",
        "no at": f"{local}{domain}",
        "dash dash": f"{local}@ab--cd.{domain}",
    }[mutation]


@given(st.lists(mutated_emails(), max_size=8))
def test_emails_match_the_scalar(values: list[str]) -> None:
    _assert_emails_match(values)


@given(
    st.lists(
        st.builds(
            "{}@{}.{}".format,
            st.text(_ATEXT + ".", min_size=1, max_size=12),
            st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,14}", fullmatch=True),
            st.sampled_from(["com", "FR", "co.uk", "c", "x1", "test", "Local", "xn--p1ai"]),
        ),
        max_size=10,
    )
)
def test_ascii_shaped_emails_match_the_scalar(values: list[str]) -> None:
    _assert_emails_match(values)


# fmt: off
PLAIN_EMAILS = [
    "helene.blou@aprool.com", "Helene.Blou@APROOL.com", " jean@example.fr ", "INFO@Aprool.com",
    "o'brien@example.co.uk", "a+crm@gmail.com", "x_y-z@sub.domain.example.org",
    "Jean Dupont <Jean.Dupont@Example.FR>", '"Dupont, Jean" <jean@x.fr>',
    "mailto:Jean@Example.FR?subject=Bonjour", " MAILTO:info@x.fr ",
]
# fmt: on


LONG_DOMAIN = ".".join(["b" * 60] * 3 + ["bbbbb", "fr"])  # 191 characters


# Each of these changes result if one check of the e-mail fast path is left out.
# fmt: off
EDGE_EMAILS = [
    "'jean@example.com'", "'jean@example.com", "jean'@example.com", "jean@example.com'",
    "INFO@example.com", "Sales@Example.COM", "www@x.fr", "infos@x.fr",
    "jean@example.local", "jean@x.TEST", "jean@invalid", "jean@a.onion", "jean@b.arpa",
    "jean@ab--cd.com", "jean@xn--exmple-cua.fr", "jean@a-b.com", "jean@example.c",
    "jean@example.c0m", "jean@example.123", f"{'a' * 64}@x.fr", f"{'a' * 65}@x.fr",
    "Jean <'jean@x.fr'>", "Jean <jean@x.fr> <autre@x.fr>", "<jean@x.fr", "mailto:", "a:b@x.fr",
    "Jean <jean@x.local>", "mailto:'x@x.fr'", "mailto:jean@x.fr?", "Jean <INFO@X.FR>",
    f"a@{'b' * 63}.fr", f"a@{'b' * 64}.fr", f"{'a' * 62}@{LONG_DOMAIN}",  # 254 characters
    f"{'a' * 63}@{LONG_DOMAIN}", "jean..x@x.fr", ".jean@x.fr", "jean.@x.fr",  # 255
]
# fmt: on


@pytest.mark.parametrize("raw", EDGE_EMAILS)
def test_edge_emails_match_the_scalar(raw: str) -> None:
    _assert_emails_match([raw])


@pytest.mark.parametrize("raw", PLAIN_EMAILS)
def test_plain_emails_take_the_fast_path(raw: str) -> None:
    rules = _email_rules()
    assert rules is not None
    fast = rules.normalize(raw)
    assert fast is not None
    assert fast == normalize_email(raw)


@pytest.mark.parametrize(
    "value", [None, float("nan"), 12, "", "N/A", "张伟@例子.中国", "a@b.fr\u200b", ["a@b.fr"]]
)
def test_email_cells_that_are_not_plain_match_the_scalar(value: Any) -> None:
    (got,) = normalize_emails([value], workers=1)
    assert got == normalize_email(value)


def test_email_fast_path_follows_email_validator_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        email_validator,
        "SPECIAL_USE_DOMAIN_NAMES",
        [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "corp"],
    )
    _assert_emails_match(["jean@example.corp", "jean@intranet.CORP", "jean@example.com"])
    assert not normalize_emails(["jean@example.corp"], workers=1)[0].ok
    monkeypatch.setattr(email_validator, "STRICT", True)
    _assert_emails_match([f"{'a' * 64}@example.com", f"{'a' * 65}@example.com"])
    assert not normalize_emails([f"{'a' * 65}@example.com"], workers=1)[0].ok
    monkeypatch.setattr(email_validator, "TEST_ENVIRONMENT", True)
    _assert_emails_match(["jean@example.test", "jean@example.local"])
    assert normalize_emails(["jean@example.test"], workers=1)[0].ok
