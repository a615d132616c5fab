"""Which products a shopper's words name, over the demo store's real catalog: full, partial and
misspelt names, short forms, and what kind of thing a browsing question asks for."""
from __future__ import annotations

import pytest

from assistant.knowledge.catalog import load_catalog
from assistant.knowledge.products import ProductDirectory, asked_kind, kind_match, names_product
from assistant.settings import PROJECT_ROOT

PRODUCTS = load_catalog(PROJECT_ROOT / "knowledge" / "catalog.json")
DIRECTORY = ProductDirectory(PRODUCTS)


@pytest.mark.parametrize("question, product_id", [
    ("how heavy is the Alpine 40 Pack?", "alpine-40-pack"),              # the whole name
    ("is the alpine pack waterproof?", "alpine-40-pack"),                # part of it, lower case
    ("how heavy is the Alpine 40 pak?", "alpine-40-pack"),               # a typo in a common word
    ("is the alpin 40 pack waterproof", "alpine-40-pack"),               # a typo in the brand word
    ("does the Summit Rain Jaket have a hood?", "summit-rain-jacket"),
    ("is the Snowline warm?", "snowline-insulated-boot"),                # its own first word alone
    ("do you sell French presses?", "brewhaus-steel-french-press"),      # the kind plus a qualifier
    ("are ridgecrest boots true to size?", "ridgecrest-waterproof-boot"),  # plural of the name's kind
])
def test_a_product_is_found_from_how_shoppers_write_its_name(question, product_id):
    assert DIRECTORY.find_ids(question)[0] == product_id


@pytest.mark.parametrize("question", ["what time do you open?", "do you have shoes?", "pack", "is it waterproof?"])
def test_a_question_naming_no_product_finds_none(question):
    assert DIRECTORY.find_ids(question) == []


def test_two_named_products_both_come_back_in_order_of_fit():
    ids = DIRECTORY.find_ids("Which is warmer, the Ridgecrest Waterproof Boot or the Snowline Insulated Boot?")
    assert ids[:2] == ["ridgecrest-waterproof-boot", "snowline-insulated-boot"]


def test_name_of_gives_the_catalog_name_and_an_unknown_id_back_as_it_is():
    assert DIRECTORY.name_of("alpine-40-pack") == "Alpine 40 Pack"
    assert DIRECTORY.name_of("no-such-product") == "no-such-product"
    assert DIRECTORY.get("no-such-product") is None and DIRECTORY.get(None) is None
    assert len(DIRECTORY) == len(PRODUCTS)


@pytest.mark.parametrize("question, phrase, kind", [
    ("do you sell kayaks?", "kayaks", ["kayak"]),
    ("do you have any bike helmets under $50?", "bike helmets", ["bike", "helmet"]),
    ("looking for running shoes for trails", "running shoes", ["running", "shoe"]),
    ("show me some gift ideas", "gift ideas", []),        # browsing without naming a kind
    ("how heavy is it?", "", []),
])
def test_asked_kind_is_the_thing_a_browsing_question_names(question, phrase, kind):
    assert asked_kind(question) == (phrase, kind)


def _of_kind(kind: list[str]) -> set[str]:
    return {p.id for p in PRODUCTS if kind_match(p, kind)}


def test_kind_match_finds_products_of_that_kind_by_name_tags_or_category():
    assert _of_kind(["headlamp"]) == {"lumen-300-headlamp"}
    assert _of_kind(["hat"]) == {"tundra-rib-beanie"}                 # tagged "hat"
    boots = _of_kind(["boot"])                                         # "boot" belongs to footwear
    assert {"ridgecrest-waterproof-boot", "snowline-insulated-boot"} <= boots
    assert not boots & {"alpine-40-pack", "summit-rain-jacket"}


def test_a_product_used_for_something_is_not_that_thing():
    # the water shoe is tagged "kayak" and is "for kayaking", but it is not a kayak
    assert _of_kind(["kayak"]) == set()


def test_more_asked_words_held_rank_a_product_higher():
    runners = {p.id: kind_match(p, ["running", "shoe"]) for p in PRODUCTS}
    assert runners["trailblazer-running-shoe"] > runners["drift-recovery-slide"] > 0


def test_names_product_strict_needs_the_own_word_or_the_whole_name():
    alpine = DIRECTORY.get("alpine-40-pack")
    assert names_product(alpine, "is the alpine good?", strict=True)
    assert names_product(alpine, "a 40 pack?") and not names_product(alpine, "a 40 pack?", strict=True)
