"""Controlled vocabularies: sectors, account types, ownership, genders, currencies, countries.

Each vocabulary entry has a canonical value (what is stored), labels in English, French
and Chinese, and synonyms used when reading messy files. The sector list is a default: a
database may replace it (``crm.settings.sectors = [...]``).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from crmkit._util._langs import LANGS, Labels, pick_label
from crmkit._util._text import fold

__all__ = [
    "ACCOUNT_TYPES",
    "COUNTRY_CODES",
    "CURRENCY_CODES",
    "DEFAULT_SECTORS",
    "FIXED_VOCABULARIES",
    "GENDERS",
    "LEAD_STAGES",
    "LEGAL_BASES",
    "LIFECYCLE_STAGES",
    "OWNERSHIPS",
    "SALUTATIONS",
    "Term",
    "Vocabulary",
    "country_names",
    "fold",
]


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: the stored value, its labels and its synonyms."""

    value: str
    en: str
    fr: str
    zh: str
    synonyms: tuple[str, ...] = ()

    @property
    def labels(self) -> Labels:
        """The labels in every language, in the order of :data:`~crmkit.schemas.LANGS`."""
        return tuple(getattr(self, lang) for lang in LANGS)

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (one of :data:`~crmkit.schemas.LANGS`; English otherwise)."""
        return pick_label(self.labels, lang)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Term:
        """A term from a ``value``, a label per language (the value if missing), ``synonyms``.

        Examples
        --------
        >>> Term.from_dict({"value": "Biotech", "fr": "Biotechnologies"}).labels
        ('Biotech', 'Biotechnologies', 'Biotech')
        """
        value = item["value"]
        labels = {lang: item.get(lang, value) for lang in LANGS}
        return cls(value, **labels, synonyms=tuple(item.get("synonyms", ())))


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of :class:`Term` with lookup by value, label or synonym."""

    name: str
    terms: tuple[Term, ...]
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            for key in (term.value, *term.labels, *term.synonyms):
                self._index.setdefault(fold(key), term.value)

    @property
    def values(self) -> list[str]:
        """The stored values, in order."""
        return [t.value for t in self.terms]

    def lookup(self, text: str | None) -> str | None:
        """The stored value that ``text`` names (value, label or synonym), else ``None``.

        Examples
        --------
        >>> ACCOUNT_TYPES.lookup("client")
        'Customer'
        """
        if text is None:
            return None
        return self._index.get(fold(str(text)))

    def label(self, value: str, lang: str = "en") -> str:
        """The label of ``value`` in ``lang``; the value itself when unknown."""
        for term in self.terms:
            if term.value == value:
                return term.label(lang)
        return value

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self.values

    def __len__(self) -> int:
        return len(self.terms)


def _vocab(name: str, rows: list[tuple[str, ...]]) -> Vocabulary:
    terms = []
    for row in rows:
        value, en, fr, zh, *synonyms = row
        terms.append(Term(value, en, fr, zh, tuple(synonyms)))
    return Vocabulary(name, tuple(terms))


ACCOUNT_TYPES = _vocab(
    "account_type",
    [
        ("Customer", "Customer", "Client", "客户", "client", "clients", "customers", "cliente"),
        ("Prospect", "Prospect", "Prospect", "潜在客户", "lead", "prospects", "潜客"),
        ("Partner", "Partner", "Partenaire", "合作伙伴", "partenaires", "partners"),
        ("Reseller", "Reseller", "Revendeur", "经销商", "distributeur", "distributor", "分销商"),
        ("Supplier", "Supplier", "Fournisseur", "供应商", "vendor", "fournisseurs"),
        ("Competitor", "Competitor", "Concurrent", "竞争对手", "concurrents"),
        ("Investor", "Investor", "Investisseur", "投资者", "投资方"),
        ("Other", "Other", "Autre", "其他", "autres", "divers"),
    ],
)

OWNERSHIPS = _vocab(
    "ownership",
    [
        ("Public", "Public", "Cotée", "上市公司", "publique", "listed", "cotee en bourse"),
        ("Private", "Private", "Privée", "私营", "privee", "non cotee", "私有"),
        ("Subsidiary", "Subsidiary", "Filiale", "子公司", "filiale"),
        ("Government", "Government", "Administration", "政府", "public sector", "secteur public"),
        ("Other", "Other", "Autre", "其他"),
    ],
)

GENDERS = _vocab(
    "gender",
    [
        ("F", "Female", "Femme", "女", "female", "woman", "f", "femme", "女性"),
        ("M", "Male", "Homme", "男", "male", "man", "m", "homme", "男性"),
        ("X", "Other", "Autre", "其他", "other", "non-binary", "x", "nonbinary"),
        ("U", "Unknown", "Inconnu", "未知", "unknown", "u", "n/a"),
    ],
)

SALUTATIONS = _vocab(
    "salutation",
    [
        ("Mr", "Mr", "M.", "先生", "mr.", "monsieur", "m", "mister", "herr"),
        ("Ms", "Ms", "Mme", "女士", "ms.", "madame", "mrs", "mrs.", "mme.", "mlle", "miss", "小姐"),
        ("Dr", "Dr", "Dr", "博士", "dr.", "docteur", "doctor"),
        ("Prof", "Prof", "Pr", "教授", "prof.", "professeur", "professor", "pr."),
        ("Mx", "Mx", "Mx", "Mx"),
    ],
)

# A contact's place in the sales cycle. ``lead`` and ``qualified`` are the stages a
# conversion (``crm.contacts.convert``) starts from; no stage (NULL) is a contact as
# crmkit kept them before stages existed.
# fmt: off
LIFECYCLE_STAGES = _vocab(
    "lifecycle_stage",
    [
        ("lead", "Lead", "Piste", "线索", "new lead", "nouveau lead", "nouvelle piste",
         "prospect", "suspect", "subscriber", "新线索"),
        ("qualified", "Qualified", "Qualifié", "已确认", "qualified lead", "lead qualifie",
         "qualifie", "qualifiee", "sql", "mql", "opportunity", "opportunite", "合格线索",
         "商机"),
        ("customer", "Customer", "Client", "客户", "client", "converted", "converti",
         "已转化", "已成交"),
        ("former", "Former customer", "Ancien client", "前客户", "former", "ancien",
         "lost", "perdu", "churned", "ex-client", "流失客户"),
    ],
)
# fmt: on

# The legal basis on which a contact is reached on a channel (GDPR article 6(1), a to f);
# ``email_basis`` and ``phone_basis`` take these values.
# fmt: off
LEGAL_BASES = _vocab(
    "legal_basis",
    [
        ("consent", "Consent", "Consentement", "同意", "opt-in", "opt in", "optin",
         "consented", "consenti", "a consenti", "accord", "同意书", "已同意"),
        ("contract", "Contract", "Contrat", "合同", "contractual", "contractuel",
         "execution du contrat", "exécution d'un contrat", "履行合同"),
        ("legal_obligation", "Legal obligation", "Obligation légale", "法定义务",
         "legal obligation", "obligation legale", "law", "loi", "法律义务"),
        ("vital_interest", "Vital interest", "Intérêt vital", "重大利益", "vital interests",
         "interets vitaux", "interet vital", "切身利益"),
        ("public_task", "Public task", "Mission d'intérêt public", "公共任务", "public interest",
         "interet public", "mission de service public", "公共利益"),
        ("legitimate_interest", "Legitimate interest", "Intérêt légitime", "正当利益",
         "legitimate interests", "interets legitimes", "interet legitime", "合法利益"),
    ],
)
# fmt: on

#: The vocabularies fixed in code, by the name a catalog field gives (``Field.vocabulary``):
#: validation, column normalising, fixes and the entry forms read them from here.
FIXED_VOCABULARIES: Mapping[str, Vocabulary] = {
    "account_type": ACCOUNT_TYPES,
    "ownership": OWNERSHIPS,
    "gender": GENDERS,
    "salutation": SALUTATIONS,
    "lifecycle_stage": LIFECYCLE_STAGES,
    "legal_basis": LEGAL_BASES,
}

#: The stages of a contact not yet converted (``crm.contacts.convert`` takes these).
LEAD_STAGES: tuple[str, ...] = ("lead", "qualified")

DEFAULT_SECTORS = _vocab(
    "sector",
    [
        (
            "Agriculture",
            "Agriculture",
            "Agriculture",
            "农业",
            "farming",
            "agroalimentaire",
            "agri-food",
            "food production",
        ),
        ("Automotive", "Automotive", "Automobile", "汽车", "auto", "cars", "automobiles"),
        ("Banking", "Banking", "Banque", "银行", "banks", "banques", "bank"),
        ("Chemicals", "Chemicals", "Chimie", "化工", "chemical", "chimique"),
        (
            "Construction",
            "Construction",
            "BTP",
            "建筑",
            "building",
            "batiment",
            "travaux publics",
            "btp construction",
        ),
        (
            "Consulting",
            "Consulting",
            "Conseil",
            "咨询",
            "consultancy",
            "services conseil",
            "management consulting",
            "conseil en management",
        ),
        (
            "Education",
            "Education",
            "Éducation",
            "教育",
            "enseignement",
            "formation",
            "training",
            "schools",
        ),
        ("Energy", "Energy", "Énergie", "能源", "utilities", "oil and gas", "petrole", "power"),
        (
            "Financial Services",
            "Financial Services",
            "Services financiers",
            "金融服务",
            "finance",
            "fintech",
            "asset management",
            "gestion d'actifs",
            "金融",
        ),
        (
            "Government",
            "Government",
            "Secteur public",
            "政府",
            "public sector",
            "administration",
            "public administration",
            "administration publique",
        ),
        (
            "Healthcare",
            "Healthcare",
            "Santé",
            "医疗",
            "health",
            "medical",
            "hospital",
            "sante publique",
            "医疗保健",
        ),
        (
            "Hospitality",
            "Hospitality",
            "Hôtellerie-restauration",
            "酒店餐饮",
            "hotels",
            "restaurants",
            "tourism",
            "tourisme",
            "hotellerie",
        ),
        ("Insurance", "Insurance", "Assurance", "保险", "assurances", "insurer"),
        ("Legal", "Legal", "Juridique", "法律", "law", "avocats", "law firm", "droit"),
        (
            "Logistics",
            "Logistics",
            "Transport et logistique",
            "物流",
            "transport",
            "transportation",
            "shipping",
            "supply chain",
            "logistique",
            "运输",
        ),
        (
            "Manufacturing",
            "Manufacturing",
            "Industrie",
            "制造业",
            "industry",
            "industrial",
            "industriel",
            "production",
            "制造",
        ),
        (
            "Media",
            "Media",
            "Médias",
            "媒体",
            "publishing",
            "edition",
            "presse",
            "entertainment",
            "divertissement",
            "advertising",
            "publicite",
        ),
        (
            "Non-profit",
            "Non-profit",
            "Associatif",
            "非营利",
            "nonprofit",
            "ngo",
            "ong",
            "association",
            "charity",
        ),
        (
            "Pharmaceuticals",
            "Pharmaceuticals",
            "Pharmacie",
            "制药",
            "pharma",
            "pharmaceutique",
            "biotech",
            "biotechnology",
            "life sciences",
            "医药",
        ),
        (
            "Real Estate",
            "Real Estate",
            "Immobilier",
            "房地产",
            "property",
            "realty",
            "immobilier d'entreprise",
        ),
        (
            "Retail",
            "Retail",
            "Commerce de détail",
            "零售",
            "commerce",
            "distribution",
            "e-commerce",
            "ecommerce",
            "grande distribution",
            "电商",
        ),
        (
            "Software",
            "Software",
            "Logiciel",
            "软件",
            "saas",
            "editeur de logiciels",
            "software publisher",
            "logiciels",
        ),
        (
            "Technology",
            "Technology",
            "Technologie",
            "科技",
            "tech",
            "it",
            "high tech",
            "information technology",
            "informatique",
            "it services",
            "services informatiques",
            "信息技术",
            "互联网",
            "internet",
        ),
        (
            "Telecommunications",
            "Telecommunications",
            "Télécommunications",
            "电信",
            "telecom",
            "telecoms",
            "telco",
            "operateur",
        ),
        ("Wholesale", "Wholesale", "Commerce de gros", "批发", "grossiste", "negoce"),
        ("Other", "Other", "Autre", "其他", "divers", "misc", "miscellaneous"),
    ],
)

# ISO 4217 active codes (2024 list, funds and precious metals left out).
CURRENCY_CODES: frozenset[str] = frozenset(
    (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL "
        "BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP "
        "ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR "
        "IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL "
        "LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR "
        "NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD "
        "SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX "
        "USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG "
    ).split()
)


def _locale_data() -> dict[str, dict[str, str]]:
    """phonenumbers' region names by language, without its geocoding tables.

    ``phonenumbers.geodata.locale`` is small, but importing it runs the package's
    ``__init__``, which loads every geocoding prefix (half a second, in each process of a
    large import). So the module is loaded from its file on its own; the normal import
    is the fallback should the library's layout change.
    """
    import phonenumbers

    name = "phonenumbers.geodata.locale"
    if name not in sys.modules:
        path = Path(phonenumbers.__file__).parent / "geodata" / "locale.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            module.__package__ = "phonenumbers.geodata"
            try:
                spec.loader.exec_module(module)
            except (ImportError, OSError):
                pass
            else:
                data: dict[str, dict[str, str]] = module.LOCALE_DATA
                return data
    from phonenumbers.geodata.locale import LOCALE_DATA

    return dict(LOCALE_DATA)


@cache
def _country_table() -> dict[str, dict[str, str]]:
    # phonenumbers ships region names in many languages; 'aa' is its default (English).
    table: dict[str, dict[str, str]] = {}
    for code, names in _locale_data().items():
        if len(code) != 2 or not code.isalpha():
            continue

        def resolve(lang: str, names: dict[str, str] = names) -> str:
            # '*xx' means "same as language xx"; the data has a self-reference (WS/zh).
            name = names.get(lang, names["aa"])
            for _ in range(5):
                if not name.startswith("*"):
                    return name
                name = names.get(name[1:], names["aa"])
            return names["aa"]

        table[code] = {lang: resolve("aa" if lang == "en" else lang) for lang in LANGS}
    return table


def country_names(code: str) -> dict[str, str]:
    """Names of an ISO 3166 alpha-2 country in English, French and Chinese.

    Examples
    --------
    >>> country_names("FR")["zh"]
    '法国'
    """
    return _country_table()[code.upper()]


# ISO 3166 alpha-2 codes (those phonenumbers has names for); written out so that importing
# crmkit does not load phonenumbers' name tables, which country_names() reads on demand.
COUNTRY_CODES: frozenset[str] = frozenset(
    (
        "AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI "
        "BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO "
        "CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO "
        "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT "
        "HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY "
        "KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP "
        "MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
        "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH "
        "SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
        "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
    ).split()
)
