"""``ck.set_config`` / ``ck.config_context``: one place for the language and table display."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

import crmkit as ck
from crmkit._util._config import chosen_lang, current_lang


def test_defaults_are_no_language_interactive_twenty_rows():
    code = "import crmkit as ck; print(sorted(ck.get_config().items()))"
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("CRMKIT_")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == (
        "[('display_rows', 20), ('lang', None), ('table_display', 'interactive')]"
    )


def test_environment_gives_the_defaults():
    code = "import crmkit as ck; c = ck.get_config(); print(c['lang'], c['display_rows'])"
    env = dict(__import__("os").environ, CRMKIT_LANG="FR", CRMKIT_DISPLAY_ROWS="7")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["fr", "7"]


def test_bad_environment_value_names_the_variable():
    code = "import crmkit as ck; ck.get_config()"
    env = dict(__import__("os").environ, CRMKIT_DISPLAY_ROWS="many")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "CRMKIT_DISPLAY_ROWS" in out.stderr and "'many'" in out.stderr


def test_set_config_lasts_and_context_restores():
    ck.set_config(lang="fr")
    assert current_lang() == "fr"
    with ck.config_context(lang="zh", display_rows=5):
        assert ck.get_config() == {"lang": "zh", "table_display": "interactive", "display_rows": 5}
    assert ck.get_config()["lang"] == "fr" and ck.get_config()["display_rows"] == 20


def test_context_restores_after_an_error():
    with pytest.raises(RuntimeError), ck.config_context(lang="zh"):
        raise RuntimeError("boom")
    assert current_lang() == "en" and chosen_lang() is None


def test_set_config_inside_a_context_lasts_until_it_ends():
    with ck.config_context():
        ck.set_config(lang="zh")
        assert current_lang() == "zh"
    assert chosen_lang() is None


def test_context_does_not_leak_into_another_thread():
    seen: list[str] = []
    with ck.config_context(lang="zh"):
        worker = threading.Thread(target=lambda: seen.append(current_lang()))
        worker.start()
        worker.join()
    assert seen == ["en"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lang": "de"}, "unknown language 'de'"),
        ({"lang": "FR"}, "Did you mean 'fr'"),
        ({"table_display": "interactiv"}, "Did you mean 'interactive'"),
        ({"display_rows": 0}, "display_rows must be a whole number ≥ 1, not 0"),
        ({"display_rows": True}, "not True"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(changes, message):
    with pytest.raises(ck.CRMKitError, match=message):
        ck.set_config(**changes)
    with pytest.raises(ck.CRMKitError, match=message), ck.config_context(**changes):
        pass
    assert ck.get_config() == {"lang": None, "table_display": "interactive", "display_rows": 20}


def test_unknown_setting_in_context_suggests_the_closest():
    with (
        pytest.raises(ck.UnknownValueError, match="Did you mean 'lang'"),
        ck.config_context(langs="fr"),
    ):
        pass
