"""Custom fields: the field a database adds, from its stored definition (pure).

A definition is a plain dict (``kind``, ``name``, ``type``, ``labels``, ``vocabulary``,
``required``, ``personal``) stored in the database's ``custom_fields`` table; this module
checks one and turns it into a catalog :class:`~crmkit.schemas.Field`, so every path that
reads the catalog (models, mapping, forms, exports, filters) treats it like a standard one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._langs import LANGS
from crmkit._util._messages import message
from crmkit._util._shorten import shorten
from crmkit.schemas._catalog import Field, FieldKind
from crmkit.schemas._vocab import Term, Vocabulary

__all__ = [
    "FIELD_TYPES",
    "RESERVED_NAMES",
    "check_field_name",
    "custom_field",
    "field_type_of",
    "normalized_definition",
]

#: The types a custom field may have, and the catalog kind each one is stored as.
FIELD_TYPES: Mapping[str, FieldKind] = {
    "text": "text",
    "integer": "int",
    "decimal": "float",
    "boolean": "bool",
    "date": "date",
    "choice": "text",
    "list": "list",
}
#: Words the filters and queries give a meaning of their own (not field names).
RESERVED_NAMES = (
    "search", "ids", "within", "where", "created", "updated", "has_email", "tags_all",
    "skills_all", "revenue_min", "revenue_max", "employees_min", "employees_max", "account",
    "parent", "owner", "subscribed", "kind", "row", "line", "field", "value", "check",
)  # fmt: skip
_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,62}")
_TEXT_MAX = 2000


def check_field_name(name: Any, taken: Collection[str], keywords: Collection[str]) -> str:
    """``name`` if it can name a new column, else :class:`~crmkit.ValidationError`.

    A name is lower-case letters, digits and ``_``, starting with a letter (at most 63),
    not a SQL keyword, and not a field or derived column the table already has.

    Examples
    --------
    >>> check_field_name("fav_colour", {"email"}, {"select"})
    'fav_colour'
    >>> check_field_name("; DROP", {"email"}, {"select"})
    Traceback (most recent call last):
    ...
    crmkit._exceptions.ValidationError: '; DROP' cannot name a custom field: use lower-case \
letters, digits and _, starting with a letter (at most 63 characters)
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValidationError(message("cf_bad_name", name=shorten(name)))
    if name in keywords:
        raise ValidationError(message("cf_keyword", name=repr(name)))
    if name in taken:
        raise ValidationError(message("cf_taken", name=repr(name)))
    return name


def field_type_of(type_name: Any) -> FieldKind:
    """The catalog kind a custom field type is stored as (an unknown type raises)."""
    if type_name not in FIELD_TYPES:
        raise UnknownValueError("custom field type", shorten(type_name), list(FIELD_TYPES))
    return FIELD_TYPES[type_name]


def _labels(name: str, labels: Mapping[str, Any] | None) -> dict[str, str]:
    if labels is not None and not isinstance(labels, Mapping):
        raise ValidationError(f"labels is a dict of en, fr, zh; got {shorten(labels)}")
    given = dict(labels or {})
    unknown = [k for k in given if k not in LANGS]
    if unknown:
        raise UnknownValueError("label language", shorten(unknown[0]), list(LANGS))
    default = str(given.get("en") or name.replace("_", " ").capitalize())
    out: dict[str, str] = {}
    for lang in LANGS:
        text = given.get(lang) or default
        if not isinstance(text, str) or not text.strip() or len(text) > 100:
            raise ValidationError(f"the {lang} label is a text of 1 to 100 characters")
        out[lang] = text.strip()
    return out


def _vocabulary(name: str, type_name: str, vocabulary: Any) -> list[str] | None:
    if vocabulary is None:
        if type_name == "choice":
            raise ValidationError(message("cf_vocab_needed", name=name))
        return None
    if type_name != "choice":
        raise ValidationError(message("cf_vocab_only", name=name, type=type_name))
    if isinstance(vocabulary, str) or not isinstance(vocabulary, Sequence):
        raise ValidationError(
            f"{name}: a vocabulary is a list of values, got {shorten(vocabulary)}"
        )
    values = [str(v).strip() for v in vocabulary]
    if not values or any(not v for v in values) or len(set(values)) != len(values):
        raise ValidationError(message("cf_vocab_values", name=name))
    return values


def normalized_definition(
    kind: str,
    name: str,
    type_name: Any,
    *,
    labels: Mapping[str, Any] | None = None,
    vocabulary: Any = None,
    required: bool = False,
    personal: bool = False,
) -> dict[str, Any]:
    """A checked definition as stored (the name is checked by :func:`check_field_name`)."""
    field_type_of(type_name)
    return {
        "kind": kind,
        "name": name,
        "type": type_name,
        "labels": _labels(name, labels),
        "vocabulary": _vocabulary(name, str(type_name), vocabulary),
        "required": bool(required),
        "personal": bool(personal),
    }


def custom_field(definition: Mapping[str, Any]) -> Field:
    """The catalog field of a stored definition.

    Examples
    --------
    >>> f = custom_field({"name": "tier", "type": "choice", "vocabulary": ["A", "B"],
    ...                   "labels": {"en": "Tier", "fr": "Niveau", "zh": "等级"}})
    >>> f.kind, f.sql_type, f.choices.values, f.label("fr")
    ('text', 'VARCHAR', ['A', 'B'], 'Niveau')
    """
    name = str(definition["name"])
    kind = field_type_of(definition["type"])
    labels = _labels(name, definition.get("labels"))
    values = definition.get("vocabulary")
    choices = (
        Vocabulary(name, tuple(Term(v, v, v, v) for v in values)) if values is not None else None
    )
    return Field(
        name,
        kind,
        labels["en"],
        labels["fr"],
        labels["zh"],
        max_length=_TEXT_MAX if kind == "text" else None,
        required=bool(definition.get("required")),
        vocabulary=name if choices is not None else None,
        group="custom",
        choices=choices,
        custom=True,
        personal=bool(definition.get("personal")),
    )
