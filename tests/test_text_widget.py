"""The words the widgets show (crmkit.widgets._text): one entry per language, placeholders,
section titles, rule sentences and agreement levels."""

from __future__ import annotations

import re

import pytest

from crmkit.schemas import LANGS
from crmkit.widgets import _text as text


def test_every_word_has_every_language_and_the_same_placeholders() -> None:
    for key, labels in text._UI.items():
        assert len(labels) == len(LANGS) and all(labels), key
        fields = [set(re.findall(r"{(\w+)}", label.lower())) for label in labels]
        assert all(f == fields[0] for f in fields), key


def test_ui_section_title_rule_message_and_level_label() -> None:
    assert text.ui("save", "zh") == "保存" and text.ui("save", "de") == "Save"
    assert text.ui("undone", "fr", batch=7) == "Lot 7 annulé"
    with pytest.raises(KeyError):
        text.ui("no such word")
    assert text.section_title("address", "fr") == "Adresse"
    assert text.section_title("unknown_group", "fr") == "unknown_group"
    assert text.rule_message("max_length(100)", "en") == "At most 100 characters"
    assert text.rule_message("no_such_rule(3)", "fr") == "no_such_rule(3)"
    assert text.rule_message("required", "fr") == "Obligatoire"
    assert text.level_label("exact", "zh") == "相同"
    assert text.level_label("unheard_of") == "unheard_of"
