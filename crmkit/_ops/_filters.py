"""Keyword filters for contacts and accounts, compiled to SQL with ``?`` parameters.

Each keyword accepts a value or a list (OR within a keyword); keywords combine with AND.
Names a user types (owners, sectors, bands, accounts) are checked first: an unknown one
raises :class:`~crmkit.UnknownValueError` listing the valid values and the closest one.
User text only ever reaches DuckDB as a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crmkit import _normalize as norm
from crmkit._core._session import Session
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._ops import _owners as owners
from crmkit._ops import _records as records
from crmkit._ops._account_tree import members
from crmkit._util._messages import message, short
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table
from crmkit.schemas._stages import lifecycle_stages
from crmkit.schemas._vocab import LEGAL_BASES, Vocabulary, fold

__all__ = ["Condition", "compile_filters", "filter_names"]

_MAX_INLINE = 1000  # longer lists are joined as an unnested array instead
_PHONE_RUN = re.compile(r"\+?\d[\d .\-()/]*\d")


@dataclass(frozen=True)
class Condition:
    """One SQL condition on the view (``accounts_v`` / ``contacts_v``) and its parameters."""

    sql: str
    params: tuple[Any, ...] = ()


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _in(column: str, values: Sequence[Any], sql_type: str = "VARCHAR") -> Condition:
    clean = [v for v in values if v is not None]
    parts = []
    params: list[Any] = []
    if len(clean) > _MAX_INLINE:
        parts.append(f"{column} IN (SELECT unnest(?::{sql_type}[]))")
        params.append(clean)
    elif clean:
        # Constant IN-lists let DuckDB push the filter into the table scan.
        marks = ", ".join(f"?::{sql_type}" for _ in clean)
        parts.append(f"{column} IN ({marks})")
        params.extend(clean)
    if len(clean) < len(values):
        parts.append(f"{column} IS NULL")
    return Condition("(" + " OR ".join(parts) + ")", tuple(params))


def _bool(column: str, value: Any) -> Condition:
    if not isinstance(value, bool):
        raise ValidationError(f"filter {column} takes True or False, got {value!r}")
    if value:
        return Condition(f"coalesce({column}, FALSE)")
    return Condition(f"NOT coalesce({column}, FALSE)")


def _date(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    parsed = norm.parse_date(str(value))
    if parsed is None:
        return None
    return dt.datetime(parsed.year, parsed.month, parsed.day)


def _range(column: str, value: Any) -> Condition:
    """A date range: ``(start, end)``, ``"2024-01-01..2024-06-30"``, or one day."""
    if isinstance(value, str) and ".." in value:
        start_text, end_text = value.split("..", 1)
        start, end = _date(start_text), _date(end_text)
        end_inclusive = True
    elif isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValidationError(f"filter {column} takes (start, end), got {value!r}")
        start, end = _date(value[0]), _date(value[1])
        end_inclusive = True
    else:
        start = end = _date(value)
        end_inclusive = True
    parts, params = [], []
    if start is not None:
        parts.append(f"{column} >= ?")
        params.append(start)
    if end is not None:
        # A date as the end means the whole of that day.
        limit = end + dt.timedelta(days=1) if end_inclusive and end.time() == dt.time() else end
        parts.append(f"{column} < ?")
        params.append(limit)
    if not parts:
        raise ValidationError(f"filter {column} needs a start or an end date, got {value!r}")
    return Condition(" AND ".join(parts), tuple(params))


def _number(column: str, op: str, value: Any) -> Condition:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = norm.parse_number(value)
        except ValidationError as exc:
            raise ValidationError(f"filter on {column} needs a number, got {value!r}") from exc
    return Condition(f"{column} {op} ?", (value,))


class _Compiler:
    """Turns keyword filters into conditions for one kind of record."""

    def __init__(self, session: Session, kind: str) -> None:
        self.session = session
        self.kind = kind
        self.contacts = kind == "contacts"
        prefix = "account_" if self.contacts else ""
        self.sector_col = f"{prefix}sector"
        # Compared in the database's currency (converted with the stored exchange rates).
        self.revenue_col = "account_revenue_base" if self.contacts else "revenue_base"
        self.employees_col = "account_employees" if self.contacts else "employees"
        self.archived_col = "account_archived" if self.contacts else "archived"
        self.entity_col = "account_entity" if self.contacts else "entity"
        self.client_col = "account_is_client" if self.contacts else "is_client"
        self.handlers: dict[str, Callable[[Any], Condition]] = {
            "search": self.search,
            "owner": self.owner,
            "entity": lambda v: _in(self.entity_col, _as_list(v)),
            "sector": self.sector,
            "revenue_band": lambda v: self.band("revenue", v),
            "headcount_band": lambda v: self.band("headcount", v),
            "revenue_min": lambda v: _number(self.revenue_col, ">=", v),
            "revenue_max": lambda v: _number(self.revenue_col, "<=", v),
            "employees_min": lambda v: _number(self.employees_col, ">=", v),
            "employees_max": lambda v: _number(self.employees_col, "<=", v),
            "origin": self.origin,
            "tags": lambda v: self.list_any("tags", v),
            "tags_all": lambda v: self.list_all("tags", v),
            "created": lambda v: _range("created_at", v),
            "updated": lambda v: _range("updated_at", v),
            "has_email": self.has_email,
            "is_client": lambda v: _bool(self.client_col, v),
            "ids": lambda v: _in("id", [int(i) for i in _as_list(v)], "BIGINT"),
            "within": self.within,
        }
        if self.contacts:
            self.handlers.update(
                {
                    "account": self.account,
                    "account_archived": lambda v: _bool("account_archived", v),
                    "active": lambda v: _bool("active", v),
                    "skills": lambda v: self.list_any("skills", v),
                    "skills_all": lambda v: self.list_all("skills", v),
                    "email_opt_out": lambda v: _bool("email_opt_out", v),
                    "subscribed": self.subscribed,
                    "lifecycle_stage": self.lifecycle_stage,
                    # legal bases by value or label ("Consentement"); None: no basis
                    "email_basis": lambda v: _in_vocabulary(
                        "email_basis", "legal basis", LEGAL_BASES, v
                    ),
                    "phone_basis": lambda v: _in_vocabulary(
                        "phone_basis", "legal basis", LEGAL_BASES, v
                    ),
                }
            )
        else:
            self.handlers.update(
                {
                    "archived": lambda v: _bool("archived", v),
                    "parent": self.parent,
                }
            )

    # -- keyword handlers --------------------------------------------------------

    def search(self, value: Any) -> Condition:
        text = str(value)
        # Runs of digits with phone punctuation ("06 25 34", "+33 6.25") are one number.
        numbers = [re.sub(r"\D", "", m) for m in _PHONE_RUN.findall(text)]
        numbers = [n for n in numbers if len(n) >= 4]
        words = [fold(w) for w in _PHONE_RUN.sub(" ", text).split() if w.strip()]
        if self.contacts:
            haystack_text = "concat_ws(' ', first_name, last_name, email, company, job_title)"
            phones = "concat_ws(' ', phone, mobile, home_phone)"
        else:
            haystack_text = "concat_ws(' ', name, website, email, billing_city, account_number)"
            phones = "phone"
        haystack = f"lower(strip_accents({haystack_text}))"
        digits = f"regexp_replace(coalesce({phones}, ''), '[^0-9]', '', 'g')"
        parts: list[str] = []
        params: list[Any] = []
        for word in words:
            parts.append(f"contains({haystack}, ?)")
            params.append(word)
        for number in numbers:
            # "06 25 34" finds +33625341257: a national trunk 0 is dropped.
            tail = number[1:] if number.startswith("0") else number
            parts.append(f"(contains({haystack}, ?) OR contains({digits}, ?))")
            params += [number, tail]
        if not parts:
            return Condition("TRUE")
        return Condition(" AND ".join(parts), tuple(params))

    def owner(self, value: Any) -> Condition:
        keys = _as_list(value)
        if any(k is None for k in keys):
            return Condition("owner_id IS NULL")
        return _in("owner_id", sorted(set(owners.expand_many(self.session, keys))), "BIGINT")

    def sector(self, value: Any) -> Condition:
        vocab = self.session.settings.sectors
        wanted: list[str | None] = []
        for item in _as_list(value):
            if item is None:
                wanted.append(None)
                continue
            found = vocab.lookup(str(item))
            if found is None:
                raise UnknownValueError(
                    "sector", item, vocab.values, closest(str(item), vocab.values)
                )
            wanted.append(found)
        return _in(self.sector_col, wanted)

    def lifecycle_stage(self, value: Any) -> Condition:
        """Stages by value or label in any language (``"Piste"``); ``None``: no stage."""
        return _in_vocabulary("lifecycle_stage", "lifecycle stage", lifecycle_stages(), value)

    def band(self, kind: str, value: Any) -> Condition:
        bands = self.session.settings.bands(kind)
        labels = [None if v is None else bands.labels[bands.index(str(v))] for v in _as_list(value)]
        return _in(f"{kind}_band", labels)

    def origin(self, value: Any) -> Condition:
        wanted = [fold(str(v)) for v in _as_list(value)]
        return Condition("lower(strip_accents(origin)) IN (SELECT unnest(?::VARCHAR[]))", (wanted,))

    def list_any(self, column: str, value: Any) -> Condition:
        wanted = sorted({str(v).lower() for v in _as_list(value)})
        lowered = f"list_transform(coalesce({column}, []), lambda x: lower(x))"
        return Condition(f"list_has_any({lowered}, ?::VARCHAR[])", (wanted,))

    def list_all(self, column: str, value: Any) -> Condition:
        wanted = sorted({str(v).lower() for v in _as_list(value)})
        lowered = f"list_transform(coalesce({column}, []), lambda x: lower(x))"
        return Condition(f"list_has_all({lowered}, ?::VARCHAR[])", (wanted,))

    def has_email(self, value: Any) -> Condition:
        if not isinstance(value, bool):
            raise ValidationError(f"filter has_email takes True or False, got {value!r}")
        cond = "(email IS NOT NULL AND email <> '')"
        return Condition(cond if value else f"NOT {cond}")

    def _account_ids(self, value: Any) -> list[int | None]:
        ids: list[int | None] = []
        for key in _as_list(value):
            if key is None or (isinstance(key, int) and not isinstance(key, bool)):
                ids.append(key)
            else:
                ids.append(records.find_id(self.session, "accounts", str(key)))
        return ids

    def within(self, value: Any) -> Condition:
        """An account (name or id) and every member account below it; for contacts, the
        contacts of those accounts."""
        roots = []
        for key in _as_list(value):
            if isinstance(key, str) and key.strip().isdigit():
                try:
                    key = records.find_id(self.session, "accounts", key)
                except UnknownValueError:
                    key = int(key)
            if isinstance(key, int) and not isinstance(key, bool):
                roots.append(records.check_live(self.session, "accounts", key))
            elif key is None:
                raise ValidationError(message("tl_within_none", value=short(key)))
            else:
                roots.append(records.find_id(self.session, "accounts", str(key)))
        ids = members(self.session, roots)
        return _in("account_id" if self.contacts else "id", ids, "BIGINT")

    def account(self, value: Any) -> Condition:
        return _in("account_id", self._account_ids(value), "BIGINT")

    def parent(self, value: Any) -> Condition:
        return _in("parent_id", self._account_ids(value), "BIGINT")

    def subscribed(self, value: Any) -> Condition:
        lists = [str(v) for v in _as_list(value)]
        return Condition(
            "id IN (SELECT contact_id FROM subscriptions WHERE unsubscribed_at IS NULL "
            "AND list_name IN (SELECT unnest(?::VARCHAR[])))",
            (lists,),
        )

    def field(self, name: str, value: Any) -> Condition:
        """Any other catalog field: equality with a value or a list (``None``: empty)."""
        f = table(self.kind)[name]
        if f.kind == "bool":
            return _bool(name, value)
        if f.kind in ("list", "json", "bytes"):
            raise ValidationError(f"cannot filter on {name} by equality")
        sql_type = {
            "int": "BIGINT",
            "ref": "BIGINT",
            "id": "BIGINT",
            "float": "DOUBLE",
            "date": "DATE",
            "timestamp": "TIMESTAMP",
        }.get(f.kind, "VARCHAR")
        return _in(name, _as_list(value), sql_type)

    def compile(self, filters: Mapping[str, Any]) -> list[Condition]:
        out = []
        valid = filter_names(self.kind)
        for key, value in filters.items():
            if key in self.handlers:
                out.append(self.handlers[key](value))
            elif key in table(self.kind):
                out.append(self.field(key, value))
            else:
                raise UnknownValueError(f"{self.kind[:-1]} filter", key, valid, closest(key, valid))
        return out


def filter_names(kind: str) -> list[str]:
    """The keyword filters ``crm.<kind>.filter`` accepts (besides any catalog field)."""
    common = [
        "search",
        "owner",
        "entity",
        "sector",
        "revenue_band",
        "headcount_band",
        "revenue_min",
        "revenue_max",
        "employees_min",
        "employees_max",
        "origin",
        "tags",
        "tags_all",
        "created",
        "updated",
        "has_email",
        "is_client",
        "ids",
        "within",
    ]
    if table(kind).name == "contacts":
        return [
            *common,
            "account",
            "account_archived",
            "active",
            "skills",
            "skills_all",
            "email_opt_out",
            "subscribed",
            "lifecycle_stage",
            "email_basis",
            "phone_basis",
        ]
    return [*common, "archived", "parent"]


def _in_vocabulary(column: str, what: str, vocab: Vocabulary, value: Any) -> Condition:
    """Records whose ``column`` holds one of the terms ``value`` names (by value, label or
    synonym in any language); ``None`` among them: records with no value."""
    wanted: list[str | None] = []
    for item in _as_list(value):
        found = None if item is None else vocab.lookup(str(item))
        if item is not None and found is None:
            raise UnknownValueError(what, item, vocab.values, closest(str(item), vocab.values))
        wanted.append(found)
    return _in(column, wanted)


def compile_filters(session: Session, kind: str, filters: Mapping[str, Any]) -> list[Condition]:
    """The SQL conditions for ``filters`` on ``kind`` (``accounts`` or ``contacts``).

    Examples
    --------
    >>> from crmkit._core._session import Session
    >>> from crmkit._core._store import Store
    >>> session = Session(Store())
    >>> [c.sql for c in compile_filters(session, "contacts", {"active": True})]
    ['coalesce(active, FALSE)']
    >>> session.store.close()
    """
    return _Compiler(session, table(kind).name).compile(filters)
