"""Near-miss suggestions for unknown names ("did you mean ...?")."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

from crmkit._util._text import fold

__all__ = ["closest"]


def closest(value: str, choices: Iterable[str], cutoff: float = 70.0) -> str | None:
    """The choice closest to ``value`` when it is close enough, else ``None``.

    Examples
    --------
    >>> closest("Sofware", ["Software", "Retail"])
    'Software'
    >>> closest("zzz", ["Software", "Retail"]) is None
    True
    """
    options = list(choices)
    if not options:
        return None
    # Compare without accents or case, so "Societe Generali" finds "Société Générale".
    folded = [fold(o) for o in options]
    match = process.extractOne(
        fold(str(value)),
        folded,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=cutoff,
    )
    return None if match is None else str(options[match[2]])
