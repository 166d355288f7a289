"""Websites (crmkit._normalize._urls)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit._normalize._urls import _rebuilt_url, normalize_url, url_domain


@pytest.mark.parametrize(
    ("raw", "url", "domain"),
    [
        ("WWW.Aprool.com/", "https://www.aprool.com", "aprool.com"),
        ("aprool.com", "https://aprool.com", "aprool.com"),
        ("http://Aprool.com/Produits/", "http://aprool.com/Produits/", "aprool.com"),
        ("HTTPS://www.aprool.com/?q=1", "https://www.aprool.com/?q=1", "aprool.com"),
        ("//cdn.Aprool.com/", "https://cdn.aprool.com", "cdn.aprool.com"),
        ("www.aprool.fr:8080/contact", "https://www.aprool.fr:8080/contact", "aprool.fr"),
        ("n/c", None, None),
        ("", None, None),
    ],
)
def test_normalize_url_and_domain(raw: str, url: str | None, domain: str | None) -> None:
    assert normalize_url(raw) == url
    assert url_domain(raw) == domain
    if url is not None:
        assert normalize_url(url) == url


@pytest.mark.parametrize("raw", ["[", "http://[", "x]", "www.aprool.com:[80"])
def test_normalize_url_keeps_what_it_cannot_take_apart(raw: str) -> None:
    # urlsplit raises ValueError on these: it reached add() and imports as a raw error.
    assert normalize_url(raw) == raw
    assert normalize_url(normalize_url(raw)) == raw


@given(
    st.from_regex(
        r"https?://[A-Za-z0-9][A-Za-z0-9.-]{0,20}(/[A-Za-z0-9._~%/?#=&-]{0,20})?", fullmatch=True
    )
)
def test_url_fast_path_matches_normalize_url(url: str) -> None:
    assert normalize_url(url) == _rebuilt_url(url)
