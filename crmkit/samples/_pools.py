"""Built-in locale data for the sample generator: names, companies, cities, titles, phones.

Everything the generator draws from lives here as small tuples, so samples need no download
and stay identical from one machine to the next. Three languages (French, English, Chinese)
and four countries (FR, GB, US, CN). Phone number ranges are chosen so that
``phonenumbers.is_valid_number`` accepts every number drawn from them (the tests check it).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACCOUNT_TAGS",
    "BRANDS",
    "BUSINESS_UNITS",
    "CITIES",
    "CITY_ABBREVIATIONS",
    "CONTACT_TAGS",
    "COUNTRIES",
    "COUNTRY_VARIANTS",
    "CURRENCIES",
    "EMAIL_PATTERNS",
    "EUR_RATES",
    "FIRST_NAMES",
    "GENERIC_MAILBOXES",
    "HOMOPHONES",
    "LANG_OF_COUNTRY",
    "LAST_NAMES",
    "LEGAL_FORMS",
    "NICKNAMES",
    "NOTES",
    "ORIGINS",
    "PERSONAL_MAIL_PROVIDERS",
    "PHONE_PLANS",
    "SECTOR_CODES",
    "SECTOR_QUALIFIERS",
    "SECTOR_WEIGHTS",
    "SKILLS",
    "STREETS",
    "TEAMS",
    "TITLES",
    "ZH_LEGAL_EN",
    "City",
    "JobTitle",
    "PhonePlan",
    "ZhIndustry",
]

# The tables below are data: keep them dense rather than one item per line.
# fmt: off

# Countries the generator knows, and the language each one writes in.
COUNTRIES: tuple[str, ...] = ("FR", "GB", "US", "CN")
LANG_OF_COUNTRY: dict[str, str] = {"FR": "fr", "GB": "en", "US": "en", "CN": "zh"}

# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------

FIRST_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "M": (
            "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "François",
            "Christophe", "Laurent", "Stéphane", "Sébastien", "Julien", "Thomas", "Antoine",
            "Benoît", "Jérôme", "Olivier", "Frédéric", "Éric", "Mathieu", "Guillaume", "Hugo",
            "Lucas", "Théo", "Louis", "Maxime", "Arnaud", "Cédric", "Jean-Baptiste",
            "Jean-Pierre", "Jean-Marc", "Pierre-Yves", "Rémi", "Loïc", "Gaël", "Yannick",
            "Hervé", "Didier", "Bruno", "Xavier", "Clément", "Romain", "Vincent", "Damien",
            "Baptiste", "Alexandre", "Dominique", "Joël", "Grégoire", "Aurélien",
        ),
        "F": (
            "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Hélène",
            "Valérie", "Sandrine", "Sophie", "Céline", "Aurélie", "Émilie", "Camille", "Julie",
            "Chloé", "Léa", "Manon", "Inès", "Bérénice", "Anne-Sophie", "Marie-Claire",
            "Élodie", "Mélanie", "Laetitia", "Agnès", "Brigitte", "Christine", "Véronique",
            "Juliette", "Margaux", "Océane", "Gaëlle", "Maëlle", "Noémie", "Anaïs", "Claire",
            "Delphine", "Stéphanie", "Virginie", "Geneviève", "Zoé", "Clémence", "Solène",
            "Frédérique", "Dominique", "Marion", "Audrey", "Pauline", "Mathilde",
        ),
    },
    "en": {
        "M": (
            "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph",
            "Thomas", "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark",
            "Steven", "Andrew", "Paul", "Joshua", "Kenneth", "Kevin", "Brian", "George",
            "Timothy", "Edward", "Jonathan", "Nicholas", "Benjamin", "Samuel", "Alexander",
            "Patrick", "Jack", "Oliver", "Harry", "Henry", "Peter", "Stephen", "Gregory",
            "Frank", "Raymond", "Ryan", "Jacob", "Ethan", "Noah", "Liam", "Connor", "Aidan",
            "Douglas", "Philip", "Simon",
        ),
        "F": (
            "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan",
            "Jessica", "Sarah", "Karen", "Nancy", "Margaret", "Katherine", "Emily", "Emma",
            "Olivia", "Sophie", "Charlotte", "Rebecca", "Laura", "Amanda", "Rachel",
            "Victoria", "Hannah", "Samantha", "Deborah", "Christine", "Catherine", "Abigail",
            "Madison", "Jacqueline", "Alexandra", "Megan", "Lucy", "Amelia", "Grace", "Chloe",
            "Zoe", "Natalie", "Eleanor", "Isabella", "Ava", "Mia", "Harper", "Evelyn",
            "Fiona", "Siobhan", "Niamh", "Gemma", "Joanne",
        ),
    },
    "zh": {
        "M": (
            "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉",
            "鹏", "华", "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭",
            "宁", "龙", "林", "建华", "建国", "志强", "志明", "俊杰", "子轩", "浩然",
            "宇航", "文博", "天佑", "博文", "家豪", "思远", "晓东", "海涛", "国强",
            "小龙", "明辉", "振华", "立新", "永刚",
        ),
        "F": (
            "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂英", "秀英",
            "秀兰", "婷", "雪", "慧", "莉", "倩", "颖", "琳", "晶", "欣怡", "梓涵", "诗涵",
            "雨欣", "子涵", "紫萱", "思琪", "佳怡", "婉婷", "晓燕", "丽娟", "海燕", "美玲",
            "淑珍", "玉兰", "春梅", "红梅", "雅琴", "静怡", "欣然", "梦瑶", "若曦", "一诺",
            "可馨", "晓红", "丹", "萍", "璐", "瑶",
        ),
    },
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "fr": (
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
        "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre",
        "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
        "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel",
        "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez",
        "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer",
        "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
        "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard",
        "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez",
        "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal",
        "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Leclercq", "Lacroix",
        "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis", "Charles",
        "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey", "Moulin", "Gonzalez",
        "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier", "Julien",
        "Benoît", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault",
        "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron",
        "Dupuy", "Pons", "Paul", "Laine", "Carré", "Breton", "Rémy", "Schneider", "Perrot",
        "Barré", "Marty", "Cousin", "Blou", "Delmas", "Bérenger", "Lefort", "Saint-Martin",
        "de La Fontaine", "Le Goff", "Kerouac", "Besnard", "Chauvin", "Texier", "Lebrun",
    ),
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
        "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Martin",
        "Thompson", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
        "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
        "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
        "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper",
        "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox",
        "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price",
        "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry",
        "Russell", "Sullivan", "Fisher", "Hamilton", "Graham", "Wallace", "Cole", "West",
        "Jordan", "Owens", "Reynolds", "Ellis", "Harrison", "Gibson", "McDonald",
        "Marshall", "O'Brien", "O'Connor", "MacLeod", "Fitzgerald", "Kennedy", "Murray",
        "Walsh", "Shaw", "Holmes", "Palmer", "Lloyd", "Davies", "Hall", "Chapman", "Knight",
        "Fletcher", "Hunt", "Webb", "Barnes", "Khan", "Singh", "Chen", "Kim", "Nguyen",
        "Lopez", "Rodriguez", "Hernandez", "Okafor", "Schmidt", "Rossi", "Cohen",
        "Goldberg", "Sato", "Hughes-Jones", "St. Clair", "Van der Berg", "Armstrong",
        "Burke", "Dunn", "Fox", "Grant", "Hart", "Lane", "Mason", "Newman", "Pearce",
    ),
    "zh": (
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
        "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",
        "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋",
        "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢",
        "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦",
        "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段",
        "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万",
        "钱", "严", "武", "戴", "莫", "孔", "向", "汤", "欧阳", "司马", "诸葛", "上官",
    ),
}

# Short forms people use for themselves: a duplicate may carry either.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "Elizabeth": ("Liz", "Beth", "Eliza"),
    "Katherine": ("Kate", "Kathy", "Katie"),
    "Catherine": ("Cathy", "Kate"),
    "Richard": ("Rick", "Dick", "Rich"),
    "Michael": ("Mike", "Mick"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Jack", "Johnny"),
    "Joseph": ("Joe", "Joey"),
    "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Steven": ("Steve",),
    "Stephen": ("Steve",),
    "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",),
    "Kenneth": ("Ken", "Kenny"),
    "Timothy": ("Tim",),
    "Edward": ("Ed", "Ted", "Eddie"),
    "Jonathan": ("Jon",),
    "Nicholas": ("Nick",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Alexander": ("Alex",),
    "Patrick": ("Pat",),
    "Peter": ("Pete",),
    "Gregory": ("Greg",),
    "Raymond": ("Ray",),
    "Douglas": ("Doug",),
    "Philip": ("Phil",),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Jennifer": ("Jen", "Jenny"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Susan": ("Sue", "Susie"),
    "Jessica": ("Jess",),
    "Deborah": ("Debbie", "Deb"),
    "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"),
    "Samantha": ("Sam",),
    "Abigail": ("Abby",),
    "Jacqueline": ("Jackie",),
    "Alexandra": ("Alex", "Sandra"),
    "Christine": ("Chris", "Chrissy"),
    "Amanda": ("Mandy",),
    "Barbara": ("Barb",),
    "Nicolas": ("Nico",),
    "Frédéric": ("Fred",),
    "Stéphane": ("Steph",),
    "Christophe": ("Chris",),
    "Sébastien": ("Seb",),
    "Maxime": ("Max",),
    "Alexandre": ("Alex",),
    "Dominique": ("Dom",),
    "Jean-Baptiste": ("JB",),
    "Jean-Pierre": ("JP",),
    "Isabelle": ("Isa",),
    "Valérie": ("Val",),
    "Anne-Sophie": ("Anne",),
    "Marie-Claire": ("Marie",),
}

# Same-sounding characters: the usual misspelling of a Chinese given name.
HOMOPHONES: dict[str, str] = {
    "伟": "玮", "娜": "纳", "丽": "莉", "静": "婧", "敏": "民", "磊": "蕾", "军": "君",
    "杰": "洁", "涛": "滔", "明": "铭", "华": "骅", "芳": "方", "燕": "艳", "婷": "亭",
    "琳": "林", "辉": "晖", "鹏": "朋", "飞": "非", "宇": "雨", "浩": "昊", "凯": "恺",
    "俊": "骏", "霞": "侠", "玲": "铃", "强": "蔷", "勇": "永", "斌": "彬", "颖": "莹",
    "晶": "菁", "慧": "惠", "欣": "心", "涵": "晗", "萱": "宣", "琪": "棋", "怡": "宜",
}


@dataclass(frozen=True)
class JobTitle:
    """A job title in one language, with its feminine form and its department."""

    masculine: str
    feminine: str
    department: str
    weight: float = 1.0
    is_dpo: bool = False
    is_ciso: bool = False


def _t(m: str, f: str | None, dept: str, w: float = 1.0, dpo: bool = False,
       ciso: bool = False) -> JobTitle:
    return JobTitle(m, f or m, dept, w, dpo, ciso)


TITLES: dict[str, tuple[JobTitle, ...]] = {
    "fr": (
        _t("Directeur général", "Directrice générale", "Direction générale", 1.5),
        _t("Président", "Présidente", "Direction générale", 0.6),
        _t("Gérant", "Gérante", "Direction générale", 0.8),
        _t("Directeur commercial", "Directrice commerciale", "Commercial", 2.0),
        _t("Ingénieur commercial", "Ingénieure commerciale", "Commercial", 2.0),
        _t("Responsable grands comptes", None, "Commercial", 1.0),
        _t("Chef de projet", None, "Informatique", 2.5),
        _t("DSI", None, "Informatique", 1.2),
        _t("Directeur des systèmes d'information", "Directrice des systèmes d'information",
           "Informatique", 0.6),
        _t("RSSI", None, "Informatique", 0.6, ciso=True),
        _t("DPO", None, "Juridique", 0.4, dpo=True),
        _t("Délégué à la protection des données", "Déléguée à la protection des données",
           "Juridique", 0.3, dpo=True),
        _t("Directeur administratif et financier", "Directrice administrative et financière",
           "Finance", 1.0),
        _t("DAF", None, "Finance", 0.8),
        _t("Comptable", None, "Finance", 1.2),
        _t("Contrôleur de gestion", "Contrôleuse de gestion", "Finance", 0.8),
        _t("Responsable des achats", None, "Achats", 1.0),
        _t("Acheteur", "Acheteuse", "Achats", 1.0),
        _t("DRH", None, "Ressources humaines", 0.8),
        _t("Chargé de recrutement", "Chargée de recrutement", "Ressources humaines", 0.8),
        _t("Directeur marketing", "Directrice marketing", "Marketing", 0.9),
        _t("Chargé de communication", "Chargée de communication", "Marketing", 1.0),
        _t("Développeur", "Développeuse", "Informatique", 1.5),
        _t("Architecte SI", None, "Informatique", 0.6),
        _t("Directeur des opérations", "Directrice des opérations", "Opérations", 0.7),
        _t("Assistant de direction", "Assistante de direction", "Direction générale", 1.0),
        _t("Juriste", None, "Juridique", 0.7),
        _t("Responsable logistique", None, "Logistique", 0.7),
        _t("Technicien support", "Technicienne support", "Informatique", 0.8),
    ),
    "en": (
        _t("Chief Executive Officer", None, "Executive", 0.8),
        _t("CEO", None, "Executive", 0.8),
        _t("Managing Director", None, "Executive", 0.8),
        _t("CTO", None, "IT", 0.7),
        _t("CFO", None, "Finance", 0.7),
        _t("Sales Manager", None, "Sales", 2.0),
        _t("Account Executive", None, "Sales", 2.0),
        _t("VP Sales", None, "Sales", 0.8),
        _t("Marketing Manager", None, "Marketing", 1.2),
        _t("Head of Procurement", None, "Procurement", 0.8),
        _t("Buyer", None, "Procurement", 0.9),
        _t("HR Director", None, "Human Resources", 0.7),
        _t("Talent Acquisition Specialist", None, "Human Resources", 0.7),
        _t("Software Engineer", None, "Engineering", 1.5),
        _t("Project Manager", None, "IT", 2.0),
        _t("IT Director", None, "IT", 1.0),
        _t("CISO", None, "IT", 0.4, ciso=True),
        _t("Chief Information Security Officer", None, "IT", 0.3, ciso=True),
        _t("Data Protection Officer", None, "Legal", 0.4, dpo=True),
        _t("General Counsel", None, "Legal", 0.5),
        _t("Operations Manager", None, "Operations", 1.0),
        _t("Office Manager", None, "Administration", 0.8),
        _t("Financial Controller", None, "Finance", 0.8),
        _t("Customer Success Manager", None, "Sales", 1.0),
        _t("Product Manager", None, "Product", 1.0),
        _t("Executive Assistant", None, "Executive", 0.8),
    ),
    "zh": (
        _t("总经理", None, "总经办", 1.5),
        _t("副总经理", None, "总经办", 1.0),
        _t("董事长", None, "总经办", 0.5),
        _t("销售经理", None, "销售部", 2.5),
        _t("销售总监", None, "销售部", 1.0),
        _t("客户经理", None, "销售部", 2.0),
        _t("技术总监", None, "技术部", 1.0),
        _t("首席技术官", None, "技术部", 0.4),
        _t("软件工程师", None, "技术部", 1.5),
        _t("项目经理", None, "技术部", 2.0),
        _t("产品经理", None, "产品部", 1.0),
        _t("财务总监", None, "财务部", 0.8),
        _t("会计", None, "财务部", 1.0),
        _t("人力资源经理", None, "人力资源部", 0.8),
        _t("市场经理", None, "市场部", 1.2),
        _t("采购经理", None, "采购部", 1.0),
        _t("信息技术经理", None, "信息技术部", 0.8),
        _t("首席信息安全官", None, "信息技术部", 0.3, ciso=True),
        _t("数据保护官", None, "法务部", 0.3, dpo=True),
        _t("法务经理", None, "法务部", 0.5),
        _t("运营总监", None, "运营部", 0.8),
        _t("行政主管", None, "行政部", 0.8),
    ),
}

SKILLS: dict[str, tuple[str, ...]] = {
    "fr": ("Négociation", "Gestion de projet", "Cybersécurité", "RGPD", "Cloud", "SAP",
           "Salesforce", "Management", "Comptabilité", "Marketing digital", "Achats",
           "Supply chain", "Data", "Python", "Droit des contrats", "Prise de parole"),
    "en": ("Negotiation", "Project management", "Cybersecurity", "GDPR", "Cloud", "SAP",
           "Salesforce", "Leadership", "Accounting", "Digital marketing", "Procurement",
           "Supply chain", "Data analysis", "Python", "Contract law", "Public speaking"),
    "zh": ("谈判", "项目管理", "网络安全", "数据合规", "云计算", "SAP", "客户关系管理",
           "团队管理", "财务会计", "数字营销", "采购", "供应链", "数据分析", "Python",
           "合同法", "演讲"),
}

CONTACT_TAGS: dict[str, tuple[str, ...]] = {
    "fr": ("VIP", "Newsletter", "Décideur", "Salon 2024", "Webinar", "Prescripteur",
           "Ambassadeur", "À relancer", "Partenaire"),
    "en": ("VIP", "Newsletter", "Decision maker", "Trade show 2024", "Webinar",
           "Influencer", "Champion", "Follow up", "Partner"),
    "zh": ("VIP", "订阅", "决策人", "展会2024", "网络研讨会", "推荐人", "重点客户",
           "待跟进", "合作伙伴"),
}

ACCOUNT_TAGS: dict[str, tuple[str, ...]] = {
    "fr": ("Grand compte", "PME", "ETI", "Startup", "Stratégique", "Secteur public",
           "Export", "Fidèle"),
    "en": ("Key account", "SMB", "Mid-market", "Startup", "Strategic", "Public sector",
           "Export", "Loyal"),
    "zh": ("大客户", "中小企业", "中型企业", "初创企业", "战略客户", "公共部门", "出口",
           "老客户"),
}

# Canonical origin values, with their French and Chinese labels for messy files.
ORIGINS: tuple[tuple[str, str, str], ...] = (
    ("Website", "Site web", "官网"),
    ("Trade show", "Salon", "展会"),
    ("Referral", "Recommandation", "推荐"),
    ("Cold call", "Prospection téléphonique", "电话营销"),
    ("LinkedIn", "LinkedIn", "领英"),
    ("Partner", "Partenaire", "合作伙伴"),
    ("Webinar", "Webinaire", "网络研讨会"),
    ("Advertising", "Publicité", "广告"),
    ("Event", "Événement", "活动"),
    ("Other", "Autre", "其他"),
)

NOTES: dict[str, tuple[str, ...]] = {
    "fr": ("Rencontré(e) au salon VivaTech.", "Intéressé(e) par une démo en septembre.",
           "Préfère être contacté(e) par e-mail.", "Ancien client, à relancer.",
           "Décide avec la direction financière.", "Absent(e) en août."),
    "en": ("Met at Web Summit.", "Asked for a demo next quarter.",
           "Prefers email over phone.", "Former customer, worth a follow-up.",
           "Budget decided with the CFO.", "Out of office in August."),
    "zh": ("在展会上认识。", "希望下个季度演示产品。", "更喜欢通过邮件联系。",
           "老客户，需要跟进。", "预算由财务总监决定。", "八月休假。"),
}

# ---------------------------------------------------------------------------------------
# Companies
# ---------------------------------------------------------------------------------------

# Brand names are products of piece lists ("families"), plus family names. Each language
# has some 7 000 to 30 000 brands; with the sector qualifiers and, past that, a city
# qualifier, every account of a sample gets a distinct name.
BRANDS: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {
    "fr": (
        (("Apr", "Nov", "Vert", "Lum", "Sol", "Cap", "Alt", "Bel", "Cor", "Dom", "Év",
          "Flor", "Gal", "Hél", "Ism", "Jad", "Kér", "Lor", "Mar", "Nex", "Orl", "Pro",
          "Quar", "Riv", "Sen", "Tal", "Ul", "Val", "Xyl", "Zéph", "Ambr", "Bor", "Cal",
          "Dél", "Ég", "Fab", "Gr", "Hor", "Ival", "Lys", "Arv", "Brév", "Clar", "Div",
          "Esc", "Fér", "Gen", "Lib", "Mér", "Opt", "Pér", "Roc", "Sév", "Tr", "Vall", "Aur",
          "Céd", "Mont", "Oc", "Sax"),
         ("", "a", "i", "o", "e", "an", "ir", "el", "or", "ul", "on", "ar"),
         ("ool", "atek", "alys", "ia", "is", "eo", "ance", "ys", "ium", "oria", "elle",
          "ine", "ax", "on", "ence", "iel", "ea", "ane", "ix", "ora", "yne", "ette", "ard",
          "ot", "ac", "eau", "ière", "ès", "ens", "ly", "ova", "ade", "ic", "us", "an", "ie",
          "oz", "al", "et", "ys")),
    ),
    "en": (
        (("North", "South", "East", "West", "Blue", "Bright", "Silver", "Golden", "Oak",
          "Stone", "River", "Summit", "Pine", "Red", "Green", "Iron", "Star", "Sun", "Moon",
          "Cedar", "Maple", "Eagle", "Falcon", "Crystal", "Clear", "High", "Deep", "Swift",
          "True", "Prime", "Key", "Bay", "Lake", "Harbor", "Cross", "Fair", "Kings",
          "Queens", "Rock", "Sky", "Wave", "Fox", "Wolf", "Bear", "Lion", "Elm", "Ash",
          "Birch", "Willow", "Copper"),
         ("wind", "field", "bridge", "gate", "stone", "point", "wood", "worth", "ford",
          "line", "way", "view", "brook", "ridge", "vale", "crest", "light", "works", "port",
          "hill", "dale", "wick", "ton", "ham", "mark", "star", "path", "forge", "cliff",
          "haven", "mont", "side", "water", "land", "bury", "well", "more", "stead", "croft",
          "lyn")),
        (("Atlas ", "Beacon ", "Blue Sky ", "Cobalt ", "Crimson ", "Emerald ", "Evergreen ",
          "First ", "Granite ", "Harvest ", "Horizon ", "Indigo ", "Ivory ", "Liberty ",
          "Meridian ", "Noble ", "Orchid ", "Pacific ", "Pinnacle ", "Quantum ", "Redwood ",
          "Royal ", "Sapphire ", "Scarlet ", "Sterling ", "Titan ", "Trinity ", "Union ",
          "United ", "Vanguard ", "Velvet ", "Vertex ", "Victory ", "Vista ", "Zenith ",
          "Apex ", "Arrow ", "Anchor ", "Compass ", "Keystone "),
         ("Arrow", "Anchor", "Bridge", "Canyon", "Castle", "Circle", "Cove", "Crown", "Delta",
          "Dome", "Field", "Fjord", "Forest", "Garden", "Grove", "Harbor", "Island", "Lantern",
          "Meadow", "Mesa", "Mill", "Oak", "Orbit", "Peak", "Pier", "Prairie", "Quarry",
          "Rapids", "Reef", "Ridge", "Rock", "Sail", "Shore", "Spire", "Spring", "Summit",
          "Tower", "Trail", "Valley", "Wharf")),
        (("Ac", "Al", "Ar", "Bel", "Cor", "Dex", "El", "Ev", "Fen", "Gal", "Hal", "Ix", "Jun",
          "Kel", "Lum", "Mer", "Nov", "Om", "Pax", "Quin", "Rex", "Syn", "Tor", "Ul", "Ven",
          "Vor", "Wex", "Xan", "Yor", "Zen"),
         ("", "a", "e", "i", "o"),
         ("trix", "tek", "lix", "nova", "gen", "sys", "ora", "ium", "on", "ex", "ara", "ix",
          "ent", "ity", "axis", "ios", "ant", "ic", "us", "ly")),
    ),
    "zh": (
        (("华", "信", "东", "方", "中", "天", "恒", "宏", "瑞", "鑫", "达", "盛", "泰", "安",
          "新", "兴", "创", "智", "联", "远", "海", "金", "嘉", "博", "康", "永", "隆", "通",
          "德", "和", "汇", "众", "腾", "云", "辰", "锦", "明", "鼎", "正", "航", "宇", "星",
          "凯", "诚", "合", "力", "源", "光", "美", "佳", "丰", "昌", "荣", "祥", "弘", "卓",
          "越", "启", "蓝", "阳"),
         ("华", "信", "东", "方", "中", "天", "恒", "宏", "瑞", "鑫", "达", "盛", "泰", "安",
          "新", "兴", "创", "智", "联", "远", "海", "金", "嘉", "博", "康", "永", "隆", "通",
          "德", "和", "汇", "众", "腾", "云", "辰", "锦", "明", "鼎", "正", "航", "宇", "星",
          "凯", "诚", "合", "力", "源", "光", "美", "佳", "丰", "昌", "荣", "祥", "弘", "卓",
          "越", "启", "蓝", "阳")),
    ),
}

# Legal forms by country, canonical first, with the other ways people write them.
LEGAL_FORMS: dict[str, tuple[tuple[str, float, tuple[str, ...]], ...]] = {
    "FR": (
        ("SAS", 0.45, ("S.A.S.", "S.A.S", "sas", "Sas")),
        ("SARL", 0.25, ("S.A.R.L.", "Sarl", "sarl")),
        ("SA", 0.12, ("S.A.", "sa")),
        ("SASU", 0.08, ("S.A.S.U.", "Sasu")),
        ("EURL", 0.05, ("E.U.R.L.", "Eurl")),
        ("", 0.05, ("",)),
    ),
    "GB": (
        ("Ltd", 0.75, ("Ltd.", "Limited", "LTD")),
        ("plc", 0.1, ("PLC", "Plc", "Public Limited Company")),
        ("LLP", 0.05, ("L.L.P.", "Llp")),
        ("", 0.1, ("",)),
    ),
    "US": (
        ("Inc", 0.5, ("Inc.", "Incorporated", "INC")),
        ("LLC", 0.3, ("L.L.C.", "Llc")),
        ("Corp", 0.12, ("Corp.", "Corporation")),
        ("", 0.08, ("",)),
    ),
    "CN": (
        ("有限公司", 0.7, ("有限责任公司",)),
        ("股份有限公司", 0.15, ("股份公司",)),
        ("集团有限公司", 0.1, ("集团", "集团公司")),
        ("", 0.05, ("",)),
    ),
}

# English translations of the Chinese legal forms, for the English-name variant.
ZH_LEGAL_EN: dict[str, str] = {
    "有限公司": "Co., Ltd.",
    "股份有限公司": "Co., Ltd.",
    "集团有限公司": "Group Co., Ltd.",
    "": "",
}


@dataclass(frozen=True)
class ZhIndustry:
    """An industry word of a Chinese company name, with its slug and English name."""

    zh: str
    slug: str
    en: str


def _z(zh: str, slug: str, en: str) -> ZhIndustry:
    return ZhIndustry(zh, slug, en)


# Per sector: three French name templates, three English ones, three Chinese industry
# words. Template "{}" is the brand; slot 0 of a name means "no qualifier" for fr/en.
SECTOR_QUALIFIERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[ZhIndustry, ...]]] = {
    "Agriculture": (("Coopérative {}", "{} Agri", "Domaine {}"),
                    ("{} Farms", "{} Agri", "{} Growers"),
                    (_z("农业", "agri", "Agriculture"), _z("农业科技", "agritech",
                     "Agricultural Technology"), _z("种业", "seed", "Seed"))),
    "Automotive": (("Garage {}", "{} Automobiles", "{} Auto"),
                   ("{} Motors", "{} Automotive", "{} Auto"),
                   (_z("汽车", "auto", "Automobile"), _z("汽车零部件", "autoparts",
                    "Auto Parts"), _z("汽车服务", "autoservice", "Auto Service"))),
    "Banking": (("Banque {}", "{} Banque", "Crédit {}"),
                ("{} Bank", "{} Banking", "{} Savings"),
                (_z("银行", "bank", "Bank"), _z("村镇银行", "ruralbank", "Rural Bank"),
                 _z("商业银行", "combank", "Commercial Bank"))),
    "Chemicals": (("{} Chimie", "Laboratoires {}", "{} Chemicals"),
                  ("{} Chemicals", "{} Chemical", "{} Materials"),
                  (_z("化工", "chem", "Chemical"), _z("新材料", "newmat", "New Materials"),
                   _z("精细化工", "finechem", "Fine Chemical"))),
    "Construction": (("{} BTP", "{} Construction", "Bâtiments {}"),
                     ("{} Construction", "{} Builders", "{} Contracting"),
                     (_z("建设工程", "build", "Construction Engineering"),
                      _z("建筑", "arch", "Construction"), _z("装饰工程", "deco",
                      "Decoration Engineering"))),
    "Consulting": (("{} Conseil", "Cabinet {}", "{} Consulting"),
                   ("{} Consulting", "{} Advisory", "{} Partners"),
                   (_z("管理咨询", "consult", "Management Consulting"),
                    _z("咨询", "advisory", "Consulting"), _z("企业管理", "mgmt",
                    "Enterprise Management"))),
    "Education": (("École {}", "{} Formation", "Institut {}"),
                  ("{} Academy", "{} Learning", "{} Education"),
                  (_z("教育科技", "edu", "Education Technology"), _z("培训", "training",
                   "Training"), _z("教育咨询", "educonsult", "Education Consulting"))),
    "Energy": (("{} Énergie", "{} Énergies", "{} Solaire"),
               ("{} Energy", "{} Power", "{} Renewables"),
               (_z("能源", "energy", "Energy"), _z("新能源", "newenergy", "New Energy"),
                _z("电力", "power", "Electric Power"))),
    "Financial Services": (("{} Finance", "{} Gestion", "{} Capital"),
                           ("{} Capital", "{} Financial", "{} Asset Management"),
                           (_z("投资", "invest", "Investment"), _z("资产管理", "am",
                            "Asset Management"), _z("金融服务", "finance",
                            "Financial Services"))),
    "Government": (("Agence {}", "Syndicat {}", "Office {}"),
                   ("{} Council", "{} Authority", "{} Agency"),
                   (_z("发展中心", "devcenter", "Development Center"),
                    _z("服务中心", "servicecenter", "Service Center"),
                    _z("研究院", "institute", "Research Institute"))),
    "Healthcare": (("Clinique {}", "{} Santé", "{} Médical"),
                   ("{} Health", "{} Medical", "{} Care"),
                   (_z("医疗器械", "meddev", "Medical Devices"), _z("医疗科技", "medtech",
                    "Medical Technology"), _z("健康管理", "health", "Health Management"))),
    "Hospitality": (("Hôtel {}", "{} Hôtellerie", "Restaurant {}"),
                    ("{} Hotels", "{} Hospitality", "{} Inns"),
                    (_z("酒店管理", "hotel", "Hotel Management"), _z("餐饮管理", "catering",
                     "Catering Management"), _z("旅游", "travel", "Travel"))),
    "Insurance": (("{} Assurances", "Mutuelle {}", "Cabinet {} Assurances"),
                  ("{} Insurance", "{} Assurance", "{} Mutual"),
                  (_z("保险代理", "insurance", "Insurance Agency"), _z("保险经纪", "broker",
                   "Insurance Brokerage"), _z("财产保险", "pcins",
                   "Property Insurance"))),
    "Legal": (("Cabinet {}", "{} Avocats", "{} & Associés"),
              ("{} Law", "{} Legal", "{} & Co Solicitors"),
              (_z("律师事务所", "law", "Law Firm"), _z("法律咨询", "legal",
               "Legal Consulting"), _z("知识产权代理", "ip", "IP Agency"))),
    "Logistics": (("Transports {}", "{} Logistique", "{} Express"),
                  ("{} Logistics", "{} Freight", "{} Transport"),
                  (_z("物流", "logistics", "Logistics"), _z("供应链管理", "supplychain",
                   "Supply Chain Management"), _z("国际货运代理", "freight",
                   "International Freight"))),
    "Manufacturing": (("{} Industrie", "{} Industries", "Ateliers {}"),
                      ("{} Manufacturing", "{} Industries", "{} Engineering"),
                      (_z("制造", "mfg", "Manufacturing"), _z("机械", "machinery",
                       "Machinery"), _z("精密机械", "precision", "Precision Machinery"))),
    "Media": (("Éditions {}", "{} Médias", "{} Communication"),
              ("{} Media", "{} Publishing", "{} Studios"),
              (_z("文化传媒", "media", "Culture Media"), _z("广告", "ad", "Advertising"),
               _z("影视", "film", "Film and Television"))),
    "Non-profit": (("Association {}", "Fondation {}", "Fédération {}"),
                   ("{} Foundation", "{} Trust", "{} Charity"),
                   (_z("公益基金会", "foundation", "Foundation"), _z("协会", "assoc",
                    "Association"), _z("促进会", "promotion", "Promotion Society"))),
    "Pharmaceuticals": (("Laboratoires {}", "{} Pharma", "{} Biotech"),
                        ("{} Pharma", "{} Therapeutics", "{} Biosciences"),
                        (_z("医药", "pharma", "Pharmaceutical"), _z("生物科技", "bio",
                         "Biotechnology"), _z("制药", "pharmmfg", "Pharmaceutical"))),
    "Real Estate": (("{} Immobilier", "Foncière {}", "{} Patrimoine"),
                    ("{} Properties", "{} Real Estate", "{} Estates"),
                    (_z("房地产开发", "realestate", "Real Estate Development"),
                     _z("置业", "property", "Property"), _z("物业管理", "pm",
                     "Property Management"))),
    "Retail": (("{} Distribution", "Boutiques {}", "{} Commerce"),
               ("{} Retail", "{} Stores", "{} Outlet"),
               (_z("商贸", "commerce", "Commerce"), _z("电子商务", "ecommerce",
                "E-commerce"), _z("零售", "retail", "Retail"))),
    "Software": (("{} Logiciels", "{} Software", "{} Solutions"),
                 ("{} Software", "{} Labs", "{} Apps"),
                 (_z("软件", "soft", "Software"), _z("网络科技", "net",
                  "Network Technology"), _z("信息科技", "infotech",
                  "Information Technology"))),
    "Technology": (("{} Technologies", "{} Systèmes", "{} Informatique"),
                   ("{} Technologies", "{} Systems", "{} Digital"),
                   (_z("科技", "tech", "Technology"), _z("信息技术", "it",
                    "Information Technology"), _z("智能科技", "smart",
                    "Intelligent Technology"))),
    "Telecommunications": (("{} Télécom", "{} Réseaux", "{} Telecom"),
                           ("{} Telecom", "{} Networks", "{} Communications"),
                           (_z("通信技术", "telecom", "Communication Technology"),
                            _z("通讯", "comm", "Communications"), _z("网络", "network",
                            "Network"))),
    "Wholesale": (("{} Négoce", "Comptoir {}", "{} Import-Export"),
                  ("{} Wholesale", "{} Trading", "{} Supply"),
                  (_z("贸易", "trade", "Trading"), _z("进出口", "impexp",
                   "Import and Export"), _z("批发", "wholesale", "Wholesale"))),
    "Other": (("{} Services", "Groupe {}", "{} & Fils"),
              ("{} Services", "{} Group", "{} & Sons"),
              (_z("实业", "industrial", "Industrial"), _z("服务", "services", "Services"),
               _z("发展", "dev", "Development"))),
}

# How common each sector is, in the order of DEFAULT_SECTORS.
SECTOR_WEIGHTS: dict[str, float] = {
    "Agriculture": 1.0, "Automotive": 1.5, "Banking": 1.0, "Chemicals": 1.0,
    "Construction": 2.5, "Consulting": 3.0, "Education": 1.2, "Energy": 1.0,
    "Financial Services": 2.0, "Government": 0.8, "Healthcare": 2.0, "Hospitality": 1.5,
    "Insurance": 1.0, "Legal": 1.2, "Logistics": 2.0, "Manufacturing": 3.0, "Media": 1.5,
    "Non-profit": 0.8, "Pharmaceuticals": 1.0, "Real Estate": 1.5, "Retail": 2.5,
    "Software": 3.5, "Technology": 3.0, "Telecommunications": 0.8, "Wholesale": 1.5,
    "Other": 1.0,
}

# French NAF code and US SIC code of each sector.
SECTOR_CODES: dict[str, tuple[str, str]] = {
    "Agriculture": ("01.11Z", "0100"), "Automotive": ("29.10Z", "3711"),
    "Banking": ("64.19Z", "6021"), "Chemicals": ("20.14Z", "2800"),
    "Construction": ("41.20A", "1540"), "Consulting": ("70.22Z", "8742"),
    "Education": ("85.59A", "8200"), "Energy": ("35.11Z", "4911"),
    "Financial Services": ("66.30Z", "6211"), "Government": ("84.11Z", "9199"),
    "Healthcare": ("86.10Z", "8062"), "Hospitality": ("55.10Z", "7011"),
    "Insurance": ("65.12Z", "6311"), "Legal": ("69.10Z", "8111"),
    "Logistics": ("49.41A", "4213"), "Manufacturing": ("28.29B", "3599"),
    "Media": ("58.13Z", "2711"), "Non-profit": ("94.99Z", "8399"),
    "Pharmaceuticals": ("21.20Z", "2834"), "Real Estate": ("68.20B", "6531"),
    "Retail": ("47.91B", "5311"), "Software": ("58.29C", "7372"),
    "Technology": ("62.02A", "7373"), "Telecommunications": ("61.10Z", "4813"),
    "Wholesale": ("46.90Z", "5099"), "Other": ("82.99Z", "8999"),
}

GENERIC_MAILBOXES: dict[str, tuple[str, ...]] = {
    "fr": ("contact", "info", "accueil", "commercial"),
    "en": ("info", "hello", "contact", "sales"),
    "zh": ("info", "service", "contact", "sales"),
}

# How a company spells its people's addresses: {f} first, {l} last, {i} first initial.
EMAIL_PATTERNS: dict[str, tuple[tuple[str, float], ...]] = {
    "fr": (("{f}.{l}", 0.7), ("{i}{l}", 0.15), ("{f}", 0.05), ("{f}_{l}", 0.05),
           ("{l}.{f}", 0.05)),
    "en": (("{f}.{l}", 0.55), ("{i}{l}", 0.25), ("{f}", 0.1), ("{f}_{l}", 0.05),
           ("{f}{l}", 0.05)),
    "zh": (("{l}.{f}", 0.35), ("{l}{f}", 0.3), ("{f}.{l}", 0.15), ("{i}{l}", 0.1),
           ("{l}_{f}", 0.1)),
}

PERSONAL_MAIL_PROVIDERS: dict[str, tuple[str, ...]] = {
    "FR": ("gmail.com", "orange.fr", "free.fr", "hotmail.fr", "laposte.net", "wanadoo.fr",
           "sfr.fr", "outlook.fr"),
    "GB": ("gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "hotmail.co.uk",
           "icloud.com"),
    "US": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com",
           "hotmail.com"),
    "CN": ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com"),
}

CURRENCIES: dict[str, str] = {"FR": "EUR", "GB": "GBP", "US": "USD", "CN": "CNY"}
# Rough value of one euro, to express revenue in each country's currency.
EUR_RATES: dict[str, float] = {"FR": 1.0, "GB": 0.85, "US": 1.08, "CN": 7.8}

BUSINESS_UNITS: dict[str, str] = {
    "FR": "France",
    "GB": "UK & Ireland",
    "US": "North America",
    "CN": "Greater China",
}

# Sales teams by language; an owner's team decides which accounts they get.
TEAMS: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (("Paris", "FR"), ("Lyon", "FR")),
    "en": (("London", "GB"), ("New York", "US")),
    "zh": (("Shanghai", "CN"), ("Beijing", "CN")),
}

# Names a country goes by in messy files, beyond the ISO code.
COUNTRY_VARIANTS: dict[str, tuple[str, ...]] = {
    "FR": ("France", "FRANCE", "france", "FRA", "法国", "République française"),
    "GB": ("United Kingdom", "Royaume-Uni", "UK", "Great Britain", "England", "英国",
           "GBR"),
    "US": ("United States", "États-Unis", "USA", "U.S.A.", "US", "美国",
           "United States of America"),
    "CN": ("China", "Chine", "中国", "中华人民共和国", "PRC", "CHN", "People's Republic of China"),
}

# ---------------------------------------------------------------------------------------
# Places and phones
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    """A city: display name, Latin spelling, postal codes, region and phone prefixes.

    ``landline`` holds prefixes of the national significant number (no trunk 0), each
    followed by enough random digits to reach ``PhonePlan.length_for(prefix)``.
    """

    country: str
    name: str
    latin: str
    postal_codes: tuple[str, ...]
    region: str
    landline: tuple[str, ...]
    weight: float
    districts: tuple[str, ...] = ()


def _expand(prefix: str, digits: str) -> tuple[str, ...]:
    return tuple(prefix + d for d in digits)


def _codes(start: int, stop: int, step: int = 1, width: int = 5) -> tuple[str, ...]:
    return tuple(f"{c:0{width}d}" for c in range(start, stop + 1, step))


CITIES: tuple[City, ...] = (
    # France: landlines 01 (Ile-de-France), 02 (north-west), 03 (north-east), 04 (south-
    # east), 05 (south-west); a second digit of 1-5 avoids the overseas ranges (0262...).
    City("FR", "Paris", "Paris", _codes(75001, 75020), "Île-de-France",
         _expand("1", "12345"), 30),
    City("FR", "Boulogne-Billancourt", "Boulogne-Billancourt", ("92100",),
         "Île-de-France", _expand("1", "2345"), 4),
    City("FR", "Puteaux", "Puteaux", ("92800",), "Île-de-France", _expand("1", "2345"), 3),
    City("FR", "Lyon", "Lyon", _codes(69001, 69009), "Auvergne-Rhône-Alpes",
         _expand("4", "12345"), 10),
    City("FR", "Marseille", "Marseille", _codes(13001, 13016), "Provence-Alpes-Côte d'Azur",
         _expand("4", "12345"), 6),
    City("FR", "Lille", "Lille", ("59000", "59800", "59777"), "Hauts-de-France",
         _expand("3", "12345"), 5),
    City("FR", "Bordeaux", "Bordeaux", ("33000", "33100", "33200", "33300", "33800"),
         "Nouvelle-Aquitaine", _expand("5", "12345"), 5),
    City("FR", "Toulouse", "Toulouse", ("31000", "31100", "31200", "31300", "31400", "31500"),
         "Occitanie", _expand("5", "12345"), 6),
    City("FR", "Nantes", "Nantes", ("44000", "44100", "44200", "44300"), "Pays de la Loire",
         _expand("2", "12345"), 5),
    City("FR", "Rennes", "Rennes", ("35000", "35200", "35700"), "Bretagne",
         _expand("2", "12345"), 3),
    City("FR", "Strasbourg", "Strasbourg", ("67000", "67100", "67200"), "Grand Est",
         _expand("3", "12345"), 3),
    City("FR", "Nice", "Nice", ("06000", "06100", "06200", "06300"),
         "Provence-Alpes-Côte d'Azur", _expand("4", "12345"), 3),
    City("FR", "Grenoble", "Grenoble", ("38000", "38100"), "Auvergne-Rhône-Alpes",
         _expand("4", "12345"), 2),
    City("FR", "Montpellier", "Montpellier", ("34000", "34070", "34080", "34090"),
         "Occitanie", _expand("4", "12345"), 3),
    City("FR", "Saint-Étienne", "Saint-Etienne", ("42000", "42100"), "Auvergne-Rhône-Alpes",
         _expand("4", "12345"), 1),
    City("FR", "Clermont-Ferrand", "Clermont-Ferrand", ("63000", "63100"),
         "Auvergne-Rhône-Alpes", _expand("4", "12345"), 1),
    City("FR", "Dijon", "Dijon", ("21000",), "Bourgogne-Franche-Comté",
         _expand("3", "12345"), 1),
    City("FR", "Rouen", "Rouen", ("76000", "76100"), "Normandie", _expand("2", "12345"), 1),
    City("FR", "Aix-en-Provence", "Aix-en-Provence", ("13090", "13100", "13290"),
         "Provence-Alpes-Côte d'Azur", _expand("4", "12345"), 1),
    City("FR", "Besançon", "Besancon", ("25000",), "Bourgogne-Franche-Comté",
         _expand("3", "12345"), 1),
    # United Kingdom: London 020 3/7/8, other cities' four-digit area codes.
    City("GB", "London", "London",
         ("EC1A 1BB", "EC2M 4YE", "W1D 3QF", "SW1A 2AA", "SE1 9SG", "N1 9GU", "E14 5AB",
          "WC2N 5DU", "EC4M 7RF", "W2 1HB"), "Greater London", ("203", "207", "208"), 40),
    City("GB", "Manchester", "Manchester", ("M1 2AB", "M2 5PD", "M3 3EB", "M4 1HN"),
         "Greater Manchester", _expand("161", "2345789"), 10),
    City("GB", "Birmingham", "Birmingham", ("B1 1AA", "B2 4QA", "B3 2DJ", "B4 6AT"),
         "West Midlands", _expand("121", "234567"), 8),
    City("GB", "Edinburgh", "Edinburgh", ("EH1 1YZ", "EH2 2BY", "EH3 9WJ"), "Scotland",
         _expand("131", "2345"), 6),
    City("GB", "Glasgow", "Glasgow", ("G1 1XQ", "G2 5UB", "G3 8AG"), "Scotland",
         _expand("141", "2345"), 6),
    City("GB", "Bristol", "Bristol", ("BS1 4DJ", "BS1 5TR", "BS2 0JA"), "Bristol",
         _expand("117", "2349"), 5),
    City("GB", "Leeds", "Leeds", ("LS1 4AP", "LS2 7EY", "LS11 5DR"), "West Yorkshire",
         _expand("113", "234"), 5),
    # United States: real area codes with ordinary exchanges (see PhonePlan US).
    City("US", "New York", "New York", _codes(10001, 10036), "NY", ("212", "646", "917"), 25),
    City("US", "San Francisco", "San Francisco", _codes(94102, 94111), "CA",
         ("415", "628"), 12),
    City("US", "Boston", "Boston", _codes(2108, 2116), "MA", ("617", "857"), 8),
    City("US", "Chicago", "Chicago", _codes(60601, 60611), "IL", ("312", "773"), 10),
    City("US", "Seattle", "Seattle", _codes(98101, 98109), "WA", ("206",), 7),
    City("US", "Austin", "Austin", _codes(78701, 78705), "TX", ("512", "737"), 7),
    City("US", "Los Angeles", "Los Angeles", ("90012", "90017", "90071", "90024", "90028"),
         "CA", ("213", "310", "323"), 12),
    City("US", "Miami", "Miami", ("33130", "33131", "33132"), "FL", ("305", "786"), 5),
    City("US", "Atlanta", "Atlanta", ("30303", "30305", "30308", "30309"), "GA",
         ("404", "470"), 6),
    # China: area code + an eight-digit local number starting 2-7.
    City("CN", "北京", "Beijing", ("100020", "100022", "100080", "100101", "100027"),
         "北京市", _expand("10", "234567"), 1, ("朝阳区", "海淀区", "东城区", "西城区")),
    City("CN", "上海", "Shanghai", ("200120", "200030", "200040", "200001", "200233"),
         "上海市", _expand("21", "234567"), 1, ("浦东新区", "徐汇区", "静安区", "黄浦区")),
    City("CN", "深圳", "Shenzhen", ("518000", "518040", "518057", "518101"), "广东省",
         _expand("755", "234567"), 1, ("南山区", "福田区", "宝安区", "龙岗区")),
    City("CN", "广州", "Guangzhou", ("510000", "510620", "510640", "510660"), "广东省",
         _expand("20", "234567"), 1, ("天河区", "越秀区", "海珠区", "番禺区")),
    City("CN", "杭州", "Hangzhou", ("310000", "310012", "310020", "310052"), "浙江省",
         _expand("571", "234567"), 1, ("西湖区", "滨江区", "上城区", "余杭区")),
    City("CN", "南京", "Nanjing", ("210000", "210008", "210019"), "江苏省",
         _expand("25", "234567"), 1, ("玄武区", "鼓楼区", "建邺区", "江宁区")),
    City("CN", "成都", "Chengdu", ("610000", "610041", "610021"), "四川省",
         _expand("28", "234567"), 1, ("武侯区", "锦江区", "高新区", "青羊区")),
    City("CN", "武汉", "Wuhan", ("430000", "430070", "430022"), "湖北省",
         _expand("27", "234567"), 1, ("武昌区", "江汉区", "洪山区", "汉阳区")),
    City("CN", "苏州", "Suzhou", ("215000", "215021", "215123"), "江苏省",
         _expand("512", "234567"), 1, ("姑苏区", "工业园区", "吴中区", "相城区")),
    City("CN", "天津", "Tianjin", ("300000", "300051", "300100"), "天津市",
         _expand("22", "234567"), 1, ("和平区", "河西区", "南开区", "滨海新区")),
    City("CN", "西安", "Xi'an", ("710000", "710061", "710075"), "陕西省",
         _expand("29", "234567"), 1, ("雁塔区", "碑林区", "未央区", "高新区")),
    City("CN", "重庆", "Chongqing", ("400000", "400010", "400043"), "重庆市",
         _expand("23", "234567"), 1, ("渝中区", "江北区", "渝北区", "南岸区")),
)

# Short Latin forms of Chinese city names, as found in company domain names.
CITY_ABBREVIATIONS: dict[str, str] = {
    "Beijing": "bj", "Shanghai": "sh", "Shenzhen": "sz", "Guangzhou": "gz", "Hangzhou": "hz",
    "Nanjing": "nj", "Chengdu": "cd", "Wuhan": "wh", "Suzhou": "su", "Tianjin": "tj",
    "Xi'an": "xa", "Chongqing": "cq",
}

STREETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # (street types or templates, street names)
    "FR": (("rue", "rue", "rue", "avenue", "boulevard", "place", "allée", "quai", "impasse",
            "chemin"),
           ("de la République", "Victor Hugo", "Jean Jaurès", "de la Paix",
            "du Général de Gaulle", "Pasteur", "des Lilas", "Gambetta", "Voltaire",
            "de Verdun", "du Moulin", "de l'Église", "Carnot", "Foch", "Saint-Honoré",
            "La Fayette", "Haussmann", "de Rivoli", "Émile Zola", "des Écoles",
            "du 8 Mai 1945", "Nationale", "de la Gare", "des Tanneurs", "Paul Bert")),
    "GB": (("Street", "Street", "Road", "Road", "Lane", "Avenue", "Square", "Place", "Way",
            "Gardens"),
           ("High", "Church", "Station", "Victoria", "Park", "King", "Queen", "Mill",
            "Baker", "Oxford", "Regent", "Market", "London", "Bridge", "Castle", "Albert",
            "Grosvenor", "Cannon", "Bishopsgate", "Fleet")),
    "US": (("St", "St", "Ave", "Ave", "Blvd", "Street", "Avenue", "Road", "Drive", "Way"),
           ("Main", "Market", "Mission", "Broadway", "Park", "Madison", "Lexington", "Oak",
            "Pine", "Maple", "Cedar", "Washington", "Lincoln", "5th", "3rd", "Howard",
            "Congress", "Peachtree", "Michigan", "Wilshire")),
    "CN": (("路", "路", "大道", "街"),
           ("人民", "中山", "解放", "建设", "和平", "长江", "科技园", "建国", "南京",
            "世纪", "滨江", "学院", "东方", "新华", "文化", "金融")),
}


@dataclass(frozen=True)
class PhonePlan:
    """A country's phone numbers: calling code, trunk prefix, mobiles and display groups.

    Attributes
    ----------
    calling_code
        Country calling code without ``+``.
    trunk
        Digit(s) dialled before a national number (``0``), empty when there is none.
    mobile
        Prefixes of mobile national significant numbers.
    length
        Length of a national significant number (for CN landlines, per area code length).
    groups
        How the national form (trunk + number) is grouped, by the first prefix that the
        number starts with; ``""`` is the default.
    """

    calling_code: str
    trunk: str
    mobile: tuple[str, ...]
    length: int
    groups: dict[str, tuple[int, ...]]
    mobile_trunk: bool = True

    def length_for(self, prefix: str) -> int:
        """Length of a national significant number starting with ``prefix``."""
        if self.calling_code == "86" and not prefix.startswith("1"):
            return 11 if len(prefix) >= 4 else 10  # two-digit areas have 8-digit numbers
        if self.calling_code == "86" and prefix.startswith("10"):
            return 10
        return self.length


PHONE_PLANS: dict[str, PhonePlan] = {
    "FR": PhonePlan("33", "0", _expand("6", "0124578") + _expand("7", "3456789"), 9,
                    {"": (2, 2, 2, 2, 2)}),
    # UK mobiles, leaving out the ranges of Guernsey, Jersey and the Isle of Man (07781 ...).
    "GB": PhonePlan("44", "0", _expand("74", "012346789") + _expand("75", "13456789")
                    + _expand("78", "0145679") + _expand("79", "02456789"), 10,
                    {"20": (3, 4, 4), "7": (5, 6), "": (4, 3, 4)}),
    "US": PhonePlan("1", "", (), 10, {"": (3, 3, 4)}),
    "CN": PhonePlan("86", "0", _expand("13", "0123456789") + _expand("15", "012356789")
                    + _expand("18", "0123456789"), 11,
                    {"1": (3, 4, 4), "10": (3, 4, 4), "2": (3, 4, 4), "": (4, 4, 4)},
                    mobile_trunk=False),
}
# fmt: on
