"""The header row of an export: column names, or their labels in English, French or Chinese.

Catalog fields take their label from the field catalog, derived columns (the columns the
views add) from :data:`~crmkit.schemas._labels.DERIVED_LABELS`; labels that would repeat
are made unique.
"""

from __future__ import annotations

from collections.abc import Sequence

from crmkit._exceptions import UnknownValueError
from crmkit._util._config import chosen_lang
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table as catalog_table
from crmkit.schemas._labels import DERIVED_LABELS, LANGS, Lang

__all__ = [
    "FIELD_NAMES",
    "HeaderLang",
    "check_header_lang",
    "export_lang",
    "header_labels",
    "unique_labels",
]

HeaderLang = Lang


def header_labels(
    columns: Sequence[str], kind: str, lang: HeaderLang | str | None = None
) -> list[str]:
    """The header written for each column: its name, or its label in ``lang``.

    Catalog fields take their label from the field catalog, derived columns from
    :data:`DERIVED_LABELS`; other columns keep their name. When two columns would get the
    same label, the one that holds an id (``account_id`` next to ``company``) becomes
    ``"<label> (id)"`` (``"<label>编号"`` in Chinese); any label still repeated gets
    ``" (2)"``, ``" (3)"`` ...

    Parameters
    ----------
    columns
        Column names, in order.
    kind
        ``"contacts"`` or ``"accounts"``: the catalog table to read labels from.
    lang
        ``"en"``, ``"fr"``, ``"zh"``, or ``None`` (or ``"names"``) for the column names
        themselves.

    Examples
    --------
    >>> header_labels(["last_name", "company", "owner"], "contacts", "fr")
    ['Nom', 'Société', 'Affecté à']
    >>> header_labels(["account_id", "company"], "contacts", "zh")
    ['公司编号', '公司']
    >>> header_labels(["owner_id", "owner", "x"], "contacts", "en")
    ['Owner (id)', 'Owner', 'x']
    """
    fields = catalog_table(kind)
    lang = check_header_lang(lang)
    if lang is None:
        labels = [str(c) for c in columns]
        id_like = [False] * len(labels)
    else:
        position = LANGS.index(lang)
        labels = []
        id_like = []
        for name in columns:
            if name in fields:
                field = fields[name]
                labels.append(field.label(lang))
                id_like.append(field.kind in ("id", "ref"))
            elif name in DERIVED_LABELS:
                labels.append(DERIVED_LABELS[name][position])
                id_like.append(False)
            else:
                labels.append(str(name))
                id_like.append(False)
        suffix = "编号" if lang == "zh" else " (id)"
        counts: dict[str, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        labels = [
            label + suffix if counts[label] > 1 and is_id else label
            for label, is_id in zip(labels, id_like, strict=True)
        ]
    return unique_labels(labels)


def unique_labels(labels: list[str]) -> list[str]:
    taken = set(labels)
    seen: set[str] = set()
    out = []
    for label in labels:
        if label in seen:
            n = 2
            while f"{label} ({n})" in taken:
                n += 1
            label = f"{label} ({n})"
            taken.add(label)
        seen.add(label)
        out.append(label)
    return out


#: ``lang=FIELD_NAMES`` writes the field names as headers, whatever language is set.
FIELD_NAMES = "names"


def check_header_lang(lang: str | None) -> HeaderLang | None:
    """``lang`` as a header language: ``None`` (or :data:`FIELD_NAMES`) for field names.

    Examples
    --------
    >>> check_header_lang("fr"), check_header_lang("names"), check_header_lang(None)
    ('fr', None, None)
    """
    if lang is None or lang == FIELD_NAMES:
        return None
    if lang in LANGS:
        return lang
    valid = (*LANGS, FIELD_NAMES)
    raise UnknownValueError("header language", lang, valid, closest(str(lang), valid))


def export_lang(lang: str | None) -> HeaderLang | None:
    """The header language of an export: ``lang`` if given, else the one the user chose.

    ``None`` follows :func:`crmkit.set_config` (field names until a language is chosen,
    what a re-import or a script expects); ``"names"`` keeps the field names even then.

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.config_context(lang="zh"):
    ...     export_lang(None), export_lang("names"), export_lang("fr")
    ('zh', None, 'fr')
    >>> export_lang(None) is None
    True
    """
    return chosen_lang() if lang is None else check_header_lang(lang)
