"""A card's properties mapped onto contact fields; everything else kept in ``custom``.

Mapping (the fields are the catalog's): N -> last_name, first_name, salutation (FN when N
has no name; CJK names without a space go whole into last_name); ORG -> ``org`` and
department; TITLE -> job_title (ROLE when there is no TITLE); TEL by type -> phone (work,
voice, none), mobile (cell, iphone), home_phone, fax (any fax); EMAIL -> email, then
secondary_email; the work ADR (else the first) -> street (street, extended, PO box on
separate lines), city, region, postal_code, country (as written); URL -> website, or
linkedin / twitter by domain; NOTEs -> notes (joined by a blank line); CATEGORIES -> tags;
BDAY -> birthday (a ``datetime.date``); PHOTO -> photo (bytes); UID -> uid; GENDER (and
X-GENDER) -> gender M/F/X/U; X-SOCIALPROFILE, X-TWITTER, X-LINKEDIN -> twitter / linkedin.

Everything else goes to ``custom``, a JSON-ready dict. Its keys are property names, or
``"NAME (label)"`` when the value has a label: the Apple ``X-ABLabel`` of its item group
(``_$!<HomePage>!$_`` -> ``HomePage``) or its TYPE values without pref/internet/voice
(``"TEL (pager)"``, ``"EMAIL (school)"``). A repeated key holds a list. Extra addresses are
dicts with the address field names, extra organisations dicts with ``org`` and
``department``. The name parts with no field go to ``ADDITIONAL-NAMES``,
``HONORIFIC-SUFFIXES`` and ``ORG-UNITS``; FN is kept as ``FN`` when it says more than the
first and last names; REV is kept as ``REV``; VERSION, PROFILE and crmkit's own PRODID are
dropped. :func:`~crmkit._formats._vcard_write.write_vcards` writes these custom entries back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from crmkit._formats._vcard_names import PRODID, display_name, is_cjk
from crmkit._formats._vcard_scan import B64, Prop, RawCard
from crmkit._formats._vcard_values import (
    BAD_PHOTO_KEY,
    clean,
    decode_photo,
    parse_date,
    raw_value,
    split_values,
    tel_text,
)

__all__ = ["card_to_record", "has_contact_field"]

_LABEL_RE = re.compile(r"_\$!<(.*)>!\$_")

# TYPE values that say nothing about what a value is for (kept out of custom keys).
_GENERIC_TYPES = frozenset({"pref", "internet", "voice", "x400"})

_TEL_MOBILE = frozenset({"cell", "mobile", "iphone", "cellular", "cellphone", "gsm"})

_TEL_PLAIN = frozenset({
    "work", "voice", "pref", "home", "main", "msg", "text", "internet", "business", "office",
    "company", "landline", "tel", "phone",
})  # fmt: skip


def _label(prop: Prop, labels: dict[str, str]) -> str:
    """What a value is for: the Apple X-ABLabel of its group, else its TYPE values."""
    group = prop[0]
    if group:
        found = labels.get(group.lower())
        if found:
            return found
    params = prop[2]
    if not params:
        return ""
    words = [t for t in params.get("TYPE", ()) if t not in _GENERIC_TYPES]
    words += params.get("X-SERVICE-TYPE", [])
    return ",".join(words)


def _add_custom(custom: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "":
        return
    old = custom.get(key)
    if old is None:
        custom[key] = value
    elif isinstance(old, list) and not isinstance(value, list):
        old.append(value)
    else:
        custom[key] = [old, value]


def _custom_key(name: str, label: str) -> str:
    return f"{name} ({label})" if label else name


def _tel_field(kinds: set[str]) -> str | None:
    """The contact field a TEL belongs to, from its TYPE values and label."""
    if any("fax" in k for k in kinds):
        return "fax"
    if kinds & _TEL_MOBILE:
        return "mobile"
    if kinds - _TEL_PLAIN:
        return None  # pager, video, modem, vendor kinds ...: kept in custom
    if "home" in kinds:
        return "home_phone"
    return "phone"


def _kinds(prop: Prop, labels: dict[str, str]) -> set[str]:
    params = prop[2]
    kinds = set(params.get("TYPE", ()))
    if "PREF" in params:
        kinds.add("pref")
    group = prop[0]
    if group:
        found = labels.get(group.lower())
        if found:
            kinds.add(found.lower().replace(" ", ""))
    return kinds


def _split_fn(fn: str, rec: dict[str, Any], custom: dict[str, Any]) -> None:
    """First and last name from a formatted name, when the card has no N."""
    words = fn.split()
    if not words:
        return
    if len(words) > 1 and words[0].rstrip(".").lower() in _SALUTATION_WORDS:
        rec["salutation"] = words.pop(0)
    if len(words) > 1 and words[-1].rstrip(".").lower() in _SUFFIX_WORDS:
        custom["HONORIFIC-SUFFIXES"] = words.pop()
    if len(words) == 1:
        rec["last_name"] = words[0]
    elif is_cjk(fn):
        # East Asian order: family name first.
        rec["last_name"], rec["first_name"] = words[0], " ".join(words[1:])
    elif words[0].endswith(",") and len(words) == 2:
        rec["last_name"], rec["first_name"] = words[0][:-1], words[1]
    else:
        rec["first_name"], rec["last_name"] = " ".join(words[:-1]), words[-1]


_SALUTATION_WORDS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "m", "mme", "mlle", "me", "herr", "frau"}
)

_SUFFIX_WORDS = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "ph.d", "md", "esq"})


def _set_names(
    n_value: str | None,
    fn_value: str | None,
    show_as_company: bool,
    rec: dict[str, Any],
    custom: dict[str, Any],
) -> None:
    if n_value is not None:
        parts = [clean(p) for p in split_values(n_value, ";")] + [""] * 5
        family, given, additional, prefix, suffix = parts[:5]
        if family or given:
            if family:
                rec["last_name"] = family
            if given:
                rec["first_name"] = given
            if prefix:
                rec["salutation"] = prefix
            if additional:
                custom["ADDITIONAL-NAMES"] = additional
            if suffix:
                custom["HONORIFIC-SUFFIXES"] = suffix
            extra = [p for p in parts[5:] if p]
            if extra:
                custom["N"] = ";".join(extra)
    if not fn_value:
        return
    if show_as_company:
        # A company's card (Apple's X-ABShowAs): FN is the company name, not a person's.
        if fn_value != rec.get("org"):
            custom["FN"] = fn_value
        return
    if "last_name" not in rec and "first_name" not in rec:
        _split_fn(fn_value, rec, custom)
    # FN is kept only when it says more than the name fields (titles, middle names ...).
    shown = display_name(rec.get("first_name"), rec.get("last_name"))
    if " ".join(fn_value.split()) != " ".join(shown.split()):
        custom["FN"] = fn_value


class _Card:
    """What the properties of one card add up to, filled in card order by the handlers.

    Most properties go straight to ``rec`` or ``custom``; those whose field depends on the
    other properties of the card (names, phones, e-mails, addresses, role, notes, tags,
    X-GENDER) are gathered first and routed by the steps of :func:`card_to_record`.
    """

    __slots__ = (
        "addresses", "card", "custom", "emails", "fn_value", "gender_fallback", "labels",
        "n_value", "notes", "phones", "rec", "role", "show_as_company", "tags", "version",
    )  # fmt: skip

    def __init__(self, card: RawCard, labels: dict[str, str], version: str) -> None:
        self.card = card
        self.labels = labels  # item group (lower case) -> its Apple X-ABLabel
        self.version = version
        self.rec: dict[str, Any] = {}
        self.custom: dict[str, Any] = {}
        self.n_value: str | None = None
        self.fn_value: str | None = None
        self.show_as_company = False
        # (field or None, score, position among the properties, text, label)
        self.phones: list[tuple[str | None, int, int, str, str]] = []
        self.emails: list[tuple[str, str]] = []  # (address, label)
        self.addresses: list[tuple[bool, list[str], str]] = []  # (work?, parts, label)
        self.notes: list[str] = []
        self.tags: list[str] = []
        self.role: str | None = None
        self.gender_fallback: str | None = None


# A property handler: (the card so far, the property, its position among the properties).
_Handler = Callable[[_Card, Prop, int], None]


def _on_n(c: _Card, p: Prop, order: int) -> None:
    if c.n_value is None:
        c.n_value = raw_value(p, c.card)
    else:
        _add_custom(c.custom, "N", clean(raw_value(p, c.card)))


def _on_fn(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    if c.fn_value is None:
        c.fn_value = text
    else:
        _add_custom(c.custom, "FN", text)


def _on_tel(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    if text[:4].lower() == "tel:":
        value_type = p[2].get("VALUE", ("",))[0].lower()
        if value_type == "uri" or (c.version == "4.0" and value_type != "text"):
            text = tel_text(text)
    if text:
        kinds = _kinds(p, c.labels)
        score = 2 * ("pref" in kinds) + ("work" in kinds)
        c.phones.append((_tel_field(kinds), score, order, text, _label(p, c.labels)))


def _on_email(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    if text:
        c.emails.append((text, _label(p, c.labels)))


def _on_org(c: _Card, p: Prop, order: int) -> None:
    rec = c.rec
    parts = [clean(x) for x in split_values(raw_value(p, c.card), ";")]
    if "org" not in rec and "department" not in rec:
        if parts[0]:
            rec["org"] = parts[0]
        if len(parts) > 1 and parts[1]:
            rec["department"] = parts[1]
        units = [x for x in parts[2:] if x]
        if units:
            _add_custom(c.custom, "ORG-UNITS", "; ".join(units))
    else:
        extra = {"org": parts[0], "department": "; ".join(x for x in parts[1:] if x)}
        extra = {k: v for k, v in extra.items() if v}
        primary = {k: rec[k] for k in ("org", "department") if k in rec}
        if extra and extra != primary:  # a repeated identical ORG adds nothing
            _add_custom(c.custom, "ORG", extra)


def _on_title(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    if text and "job_title" not in c.rec:
        c.rec["job_title"] = text
    else:
        _add_custom(c.custom, "TITLE", text)


def _on_role(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    if c.role is None:
        c.role = text
    else:
        _add_custom(c.custom, "ROLE", text)


def _on_adr(c: _Card, p: Prop, order: int) -> None:
    parts = [clean(x) for x in split_values(raw_value(p, c.card), ";")] + [""] * 7
    if any(parts):
        is_work = "work" in _kinds(p, c.labels)
        c.addresses.append((is_work, parts, _label(p, c.labels)))


def _on_note(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    if text:
        c.notes.append(text)


def _on_url(c: _Card, p: Prop, order: int) -> None:
    _route_url(clean(raw_value(p, c.card)), _label(p, c.labels), c.rec, c.custom)


def _on_categories(c: _Card, p: Prop, order: int) -> None:
    tags = c.tags
    for tag in split_values(raw_value(p, c.card), ","):
        tag = clean(tag)
        if tag and tag not in tags:
            tags.append(tag)


def _on_bday(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    day = parse_date(text)
    if day is not None and "birthday" not in c.rec:
        c.rec["birthday"] = day
    elif day is None or day != c.rec.get("birthday"):
        _add_custom(c.custom, "BDAY", text)


def _on_photo(c: _Card, p: Prop, order: int) -> None:
    kind, photo = decode_photo(p, raw_value(p, c.card), c.card)
    if kind == "photo":
        if "photo" not in c.rec:
            c.rec["photo"] = photo
        else:
            c.card.notes.append((p[4], "second binary PHOTO dropped"))
    elif kind == "uri":
        _add_custom(c.custom, "PHOTO", photo)
    elif kind == "invalid":
        _add_custom(c.custom, BAD_PHOTO_KEY, photo)


def _on_uid(c: _Card, p: Prop, order: int) -> None:
    text = clean(raw_value(p, c.card))
    if "uid" not in c.rec and text:
        c.rec["uid"] = text
    else:
        _add_custom(c.custom, "UID", text)


def _on_gender(c: _Card, p: Prop, order: int) -> None:
    sex, _, identity = clean(raw_value(p, c.card)).partition(";")
    gender = {"M": "M", "F": "F", "O": "X", "N": "U", "U": "U"}.get(sex.strip().upper())
    if gender and "gender" not in c.rec:
        c.rec["gender"] = gender
    if identity.strip() or (sex and not gender):
        _add_custom(c.custom, "GENDER", clean(raw_value(p, c.card)))


def _on_social(c: _Card, p: Prop, order: int) -> None:
    _route_social(p, clean(raw_value(p, c.card)), c.labels, c.rec, c.custom)


def _other_value(c: _Card, p: Prop) -> str:
    """The value of a property kept in ``custom``: base64 data joined, text cleaned."""
    if p[5] == B64:
        return "".join(raw_value(p, c.card).split())
    return clean(raw_value(p, c.card))


def _on_other(c: _Card, p: Prop, order: int) -> None:
    """Any property without a field: kept in ``custom`` under its name and label."""
    _add_custom(c.custom, _custom_key(p[1], _label(p, c.labels)), _other_value(c, p))


def _on_x_gender(c: _Card, p: Prop, order: int) -> None:
    value = _other_value(c, p)
    c.gender_fallback = value  # the gender when the card has no GENDER
    _add_custom(c.custom, _custom_key(p[1], _label(p, c.labels)), value)


def _on_x_abshowas(c: _Card, p: Prop, order: int) -> None:
    value = _other_value(c, p)
    if value.upper() == "COMPANY":
        c.show_as_company = True  # Apple's mark of a company's card
    else:
        _add_custom(c.custom, _custom_key(p[1], _label(p, c.labels)), value)


def _on_prodid(c: _Card, p: Prop, order: int) -> None:
    if p[3] != PRODID:  # crmkit's own is dropped, another writer's kept
        _on_other(c, p, order)


#: What each property name does to the card; names not listed go to ``custom``
#: (:func:`_on_other`), names mapped to ``None`` are dropped (X-ABLABEL and VERSION are
#: read before the other properties, by :func:`_labels_and_version`).
_HANDLERS: dict[str, _Handler | None] = {
    "N": _on_n,
    "FN": _on_fn,
    "TEL": _on_tel,
    "EMAIL": _on_email,
    "ORG": _on_org,
    "TITLE": _on_title,
    "ROLE": _on_role,
    "ADR": _on_adr,
    "NOTE": _on_note,
    "URL": _on_url,
    "CATEGORIES": _on_categories,
    "BDAY": _on_bday,
    "PHOTO": _on_photo,
    "UID": _on_uid,
    "GENDER": _on_gender,
    "X-SOCIALPROFILE": _on_social,
    "X-TWITTER": _on_social,
    "X-LINKEDIN": _on_social,
    "X-GENDER": _on_x_gender,
    "X-ABSHOWAS": _on_x_abshowas,
    "PRODID": _on_prodid,
    "VERSION": None,
    "PROFILE": None,
    "X-ABLABEL": None,
}


def card_to_record(card: RawCard) -> dict[str, Any]:
    """Map a card's properties onto contact fields; everything else goes to custom.

    Three steps: read the labels of the item groups and the version; hand each property
    to its handler in :data:`_HANDLERS`, in card order; route what depends on the whole
    card (names, phones, e-mails, addresses, role, notes, tags, gender).
    """
    c = _Card(card, *_labels_and_version(card))
    handlers = _HANDLERS
    for order, p in enumerate(card.props):
        handler = handlers.get(p[1], _on_other)
        if handler is not None:
            handler(c, p, order)
    rec, custom = c.rec, c.custom
    _set_names(c.n_value, c.fn_value, c.show_as_company, rec, custom)
    _route_phones(c.phones, rec, custom)
    _route_emails(c.emails, rec, custom)
    _route_addresses(c.addresses, rec, custom)
    _route_role(c.role, rec, custom)
    if c.notes:
        rec["notes"] = "\n\n".join(c.notes)
    if c.tags:
        rec["tags"] = c.tags
    _route_gender_fallback(c.gender_fallback, rec, custom)
    rec["custom"] = custom
    return rec


def _labels_and_version(card: RawCard) -> tuple[dict[str, str], str]:
    """The Apple X-ABLabel of each item group (by lower-case group name), and VERSION."""
    labels: dict[str, str] = {}
    version = ""
    for p in card.props:
        if p[1] == "X-ABLABEL" and p[0]:
            text = clean(raw_value(p, card))
            m = _LABEL_RE.fullmatch(text)
            labels[p[0].lower()] = m.group(1) if m else text
        elif p[1] == "VERSION":
            version = p[3].strip()
    return labels, version


def _route_emails(
    emails: list[tuple[str, str]], rec: dict[str, Any], custom: dict[str, Any]
) -> None:
    for pos, (text, label) in enumerate(emails):
        if pos == 0:
            rec["email"] = text
        elif pos == 1:
            rec["secondary_email"] = text
        else:
            _add_custom(custom, _custom_key("EMAIL", label), text)


def _route_role(role: str | None, rec: dict[str, Any], custom: dict[str, Any]) -> None:
    """ROLE is the job title when there is no TITLE; kept in custom otherwise."""
    if role:
        if "job_title" in rec:
            custom["ROLE"] = role
        else:
            rec["job_title"] = role


def _route_gender_fallback(value: str | None, rec: dict[str, Any], custom: dict[str, Any]) -> None:
    """X-GENDER (male, female ...) gives the gender when GENDER did not."""
    if value and "gender" not in rec:
        fallback = {"m": "M", "male": "M", "f": "F", "female": "F"}.get(value.lower())
        if fallback:
            rec["gender"] = fallback
            if custom.get("X-GENDER") == value:
                del custom["X-GENDER"]


def _route_phones(
    phones: list[tuple[str | None, int, int, str, str]],
    rec: dict[str, Any],
    custom: dict[str, Any],
) -> None:
    best: dict[str, tuple[int, int]] = {}
    for target, score, order, _text, _label_text in phones:
        if target is not None:
            key = (score, -order)
            if target not in best or key > best[target]:
                best[target] = key
    chosen = {(-key[1]) for key in best.values()}
    for target, _score, order, text, label in phones:
        if target is not None and order in chosen:
            rec[target] = text
        else:
            _add_custom(custom, _custom_key("TEL", label), text)


def _route_addresses(
    addresses: list[tuple[bool, list[str], str]], rec: dict[str, Any], custom: dict[str, Any]
) -> None:
    if not addresses:
        return
    main = next((i for i, a in enumerate(addresses) if a[0]), 0)
    for i, (_work, parts, label) in enumerate(addresses):
        pobox, extended, street, city, region, code, country = parts[:7]
        fields = {
            "street": "\n".join(x for x in (street, extended, pobox) if x),
            "city": city,
            "region": region,
            "postal_code": code,
            "country": country,
        }
        fields = {k: v for k, v in fields.items() if v}
        if i == main:
            rec.update(fields)
        else:
            _add_custom(custom, _custom_key("ADR", label), fields)


def _route_url(text: str, label: str, rec: dict[str, Any], custom: dict[str, Any]) -> None:
    if not text:
        return
    lower = text.lower()
    if "linkedin.com" in lower and "linkedin" not in rec:
        rec["linkedin"] = text
    elif ("twitter.com/" in lower or "//x.com/" in lower) and "twitter" not in rec:
        rec["twitter"] = text
    elif "website" not in rec:
        rec["website"] = text
    else:
        _add_custom(custom, _custom_key("URL", label), text)


def _route_social(
    prop: Prop, text: str, labels: dict[str, str], rec: dict[str, Any], custom: dict[str, Any]
) -> None:
    if not text:
        return
    kinds = _kinds(prop, labels)
    lower = text.lower()
    name = prop[1]
    if (name == "X-LINKEDIN" or "linkedin" in kinds or "linkedin.com" in lower) and (
        "linkedin" not in rec
    ):
        rec["linkedin"] = text
    elif (
        name == "X-TWITTER" or "twitter" in kinds or "twitter.com/" in lower or "x" in kinds
    ) and "twitter" not in rec:
        rec["twitter"] = text
    else:
        _add_custom(custom, _custom_key(name, _label(prop, labels)), text)


def has_contact_field(rec: dict[str, Any]) -> bool:
    return any(k != "custom" for k in rec) or bool(rec["custom"])
