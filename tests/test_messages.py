"""Message catalogs: a shopper's language gets its own sentences, English fills any gap."""
from pathlib import Path

import pytest

from assistant.errors import CatalogError
from assistant.messages import catalog, language_code, message


def test_a_language_with_a_catalog_gets_its_own_sentence():
    assert "没有找到" in message("replies.not_in_store", "zh-CN", store="Northwind")
    assert "Northwind" in message("replies.not_in_store", "zh", store="Northwind")


def test_a_language_without_one_gets_english():
    assert message("replies.not_in_store", "sw", store="Northwind").startswith("I couldn't find")


def test_store_catalog_overrides_and_bad_files_are_named(tmp_path: Path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "ui.yaml").write_text("send: Send\nplaceholder: Ask us anything\n")
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "ui.yaml").write_text("send: Enviar\n")
    assert catalog("es", "ui", tmp_path) == {"send": "Enviar", "placeholder": "Ask us anything"}
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "ui.yaml").write_text("send: [not, a, sentence]\n")
    with pytest.raises(CatalogError, match="ui.yaml"):
        catalog("de", "ui", tmp_path)
    with pytest.raises(KeyError, match="ui.nope"):
        message("ui.nope", "en", tmp_path)


def test_language_codes_are_normalised():
    assert [language_code(x) for x in ("zh-CN", "es_MX", "EN", None, "")] == ["zh", "es", "en", "en", "en"]
