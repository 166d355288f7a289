"""Per-database settings: required fields, defaults, sector vocabulary and band edges.

Settings live in the database's ``settings`` table, so every notebook that opens the same
file enforces the same rules.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crmkit._core._duplicate_rules import DuplicateRule, DuplicateRules, make_rule
from crmkit._core._horizon import HORIZON_SETTING
from crmkit._core._operation import per_operation
from crmkit._core._retention_rules import RetentionRule, RetentionRules, WhereCheck, make_retention
from crmkit._core._setting_batches import BatchOpener, change_settings, store_batch
from crmkit._core._store import SETTING_DEFAULT
from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._normalize._durations import parse_duration
from crmkit._util._messages import message, unknown_value
from crmkit.schemas._bands import DEFAULT_HEADCOUNT_EDGES, DEFAULT_REVENUE_EDGES, Bands
from crmkit.schemas._catalog import ACCOUNTS, CONTACTS, Table, table
from crmkit.schemas._stages import STAGES_SETTING, lifecycle_stages, stage_items, stage_vocabulary
from crmkit.schemas._vocab import (
    CURRENCY_CODES,
    DEFAULT_SECTORS,
    LIFECYCLE_STAGES,
    Term,
    Vocabulary,
    fold,
)

if TYPE_CHECKING:
    from crmkit._core._custom_fields import FieldReport
    from crmkit._core._store import Store

__all__ = ["DEFAULT_MAX_FRAME_ROWS", "Settings"]

# About 2 GB as Arrow-backed pandas for the 55 columns of contacts.
DEFAULT_MAX_FRAME_ROWS = 2_000_000
#: What a setting is while never stored: setting it to that is no change (no batch).
_DEFAULTS: dict[str, Any] = {
    "default_currency": "EUR",
    "default_region": "FR",
    "require_email_basis": True,
    "max_frame_rows": DEFAULT_MAX_FRAME_ROWS,
    "revenue_band_edges": list(DEFAULT_REVENUE_EDGES),
    "headcount_band_edges": list(DEFAULT_HEADCOUNT_EDGES),
    **{f"required_fields.{t.name}": list(t.default_required) for t in (ACCOUNTS, CONTACTS)},
}


def _currency_code(code: Any) -> str:
    """An ISO 4217 code, or :class:`UnknownValueError` with the closest one."""
    text = str(code).strip().upper()
    if text not in CURRENCY_CODES:
        from crmkit._util._suggest import closest

        raise unknown_value("currency", code, sorted(CURRENCY_CODES), closest(text, CURRENCY_CODES))
    return text


@per_operation(lambda settings: settings._store)
class Settings:
    """The settings of one CRM database.

    Every change is a ``setting`` batch in ``crm.batches()`` (its description names the
    setting and the new value) that ``crm.undo`` takes back, and undoing the undo brings
    the change again; what is computed from a setting (bands, stages, vocabularies)
    follows. A verb returns the batch id, ``None`` when the value was already in force
    (no batch); after a property assignment, ``crm.last_batch_id`` gives it.

    Examples
    --------
    >>> import crmkit as ck
    >>> crm = ck.open()
    >>> crm.settings.required_fields("contacts")
    ['last_name']
    >>> batch = crm.settings.set_required_fields("contacts", ["last_name", "first_name"])
    >>> crm.settings.default_currency = "USD"
    >>> _ = crm.undo(crm.last_batch_id)
    >>> crm.settings.default_currency
    'EUR'
    >>> crm.close()
    """

    def __init__(
        self, store: Store, actor: str = "crmkit", open_batch: BatchOpener | None = None
    ) -> None:
        self._store = store
        self._actor = actor
        self._sectors: Vocabulary | None = None
        #: Checks a retention rule's ``where`` (the facade gives the filters' own check).
        self._where_check: WhereCheck | None = None
        #: Opens the batch of a change (the session gives its own ``batch``).
        self._open_batch = open_batch or functools.partial(store_batch, store, actor)
        store.on_reload.append(self._forget)  # another process may have changed them
        store.on_setting.append(self._setting_written)  # set, undone or redone

    def _forget(self) -> None:
        self._sectors = None

    def _setting_written(self, key: str) -> None:
        """Refresh what this object derives from ``key``; refuse stages that drop used ones."""
        if key == "sectors":
            self._forget()
        elif key == STAGES_SETTING:
            stored = self._store.get_setting(STAGES_SETTING)
            vocab = LIFECYCLE_STAGES if stored is None else stage_vocabulary(stored)
            self._check_stages_kept(vocab)

    def _change(self, changes: Mapping[str, Any], description: str | None = None) -> int | None:
        """Write ``changes`` as one ``setting`` batch (``None``: all already so)."""
        return change_settings(self._store, self._open_batch, changes, description, _DEFAULTS)

    # required fields -----------------------------------------------------------------

    def required_fields(self, kind: str) -> list[str]:
        """The fields this database requires for ``accounts`` or ``contacts``."""
        tbl = table(kind)
        stored = self._store.get_setting(f"required_fields.{tbl.name}")
        custom = [f.name for f in tbl.custom if f.required]
        return list(dict.fromkeys([*(tbl.default_required if stored is None else stored), *custom]))

    def set_required_fields(self, kind: str, fields: Sequence[str]) -> int | None:
        """Require ``fields`` (the catalog's always-required fields stay required).

        Returns the batch (``crm.undo(batch)`` takes the change back), or ``None`` when
        these fields were already the required ones.
        """
        tbl = table(kind)
        editable = [f.name for f in tbl.editable]
        for name in fields:
            if name not in editable:
                from crmkit._util._suggest import closest

                raise UnknownValueError(
                    f"{tbl.name} field", name, editable, closest(name, editable)
                )
        merged = list(dict.fromkeys([*tbl.default_required, *fields]))
        return self._change({f"required_fields.{tbl.name}": merged})

    # custom fields -----------------------------------------------------------------------

    def add_field(
        self,
        kind: str,
        name: str,
        type: str,
        *,
        labels: Mapping[str, str] | None = None,
        vocabulary: Sequence[str] | None = None,
        required: bool = False,
        personal: bool = False,
        on_error: str = "refuse",
    ) -> FieldReport:
        """Add a custom field: a real column of ``accounts`` or ``contacts``.

        ``type`` is one of ``text``, ``integer``, ``decimal``, ``boolean``, ``date``,
        ``choice`` (values from ``vocabulary``) or ``list`` (several texts, like tags).
        ``labels`` gives its label per language (``{"en": ..., "fr": ..., "zh": ...}``;
        default: the name). From then on the field is in the database's catalog like a
        standard one: header mapping on import, validation (type, vocabulary,
        ``required``), filters, ``df()`` and exports, vCards (``X-CRMKIT-NAME``), the
        quality report and the entry forms. Values already stored under ``name`` in the
        ``custom`` JSON column move into the column, converted; one that does not
        convert is refused up front (row, field, value; nothing written) unless
        ``on_error="keep"`` leaves it in ``custom`` (listed in the report's ``kept``).
        One batch: ``crm.undo(report.batch_id)`` removes the column again, unless a value
        was written in it since (then it refuses and says which).

        A name must be lower-case letters, digits and ``_``, not a SQL keyword and not a
        field or derived column the table has.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> report = crm.settings.add_field("contacts", "shoe_size", "integer",
        ...                                 labels={"en": "Shoe size", "fr": "Pointure"})
        >>> c = crm.contacts.add(last_name="Blou", shoe_size="38")
        >>> crm.contacts.get(c)["shoe_size"]
        38
        >>> crm.settings.fields("contacts")[["name", "type", "fr"]].to_dict("records")
        [{'name': 'shoe_size', 'type': 'integer', 'fr': 'Pointure'}]
        >>> crm.close()
        """
        from crmkit._core._custom_fields import add_field

        return add_field(
            self,
            kind,
            name,
            type,
            labels=labels,
            vocabulary=vocabulary,
            required=required,
            personal=personal,
            on_error=on_error,
        )

    def rename_field(self, kind: str, old: str, new: str) -> int:
        """Rename a custom field (its column and values keep); returns the batch id.

        The saved views, duplicate rules and import profiles that name the field are
        changed in the same batch, so ``crm.undo(batch)`` takes all of it back.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.settings.add_field("accounts", "tier", "choice", vocabulary=["A", "B"])
        >>> batch = crm.settings.rename_field("accounts", "tier", "segment")
        >>> list(crm.settings.fields("accounts")["name"])
        ['segment']
        >>> crm.close()
        """
        from crmkit._core._custom_fields import rename_field

        return rename_field(self, kind, old, new)

    def change_field_type(
        self,
        kind: str,
        name: str,
        type: str,
        *,
        vocabulary: Sequence[str] | None = None,
    ) -> int:
        """Give a custom field another type (values converted); returns the batch id.

        Refused, naming each record and value, when a stored value would not convert
        (``"big"`` as an integer, ``3.5`` as an integer, a value outside a new
        vocabulary): nothing is lost. ``crm.undo(batch)`` gives the old type and values back.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.settings.add_field("contacts", "badge", "text")
        >>> c = crm.contacts.add(last_name="Blou", badge="12")
        >>> batch = crm.settings.change_field_type("contacts", "badge", "integer")
        >>> crm.contacts.get(c)["badge"]
        12
        >>> crm.close()
        """
        from crmkit._core._custom_fields import change_field_type

        return change_field_type(self, kind, name, type, vocabulary=vocabulary)

    def drop_field(
        self, kind: str, name: str, *, confirm: bool = False, force: bool = False
    ) -> int:
        """Remove a custom field and its column (``confirm=True`` needed); returns the batch.

        Its values stay in history: ``crm.undo(batch)`` puts the field and them back.
        Refused, naming each, while a saved view, a duplicate rule or an import profile
        names the field; ``force=True`` removes it from them in the same batch (a view
        loses its filter, sort or column on it, a rule naming it goes, a profile's
        mapping keeps the column in ``custom``).

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.settings.add_field("contacts", "hobby", "text")
        >>> batch = crm.settings.drop_field("contacts", "hobby", confirm=True)
        >>> len(crm.settings.fields("contacts"))
        0
        >>> crm.close()
        """
        from crmkit._core._custom_fields import drop_field

        return drop_field(self, kind, name, confirm=confirm, force=force)

    def catalog(self, kind: str) -> Table:
        """The fields of ``accounts`` or ``contacts`` in this database: standard and custom.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.settings.add_field("contacts", "shoe_size", "integer")
        >>> crm.settings.catalog("contacts")["shoe_size"].sql_type
        'BIGINT'
        >>> crm.close()
        """
        return table(kind)

    def fields(self, kind: str | None = None) -> Any:
        """The custom fields of ``kind`` (both tables when ``None``) as a pandas frame."""
        from crmkit._core._custom_fields import list_fields

        return list_fields(self._store, kind)

    # personal data -----------------------------------------------------------------------

    def personal_fields(self, kind: str) -> list[str]:
        """The fields of ``kind`` holding personal data, in table order.

        By default a contact's names, emails, phones, address, birthday, photo, web and
        social profiles, skills, notes and ``custom`` values; no account field. A custom
        field is personal when added with ``personal=True``. What ``erase`` removes.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> crm.settings.personal_fields("contacts")[:4]
        ['salutation', 'gender', 'first_name', 'last_name']
        >>> crm.settings.personal_fields("accounts")
        []
        >>> crm.close()
        """
        return table(kind).personal

    def set_personal(self, kind: str, field: str, personal: bool = True) -> int | None:
        """Mark a field (standard or custom) personal, or not with ``personal=False``.

        One batch in history (``crm.undo(batch)`` takes it back); returns its id, or
        ``None`` when the field already was so. Fields crmkit manages (ids, timestamps,
        merge links) are refused.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> batch = crm.settings.set_personal("contacts", "job_title")
        >>> "job_title" in crm.settings.personal_fields("contacts")
        True
        >>> _ = crm.undo(batch)
        >>> "job_title" in crm.settings.personal_fields("contacts")
        False
        >>> crm.close()
        """
        from crmkit._core._personal import set_personal

        return set_personal(self._store, self._actor, kind, field, personal)

    # defaults --------------------------------------------------------------------------

    @property
    def default_currency(self) -> str:
        """ISO 4217 code given to amounts that come without one (default ``EUR``)."""
        return str(self._store.get_setting("default_currency", _DEFAULTS["default_currency"]))

    @default_currency.setter
    def default_currency(self, code: str) -> None:
        self._change({"default_currency": _currency_code(code)})

    @property
    def default_region(self) -> str:
        """ISO 3166 region used to read phone numbers written without +country (``FR``)."""
        return str(self._store.get_setting("default_region", _DEFAULTS["default_region"]))

    @default_region.setter
    def default_region(self, code: str) -> None:
        import phonenumbers

        code = code.strip().upper()
        regions = sorted(phonenumbers.SUPPORTED_REGIONS)
        if code not in regions:
            raise UnknownValueError("phone region", code, regions)
        self._change({"default_region": code})

    # frames --------------------------------------------------------------------------------

    @property
    def max_frame_rows(self) -> int | None:
        """Rows past which ``df()``/``pl()`` warn first (default 2,000,000; ``None``: never).

        A :class:`~crmkit.LargeFrameWarning` names ``iter_batches()`` and ``export()``,
        which read or write the records in bounded memory.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> crm.settings.max_frame_rows
        2000000
        >>> crm.settings.max_frame_rows = 500_000
        >>> crm.close()
        """
        stored = self._store.get_setting("max_frame_rows", _DEFAULTS["max_frame_rows"])
        return None if stored is None else int(stored)

    @max_frame_rows.setter
    def max_frame_rows(self, rows: int | None) -> None:
        if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 0):
            raise ValidationError(
                f"max_frame_rows: expected a whole number of rows >= 0 or None, got {rows!r}"
            )
        self._change({"max_frame_rows": rows})

    # consent -------------------------------------------------------------------------------

    @property
    def require_email_basis(self) -> bool:
        """Whether a mailing-list subscription needs the contact's ``email_basis`` (default on).

        On, ``subscribe`` skips every contact with no legal basis for email (GDPR article
        6: no basis, no mailing). Switch it off for a database outside the GDPR's reach.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> crm.settings.require_email_basis
        True
        >>> crm.settings.require_email_basis = False
        >>> crm.close()
        """
        return bool(
            self._store.get_setting("require_email_basis", _DEFAULTS["require_email_basis"])
        )

    @require_email_basis.setter
    def require_email_basis(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise ValidationError(f"require_email_basis is True or False, got {value!r}")
        self._change({"require_email_basis": value})

    # exchange rates ----------------------------------------------------------------------

    def set_rate(self, currency: str, rate: float, as_of: Any = None) -> int:
        """Record what one unit of ``currency`` is worth in the database's currency.

        Revenue bands, revenue filters and revenue totals convert amounts with the latest
        rate of their currency (by ``as_of``, default today); an amount in a currency
        with no rate is left out of them (see :meth:`missing_rates`), never added as it
        is. Each rate is a change in history (``crm.undo`` takes it back). Returns the
        batch id.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.accounts.add(name="Huaxin", annual_revenue=30_000_000, currency="CNY")
        >>> crm.settings.missing_rates()
        ['CNY']
        >>> _ = crm.settings.set_rate("CNY", 0.13, as_of="2026-12-01")
        >>> crm.accounts.df()[["revenue_base", "revenue_band"]].to_dict("records")
        [{'revenue_base': 3900000.0, 'revenue_band': '1M-10M'}]
        >>> crm.close()
        """
        import datetime as dt

        import pyarrow as pa

        code = _currency_code(currency)
        base = self.default_currency
        if code == base:
            raise ValidationError(f"{code} is the database's currency; its rate is always 1")
        if (
            isinstance(rate, bool)
            or not isinstance(rate, int | float)
            or not (math.isfinite(rate) and rate > 0)
        ):
            raise ValidationError(f"an exchange rate is a positive number, got {rate!r}")
        if as_of is None:
            day = dt.date.today()
        else:
            from crmkit._normalize import parse_date

            parsed = parse_date(as_of, dayfirst=False) if not isinstance(as_of, dt.date) else as_of
            if parsed is None:
                raise ValidationError(f"as_of is a date, got {as_of!r}")
            day = parsed if not isinstance(parsed, dt.datetime) else parsed.date()
        store = self._store
        store.check_writable()
        with store.transaction():
            batch = store.new_batch("exchange rate", self._actor, f"1 {code} = {rate} {base}")
            store.insert(
                "exchange_rates",
                pa.table(
                    {
                        "currency": pa.array([code], pa.string()),
                        "base": pa.array([base], pa.string()),
                        "rate": pa.array([float(rate)], pa.float64()),
                        "as_of": pa.array([day], pa.date32()),
                    }
                ),
                batch,
                self._actor,
            )
            store.finish_batch(batch)
        return batch

    def rates(self) -> Any:
        """Every stored exchange rate (pandas): ``currency, base, rate, as_of, id``."""
        return self._store.con.sql(
            "SELECT currency, base, rate, as_of, id FROM exchange_rates "
            "ORDER BY currency, as_of DESC, id DESC"
        ).df()

    def missing_rates(self) -> list[str]:
        """Currencies of stored amounts with no rate to the database's currency."""
        base = self.default_currency
        rows = self._store.con.execute(
            "SELECT DISTINCT currency FROM accounts WHERE currency IS NOT NULL "
            "AND currency <> ? AND deleted_at IS NULL AND merged_into IS NULL AND "
            "(annual_revenue IS NOT NULL OR revenue_range_min IS NOT NULL) AND currency NOT IN "
            "(SELECT currency FROM exchange_rates WHERE base = ?) ORDER BY 1",
            [base, base],
        ).fetchall()
        return [str(r[0]) for r in rows]

    # sectors ---------------------------------------------------------------------------

    @property
    def sectors(self) -> Vocabulary:
        """The sector vocabulary (the built-in list unless replaced)."""
        if self._sectors is None:
            stored = self._store.get_setting("sectors")
            if stored is None:
                self._sectors = DEFAULT_SECTORS
            else:
                terms = tuple(Term.from_dict(t) for t in stored)
                self._sectors = Vocabulary("sector", terms)
        return self._sectors

    def set_sectors(self, sectors: Sequence[str | dict[str, Any]]) -> int | None:
        """Replace the sector vocabulary; returns the batch (``None``: no change).

        Each item is a value (``"Software"``) or a dict with ``value`` and optional ``en``,
        ``fr``, ``zh`` labels and ``synonyms``. ``crm.undo(batch)`` puts the previous
        list back.
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
        return self._change({"sectors": items})

    def reset_sectors(self) -> int | None:
        """Go back to the built-in sector list; returns the batch (``None``: no change)."""
        return self._change({"sectors": SETTING_DEFAULT})

    # lifecycle stages ------------------------------------------------------------------

    @property
    def stages(self) -> Vocabulary:
        """The contacts' lifecycle stages: the built-in four unless :meth:`set_stages` changed them.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.settings.set_stages(["lead", "qualified", {"value": "trial", "fr": "Essai"},
        ...                            {"value": "customer", "fr": "Compte client"}, "former"])
        >>> crm.settings.stages.values
        ['lead', 'qualified', 'trial', 'customer', 'former']
        >>> cid = crm.contacts.add(last_name="Lee", lifecycle_stage="Essai")
        >>> crm.contacts.get(cid).lifecycle_stage
        'trial'
        >>> crm.close()
        """
        return lifecycle_stages()

    def set_stages(self, stages: Sequence[str | dict[str, Any]]) -> int | None:
        """Replace the lifecycle stages: relabel the built-in four, add the database's own.

        Each item is a value (``"trial"``) or a dict with ``value`` and optional ``en``,
        ``fr``, ``zh`` labels and ``synonyms``; the list is the order forms and filters
        show. The built-in stages (lead, qualified, customer, former) must all be listed
        (a built-in one keeps the labels not given); a stage that contacts still carry
        cannot be left out. Conversion still starts from lead and qualified only.

        Returns the batch (``None``: these were already the stages): ``crm.undo(batch)``
        puts the previous stages back, unless contacts carry a stage they lack.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> batch = crm.settings.set_stages(["lead", "qualified", "trial", "customer", "former"])
        >>> crm.batches().loc[0, ["operation", "description"]].tolist()
        ['setting', 'lifecycle_stages = lead, qualified, trial, customer, former']
        >>> _ = crm.undo(batch)
        >>> crm.settings.stages.values
        ['lead', 'qualified', 'customer', 'former']
        >>> crm.close()
        """
        vocab = stage_vocabulary(stages)
        return self._change({STAGES_SETTING: stage_items(vocab)})

    def reset_stages(self) -> int | None:
        """Go back to the built-in lifecycle stages and labels (``None``: already so)."""
        return self._change({STAGES_SETTING: SETTING_DEFAULT})

    def _check_stages_kept(self, vocab: Vocabulary) -> None:
        rows = self._store.con.execute(
            "SELECT lifecycle_stage, count(*) FROM contacts WHERE lifecycle_stage IS NOT NULL "
            "AND NOT list_contains(?::VARCHAR[], lifecycle_stage) GROUP BY 1 ORDER BY 1",
            [vocab.values],
        ).fetchall()
        if rows:
            value, count = rows[0]
            raise ValidationError(message("stage_in_use", value=repr(value), count=int(count)))

    # duplicate rules -------------------------------------------------------------------

    def duplicate_rule(
        self,
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
        """Define (or replace) the duplicate rule ``name`` of ``accounts`` or ``contacts``.

        Two records are duplicates under the rule when every one of ``fields`` matches:
        ``match="exact"`` (same stored value), ``"folded"`` (case, accents, spaces and
        punctuation ignored; emails by case, phones by digits) or ``"fuzzy"`` (text at
        least ``threshold`` similar, other fields equal). With ``ignore_blanks`` a blank
        value never matches; with ``exclude_inactive`` inactive contacts and archived
        accounts are left out. Each event has an action, ``"allow"``, ``"alert"`` (saved;
        ``crm.last_alerts``, an import's ``duplicate_alerts``) or ``"block"``
        (:class:`crmkit.DuplicateRecordError`, nothing written; an import rejects the
        row): ``on_create`` (add, add_many, clone, forms), ``on_update`` (update, bulk
        edits, rows an import updates) and ``on_import`` (rows an import creates; ``None``:
        as ``on_create``). Merges and undo are never checked. Stored in the database.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> _ = crm.settings.duplicate_rule("contacts", "same email", ["email"],
        ...                                 on_create="block")
        >>> a = crm.contacts.add(last_name="Blou", email="helene.blou@aprool.com")
        >>> crm.contacts.add(last_name="Blou", email="Helene.Blou@APROOL.com")
        Traceback (most recent call last):
        ...
        crmkit._exceptions.DuplicateRecordError: contact not saved: the new contact ...
        >>> [r.name for r in crm.settings.duplicate_rules("contacts")]
        ['same email']
        >>> crm.close()
        """
        rule = make_rule(
            kind,
            name,
            fields,
            match=match,
            threshold=threshold,
            ignore_blanks=ignore_blanks,
            exclude_inactive=exclude_inactive,
            on_create=on_create,
            on_update=on_update,
            on_import=on_import,
            enabled=enabled,
        )
        return DuplicateRules(self._store, self._change).save(rule)

    def duplicate_rules(self, kind: str | None = None) -> list[DuplicateRule]:
        """The duplicate rules of ``kind`` (every kind when ``None``), enabled or not."""
        return DuplicateRules(self._store).all(kind)

    def remove_duplicate_rule(self, kind: str, name: str) -> None:
        """Forget a duplicate rule (an unknown name raises, with the closest one)."""
        DuplicateRules(self._store, self._change).remove(kind, name)

    def enable_duplicate_rule(self, kind: str, name: str, enabled: bool = True) -> DuplicateRule:
        """Switch a duplicate rule on (or off with ``enabled=False``)."""
        return DuplicateRules(self._store, self._change).enable(kind, name, enabled)

    # retention and the history horizon -------------------------------------------------

    def retention(
        self,
        kind: str,
        *,
        after: str = "36 months",
        action: str = "anonymise",
        where: Mapping[str, Any] | None = None,
        based_on: str = "last_activity",
    ) -> RetentionRule:
        """Keep ``kind`` records no longer than ``after``; then ``action`` them.

        ``after`` is a duration: ``"36 months"``, ``"3 years"``, ``"90 days"`` (French
        ``"36 mois"``, ``"3 ans"``, ``"90 jours"`` too). It counts from ``based_on``:
        ``"last_activity"`` (the later of the last change and the last note or task
        done), ``"updated_at"`` or ``"created_at"``. ``where`` narrows the rule with the
        filters ``crm.contacts.filter`` / ``crm.accounts.filter`` take (``{"active":
        False}``); a filter that does not exist is refused with the closest name.
        ``action``: ``"archive"`` (contacts deactivated, accounts archived; undoable),
        ``"anonymise"`` (personal values erased, the record kept) or ``"delete"``
        (erased and removed); these two cannot be undone. Nothing happens until
        :meth:`crmkit.CRM.apply_retention`. Stored in the database; an identical rule
        is not stored twice.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> rule = crm.settings.retention("contacts", after="3 ans", action="archive",
        ...                               where={"active": True})
        >>> rule.id, rule.after, rule.based_on
        (1, '3 ans', 'last_activity')
        >>> crm.settings.retention("contacts", after="soon")
        Traceback (most recent call last):
        ...
        crmkit._exceptions.ValidationError: after: 'soon' is not a duration; ...
        >>> crm.close()
        """
        rules = RetentionRules(self._store, self._change)
        rule = make_retention(
            rules.next_id(),
            kind,
            after=after,
            action=action,
            where=where,
            based_on=based_on,
            check_where=self._where_check,
        )
        return rules.add(rule)

    def retention_rules(self) -> list[RetentionRule]:
        """The retention rules of this database, in the order they were defined."""
        return RetentionRules(self._store).all()

    def remove_retention_rule(self, rule_id: int) -> RetentionRule:
        """Forget the retention rule ``rule_id`` (an unknown id raises, listing the ids)."""
        return RetentionRules(self._store, self._change).remove(rule_id)

    @property
    def history_horizon(self) -> str | None:
        """How long ``history`` keeps personal values (``None``, the default: forever).

        With ``"24 months"``, :meth:`crmkit.CRM.compact_history` (and
        :meth:`crmkit.CRM.apply_retention`) remove the old and new values of personal
        fields from history rows older than that; batches inside the horizon still
        undo, older ones whose personal values went refuse, saying so.

        Examples
        --------
        >>> import crmkit as ck
        >>> crm = ck.open()
        >>> crm.settings.history_horizon is None
        True
        >>> crm.settings.history_horizon = "24 mois"
        >>> crm.settings.history_horizon
        '24 mois'
        >>> crm.close()
        """
        stored = self._store.get_setting(HORIZON_SETTING)
        return None if stored is None else str(stored)

    @history_horizon.setter
    def history_horizon(self, horizon: str | None) -> None:
        text = None if horizon is None else parse_duration(horizon, "history_horizon").text
        self._change({HORIZON_SETTING: SETTING_DEFAULT if text is None else text})

    # bands -----------------------------------------------------------------------------

    def bands(self, kind: str) -> Bands:
        """The ``revenue`` or ``headcount`` bands."""
        if kind not in ("revenue", "headcount"):
            raise UnknownValueError("band kind", kind, ["revenue", "headcount"])
        return self._store.bands(kind)

    def set_bands(self, kind: str, edges: Sequence[float]) -> int | None:
        """Set band lower bounds, e.g. ``set_bands("headcount", [1, 10, 50, 250])``.

        Returns the batch (``crm.undo(batch)`` puts the previous bounds back), or ``None``
        when these were already the bounds.
        """
        if kind not in ("revenue", "headcount"):
            raise UnknownValueError("band kind", kind, ["revenue", "headcount"])
        bands = Bands(kind, edges)  # type: ignore[arg-type]  # validates any sequence
        return self._change({f"{kind}_band_edges": list(bands.edges)})

    def __repr__(self) -> str:
        return (
            f"Settings(required accounts={self.required_fields('accounts')}, "
            f"contacts={self.required_fields('contacts')}, currency={self.default_currency}, "
            f"region={self.default_region}, sectors={len(self.sectors)}, "
            f"revenue bands={list(self.bands('revenue').labels)}, "
            f"headcount bands={list(self.bands('headcount').labels)})"
        )
