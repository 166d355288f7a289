"""A database's lifecycle stages: the four built-in ones, relabelled, and its own (pure).

``crm.settings.set_stages`` stores a list of items (a value, or a dict with ``value``,
``en``, ``fr``, ``zh`` and ``synonyms``); :func:`stage_vocabulary` checks it and makes the
:class:`~crmkit.schemas.Vocabulary` the database's ``lifecycle_stage`` field carries as its
``choices``, so validation, imports, filters, forms and conversion read the database's
stages through :func:`lifecycle_stages`. The built-in stages (:data:`LIFECYCLE_STAGES`)
are always there, and which of them a conversion starts from stays :data:`LEAD_STAGES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crmkit._exceptions import ValidationError
from crmkit._util._langs import LANGS
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import table
from crmkit.schemas._vocab import LIFECYCLE_STAGES, Term, Vocabulary, fold

__all__ = [
    "STAGES_SETTING",
    "STAGE_MAX_CHARS",
    "lifecycle_stages",
    "stage_items",
    "stage_vocabulary",
]

#: The key of a database's stages in its settings.
STAGES_SETTING = "lifecycle_stages"
#: The longest stage value (the ``lifecycle_stage`` column's limit).
STAGE_MAX_CHARS = 20


def _term(item: Any) -> Term:
    if isinstance(item, str):
        item = {"value": item}
    if not isinstance(item, Mapping):
        raise ValidationError(message("stage_item", value=shorten(item)))
    value = str(item.get("value") or "").strip()
    if not value or len(value) > STAGE_MAX_CHARS:
        raise ValidationError(message("stage_value", value=shorten(item.get("value"))))
    builtin = next((t for t in LIFECYCLE_STAGES.terms if t.value == value), None)
    labels = {}
    for lang in LANGS:
        text = item.get(lang) or (value if builtin is None else getattr(builtin, lang))
        if not isinstance(text, str) or not text.strip() or len(text) > 100:
            raise ValidationError(message("stage_label", value=value, language=lang))
        labels[lang] = text.strip()
    synonyms = tuple(str(s) for s in item.get("synonyms", ()))
    if builtin is not None:
        synonyms = (*builtin.synonyms, *synonyms)
    return Term(value, **labels, synonyms=synonyms)


def stage_vocabulary(items: Sequence[Any]) -> Vocabulary:
    """The stages of ``items``, checked: the four built-in values, then any others.

    Each item is a value (``"negotiation"``) or a dict with ``value`` and optional ``en``,
    ``fr``, ``zh`` labels and ``synonyms``; a built-in stage keeps the labels and
    synonyms not given. A text names the stage whose value it is, else the first stage
    of the list with that label or synonym. Values are unique (case and accents ignored), at most 20
    characters, and every built-in stage is in the list (in any place).

    Examples
    --------
    >>> vocab = stage_vocabulary(["lead", "qualified",
    ...     {"value": "negotiation", "fr": "Négociation", "zh": "谈判"},
    ...     {"value": "customer", "fr": "Compte client"}, "former"])
    >>> vocab.values
    ['lead', 'qualified', 'negotiation', 'customer', 'former']
    >>> vocab.label("customer", "fr"), vocab.lookup("Négociation"), vocab.lookup("Client")
    ('Compte client', 'negotiation', 'customer')
    >>> stage_vocabulary(["lead", "customer"])
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: the lifecycle stages must keep the built-in ones: \
qualified, former are missing
    """
    if isinstance(items, str | Mapping) or not isinstance(items, Sequence):
        raise ValidationError(message("stage_item", value=shorten(items)))
    terms = [_term(item) for item in items]
    values = [t.value for t in terms]
    folded = [fold(v) for v in values]
    repeated = [v for v, f in zip(values, folded, strict=True) if folded.count(f) > 1]
    if repeated:
        raise ValidationError(message("stage_unique", value=shorten(repeated[0])))
    missing = [v for v in LIFECYCLE_STAGES.values if v not in values]
    if missing:
        raise ValidationError(message("stage_builtin", values=", ".join(missing)))
    vocab = Vocabulary("lifecycle_stage", tuple(terms))
    for value in values:  # a stage's own value names it, before any label or synonym
        vocab._index[fold(value)] = value
    return vocab


def stage_items(vocab: Vocabulary) -> list[dict[str, Any]]:
    """The stored form of ``vocab`` (what :func:`stage_vocabulary` reads back).

    Examples
    --------
    >>> stage_items(LIFECYCLE_STAGES)[0]["fr"]
    'Piste'
    """
    builtin = {t.value: t for t in LIFECYCLE_STAGES.terms}
    out = []
    for term in vocab.terms:
        own = term.synonyms
        if term.value in builtin:
            own = term.synonyms[len(builtin[term.value].synonyms) :]
        item: dict[str, Any] = {"value": term.value, **{lang: term.label(lang) for lang in LANGS}}
        if own:
            item["synonyms"] = list(own)
        out.append(item)
    return out


def lifecycle_stages() -> Vocabulary:
    """The stages in force: the database's inside one of its operations, else the built-in.

    Examples
    --------
    >>> lifecycle_stages().values
    ['lead', 'qualified', 'customer', 'former']
    """
    choices = table("contacts")["lifecycle_stage"].choices
    return LIFECYCLE_STAGES if choices is None else choices
