"""The languages crmkit speaks, listed once.

Every label in crmkit (catalog fields, vocabularies, derived columns, the widgets' words)
is a tuple with one entry per language of :data:`LANGS`, in that order;
:func:`pick_label` reads one, :func:`check_lang` refuses a language not in the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

from crmkit._exceptions import UnknownValueError
from crmkit._util._suggest import closest

__all__ = ["LANGS", "Labels", "Lang", "check_lang", "pick_label"]

Lang = Literal["en", "fr", "zh"]

#: Every language of every label, in the order of a :data:`Labels` tuple.
LANGS: tuple[Lang, ...] = get_args(Lang)

#: One label per language, in the order of :data:`LANGS`.
Labels = tuple[str, str, str]


def check_lang(lang: object, what: str = "language") -> Lang:
    """Return ``lang`` if it is one of :data:`LANGS`, else raise ``UnknownValueError``.

    Parameters
    ----------
    lang
        The language asked for.
    what
        What the language is for, named in the error ("header language").

    Examples
    --------
    >>> check_lang("fr")
    'fr'
    >>> check_lang("FR")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crmkit._exceptions.UnknownValueError: unknown language 'FR'. Did you mean 'fr'? ...
    """
    if lang in LANGS:
        return lang
    raise UnknownValueError(what, lang, LANGS, closest(str(lang), LANGS))


def pick_label(labels: Sequence[str], lang: str) -> str:
    """The label in ``lang`` from ``labels`` (in :data:`LANGS` order); English otherwise.

    Examples
    --------
    >>> pick_label(("Revenue band", "Tranche de CA", "收入区间"), "fr")
    'Tranche de CA'
    >>> pick_label(("Revenue band", "Tranche de CA", "收入区间"), "de")
    'Revenue band'
    """
    return labels[LANGS.index(lang)] if lang in LANGS else labels[0]
