"""Countries: ISO 3166 alpha-2 codes from codes and names in English, French and Chinese."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from crmkit._normalize._text import clean_text
from crmkit.schemas import LANGS
from crmkit.schemas._vocab import COUNTRY_CODES, country_names, fold

__all__ = ["normalize_country"]


# ISO 3166-1 alpha-2 -> alpha-3, complete, plus XK (Kosovo) and AN (former Netherlands Antilles).
_ALPHA3 = dict(
    re.findall(
        r"([A-Z]{2}):([A-Z]{3})",
        """AF:AFG AX:ALA AL:ALB DZ:DZA AS:ASM AD:AND AO:AGO AI:AIA AQ:ATA AG:ATG AR:ARG AM:ARM
        AW:ABW AU:AUS AT:AUT AZ:AZE BS:BHS BH:BHR BD:BGD BB:BRB BY:BLR BE:BEL BZ:BLZ BJ:BEN BM:BMU
        BT:BTN BO:BOL BQ:BES BA:BIH BW:BWA BV:BVT BR:BRA IO:IOT BN:BRN BG:BGR BF:BFA BI:BDI CV:CPV
        KH:KHM CM:CMR CA:CAN KY:CYM CF:CAF TD:TCD CL:CHL CN:CHN CX:CXR CC:CCK CO:COL KM:COM CG:COG
        CD:COD CK:COK CR:CRI CI:CIV HR:HRV CU:CUB CW:CUW CY:CYP CZ:CZE DK:DNK DJ:DJI DM:DMA DO:DOM
        EC:ECU EG:EGY SV:SLV GQ:GNQ ER:ERI EE:EST SZ:SWZ ET:ETH FK:FLK FO:FRO FJ:FJI FI:FIN FR:FRA
        GF:GUF PF:PYF TF:ATF GA:GAB GM:GMB GE:GEO DE:DEU GH:GHA GI:GIB GR:GRC GL:GRL GD:GRD GP:GLP
        GU:GUM GT:GTM GG:GGY GN:GIN GW:GNB GY:GUY HT:HTI HM:HMD VA:VAT HN:HND HK:HKG HU:HUN IS:ISL
        IN:IND ID:IDN IR:IRN IQ:IRQ IE:IRL IM:IMN IL:ISR IT:ITA JM:JAM JP:JPN JE:JEY JO:JOR KZ:KAZ
        KE:KEN KI:KIR KP:PRK KR:KOR KW:KWT KG:KGZ LA:LAO LV:LVA LB:LBN LS:LSO LR:LBR LY:LBY LI:LIE
        LT:LTU LU:LUX MO:MAC MG:MDG MW:MWI MY:MYS MV:MDV ML:MLI MT:MLT MH:MHL MQ:MTQ MR:MRT MU:MUS
        YT:MYT MX:MEX FM:FSM MD:MDA MC:MCO MN:MNG ME:MNE MS:MSR MA:MAR MZ:MOZ MM:MMR NA:NAM NR:NRU
        NP:NPL NL:NLD NC:NCL NZ:NZL NI:NIC NE:NER NG:NGA NU:NIU NF:NFK MK:MKD MP:MNP NO:NOR OM:OMN
        PK:PAK PW:PLW PS:PSE PA:PAN PG:PNG PY:PRY PE:PER PH:PHL PN:PCN PL:POL PT:PRT PR:PRI QA:QAT
        RE:REU RO:ROU RU:RUS RW:RWA BL:BLM SH:SHN KN:KNA LC:LCA MF:MAF PM:SPM VC:VCT WS:WSM SM:SMR
        ST:STP SA:SAU SN:SEN RS:SRB SC:SYC SL:SLE SG:SGP SX:SXM SK:SVK SI:SVN SB:SLB SO:SOM ZA:ZAF
        GS:SGS SS:SSD ES:ESP LK:LKA SD:SDN SR:SUR SJ:SJM SE:SWE CH:CHE SY:SYR TW:TWN TJ:TJK TZ:TZA
        TH:THA TL:TLS TG:TGO TK:TKL TO:TON TT:TTO TN:TUN TR:TUR TM:TKM TC:TCA TV:TUV UG:UGA UA:UKR
        AE:ARE GB:GBR US:USA UM:UMI UY:URY UZ:UZB VU:VUT VE:VEN VN:VNM VG:VGB VI:VIR WF:WLF EH:ESH
        YE:YEM ZM:ZMB ZW:ZWE XK:XKX AN:ANT""",
    )
)

# Names people write that are not phonenumbers' en/fr/zh names.
# fmt: off
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "Grande-Bretagne", "Angleterre", "Ecosse", "Royaume Uni",
           "大不列颠", "英格兰", "联合王国"),
    "US": ("USA", "U.S.A.", "U.S.", "United States of America", "America", "Amérique",
           "États-Unis d'Amérique", "美利坚合众国", "美國"),
    "CN": ("PRC", "P.R.C.", "P.R. China", "People's Republic of China", "Mainland China",
           "China Mainland", "Chine continentale", "中国大陆", "大陆", "中华人民共和国", "中國"),
    "DE": ("Deutschland", "德國"),
    "HK": ("Hong Kong SAR", "Hongkong", "中国香港", "香港特别行政区", "香港特區"),
    "TW": ("台湾", "臺灣", "中国台湾", "Taïwan", "Taiwan, Province of China"),
    "MO": ("Macau", "澳门", "中国澳门", "澳門"),
    "KR": ("Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)", "Corée",
           "Corée du Sud", "南韩", "大韩民国", "韓國"),
    "KP": ("Korea, Democratic People's Republic of", "Korea (North)", "北韩"),
    "CH": ("Schweiz", "Svizzera", "Suisse", "瑞士联邦"),
    "BE": ("België", "Belgie", "Belgien"),
    "NL": ("Holland", "The Netherlands", "Nederland", "Hollande"),
    "ES": ("España", "Espana"),
    "IT": ("Italia",),
    "AT": ("Österreich", "Osterreich"),
    "JP": ("Nippon", "日本国"),
    "RU": ("Russian Federation", "Fédération de Russie", "俄罗斯联邦"),
    "VN": ("Viet Nam",),
    "CZ": ("Czechia", "Tchéquie", "捷克"),
    "CI": ("Ivory Coast", "Cote d'Ivoire", "科特迪瓦"),
    "MK": ("North Macedonia", "Macédoine du Nord", "北马其顿"),
    "SZ": ("Eswatini",),
    "AE": ("UAE", "U.A.E.", "EAU", "Émirats", "阿联酋"),
    "TR": ("Türkiye", "Turkiye", "Turquie"),
    "BR": ("Brasil",),
    "MX": ("México",),
    "MM": ("Burma", "Birmanie"),
    "CV": ("Cabo Verde",),
    "VA": ("Vatican", "Holy See", "Saint-Siège"),
    "IR": ("Iran, Islamic Republic of", "Persia"),
    "SY": ("Syrian Arab Republic",),
    "LA": ("Lao PDR", "Lao People's Democratic Republic"),
    "BA": ("Bosnia", "Bosnie", "波黑", "波斯尼亚和黑塞哥维那"),
    "CD": ("DRC", "RDC", "DR Congo", "Congo-Kinshasa", "République démocratique du Congo"),
    "CG": ("Congo-Brazzaville", "Republic of the Congo"),
    "SG": ("Singapour", "新加坡共和国"),
    "IE": ("Éire", "Eire", "Republic of Ireland"),
    "NZ": ("Aotearoa",),
    "SA": ("KSA", "Saudi", "Arabie"),
    "PS": ("Palestine", "Palestinian Territories"),
}
# fmt: on


def _country_key(text: str) -> str:
    # fold() drops accents and case; \W also drops spaces, dots, hyphens, apostrophes.
    return re.sub(r"[\W_]+", "", fold(text))


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            index.setdefault(_country_key(alias), code)
    for code in sorted(COUNTRY_CODES):
        index.setdefault(code.casefold(), code)
    for code in sorted(COUNTRY_CODES):
        if code in _ALPHA3:
            index.setdefault(_ALPHA3[code].casefold(), code)
    for lang in LANGS:
        for code in sorted(COUNTRY_CODES):
            index.setdefault(_country_key(country_names(code)[lang]), code)
    return index


def normalize_country(value: Any) -> str | None:
    """The ISO 3166 alpha-2 code of a country code or name (English, French, Chinese).

    Accepts alpha-2 and alpha-3 codes and names in any case, with or without accents,
    spaces or punctuation, plus common aliases (UK, USA, PRC, Holland, 中国大陆 ...).
    Returns ``None`` for an empty cell and for an unknown name (the caller keeps the raw
    value and warns). ``"NA"`` is read as a missing value, not as Namibia.

    Examples
    --------
    >>> [normalize_country(v) for v in ["fra", "États-Unis", "中国大陆", "England", "Atlantis"]]
    ['FR', 'US', 'CN', 'GB', None]
    """
    text = clean_text(value)
    return None if text is None else _country_index().get(_country_key(text))
