"""Duplicate rules: what they are, how they are checked on definition, where they live.

A duplicate rule (as in Salesforce, Dynamics or Odoo) names the fields two records of
one kind must share to be duplicates, how their values are compared (``exact``,
``folded``: case, accents, spaces and punctuation ignored, or ``fuzzy``: similar text),
and what happens when a record created, changed or imported matches a stored one:
``allow``, ``alert`` (the change is made and the match reported) or ``block`` (nothing
is written). Rules live in the database's ``settings`` table (key ``duplicate_rules``),
so every notebook, form and command that opens the file enforces the same ones; the
matching itself is :mod:`crmkit._core._duplicate_check`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from crmkit._core._setting_batches import SettingsChange, store_change
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = [
    "ACTIONS",
    "EVENTS",
    "INACTIVE_FIELD",
    "MATCHES",
    "DuplicateRule",
    "DuplicateRules",
    "make_rule",
]

Match = Literal["exact", "folded", "fuzzy"]
Action = Literal["allow", "alert", "block"]
Event = Literal["create", "update", "import"]

MATCHES: tuple[str, ...] = ("exact", "folded", "fuzzy")
ACTIONS: tuple[str, ...] = ("allow", "alert", "block")
#: What a record goes through: created (add, add_many, clone, forms), changed (update,
#: bulk edits, an import updating it) or created by an import.
EVENTS: tuple[str, ...] = ("create", "update", "import")
#: The flag that makes a record inactive, per kind, and its value when inactive.
INACTIVE_FIELD: dict[str, tuple[str, bool]] = {
    "contacts": ("active", False),
    "accounts": ("archived", True),
}
_KINDS = ("accounts", "contacts")
_SETTING = "duplicate_rules"


@dataclass(frozen=True)
class DuplicateRule:
    """One duplicate rule of a kind of record (see :meth:`crmkit.Settings.duplicate_rule`).

    Examples
    --------
    >>> rule = make_rule("contacts", "same email", ["email"], on_create="block")
    >>> rule.action("create"), rule.action("import"), rule.action("update")
    ('block', 'block', 'alert')
    >>> rule.describe()
    "contacts rule 'same email': email (folded); create=block, update=alert, import=block"
    """

    kind: str
    name: str
    fields: tuple[str, ...]
    match: str = "folded"
    threshold: float = 0.85
    ignore_blanks: bool = True
    exclude_inactive: bool = True
    on_create: str = "alert"
    on_update: str = "alert"
    on_import: str | None = None
    enabled: bool = True

    def action(self, event: str) -> str:
        """What this rule does for ``event`` (``create``, ``update`` or ``import``)."""
        if event == "import":
            return self.on_import or self.on_create
        return self.on_update if event == "update" else self.on_create

    def describe(self) -> str:
        """A one-line summary."""
        actions = ", ".join(f"{e}={self.action(e)}" for e in EVENTS)
        match = f"fuzzy ≥ {self.threshold:g}" if self.match == "fuzzy" else self.match
        off = "" if self.enabled else " [disabled]"
        return f"{self.kind} rule {self.name!r}: {', '.join(self.fields)} ({match}); {actions}{off}"

    def to_dict(self) -> dict[str, Any]:
        """The rule as stored (JSON)."""
        values = asdict(self)
        values["fields"] = list(self.fields)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DuplicateRule:
        """A rule read back from the settings table (checked again: a file is data)."""
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        rule = make_rule(
            known.pop("kind", ""), known.pop("name", ""), known.pop("fields", ()), **known
        )
        return rule

    def __str__(self) -> str:
        return self.describe()


def _choice(what: str, value: Any, valid: Sequence[str]) -> str:
    if value not in valid:
        raise UnknownValueError(what, value, list(valid), closest(str(value), valid))
    return str(value)


def make_rule(
    kind: str,
    name: str,
    fields: Sequence[str] | str,
    *,
    match: str = "folded",
    threshold: float = 0.85,
    ignore_blanks: bool = True,
    exclude_inactive: bool = True,
    on_create: str = "alert",
    on_update: str = "alert",
    on_import: str | None = None,
    enabled: bool = True,
) -> DuplicateRule:
    """A checked :class:`DuplicateRule`; a bad kind, field, match or action raises.

    Examples
    --------
    >>> make_rule("contacts", "by mail", ["emial"])
    Traceback (most recent call last):
    ...
    crmkit._exceptions.UnknownValueError: unknown contacts field 'emial'. Did you mean 'email'? ...
    """
    kind = {"account": "accounts", "contact": "contacts"}.get(kind, kind)
    _choice("kind of record", kind, _KINDS)
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"a duplicate rule needs a name, got {name!r}")
    names = [fields] if isinstance(fields, str) else list(fields)
    if not names:
        raise ValidationError(f"duplicate rule {name!r} needs at least one field")
    tbl = table(kind)
    editable = [f.name for f in tbl.editable]
    for field in names:
        _choice(f"{kind} field", field, editable)
    if len(set(names)) != len(names):
        raise ValidationError(f"duplicate rule {name!r} names a field twice: {names}")
    _choice("match", match, MATCHES)
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not (math.isfinite(threshold) and 0 < threshold <= 1)
    ):
        raise ValidationError(f"a fuzzy threshold is a number in (0, 1], got {threshold!r}")
    for event, action in (("on_create", on_create), ("on_update", on_update)):
        _choice(f"{event} action", action, ACTIONS)
    if on_import is not None:
        _choice("on_import action", on_import, ACTIONS)
    return DuplicateRule(
        kind,
        name.strip(),
        tuple(names),
        match,
        float(threshold),
        bool(ignore_blanks),
        bool(exclude_inactive),
        on_create,
        on_update,
        on_import,
        bool(enabled),
    )


class DuplicateRules:
    """The duplicate rules stored in one database (``crm.settings`` reads them here)."""

    def __init__(self, store: Store, change: SettingsChange | None = None) -> None:
        self._store = store
        #: Writes the rules as a ``setting`` batch (default: a batch of the store alone).
        self._change = change

    def all(self, kind: str | None = None) -> list[DuplicateRule]:
        """Every rule, or those of ``kind``, in the order they were defined."""
        stored = self._store.get_setting(_SETTING) or []
        rules = [DuplicateRule.from_dict(r) for r in stored]
        if kind is None:
            return rules
        wanted = table(kind).name
        return [r for r in rules if r.kind == wanted]

    def enabled(self, kind: str) -> list[DuplicateRule]:
        """The enabled rules of ``kind``."""
        return [r for r in self.all(kind) if r.enabled]

    def save(self, rule: DuplicateRule) -> DuplicateRule:
        """Add ``rule``, or replace the rule of that kind and name."""
        rules = self.all()
        at = next(
            (i for i, r in enumerate(rules) if (r.kind, r.name) == (rule.kind, rule.name)), None
        )
        if at is None:
            rules.append(rule)
        else:
            rules[at] = rule
        self._write(rules)
        return rule

    def get(self, kind: str, name: str) -> DuplicateRule:
        """The rule of ``kind`` named ``name``; :class:`UnknownValueError` otherwise."""
        rules = self.all(kind)
        for rule in rules:
            if rule.name == name:
                return rule
        names = [r.name for r in rules]
        raise UnknownValueError(
            f"{table(kind).name} duplicate rule", name, names, closest(name, names)
        )

    def remove(self, kind: str, name: str) -> None:
        """Forget a rule."""
        rule = self.get(kind, name)
        self._write([r for r in self.all() if (r.kind, r.name) != (rule.kind, rule.name)])

    def enable(self, kind: str, name: str, enabled: bool = True) -> DuplicateRule:
        """Switch a rule on or off."""
        return self.save(replace(self.get(kind, name), enabled=bool(enabled)))

    def _write(self, rules: list[DuplicateRule]) -> None:
        if self._change is None:
            self._change = store_change(self._store)
        self._change({_SETTING: [r.to_dict() for r in rules]}, None)
