"""Normalise the messy values found in CRM exports (French, English and Chinese).

Pure functions, no database. The value normalisers, one job a module:

- ``_text``: :func:`clean_text`, :func:`drop_controls`, :func:`unquote_formula`,
  :func:`split_list` and the patterns the Arrow kernels share;
- ``_distinct``: :func:`map_distinct`, :func:`map_distinct_checked`, the vectorised twin
  of any scalar (each distinct value parsed once);
- ``_phones``, ``_emails`` and their vectorised twins :func:`normalize_phones` and
  :func:`normalize_emails`, many times faster than their scalars with the same results
  (``_fastmap``: fast paths, helper processes above :data:`PARALLEL_THRESHOLD`);
- ``_urls``, ``_countries``, ``_keys`` (:func:`name_key`, :func:`company_key`);
- ``_numbers`` (numbers, currencies), ``_booleans``, ``_dates``, ``_quantities``
  (headcounts, revenues).

Parsers that can fail (numbers, booleans, dates, headcounts, revenues) raise
:class:`~crmkit.ValidationError` naming the value; their vectorised twins return
``(values, errors)`` with one error message (or ``None``) per item instead, so a bulk
import can report every bad cell at once.

The column normalisers (``_columns``, with the Arrow kernels ``_arrow_phones``,
``_arrow_emails``, ``_arrow_keys``) and ``_prepare`` are imported from their modules: this
package does not load them (nor pyarrow), so that a helper process, which imports one
value module and so this package, starts fast.
"""

from crmkit._normalize._booleans import parse_bool, parse_bools
from crmkit._normalize._countries import normalize_country
from crmkit._normalize._dates import parse_date, parse_dates
from crmkit._normalize._distinct import map_distinct, map_distinct_checked
from crmkit._normalize._emails import (
    EmailResult,
    email_domain,
    email_key,
    normalize_email,
    normalize_emails,
)
from crmkit._normalize._fastmap import PARALLEL_THRESHOLD
from crmkit._normalize._keys import company_key, name_key
from crmkit._normalize._numbers import parse_currency, parse_number, parse_numbers
from crmkit._normalize._phones import (
    UNASSIGNED_PHONE,
    UNSTABLE_PHONE,
    PhoneResult,
    normalize_phone,
    normalize_phones,
    phone_digits,
)
from crmkit._normalize._quantities import (
    HeadcountResult,
    RevenueResult,
    parse_headcount,
    parse_revenue,
)
from crmkit._normalize._text import (
    CONTROL_CHARACTERS,
    ESCAPE_SEQUENCE,
    QUOTED_FORMULA,
    clean_text,
    drop_controls,
    split_list,
    unquote_formula,
)
from crmkit._normalize._urls import normalize_url, url_domain

__all__ = [
    "CONTROL_CHARACTERS",
    "ESCAPE_SEQUENCE",
    "PARALLEL_THRESHOLD",
    "QUOTED_FORMULA",
    "UNASSIGNED_PHONE",
    "UNSTABLE_PHONE",
    "EmailResult",
    "HeadcountResult",
    "PhoneResult",
    "RevenueResult",
    "clean_text",
    "company_key",
    "drop_controls",
    "email_domain",
    "email_key",
    "map_distinct",
    "map_distinct_checked",
    "name_key",
    "normalize_country",
    "normalize_email",
    "normalize_emails",
    "normalize_phone",
    "normalize_phones",
    "normalize_url",
    "parse_bool",
    "parse_bools",
    "parse_currency",
    "parse_date",
    "parse_dates",
    "parse_headcount",
    "parse_number",
    "parse_numbers",
    "parse_revenue",
    "phone_digits",
    "split_list",
    "unquote_formula",
    "url_domain",
]
