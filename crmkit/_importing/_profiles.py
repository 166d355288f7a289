"""Import profiles: an import's decisions saved under a name, recalled by name or headers.

A profile holds what an analyst decides once for a source that comes back (a monthly
export, a purchased list): the header mapping, default values for new records, the
overwrite policy per field (:mod:`crmkit._importing._overwrite`) and other import
options. Profiles live in the database's ``settings`` (key ``import_profiles``), so every
notebook and the command line opening the file share them. An import names one
(``profile="..."``), or one is recalled when the file's headers are the profile's (the
same set, case and spaces aside).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from crmkit._core._session import Session
from crmkit._core._setting_batches import change_settings
from crmkit._core._store import Store
from crmkit._exceptions import CRMKitError, UnknownValueError, ValidationError
from crmkit._importing._chunks import Chunk, set_arrow_column
from crmkit._importing._mapping import propose_mapping
from crmkit._importing._options import ImportOptions
from crmkit._importing._overwrite import check_default_names, check_overwrite, field_column
from crmkit._ops import _records as records
from crmkit._util._config import chosen_lang
from crmkit._util._messages import kind_noun, message, short, unknown_value
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import Table, table
from crmkit.schemas._labels import message_field
from crmkit.schemas._models import describe_failures, validate

__all__ = [
    "ImportProfile",
    "delete_profile",
    "fill_profile_defaults",
    "get_profile",
    "has_profiles",
    "list_profiles",
    "recall_profile",
    "resolve_defaults",
    "save_profile",
]

_SETTING = "import_profiles"
# Given to ``save`` as arguments of their own, not inside ``options``.
_OWN_ARGUMENTS = ("kind", "mapping", "defaults", "overwrite", "profile")


@dataclass(frozen=True)
class ImportProfile:
    """A saved import profile (see ``crm.import_profiles``).

    Attributes
    ----------
    name, kind
        The profile's name and what it imports (``contacts`` or ``accounts``).
    mapping
        ``{header: field}`` (``None`` keeps a column in ``custom``).
    defaults
        ``{field: value}`` for new records whose cell is empty or column missing.
    overwrite
        ``{column: policy}`` (``always``, ``if_empty``, ``never``) for updated records.
    options
        Other :class:`~crmkit.ImportOptions` by name (``mode``, ``match_on`` ...).
    headers
        The headers whose files recall the profile (default: the mapping's headers).
    """

    name: str
    kind: str
    mapping: dict[str, str | None] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    overwrite: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    headers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The profile as stored (JSON)."""
        return {
            "kind": self.kind,
            "mapping": self.mapping,
            "defaults": self.defaults,
            "overwrite": self.overwrite,
            "options": self.options,
            "headers": list(self.headers),
        }

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> ImportProfile:
        return cls(
            name=name,
            kind=str(data["kind"]),
            mapping=dict(data.get("mapping") or {}),
            defaults=dict(data.get("defaults") or {}),
            overwrite=dict(data.get("overwrite") or {}),
            options=dict(data.get("options") or {}),
            headers=tuple(data.get("headers") or ()),
        )

    def matches(self, headers: Sequence[object]) -> bool:
        """Whether a file with ``headers`` is one this profile was made for."""
        return bool(self.headers) and _header_set(self.headers) == _header_set(headers)


def _header_set(headers: Sequence[object]) -> frozenset[str]:
    return frozenset(" ".join(str(h).split()).casefold() for h in headers)


def _stored(store: Store) -> dict[str, Any]:
    return dict(store.get_setting(_SETTING) or {})


def save_profile(
    session: Session,
    name: str,
    *,
    kind: str = "contacts",
    mapping: Mapping[str, str | None] | None = None,
    defaults: Mapping[str, Any] | None = None,
    overwrite: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
    headers: Sequence[str] | None = None,
) -> ImportProfile:
    """Check every part of a profile against the database, then store it (replacing one
    of the same name). Nothing is stored when a part is refused."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(message("profile_bad_name", name=short(name)))
    kind = table(kind).name
    options = dict(options or {})
    for own in _OWN_ARGUMENTS:
        if own in options:
            raise ValidationError(message("profile_own_argument", name=own))
    ImportOptions.from_keywords(kind=kind, **options)  # unknown or wrong options raise
    mapping = dict(mapping or {})
    if mapping:
        propose_mapping(list(mapping), kind, mapping=mapping)  # unknown targets raise
    policy = check_overwrite(kind, overwrite)
    plain_defaults = check_default_names(kind, defaults)
    resolve_defaults(session, kind, plain_defaults)  # a value the database refuses raises
    profile = ImportProfile(
        name=name.strip(),
        kind=kind,
        mapping=mapping,
        defaults=plain_defaults,
        overwrite=policy,
        options=options,
        headers=tuple(str(h) for h in (headers if headers is not None else mapping)),
    )
    stored = _stored(session.store)
    stored[profile.name] = profile.to_dict()
    # A ``setting`` batch: crm.undo(crm.last_batch_id) takes the profile back.
    change_settings(
        session.store, session.batch, {_SETTING: stored}, f"import profile {profile.name} saved"
    )
    return profile


def has_profiles(store: Store) -> bool:
    """Whether any profile is saved (a file's headers are read only then)."""
    return bool(_stored(store))


def get_profile(store: Store, name: str) -> ImportProfile:
    """The profile ``name``; :class:`UnknownValueError` with the saved names otherwise."""
    stored = _stored(store)
    if name not in stored:
        names = sorted(stored)
        suggestion = closest(str(name), names)
        if chosen_lang() is None:  # the English of every other unknown name
            raise UnknownValueError("import profile", name, names, suggestion)
        raise unknown_value("import_profile", name, names, suggestion)
    return ImportProfile.from_dict(name, stored[name])


def delete_profile(session: Session, name: str) -> None:
    """Forget the profile ``name`` (an unknown name raises); a ``setting`` batch."""
    get_profile(session.store, name)
    stored = _stored(session.store)
    del stored[name]
    change_settings(
        session.store, session.batch, {_SETTING: stored}, f"import profile {name} deleted"
    )


def list_profiles(store: Store) -> pd.DataFrame:
    """One row per profile: name, kind, headers, mapping, defaults, overwrite, options."""
    rows = [
        {
            "name": name,
            "kind": data["kind"],
            "headers": len(data.get("headers") or ()),
            "mapping": data.get("mapping") or {},
            "defaults": data.get("defaults") or {},
            "overwrite": data.get("overwrite") or {},
            "options": data.get("options") or {},
        }
        for name, data in sorted(_stored(store).items())
    ]
    columns = ["name", "kind", "headers", "mapping", "defaults", "overwrite", "options"]
    return pd.DataFrame(rows, columns=columns)


def recall_profile(
    store: Store,
    opts: ImportOptions,
    headers: Sequence[object] | None,
    *,
    kind_given: bool,
    given: Sequence[str] = (),
) -> tuple[ImportOptions, bool]:
    """``opts`` with its profile applied, and whether the profile was recalled by headers.

    The profile named by ``opts.profile``, else (no explicit mapping) the first one, by
    name, whose headers are ``headers`` and, when ``kind_given``, whose kind is
    ``opts.kind``. Options given to the import (named in ``given``, or set to another
    value than the default) win over the profile's: the mapping, defaults and policy
    are the profile's updated with the import's.
    """
    recalled = False
    if opts.profile is not None:
        profile = get_profile(store, opts.profile)
        if kind_given and profile.kind != opts.kind:
            raise ValidationError(
                message(
                    "profile_wrong_kind",
                    name=profile.name,
                    profile_kind=kind_noun(profile.kind),
                    kind=kind_noun(opts.kind),
                )
            )
    elif headers is not None and opts.mapping is None:
        found = [
            ImportProfile.from_dict(name, data)
            for name, data in sorted(_stored(store).items())
            if not kind_given or data["kind"] == opts.kind
        ]
        matching = [p for p in found if p.matches(headers)]
        if not matching:
            return opts, False
        profile, recalled = matching[0], True
    else:
        return opts, False
    plain = ImportOptions(kind=opts.kind)
    own = {
        f.name: getattr(opts, f.name)
        for f in fields(ImportOptions)
        if f.name not in _OWN_ARGUMENTS
        and (f.name in given or getattr(opts, f.name) != getattr(plain, f.name))
    }
    present = None if headers is None else {str(h) for h in headers}
    mapping = {h: t for h, t in profile.mapping.items() if present is None or h in present}
    mapping.update(opts.mapping or {})
    merged = ImportOptions.from_keywords(
        kind=profile.kind,
        **{**profile.options, **own},
        mapping=mapping or None,
        defaults={**profile.defaults, **(opts.defaults or {})} or None,
        overwrite={**profile.overwrite, **(opts.overwrite or {})} or None,
        profile=profile.name,
    )
    return merged, recalled


def resolve_defaults(
    session: Session, kind: str, defaults: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``{column: stored value}`` for ``defaults``: normalised, names of owners and
    accounts resolved, checked with the field rules; a refused value raises
    :class:`ValidationError` naming the field and the value."""
    out: dict[str, Any] = {}
    for name, value in (defaults or {}).items():
        column = field_column(kind, name, "defaults")
        shown = message_field(table(kind).name, column)
        try:
            values = records.values_from_keywords(session, kind, {name: value})
        except CRMKitError as exc:
            raise ValidationError(
                message("profile_bad_default", field=shown, value=short(value), why=exc)
            ) from exc
        frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in values.items()})
        report = validate(
            frame, table(kind).name, required=[], sectors=session.settings.sectors.values
        )
        if not report.ok:
            why = describe_failures(report.errors, kind=table(kind).name, rows=False)
            raise ValidationError(
                message("profile_bad_default", field=shown, value=short(value), why=why),
                report.errors,
            )
        out[column] = values.get(column)
        for implied, implied_value in values.items():  # a currency an amount implies
            out.setdefault(implied, implied_value)
    return out


def fill_profile_defaults(
    tbl: Table, chunk: Chunk, rows: list[int], defaults: Mapping[str, Any]
) -> None:
    """Give the rows to insert the default of each field whose cell is empty."""
    n = len(chunk.lines)
    for column, value in defaults.items():
        if value is None or column not in tbl:
            continue
        cells = list(chunk.columns.get(column) or [None] * n)
        filled = False
        for i in rows:
            if cells[i] is None or cells[i] == "" or cells[i] == []:
                cells[i] = value
                filled = True
        if filled:
            chunk.columns[column] = cells
            set_arrow_column(tbl, chunk, column)
