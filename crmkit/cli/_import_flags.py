"""The command-line flags that set import options, each defined once.

``import``, ``validate`` and ``preview`` build one
:class:`~crmkit._importing._options.ImportOptions` from their arguments and hand it to the
facade. :data:`IMPORT_FLAGS` says which field each flag sets and how its text becomes the
field's value; the defaults and the checks are the ones of ``ImportOptions`` itself (a flag
not given leaves its field at the default). A command picks the flags it takes, by name,
with :func:`add_import_flags`, and reads them back with :func:`import_options`.

Options with no flag (``decimal``, ``layout``, ``workers``, ``on_duplicate`` ...) keep
their defaults on the command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import crmkit as ck
from crmkit._importing._options import MODES, ImportOptions
from crmkit._util._shorten import shorten
from crmkit.cli._database import KINDS

__all__ = [
    "IMPORT_FLAGS",
    "ImportFlag",
    "add_import_flags",
    "import_options",
    "parse_mapping",
    "parse_sheet",
]


def parse_mapping(items: Sequence[str]) -> dict[str, str | None]:
    """``--map Header=field`` items as ``{header: field}``; an empty field keeps the column
    in ``custom`` (``None``).

    Examples
    --------
    >>> parse_mapping(["Nom=last_name", "Notes="])
    {'Nom': 'last_name', 'Notes': None}
    """
    mapping: dict[str, str | None] = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep:
            raise ck.ValidationError(f"--map takes 'Header=field', got {shorten(item)}")
        mapping[header] = target or None
    return mapping


def parse_sheet(text: str) -> str | int:
    """A sheet's 0-based index when ``text`` is digits, else its name.

    Examples
    --------
    >>> parse_sheet("1"), parse_sheet("Comptes")
    (1, 'Comptes')
    """
    return int(text) if text.isdigit() else text


def _match_on(text: str) -> tuple[str, ...] | None:
    return tuple(text.split(",")) if text else None


def _same(value: Any) -> Any:
    return value


def _negated(value: Any) -> bool:
    return not value


@dataclass(frozen=True)
class ImportFlag:
    """A flag and the :class:`ImportOptions` field it sets.

    ``arguments`` go to ``parser.add_argument`` as they are; ``to_option`` turns the parsed
    value into the field's value (a flag left out, ``None``, sets nothing).
    """

    flag: str
    option: str
    help: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)
    to_option: Callable[[Any], Any] = _same

    @property
    def dest(self) -> str:
        """The attribute argparse stores the flag in."""
        return self.flag.lstrip("-").replace("-", "_")


_SWITCH: Mapping[str, Any] = {"action": "store_true"}

IMPORT_FLAGS: Mapping[str, ImportFlag] = {
    flag.flag: flag
    for flag in (
        ImportFlag("--kind", "kind", arguments={"choices": KINDS}),
        ImportFlag(
            "--map",
            "mapping",
            "override the mapping of a column (empty field: custom)",
            {"action": "append", "metavar": "HEADER=FIELD"},
            to_option=parse_mapping,
        ),
        ImportFlag("--encoding", "encoding"),
        ImportFlag("--delimiter", "delimiter"),
        ImportFlag("--sheet", "sheet", "XLSX sheet name or 0-based index", to_option=parse_sheet),
        ImportFlag("--header-row", "header_row", arguments={"type": int}),
        ImportFlag("--mode", "mode", arguments={"choices": MODES}),
        ImportFlag("--match-on", "match_on", "comma-separated fields", to_option=_match_on),
        ImportFlag("--dry-run", "dry_run", arguments=_SWITCH),
        ImportFlag("--create-accounts", "create_accounts", arguments=_SWITCH),
        ImportFlag("--create-owners", "create_owners", arguments=_SWITCH),
        ImportFlag(
            "--month-first",
            "dayfirst",
            "read 03/04/2024 as March 4",
            _SWITCH,
            to_option=_negated,
        ),
        ImportFlag("--region", "region", "phone region for numbers without +country"),
        ImportFlag("--quiet", "progress", "no progress bar", _SWITCH, to_option=_negated),
        ImportFlag(
            "--profile",
            "profile",
            "a saved import profile (crm.import_profiles): its mapping, defaults, "
            "overwrite policy and options",
            {"metavar": "NAME"},
        ),
    )
}
"""Every import flag by name, in the order ``--help`` lists them."""


def add_import_flags(parser: argparse.ArgumentParser, *flags: str) -> None:
    """Add the import flags named (``"--kind"``, ``"--dry-run"`` ...) to ``parser``."""
    for name in flags:
        flag = IMPORT_FLAGS[name]
        parser.add_argument(flag.flag, dest=flag.dest, help=flag.help, **flag.arguments)


def import_options(args: argparse.Namespace, **fixed: Any) -> ImportOptions:
    """The :class:`ImportOptions` the import flags given ask for, with ``fixed`` on top.

    Flags the command does not take, and flags not given, leave their fields at the
    defaults.
    """
    given: dict[str, Any] = {}
    for flag in IMPORT_FLAGS.values():
        value = getattr(args, flag.dest, None)
        if value is not None:
            given[flag.option] = flag.to_option(value)
    return ImportOptions.from_keywords(**{**given, **fixed})
