"""What names a custom field besides its column: saved views, duplicate rules, import profiles.

``crm.settings.rename_field`` rewrites these references in its own batch, and
``drop_field`` refuses while any exists (naming each), or with ``force=True`` removes them
in its batch. Saved views are records (history and undo come with them); duplicate rules
and import profiles live in the settings table, changed with
:meth:`~crmkit._core._store.Store.set_setting_in_batch` so that undoing the batch puts
them back. The stored shapes are read as plain JSON here (``_core`` sits below the
importing layer that defines profiles): a rule's ``kind`` and ``fields``; a profile's
``kind``, ``mapping`` (header to field), ``defaults`` and ``overwrite`` (field keys) and
``options["match_on"]``; a view's ``kind`` and its definition's ``filters`` (keyword,
value), ``order`` (column, ascending) and ``columns``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from crmkit._util._messages import message

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = ["field_references", "rewrite_references"]

RULES_SETTING = "duplicate_rules"
PROFILES_SETTING = "import_profiles"

Rename = Callable[[str], str | None]  # a field name -> its new name, or None: drop it


def _renamer(old: str, new: str | None) -> Rename:
    return lambda name: new if name == old else name


def _names(values: list[Any], rename: Rename) -> list[Any]:
    out = []
    for value in values:
        renamed = rename(value) if isinstance(value, str) else value
        if renamed is not None:
            out.append(renamed)
    return out


def _view(definition: dict[str, Any], rename: Rename) -> dict[str, Any]:
    out = dict(definition)
    filters = []
    for item in definition.get("filters") or []:
        key = rename(item[0]) if isinstance(item[0], str) else item[0]
        if key is not None:
            filters.append([key, *item[1:]])
    out["filters"] = filters
    order = []
    for item in definition.get("order") or []:
        column = rename(item[0]) if isinstance(item[0], str) else item[0]
        if column is not None:
            order.append([column, *item[1:]])
    out["order"] = order
    if definition.get("columns"):
        out["columns"] = _names(list(definition["columns"]), rename) or None
    return out


def _rule(rule: dict[str, Any], rename: Rename) -> dict[str, Any] | None:
    """The rule with the field renamed; ``None`` (the rule goes) when the field goes:
    a rule without one of its fields would match more pairs than the one defined."""
    fields = list(rule.get("fields") or [])
    renamed = _names(fields, rename)
    return {**rule, "fields": renamed} if len(renamed) == len(fields) else None


def _profile(profile: dict[str, Any], rename: Rename) -> dict[str, Any]:
    out = dict(profile)
    out["mapping"] = {
        header: (rename(target) if isinstance(target, str) else target)
        for header, target in (profile.get("mapping") or {}).items()
    }
    for part in ("defaults", "overwrite"):
        kept = {}
        for key, value in (profile.get(part) or {}).items():
            renamed = rename(key)
            if renamed is not None:
                kept[renamed] = value
        out[part] = kept
    options = dict(profile.get("options") or {})
    if "match_on" in options and options["match_on"] is not None:
        given = options["match_on"]
        names = _names([given] if isinstance(given, str) else list(given), rename)
        if names:
            options["match_on"] = names
        else:
            del options["match_on"]
    out["options"] = options
    return out


def _views(store: Store, kind: str) -> list[tuple[int, str, dict[str, Any]]]:
    rows = store.con.execute(
        "SELECT id, name, definition::VARCHAR FROM saved_views WHERE kind = ? ORDER BY name",
        [kind],
    ).fetchall()
    return [(int(r[0]), str(r[1]), json.loads(r[2])) for r in rows]


def field_references(store: Store, kind: str, name: str) -> list[str]:
    """Each saved view, duplicate rule and import profile of ``kind`` naming field ``name``.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> _ = crm.settings.add_field("contacts", "tier", "text")
    >>> crm.views.save("gold", crm.contacts.filter(tier="Gold"))
    >>> field_references(crm._session.store, "contacts", "tier")
    ["saved view 'gold'"]
    >>> crm.close()
    """
    drop = _renamer(name, None)
    found = [
        message("ref_view", name=repr(view))
        for _, view, definition in _views(store, kind)
        if _view(definition, drop) != _view(definition, lambda n: n)
    ]
    for rule in store.get_setting(RULES_SETTING) or []:
        if rule.get("kind") == kind and _rule(rule, drop) != rule:
            found.append(message("ref_rule", name=repr(rule.get("name"))))
    for profile_name, profile in (store.get_setting(PROFILES_SETTING) or {}).items():
        if profile.get("kind") == kind and _profile(profile, drop) != _profile(
            profile, lambda n: n
        ):
            found.append(message("ref_profile", name=repr(profile_name)))
    return found


def rewrite_references(
    store: Store, kind: str, old: str, new: str | None, batch: int, actor: str
) -> None:
    """Rename field ``old`` to ``new`` (``None``: remove it) wherever it is named, in ``batch``.

    A duplicate rule that loses the field goes (it would match more than it was defined
    for); a profile's mapping sends the field's column back to ``custom`` (``None``).
    """
    rename = _renamer(old, new)
    same: Rename = lambda n: n  # noqa: E731
    changed = [
        (view_id, json.dumps(_view(definition, rename), ensure_ascii=False))
        for view_id, _, definition in _views(store, kind)
        if _view(definition, rename) != _view(definition, same)
    ]
    if changed:
        store.update(
            "saved_views",
            pa.table(
                {
                    "id": pa.array([c[0] for c in changed], pa.int64()),
                    "definition": pa.array([c[1] for c in changed], pa.string()),
                }
            ),
            batch,
            actor,
        )
    rules = store.get_setting(RULES_SETTING) or []
    new_rules = [r if r.get("kind") != kind else _rule(r, rename) for r in rules]
    kept_rules = [r for r in new_rules if r is not None]
    if kept_rules != rules:
        store.set_setting_in_batch(RULES_SETTING, kept_rules, batch)
    profiles = store.get_setting(PROFILES_SETTING) or {}
    new_profiles = {
        n: (p if p.get("kind") != kind else _profile(p, rename)) for n, p in profiles.items()
    }
    if new_profiles != {
        n: (p if p.get("kind") != kind else _profile(p, same)) for n, p in profiles.items()
    }:
        store.set_setting_in_batch(PROFILES_SETTING, new_profiles, batch)
