"""Benchmark crmkit's vCard writer and reader against vobject 0.9.9.

Run from the repository root::

    .venv/bin/python benchmarks/vcard_bench.py            # 1,000,000 contacts
    .venv/bin/python benchmarks/vcard_bench.py --n 200000

Contacts are generated with a seeded random generator: French, English and Chinese names,
phone numbers, e-mail addresses, companies with departments, job titles, notes with commas
and semicolons, addresses, tags and birthdays.

- Export: crmkit writes all N contacts; vobject builds and serialises vCard components for
  a subset (``--vobject-n``). Per-card rates are compared. Targets: at least 100,000
  cards/s and at least 50x vobject.
- Import: crmkit parses a file of ``--import-n`` cards written by crmkit;
  ``vobject.readComponents`` parses the first ``--vobject-n`` cards of the same file.
  Target: at least 3x vobject, and identical fields on every card vobject reads.

With ``--heavy``, every card is a heavy one: a second e-mail, home phone and fax, a long
note with line breaks, five tags and custom properties (``X-SKYPE``, ``TEL (pager)``,
an Apple-labelled ``X-ASSISTANT``). The peak memory of the run (``ru_maxrss``) is printed.

Not part of the test suite: it takes a minute and measures time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import vobject

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crmkit._formats import display_name, parse_vcards, write_vcards

FIRST_FR = ["Hélène", "Marc", "Nicole", "François", "Chloé", "Jérôme", "Aurélie", "Loïc",
            "Élodie", "Benoît", "Amélie", "Gaëlle", "Stéphane", "Céline", "Noël"]  # fmt: skip
LAST_FR = ["Blou", "Durand", "Bertrand", "Lefèvre", "Moreau", "Girard", "Rousseau", "Fournier",
           "Mercier", "Bonnet", "Faure", "André", "Lemaître", "Chevalier", "Gauthier"]  # fmt: skip
FIRST_EN = ["John", "Mary", "James", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
            "William", "Elizabeth", "David", "Susan", "Richard", "Jessica", "Thomas"]  # fmt: skip
LAST_EN = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
           "O'Brien", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson"]  # fmt: skip
FIRST_ZH = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰"]
LAST_ZH = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱"]
ORGS = ["APROOL", "Acme, Inc.", "Société Générale", "Dupont & Fils", "阿里巴巴集团",
        "Globex Corporation", "Initech; Ltd", "Boulangerie Martin", "华为技术有限公司",
        "Umbrella SA", "Les Ateliers du Nord", "Stark Industries"]  # fmt: skip
DEPARTMENTS = ["Ventes", "Achats", "IT", "Finance", "销售部", "R&D", "Marketing", None, None]
TITLES = ["Chef de projet", "Directeur commercial", "Sales Manager", "CTO", "工程师",
          "Responsable achats", "Office Manager", "Développeur, full-stack", "总经理"]  # fmt: skip
CITIES = [
    ("Paris", "75008", "FR"),
    ("Lyon", "69002", "FR"),
    ("London", "EC1A 1BB", "GB"),
    ("上海", "200000", "CN"),
    ("Boston", "02108", "US"),
    ("Lille", "59000", "FR"),
]
STREETS = ["12 rue de la Paix", "3, avenue Foch", "221B Baker Street", "南京东路100号",
           "1 Infinite Loop", "45 boulevard Haussmann; bât. B"]  # fmt: skip
NOTES = [
    "Rappeler lundi, avant 10h; voir le devis n°12.",
    "Met at the trade fair, interested in the premium plan, follow up in March.",
    "客户对价格敏感，下周再联系。",
    "Préfère être contacté par e-mail, jamais le vendredi.",
    "Decision maker; budget approved for Q3, needs a demo first.",
]
TAGS = ["vip", "prospect", "client", "salon-2024", "newsletter", "partenaire"]
DOMAINS = ["example.com", "example.fr", "example.cn", "mail.example.org"]


def make_heavy(contacts: list[dict[str, Any]], seed: int = 43) -> list[dict[str, Any]]:
    """The same contacts with every optional field filled, as heavy cards."""
    rng = random.Random(seed)
    for i, rec in enumerate(contacts):
        rec["secondary_email"] = f"perso{i}@{rng.choice(DOMAINS)}"
        rec["home_phone"] = f"+33 4 {rng.randrange(10, 99)} {rng.randrange(10, 99)} 12 34"
        rec["fax"] = f"+33 1 {rng.randrange(10, 99)} {rng.randrange(10, 99)} 00 00"
        rec["notes"] = "\n".join(rng.sample(NOTES, 3))
        rec["tags"] = rng.sample(TAGS, 5)
        rec.setdefault("mobile", "06 12 34 56 78")
        rec.setdefault("birthday", date(1980, 1 + i % 12, 1 + i % 28))
        rec["custom"] = {
            "X-SKYPE": f"skype.{i}",
            "TEL (pager)": f"+33 6 00 00 {i % 100:02d} 00",
            "X-ASSISTANT (Assistante de direction)": rng.choice(FIRST_FR),
        }
    return contacts


def make_contacts(n: int, seed: int = 42) -> list[dict[str, Any]]:
    """``n`` realistic contact records (seeded, so every run writes the same file)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        kind = rng.random()
        if kind < 0.45:
            first, last = rng.choice(FIRST_FR), rng.choice(LAST_FR)
            login = f"{first[0]}.{last}".lower().encode("ascii", "ignore").decode()
        elif kind < 0.8:
            first, last = rng.choice(FIRST_EN), rng.choice(LAST_EN)
            login = f"{first}.{last}".lower().replace("'", "")
        else:
            first, last = rng.choice(FIRST_ZH), rng.choice(LAST_ZH)
            login = f"user{i}"
        city, code, country = rng.choice(CITIES)
        rec: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "org": rng.choice(ORGS),
            "department": rng.choice(DEPARTMENTS),
            "job_title": rng.choice(TITLES),
            "email": f"{login}{i}@{rng.choice(DOMAINS)}",
            "phone": f"+33 1 {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
            f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            "street": rng.choice(STREETS),
            "city": city,
            "postal_code": code,
            "country": country,
        }
        if rng.random() < 0.7:
            rec["mobile"] = f"06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} " + (
                f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}"
            )
        if rng.random() < 0.5:
            rec["notes"] = rng.choice(NOTES)
        if rng.random() < 0.4:
            rec["tags"] = rng.sample(TAGS, rng.randrange(1, 3))
        if rng.random() < 0.3:
            rec["birthday"] = date(rng.randrange(1950, 2000), rng.randrange(1, 13), 1 + i % 28)
        out.append(rec)
    return out


def vobject_serialize(rec: dict[str, Any]) -> str:
    """The same card built and serialised with vobject (what an import layer on vobject does)."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(
        family=rec.get("last_name") or "", given=rec.get("first_name") or ""
    )
    card.add("fn").value = display_name(rec.get("first_name"), rec.get("last_name"))
    if rec.get("org"):
        org = [rec["org"]] + ([rec["department"]] if rec.get("department") else [])
        card.add("org").value = org
    if rec.get("job_title"):
        card.add("title").value = rec["job_title"]
    if rec.get("email"):
        email = card.add("email")
        email.value = rec["email"]
        email.params["TYPE"] = ["INTERNET", "WORK"]
    for key, types in (("phone", ["WORK", "VOICE"]), ("mobile", ["CELL", "VOICE"])):
        if rec.get(key):
            tel = card.add("tel")
            tel.value = rec[key]
            tel.params["TYPE"] = types
    adr = card.add("adr")
    adr.value = vobject.vcard.Address(
        street=rec.get("street") or "", city=rec.get("city") or "",
        code=rec.get("postal_code") or "", country=rec.get("country") or "",
    )  # fmt: skip
    adr.params["TYPE"] = ["WORK"]
    if rec.get("birthday"):
        card.add("bday").value = rec["birthday"].isoformat()
    if rec.get("notes"):
        card.add("note").value = rec["notes"]
    if rec.get("tags"):
        card.add("categories").value = list(rec["tags"])
    for key, types in (("home_phone", ["HOME", "VOICE"]), ("fax", ["WORK", "FAX"])):
        if rec.get(key):
            tel = card.add("tel")
            tel.value = rec[key]
            tel.params["TYPE"] = types
    if rec.get("secondary_email"):
        email = card.add("email")
        email.value = rec["secondary_email"]
        email.params["TYPE"] = ["INTERNET", "HOME"]
    for key, value in (rec.get("custom") or {}).items():
        name = key.split(" ")[0].lower()
        card.add(name).value = value
    card.add("rev").value = "20250101T000000Z"
    return str(card.serialize())


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def vobject_fields(comp: Any) -> dict[str, Any]:
    """The fields of a vobject component, in the shape of crmkit's records."""
    out: dict[str, Any] = {}
    n = comp.contents.get("n")
    if n:
        out["last_name"] = _as_text(n[0].value.family).strip() or None
        out["first_name"] = _as_text(n[0].value.given).strip() or None
    out["fn"] = comp.fn.value.strip() if "fn" in comp.contents else None
    org = comp.contents.get("org")
    if org:
        out["org"] = org[0].value[0].strip() or None
        out["department"] = org[0].value[1].strip() if len(org[0].value) > 1 else None
    out["job_title"] = comp.title.value.strip() if "title" in comp.contents else None
    out["emails"] = [e.value.strip() for e in comp.contents.get("email", [])]
    out["phones"] = sorted(t.value.strip() for t in comp.contents.get("tel", []))
    out["notes"] = comp.note.value.strip() if "note" in comp.contents else None
    cats = comp.contents.get("categories")
    out["tags"] = [c.strip() for c in cats[0].value] if cats else None
    adr = comp.contents.get("adr")
    if adr:
        a = adr[0].value
        out["street"] = _as_text(a.street).strip() or None
        out["city"] = _as_text(a.city).strip() or None
        out["postal_code"] = _as_text(a.code).strip() or None
        out["country"] = _as_text(a.country).strip() or None
    bday = comp.contents.get("bday")
    out["birthday"] = date.fromisoformat(bday[0].value) if bday else None
    return out


def crmkit_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """The same fields from a crmkit record."""
    out = {k: rec.get(k) for k in ("last_name", "first_name", "org", "department", "job_title")}
    out["fn"] = rec["custom"].get("FN") or display_name(rec.get("first_name"), rec.get("last_name"))
    out["emails"] = [e for e in (rec.get("email"), rec.get("secondary_email")) if e]
    phones = [rec.get(k) for k in ("phone", "mobile", "home_phone", "fax")]
    custom = rec.get("custom") or {}
    phones += [v for k, v in custom.items() if k.startswith("TEL") and isinstance(v, str)]
    out["phones"] = sorted(p for p in phones if p)
    out["notes"] = rec.get("notes")
    out["tags"] = rec.get("tags")
    for key in ("street", "city", "postal_code", "country", "birthday"):
        out[key] = rec.get(key)
    return out


def best_of(runs: int, func: Any) -> tuple[float, Any]:
    """Shortest wall time of ``runs`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="contacts to export")
    parser.add_argument("--vobject-n", type=int, default=20_000, help="vobject subset size")
    parser.add_argument("--import-n", type=int, default=200_000, help="cards to import")
    parser.add_argument("--version", default="3.0", choices=["3.0", "4.0"])
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (best kept)")
    parser.add_argument("--heavy", action="store_true", help="heavy cards (see above)")
    args = parser.parse_args()

    print(f"machine : {platform.platform()}, {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}")  # fmt: skip
    print(f"python  : {platform.python_version()}, vobject {vobject.VERSION}")
    start = time.perf_counter()
    contacts = make_contacts(args.n)
    if args.heavy:
        contacts = make_heavy(contacts)
    print(f"cards   : {'heavy' if args.heavy else 'simple'}")
    print(f"generated {len(contacts):,} contacts in {time.perf_counter() - start:.1f} s\n")
    sub_n = min(args.vobject_n, args.n)
    subset = contacts[:sub_n]

    rows: list[tuple[str, int, float]] = []
    t_ours, text = best_of(args.runs, lambda: write_vcards(contacts, args.version))
    rows.append((f"export crmkit write_vcards (v{args.version})", len(contacts), t_ours))
    t_vob, _ = best_of(1, lambda: "".join(map(vobject_serialize, subset)))
    rows.append(("export vobject .serialize() (v3.0)", sub_n, t_vob))

    import_n = min(args.import_n, args.n)
    end = 0
    for _ in range(import_n):
        end = text.index("END:VCARD\r\n", end) + 11
    import_bytes = text[:end].encode("utf-8")
    sub_end = 0
    for _ in range(sub_n):
        sub_end = text.index("END:VCARD\r\n", sub_end) + 11
    sub_text = text[:sub_end]
    del text
    t_read, result = best_of(args.runs, lambda: parse_vcards(import_bytes))
    rows.append(("import crmkit parse_vcards", len(result.records), t_read))
    t_vread, comps = best_of(1, lambda: list(vobject.readComponents(sub_text)))
    rows.append(("import vobject.readComponents", len(comps), t_vread))

    export_rate = len(contacts) / t_ours
    export_ratio = export_rate / (sub_n / t_vob)
    import_rate = len(result.records) / t_read
    import_ratio = import_rate / (len(comps) / t_vread)

    mismatches = 0
    for rec, comp in zip(result.records[:sub_n], comps, strict=True):
        ours, theirs = crmkit_fields(rec), vobject_fields(comp)
        for key, value in theirs.items():
            if ours.get(key) != value:
                mismatches += 1
                if mismatches <= 5:
                    print(f"MISMATCH {key}: crmkit {ours.get(key)!r} vobject {value!r}")

    print(f"{'step':<44}{'cards':>12}{'seconds':>10}{'cards/s':>12}")
    for label, cards, seconds in rows:
        print(f"{label:<44}{cards:>12,}{seconds:>10.2f}{cards / seconds:>12,.0f}")
    print()
    print(f"export: {export_rate:,.0f} cards/s, {export_ratio:.0f}x vobject "
          f"(targets 100,000 cards/s and 50x)")  # fmt: skip
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the run: {peak:,.0f} MB (the generated records included)")
    print(f"import: {import_rate:,.0f} cards/s, {import_ratio:.1f}x vobject (target 3x); "
          f"{len(comps):,} cards compared, {mismatches} field mismatches")  # fmt: skip
    ok = export_rate >= 100_000 and export_ratio >= 50 and import_ratio >= 3 and not mismatches
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
