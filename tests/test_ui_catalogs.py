"""The front doors' own words: one ``ui`` catalog per supported language with the same keys and
the same fields, written into the widget script the server sends."""
from __future__ import annotations

import json
import re
import string

import pytest
import yaml

from assistant.dialogue.language import SUPPORTED
from assistant.messages import DEFAULT_DIR, catalog, message
from assistant.settings import Settings
from assistant.web.ui_strings import PLACEHOLDER, STATIC, ui_catalogs, widget_script

ENGLISH = yaml.safe_load((DEFAULT_DIR / "en" / "ui.yaml").read_text(encoding="utf-8"))


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_language_has_every_key_with_the_same_fields(lang):
    own = yaml.safe_load((DEFAULT_DIR / lang / "ui.yaml").read_text(encoding="utf-8"))
    assert set(own) == set(ENGLISH)
    assert {k: fields(v) for k, v in own.items()} == {k: fields(v) for k, v in ENGLISH.items()}
    assert all(isinstance(v, str) and v.strip() for v in own.values())


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED if lang != "en"])
def test_each_language_says_it_in_its_own_words(lang):
    own = catalog(lang, "ui")
    assert own["send"] != ENGLISH["send"] and own["placeholder"] != ENGLISH["placeholder"]


def test_every_string_the_widget_asks_for_is_in_the_catalog():
    script = (STATIC / "widget.js").read_text(encoding="utf-8")
    asked = set(re.findall(r"""\bt\("(\w+)"\)""", script)) | set(re.findall(r"""\bt\("(\w+)",""", script))
    assert asked and asked <= set(ENGLISH), asked - set(ENGLISH)


def test_the_served_widget_carries_every_languages_words(tmp_path):
    settings = Settings(data_dir=tmp_path)
    script = widget_script(settings)
    assert PLACEHOLDER not in script
    embedded = re.search(r"var CATALOGS = (\{.*?\});\n", script).group(1)
    assert json.loads(embedded.replace("\\/", "/")) == ui_catalogs(settings)
    assert set(ui_catalogs(settings)) == set(SUPPORTED)


def test_fields_are_filled_in():
    assert message("ui.with_agent", "es", agent="Sam") == "Estás hablando con Sam"
    assert message("ui.unavailable", "ja", status=503).endswith("（HTTP 503）。")
