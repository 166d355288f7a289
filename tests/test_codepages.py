"""Legacy code pages (crmkit._formats._codepages): GB18030 or cp1252 or another script,
on short samples too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from format_samples import (
    read_rows,
    write_file,
)

from crmkit._formats import (
    detect_encoding,
    read_table,
)
from crmkit._formats._codepages import guess_legacy, line_codec, looks_chinese


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Nom;Prénom\nBlou;Hélène\n", "cp1252"),
        ("Ville\nOrléans\n", "cp1252"),
        ("Société,Ville\nCafé Crème,Besançon\n", "cp1252"),
        ("Nom\nNoël\n", "cp1252"),
        ("Prix\n5 €\n", "cp1252"),
        ("客户名称\n华为\n", "gb18030"),
        ("城市\n北京\n", "gb18030"),
        ("名称,电话\n张伟,138\n", "gb18030"),
        ("公司\n腾讯科技（深圳）有限公司\n", "gb18030"),
    ],
)
def test_short_files_are_not_confused(tmp_path: Path, text: str, encoding: str) -> None:
    # charset-normalizer alone calls short GBK text Korean and short French text Chinese.
    path = write_file(tmp_path / "short.csv", text, encoding)
    assert detect_encoding(path) == encoding
    header, value = text.splitlines()[0], text.splitlines()[1]
    src = read_table(path)
    assert ",".join(src.columns).replace(";", ",") == header.replace(";", ",")
    assert list(read_rows(src)[0].values()) == value.replace(";", ",").split(",")


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "l1.csv"
    path.write_bytes("Nom;Note\nHélène;ok\n".encode("latin-1") + b"Roy;\x81\n")
    src = read_table(path)
    assert src.encoding == "latin-1"
    assert [r["Nom"] for r in read_rows(src)] == ["Hélène", "Roy"]


def test_cyrillic_cp1251_is_left_to_charset_normalizer(tmp_path: Path) -> None:
    text = "Имя;Город;Компания\nИван;Москва;Ромашка\nОльга;Санкт-Петербург;Вектор\n"
    path = write_file(tmp_path / "ru.csv", text * 5, "cp1251")
    src = read_table(path)
    assert src.encoding == "cp1251"
    assert src.columns == ("Имя", "Город", "Компания")


# -- the module's own functions ----------------------------------------------------------


def test_looks_chinese() -> None:
    assert looks_chinese("华为技术有限公司，深圳市南山区".encode("gb18030"))
    assert not looks_chinese("Hélène, Besançon".encode("cp1252"))  # "é," is no GB18030 pair
    assert not looks_chinese(b"plain ASCII, no wide character")
    assert not looks_chinese("Иван;Москва;Ромашка\n".encode("cp1251") * 5)


def test_guess_legacy() -> None:
    assert guess_legacy("客户名称,城市\n华为,深圳\n".encode("gb18030")) == "gb18030"
    assert guess_legacy("Nom;Société\nBlou;Café Crème\n".encode("cp1252")) == "cp1252"
    assert guess_legacy("Nom;Note\nHélène;\x81\n".encode("latin-1")) == "latin-1"
    cyrillic = "Имя;Город;Компания\nИван;Москва;Ромашка\nОльга;Санкт-Петербург;Вектор\n"
    assert guess_legacy((cyrillic * 5).encode("cp1251")) == "cp1251"


def test_line_codec_falls_back_to_cp1252_then_latin1() -> None:
    assert line_codec("华为,深圳".encode("gb18030"), "gb18030") == "gb18030"
    assert line_codec(b"caf\xe9", "gb18030") == "cp1252"  # a lead byte cut short
    assert line_codec(b"No\x81l", "cp1252") == "latin-1"  # 0x81 is no cp1252 character
