"""The fast path of :func:`crmkit._normalize.normalize_emails` as Arrow kernels.

``_EmailRules.normalize`` in :mod:`crmkit._normalize._emails` answers a plain ASCII address (a
dot-atom before the ``@``, letter-digit-hyphen labels and an alphabetic top-level domain
after it, within email-validator's length limits) without email-validator: it lower-cases
the domain and the RFC 2142 role names (``info@``, ``sales@`` ...) and stands aside for
Punycode and the special-use domains. :func:`plain_emails` applies the same rules to a
whole string array with pyarrow compute kernels, and says which rows it decided; the
caller sends the others to the scalar path. It reads email-validator's settings through
the same ``_email_rules()`` on each call.

RE2 has no lookarounds, so ``_PLAIN_EMAIL`` becomes one regular expression and checks:

- ``(?!')`` (no quote first): the first character class leaves out the quote;
- ``(?=.{1,254}\\Z)``: the byte length is at most 254 (the text is ASCII);
- ``(?=[^@]{1,64}@)``: the ``@`` (there is one) is at an offset of at most 64;
- a label is ``[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*``: it neither starts nor ends with ``-``
  and holds no ``--`` (the scalar path's ``"--" in domain``); its limit of 63 characters
  (and that of the top-level domain) is a search for 64 characters between separators.

The two checks that search run on the addresses longer than 67 characters only (none
shorter can fail them); the role names and the domain are lower-cased on the addresses
that hold a capital letter only; the others are their own result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from crmkit._normalize._emails import _email_rules

__all__ = ["plain_emails"]

_ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
_ATEXT_NO_QUOTE = _ATEXT.replace("'", "")
_LABEL = "[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
# _PLAIN_EMAIL without its lookaheads; its labels also refuse the "--" that _EmailRules
# tests apart.
_PLAIN = rf"\A[{_ATEXT_NO_QUOTE}][{_ATEXT}]*(?:\.[{_ATEXT}]+)*@(?:{_LABEL}\.)+[A-Za-z]{{2,}}\z"
_MAX_LENGTH = 254
_MAX_LOCAL = 64
_MAX_LABEL = 63
# A label of 64 characters (between "@" or "." and "." or the end).
_LONG_LABEL = f"[.@][^.@]{{{_MAX_LABEL + 1}}}"
# The shortest plain address with a label of 64 characters is "a@b." and a top-level
# domain of 64 letters (68 characters); with a local part of 65, "a" * 65 + "@b.cc" (70).
# No address of this length or less fails the checks of _LONG_LABEL and _MAX_LOCAL.
_SHORT = len("a@b.") + _MAX_LABEL


def _suffix_pattern(names: Iterable[str]) -> str | None:
    """A pattern for a lower-cased address whose domain is one of ``names`` or ends with
    ``"."`` and one of them; ``None`` when no plain domain can (names of other characters).
    """
    plain = sorted(re.escape(n) for n in names if re.fullmatch("[a-z0-9.-]+", n))
    return f"[.@](?:{'|'.join(plain)})\\z" if plain else None


def _scatter(mask: pa.Array, values: pa.Array, base: pa.Array) -> pa.Array:
    """``base`` with the rows where ``mask`` is true (no nulls) replaced by ``values``."""
    return pc.replace_with_mask(base, mask, values) if len(values) else base


def plain_emails(texts: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The plain addresses of a string array, normalised with Arrow kernels.

    What :func:`crmkit._normalize.normalize_email` returns for a plain ASCII address
    (lower-cased domain, lower-cased role name, the local part otherwise as written),
    computed for a whole array at once, with a mask of the rows this applies to.

    Parameters
    ----------
    texts
        A ``string`` or ``large_string`` array of cleaned cells (the output of
        :func:`crmkit._normalize._columns.clean_column`); nulls allowed.

    Returns
    -------
    normalized : pyarrow.Array
        ``normalize_email(texts[i]).value`` where ``handled[i]``, null elsewhere; of the
        type of ``texts``.
    handled : pyarrow.BooleanArray
        True where the vectorised rules decide the row for certain: there
        ``normalize_email(texts[i])`` is ``ok=True, reason=None``. False for the other
        rows (nulls, invalid addresses, ``"Name <addr>"``, ``mailto:``, text with spaces
        around, non-ASCII, Punycode, special-use domains ...), which the caller passes to
        :func:`crmkit._normalize.normalize_emails`. No nulls.

    Examples
    --------
    >>> import pyarrow as pa
    >>> values, handled = plain_emails(
    ...     pa.array(["Jean.Dupont@Example.FR", "INFO@x.fr", "a@x.local", "nope", None])
    ... )
    >>> values.to_pylist()
    ['Jean.Dupont@example.fr', 'info@x.fr', None, None, None]
    >>> handled.to_pylist()
    [True, True, False, False, False]
    """
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.string())
    none = pa.nulls(len(texts), texts.type)
    rules = _email_rules()  # email-validator's settings as they are now
    if rules is None:
        return none, pa.repeat(False, len(texts))

    # Shape (dot-atom, labels, alphabetic top-level domain) and total length.
    size = pc.binary_length(texts)
    handled = pc.fill_null(
        pc.and_(pc.match_substring_regex(texts, _PLAIN), pc.less_equal(size, _MAX_LENGTH)),
        False,
    )
    # Lengths of the local part and of the labels, which only long addresses can exceed.
    long = pc.and_kleene(handled, pc.greater(size, _SHORT))
    if pc.any(long).as_py():
        longer = texts.filter(long)
        too_long = pc.or_(
            pc.greater(pc.find_substring(longer, "@"), _MAX_LOCAL),
            pc.match_substring_regex(longer, _LONG_LABEL),
        )
        handled = pc.and_(
            handled, pc.invert(_scatter(long, too_long, pa.repeat(False, len(texts))))
        )
    # The special-use domains.
    lower = pc.ascii_lower(texts)
    special = _suffix_pattern(rules.special_names)
    if special is not None:
        handled = pc.and_not(handled, pc.fill_null(pc.match_substring_regex(lower, special), False))

    # The result: the text, but for a domain or a role name with capitals.
    capitals = pc.and_kleene(handled, pc.not_equal(texts, lower))
    normalized = texts
    if pc.any(capitals).as_py():
        local, domain = _halves(texts.filter(capitals))
        local_lower = pc.ascii_lower(local)
        roles = pa.array(sorted(r for r in rules.role_names if isinstance(r, str)), texts.type)
        local = pc.if_else(pc.is_in(local_lower, value_set=roles), local_lower, local)
        at = pa.scalar("@", texts.type)
        rebuilt = pc.binary_join_element_wise(local, pc.ascii_lower(domain), at)
        normalized = _scatter(capitals, rebuilt, texts)
    return pc.if_else(handled, normalized, none), handled


def _halves(addresses: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Local parts and domains of addresses that hold one ``@`` each."""
    parts = pc.split_pattern(addresses, "@", max_splits=1)
    return pc.list_element(parts, 0), pc.list_element(parts, 1)
