"""Shared by the tests of the vCard layer (crmkit._formats._vcard_*): the 30 real-world
files of ../shared/fixtures/vcards, cards written inline, and vobject 0.9.9 as the
reference reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import vobject

from crmkit._formats import display_name, parse_vcards, strip_controls
from crmkit._formats._vcard_values import tel_text

__all__ = [
    "FIXTURES",
    "JPEG",
    "PNG",
    "SHIFT_JIS_FILES",
    "card",
    "column",
    "crmkit_view",
    "custom_values",
    "norm",
    "one",
    "same_or_vobject_cut",
    "vobject_cards",
    "vobject_view",
    "vtext",
    "written",
]

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "vcards"


SHIFT_JIS_FILES = {
    "android__v21_japanese_1.vcf",
    "android__v21_japanese_2.vcf",
    "android__v21_multiple_entry.vcf",
    "android__v30_japanese.vcf",
}


JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


def column(frame: Any, name: str) -> list[Any]:
    """A DataFrame column as a list, None for missing values, for either backend."""
    if isinstance(frame, pl.DataFrame):
        return frame[name].to_list()
    return [None if (not isinstance(v, list | bytes) and pd.isna(v)) else v for v in frame[name]]


def vobject_cards(name: str) -> list[Any]:
    """The components vobject 0.9.9 yields with its default arguments before it fails."""
    raw = (FIXTURES / name).read_bytes()
    text = raw.decode("shift_jis" if name in SHIFT_JIS_FILES else "utf-8")
    cards: list[Any] = []
    try:
        for comp in vobject.readComponents(text):
            cards.append(comp)
    except Exception:
        pass
    return cards


def vtext(value: Any) -> str:
    return (",".join(value) if isinstance(value, list) else str(value)).strip()


def vobject_view(comp: Any) -> dict[str, Any]:
    """Names, FN, emails, phones, org and title as vobject reads them."""
    contents = comp.contents
    view: dict[str, Any] = {}
    if "n" in contents:
        view["last_name"] = vtext(contents["n"][0].value.family)
        view["first_name"] = vtext(contents["n"][0].value.given)
    if "fn" in contents:
        view["fn"] = contents["fn"][0].value.strip()
    # crmkit drops blank values, and turns a 4.0 tel: URI into a dialable number.
    view["emails"] = [e.value.strip() for e in contents.get("email", []) if e.value.strip()]
    view["phones"] = [tel_text(t.value.strip()) for t in contents.get("tel", []) if t.value.strip()]
    if "org" in contents:
        view["org"] = vtext(contents["org"][0].value[0])
    if "title" in contents:
        view["job_title"] = contents["title"][0].value.strip()
    return view


def custom_values(rec: dict[str, Any], prop: str) -> list[str]:
    out: list[str] = []
    for key, value in rec["custom"].items():
        if key == prop or key.startswith(prop + " ("):
            out.extend(value if isinstance(value, list) else [value])
    return out


def crmkit_view(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "last_name": rec.get("last_name") or "",
        "first_name": rec.get("first_name") or "",
        "fn": rec["custom"].get("FN") or display_name(rec.get("first_name"), rec.get("last_name")),
        "emails": [rec[k] for k in ("email", "secondary_email") if k in rec]
        + custom_values(rec, "EMAIL"),
        "phones": [rec[k] for k in ("phone", "mobile", "home_phone", "fax") if k in rec]
        + custom_values(rec, "TEL"),
        "org": rec.get("org") or "",
        "job_title": rec.get("job_title") or "",
    }


def same_or_vobject_cut(ours: str, theirs: str) -> bool:
    """Equal, or vobject kept only the text before the first unescaped comma."""
    return ours == theirs or (ours.startswith(theirs) and ours[len(theirs)] == ",")


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""])


def one(text: str | bytes) -> dict[str, Any]:
    result = parse_vcards(text)
    assert len(result.records) == 1, result
    return result.records[0]


def norm(value: str | None) -> str | None:
    """What a text value becomes after export and import."""
    if value is None:
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() or None


def written(value: str | None) -> str | None:
    """A text value as the writer puts it in a card: without control characters."""
    return None if value is None else strip_controls(value)
