"""pandera models generated from the field catalog, for pandas and for polars.

Each catalog field yields a few :class:`Rule` objects (required, type, length, range,
vocabulary, format). A rule has one vectorised implementation per backend and a severity:

- ``error``: the value cannot be stored faithfully (missing required field, wrong type,
  too long, negative amount, a value outside a closed vocabulary, a yes/no value or an
  infinite amount where a number goes, a whole number beyond a BIGINT, a range whose low
  end is above its high end);
- ``warning``: stored, but flagged (an unknown sector, a phone not in E.164 form, an email
  that does not look like one, a country that is not an ISO code).

:func:`validate` runs the models and returns a :class:`ValidationReport` whose
``failure_cases`` DataFrame has one row per failing value: ``row, field, value, check,
severity``. Messages show the values cut short (:func:`crmkit._util._shorten.shorten`); the
``value`` column keeps them whole.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import numbers
import operator
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl

from crmkit._exceptions import ValidationError
from crmkit._util._config import current_lang
from crmkit._util._frames import is_polars, is_polars_frame
from crmkit._util._messages import kind_noun, message, rule_sentence
from crmkit._util._shorten import MESSAGE_VALUE_CHARS, printable, shorten
from crmkit._util._table_html import rows_to_read
from crmkit._util._table_html import table_html as render_table
from crmkit.schemas._catalog import BIGINT_MAX, BIGINT_MIN, Field, Table, table
from crmkit.schemas._display import report_columns
from crmkit.schemas._vocab import (
    COUNTRY_CODES,
    CURRENCY_CODES,
    DEFAULT_SECTORS,
    FIXED_VOCABULARIES,
)

with warnings.catch_warnings():
    # With PySpark installed (crmkit[spark]), importing pandera imports pyspark.pandas,
    # which warns that it does not fully support pandas 3: crmkit never uses it. Its
    # pandas checks import pyspark.pandas too, at the first validation: imported here.
    warnings.filterwarnings(
        "ignore", "PySpark does not yet fully support pandas", category=FutureWarning
    )
    import pandera.backends.pandas.builtin_checks  # noqa: F401  (imported at first validate)
    import pandera.pandas as pa_pd
    import pandera.polars as pa_pl
    from pandera.errors import SchemaErrors

__all__ = [
    "Rule",
    "UnreadText",
    "ValidationReport",
    "pandas_schema",
    "polars_schema",
    "rules_for",
    "validate",
]

Severity = Literal["error", "warning"]
FAILURE_COLUMNS = ["row", "field", "value", "check", "severity"]

EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
E164_RE = r"^\+[1-9][0-9]{6,14}$"
URL_RE = r"^https?://[^\s/$.?#][^\s]*$"

_FIXED_VOCABULARIES = {name: vocab.values for name, vocab in FIXED_VOCABULARIES.items()}


@dataclass(frozen=True)
class Rule:
    """One check on one field, with a pandas and a polars implementation.

    ``on_pandas`` maps a Series to a boolean Series (True = passes); ``on_polars`` maps a
    column name to a boolean expression. Both see only non-null values unless
    ``keep_nulls`` is set. A rule that compares ``field`` with an ``other`` column (a
    range's low end with its high end) gets the whole DataFrame in ``on_pandas``, and its
    ``on_polars`` expression may name the other column; it passes where either is absent.
    """

    field: str
    check: str
    severity: Severity
    on_pandas: Callable[[Any], pd.Series]
    on_polars: Callable[[str], pl.Expr]
    keep_nulls: bool = False
    other: str | None = None


# -- element tests shared by several rules -------------------------------------------------


def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value[:10])
        except ValueError:
            return False
        return True
    return False


def _is_json(value: Any) -> bool:
    if isinstance(value, dict | list):
        return True
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return False
        return True
    return False


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple) or type(value).__name__ == "ndarray"


def _element(test: Callable[[Any], bool]) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        return s.map(test).astype(bool)

    return check


class UnreadText(str):
    """A text a normaliser could not read as the number its field holds, kept as typed.

    :func:`crmkit._normalize._prepare.prepare_values` marks such a text so that the number rules
    refuse it even when Python would read it (``"1e5"`` as a headcount): no column of a
    number type holds a text, and the rule then names the field and the value.
    """

    __slots__ = ()


def _real(value: Any) -> float | None:
    """A value as a float (``inf`` beyond a float's range); ``None`` when it is no number.

    A yes/no value is no number, although Python counts ``True`` as 1; a text is read as
    Python reads a number (``"85"``, ``"1e5"``), unless it is an :class:`UnreadText`.
    """
    if isinstance(value, bool | np.bool_ | UnreadText):
        return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    if not isinstance(value, numbers.Real | Decimal):
        return None
    if isinstance(value, Decimal) and value.is_nan():
        return math.nan  # float() refuses a signaling NaN
    try:
        return float(value)
    except OverflowError:  # an int or a Decimal beyond a float's range
        return -math.inf if operator.lt(value, 0) else math.inf


def number_ok(value: Any) -> bool:
    """True when a DOUBLE column can hold ``value``: a finite number, not a yes/no value."""
    number = _real(value)
    return number is not None and math.isfinite(number)


def integer_ok(value: Any) -> bool:
    """True when a BIGINT column can hold ``value``: a whole number from -2**63 to 2**63-1.

    Examples
    --------
    >>> [integer_ok(v) for v in [85, 2.0, "12", 2**63, True, 1.5, float("inf")]]
    [True, True, True, False, False, False, False]
    """
    if isinstance(value, bool | np.bool_ | UnreadText):
        return False
    if isinstance(value, numbers.Integral):
        return BIGINT_MIN <= int(value) <= BIGINT_MAX
    if isinstance(value, str):
        try:
            return BIGINT_MIN <= int(value) <= BIGINT_MAX  # exact, not through a float
        except ValueError:
            pass
    number = _real(value)
    return (
        number is not None
        and math.isfinite(number)
        and number.is_integer()
        and -(2.0**63) <= number < 2.0**63
    )


def _pd_numeric(s: pd.Series) -> pd.Series:
    """The numbers of a column as floats, NaN where there is no number."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(float("nan"), index=s.index)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype(float)
    numbers_ = [_real(v) for v in s]
    return pd.Series([math.nan if v is None else v for v in numbers_], index=s.index, dtype=float)


def _pd_number_ok(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(False, index=s.index)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return pd.Series(np.isfinite(s.astype(float)), index=s.index)
    return s.map(number_ok).astype(bool)


def _pd_integer_ok(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(False, index=s.index)
    if pd.api.types.is_integer_dtype(s.dtype):
        if pd.api.types.is_unsigned_integer_dtype(s.dtype):
            return (s <= BIGINT_MAX).astype(bool)
        return pd.Series(True, index=s.index)
    if pd.api.types.is_numeric_dtype(s.dtype):
        f = s.astype(float)
        return ((f % 1 == 0) & (f >= -(2.0**63)) & (f < 2.0**63)).fillna(False).astype(bool)
    return s.map(integer_ok).astype(bool)


def _pl_numeric(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Float64, strict=False)


def _pl_number_ok(s: pl.Series) -> pl.Series:
    if s.dtype == pl.Boolean:
        return pl.Series([False] * len(s), dtype=pl.Boolean)
    try:
        f = s.cast(pl.Float64, strict=False)
    except pl.exceptions.PolarsError:  # lists, structs ...: no numbers
        return pl.Series([False] * len(s), dtype=pl.Boolean)
    return f.is_finite().fill_null(False)


def _pl_integer_ok(s: pl.Series) -> pl.Series:
    if s.dtype == pl.Boolean:
        return pl.Series([False] * len(s), dtype=pl.Boolean)
    if s.dtype.is_integer():
        if s.dtype == pl.UInt64:
            return (s <= BIGINT_MAX).fill_null(False)
        return pl.Series([True] * len(s), dtype=pl.Boolean)
    try:
        f = s.cast(pl.Float64, strict=False)
    except pl.exceptions.PolarsError:
        return pl.Series([False] * len(s), dtype=pl.Boolean)
    return ((f % 1 == 0) & (f >= -(2.0**63)) & (f < 2.0**63)).fill_null(False)


def _pl_series(name: str, test: Callable[[pl.Series], pl.Series]) -> pl.Expr:
    return pl.col(name).map_batches(test, return_dtype=pl.Boolean)


def _pl_dtype_is(name: str, kind: type[pl.DataType], fallback: pl.Expr | None = None) -> pl.Expr:
    # Polars columns are typed: a whole column passes or fails the type check.
    return pl.col(name).map_batches(
        lambda s: pl.Series([s.dtype.base_type() == kind or isinstance(s.dtype, kind)] * len(s)),
        return_dtype=pl.Boolean,
    )


def _pl_each(name: str, test: Callable[[Any], bool]) -> pl.Expr:
    return pl.col(name).map_batches(
        lambda s: pl.Series([test(v) for v in s.to_list()], dtype=pl.Boolean),
        return_dtype=pl.Boolean,
    )


def _pl_str(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String, strict=False)


# -- rules per field ----------------------------------------------------------------------


def _required_rule(f: Field) -> Rule:
    def pandas_check(s: pd.Series) -> pd.Series:
        blank = s.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        return s.notna() & ~blank

    def polars_check(name: str) -> pl.Expr:
        blank = _pl_str(name).str.strip_chars().str.len_chars() == 0
        return pl.col(name).is_not_null() & ~blank.fill_null(False)

    return Rule(f.name, "required", "error", pandas_check, polars_check, keep_nulls=True)


def _type_rules(f: Field) -> list[Rule]:
    kind = f.kind
    if kind == "float":  # a finite number: a DOUBLE holds no yes/no value, no infinity
        return [
            Rule(
                f.name,
                "number",
                "error",
                _pd_number_ok,
                lambda n: _pl_series(n, _pl_number_ok),
            )
        ]
    if kind in ("int", "ref", "id"):  # a whole number a BIGINT holds
        return [
            Rule(
                f.name,
                "integer",
                "error",
                _pd_integer_ok,
                lambda n: _pl_series(n, _pl_integer_ok),
            )
        ]
    if kind == "bool":
        return [
            Rule(
                f.name,
                "boolean",
                "error",
                _element(lambda v: isinstance(v, bool) or type(v).__name__ == "bool_"),
                lambda n: _pl_dtype_is(n, pl.Boolean),
            )
        ]
    if kind == "date":
        return [
            Rule(
                f.name,
                "date",
                "error",
                _element(_is_date),
                lambda n: _pl_str(n).str.slice(0, 10).str.to_date(strict=False).is_not_null(),
            )
        ]
    if kind == "list":
        return [
            Rule(f.name, "list", "error", _element(_is_list), lambda n: _pl_dtype_is(n, pl.List))
        ]
    if kind == "json":
        return [Rule(f.name, "json", "error", _element(_is_json), lambda n: _pl_each(n, _is_json))]
    if kind == "bytes":
        return [
            Rule(
                f.name,
                "bytes",
                "error",
                _element(lambda v: isinstance(v, bytes)),
                lambda n: _pl_dtype_is(n, pl.Binary),
            )
        ]
    return []


def _length_rule(f: Field) -> list[Rule]:
    if f.max_length is None or f.kind != "text":
        return []
    limit = f.max_length
    return [
        Rule(
            f.name,
            f"max_length({limit})",
            "error",
            lambda s: s.astype(str).str.len() <= limit,
            lambda n: _pl_str(n).str.len_chars() <= limit,
        )
    ]


def _min_rule(f: Field) -> list[Rule]:
    if f.min_value is None:
        return []
    low = f.min_value
    return [
        Rule(
            f.name,
            f"min_value({low:g})",
            "error",
            lambda s: ~(_pd_numeric(s) < low),
            lambda n: ~(_pl_numeric(n) < low).fill_null(False),
        )
    ]


def _range_order_rules(tbl: Table) -> list[Rule]:
    """A range's low end may not be above its high end (``employees_range_min`` and
    ``employees_range_max``, ``revenue_range_min`` and ``revenue_range_max``)."""
    rules = []
    for f in tbl:
        high = f.name.removesuffix("_min") + "_max"
        if not f.name.endswith("_range_min") or high not in tbl:
            continue
        rules.append(
            Rule(
                f.name,
                _range_check(high),
                "error",
                _range_test(f.name, high),
                _range_expr(high),
                other=high,
            )
        )
    return rules


def _range_check(high: str) -> str:
    return f"at_most({high})"


def _range_expr(high: str) -> Callable[[str], pl.Expr]:
    """The polars test of a range, on its low end ``name``."""

    def expr(name: str) -> pl.Expr:
        return ~(_pl_numeric(name) > _pl_numeric(high)).fill_null(False)

    return expr


def _range_test(low: str, high: str) -> Callable[[pd.DataFrame], pd.Series]:
    """The pandas test of a range: True where ``low`` is not above ``high``."""

    def check(df: pd.DataFrame) -> pd.Series:
        if low not in df or high not in df:
            return pd.Series(True, index=df.index)
        return ~(_pd_numeric(df[low]) > _pd_numeric(df[high]))

    return check


def _isin_rule(name: str, check: str, severity: Severity, allowed: Iterable[str]) -> Rule:
    values = sorted(set(allowed))
    return Rule(
        name,
        check,
        severity,
        lambda s: s.isin(values),
        lambda n: _pl_str(n).is_in(values).fill_null(False),
    )


def _regex_rule(name: str, check: str, pattern: str) -> Rule:
    rx = re.compile(pattern)
    return Rule(
        name,
        check,
        "warning",
        _element(lambda v: isinstance(v, str) and rx.match(v) is not None),
        lambda n: _pl_str(n).str.contains(pattern).fill_null(False),
    )


def _format_rules(f: Field, sectors: Sequence[str]) -> list[Rule]:
    out: list[Rule] = []
    if f.vocabulary == "sector":
        out.append(_isin_rule(f.name, "vocabulary(sector)", "warning", sectors))
    elif f.vocabulary is not None:
        severity: Severity = "error" if f.strict else "warning"
        allowed = f.choices.values if f.choices is not None else _FIXED_VOCABULARIES[f.vocabulary]
        out.append(_isin_rule(f.name, f"vocabulary({f.vocabulary})", severity, allowed))
    if f.format == "email":
        out.append(_regex_rule(f.name, "email", EMAIL_RE))
    elif f.format == "phone":
        out.append(_regex_rule(f.name, "e164", E164_RE))
    elif f.format == "url":
        out.append(_regex_rule(f.name, "url", URL_RE))
    elif f.format == "country":
        out.append(_isin_rule(f.name, "iso_country", "warning", COUNTRY_CODES))
    elif f.format == "currency":
        out.append(_isin_rule(f.name, "iso_currency", "warning", CURRENCY_CODES))
    return out


def rules_for(
    kind: str, required: Sequence[str] | None = None, sectors: Sequence[str] | None = None
) -> list[Rule]:
    """Every rule for a table, given the database's required fields and sector list.

    Examples
    --------
    >>> [r.check for r in rules_for("accounts") if r.field == "name"]
    ['required', 'max_length(160)']
    """
    return _table_rules(table(kind), required, sectors)


def _table_rules(
    tbl: Table, required: Sequence[str] | None, sectors: Sequence[str] | None
) -> list[Rule]:
    required_set = set(tbl.default_required if required is None else required)
    sector_values = list(DEFAULT_SECTORS.values if sectors is None else sectors)
    rules: list[Rule] = []
    for f in tbl:
        if f.name in required_set:
            rules.append(_required_rule(f))
        if f.editable or f.kind == "id":
            rules += _type_rules(f) + _length_rule(f) + _min_rule(f)
            rules += _format_rules(f, sector_values)
    return rules + _range_order_rules(tbl)


# -- pandera schemas ----------------------------------------------------------------------


@lru_cache(maxsize=32)
def _schemas(
    tbl: Table,
    required: tuple[str, ...] | None,
    sectors: tuple[str, ...] | None,
    backend: str,
    severity: str,
) -> Any:
    kind = tbl.name
    rules = [r for r in _table_rules(tbl, required, sectors) if r.severity == severity]
    by_field: dict[str, list[Rule]] = {}
    for rule in rules:
        by_field.setdefault(rule.field, []).append(rule)
    if backend == "pandas":
        columns = {
            name: pa_pd.Column(
                nullable=True,
                required=False,
                coerce=False,
                checks=[
                    pa_pd.Check(r.on_pandas, name=r.check, ignore_na=not r.keep_nulls)
                    for r in field_rules
                    if r.other is None
                ],
            )
            for name, field_rules in by_field.items()
        }
        # Rules across two columns see the DataFrame; _failure_frame keeps their field.
        frame_checks = [
            pa_pd.Check(r.on_pandas, name=r.check, ignore_na=False)
            for r in rules
            if r.other is not None
        ]
        return pa_pd.DataFrameSchema(
            columns, checks=frame_checks, name=f"{kind}:{severity}", strict=False
        )

    def polars_check(rule: Rule) -> Any:
        def run(data: Any) -> pl.LazyFrame:
            if rule.other is not None and rule.other not in data.lazyframe.collect_schema():
                return data.lazyframe.select(pl.lit(True).alias(data.key))
            expr = rule.on_polars(data.key)
            if not rule.keep_nulls:
                expr = pl.col(data.key).is_null() | expr
            return data.lazyframe.select(expr.alias(data.key))

        return pa_pl.Check(run, name=rule.check)

    columns_pl = {
        name: pa_pl.Column(
            nullable=True, required=False, checks=[polars_check(r) for r in field_rules]
        )
        for name, field_rules in by_field.items()
    }
    return pa_pl.DataFrameSchema(columns_pl, name=f"{kind}:{severity}", strict=False)


def pandas_schema(
    kind: str,
    required: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
    severity: Severity = "error",
) -> pa_pd.DataFrameSchema:
    """The pandera (pandas) model of one severity for ``accounts`` or ``contacts``.

    Examples
    --------
    >>> import pandas as pd
    >>> schema = pandas_schema("contacts")
    >>> schema.validate(pd.DataFrame({"last_name": ["Blou"]})).shape
    (1, 1)
    """
    return _schemas(table(kind), _key(required), _key(sectors), "pandas", severity)


def polars_schema(
    kind: str,
    required: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
    severity: Severity = "error",
) -> pa_pl.DataFrameSchema:
    """The pandera (polars) model of one severity for ``accounts`` or ``contacts``."""
    return _schemas(table(kind), _key(required), _key(sectors), "polars", severity)


def _key(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


# -- the report ---------------------------------------------------------------------------


@dataclass
class ValidationReport:
    """The outcome of :func:`validate`.

    Attributes
    ----------
    kind
        ``accounts`` or ``contacts``.
    n_rows
        Rows checked.
    failure_cases
        pandas DataFrame with columns ``row`` (0-based position), ``field``, ``value``,
        ``check`` and ``severity``, sorted by row.
    """

    kind: str
    n_rows: int
    failure_cases: pd.DataFrame

    @property
    def errors(self) -> pd.DataFrame:
        """Failures that prevent storing the row."""
        return self.failure_cases[self.failure_cases["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        """Failures stored but flagged."""
        return self.failure_cases[self.failure_cases["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        """True when no value is an error (warnings allowed)."""
        return self.errors.empty

    @property
    def error_rows(self) -> list[int]:
        """Positions of the rows that have at least one error."""
        return sorted({int(r) for r in self.errors["row"]})

    def summary(self) -> pd.DataFrame:
        """Counts of failures by field, check and severity."""
        if self.failure_cases.empty:
            return pd.DataFrame(columns=["field", "check", "severity", "count"])
        return (
            self.failure_cases.groupby(["field", "check", "severity"], sort=True)
            .size()
            .rename("count")
            .reset_index()
        )

    def raise_for_errors(self) -> None:
        """Raise :class:`ValidationError` naming the first errors, if there are any."""
        if self.ok:
            return
        raise ValidationError(
            describe_failures(self.errors, kind=self.kind), self.errors.reset_index(drop=True)
        )

    def __repr__(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        counts = message(
            "validation_head",
            kind=kind_noun(self.kind),
            rows=message("n_rows", count=self.n_rows),
            errors=message("n_errors", count=n_err),
            warnings=message("n_warnings", count=n_warn),
        )
        head = f"ValidationReport({counts})"
        if self.failure_cases.empty:
            return head
        return head + "\n" + _shown(self.failure_cases.head(20)).to_string(index=False)

    def _repr_html_(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        state = "ok" if self.ok else "errors"
        cases = self.failure_cases
        table_kind = self.kind if self.kind in ("accounts", "contacts") else "contacts"
        table = (
            render_table(
                _shown(cases.head(rows_to_read())),
                report_columns(table_kind, [str(c) for c in cases.columns], current_lang()),
                total=len(cases),
            )
            if not cases.empty
            else "<p>No problems found.</p>"
        )
        return (
            f'<div class="crmkit-validation crmkit-{state}">'
            f"<strong>{html.escape(self.kind)}</strong>: {self.n_rows} rows checked, "
            f"<span style='color:#b00'>{n_err} errors</span>, "
            f"<span style='color:#a60'>{n_warn} warnings</span>{table}</div>"
        )


def value_text(value: Any) -> str:
    """``str(value)`` for the ``value`` column, also for a whole number too long for
    ``str`` (Python refuses more than 4,300 digits), which shows its size instead."""
    if isinstance(value, int) and value.bit_length() > 14_000:
        return f"<a whole number of about {int(value.bit_length() * 0.30103):,} digits>"
    return str(value)


def _shown(cases: pd.DataFrame) -> pd.DataFrame:
    """Failure cases for display: long or unprintable values cut short and escaped."""

    def show(value: Any) -> Any:
        if isinstance(value, str) and (
            len(value) > MESSAGE_VALUE_CHARS or printable(value) != value
        ):
            return shorten(value)
        return value

    return cases.assign(value=cases["value"].map(show))


def describe_failures(
    cases: pd.DataFrame,
    limit: int = 5,
    *,
    kind: str | None = None,
    rows: bool = True,
    lang: str | None = None,
) -> str:
    """One readable sentence per failure: row, field's label, rule and value (cut short).

    Parameters
    ----------
    cases
        Failure cases (``row, field, value, check``), as :attr:`ValidationReport.errors`.
    limit
        Failures named; the rest are counted ("... and 5 more").
    kind
        ``accounts`` or ``contacts``: fields show as their labels ("Last name"); without
        it, as their names.
    rows
        Name each failure's row (``row 3``): for a frame of records, not for one record.
    lang
        ``"en"``, ``"fr"`` or ``"zh"``; ``None``: the language in force
        (:func:`crmkit.set_config`).

    Examples
    --------
    >>> cases = pd.DataFrame({"row": [0], "field": ["name"], "value": ["x" * 10_000],
    ...                       "check": ["max_length(160)"], "severity": ["error"]})
    >>> describe_failures(cases, kind="accounts", lang="en")[:40]
    'row 0: Account name: at most 160 charact'
    >>> describe_failures(cases, lang="en")[-28:]
    "xxxxx'… (10,000 characters))"
    >>> describe_failures(cases.assign(value=None, check="required"), kind="accounts",
    ...                   rows=False, lang="fr")
    'Société : obligatoire'
    """
    fields = table(kind) if kind is not None else None

    def label(name: str) -> str:
        if fields is not None and name in fields:
            return fields[name].label(current_lang() if lang is None else lang)
        return name

    parts = []
    for rec in cases.head(limit).itertuples(index=False):
        rule = _lower_first(rule_sentence(str(rec.check), lang, argument=label))
        missing = rec.check == "required" or _is_blank(rec.value)
        text = (
            message("field_missing", lang, field=label(str(rec.field)), rule=rule)
            if missing
            else message(
                "field_breaks",
                lang,
                field=label(str(rec.field)),
                rule=rule,
                value=shorten(rec.value),
            )
        )
        if rows:
            text = message("colon", lang, a=message("row", lang, row=rec.row), b=text)
        parts.append(text)
    more = len(cases) - limit
    if more > 0:
        parts.append(message("more", lang, count=more))
    return "; ".join(parts)


def _lower_first(text: str) -> str:
    """A rule's sentence inside another ("Email: not a valid email address")."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _is_blank(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def validate(
    df: Any,
    kind: str,
    *,
    required: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
) -> ValidationReport:
    """Check a pandas or polars DataFrame against the ``accounts`` or ``contacts`` model.

    Columns that are not catalog fields are ignored; missing columns are not checked (a
    missing required column fails ``required`` on every row).

    Parameters
    ----------
    df
        pandas or polars DataFrame with catalog field names as columns.
    kind
        ``"accounts"`` or ``"contacts"``.
    required
        Required fields (default: the catalog's; a CRM passes its own setting).
    sectors
        The sector vocabulary (default: the built-in list).

    Examples
    --------
    >>> import pandas as pd
    >>> report = validate(pd.DataFrame({"last_name": ["Blou", None],
    ...                                 "email": ["h@aprool.com", "nope"]}), "contacts")
    >>> report.failure_cases[["row", "field", "check", "severity"]].to_dict("records")
    [{'row': 1, 'field': 'last_name', 'check': 'required', 'severity': 'error'}, \
{'row': 1, 'field': 'email', 'check': 'email', 'severity': 'warning'}]
    """
    tbl: Table = table(kind)
    polars_input = is_polars(df)
    if polars_input:
        frame = df.collect() if isinstance(df, pl.LazyFrame) else df
        n_rows = frame.height
        columns = frame.columns
    else:
        frame = df.reset_index(drop=True)
        n_rows = len(frame)
        columns = list(frame.columns)
    req = list(tbl.default_required if required is None else required)
    missing_required = [c for c in req if c not in columns]
    cases: list[pd.DataFrame] = []
    for severity in ("error", "warning"):
        sev: Severity = "error" if severity == "error" else "warning"
        schema: Any = (
            polars_schema(tbl.name, req, sectors, sev)
            if polars_input
            else pandas_schema(tbl.name, req, sectors, sev)
        )
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as exc:
            cases.append(_failure_frame(exc.failure_cases, severity))
    for name in missing_required:
        cases.append(
            pd.DataFrame(
                {
                    "row": range(n_rows),
                    "field": name,
                    "value": None,
                    "check": "required",
                    "severity": "error",
                }
            )
        )
    result = (
        pd.concat(cases, ignore_index=True)
        if cases
        else pd.DataFrame({c: [] for c in FAILURE_COLUMNS})
    )
    result = result[FAILURE_COLUMNS].astype({"row": "int64"})
    order = {"error": 0, "warning": 1}
    result = (
        result.assign(_o=result["severity"].map(order))
        .sort_values(["row", "_o"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    return ValidationReport(tbl.name, n_rows, result)


def _failure_frame(raw: Any, severity: str) -> pd.DataFrame:
    cases = raw.to_pandas() if is_polars_frame(raw) else raw
    # A check across two columns fails on pandas once per column of the DataFrame: the
    # row of its own field is the one kept.
    own = cases["check"].map(_RANGE_FIELDS)
    cases = cases[own.isna() | (cases["column"] == own)].reset_index(drop=True)
    # pandera reports a failed pandas-null check with the value NaN; show None instead.
    values = [None if _is_missing(v) else value_text(v) for v in cases["failure_case"]]
    return pd.DataFrame(
        {
            "row": pd.to_numeric(cases["index"], errors="coerce").fillna(-1).astype("int64"),
            "field": cases["column"].astype(str),
            "value": pd.Series(values, dtype=object),
            "check": cases["check"].astype(str),
            "severity": severity,
        }
    )


# The field of each check across two columns: at_most(employees_range_max) ->
# employees_range_min ...
_RANGE_FIELDS = {
    r.check: r.field for kind in ("accounts", "contacts") for r in _range_order_rules(table(kind))
}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
