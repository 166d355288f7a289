"""The filter options shared by ``filter``, ``export``, ``reassign``, ``dedupe`` and ``merge``.

Each option is listed once, in :data:`FILTER_OPTIONS`, with the keyword of
``records.filter(...)`` it sets; :func:`add_filter_options` adds them to a subcommand and
:func:`filter_keywords` reads them back. Repeating an option ORs its values; different
options AND.
"""

from __future__ import annotations

import argparse
from typing import Any, NamedTuple

import crmkit as ck
from crmkit._util._shorten import shorten
from crmkit.cli._database import KINDS, records_of

__all__ = ["FILTER_OPTIONS", "FilterOption", "add_filter_options", "filter_keywords", "selection"]


class FilterOption(NamedTuple):
    """A command-line filter and the ``records.filter`` keyword it sets."""

    flag: str
    keyword: str
    repeat: bool = True
    help: str | None = None

    @property
    def dest(self) -> str:
        """The attribute argparse stores the option in."""
        return self.flag.lstrip("-").replace("-", "_")


FILTER_OPTIONS: tuple[FilterOption, ...] = (
    FilterOption(
        "--search",
        "search",
        repeat=False,
        help="text in names, email, company, job title or phone",
    ),
    FilterOption("--owner", "owner", help="owner name, email or team"),
    FilterOption("--sector", "sector"),
    FilterOption("--revenue-band", "revenue_band"),
    FilterOption("--headcount-band", "headcount_band"),
    FilterOption("--account", "account", help="account name or id (contacts)"),
    FilterOption("--entity", "entity"),
    FilterOption("--origin", "origin"),
    FilterOption("--tag", "tags"),
    FilterOption("--within", "within", help="account name or id: it and its member accounts"),
    FilterOption("--stage", "lifecycle_stage", help="lifecycle stage (contacts)"),
    FilterOption("--email-basis", "email_basis", help="legal basis for email (contacts)"),
    FilterOption("--phone-basis", "phone_basis", help="legal basis for phone (contacts)"),
)
"""The filters taking values, in the order ``--help`` lists them."""


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--kind``, the filters, ``--active`` / ``--inactive`` and ``--where``."""
    group = parser.add_argument_group("filters (combine with AND; repeat for OR)")
    group.add_argument("--kind", choices=KINDS, default=KINDS[0])
    for option in FILTER_OPTIONS:
        action = "append" if option.repeat else "store"
        group.add_argument(option.flag, action=action, dest=option.dest, help=option.help)
    group.add_argument(
        "--active",
        action="store_true",
        default=None,
        help="active contacts / accounts not archived",
    )
    group.add_argument(
        "--inactive",
        action="store_false",
        dest="active",
        help="contacts who left / archived accounts",
    )
    group.add_argument(
        "--where", action="append", metavar="FIELD=VALUE", help="any catalog field equal to a value"
    )


def filter_keywords(args: argparse.Namespace) -> dict[str, Any]:
    """The ``records.filter`` keywords the options given ask for.

    ``--active`` means ``active=True`` for contacts and ``archived=False`` for accounts;
    ``--where field=value`` (repeatable) filters on any catalog field.
    """
    out: dict[str, Any] = {}
    for option in FILTER_OPTIONS:
        value = getattr(args, option.dest, None)
        if value:
            out[option.keyword] = value
    if getattr(args, "active", None) is not None:
        key = "active" if args.kind == "contacts" else "archived"
        out[key] = args.active if args.kind == "contacts" else not args.active
    for item in getattr(args, "where", None) or []:
        field, sep, value = item.partition("=")
        if not sep:
            raise ck.ValidationError(f"--where takes field=value, got {shorten(item)}")
        out.setdefault(field.strip(), []).append(value)
    return out


def selection(crm: ck.CRM, args: argparse.Namespace) -> ck.Selection:
    """The records of ``--kind`` the filter options select."""
    return records_of(crm, args.kind).filter(**filter_keywords(args))
