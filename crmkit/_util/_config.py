"""crmkit's display settings for this process: one language, one way to show tables.

``ck.set_config(lang="fr")`` makes every report, error message, widget and export header
speak French from then on; ``with ck.config_context(lang="zh"):`` does so for a block
only. Defaults come from the environment (``CRMKIT_LANG``, ``CRMKIT_TABLE_DISPLAY``,
``CRMKIT_DISPLAY_ROWS``), so a team can set them once in a shell profile or a Jupyter
kernel spec. ``set_config`` changes the process-wide settings (a notebook cell may run
in its own asyncio context, so a context variable alone would forget them by the next
cell); ``config_context`` overrides them in a :class:`contextvars.ContextVar`, so a block
in one thread or task does not leak into another.

Settings that belong to a CRM file (duplicate rules, bands, sectors) are
``crm.settings``, stored in the database; these belong to the person at the keyboard.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal, get_args

from crmkit._exceptions import CRMKitError, UnknownValueError
from crmkit._util._langs import Lang, check_lang
from crmkit._util._suggest import closest

__all__ = [
    "Config",
    "TableDisplay",
    "chosen_lang",
    "config_context",
    "current_config",
    "current_lang",
    "get_config",
    "reset_config",
    "set_config",
]

#: How HTML tables render in notebooks: ``"interactive"`` (sort, page, search) or
#: ``"static"`` (plain HTML, for exported notebooks and e-mails).
TableDisplay = Literal["interactive", "static"]

TABLE_DISPLAYS: tuple[TableDisplay, ...] = get_args(TableDisplay)

ENV_PREFIX = "CRMKIT_"


@dataclass(frozen=True)
class Config:
    """The display settings in force (read them with :func:`get_config`).

    Attributes
    ----------
    lang
        Language of reports, error messages, widgets and export headers: ``"en"``,
        ``"fr"`` or ``"zh"``. Default ``$CRMKIT_LANG``, or ``None``: nothing chosen, so
        texts are English and exports keep field names as headers (what a re-import or
        a script expects) until a language is chosen.
    table_display
        ``"interactive"`` tables (sorting, paging, search) or ``"static"`` HTML.
        Default ``$CRMKIT_TABLE_DISPLAY`` or ``"interactive"``.
    display_rows
        Rows shown per page of a table (and in a terminal's text before "N more").
        Default ``$CRMKIT_DISPLAY_ROWS`` or 20.
    """

    lang: Lang | None = None
    table_display: TableDisplay = "interactive"
    display_rows: int = 20

    def __post_init__(self) -> None:
        if self.lang is not None:
            check_lang(self.lang)
        if self.table_display not in TABLE_DISPLAYS:
            raise UnknownValueError(
                "table_display",
                self.table_display,
                TABLE_DISPLAYS,
                closest(str(self.table_display), TABLE_DISPLAYS),
            )
        if (
            isinstance(self.display_rows, bool)
            or not isinstance(self.display_rows, int)
            or self.display_rows < 1
        ):
            raise CRMKitError(f"display_rows must be a whole number ≥ 1, not {self.display_rows!r}")


def _from_environment(environ: Mapping[str, str]) -> Config:
    """The defaults, read from ``CRMKIT_*`` variables where they are set."""
    given: dict[str, Any] = {}
    for field in fields(Config):
        raw = environ.get(ENV_PREFIX + field.name.upper())
        if raw is None or raw.strip() == "":
            continue
        value: Any = raw.strip()
        if field.name == "display_rows":
            try:
                value = int(value)
            except ValueError:
                raise CRMKitError(
                    f"{ENV_PREFIX}DISPLAY_ROWS must be a whole number, not {raw!r}"
                ) from None
        elif field.name == "lang":
            value = value.lower()
        given[field.name] = value
    return Config(**given)


#: What ``set_config`` set for the whole process (``None``: the environment's defaults).
_process_config: Config | None = None

#: What a ``config_context`` block set, in this thread or task only.
_CONTEXT_CONFIG: ContextVar[Config | None] = ContextVar("crmkit_config", default=None)


def current_config() -> Config:
    """The :class:`Config` in force (the environment's defaults until something is set)."""
    global _process_config
    config = _CONTEXT_CONFIG.get()
    if config is not None:
        return config
    if _process_config is None:
        _process_config = _from_environment(os.environ)
    return _process_config


def current_lang() -> Lang:
    """The language in force, for code that words a message or labels a column."""
    return current_config().lang or "en"


def chosen_lang() -> Lang | None:
    """The language the user chose (``None`` if none was): export headers follow it."""
    return current_config().lang


def _check_names(changes: Mapping[str, object]) -> None:
    names = tuple(field.name for field in fields(Config))
    for name in changes:
        if name not in names:
            raise UnknownValueError("setting", name, names, closest(name, names))


def get_config() -> dict[str, Any]:
    """The display settings in force, as a dict.

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.config_context(lang="fr"):
    ...     ck.get_config()["lang"]
    'fr'
    """
    return asdict(current_config())


def set_config(
    lang: Lang | None = None,
    table_display: TableDisplay | None = None,
    display_rows: int | None = None,
) -> None:
    """Change crmkit's display settings for the rest of this process.

    Inside a ``with ck.config_context():`` block the change lasts until the block ends.

    Parameters
    ----------
    lang
        ``"en"``, ``"fr"`` or ``"zh"``: reports, error messages, widgets and export
        headers speak it.
    table_display
        ``"interactive"`` or ``"static"`` HTML tables.
    display_rows
        Rows per page of a table.

    Raises
    ------
    UnknownValueError
        A language or table display crmkit does not know (with the closest one).

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.config_context():
    ...     ck.set_config(lang="zh", display_rows=50)
    ...     ck.get_config()["lang"], ck.get_config()["display_rows"]
    ('zh', 50)
    """
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("lang", lang),
            ("table_display", table_display),
            ("display_rows", display_rows),
        )
        if value is not None
    }
    if _CONTEXT_CONFIG.get() is not None:  # inside a config_context: until it ends
        _CONTEXT_CONFIG.set(replace(current_config(), **changes))
        return
    global _process_config
    _process_config = replace(current_config(), **changes)


def reset_config() -> None:
    """Back to the environment's defaults (for tests: each starts from them)."""
    global _process_config
    _process_config = None


@contextmanager
def config_context(**changes: Any) -> Iterator[None]:
    """Use other display settings inside a ``with`` block only.

    Parameters
    ----------
    **changes
        Any of :func:`set_config`'s settings.

    Examples
    --------
    >>> import crmkit as ck
    >>> with ck.config_context(lang="fr", table_display="static"):
    ...     ck.get_config()["table_display"]
    'static'
    >>> ck.get_config()["table_display"] == "static"
    False
    """
    _check_names(changes)
    token = _CONTEXT_CONFIG.set(replace(current_config(), **changes))
    try:
        yield
    finally:
        _CONTEXT_CONFIG.reset(token)
