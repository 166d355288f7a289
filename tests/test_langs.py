"""The languages crmkit speaks (crmkit._util._langs): listed once, checked, picked."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import crmkit as ck
from crmkit._exceptions import UnknownValueError
from crmkit._util._langs import pick_label
from crmkit.schemas import (
    LANGS,
    check_lang,
    column_label,
)

PACKAGE = Path(ck.__file__).parent


def test_languages_are_one_tuple_and_checked() -> None:
    assert LANGS == ("en", "fr", "zh")
    for lang in LANGS:
        assert check_lang(lang) == lang
    with pytest.raises(UnknownValueError) as caught:
        check_lang("de")
    assert caught.value.valid == list(LANGS)
    assert "unknown language 'de'" in str(caught.value)
    for lang in LANGS:
        assert lang in str(caught.value)
    with pytest.raises(UnknownValueError, match="header language"):
        check_lang("FR", "header language")
    with pytest.raises(UnknownValueError):
        column_label("contacts", "last_name", "de")


def _literal_language_lists(path: Path) -> list[int]:
    """Lines of ``path`` with a literal tuple, list or set of exactly the languages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
            if tuple(values) == LANGS:
                lines.append(node.lineno)
    return lines


def test_the_language_list_is_written_once() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _literal_language_lists(path))
    }
    assert list(found) == ["_util/_langs.py"], found
    assert len(found["_util/_langs.py"]) == 1, found


def test_pick_label() -> None:
    labels = ("Revenue band", "Tranche de CA", "收入区间")
    assert [pick_label(labels, lang) for lang in ("en", "fr", "zh", "de", "")] == [
        "Revenue band",
        "Tranche de CA",
        "收入区间",
        "Revenue band",
        "Revenue band",
    ]
