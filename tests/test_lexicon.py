"""The shop's words per language: what the English lexicon holds, the fallback for a language
without one, and the language-neutral tokeniser and stemmer the rules match with."""
from __future__ import annotations

import dataclasses
import re

import pytest

from assistant.lexicon import Lexicon, languages, lexicon
from assistant.lexicon.text import has_phrase, like_any, similar, stem, stems, words

EN = lexicon("en")


def test_every_field_of_the_english_lexicon_is_filled():
    empty = [f.name for f in dataclasses.fields(Lexicon) if not getattr(EN, f.name)]
    assert empty == []
    assert EN.language == "en" and "en" in languages()


def test_one_stopword_set_serves_questions_and_product_names():
    from assistant.knowledge import products, retrieval

    assert products.WORDS.stopwords is EN.stopwords is retrieval.WORDS.stopwords
    assert {"the", "what", "do", "you", "is"} <= EN.stopwords
    assert not {"jacket", "waterproof", "refund"} & EN.stopwords


@pytest.mark.parametrize("lang", ["pt", "xx", "", None, "EN-gb"])
def test_a_language_without_its_own_module_falls_back_to_english(lang):
    assert lexicon(lang) is EN


def test_the_rules_find_what_a_shopper_says_in_english():
    assert EN.find_budget("any tents under $200?")[0] == 200.0
    assert EN.find_budget("it weighs under 2 kg") == (None, None)
    assert EN.only_budget("my budget is about $150", EN.find_budget("my budget is about $150")[1])
    assert not EN.only_budget("a tent under $150", EN.find_budget("a tent under $150")[1])
    assert "united kingdom" in EN.expand_places("Do you ship to the UK?")
    assert "international" in EN.expand_places("Do you ship to Canada?")
    assert "european union" in EN.expand_places("shipping to Germany")
    assert EN.content_stems("How heavy are the boots?") == ["heavy", "boot"]
    assert "weight" in EN.spec_synonyms["heavy"]
    assert EN.category_of["boot"] == ("footwear",)
    assert {"gift", "something"} <= EN.generic_nouns


@pytest.mark.parametrize("pattern, yes, no", [
    ("listing", "do you sell kayaks?", "how heavy is it?"),
    ("compare", "which is warmer?", "how warm is it?"),
    ("alternative", "show me something else", "show me tents"),
    ("sizing", "does it run small?", "is it waterproof?"),
    ("ellipsis", "and what about the blue one?", "is the blue one waterproof?"),
    ("other_one", "what about the other one?", "what about this one?"),
    ("cancel", "never mind, it's fine now", "my order never came"),
    ("abuse", "this is bullshit", "this is a backpack"),
    ("dissatisfied", "that's not what I asked", "that's what I wanted"),
])
def test_cue_patterns_tell_one_way_of_asking_from_another(pattern, yes, no):
    cue: re.Pattern[str] = getattr(EN, pattern)
    assert cue.search(yes) and not cue.search(no)


def test_sensitive_topics_and_asks_for_a_person_are_english_phrases():
    assert EN.sensitive["legal_threat"].search("I will take you to court")
    assert any(p.search("let me talk to a human") for p in EN.human_requests)
    assert EN.human_negated.search("I don't need a human")
    assert EN.negative_words["terrible"] < 0 < EN.positive_words["great"]


def test_words_lowercases_splits_hyphens_and_drops_possessives():
    assert words("The Alpine's anti-fog LENS") == ["the", "alpine", "anti-fog", "anti", "fog", "lens"]
    assert words("") == [] and words(None) == []


@pytest.mark.parametrize("word, same", [
    ("presses", "press"), ("knives", "knife"), ("batteries", "battery"), ("boots", "boot"),
    ("shipping", "ship"), ("returned", "return"), ("charging", "charge"),
])
def test_stem_folds_plurals_and_endings(word, same):
    assert stem(word) == stem(same)


@pytest.mark.parametrize("word", ["glass", "bus", "2041", "tent", "gps"])
def test_stem_leaves_words_without_an_ending_alone(word):
    assert stem(word) == word


def test_stem_plural_only_keeps_a_kind_apart_from_an_activity():
    assert stem("backpacking", plural_only=True) == "backpacking"
    assert stem("backpacks", plural_only=True) == "backpack"
    assert stem("presses", plural_only=True) == "press"


def test_similar_and_has_phrase_match_whole_words():
    assert similar("bright", "brightness") and similar("resistant", "resistance")
    assert not similar("bag", "bagel") and not similar("warm", "warranty")
    assert has_phrase("can i iron it?", "iron") and not has_phrase("ironing board", "iron")
    assert not has_phrase("anti-fog", "fog")


def test_like_any_finds_what_comparing_every_word_finds(shared_data):
    """The prefix-bucketed search agrees with ``similar`` asked of every word, on a catalog we did
    not write: every product name and type word against each product description's stems."""
    import json

    products = json.loads((shared_data / "eshop-catalog" / "catalog.json").read_text())
    descriptions = [stems(p["Description"]) for p in products]
    asked = sorted({stem(w) for p in products for w in words(p["Name"] + " " + p["Type"])})
    found = 0
    for own in descriptions:
        for a in asked:
            expected = any(similar(a, w) for w in own)
            assert like_any(a, own) is expected, (a, sorted(own))
            found += expected
    assert found > len(descriptions)          # the comparison met matches, not only misses
