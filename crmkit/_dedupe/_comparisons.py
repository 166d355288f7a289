"""What two records are compared on: :class:`Comparison`, its agreement levels, defaults.

:func:`resolve_comparisons` turns the ``fields=`` of :func:`crmkit.find_duplicates` (names of
columns or of default comparisons, or :class:`Comparison` objects) into the comparisons to
run on a frame; :func:`default_comparisons` gives those of contacts and of accounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._suggest import closest
from crmkit.schemas._catalog import table

__all__ = [
    "LEVELS",
    "Comparison",
    "Method",
    "default_comparisons",
    "resolve_comparisons",
]


Method = Literal[
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "domain",
    "city",
    "postal_code",
    "date",
    "code",
    "text",
    "street",
    "exact",
]
_METHODS: tuple[str, ...] = get_args(Method)

LEVELS: dict[str, tuple[str, ...]] = {
    "first_name": ("exact", "nickname", "close", "initial", "different"),
    "last_name": ("exact", "close", "similar", "different"),
    "email": ("exact", "same_local", "close", "different"),
    "phone": ("exact", "close", "different"),
    "company": ("exact", "close", "partial", "different"),
    "domain": ("exact", "different"),
    "city": ("exact", "close", "different"),
    "postal_code": ("exact", "close", "different"),
    "date": ("exact", "close", "different"),
    "code": ("exact", "close", "different"),
    "text": ("exact", "close", "similar", "different"),
    "street": ("exact", "close", "similar", "different"),
    "exact": ("exact", "different"),
}
"""Agreement levels of each comparison method, strongest first; ``-1`` codes a null."""


@dataclass(frozen=True)
class Comparison:
    """How one field of two records is compared.

    Parameters
    ----------
    name
        Label of the comparison: a column of :attr:`DuplicateReport.pairs` and a word of
        the explanations.
    method
        How values are normalised and compared: ``first_name`` (with nicknames and
        initials), ``last_name``, ``email`` (case and ``+tag`` ignored), ``phone`` (E.164),
        ``company`` (legal forms and word order ignored), ``domain`` (web sites and e-mail
        domains), ``city``, ``postal_code``, ``date``, ``code`` (identifiers: one typo is
        "close"), ``text`` (word-set similarity), ``street`` (word-set similarity of
        addresses with abbreviations, ordinals and directions spelt one way, notes such as
        "between 5th and 6th" dropped; a different house number is at most "similar") or
        ``exact``.
    columns
        Input columns; several columns are compared "any of" (a phone matches a mobile).
        Defaults to ``(name,)``.
    given
        Names of comparisons this one depends on: when one of them agrees (the first that
        does, in this order), agreement here is weighed against how often *different*
        records that agree there also agree here (colleagues share their company's city
        and switchboard: same company and same city is not twice the evidence).

    Examples
    --------
    >>> Comparison("soc_sec_id", "code").levels
    ('exact', 'close', 'different')
    >>> Comparison("phone", "phone", ("phone", "mobile")).columns
    ('phone', 'mobile')
    """

    name: str
    method: Method
    columns: tuple[str, ...] = ()
    given: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        given = (self.given,) if isinstance(self.given, str) else tuple(self.given or ())
        object.__setattr__(self, "given", given)
        if self.method not in _METHODS:
            raise UnknownValueError(
                "comparison method", self.method, _METHODS, closest(str(self.method), _METHODS)
            )
        if not self.columns:
            object.__setattr__(self, "columns", (self.name,))
        elif isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        else:
            object.__setattr__(self, "columns", tuple(self.columns))

    @property
    def levels(self) -> tuple[str, ...]:
        """The agreement levels, strongest first."""
        return LEVELS[self.method]


_CONTACT_COMPARISONS = (
    Comparison("first_name", "first_name"),
    Comparison("last_name", "last_name"),
    Comparison("email", "email", ("email", "secondary_email"), given=("company",)),
    Comparison("phone", "phone", ("phone", "mobile", "home_phone"), given=("company",)),
    Comparison("company", "company"),
    Comparison("city", "city", given=("company",)),
    Comparison("postal_code", "postal_code", given=("company", "city")),
    Comparison("birthday", "date"),
    # Colleagues share their company's country and region, and a city is in one region.
    Comparison("country", "exact", given=("company", "city")),
    Comparison("region", "exact", given=("company", "city", "country")),
)
# An account's address is in the billing_* columns; a frame may name them plainly.
# A hotel's restaurants share its switchboard and its street: agreeing on both is one
# piece of evidence, so the street is weighed given the phone first.
_ACCOUNT_COMPARISONS = (
    Comparison("name", "company"),
    Comparison("domain", "domain", ("website", "email")),
    Comparison("phone", "phone"),
    Comparison(
        "street", "street", ("billing_street", "street"), given=("phone", "postal_code", "city")
    ),
    Comparison("city", "city", ("billing_city", "city")),
    Comparison(
        "postal_code", "postal_code", ("billing_postal_code", "postal_code"), given=("city",)
    ),
    Comparison("siren", "code"),
    Comparison("naf_code", "exact"),
    Comparison("country", "exact", ("billing_country", "country")),
)


_COLUMN_METHODS: dict[str, Method] = {
    "first_name": "first_name",
    "given_name": "first_name",
    "last_name": "last_name",
    "surname": "last_name",
    "company": "company",
    "name": "company",
    "email": "email",
    "secondary_email": "email",
    "website": "domain",
    "birthday": "date",
    "city": "city",
    "billing_city": "city",
    "postal_code": "postal_code",
    "billing_postal_code": "postal_code",
    "street": "street",
    "billing_street": "street",
    "siren": "code",
    "naf_code": "exact",
    "sic_code": "exact",
    "country": "exact",
    "billing_country": "exact",
    "region": "exact",
    "billing_region": "exact",
    "gender": "exact",
}


def _kind(kind: str) -> str:
    return table(kind).name


def default_comparisons(kind: str) -> tuple[Comparison, ...]:
    """The comparisons used for ``"contacts"`` or ``"accounts"`` when none are given.

    Examples
    --------
    >>> [c.name for c in default_comparisons("contacts")][:4]
    ['first_name', 'last_name', 'email', 'phone']
    """
    return _CONTACT_COMPARISONS if _kind(kind) == "contacts" else _ACCOUNT_COMPARISONS


def _method_of(kind: str, column: str) -> Method:
    if column in _COLUMN_METHODS and not (column == "name" and _kind(kind) == "contacts"):
        return _COLUMN_METHODS[column]
    catalog = table(kind)
    if column in catalog:
        found = catalog[column]
        if found.format == "phone":
            return "phone"
        if found.format == "email":
            return "email"
        if found.format == "url":
            return "domain"
        if found.kind == "date":
            return "date"
        if found.vocabulary is not None or found.kind in ("bool", "int"):
            return "exact"
    return "text"


def resolve_comparisons(
    kind: str,
    fields: Sequence[str | Comparison] | None,
    columns: Iterable[str],
) -> tuple[Comparison, ...]:
    """The comparisons to run on a frame with ``columns``.

    ``fields=None`` takes :func:`default_comparisons` and keeps those with at least one
    column in the frame. A string names a default comparison or a column (its method is
    guessed from the catalog: phones, e-mails, web sites, dates, vocabularies; else
    ``text``); a :class:`Comparison` is used as given.

    Raises
    ------
    ValidationError
        A comparison names no column of the frame, or two comparisons share a name.

    Examples
    --------
    >>> [c.method for c in resolve_comparisons("contacts", ["email", "mobile", "notes"],
    ...                                         ["email", "mobile", "notes"])]
    ['email', 'phone', 'text']
    """
    present = set(columns)
    defaults = {c.name: c for c in default_comparisons(kind)}
    if fields is None:
        out = []
        for comparison in defaults.values():
            kept = tuple(c for c in comparison.columns if c in present)
            if kept:
                out.append(Comparison(comparison.name, comparison.method, kept, comparison.given))
        return _drop_missing_given(out)
    resolved: list[Comparison] = []
    for item in fields:
        if isinstance(item, Comparison):
            comparison = item
        elif item in defaults and item not in present:
            comparison = defaults[item]
        elif item in defaults:
            base = defaults[item]
            others = tuple(c for c in base.columns if c != item and c in present)
            comparison = Comparison(base.name, base.method, (item, *others), base.given)
        else:
            comparison = Comparison(item, _method_of(kind, item))
        kept = tuple(c for c in comparison.columns if c in present)
        if not kept:
            raise ValidationError(
                f"comparison {comparison.name!r}: none of its columns "
                f"{list(comparison.columns)} is in the frame (columns: {sorted(present)})"
            )
        resolved.append(Comparison(comparison.name, comparison.method, kept, comparison.given))
    names = [c.name for c in resolved]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValidationError(f"comparisons must have distinct names; repeated: {repeated}")
    return _drop_missing_given(resolved)


def _drop_missing_given(comparisons: Sequence[Comparison]) -> tuple[Comparison, ...]:
    names = {c.name for c in comparisons}
    return tuple(
        Comparison(
            c.name, c.method, c.columns, tuple(g for g in c.given if g in names and g != c.name)
        )
        for c in comparisons
    )
