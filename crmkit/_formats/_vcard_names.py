"""What the vCard reader and writer agree on: formatted names, CJK names, crmkit's PRODID.

A contact's formatted name (FN) is ``"First Last"``, or family name first without a
space (``王伟``) when both names are Chinese, Japanese or Korean; the reader uses the same
rule to tell whether a card's FN says more than its first and last names.
"""

from __future__ import annotations

import re

__all__ = ["CJK_ONLY_RE", "PRODID", "display_name", "is_cjk"]

# CJK ideographs, kana (full and half width), hangul.
_CJK_CHARS = "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f]"

_CJK_RE = re.compile(_CJK_CHARS)

CJK_ONLY_RE = re.compile(_CJK_CHARS + "+")

#: The PRODID of the cards crmkit writes (the reader does not keep it in ``custom``).
PRODID = "-//crmkit//crmkit vCard writer//EN"


def is_cjk(text: str) -> bool:
    """True when ``text`` contains Chinese, Japanese or Korean characters.

    Examples
    --------
    >>> is_cjk("王伟"), is_cjk("Hélène")
    (True, False)
    """
    return _CJK_RE.search(text) is not None


def display_name(first: str | None, last: str | None) -> str:
    """The formatted name (FN) of a contact: ``"First Last"``, ``"姓名"`` for CJK names.

    Examples
    --------
    >>> display_name("Hélène", "Blou"), display_name("伟", "王"), display_name(None, "Blou")
    ('Hélène Blou', '王伟', 'Blou')
    """
    first = (first or "").strip()
    last = (last or "").strip()
    if first and last:
        if CJK_ONLY_RE.fullmatch(first) and CJK_ONLY_RE.fullmatch(last):
            return last + first
        return f"{first} {last}"
    return first or last
