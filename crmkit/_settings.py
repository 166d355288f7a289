"""Per-database settings: required fields, defaults, sector vocabulary and band edges.

Settings live in the database's ``settings`` table, so every notebook that opens the same
file enforces the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit.schemas._bands import Bands
from crmkit.schemas._catalog import table
from crmkit.schemas._vocab import CURRENCY_CODES, DEFAULT_SECTORS, Term, Vocabulary, fold

if TYPE_CHECKING:
    from crmkit._store import Store

__all__ = ["Settings"]


class Settings:
    """The settings of one CRM database.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> crm.settings.required_fields("contacts")
    ['last_name']
    >>> crm.settings.set_required_fields("contacts", ["last_name", "first_name"])
    >>> crm.settings.default_currency
    'EUR'
    >>> crm.close()
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._sectors: Vocabulary | None = None

    # required fields -----------------------------------------------------------------

    def required_fields(self, kind: str) -> list[str]:
        """The fields this database requires for ``accounts`` or ``contacts``."""
        tbl = table(kind)
        stored = self._store.get_setting(f"required_fields.{tbl.name}")
        return list(tbl.default_required if stored is None else stored)

    def set_required_fields(self, kind: str, fields: Sequence[str]) -> None:
        """Require ``fields`` (the catalog's always-required fields stay required)."""
        tbl = table(kind)
        editable = [f.name for f in tbl.editable]
        for name in fields:
            if name not in editable:
                from crmkit._suggest import closest

                raise UnknownValueError(
                    f"{tbl.name} field", name, editable, closest(name, editable)
                )
        merged = list(dict.fromkeys([*tbl.default_required, *fields]))
        self._store.set_setting(f"required_fields.{tbl.name}", merged)

    # defaults --------------------------------------------------------------------------

    @property
    def default_currency(self) -> str:
        """ISO 4217 code given to amounts that come without one (default ``EUR``)."""
        return str(self._store.get_setting("default_currency", "EUR"))

    @default_currency.setter
    def default_currency(self, code: str) -> None:
        code = code.strip().upper()
        if code not in CURRENCY_CODES:
            from crmkit._suggest import closest

            raise UnknownValueError(
                "currency", code, sorted(CURRENCY_CODES), closest(code, CURRENCY_CODES)
            )
        self._store.set_setting("default_currency", code)

    @property
    def default_region(self) -> str:
        """ISO 3166 region used to read phone numbers written without +country (``FR``)."""
        return str(self._store.get_setting("default_region", "FR"))

    @default_region.setter
    def default_region(self, code: str) -> None:
        import phonenumbers

        code = code.strip().upper()
        regions = sorted(phonenumbers.SUPPORTED_REGIONS)
        if code not in regions:
            raise UnknownValueError("phone region", code, regions)
        self._store.set_setting("default_region", code)

    # sectors ---------------------------------------------------------------------------

    @property
    def sectors(self) -> Vocabulary:
        """The sector vocabulary (the built-in list unless replaced)."""
        if self._sectors is None:
            stored = self._store.get_setting("sectors")
            if stored is None:
                self._sectors = DEFAULT_SECTORS
            else:
                terms = tuple(
                    Term(
                        t["value"],
                        t.get("en", t["value"]),
                        t.get("fr", t["value"]),
                        t.get("zh", t["value"]),
                        tuple(t.get("synonyms", ())),
                    )
                    for t in stored
                )
                self._sectors = Vocabulary("sector", terms)
        return self._sectors

    def set_sectors(self, sectors: Sequence[str | dict[str, Any]]) -> None:
        """Replace the sector vocabulary.

        Each item is a value (``"Software"``) or a dict with ``value`` and optional ``en``,
        ``fr``, ``zh`` labels and ``synonyms``.
        """
        items = []
        for s in sectors:
            item = {"value": s} if isinstance(s, str) else dict(s)
            if not str(item.get("value", "")).strip():
                raise ValidationError(f"a sector needs a non-empty value: {s!r}")
            items.append(item)
        values = [fold(str(i["value"])) for i in items]
        if len(set(values)) != len(values):
            raise ValidationError("sector values must be unique")
        self._store.set_setting("sectors", items)
        self._sectors = None

    def reset_sectors(self) -> None:
        """Go back to the built-in sector list."""
        self._store.set_setting("sectors", None)
        self._sectors = None

    # bands -----------------------------------------------------------------------------

    def bands(self, kind: str) -> Bands:
        """The ``revenue`` or ``headcount`` bands."""
        if kind not in ("revenue", "headcount"):
            raise UnknownValueError("band kind", kind, ["revenue", "headcount"])
        return self._store.bands(kind)

    def set_bands(self, kind: str, edges: Sequence[float]) -> None:
        """Set band lower bounds, e.g. ``set_bands("headcount", [1, 10, 50, 250])``."""
        bands = Bands(kind, tuple(edges))  # validates
        if kind not in ("revenue", "headcount"):
            raise UnknownValueError("band kind", kind, ["revenue", "headcount"])
        self._store.set_setting(f"{kind}_band_edges", list(bands.edges))

    def __repr__(self) -> str:
        return (
            f"Settings(required accounts={self.required_fields('accounts')}, "
            f"contacts={self.required_fields('contacts')}, currency={self.default_currency}, "
            f"region={self.default_region}, sectors={len(self.sectors)}, "
            f"revenue bands={list(self.bands('revenue').labels)}, "
            f"headcount bands={list(self.bands('headcount').labels)})"
        )
