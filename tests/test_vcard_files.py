"""vCard files (crmkit._formats._vcard_files): one .vcf file or a ZIP of one card per
contact with safe, readable, unique names; written atomically.
"""

from __future__ import annotations

import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from vcard_samples import (
    FIXTURES,
    column,
)

from crmkit._exceptions import ExportError
from crmkit._formats import (
    export_vcards,
    parse_vcards,
    read_vcf,
    strip_controls,
    vcard_file_name,
    write_vcf,
)


def test_write_vcf_file_and_dataframes(tmp_path: Path, backend: str) -> None:
    frame = read_vcf(FIXTURES / "ezvcard__rfc2426-example.vcf", backend=backend)
    out = write_vcf(frame, tmp_path / "out.vcf", version="4.0")
    assert out == tmp_path / "out.vcf"
    again = read_vcf(out, backend=backend)
    for name in ("first_name", "last_name", "org", "phone", "fax", "email", "city"):
        assert column(again, name) == column(frame, name), name
    assert [p.name for p in tmp_path.iterdir()] == ["out.vcf"]  # no temporary file left


def test_write_vcf_zip_names_are_readable_unique_and_safe(tmp_path: Path) -> None:
    records = [
        {"first_name": "Hélène", "last_name": "Blou"},
        {"first_name": "Helene", "last_name": "Blou"},
        {"first_name": "HÉLÈNE", "last_name": "BLOU"},
        {"last_name": "../../etc/passwd"},
        {"last_name": "\x00\x1f..\\..\\con"},
        {"first_name": "伟", "last_name": "王"},
        {"org": "APROOL"},
        {"email": "marc@aprool.com"},
        {},
        {"last_name": "x" * 300},
    ]
    path = write_vcf(records, tmp_path / "contacts.zip", zip=True)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names == [
            "Helene_Blou.vcf",
            "Helene_Blou-2.vcf",
            "HELENE_BLOU-3.vcf",
            "etc_passwd.vcf",
            "con_.vcf",
            "WangWei.vcf",
            "APROOL.vcf",
            "marc.vcf",
            "contact.vcf",
            "x" * 80 + ".vcf",
        ]
        for name, rec in zip(names, records, strict=True):
            back = parse_vcards(archive.read(name)).records
            assert [r.get("last_name") for r in back] == [
                strip_controls(rec.get("last_name") or "").strip() or None
            ]
    for name in names:
        assert "/" not in name and "\\" not in name and ".." not in name
        assert name.isprintable() and name.isascii()


def test_vcard_file_name_never_empty() -> None:
    assert vcard_file_name({"last_name": "..."}) == "contact.vcf"
    assert vcard_file_name({"last_name": "  "}) == "contact.vcf"


def test_write_vcf_failure_leaves_no_file(tmp_path: Path) -> None:
    class Boom(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_vcf([{"last_name": "A"}, Boom()], tmp_path / "x.vcf")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ExportError, match="cannot write"):
        write_vcf([{"last_name": "A"}], tmp_path / "missing" / "x.vcf")


# -- zip entry names facing hostile names (issue #11) ---------------------------------

# Names Windows keeps for devices, whatever the extension after them ("nul.tar.gz").
DEVICES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]
    + [f"{port}{n}" for port in ("com", "lpt") for n in "0123456789¹²³"]
)


RESERVED = set('<>:"/\\|?*')


def assert_safe_entry_names(names: list[str]) -> None:
    """Each name extracts on Windows, macOS and Linux, and no two land on one file."""
    seen: set[str] = set()
    for name in names:
        assert name.endswith(".vcf") and len(name) <= 100, name
        assert not RESERVED & set(name), name
        assert all(unicodedata.category(c)[0] != "C" for c in name), name
        assert name == name.rstrip(". ") and name == name.lstrip(". "), name
        for form in ("NFC", "NFKC"):
            normal = unicodedata.normalize(form, name)
            stem = normal.split(".")[0].rstrip(" ").casefold()
            assert stem and stem not in DEVICES, name
            key = normal.casefold()
            assert key not in seen, f"{name} collides with an earlier entry"
        seen.add(unicodedata.normalize("NFC", name).casefold())
        seen.add(unicodedata.normalize("NFKC", name).casefold())


def zip_names(records: list[dict[str, Any]], folder: Path) -> list[str]:
    path = write_vcf(records, folder / "cards.zip", zip=True, rev=False)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        for name, rec in zip(names, records, strict=True):
            back = parse_vcards(archive.read(name)).records
            assert len(back) == 1
            assert back[0].get("email") == rec.get("email")
    return names


HOSTILE_NAMES = [
    "Prn",
    "CON",
    "aux.",
    "aux.txt",
    "nul.tar.gz",
    "prn.x",
    "COM1",
    "com¹",
    "LPT²",
    "LPT9",
    "ＣＯＮ",  # full width: NFKC and transliteration give CON
    "ℂ𝕆ℕ",
    "Lpt3 . doc",
    "CON .vcf",
    "clock$",
    "name. . .",
    "dots...",
    "...",
    ". .",
    "x" * 300,
    "é" * 300,
    "dupont",
    "Dupont",
    "DUPONT",
    "Dupont-2",
    "dupont.vcf",
    '<>:"/\\|?*',
    'a<b>c:d"e/f\\g|h?i*j',
    "\x00\x01\x1f\x7f",
    "Blou\x1b[31m",
    "\u202eevil\u202c",
    "ﬁnance",  # a ligature NFKC splits
    "Ａｂｃ",
    "abc",
    "../../etc/passwd",
    "C:\\Windows\\System32",
    "   ",
    "",
]


def test_zip_entry_names_are_safe_everywhere(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"last_name": name, "email": f"c{i}@example.com"} for i, name in enumerate(HOSTILE_NAMES)
    ]
    records += [{"first_name": name, "last_name": "x", "email": f"f{i}@example.com"}
                for i, name in enumerate(["aux", "Con", "nul"])]  # fmt: skip
    names = zip_names(records, tmp_path)
    assert_safe_entry_names(names)
    # Readable: a device name keeps its letters, other names their transliteration.
    assert names[:4] == ["Prn_.vcf", "CON_.vcf", "aux_.vcf", "aux_.txt.vcf"]
    assert names[HOSTILE_NAMES.index("prn.x")] == "prn_.x.vcf"
    # COM¹ is COM1 once transliterated, and "COM1" came first: a case-blind clash.
    assert names[HOSTILE_NAMES.index("COM1")] == "COM1_.vcf"
    assert names[HOSTILE_NAMES.index("com¹")] == "com1_-2.vcf"


def test_device_name_with_a_dot_gets_its_mark_before_the_dot() -> None:
    # Windows reads "prn.x_.vcf" as the device PRN: the stem before the first dot counts.
    assert vcard_file_name({"last_name": "prn.x"}) == "prn_.x.vcf"
    assert vcard_file_name({"last_name": "NUL.tar.gz"}) == "NUL_.tar.gz.vcf"
    assert vcard_file_name({"last_name": "Con."}) == "Con_.vcf"
    assert vcard_file_name({"last_name": "Lpt¹"}) == "Lpt1_.vcf"


def test_names_differing_only_by_case_get_distinct_entries() -> None:
    taken: set[str] = set()
    names = [vcard_file_name({"last_name": n}, taken) for n in ("dupont", "Dupont", "DUPONT")]
    assert names == ["dupont.vcf", "Dupont-2.vcf", "DUPONT-3.vcf"]


_device = st.builds(
    lambda base, case, tail: (
        "".join(c.upper() if flip else c for c, flip in zip(base, case, strict=False)) + tail
    ),
    st.sampled_from(sorted(DEVICES)),
    st.lists(st.booleans(), min_size=7, max_size=7),
    st.sampled_from(["", ".", " ", "..", ". ", ".txt", ".x.y", "¹", " .vcf", "-2"]),
)


_name = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from('aA.- _<>:"/\\|?*\x00\x1b¹²³ＣＯＮ'), max_size=12),
    _device,
    st.text(min_size=90, max_size=400),
)


@settings(max_examples=examples(150))
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={"first_name": _name, "last_name": _name, "org": _name, "email": _name},
        ),
        max_size=12,
    )
)
def test_zip_entry_names_property(records: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_vcf(records, Path(folder) / "cards.zip", zip=True, rev=False)
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    assert len(names) == len(records)
    assert_safe_entry_names(names)


# -- the module's own functions ----------------------------------------------------------


def test_export_vcards_says_what_it_wrote_and_cleaned(tmp_path: Path) -> None:
    records = [{"last_name": "Blou\x1b[31m", "notes": "a\x00b"}, {"last_name": "Roy"}]
    result = export_vcards(records, tmp_path / "c.vcf", version="4.0", rev=False)
    assert (result.path, result.format, result.rows, result.columns) == (
        tmp_path / "c.vcf",
        "vcf",
        2,
        (),
    )
    assert result.changed == 2
    assert result.warnings[0].startswith("2 values written without their control characters")
    back = parse_vcards((tmp_path / "c.vcf").read_bytes()).records
    assert [r["last_name"] for r in back] == ["Blou", "Roy"] and back[0]["notes"] == "ab"
    empty = export_vcards([], tmp_path / "e.zip", zip=True)
    assert empty.rows == 0 and zipfile.ZipFile(empty.path).namelist() == []


def test_vcard_file_name_without_a_person_name() -> None:
    assert vcard_file_name({"org": "APROOL SAS"}) == "APROOL_SAS.vcf"
    assert vcard_file_name({"email": "m.durand@aprool.com"}) == "m.durand.vcf"
    assert vcard_file_name({"first_name": float("nan"), "last_name": "Roy"}) == "Roy.vcf"
