"""Websites: a scheme added, the host lower-cased, the domain for matching."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crmkit._normalize._text import clean_text

__all__ = ["normalize_url", "url_domain"]


_HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# A URL that comes out unchanged: lower-case host, a path, nothing else (most cells).
_CANONICAL_URL = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?:/[\w.~%-]+)+/?")


def normalize_url(value: Any) -> str | None:
    """Normalise a website: ``https://`` added when no scheme, host lower-cased.

    A trailing slash on a bare domain is dropped. The path, query and fragment are
    kept as written. Nothing is checked beyond that (the schemas validate formats).

    Examples
    --------
    >>> normalize_url("WWW.Aprool.com/")
    'https://www.aprool.com'
    >>> normalize_url("http://Aprool.com/Produits/")
    'http://aprool.com/Produits/'
    """
    text = clean_text(value)
    if text is None or _CANONICAL_URL.fullmatch(text):
        return text
    return _rebuilt_url(text)


def _rebuilt_url(text: str) -> str:
    """:func:`normalize_url` of a clean text, taken apart and put back together."""
    written = text
    text = text.strip("<>\"' ")
    if text.startswith("//"):
        text = "https:" + text
    elif not _HAS_SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # "[": an IPv6 host without its "]", a bad port ...
        return written  # kept as written; the schemas flag what is no URL
    userinfo, at, hostport = parts.netloc.rpartition("@")
    path = "" if parts.path == "/" and not parts.query and not parts.fragment else parts.path
    netloc = userinfo + at + hostport.lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def url_domain(value: Any) -> str | None:
    """The host of a website without ``www.``.

    Examples
    --------
    >>> url_domain("https://WWW.aprool.com/contact")
    'aprool.com'
    """
    url = normalize_url(value)
    host = None if url is None else urlsplit(url).hostname
    return host.removeprefix("www.") if host else None
