"""The field catalog: the single description of every standard field.

The DuckDB DDL, the pandera models, header mapping, exports and entry forms are all derived
from the :class:`Field` objects below; nothing else lists fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from crmkit._exceptions import UnknownValueError
from crmkit._util._langs import LANGS, Labels, pick_label

if TYPE_CHECKING:
    from crmkit.schemas._vocab import Vocabulary

__all__ = [
    "ACCOUNTS",
    "BIGINT_MAX",
    "BIGINT_MIN",
    "CATALOG",
    "CONTACTS",
    "PERSONAL_BY_DEFAULT",
    "Field",
    "FieldKind",
    "Table",
    "TableName",
    "database_catalog",
    "table",
    "using_catalog",
]

FieldKind = Literal[
    "id", "text", "int", "float", "bool", "date", "timestamp", "list", "json", "bytes", "ref"
]
TableName = Literal["accounts", "contacts"]

#: The whole numbers a BIGINT column (kinds ``int``, ``ref``, ``id``) holds.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

_SQL_TYPES: dict[str, str] = {
    "id": "BIGINT",
    "text": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "list": "VARCHAR[]",
    "json": "JSON",
    "bytes": "BLOB",
    "ref": "BIGINT",
}


@dataclass(frozen=True)
class Field:
    """One standard field of ``accounts`` or ``contacts``.

    Attributes
    ----------
    name
        Column name in DuckDB and in DataFrames.
    kind
        Logical type; :attr:`sql_type` derives the DuckDB type from it.
    en, fr, zh
        Labels shown in forms and used as export headers, one per language of
        :data:`~crmkit.schemas.LANGS` (:attr:`labels`).
    max_length
        Longest text accepted, in characters.
    required
        Required by default (a database may require more fields).
    vocabulary
        Name of the controlled vocabulary (``sector``, ``account_type`` ...).
    strict
        With a vocabulary: an unknown value is an error (True) or a warning (False).
    format
        A value format checked by the schemas: ``email``, ``phone``, ``url``, ``country``,
        ``currency``.
    min_value
        Smallest number accepted.
    ref
        For ``ref`` fields, the table pointed to (``accounts``, ``contacts``, ``owners``).
    synonyms
        Other header names meaning this field (other CRMs' exports, common spellings).
    editable
        False for fields crmkit manages itself (ids, timestamps, merge links).
    group
        Section of the entry form.
    default
        Value used when a record is created without it.
    choices
        A custom ``choice`` field's own vocabulary (its :attr:`vocabulary` is its name).
    custom
        A field a database added (``crm.settings.add_field``), not a standard one.
    personal
        Personal data: erased by ``crm.contacts.erase`` (see :data:`PERSONAL_BY_DEFAULT`
        for the standard fields; a database changes it with
        ``crm.settings.set_personal``, a custom field has its own flag).
    """

    name: str
    kind: FieldKind
    en: str
    fr: str
    zh: str
    max_length: int | None = None
    required: bool = False
    vocabulary: str | None = None
    strict: bool = True
    format: str | None = None
    min_value: float | None = None
    ref: str | None = None
    synonyms: tuple[str, ...] = ()
    editable: bool = True
    group: str = "other"
    default: object = None
    choices: Vocabulary | None = None
    custom: bool = False
    personal: bool = False

    @property
    def sql_type(self) -> str:
        """The DuckDB column type."""
        return _SQL_TYPES[self.kind]

    @property
    def labels(self) -> Labels:
        """The labels in every language, in the order of :data:`~crmkit.schemas.LANGS`."""
        return tuple(getattr(self, lang) for lang in LANGS)

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (one of :data:`~crmkit.schemas.LANGS`; English otherwise)."""
        return pick_label(self.labels, lang)

    @property
    def header_names(self) -> tuple[str, ...]:
        """Every header that names this field: name, labels and synonyms."""
        return (self.name, *self.labels, *self.synonyms)


def _f(name: str, kind: FieldKind, en: str, fr: str, zh: str, **kw: object) -> Field:
    return Field(name, kind, en, fr, zh, **kw)  # type: ignore[arg-type]


# The field tables below are data; their layout is kept by hand for reading.
# fmt: off
def _address(prefix: str, group: str, en: str, fr: str, zh: str) -> list[Field]:
    """Street, city, postal code, region and country, with a prefix (billing_ or none)."""
    p = prefix
    return [
        _f(f"{p}street", "text", f"{en}Street", f"{fr}Adresse", f"{zh}街道地址", max_length=250,
           group=group, synonyms=("address", "street address", "adresse", "rue", "address 1",
                                  "address line 1", "地址", "street 1", "voie",
                                  f"{en}address", f"{en}street 1", f"{en}address street",
                                  "mailing street", "business street", "adresse ligne 1",
                                  "街道", "详细地址")),
        _f(f"{p}city", "text", f"{en}City", f"{fr}Ville", f"{zh}城市", max_length=100,
           group=group, synonyms=("city", "ville", "town", "commune", "localite", "城市", "市",
                                  f"{en}town", f"{en}address city", "mailing city",
                                  "business city")),
        _f(f"{p}postal_code", "text", f"{en}Postal code", f"{fr}Code postal", f"{zh}邮政编码",
           max_length=20, group=group,
           synonyms=("zip", "zip code", "postcode", "postal code", "code postal", "cp", "邮编",
                     f"{en}zip", f"{en}zip code", f"{en}postcode", f"{en}postal code",
                     f"{en}address postal code", f"{en}zip/postal code", "zip/postal code",
                     "mailing zip", "mailing zip/postal code", "mailing postal code",
                     "business postal code", "邮政编码")),
        _f(f"{p}region", "text", f"{en}Region", f"{fr}Région", f"{zh}省份", max_length=100,
           group=group, synonyms=("state", "province", "region", "departement", "etat", "省",
                                  "state/province", f"{en}state", f"{en}state/province",
                                  f"{en}address region", f"{en}province", "state/region",
                                  "mailing state", "mailing state/province", "business state",
                                  "省/直辖市", "省份")),
        _f(f"{p}country", "text", f"{en}Country", f"{fr}Pays", f"{zh}国家", max_length=60,
           format="country", group=group,
           synonyms=("country", "pays", "国家", "country/region", "country code", "国家/地区",
                     f"{en}country/region", f"{en}address country", f"{en}country code",
                     "mailing country", "business country/region", "business country")),
    ]


# Fields both tables share, in the order they appear at the end of each table.
def _system_fields() -> list[Field]:
    return [
        _f("tags", "list", "Tags", "Étiquettes", "标签", group="other",
           synonyms=("labels", "categories", "mots-cles", "mots cles", "分类", "tag",
                     "etiquette", "group membership")),
        _f("custom", "json", "Custom fields", "Champs personnalisés", "自定义字段",
           group="other", editable=True),
        _f("created_at", "timestamp", "Created at", "Créé le", "创建时间", editable=False,
           group="system", synonyms=("created time", "date de creation", "created date",
                                     "create date", "创建日期")),
        _f("created_by", "text", "Created by", "Créé par", "创建人", editable=False,
           group="system"),
        _f("updated_at", "timestamp", "Updated at", "Modifié le", "修改时间", editable=False,
           group="system", synonyms=("modified time", "last modified date",
                                     "date de modification", "修改日期")),
        _f("updated_by", "text", "Updated by", "Modifié par", "修改人", editable=False,
           group="system"),
        _f("deleted_at", "timestamp", "Deleted at", "Supprimé le", "删除时间", editable=False,
           group="system"),
        _f("merged_into", "ref", "Merged into", "Fusionné dans", "合并到", editable=False,
           group="system"),
    ]


_ACCOUNT_FIELDS: list[Field] = [
    _f("id", "id", "Id", "Identifiant", "编号", editable=False, group="system"),
    _f("name", "text", "Account name", "Société", "客户名称", max_length=160, required=True,
       group="identity",
       synonyms=("company", "company name", "account", "organisation", "organization",
                 "raison sociale", "entreprise", "nom de la societe", "nom societe", "societe",
                 "compte", "nom du compte", "公司", "公司名称", "企业名称", "客户", "单位名称",
                 "organization name", "account name", "name", "nom", "nom du client",
                 "nom client", "customer name", "名称", "公司全称", "客户全称")),
    _f("website", "text", "Website", "Site web", "网站", max_length=250, format="url",
       group="contact", synonyms=("web site", "url", "site", "site internet", "web", "domain",
                                  "company domain name", "网址", "主页", "homepage",
                                  "website url", "company website")),
    _f("phone", "text", "Phone", "Téléphone", "电话", max_length=40, format="phone",
       group="contact", synonyms=("telephone", "tel", "tél", "phone number", "standard",
                                  "company phone", "main phone", "电话号码", "座机",
                                  "business phone", "account phone")),
    _f("fax", "text", "Fax", "Fax", "传真", max_length=40, format="phone", group="contact",
       synonyms=("fax number", "telecopie", "account fax")),
    _f("email", "text", "Email", "E-mail", "电子邮件", max_length=254, format="email",
       group="contact", synonyms=("e-mail", "mail", "courriel", "email address", "邮箱",
                                  "电子邮箱", "adresse e-mail")),
    _f("sector", "text", "Sector", "Secteur", "行业", max_length=100, vocabulary="sector",
       strict=False, group="company",
       synonyms=("industry", "secteur d'activite", "activite", "branche", "所属行业",
                 "行业类型", "industrie", "industry type")),
    _f("annual_revenue", "float", "Annual revenue", "Chiffre d'affaires", "年收入",
       min_value=0, group="company",
       synonyms=("revenue", "ca", "ca annuel", "turnover", "chiffre d'affaire", "annual income",
                 "营业额", "年营业额", "营收", "收入", "annual revenue (usd)",
                 "chiffre d'affaires annuel", "ca ht", "tranche de ca", "revenue range",
                 "年销售额", "销售额", "营业收入")),
    _f("currency", "text", "Currency", "Devise", "币种", max_length=10, format="currency",
       group="company", synonyms=("currency code", "monnaie", "货币", "account currency")),
    _f("employees", "int", "Employees", "Effectif", "员工数", min_value=0, group="company",
       synonyms=("employee count", "number of employees", "headcount", "staff", "effectifs",
                 "nombre de salaries", "nombre d'employes", "salaries", "员工人数", "人数",
                 "员工", "no. of employees", "employees count", "tranche d'effectif",
                 "tranche effectif", "employee range", "company size", "员工规模",
                 "人员规模")),
    _f("account_type", "text", "Account type", "Type de compte", "客户类型", max_length=40,
       vocabulary="account_type", group="company",
       synonyms=("type", "type de client", "relation", "relationship", "类型", "type of account")),
    _f("ownership", "text", "Ownership", "Actionnariat", "所有制", max_length=40,
       vocabulary="ownership", group="company",
       synonyms=("forme", "capital", "ownership type", "企业性质")),
    _f("parent_id", "ref", "Parent account", "Maison mère", "母公司", ref="accounts",
       group="company", synonyms=("parent", "parent account", "societe mere", "groupe",
                                  "上级公司", "parent company", "parent account name",
                                  "上级客户")),
    _f("owner_id", "ref", "Owner", "Affecté à", "客户所有者", ref="owners", group="company",
       synonyms=("account owner", "owner", "assigned to", "sales rep", "commercial",
                 "responsable", "proprietaire", "affecte a", "负责人", "所有者", "销售代表",
                 "owner name", "record owner", "company owner", "assigned user",
                 "account manager", "charge de compte", "responsable commercial",
                 "销售负责人", "跟进人")),
    _f("account_number", "text", "Account number", "Numéro de compte", "客户编号",
       max_length=40, group="identity",
       synonyms=("account no", "account #", "n° de compte", "code client", "numero client",
                 "客户代码", "customer number")),
    _f("ticker", "text", "Ticker symbol", "Code boursier", "股票代码", max_length=12,
       group="identity", synonyms=("ticker", "stock symbol", "symbole")),
    _f("sic_code", "text", "SIC code", "Code SIC", "SIC代码", max_length=10, group="identity",
       synonyms=("sic",)),
    _f("naf_code", "text", "NAF code", "Code NAF", "NAF代码", max_length=10, group="identity",
       synonyms=("naf", "code ape", "ape", "naf/ape", "code naf/ape")),
    _f("siren", "text", "SIREN", "SIREN", "SIREN", max_length=14, group="identity",
       synonyms=("siret", "n° siren", "numero siren", "registration number",
                 "company registration number", "统一社会信用代码", "注册号")),
    *_address("billing_", "address", "Billing ", "", "账单"),
    _f("origin", "text", "Origin", "Origine commerciale", "来源", max_length=100,
       group="company", synonyms=("lead source", "source", "origine", "account source",
                                  "线索来源", "客户来源", "provenance")),
    _f("entity", "text", "Entity", "Entité", "业务单元", max_length=100, group="company",
       synonyms=("business unit", "bu", "division", "filiale de rattachement", "所属单位",
                 "agence")),
    _f("is_client", "bool", "Client", "Client", "已成交客户", group="flags", default=False,
       synonyms=("is client", "est client", "customer", "是否客户")),
    _f("archived", "bool", "Archived", "Archivé", "已归档", group="flags", default=False,
       synonyms=("archive", "archive client", "client archive", "归档")),
    _f("revenue_range_min", "float", "Revenue range from", "CA de", "收入下限", min_value=0,
       group="company", editable=True),
    _f("revenue_range_max", "float", "Revenue range to", "CA à", "收入上限", min_value=0,
       group="company", editable=True),
    _f("employees_range_min", "int", "Headcount range from", "Effectif de", "人数下限",
       min_value=0, group="company"),
    _f("employees_range_max", "int", "Headcount range to", "Effectif à", "人数上限",
       min_value=0, group="company"),
    _f("description", "text", "Description", "Description", "描述", max_length=32000,
       group="other", synonyms=("notes", "commentaire", "commentaires", "remarks", "备注",
                                "about")),
    *_system_fields(),
]

_CONTACT_FIELDS: list[Field] = [
    _f("id", "id", "Id", "Identifiant", "编号", editable=False, group="system"),
    _f("salutation", "text", "Salutation", "Civilité", "称谓", max_length=20,
       vocabulary="salutation", strict=False, group="identity",
       synonyms=("title (salutation)", "civilite", "prefix", "name prefix", "称呼", "courtesy",
                 "civ", "titre de civilite")),
    _f("gender", "text", "Gender", "Genre", "性别", max_length=1, vocabulary="gender",
       group="identity", synonyms=("sex", "sexe")),
    _f("first_name", "text", "First name", "Prénom", "名", max_length=100, group="identity",
       synonyms=("firstname", "given name", "prenom", "forename", "名字", "first")),
    _f("last_name", "text", "Last name", "Nom", "姓", max_length=100, required=True,
       group="identity",
       synonyms=("lastname", "surname", "family name", "nom de famille", "姓氏", "last",
                 "name", "nom complet", "full name", "姓名")),
    _f("account_id", "ref", "Account", "Société", "公司", ref="accounts", group="company",
       synonyms=("company", "account name", "company name", "organisation", "organization",
                 "organization 1 - name", "entreprise", "societe", "compte", "raison sociale",
                 "公司名称", "客户名称", "单位", "account", "associated company",
                 "organization name", "organisation name", "nom de la societe", "nom societe",
                 "nom du compte", "employer", "employeur", "客户", "单位名称")),
    _f("job_title", "text", "Job title", "Fonction", "职位", max_length=128, group="company",
       synonyms=("title", "position", "poste", "role", "intitule de poste", "职务", "头衔",
                 "organization 1 - title", "job", "organization title", "titre",
                 "intitule du poste", "岗位")),
    _f("department", "text", "Department", "Service", "部门", max_length=100, group="company",
       synonyms=("departement", "dept", "direction", "organization 1 - department",
                 "organization department")),
    _f("reports_to_id", "ref", "Reports to", "Supérieur", "直属上级", ref="contacts",
       group="company", synonyms=("reports to", "manager", "superieur hierarchique",
                                  "manager's name", "上级")),
    _f("email", "text", "Email", "E-mail", "电子邮件", max_length=254, format="email",
       group="contact",
       synonyms=("e-mail", "mail", "courriel", "email address", "e-mail address",
                 "e-mail 1 - value", "adresse e-mail", "adresse email", "邮箱", "电子邮箱",
                 "primary email", "work email", "email 1", "adresse mail",
                 "email professionnel", "e-mail professionnel", "邮件", "电邮", "邮箱地址")),
    _f("secondary_email", "text", "Secondary email", "E-mail secondaire", "备用邮箱",
       max_length=254, format="email", group="contact",
       synonyms=("e-mail 2", "email 2", "e-mail 2 address", "e-mail 2 - value",
                 "autre e-mail", "other email", "personal email", "second email", "邮箱2",
                 "email perso", "e-mail personnel", "adresse e-mail 2")),
    _f("phone", "text", "Phone", "Téléphone", "电话", max_length=40, format="phone",
       group="contact",
       synonyms=("telephone", "tel", "tél", "business phone", "work phone", "office phone",
                 "phone 1 - value", "telephone professionnel", "tel. bureau", "tel bureau",
                 "办公电话", "电话号码", "座机", "phone number", "direct line", "ligne directe",
                 "telephone fixe", "tel fixe", "工作电话", "联系电话")),
    _f("mobile", "text", "Mobile", "Portable", "手机", max_length=40, format="phone",
       group="contact",
       synonyms=("mobile phone", "cell", "cell phone", "cellphone", "gsm", "tel. portable",
                 "telephone portable", "tel portable", "mobile number", "手机号", "手机号码",
                 "移动电话", "phone 2 - value", "mobile phone number", "tel mobile",
                 "telephone mobile")),
    _f("home_phone", "text", "Home phone", "Téléphone domicile", "家庭电话", max_length=40,
       format="phone", group="contact",
       synonyms=("home", "tel. domicile", "domicile", "住宅电话", "private phone",
                 "personal phone", "tel perso")),
    _f("fax", "text", "Fax", "Fax", "传真", max_length=40, format="phone", group="contact",
       synonyms=("business fax", "fax number", "telecopie", "传真号码", "work fax")),
    *_address("", "address", "", "", ""),
    _f("website", "text", "Website", "Site web", "网站", max_length=250, format="url",
       group="social", synonyms=("web page", "web site", "url", "site internet",
                                 "website 1 - value", "个人主页", "homepage",
                                 "website url", "网址")),
    _f("linkedin", "text", "LinkedIn", "LinkedIn", "领英", max_length=250, format="url",
       group="social", synonyms=("linkedin url", "linkedin profile", "profil linkedin")),
    _f("twitter", "text", "Twitter / X", "Twitter / X", "推特", max_length=100,
       group="social", synonyms=("twitter", "x", "twitter handle", "twitter username")),
    _f("birthday", "date", "Birthday", "Date de naissance", "生日", group="identity",
       synonyms=("birth date", "date of birth", "dob", "anniversaire", "出生日期", "birthdate")),
    _f("owner_id", "ref", "Owner", "Affecté à", "负责人", ref="owners", group="company",
       synonyms=("contact owner", "owner", "assigned to", "sales rep", "commercial",
                 "responsable", "affecte a", "proprietaire", "所有者", "客户所有者",
                 "销售代表", "record owner", "owner name", "assigned user",
                 "account manager", "charge de compte", "客户经理", "跟进人")),
    _f("active", "bool", "Active", "Actif", "在职", group="flags", default=True,
       synonyms=("is active", "actif", "status", "statut", "状态")),
    _f("is_dpo", "bool", "DPO", "DPO", "数据保护官", group="flags", default=False,
       synonyms=("dpo", "data protection officer", "delegue a la protection des donnees")),
    _f("is_ciso", "bool", "CISO", "RSSI", "首席信息安全官", group="flags", default=False,
       synonyms=("ciso", "rssi", "security officer")),
    _f("email_opt_out", "bool", "Email opt-out", "Refus e-mail", "拒收邮件", group="flags",
       default=False, synonyms=("email opt out", "unsubscribed", "desabonne", "opt-out",
                                "opt out", "has opted out of email", "no email")),
    _f("do_not_call", "bool", "Do not call", "Ne pas appeler", "勿电联", group="flags",
       default=False, synonyms=("do not call", "dnc", "no call", "pas d'appel")),
    _f("origin", "text", "Origin", "Origine commerciale", "来源", max_length=100,
       group="company", synonyms=("lead source", "source", "origine", "contact source",
                                  "线索来源", "provenance", "original source",
                                  "origine du contact", "source du lead")),
    _f("skills", "list", "Skills", "Compétences", "技能", group="other",
       synonyms=("competences", "expertise", "specialites", "专长")),
    _f("notes", "text", "Notes", "Notes", "备注", max_length=32000, group="other",
       synonyms=("note", "commentaire", "commentaires", "description", "remarks", "comments",
                 "observations", "说明")),
    _f("photo", "bytes", "Photo", "Photo", "照片", group="other",
       synonyms=("picture", "image", "avatar")),
    _f("uid", "text", "External id", "Identifiant externe", "外部编号", max_length=200,
       group="system", synonyms=("external id", "uid", "vcard uid", "record id",
                                 "contact id", "id externe", "guid")),
    *_system_fields(),
    # Added by migration 5 (ALTER TABLE ... ADD COLUMN puts them last in existing files;
    # they come last here too, so every file has one column order).
    _f("lifecycle_stage", "text", "Lifecycle stage", "Étape", "阶段", max_length=20,
       vocabulary="lifecycle_stage", group="company",
       synonyms=("lifecycle", "stage", "lead status", "contact stage", "etape du cycle de vie",
                 "cycle de vie", "statut du lead", "statut commercial", "statut du contact",
                 "生命周期阶段", "客户阶段", "线索状态")),
    _f("company_name", "text", "Lead company", "Société du lead", "线索公司", max_length=160,
       group="company", synonyms=("lead company", "company (as typed)", "societe saisie",
                                  "societe du prospect")),
]


# fmt: on


@dataclass(frozen=True)
class Table:
    """The fields of one table, with lookups by name."""

    name: TableName
    fields: tuple[Field, ...]

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self.fields)

    def __getitem__(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise UnknownValueError(f"{self.name} field", name, self.names)

    @property
    def names(self) -> list[str]:
        """Every column name, in table order."""
        return [f.name for f in self.fields]

    @property
    def editable(self) -> list[Field]:
        """The fields a user may set."""
        return [f for f in self.fields if f.editable]

    @property
    def default_required(self) -> list[str]:
        """Fields required unless the database says otherwise."""
        return [f.name for f in self.fields if f.required]

    def by_kind(self, *kinds: FieldKind) -> list[Field]:
        """The fields whose kind is one of ``kinds``."""
        return [f for f in self.fields if f.kind in kinds]

    def labels(self, lang: str = "en") -> dict[str, str]:
        """Field name to label in ``lang``."""
        return {f.name: f.label(lang) for f in self.fields}

    def with_fields(self, extra: tuple[Field, ...]) -> Table:
        """This table with ``extra`` fields added before its system fields."""
        if not extra:
            return self
        cut = self.names.index("tags")
        return replace(self, fields=(*self.fields[:cut], *extra, *self.fields[cut:]))

    @property
    def personal(self) -> list[str]:
        """The fields holding personal data, in table order (a database's choice inside
        an operation on it)."""
        return [f.name for f in self.fields if f.personal]

    @property
    def custom(self) -> list[Field]:
        """The fields the database added (``crm.settings.add_field``)."""
        return [f for f in self.fields if f.custom]

    def ddl(self) -> str:
        """``CREATE TABLE`` statement for this table (identifiers come from the catalog)."""
        cols = []
        for f in self.fields:
            col = f"{f.name} {f.sql_type}"
            if f.kind == "id":
                col += f" PRIMARY KEY DEFAULT nextval('{self.name}_id_seq')"
            elif f.default is not None:
                col += f" DEFAULT {str(f.default).upper()}"
            cols.append(col)
        body = ",\n    ".join(cols)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n    {body}\n)"


#: The standard fields that are personal data unless a database says otherwise: what
#: names, reaches or describes a person. A contact's job title, department, company,
#: owner, flags, tags, origin and external id are business data; no account field is
#: personal (a company is not a person).
PERSONAL_BY_DEFAULT: Mapping[str, frozenset[str]] = {
    "accounts": frozenset(),
    "contacts": frozenset(
        {
            "salutation", "gender", "first_name", "last_name", "email", "secondary_email",
            "phone", "mobile", "home_phone", "fax", "street", "city", "postal_code",
            "region", "country", "website", "linkedin", "twitter", "birthday", "skills",
            "notes", "photo", "custom",
        }
    ),
}  # fmt: skip


def _personal(name: str, fields: list[Field]) -> tuple[Field, ...]:
    return tuple(
        replace(f, personal=True) if f.name in PERSONAL_BY_DEFAULT[name] else f for f in fields
    )


ACCOUNTS = Table("accounts", _personal("accounts", _ACCOUNT_FIELDS))
CONTACTS = Table("contacts", _personal("contacts", _CONTACT_FIELDS))
CATALOG: Mapping[str, Table] = {"accounts": ACCOUNTS, "contacts": CONTACTS}


# The catalog of the database the running operation works on: the standard fields and
# the database's custom fields. Set by every verb of the facade (``per_operation``), so
# everything that asks :func:`table` for a database's fields sees its custom fields too.
_DATABASE_CATALOG: ContextVar[Mapping[str, Table] | None] = ContextVar(
    "crmkit_database_catalog", default=None
)


def database_catalog() -> Mapping[str, Table]:
    """The catalog of the database being worked on (the standard :data:`CATALOG` outside)."""
    return _DATABASE_CATALOG.get() or CATALOG


@contextmanager
def using_catalog(catalog: Mapping[str, Table]) -> Iterator[None]:
    """Make :func:`table` answer with ``catalog`` (a database's) while the block runs.

    Examples
    --------
    >>> extra = Field("fav_colour", "text", "Colour", "Couleur", "颜色", custom=True)
    >>> with using_catalog({**CATALOG, "contacts": CONTACTS.with_fields((extra,))}):
    ...     table("contacts")["fav_colour"].fr
    'Couleur'
    >>> "fav_colour" in table("contacts")
    False
    """
    before = _DATABASE_CATALOG.get()
    _DATABASE_CATALOG.set(catalog)
    try:
        yield
    finally:
        _DATABASE_CATALOG.set(before)


def table(kind: str) -> Table:
    """The :class:`Table` for ``"accounts"`` or ``"contacts"`` (singular accepted).

    Inside an operation on a database (a verb of a CRM), the table has the database's
    custom fields too (:func:`using_catalog`).

    Examples
    --------
    >>> table("contact")["last_name"].fr
    'Nom'
    """
    key = {"account": "accounts", "contact": "contacts"}.get(kind, kind)
    catalog = database_catalog()
    if key not in catalog:
        raise UnknownValueError("table", kind, list(catalog))
    return catalog[key]
