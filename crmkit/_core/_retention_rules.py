"""Retention rules: how long records of a kind are kept, and what happens to them then.

A rule (as Odoo's data cleaning or HubSpot's GDPR retention) names a kind of record,
a duration (``after="36 months"``), the date it counts from (``based_on``: the last
activity, the last change or the creation) and an action: ``archive`` (contacts
deactivated, accounts archived: an ordinary batch, undoable), ``anonymise`` (personal
values erased, the record kept) or ``delete`` (erased and removed). Rules live in the
database's ``settings`` table (key ``retention_rules``), so every notebook and command
applies the same ones; applying them is :func:`crmkit._ops._retention.apply_retention`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from crmkit._core._setting_batches import SettingsChange, store_change
from crmkit._normalize._durations import Duration, parse_duration
from crmkit._util._messages import kind_noun, message, short, unknown_value
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

if TYPE_CHECKING:
    from crmkit._core._store import Store

__all__ = ["BASED_ON", "RETENTION_ACTIONS", "RetentionRule", "RetentionRules", "make_retention"]

RETENTION_ACTIONS: tuple[str, ...] = ("anonymise", "archive", "delete")
BASED_ON: tuple[str, ...] = ("last_activity", "updated_at", "created_at")
#: The actions that erase personal data: not undoable, ``confirm=True`` needed.
ERASING: frozenset[str] = frozenset({"anonymise", "delete"})
_SETTING = "retention_rules"

#: Checks a ``where`` dict for a kind (the facade gives the filters' own check).
WhereCheck = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class RetentionRule:
    """One retention rule (see :meth:`crmkit.Settings.retention`).

    Examples
    --------
    >>> rule = make_retention(1, "contacts", after="3 ans", action="archive",
    ...                       where={"active": True})
    >>> rule.describe("en")
    "rule 1: archive contacts whose last activity is older than 3 ans (where {'active': True})"
    """

    id: int
    kind: str
    after: str
    action: str
    where: Mapping[str, Any] | None = None
    based_on: str = "last_activity"

    @property
    def duration(self) -> Duration:
        """The parsed ``after``."""
        return parse_duration(self.after, "after")

    def describe(self, lang: str | None = None) -> str:
        """One line in ``lang``: what the rule does."""
        where = message("retention_where", lang, where=dict(self.where)) if self.where else ""
        return message(
            "retention_rule",
            lang,
            rule=self.id,
            action=message(f"retention_action_{self.action}", lang),
            kind=kind_noun(self.kind, 2, lang),
            based_on=message(f"retention_based_on_{self.based_on}", lang),
            after=self.after,
            where=where,
        )

    def to_dict(self) -> dict[str, Any]:
        """The rule as stored (plain JSON values)."""
        out = asdict(self)
        out["where"] = None if self.where is None else dict(self.where)
        return out


def _choice(what: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise unknown_value(what, value, list(choices), closest(str(value), choices))
    return str(value)


def make_retention(
    rule_id: int,
    kind: str,
    *,
    after: Any = "36 months",
    action: Any = "anonymise",
    where: Any = None,
    based_on: Any = "last_activity",
    check_where: WhereCheck | None = None,
) -> RetentionRule:
    """A checked rule: known kind, action and date, a duration, a ``where`` that filters.

    ``where`` is checked by ``check_where`` (the facade passes the filters' own check,
    so a field that does not exist is refused with the closest name); without one, its
    keys must be fields of ``kind``.
    """
    name = table(kind).name
    chosen = _choice("retention action", action, RETENTION_ACTIONS)
    date = _choice("retention date", based_on, BASED_ON)
    duration = parse_duration(after, "after")
    filters: dict[str, Any] | None = None
    if where is not None:
        if not isinstance(where, Mapping):
            from crmkit._exceptions import ValidationError

            raise ValidationError(message("retention_where_list", kind=name, value=short(where)))
        filters = dict(where)
        try:
            json.dumps(filters)
        except (TypeError, ValueError):
            from crmkit._exceptions import ValidationError

            raise ValidationError(
                message("retention_where_list", kind=name, value=short(where))
            ) from None
        if check_where is not None:
            check_where(name, filters)
        else:
            fields = [f.name for f in table(name).fields]
            for key in filters:
                if key not in fields:
                    raise unknown_value(f"{name[:-1]} filter", key, fields, closest(key, fields))
    return RetentionRule(rule_id, name, duration.text, chosen, filters or None, date)


class RetentionRules:
    """The retention rules stored in one database (key ``retention_rules`` of settings).

    Adding or removing a rule is a ``setting`` batch, written by ``change`` (the
    settings' own; default: a batch of the store alone), that ``crm.undo`` takes back.
    """

    def __init__(self, store: Store, change: SettingsChange | None = None) -> None:
        self._store = store
        if change is None:
            change = store_change(store)
        self._change = change

    def all(self) -> list[RetentionRule]:
        """Every stored rule, in the order they were defined."""
        stored = self._store.get_setting(_SETTING) or []
        return [RetentionRule(**{**r, "where": r.get("where") or None}) for r in stored]

    def next_id(self) -> int:
        """The id a new rule gets (one more than the highest ever stored)."""
        return int(self._store.get_setting(_SETTING + ".last_id", 0)) + 1

    def add(self, rule: RetentionRule) -> RetentionRule:
        """Store ``rule``; an identical rule already stored is returned instead."""
        rules = self.all()
        for existing in rules:
            if {**existing.to_dict(), "id": 0} == {**rule.to_dict(), "id": 0}:
                return existing
        with self._store.transaction():
            # A sequence: an undone rule's id is never given again.
            self._store.set_setting(_SETTING + ".last_id", rule.id)
            self._change(
                {_SETTING: [r.to_dict() for r in [*rules, rule]]}, f"retention rule {rule.id} added"
            )
        return rule

    def remove(self, rule_id: Any) -> RetentionRule:
        """Forget the rule ``rule_id`` (an unknown id raises, listing the ids)."""
        rules = self.all()
        ids = [str(r.id) for r in rules]
        found = [r for r in rules if str(r.id) == str(rule_id).strip()]
        if not found:
            raise unknown_value("retention rule", rule_id, ids, closest(str(rule_id), ids))
        self._change(
            {_SETTING: [r.to_dict() for r in rules if r is not found[0]]},
            f"retention rule {found[0].id} removed",
        )
        return found[0]
