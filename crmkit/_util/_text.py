"""Small text helpers every layer uses: folding text for comparisons."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


def fold(text: str) -> str:
    """Fold text for matching: NFKD, accents removed, case-folded, spaces collapsed.

    Examples
    --------
    >>> fold("  Santé  Publique ")
    'sante publique'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
