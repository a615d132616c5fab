"""The shopper's language per message (assistant.dialogue.language), measured on short shop
messages: tests/fixtures/language_messages.yaml (written for this project) and the English
utterances of the Bitext validation split. Floors sit a little under what the detector reaches
(scripts/bench_language.py prints the numbers), so a regression breaks them."""
from __future__ import annotations

import csv
import json

import pytest
import yaml

from assistant.dialogue.language import SUPPORTED, detect_language, normalise_locale
from assistant.errors import InvalidInput
from assistant.settings import PROJECT_ROOT

DATA = yaml.safe_load((PROJECT_ROOT / "tests" / "fixtures" / "language_messages.yaml").read_text(encoding="utf-8"))
NAMES = [p["name"] for p in json.loads((PROJECT_ROOT / "knowledge" / "catalog.json").read_text())]


def switched_from(lang: str) -> str:
    return "es" if lang == "en" else "en"


def test_the_labelled_set_covers_every_language_with_enough_messages():
    assert set(DATA["messages"]) == set(SUPPORTED)
    assert all(len(messages) >= 30 for messages in DATA["messages"].values())


@pytest.mark.parametrize("lang", SUPPORTED)
def test_a_shopper_who_switches_language_is_recognised(lang):
    """The hard case: the conversation so far was in another language."""
    messages = DATA["messages"][lang]
    misses = [m for m in messages if detect_language(m, switched_from(lang), NAMES) != lang]
    floor = 0.95 if lang in ("zh", "ja", "de") else 0.85
    assert 1 - len(misses) / len(messages) >= floor, misses


def test_overall_accuracy_on_short_shop_messages():
    pool = [(m, lang) for lang, messages in DATA["messages"].items() for m in messages]
    right = sum(detect_language(m, switched_from(lang), NAMES) == lang for m, lang in pool)
    assert right / len(pool) >= 0.94, right


@pytest.mark.parametrize("lang", SUPPORTED)
def test_a_conversation_stays_in_its_language(lang):
    messages = DATA["messages"][lang]
    assert [m for m in messages if detect_language(m, lang, NAMES) != lang] == []


@pytest.mark.parametrize("previous", SUPPORTED)
def test_messages_that_say_no_language_keep_the_conversations(previous):
    """Order ids, emails, amounts, sizes, "ok", product names."""
    moved = {str(m): detect_language(str(m), previous, NAMES) for m in DATA["keep"]}
    assert {m: lang for m, lang in moved.items() if lang != previous} == {}


def test_bitext_english_is_recognised_after_another_language(shared_data):
    path = shared_data / "bitext-customer-service" / "Bitext_Sample_Customer_Service_Validation_Dataset.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        utterances = [row["utterance"] for row in csv.DictReader(handle)]
    for previous in ("es", "de", "zh"):
        right = sum(detect_language(u, previous, NAMES) == "en" for u in utterances)
        assert right / len(utterances) >= 0.95, (previous, right, len(utterances))


def test_neighbouring_languages_are_not_forced_into_a_supported_one():
    assert detect_language("Buongiorno, dov'è il mio ordine? Non è ancora arrivato", "en") == "it"
    assert detect_language("Olá, onde está a minha encomenda? Ainda não chegou", "en") == "pt"
    assert detect_language("Hallo, waar is mijn bestelling? Hij is nog niet aangekomen", "en") == "nl"


def test_product_names_do_not_count_as_words_of_a_language():
    assert detect_language("Summit Rain Jacket Ridgecrest Waterproof Boot", "es", NAMES) == "es"
    assert detect_language("Summit Rain Jacket Ridgecrest Waterproof Boot", "es") == "en"   # unnamed: read


@pytest.mark.parametrize("value, code", [("es", "es"), ("zh-CN", "zh"), ("de_AT", "de"), (" FR ", "fr"),
                                         (None, None), ("", None)])
def test_an_integrators_locale_reads_as_a_supported_language(value, code):
    assert normalise_locale(value) == code


@pytest.mark.parametrize("value", ["klingon", "it", "xx-YY", 42])
def test_a_bad_locale_is_refused_naming_the_field(value):
    with pytest.raises(InvalidInput, match="'locale'") as refused:
        normalise_locale(value)
    assert refused.value.limit == "locale"


@pytest.mark.parametrize("message, lang", [("y en rojo?", "es"), ("und die Farbe?", "de"), ("et en bleu ?", "fr"),
                                           ("und in rot?", "de"), ("y el precio?", "es"), ("et le prix ?", "fr")])
def test_a_short_follow_up_keeps_the_conversations_language(message, lang):
    assert detect_language(message, lang, NAMES) == lang


def test_a_short_message_switches_only_when_the_detector_is_sure():
    assert detect_language("und in rot?", "en") == "en"          # de .21, en .20: a tie keeps English
    assert detect_language("what about red?", "es") == "en"      # en .69: the shopper switched


def test_part_of_a_product_name_does_not_count_as_english():
    assert detect_language("¿y los Pulsewave?", "es", ["Pulsewave Wireless Earbuds"]) == "es"
    assert detect_language("C'est combien la chemise Dockside Oxford ?", "en", ["Dockside Oxford Shirt"]) == "fr"


def test_a_neighbour_barely_ahead_of_a_supported_language_gives_way_to_it():
    # lingua: nl .49, de .48 - a German shopper, not a Dutch one we could not answer
    assert detect_language("wie schwer sind die Switchback Carbon Trekkingstöcke im Paar?", "en") == "de"


def test_a_first_message_takes_its_likeliest_language_but_english_stays_english():
    first = "el protector solar Dayglow cuanto factor tiene y cuanto dura en el agua?"    # es .47, en .29
    assert detect_language(first, "en", settled=False) == "es"
    assert detect_language(first, "en") == "en"                  # mid-conversation: not sure enough to switch
    english = DATA["messages"]["en"] + [str(m) for m in DATA["keep"]]
    assert [m for m in english if detect_language(m, "en", NAMES, settled=False) != "en"] == []


def test_a_language_we_do_not_answer_in_needs_a_sure_reading():
    # without its name, "Is the Stormbreaker Waterproof Jacket windproof?" is "Is the windproof?":
    # nl .61, en .16 - an English shopper, who must not get the other-language path
    named = ["Stormbreaker Waterproof Jacket"]
    assert detect_language("Is the Stormbreaker Waterproof Jacket windproof?", "en", named, settled=False) == "en"
    assert detect_language("Hoeveel kost de rugzak?", "en", settled=False) == "nl"          # nl .96
