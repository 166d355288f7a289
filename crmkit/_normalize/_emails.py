"""Email addresses: checked and normalised, one at a time or many at once; matching keys.

:func:`normalize_email` calls email-validator; :func:`normalize_emails` gives exactly its
results (value, ok and reason) many times faster, for a contact file holds about as many
distinct addresses as rows and email-validator manages about 20k values a second:

- A fast path (``_EmailRules.normalize``) answers the plain cases. A plain ASCII address
  (dot-atom before the ``@``, letter-digit-hyphen labels, alphabetic top-level domain,
  within email-validator's length limits) is all email-validator would accept unchanged
  but for three things the fast path also does: lower-case the domain, lower-case the
  RFC 2142 role names (``info@``, ``sales@`` ...) and refuse the special-use domains
  (``.local``, ``.test``, ``.invalid`` ...).
- Why that is safe: at any other turn (quotes, non-ASCII characters, Punycode, a
  special-use domain ...) it stands aside and the library decides. It reads
  email-validator's settings at run time, on each call, and ``tests/test_emails.py``
  compares it with the scalar on generated addresses, with cases chosen so that leaving
  out any one check changes a result.
- Long work is shared with helper processes (:mod:`crmkit._normalize._fastmap`), which
  get this process's email-validator settings.

:func:`email_key` and :func:`email_domain` give what duplicate detection matches on. The
Arrow kernels of :mod:`crmkit._normalize._arrow_emails` read the same ``_email_rules()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import email_validator
from email_validator import EmailNotValidError, validate_email
from email_validator import rfc_constants as email_validator_rfc

from crmkit._normalize._fastmap import (
    Columns,
    _columns_of,
    _map_distinct_fast,
    _no_fast_path,
    _normalize_texts,
    _Twin,
    _worker_count,
)
from crmkit._normalize._text import clean_text

__all__ = [
    "EmailResult",
    "email_domain",
    "email_key",
    "normalize_email",
    "normalize_emails",
]


@dataclass(frozen=True, slots=True)
class EmailResult:
    """A normalised email address.

    Attributes
    ----------
    value
        The address with its domain lower-cased (the local part kept as written), or the
        cleaned text as given when it is not valid; ``None`` for an empty cell.
    ok
        True when the syntax is valid (or the cell is empty).
    reason
        email-validator's explanation when the address is not valid.
    """

    value: str | None
    ok: bool
    reason: str | None = None


_ANGLE_ADDRESS = re.compile(r"<([^<>]*@[^<>]*)>")


def _bare_email(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    if match := _ANGLE_ADDRESS.search(text):  # "Hélène Blou <helene@aprool.com>"
        text = match.group(1).strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:].split("?", 1)[0].strip()
    return text.strip("\"'") or None


def normalize_email(value: Any) -> EmailResult:
    """Check and normalise an email address.

    Trims, strips ``mailto:`` and a display name (``Name <addr>``), lower-cases the
    domain and keeps the local part as written. Internationalised domains are allowed.
    The check is syntax only (no DNS).

    Examples
    --------
    >>> normalize_email(" mailto:Helene.Blou@APROOL.com ")
    EmailResult(value='Helene.Blou@aprool.com', ok=True, reason=None)
    >>> normalize_email("helene.blou@aprool").ok
    False
    """
    text = _bare_email(value)
    if text is None:
        return EmailResult(None, True)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return EmailResult(clean_text(value), False, str(exc))
    return EmailResult(str(checked.normalized), True)


# The fast path of normalize_emails(): addresses that are plain ASCII dot-atoms at a plain
# ASCII domain, alone or in "Name <address>" or "mailto:address". For those,
# email-validator (check_deliverability=False) only lower-cases the domain, lower-cases
# the RFC 2142 role names (info@, sales@ ...) and rejects the special-use domains;
# everything else goes to normalize_email().
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
# The lookaheads keep email-validator's length limits: 254 characters in all (so at most
# 252 after the "@"), 64 before the "@" (its strict limit, so that both settings agree).
# No quote first: _bare_email() strips quotes at the ends. Domain labels of at most 63
# characters that neither start nor end with "-"; an alphabetic top-level domain.
_PLAIN_EMAIL = re.compile(
    r"(?=.{1,254}\Z)(?=[^@]{1,64}@)(?!')"
    rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


@dataclass(frozen=True, slots=True)
class _EmailRules:
    """email-validator's settings that decide the fate of a plain address, read per call."""

    special_names: frozenset[str]
    special_suffixes: tuple[str, ...]
    role_names: frozenset[str]

    def normalize(self, value: Any) -> EmailResult | None:
        """:func:`normalize_email` for a plain ASCII address, or ``None`` (slow path)."""
        if type(value) is not str:
            return None
        # For a text without inner spaces, quotes, "<", ":" or invisible characters,
        # _bare_email() only strips the ends.
        match = _PLAIN_EMAIL.fullmatch(value.strip())
        if match is None:
            if "<" not in value and ":" not in value:
                return None
            # "Name <address>", "mailto:address": normalize_email() checks the address
            # that _bare_email() takes out, and that address is plain or not.
            bare = _bare_email(value)
            match = None if bare is None else _PLAIN_EMAIL.fullmatch(bare)
            if match is None:
                return None
        local, domain = match.groups()
        if "--" in domain:  # Punycode (xn--) and other reserved "ab--" labels
            return None
        domain = domain.lower()
        if domain in self.special_names or domain.endswith(self.special_suffixes):
            return None
        if local.lower() in self.role_names:
            local = local.lower()
        return EmailResult(f"{local}@{domain}", True)


def _email_rules() -> _EmailRules | None:
    # Module attributes that users may change, so they are read on each call.
    special = getattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES", None)
    roles = getattr(email_validator_rfc, "CASE_INSENSITIVE_MAILBOX_NAMES", None)
    if special is None or roles is None:
        return None
    if getattr(email_validator, "TEST_ENVIRONMENT", False):
        special = [name for name in special if name != "test"]
    names = frozenset(name.lower() for name in special)
    return _EmailRules(names, tuple(f".{name}" for name in names), frozenset(roles))


def normalize_emails(values: Iterable[Any], *, workers: int | None = None) -> list[EmailResult]:
    """:func:`normalize_email` on many values: the same results, many times faster.

    Each distinct value is checked once. Plain ASCII addresses (``first.last@company.fr``,
    any case, spaces around) take a fast path; the others go to :func:`normalize_email`.
    Long work (see :data:`~crmkit._normalize.PARALLEL_THRESHOLD`) is shared with helper processes.

    Parameters
    ----------
    values
        A list, tuple, pandas Series, polars Series or any iterable.
    workers
        Processes that share the work, this one included: ``None`` for one per idle CPU
        (going by the load average), ``1`` to start none.

    Returns
    -------
    list of EmailResult
        ``[normalize_email(v) for v in values]``.

    Examples
    --------
    >>> [r.ok for r in normalize_emails(["a@b.fr", "a@b.fr", "nope"])]
    [True, True, False]
    """
    count = _worker_count(workers)  # bad arguments fail before any work
    return _map_distinct_fast(values, _email_twin(), count)


_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def email_key(value: Any) -> str | None:
    """A matching key for duplicate detection: case, ``+tag`` and Gmail dots ignored.

    Examples
    --------
    >>> email_key("John.Smith+crm@GoogleMail.com")
    'johnsmith@gmail.com'
    >>> email_key("H.Blou+news@aprool.com")
    'h.blou@aprool.com'
    """
    text = _bare_email(value)
    if text is None or "@" not in text:
        return None
    local, _, domain = text.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_domain(value: Any) -> str | None:
    """The lower-cased domain of an email address.

    Examples
    --------
    >>> email_domain("Helene.Blou@Aprool.COM")
    'aprool.com'
    """
    text = _bare_email(value)
    if text is None or "@" not in text:
        return None
    return text.rpartition("@")[2].casefold() or None


def _email_twin() -> _Twin[EmailResult]:
    """What :func:`normalize_emails` needs: fast path, scalar, and the helper task with this
    process's email-validator settings."""
    task = lambda: partial(_email_task, _email_settings())  # noqa: E731
    return _Twin(_email_fast_path(), normalize_email, task, EmailResult)


def _email_fast_path() -> Callable[[Any], EmailResult | None]:
    """The fast path: a function giving the scalar's result or ``None``."""
    rules = _email_rules()
    return _no_fast_path if rules is None else rules.normalize


# email-validator reads these module attributes, which users may set; helpers get this
# process's values so that they give the same results.
_EMAIL_SETTINGS = (
    "ALLOW_SMTPUTF8",
    "ALLOW_EMPTY_LOCAL",
    "ALLOW_QUOTED_LOCAL",
    "ALLOW_DOMAIN_LITERAL",
    "ALLOW_DISPLAY_NAME",
    "STRICT",
    "GLOBALLY_DELIVERABLE",
    "TEST_ENVIRONMENT",
    "SPECIAL_USE_DOMAIN_NAMES",
)


def _email_settings() -> dict[str, Any]:
    settings = {
        name: getattr(email_validator, name)
        for name in _EMAIL_SETTINGS
        if hasattr(email_validator, name)
    }
    roles = email_validator_rfc.CASE_INSENSITIVE_MAILBOX_NAMES
    settings["CASE_INSENSITIVE_MAILBOX_NAMES"] = list(roles)
    return settings


def _email_task(settings: dict[str, Any], texts: list[str]) -> Columns:
    """A helper process's share of :func:`normalize_emails`, with the caller's
    email-validator ``settings``: results as three plain lists, quick to send back."""
    for name, value in settings.items():
        if name == "CASE_INSENSITIVE_MAILBOX_NAMES":  # also bound in validate_email's module
            email_validator_rfc.CASE_INSENSITIVE_MAILBOX_NAMES[:] = value
        else:
            setattr(email_validator, name, value)
    return _columns_of(_normalize_texts(_email_fast_path(), normalize_email, texts))
