"""Map the headers of an imported file to catalog fields.

:func:`propose_mapping` reads a file's headers and says, for each one, which standard field
(or pseudo-field) it fills, how sure it is, and why. It never reads data and never touches
the database; the import applies the plan to each chunk (``crmkit._importing._chunks``).

Where a header is looked up, in order:

1. the caller's explicit ``mapping`` (a value of ``None`` keeps the column in ``custom``);
2. the table of the detected export layout (Google Contacts, Outlook, Salesforce, HubSpot,
   Zoho, French and Chinese CRMs), because a layout knows that Outlook's "Title" is a
   salutation while everybody else's is a job title;
3. the field catalog: field names and labels (``exact``), then synonyms (``synonym``) --
   the catalog is the one list of header names, compared through :func:`header_key`
   (case, accents, punctuation, spaces, ``*``/``:`` markers and unit suffixes ignored);
4. the tables of every layout, where they agree (``layout``);
5. a fuzzy comparison with every catalog header name (``fuzzy``), for typos.

Two headers never fill one field silently: the more confident one (then the earlier one)
wins and the other stays in ``custom``, named in :attr:`MappingPlan.conflicts`. Columns
that map to nothing are kept in ``custom``, never dropped.

Some columns need a per-row decision, expressed as rules the pipeline applies:
:class:`TypedPair` routes the value of a Google "Phone 1 - Value" column to ``mobile``,
``phone``, ``home_phone`` or ``fax`` according to its "Phone 1 - Label" (see
:func:`apply_typed_pairs`), and :class:`FullName` splits a "Name" / "姓名" column into
first and last name (see :func:`split_full_name`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, NamedTuple, TypeAlias

import pandas as pd
from rapidfuzz import fuzz, process

from crmkit._exceptions import UnknownValueError, ValidationError
from crmkit._util._suggest import closest
from crmkit._util._table_html import table_html
from crmkit.schemas._catalog import Field, Table, table
from crmkit.schemas._vocab import CURRENCY_CODES, SALUTATIONS, fold

__all__ = [
    "FULL_NAME",
    "LAYOUTS",
    "PSEUDO_FIELDS",
    "FullName",
    "MappingPlan",
    "NameParts",
    "Rule",
    "TypedPair",
    "apply_full_names",
    "apply_typed_pairs",
    "detect_layout",
    "header_key",
    "header_unit",
    "parse_full_name",
    "propose_mapping",
    "split_full_name",
]

How = Literal["explicit", "exact", "layout", "synonym", "fuzzy", "custom"]

FULL_NAME = "full_name"
"""Target of a column holding a whole person's name; it becomes a :class:`FullName` rule."""

PSEUDO_FIELDS: Mapping[str, Mapping[str, str]] = {
    "contacts": {"company": "account_id", "owner": "owner_id"},
    "accounts": {"owner": "owner_id", "parent": "parent_id"},
}
"""Targets that hold a *name* the pipeline resolves into the reference field they stand for.

A file names a contact's company and owner ("APROOL", "Nicole Bertrand"), not their ids;
the headers of ``account_id`` / ``owner_id`` / ``parent_id`` therefore map to ``company``
/ ``owner`` / ``parent``, except headers that literally say "id" ("Account ID").
"""

FUZZY_THRESHOLD = 87.0
"""Smallest similarity (0-100) a fuzzy match needs."""

FUZZY_MIN_LENGTH = 4
"""Headers shorter than this (folded, without separators) are never matched fuzzily."""

# Confidence of each way of matching; a fuzzy match reports its similarity instead, and
# always ranks below the others when two headers want one field.
_SCORES: Mapping[str, int] = {
    "explicit": 100,
    "exact": 100,
    "layout": 95,
    "synonym": 90,
    "layout_any": 85,
}


# --------------------------------------------------------------------------------------
# Header folding
# --------------------------------------------------------------------------------------

_EDGE_MARKERS = " \t*:"
_TRAILING_GROUP = re.compile(r"[(\[]([^()\[\]]*)[)\]]\s*$")
_LATIN_UNIT = re.compile(
    r"(?:en |in )?"
    r"(?:k|m|mio|md|mds|mn|bn|thousands?|millions?|milliers?|milliards?)?\s*"
    r"(?:d'|de |of )?\s*"
    r"(?:€|\$|£|¥|eur|euros?|usd|us\$|gbp|cny|rmb|chf|jpy|dollars?|yuan)?"
    r"(?:\s*(?:ht|ttc))?"
)
_CJK_UNIT = re.compile(
    r"(?:单位[:]?)?(?:十|百|千|万|百万|千万|亿)?(?:元|人民币|美元|欧元|人|名|个|位)?"
)
_NOT_WORD = re.compile(r"[\W_]+")


def _is_unit(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    if text == "%" or text.upper() in CURRENCY_CODES:
        return True
    return bool(_LATIN_UNIT.fullmatch(text) or _CJK_UNIT.fullmatch(text))


def _fold_header(header: object) -> tuple[str, str | None]:
    """The folded header with words separated by single spaces, and its unit suffix."""
    text = fold(str(header)).strip(_EDGE_MARKERS)
    unit = None
    found = _TRAILING_GROUP.search(text)
    if found and found.start() > 0 and _is_unit(found.group(1)):
        unit = found.group(1).strip()
        text = text[: found.start()].strip(_EDGE_MARKERS)
    # "#" and "n°" both say "number": "Account #" is "Account number".
    text = text.replace("#", " number ").replace("°", "o")
    return " ".join(_NOT_WORD.sub(" ", text).split()), unit


def header_key(header: object) -> str:
    """The key two headers share when they name the same thing.

    Case, accents, punctuation, spaces, underscores and hyphens are ignored, as are
    required-field markers (``*``, a trailing ``:``) and a unit suffix in brackets
    (``(€)``, ``(k€)``, ``(USD)``, ``(人)``, ``[%]``).

    Examples
    --------
    >>> header_key("E-mail") == header_key("email") == header_key("E_MAIL *")
    True
    >>> header_key("Chiffre d'affaires (k€) :")
    'chiffredaffaires'
    >>> header_key("员工数（人）")
    '员工数'
    """
    return _fold_header(header)[0].replace(" ", "")


def header_unit(header: object) -> str | None:
    """The unit a header announces in brackets (``"k€"`` for ``"CA (k€)"``), else ``None``.

    The pipeline needs it: a revenue column "(k€)" holds thousands of euros.

    Examples
    --------
    >>> header_unit("Chiffre d'affaires (K€)")
    'k€'
    >>> header_unit("Annual Revenue (USD)")
    'usd'
    >>> header_unit("Title (salutation)") is None
    True
    """
    return _fold_header(header)[1]


def _marks(folded: str) -> tuple[tuple[str, ...], bool]:
    """Numbers and an "id" word: what two headers must share to be fuzzily alike."""
    return tuple(re.findall(r"\d+", folded)), "id" in folded.split()


# --------------------------------------------------------------------------------------
# The catalog index
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    target: str
    how: str  # "exact" or "synonym"


def _id_keys(f: Field) -> set[str]:
    return {header_key(f.name), header_key(f"{f.en} id")}


def _catalog_targets(tbl: Table, f: Field) -> Iterable[tuple[str, str, str]]:
    """(header key, target, how) for every header name of an automatically mappable field.

    Fields crmkit manages itself (ids, timestamps) are never filled from a file; a
    reference field is filled from a name through its pseudo-field, or from a header
    that literally says "id"; a reference without a pseudo-field (``reports_to_id``)
    only from such an id header, because its other header names hold names.
    """
    if not f.editable:
        return
    if f.kind == "ref":
        ids = _id_keys(f)
        for key in sorted(ids):
            yield key, f.name, "exact"
        pseudo = {v: k for k, v in PSEUDO_FIELDS[tbl.name].items()}.get(f.name)
        if pseudo is None:
            return
        yield header_key(pseudo), pseudo, "exact"
        for i, name in enumerate(f.header_names):
            key = header_key(name)
            if key not in ids:
                yield key, pseudo, "exact" if i < 4 else "synonym"
        return
    for i, name in enumerate(f.header_names):
        if i == 0 and f.name in _NOT_BY_NAME:
            continue
        yield header_key(name), f.name, "exact" if i < 4 else "synonym"


# Fields a header does not name by the field's name: "Company Name" is the company column
# (the account, pseudo-field ``company``); a lead's ``company_name`` is filled from that
# column by linking, and only the field's labels ("Lead company"...) name it directly.
_NOT_BY_NAME = frozenset({"company_name"})


def _index(kind: str) -> dict[str, _Hit]:
    """Header key -> target for the table in force (the database's, custom fields included)."""
    return _index_of(table(kind))


# Cached per Table, not per kind: each database's catalog (its custom fields) is a Table of
# its own, and a cache by kind would keep the first database's headers for every other.
@cache
def _index_of(tbl: Table) -> dict[str, _Hit]:
    """Header key -> target for one table; labels beat synonyms, then table order."""
    index: dict[str, _Hit] = {}
    for f in tbl:
        for key, target, how in _catalog_targets(tbl, f):
            if not key:
                continue
            known = index.get(key)
            if known is None or (known.how == "synonym" and how == "exact"):
                index[key] = _Hit(target, how)
    return index


def _name_of_ref_keys(kind: str) -> frozenset[str]:
    """Header keys of reference fields that have no pseudo-field ("Reports To")."""
    return _name_of_ref_keys_of(table(kind))


@cache
def _name_of_ref_keys_of(tbl: Table) -> frozenset[str]:
    keys = {
        header_key(name)
        for f in tbl
        if f.kind == "ref" and f.editable and f.name not in PSEUDO_FIELDS[tbl.name].values()
        for name in f.header_names
    }
    return frozenset(keys - set(_index_of(tbl)))


# A column holding a person's whole name. The catalog lists these headers as synonyms of
# last_name; for contacts they become a FullName rule instead, split row by row.
_FULL_NAME_HEADERS = (
    "name", "full name", "nom complet", "nom et prenom", "nom prenom", "prenom nom",
    "prenom et nom", "contact name", "display name", "nom du contact", "姓名", "联系人",
    "联系人姓名", "客户姓名",
)  # fmt: skip
_FULL_NAME_KEYS = frozenset(header_key(h) for h in _FULL_NAME_HEADERS)


# --------------------------------------------------------------------------------------
# Export layouts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """What one CRM's export looks like.

    ``headers`` are the real headers of its contact and account exports, used to
    recognise the layout; ``contacts`` / ``accounts`` give the meaning of the headers the
    catalog alone would get wrong or cannot know (``None``: known, kept in custom).
    """

    name: str
    label: str
    headers: tuple[str, ...]
    contacts: Mapping[str, str | None] = field(default_factory=dict)
    accounts: Mapping[str, str | None] = field(default_factory=dict)

    def table(self, kind: str) -> Mapping[str, str | None]:
        return self.contacts if kind == "contacts" else self.accounts


_GOOGLE_ADDRESS: dict[str, str | None] = {
    "Address 1 - Street": "street",
    "Address 1 - City": "city",
    "Address 1 - Region": "region",
    "Address 1 - Postal Code": "postal_code",
    "Address 1 - Country": "country",
    # The components above say the same thing as Formatted, field by field.
    "Address 1 - Formatted": None,
    "Address 1 - Label": None,
    "Address 1 - PO Box": None,
}
_GOOGLE_ACCOUNT_ADDRESS: dict[str, str | None] = {
    k: (None if v is None else f"billing_{v}") for k, v in _GOOGLE_ADDRESS.items()
}

# fmt: off
LAYOUTS: Mapping[str, _Layout] = {layout.name: layout for layout in (
    _Layout(
        "google", "Google Contacts",
        ("First Name", "Middle Name", "Last Name", "Phonetic First Name", "Name Prefix",
         "Name Suffix", "Nickname", "File As", "Birthday", "Notes", "Labels",
         "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
         "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
         "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
         "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
         "Address 1 - Country", "Organization Name", "Organization Title",
         "Organization Department", "Website 1 - Label", "Website 1 - Value"),
        contacts={"Middle Name": None, "Name Suffix": None, "Nickname": None, "File As": None,
                  "Phonetic First Name": None, **_GOOGLE_ADDRESS},
        accounts={"Organization Name": "name", **_GOOGLE_ACCOUNT_ADDRESS},
    ),
    _Layout(
        "google_old", "Google Contacts (old CSV)",
        ("Name", "Given Name", "Additional Name", "Family Name", "Name Prefix", "Name Suffix",
         "Nickname", "Birthday", "Notes", "Group Membership", "E-mail 1 - Type",
         "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Organization 1 - Type",
         "Organization 1 - Name", "Organization 1 - Title", "Organization 1 - Department"),
        contacts={"Name": FULL_NAME, "Additional Name": None, "Name Suffix": None,
                  "Nickname": None, "Organization 1 - Type": None},
        accounts={"Organization 1 - Name": "name", "Name": None},
    ),
    _Layout(
        "outlook", "Outlook",
        ("First Name", "Middle Name", "Last Name", "Title", "Suffix", "Company", "Department",
         "Job Title", "Business Street", "Business City", "Business State",
         "Business Postal Code", "Business Country/Region", "Home Street", "Home City",
         "Home State", "Home Postal Code", "Home Country/Region", "Other Street",
         "Other City", "Business Fax", "Business Phone", "Business Phone 2", "Mobile Phone",
         "Home Phone", "Home Phone 2", "Other Phone", "Primary Phone", "Company Main Phone",
         "Assistant's Phone", "Pager", "E-mail Address", "E-mail Type",
         "E-mail Display Name", "E-mail 2 Address", "E-mail 3 Address", "Notes", "Web Page",
         "Birthday", "Categories", "Gender", "Manager's Name", "Assistant's Name"),
        # Outlook's "Title" is the salutation (Mr., Dr.); "Job Title" is the job.
        contacts={"Title": "salutation", "Suffix": None, "Middle Name": None,
                  "Home Street": None, "Home City": None, "Home State": None,
                  "Home Postal Code": None, "Home Country/Region": None,
                  "Primary Phone": None, "Company Main Phone": None, "Other Phone": None,
                  "E-mail Type": None, "E-mail Display Name": None, "Manager's Name": None},
        accounts={"Company": "name", "Company Main Phone": "phone", "Title": None,
                  "First Name": None, "Last Name": None, "Job Title": None,
                  "Mobile Phone": None, "Home Phone": None, "E-mail Address": None},
    ),
    _Layout(
        "salesforce", "Salesforce",
        ("Salutation", "First Name", "Last Name", "Title", "Account Name", "Mailing Street",
         "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code",
         "Mailing Country", "Phone", "Mobile", "Fax", "Email", "Contact Owner", "Lead Source",
         "Description", "Birthdate", "Department", "Email Opt Out", "Do Not Call",
         "Contact ID", "Account ID", "Type", "Industry", "Annual Revenue", "Employees",
         "Billing Street", "Billing City", "Billing State/Province",
         "Billing Zip/Postal Code", "Billing Country", "Shipping Street", "Shipping City",
         "Website", "Account Owner", "Account Number", "Ownership", "Ticker Symbol",
         "SIC Code", "Parent Account", "Account Source"),
        contacts={"Other Street": None, "Other City": None, "Other Phone": None},
        accounts={"Shipping Street": None, "Shipping City": None,
                  "Shipping State/Province": None, "Shipping Zip/Postal Code": None,
                  "Shipping Country": None},
    ),
    _Layout(
        "hubspot", "HubSpot",
        ("First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
         "Job Title", "Company Name", "Contact owner", "Lifecycle Stage", "Lead Status",
         "Street Address", "City", "State/Region", "Postal Code", "Country/Region",
         "Website URL", "LinkedIn URL", "Company name", "Company Domain Name", "Industry",
         "Annual Revenue", "Number of Employees", "Company owner", "Record ID"),
        contacts={"Lifecycle Stage": None, "Lead Status": None, "Record ID": "uid"},
        accounts={"Lifecycle Stage": None, "Lead Status": None, "Record ID": None},
    ),
    _Layout(
        "zoho", "Zoho CRM",
        ("Salutation", "First Name", "Last Name", "Account Name", "Title", "Department",
         "Email", "Secondary Email", "Phone", "Mobile", "Home Phone", "Fax", "Contact Owner",
         "Lead Source", "Mailing Street", "Mailing City", "Mailing State", "Mailing Zip",
         "Mailing Country", "Date of Birth", "Email Opt Out", "Skype ID", "Twitter",
         "Description", "Reports To", "Tag", "Account Owner", "Account Type", "Industry",
         "Annual Revenue", "Employees", "Rating", "Ownership", "Parent Account",
         "Account Number", "Ticker Symbol", "SIC Code", "Website", "Billing Street",
         "Billing City", "Billing State", "Billing Code", "Billing Country"),
        contacts={"Skype ID": None, "Reports To": None, "Other Street": None,
                  "Other City": None},
        accounts={"Rating": None, "Billing Code": "billing_postal_code",
                  "Shipping Street": None, "Shipping City": None, "Shipping Code": None},
    ),
    _Layout(
        "french_crm", "French CRM",
        ("Société", "Affecté à", "Nom", "Prénom", "Fonction", "Téléphone", "Portable", "Fax",
         "E-mail", "Ville", "Code postal", "Pays", "Secteur", "Effectif",
         "Chiffre d'affaires", "Origine commerciale", "Compétences", "Client", "Entité",
         "Civilité", "Service"),
        accounts={"Nom": None, "Prénom": None, "Fonction": None, "Portable": None,
                  "Civilité": None, "Service": None, "Compétences": None},
    ),
    _Layout(
        "chinese", "Chinese CRM",
        ("客户名称", "客户所有者", "年收入", "员工数", "行业", "姓名", "姓", "名", "手机", "电话",
         "邮箱", "职位", "部门", "地址", "城市", "省份", "国家", "网站", "备注", "来源"),
        contacts={"姓名": FULL_NAME},
        accounts={"姓名": None, "姓": None, "名": None, "手机": None, "职位": None,
                  "部门": None},
    ),
)}
# fmt: on
"""Known export layouts by name."""


@cache
def _layout_keys() -> dict[str, frozenset[str]]:
    return {name: frozenset(header_key(h) for h in lay.headers) for name, lay in LAYOUTS.items()}


@cache
def _distinctive_keys() -> dict[str, frozenset[str]]:
    """Header keys of each layout that no other layout has."""
    keys = _layout_keys()
    return {
        name: own.difference(*(other for n, other in keys.items() if n != name))
        for name, own in keys.items()
    }


@cache
def _layout_table(name: str, kind: str) -> dict[str, str | None]:
    return {header_key(h): t for h, t in LAYOUTS[name].table(kind).items()}


@cache
def _any_layout_table(kind: str) -> dict[str, str]:
    """Header key -> target from every layout, where the layouts agree on a field."""
    seen: dict[str, set[str | None]] = {}
    for name in LAYOUTS:
        for key, target in _layout_table(name, kind).items():
            seen.setdefault(key, set()).add(target)
    agreed: dict[str, str] = {}
    for key, targets in seen.items():
        (target, *others) = targets
        if not others and target is not None:
            agreed[key] = target
    return agreed


def detect_layout(headers: Sequence[object]) -> str | None:
    """The export layout these headers come from, or ``None`` when none stands out.

    A layout is recognised by the headers only it uses: at least two of them (one could
    be a coincidence: only HubSpot writes a bare "City"); the layout with the most wins.

    Examples
    --------
    >>> detect_layout(["First Name", "Last Name", "Title", "Job Title", "Business Phone",
    ...                "E-mail Address", "Categories"])
    'outlook'
    >>> detect_layout(["Société", "Nom", "Prénom", "Affecté à"])
    'french_crm'
    >>> detect_layout(["Email", "Phone"]) is None
    True
    """
    present = {header_key(h) for h in headers}
    if not present:
        return None
    ranked: list[tuple[int, int, str]] = []
    for name, distinct in _distinctive_keys().items():
        own = len(present & distinct)
        total = len(present & _layout_keys()[name])
        if own >= 2:
            ranked.append((own, total, name))
    if not ranked:
        return None
    ranked.sort(reverse=True)
    if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        return None
    return ranked[0][2]


# --------------------------------------------------------------------------------------
# Rules: typed label/value pairs and full names
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypedPair:
    """A value column whose field depends on the label column next to it, row by row.

    Google Contacts writes "Phone 1 - Label" = ``Mobile`` / ``Work`` / ``Home`` /
    ``Work Fax`` beside "Phone 1 - Value"; the value goes to ``mobile``, ``phone``,
    ``home_phone`` or ``fax`` accordingly (:func:`apply_typed_pairs`).

    Attributes
    ----------
    value_column, label_column
        The two headers.
    routes
        Label (folded: lower case, no accents, ``*`` primary markers stripped) -> field.
        A label not listed here sends the value to the row's overflow (custom).
    default_field
        The field for a row whose label is empty (``None``: overflow).
    spill
        Field -> the next field to try when that one is already filled in the row
        (a second e-mail goes to ``secondary_email``).
    """

    value_column: str
    label_column: str
    routes: Mapping[str, str] = field(repr=False)
    default_field: str | None = None
    spill: Mapping[str, str] = field(default_factory=dict)

    @property
    def targets(self) -> tuple[str, ...]:
        """Every field this rule may fill, in a stable order."""
        found = [*self.routes.values(), self.default_field, *self.spill.values()]
        return tuple(dict.fromkeys(t for t in found if t is not None))

    def route(self, label: object) -> str | None:
        """The field a row with this label goes to (``None``: overflow).

        Examples
        --------
        >>> rule = TypedPair("Phone 1 - Value", "Phone 1 - Label",
        ...                  {"mobile": "mobile", "work": "phone"}, "phone")
        >>> rule.route("* Mobile"), rule.route(""), rule.route("Pager")
        ('mobile', 'phone', None)
        """
        key = _label_key(label)
        if not key:
            return self.default_field
        return self.routes.get(key)

    def describe(self) -> str:
        """A short text for displays: ``"mobile|phone|... by 'Phone 1 - Label'"``."""
        return f"{'|'.join(self.targets)} by {self.label_column!r}"


@dataclass(frozen=True)
class FullName:
    """A column holding a person's whole name, split into first and last name per row.

    See :func:`split_full_name` and :func:`apply_full_names`.
    """

    column: str

    @property
    def targets(self) -> tuple[str, ...]:
        """The fields this rule fills."""
        return ("first_name", "last_name", "salutation")

    def describe(self) -> str:
        """A short text for displays."""
        return "first_name + last_name (split)"


Rule: TypeAlias = TypedPair | FullName


def _label_key(label: object) -> str:
    if _blank(label):
        return ""
    text = str(label).split(":::")[0]
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


# Label (as _label_key folds it) -> field. Labels Google, Outlook and phones write.
_PHONE_ROUTES: Mapping[str, str] = {
    **dict.fromkeys(("mobile", "cell", "cellphone", "cell phone", "mobile phone", "portable",
                     "gsm", "iphone", "手机", "移动电话"), "mobile"),
    **dict.fromkeys(("work", "business", "main", "office", "other", "bureau", "travail",
                     "pro", "professionnel", "autre", "standard", "工作", "办公", "其他"),
                    "phone"),
    **dict.fromkeys(("home", "domicile", "maison", "personal", "perso", "personnel",
                     "private", "住宅", "家庭", "家"), "home_phone"),
    **dict.fromkeys(("fax", "work fax", "business fax", "home fax", "other fax", "telecopie",
                     "传真", "工作传真"), "fax"),
}  # fmt: skip
_EMAIL_ROUTES: Mapping[str, str] = dict.fromkeys(
    ("work", "home", "other", "personal", "perso", "personnel", "professional",
     "professionnel", "pro", "business", "internet", "travail", "domicile", "autre",
     "工作", "个人", "家庭", "其他"),
    "email",
)  # fmt: skip
_WEBSITE_ROUTES: Mapping[str, str] = {
    **dict.fromkeys(("work", "homepage", "home page", "home", "company", "business",
                     "profile", "other", "site", "site web", "主页"), "website"),
    "linkedin": "linkedin",
    "twitter": "twitter",
    "x": "twitter",
}  # fmt: skip
_PAIR_KINDS: Mapping[str, tuple[Mapping[str, str], str, Mapping[str, str]]] = {
    # kind -> (routes, default field, spill)
    "phone": (_PHONE_ROUTES, "phone", {}),
    "email": (_EMAIL_ROUTES, "email", {"email": "secondary_email"}),
    "website": (_WEBSITE_ROUTES, "website", {}),
}
_GOOGLE_GROUP = re.compile(r"^(?P<kind>\D+?)\s*(?P<n>\d+)\s*-\s*(?P<part>.+)$")


def _pair_part(header: str) -> tuple[str, str, str] | None:
    """(kind, number, "label" | "value") for a Google typed-pair header, else None."""
    found = _GOOGLE_GROUP.match(" ".join(fold(header).split()))
    if not found:
        return None
    kind = header_key(found["kind"])
    part = header_key(found["part"])
    if kind not in _PAIR_KINDS or part not in ("label", "type", "value"):
        return None
    return kind, found["n"], "value" if part == "value" else "label"


# --------------------------------------------------------------------------------------
# Splitting full names
# --------------------------------------------------------------------------------------


class NameParts(NamedTuple):
    """A person's name in parts; the parts hold every character of the name but separators.

    Attributes
    ----------
    salutation
        As written ("Dr.", "Mme", "先生"); normalise it with the salutation vocabulary.
    first, last
        Given and family name.
    suffix
        "Jr.", "III", "PhD" ...
    """

    salutation: str | None
    first: str | None
    last: str | None
    suffix: str | None


# fmt: off
# Compound (two-character) surnames, simplified and traditional; Korean ones too.
_COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "闾丘", "端木", "西门", "南宫",
    "独孤", "百里", "呼延", "澹台", "公冶", "太史", "申屠", "万俟", "单于", "赫连",
    "拓跋", "濮阳", "淳于", "仲孙", "司空", "亓官", "司寇", "子车", "颛孙", "巫马",
    "公西", "漆雕", "乐正", "壤驷", "公良", "宰父", "谷梁", "段干", "东郭", "左丘",
    "梁丘", "第五", "羊舌", "歐陽", "司馬", "諸葛", "東方", "長孫", "鍾離", "閭丘",
    "軒轅", "南宮", "獨孤", "澹臺", "單于", "赫連", "濮陽", "顓孫", "樂正", "東郭",
    "남궁", "황보", "제갈", "선우", "독고", "사공", "서문",
))
_CJK_SALUTATIONS = ("先生", "女士", "小姐", "博士", "教授")
_MIDDLE_DOTS = "·•・‧"
_PARTICLES = frozenset((
    "de", "du", "des", "del", "della", "dei", "degli", "der", "den", "di", "da", "dos", "das",
    "do", "van", "von", "vom", "zu", "ter", "ten", "la", "le", "bin", "ibn", "al", "el", "st",
    "st.", "saint", "sainte", "af", "av", "d'",
))
_SUFFIXES = frozenset((
    "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d", "ph.d.", "md", "m.d.", "esq",
    "esq.", "mba", "cpa", "dds",
))
# fmt: on


@cache
def _salutation_words() -> frozenset[str]:
    words: set[str] = set()
    for term in SALUTATIONS.terms:
        for word in (term.value, term.en, term.fr, *term.synonyms):
            words.update({fold(word), fold(word).rstrip(".")})
    # A bare "M" is an initial more often than "Monsieur"; "M." is Monsieur.
    words.discard("m")
    words.update({"m.", "me", "maitre", "frau", "sir", "dame", "mmes", "mlles"})
    return frozenset(w for w in words if w and not _has_cjk(w))


def _is_salutation(token: str) -> bool:
    return fold(token) in _salutation_words()


def _is_suffix(token: str) -> bool:
    return fold(token) in _SUFFIXES


def _is_cjk_char(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
        or 0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0xAC00 <= code <= 0xD7AF  # hangul
    )


def _has_cjk(text: str) -> bool:
    return any(_is_cjk_char(c) for c in text)


def _is_kana(char: str) -> bool:
    return 0x3040 <= ord(char) <= 0x30FF


def _is_upper_word(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _join(tokens: Sequence[str]) -> str | None:
    return " ".join(tokens) or None


def _parse_cjk(text: str) -> NameParts:
    salutation = None
    for word in _CJK_SALUTATIONS:
        if text.endswith(word) and len(text.rstrip()) > len(word):
            salutation, text = word, text[: -len(word)]
            break
    for dot in _MIDDLE_DOTS:
        if dot in text:
            # A transliterated foreign name ("约翰·史密斯"): given name first.
            given, _, family = text.partition(dot)
            rest = " ".join(re.split(f"[{_MIDDLE_DOTS}\\s]+", family.strip())).strip()
            return NameParts(salutation, given.strip() or None, rest or None, None)
    tokens = re.split(r"[\s,，]+", text.strip())
    tokens = [t for t in tokens if t]
    if len(tokens) > 1:
        # "张 伟", "山田 太郎": family name first.
        return NameParts(salutation, " ".join(tokens[1:]), tokens[0], None)
    word = tokens[0] if tokens else ""
    if len(word) <= 1 or any(_is_kana(c) for c in word):
        # One character, or Japanese written without a space: cannot tell where to cut.
        return NameParts(salutation, None, word or None, None)
    cut = 2 if len(word) >= 3 and word[:2] in _COMPOUND_SURNAMES else 1
    return NameParts(salutation, word[cut:], word[:cut], None)


def _split_tokens(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(first, last) for a Western name without commas, salutation or suffix."""
    if len(tokens) == 1:
        return [], tokens
    upper = [_is_upper_word(t) for t in tokens]
    if any(upper) and not all(upper):
        # French lists write the family name in capitals, before or after the given name.
        if upper[0]:
            end = next(i for i, u in enumerate(upper) if not u)
            return tokens[end:], tokens[:end]
        if upper[-1]:
            start = len(tokens) - 1
            while start > 0 and (upper[start - 1] or fold(tokens[start - 1]) in _PARTICLES):
                start -= 1
            if start > 0:
                return tokens[:start], tokens[start:]
    for i in range(1, len(tokens) - 1):
        if fold(tokens[i]) in _PARTICLES:
            return tokens[:i], tokens[i:]
    return tokens[:-1], tokens[-1:]


def parse_full_name(text: object) -> NameParts:
    """Split a whole name into salutation, first name, last name and suffix.

    Handles "First Last", "LAST First" and "First LAST" (capitals mark the family name,
    as French lists write it), "Last, First", particles kept with the family name
    ("de la Tour", "van Beethoven"), a leading salutation ("Dr.", "Mme", "M.") and a
    trailing suffix ("Jr.", "III"). Chinese names put the family name first and may
    have a two-character family name (欧阳, 司马, 诸葛 ...); "约翰·史密斯" is given·family.
    No character is lost except spaces, commas and middle dots.

    Examples
    --------
    >>> parse_full_name("Dr. Jean-Marc de la Tour")
    NameParts(salutation='Dr.', first='Jean-Marc', last='de la Tour', suffix=None)
    >>> parse_full_name("欧阳娜娜")
    NameParts(salutation=None, first='娜娜', last='欧阳', suffix=None)
    >>> parse_full_name("Smith, John, Jr.")
    NameParts(salutation=None, first='John', last='Smith', suffix='Jr.')
    """
    if _blank(text):
        return NameParts(None, None, None, None)
    raw = unicodedata.normalize("NFC", str(text)).strip()
    letters = [c for c in raw if not (c.isspace() or c in ",，" or c in _MIDDLE_DOTS)]
    if letters and all(_is_cjk_char(c) for c in letters):
        return _parse_cjk(raw)
    parts = [p.strip() for p in re.split(r"[,，]", raw)]
    parts = [p for p in parts if p]
    if not parts:
        return NameParts(None, None, None, None)
    suffix: list[str] = []
    while len(parts) > 1 and all(_is_suffix(t) for t in parts[-1].split()):
        suffix[:0] = parts.pop().split()
    salutation: str | None = None
    if len(parts) > 1:
        # "Last, First": the family name comes first.
        last = parts[0].split()
        first = " ".join(parts[1:]).split()
        if len(first) > 1 and _is_salutation(first[0]):
            salutation = first.pop(0)
        elif len(last) > 1 and _is_salutation(last[0]):
            salutation = last.pop(0)
        while len(last) > 1 and _is_suffix(last[-1]):
            suffix.insert(0, last.pop())
        return NameParts(salutation, _join(first), _join(last), _join(suffix))
    tokens = parts[0].split()
    if len(tokens) > 1 and _is_salutation(tokens[0]):
        salutation = tokens.pop(0)
    while len(tokens) > 1 and _is_suffix(tokens[-1]):
        suffix.insert(0, tokens.pop())
    first, last = _split_tokens(tokens)
    return NameParts(salutation, _join(first), _join(last), _join(suffix))


def split_full_name(text: object) -> tuple[str | None, str | None]:
    """``(first, last)`` of a whole name; see :func:`parse_full_name` for the rules.

    The salutation and suffix are left out (:func:`parse_full_name` returns them).

    Examples
    --------
    >>> split_full_name("Hélène Blou")
    ('Hélène', 'Blou')
    >>> split_full_name("BLOU Hélène")
    ('Hélène', 'BLOU')
    >>> split_full_name("Blou, Hélène")
    ('Hélène', 'Blou')
    >>> split_full_name("张伟")
    ('伟', '张')
    >>> split_full_name("Madonna")
    (None, 'Madonna')
    """
    parts = parse_full_name(text)
    return parts.first, parts.last


# --------------------------------------------------------------------------------------
# Applying rules to a frame
# --------------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _column(frame: Any, name: str) -> list[Any] | None:
    if name not in frame.columns:
        return None
    return list(frame[name].to_list())


def _frame_like(frame: Any, columns: dict[str, list[Any]]) -> Any:
    """A DataFrame of the same library as ``frame`` (pandas or polars), row for row."""
    if isinstance(frame, pd.DataFrame):
        return pd.DataFrame(
            {name: pd.Series(values, index=frame.index, dtype=object)
             for name, values in columns.items()},
            index=frame.index,
        )  # fmt: skip
    import polars as pl

    series = []
    for name, values in columns.items():
        if name == "_overflow":
            series.append(pl.Series(name, values, dtype=pl.Object))
        else:
            series.append(pl.Series(name, values, strict=False))
    return pl.DataFrame(series, height=len(frame))


def _free_target(
    target: str | None, spill: Mapping[str, str], filled: dict[str, list[Any]], row: int
) -> str | None:
    """The first field along ``target`` -> ``spill[target]`` ... still empty in the row."""
    tried: set[str] = set()
    while target is not None and target not in tried:
        if filled[target][row] is None:
            return target
        tried.add(target)
        target = spill.get(target)
    return None


def apply_typed_pairs(frame: Any, rules: Iterable[Rule]) -> Any:
    """Route the values of typed label/value pairs to their fields, row by row.

    Parameters
    ----------
    frame
        A pandas or polars DataFrame holding the rules' columns (under the file's headers).
    rules
        Rules from :attr:`MappingPlan.rules`; those that are not :class:`TypedPair` are
        ignored.

    Returns
    -------
    DataFrame
        Of the same library and length as ``frame``: one column per field the rules may
        fill (``None`` where nothing was routed) and ``_overflow``, a dict per row of what
        found no place, under the original headers: a value whose label no route knows,
        a value for a field already filled in that row (the first non-empty value wins),
        and the values of a Google multi-value cell (``"a ::: b"``) beyond the first that
        find no free field (a second e-mail still goes to ``secondary_email``). Nothing is
        lost.

    Examples
    --------
    >>> import pandas as pd
    >>> rules = [TypedPair("Phone 1 - Value", "Phone 1 - Label",
    ...                    {"mobile": "mobile", "work": "phone"}, "phone")]
    >>> frame = pd.DataFrame({"Phone 1 - Label": ["Mobile", "Pager"],
    ...                       "Phone 1 - Value": ["06 25 34 12 57", "12345"]})
    >>> out = apply_typed_pairs(frame, rules)
    >>> out["mobile"].tolist(), out["_overflow"].tolist()
    (['06 25 34 12 57', None], [{}, {'Phone 1 - Value': '12345', 'Phone 1 - Label': 'Pager'}])
    """
    pairs = [r for r in rules if isinstance(r, TypedPair)]
    n = len(frame)
    targets = dict.fromkeys(t for r in pairs for t in r.targets)
    filled: dict[str, list[Any]] = {t: [None] * n for t in targets}
    overflow: list[dict[str, Any]] = [{} for _ in range(n)]
    for rule in pairs:
        values = _column(frame, rule.value_column)
        if values is None:
            continue
        labels = _column(frame, rule.label_column) or [None] * n
        for i, (value, label) in enumerate(zip(values, labels, strict=True)):
            if _blank(value):
                continue
            label_text = None if _blank(label) else str(label).strip()
            pieces: list[Any] = [value]
            if isinstance(value, str):
                # Google writes several values in one cell: "a@x.fr ::: b@x.fr".
                pieces = [p.strip() for p in value.split(":::") if p.strip()]
            first_target = rule.route(label_text)
            left: list[Any] = []
            for piece in pieces:
                target = _free_target(first_target, rule.spill, filled, i)
                if target is None:
                    left.append(piece)
                else:
                    filled[target][i] = piece
            if not left:
                continue
            placed_any = len(left) < len(pieces)
            overflow[i][rule.value_column] = " ::: ".join(map(str, left)) if placed_any else value
            if label_text is not None:
                overflow[i][rule.label_column] = label_text
    return _frame_like(frame, {**filled, "_overflow": overflow})


def apply_full_names(frame: Any, rules: Iterable[Rule]) -> Any:
    """Split the full-name columns of :class:`FullName` rules into name fields.

    Returns
    -------
    DataFrame
        Of the same library and length as ``frame``, with ``first_name``, ``last_name``,
        ``salutation`` and ``_overflow`` (a dict per row; it keeps the whole name when the
        split left out a suffix such as "Jr."). With several rules, the first non-empty
        name wins and the others go to ``_overflow``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"Name": ["Dr. Jean-Marc de la Tour", "张伟", None]})
    >>> out = apply_full_names(frame, [FullName("Name")])
    >>> out[["salutation", "first_name", "last_name"]].values.tolist()
    [['Dr.', 'Jean-Marc', 'de la Tour'], [None, '伟', '张'], [None, None, None]]
    """
    n = len(frame)
    filled: dict[str, list[Any]] = {
        t: [None] * n for t in ("first_name", "last_name", "salutation")
    }
    overflow: list[dict[str, Any]] = [{} for _ in range(n)]
    for rule in rules:
        if not isinstance(rule, FullName):
            continue
        values = _column(frame, rule.column)
        if values is None:
            continue
        for i, value in enumerate(values):
            if _blank(value):
                continue
            if filled["last_name"][i] is not None or filled["first_name"][i] is not None:
                overflow[i][rule.column] = value
                continue
            parts = parse_full_name(value)
            filled["first_name"][i] = parts.first
            filled["last_name"][i] = parts.last
            filled["salutation"][i] = parts.salutation
            if parts.suffix is not None:
                overflow[i][rule.column] = value
    return _frame_like(frame, {**filled, "_overflow": overflow})


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass
class MappingPlan:
    """How the columns of one file map to the fields of ``accounts`` or ``contacts``.

    Attributes
    ----------
    kind
        ``"contacts"`` or ``"accounts"``.
    headers
        The file's headers, in order.
    fields
        Every header -> its target: a catalog field name, a pseudo-field
        (:data:`PSEUDO_FIELDS`: ``company``, ``owner``, ``parent``), or ``None`` when the
        column fills no field directly: kept in ``custom`` (listed in :attr:`custom`) or
        read by a rule (listed in :attr:`rule_columns`).
    rules
        :class:`TypedPair` and :class:`FullName` rules, applied row by row.
    custom
        Headers whose values are kept in the ``custom`` JSON of each record.
    layout
        The export layout used (a key of :data:`LAYOUTS`), or ``None``.
    scores
        Header -> ``(target, score 0-100, how)``; ``how`` is ``explicit``, ``exact``,
        ``layout``, ``synonym``, ``fuzzy`` or ``custom``. For a rule's columns the target
        is a description of the rule.
    conflicts
        Notes on headers that wanted the same field: which one kept it, which one went to
        ``custom``.
    notes
        Header -> a short explanation, for display.
    units
        Header -> the unit its name announces (``"k€"`` for "CA (k€)").
    """

    kind: str
    headers: list[str]
    fields: dict[str, str | None]
    rules: list[Rule]
    custom: list[str]
    layout: str | None
    scores: dict[str, tuple[str | None, int, How]]
    conflicts: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    @property
    def rule_columns(self) -> list[str]:
        """The headers read by a rule rather than mapped directly, in file order."""
        used = {h for rule in self.rules for h in _rule_columns(rule)}
        return [h for h in self.headers if h in used]

    @property
    def mapped(self) -> dict[str, str]:
        """Header -> target for the columns that fill a field directly."""
        return {h: t for h, t in self.fields.items() if t is not None}

    def to_mapping(self) -> dict[str, str | None]:
        """An explicit ``mapping`` reproducing this plan, to edit and pass back.

        Columns read by a typed pair are left out: they are recognised again.

        Examples
        --------
        >>> plan = propose_mapping(["Nom", "Prénom", "Notes perso"], "contacts")
        >>> plan.to_mapping()
        {'Nom': 'last_name', 'Prénom': 'first_name', 'Notes perso': None}
        """
        out: dict[str, str | None] = {}
        by_rule = set(self.rule_columns)
        full = {r.column for r in self.rules if isinstance(r, FullName)}
        for header in self.headers:
            if header in full:
                out[header] = FULL_NAME
            elif header not in by_rule:
                out[header] = self.fields[header]
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per header: ``header, field, how, score, note``.

        Examples
        --------
        >>> frame = propose_mapping(["E-mail", "Compagny"], "contacts").to_frame()
        >>> frame[["header", "field", "how", "score"]]
             header    field    how  score
        0    E-mail    email  exact    100
        1  Compagny  company  fuzzy     93
        """
        rows = []
        for header in self.headers:
            target, score, how = self.scores[header]
            rows.append((header, target or "", how, score, self.notes.get(header, "")))
        return pd.DataFrame(rows, columns=["header", "field", "how", "score", "note"])

    def _summary(self) -> str:
        n_rule = len(self.rule_columns)
        return (
            f"{self.kind}, layout={self.layout}: {len(self.headers)} columns, "
            f"{len(self.mapped)} mapped, {n_rule} by rule, {len(self.custom)} to custom, "
            f"{len(self.conflicts)} conflicts"
        )

    def __repr__(self) -> str:
        lines = [f"MappingPlan({self._summary()})"]
        width = max((_display_width(h) for h in self.headers), default=0)
        for header in self.headers:
            target, score, how = self.scores[header]
            shown = target if target is not None else "(custom)"
            pad = " " * (width - _display_width(header))
            lines.append(f"  {header}{pad} -> {shown}  [{how} {score}]")
        lines += [f"  ! {note}" for note in self.conflicts]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        body = table_html(frame, mode="static", max_rows=max(len(frame), 1))
        parts = [
            '<div class="crmkit-mapping-plan">',
            f"<p><strong>Column mapping</strong> ({html.escape(self._summary())})</p>",
            body,
        ]
        if self.conflicts:
            items = "".join(f"<li>{html.escape(c)}</li>" for c in self.conflicts)
            parts.append(f"<p>Conflicts</p><ul>{items}</ul>")
        parts.append("</div>")
        return "".join(parts)


# --------------------------------------------------------------------------------------
# Proposing a mapping
# --------------------------------------------------------------------------------------


@dataclass
class _Claim:
    target: str | None
    score: int
    how: How
    note: str = ""

    def confidence(self) -> tuple[bool, bool, int]:
        """Explicit beats everything, any match beats a fuzzy one, then the score."""
        return (self.how == "explicit", self.how != "fuzzy", self.score)


def _valid_targets(tbl: Table) -> list[str]:
    pseudo = list(PSEUDO_FIELDS[tbl.name])
    extra = [FULL_NAME] if tbl.name == "contacts" else []
    return [f.name for f in tbl if f.editable] + pseudo + extra


def _check_explicit(
    mapping: Mapping[str, str | None], headers: list[str], tbl: Table
) -> dict[str, str | None]:
    """The explicit mapping by header; raises on an unknown column or target."""
    valid = _valid_targets(tbl)
    by_key: dict[str, list[str]] = {}
    for h in headers:
        by_key.setdefault(header_key(h), []).append(h)
    out: dict[str, str | None] = {}
    for key, target in mapping.items():
        header = key if key in headers else None
        if header is None:
            same = by_key.get(header_key(key), [])
            if len(same) != 1:
                raise UnknownValueError("column", key, headers, closest(str(key), headers))
            header = same[0]
        if target is not None and target not in valid:
            hit = _index(tbl.name).get(header_key(target))
            hint = hit.target if hit is not None else closest(str(target), valid)
            raise UnknownValueError(f"{tbl.name} field", target, valid, hint)
        out[header] = target
    taken: dict[str, str] = {}
    for header, target in out.items():
        if target is None:
            continue
        if target in taken:
            raise ValidationError(
                f"mapping: columns {taken[target]!r} and {header!r} both map to {target!r}; "
                "a field takes one column (map the other to None to keep it in custom)"
            )
        taken[target] = header
    return out


def _fuzzy_choices(kind: str) -> tuple[list[str], list[str]]:
    """(folded names, targets) a fuzzy match may pick from, in the table in force."""
    return _fuzzy_choices_of(table(kind))


@cache
def _fuzzy_choices_of(tbl: Table) -> tuple[list[str], list[str]]:
    spaced: list[str] = []
    targets: list[str] = []
    seen: set[str] = set()
    names: list[tuple[str, str]] = []
    for f in tbl:
        for name in f.header_names:
            hit = _index_of(tbl).get(header_key(name))
            # Never guess an id column: "Reports To" holds names, not reports_to_id.
            if hit is not None and not (hit.target in tbl and tbl[hit.target].kind == "ref"):
                names.append((name, hit.target))
    if tbl.name == "contacts":
        names += [(h, FULL_NAME) for h in _FULL_NAME_HEADERS]
    for name, target in names:
        folded, _ = _fold_header(name)
        key = folded.replace(" ", "")
        if len(key) < FUZZY_MIN_LENGTH or key in seen:
            continue
        seen.add(key)
        spaced.append(folded)
        targets.append(target)
    return spaced, targets


def _fuzzy(header: str, kind: str) -> _Claim | None:
    folded, _ = _fold_header(header)
    key = folded.replace(" ", "")
    if len(key) < FUZZY_MIN_LENGTH:
        return None
    spaced, targets = _fuzzy_choices(kind)
    best: dict[int, float] = {}
    # No partial-ratio scorer (WRatio): "Other Street" must not score 90 against "street".
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        for _, score, i in process.extract(folded, spaced, scorer=scorer, limit=8):
            best[i] = max(best.get(i, 0.0), float(score))
    marks = _marks(folded)
    by_target: dict[str, tuple[float, str]] = {}
    for i, score in best.items():
        # "Phone 3" is not "Phone 1", "Account ID" is not "Account", however alike.
        if score < FUZZY_THRESHOLD or _marks(spaced[i]) != marks:
            continue
        if score > by_target.get(targets[i], (0.0, ""))[0]:
            by_target[targets[i]] = (score, spaced[i])
    if not by_target:
        return None
    ranked = sorted(by_target.items(), key=lambda item: -item[1][0])
    target, (score, name) = ranked[0]
    if len(ranked) > 1 and ranked[1][1][0] >= score - 2:
        other = ranked[1][0]
        return _Claim(None, 0, "custom", f"ambiguous: close to {target!r} and {other!r}")
    return _Claim(target, round(score), "fuzzy", f"fuzzy match of {name!r}")


def _claim(header: str, kind: str, layout: str | None) -> _Claim:
    """What one header maps to on its own, before conflicts are settled."""
    key = header_key(header)
    if not key:
        return _Claim(None, 0, "custom", "empty header")
    if layout is not None:
        table_ = _layout_table(layout, kind)
        if key in table_:
            target = table_[key]
            if target is None:
                label = LAYOUTS[layout].label
                return _Claim(None, 0, "custom", f"{label} column with no standard field")
            return _Claim(target, _SCORES["layout"], "layout", f"{LAYOUTS[layout].label} layout")
    if kind == "contacts" and key in _FULL_NAME_KEYS:
        return _Claim(FULL_NAME, _SCORES["synonym"], "synonym", "whole name, split per row")
    hit = _index(kind).get(key)
    if hit is not None:
        how: How = "exact" if hit.how == "exact" else "synonym"
        return _Claim(hit.target, _SCORES[how], how)
    if key in _name_of_ref_keys(kind):
        return _Claim(None, 0, "custom", "holds names; its reference field needs ids")
    known = _any_layout_table(kind).get(key)
    if known is not None:
        return _Claim(known, _SCORES["layout_any"], "layout", "known export header")
    if _GOOGLE_GROUP.match(" ".join(fold(header).split())):
        # "Relation 1 - Value", "Address 2 - City": numbered groups are not typos.
        return _Claim(None, 0, "custom")
    return _fuzzy(header, kind) or _Claim(None, 0, "custom")


def _find_pairs(headers: list[str], skip: set[str]) -> dict[tuple[str, str], dict[str, str]]:
    """Typed pairs by (kind, number): {"label": header, "value": header}."""
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for header in headers:
        if header in skip:
            continue
        part = _pair_part(header)
        if part is not None:
            groups.setdefault(part[:2], {}).setdefault(part[2], header)
    return {k: g for k, g in groups.items() if "label" in g and "value" in g}


def _pair_rule(kind_name: str, tbl: Table, group: dict[str, str], direct: set[str]) -> TypedPair:
    routes, default, spill = _PAIR_KINDS[kind_name]

    def usable(target: str | None) -> str | None:
        # A field some column fills directly is not routed to: it would get two values.
        return target if target is not None and target in tbl and target not in direct else None

    kept = {label: t for label, t in routes.items() if usable(t) is not None}
    kept_spill = {a: b for a, b in spill.items() if usable(b) is not None}
    return TypedPair(group["value"], group["label"], kept, usable(default), kept_spill)


def propose_mapping(
    headers: Sequence[object],
    kind: str,
    mapping: Mapping[str, str | None] | None = None,
    layout: str | None = None,
) -> MappingPlan:
    """Propose which field each column of a file fills.

    Parameters
    ----------
    headers
        The file's column headers, in order.
    kind
        ``"contacts"`` or ``"accounts"``.
    mapping
        Explicit choices that override everything: header -> field name, pseudo-field
        (``company``, ``owner``, ``parent``), ``"full_name"`` (contacts), or ``None`` to
        keep the column in ``custom``.
    layout
        Force an export layout (a key of :data:`LAYOUTS`); by default it is detected.

    Returns
    -------
    MappingPlan

    Raises
    ------
    UnknownValueError
        A ``mapping`` key that is no header, or a target that is no field (the error
        suggests the closest one), or an unknown ``layout``.
    ValidationError
        Two explicit headers mapped to one field, or a header repeated in ``headers``.

    Examples
    --------
    >>> plan = propose_mapping(["Société", "Nom", "Prénom", "Fonction", "Affecté à",
    ...                         "Hobby"], "contacts")
    >>> plan.fields
    {'Société': 'company', 'Nom': 'last_name', 'Prénom': 'first_name', \
'Fonction': 'job_title', 'Affecté à': 'owner', 'Hobby': None}
    >>> plan.custom
    ['Hobby']
    >>> plan = propose_mapping(["Email", "E-mail"], "contacts")
    >>> plan.fields, plan.conflicts
    ({'Email': 'email', 'E-mail': None}, ["'E-mail' also matches email (exact 100); \
'Email' keeps it (exact 100, earlier column) and 'E-mail' goes to custom"])
    """
    tbl = table(str(kind))
    kind_name = tbl.name
    names = [str(h) for h in headers]
    first_at: dict[str, int] = {}
    for i, h in enumerate(names):
        if h in first_at:
            raise ValidationError(
                f"header {h!r} appears twice (columns {first_at[h] + 1} and {i + 1}); "
                "rename one so that each column has its own name"
            )
        first_at[h] = i
    explicit = _check_explicit(mapping or {}, names, tbl)
    if layout is not None and layout not in LAYOUTS:
        raise UnknownValueError("layout", layout, list(LAYOUTS), closest(layout, LAYOUTS))
    used_layout = layout if layout is not None else detect_layout(names)

    claims: dict[str, _Claim] = {}
    for header, target in explicit.items():
        claims[header] = _Claim(target, 100, "explicit", "given in mapping")
    pairs = _find_pairs(names, set(explicit))
    in_pairs = {h for g in pairs.values() for h in g.values()}
    for header in names:
        if header not in claims and header not in in_pairs:
            claims[header] = _claim(header, kind_name, used_layout)

    conflicts: list[str] = []
    _settle_conflicts(names, claims, conflicts)
    direct = {c.target for c in claims.values() if c.target not in (None, FULL_NAME)}
    rules: list[Rule] = _full_name_rules(names, claims, direct, conflicts)
    for (pair_kind, _), group in sorted(pairs.items(), key=lambda kv: first_at[kv[1]["value"]]):
        rule = _pair_rule(pair_kind, tbl, group, direct)
        rules.append(rule)
        lost = [t for t in _PAIR_KINDS[pair_kind][0].values() if t in direct]
        if lost:
            conflicts.append(
                f"{group['value']!r}: values labelled for {', '.join(sorted(set(lost)))} "
                "go to custom, because another column fills that field"
            )
        note = "typed label/value pair"
        claims[group["value"]] = _Claim(rule.describe(), _SCORES["layout"], "layout", note)
        label = f"label of {group['value']!r}"
        claims[group["label"]] = _Claim(label, _SCORES["layout"], "layout", note)
    rules.sort(key=lambda r: first_at[_rule_columns(r)[0]])

    by_rule = {h for r in rules for h in _rule_columns(r)}
    fields: dict[str, str | None] = {}
    scores: dict[str, tuple[str | None, int, How]] = {}
    notes: dict[str, str] = {}
    for header in names:
        claim = claims[header]
        # A rule's columns fill no field directly; their score shows what the rule does.
        fields[header] = None if header in by_rule else claim.target
        shown = claim.target
        if claim.target == FULL_NAME and header in by_rule:
            shown = FullName(header).describe()
        scores[header] = (shown, claim.score, claim.how)
        if claim.note:
            notes[header] = claim.note
    custom = [h for h in names if fields[h] is None and h not in by_rule]
    units = {h: u for h in names if (u := header_unit(h)) is not None}
    return MappingPlan(
        kind_name, names, fields, rules, custom, used_layout, scores, conflicts, notes, units
    )


def _rule_columns(rule: Rule) -> tuple[str, ...]:
    """The headers a rule reads, the value column first."""
    if isinstance(rule, TypedPair):
        return (rule.value_column, rule.label_column)
    return (rule.column,)


def _describe(claim: _Claim) -> str:
    return f"{claim.how} {claim.score}"


def _settle_conflicts(names: list[str], claims: dict[str, _Claim], conflicts: list[str]) -> None:
    """Keep one header per target: the most confident, then the earliest."""
    wanted: dict[str, list[str]] = {}
    for header in names:
        target = claims[header].target if header in claims else None
        # Several full-name columns are settled with the name rules.
        if target is not None and target != FULL_NAME:
            wanted.setdefault(target, []).append(header)
    for target, contenders in wanted.items():
        if len(contenders) < 2:
            continue
        # sorted() is stable: among equally confident headers the earliest column wins.
        ordered = sorted(contenders, key=lambda h: claims[h].confidence(), reverse=True)
        winner = ordered[0]
        for loser in ordered[1:]:
            lost = claims[loser]
            tie = claims[winner].confidence() == lost.confidence()
            why = ", earlier column" if tie else ""
            conflicts.append(
                f"{loser!r} also matches {target} ({_describe(lost)}); {winner!r} keeps it "
                f"({_describe(claims[winner])}{why}) and {loser!r} goes to custom"
            )
            claims[loser] = _Claim(None, 0, "custom", f"{target} is taken by {winner!r}")


def _full_name_rules(
    names: list[str], claims: dict[str, _Claim], direct: set[str], conflicts: list[str]
) -> list[Rule]:
    full = [h for h in names if h in claims and claims[h].target == FULL_NAME]
    if not full:
        return []
    parts = [t for t in ("first_name", "last_name") if t in direct]
    if parts:
        for header in full:
            conflicts.append(
                f"{header!r} holds whole names, but other columns give "
                f"{' and '.join(parts)}; {header!r} goes to custom"
            )
            claims[header] = _Claim(None, 0, "custom", "whole name; first/last columns win")
        return []
    for header in full[1:]:
        conflicts.append(
            f"{header!r} also holds whole names; {full[0]!r} is split and {header!r} goes to custom"
        )
        claims[header] = _Claim(None, 0, "custom", f"whole name already read from {full[0]!r}")
    return [FullName(full[0])]
