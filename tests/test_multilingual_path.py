"""Shoppers in other languages over an English-only embedding model (the default): their messages
are classified and searched with multilingual-e5-small over the multilingual index, while English
messages keep the main model and collection (real models, real Chroma, the demo store)."""
from __future__ import annotations

import re

import pytest

from assistant.knowledge.embeddings import MULTILINGUAL_E5
from tests.conftest import ask

HAN = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")
ALPINE_SPECS = "product/alpine-40-pack#specs"


def cited(result: dict) -> list[str]:
    return [c["source_id"] for c in result.get("citations", {}).get("citations", [])]


def answer_of(manager, text: str) -> dict:
    session = manager.new_session()
    result = ask(manager, session, text)
    assert "answer" in result, f"no answer for {text!r}"
    return result


def test_the_index_mirrors_the_main_collection_and_syncs_incrementally(multilingual_knowledge):
    main, index = multilingual_knowledge.store, multilingual_knowledge.multilingual_store
    assert set(main.hashes()) == set(index.hashes()) and main.hashes() == index.hashes()
    assert index.recorded_model()["embedding_model"] == MULTILINGUAL_E5
    assert main.recorded_model()["embedding_model"] != MULTILINGUAL_E5
    report = multilingual_knowledge.ingest()          # nothing changed: nothing embedded in either
    assert (report.embedded, report.multilingual_embedded) == (0, 0)


@pytest.mark.parametrize("question, script", [
    ("Alpine 40 背包有多重?", HAN),
    ("Alpine 40 の重さは？", KANA),
    ("¿Cuánto pesa la mochila Alpine 40?", None),
    ("Combien pèse le sac Alpine 40 ?", None),
])
def test_the_alpine_weight_is_answered_in_the_shoppers_language(multilingual_manager, question, script):
    result = answer_of(multilingual_manager, question)
    assert "1.4 kg" in result["answer"] or "1,4 kg" in result["answer"], result["answer"]
    assert any(s.startswith("product/alpine-40-pack") for s in cited(result)), cited(result)
    assert result["state"]["state"]["intent"] != "out_of_scope"
    if script is not None:
        assert script.search(result["answer"]), result["answer"]


SHIPPING_TIMES = ("faq/shipping-times", "policy/shipping#domestic-shipping", "policy/shipping#processing-times")
RETURNS = ("faq/returns-window", "policy/returns")


@pytest.mark.parametrize("question, language, expected", [
    ("Wie lange dauert der Versand?", "de", SHIPPING_TIMES),
    ("¿Cuál es la política de devoluciones?", "es", RETURNS),
    ("退货政策是什么？", "zh", RETURNS),
])
def test_policy_questions_find_the_policy_page(multilingual_manager, question, language, expected):
    result = answer_of(multilingual_manager, question)
    assert result["reply"].done.language == language
    sources = cited(result)
    assert sources and sources[0].startswith(expected), sources
    assert not any("tracking" in s for s in sources[:1]), sources


def test_english_keeps_the_main_model_and_collection(multilingual_manager, multilingual_knowledge):
    classifier = multilingual_manager.tracker.classifier
    assert classifier.for_language("en") is classifier
    assert multilingual_knowledge.retriever_for("en") is multilingual_knowledge.retriever
    assert multilingual_knowledge.retriever_for("zh").encoder.name == MULTILINGUAL_E5
    result = answer_of(multilingual_manager, "How heavy is the Alpine 40 Pack?")
    assert "1.4 kg" in result["answer"] and cited(result)[0].startswith("product/alpine-40-pack")


def test_without_the_index_other_languages_fall_back_to_the_main_model(manager):
    """multilingual_index off (the demo fixture's setting): the main collection answers every
    language, as before the index existed."""
    assert manager.knowledge.multilingual_store is None
    assert manager.knowledge.retriever_for("zh") is manager.knowledge.retriever
    assert manager.tracker.classifier.for_language("zh") is manager.tracker.classifier


@pytest.mark.parametrize("lang, question, intent, page", [
    ("zh", "下单后还能改地址吗？刚下单十分钟", "order_status", "faq/order-change-cancel"),
    ("fr", "Mon colis est marqué livré mais je l'ai jamais reçu, je fais quoi ?", "order_status",
     "faq/shipping-lost-package"),
])
def test_a_guessed_intent_does_not_choose_the_page_for_a_question_in_another_language(
        multilingual_knowledge, lang, question, intent, page):
    """The question's words share none with the English pages, so the intent's English hint words
    ("tracking" for order_status) no longer lift a page over the one the question means."""
    found = multilingual_knowledge.retriever_for(lang).search(question, k=6, intent=intent)
    docs = sorted((e for e in found if e.kind in ("faq", "policy")), key=lambda e: -e.metadata["rank_score"])
    assert docs and docs[0].source_id == page, [(e.source_id, e.metadata["rank_score"]) for e in docs]


@pytest.mark.parametrize("turns, fact, source", [
    (["How much is the Alpine 40 Pack?", "perdón, prefiero escribir en español. ¿cuánto pesa?"],
     "1.4 kg", "product/alpine-40-pack"),
    (["Icefall Insulated Bottle 有什么颜色", "保冷多久", "用什么材料做的"],
     "stainless steel", "product/icefall-insulated-bottle"),
])
def test_a_follow_up_in_another_language_is_answered_from_the_product_in_focus(multilingual_manager, turns,
                                                                               fact, source):
    """A short follow-up (or one after "let me switch to Spanish") scores low against every chunk
    across languages (0.17 and 0.30 here, under the demo store's 0.30 low-confidence cut), yet it
    surely asks for a fact of the product in focus: it is answered from that product, not handed
    to a person nor met with "I don't know"."""
    session = multilingual_manager.new_session()
    for text in turns:
        result = ask(multilingual_manager, session, text)
    assert "handoff" not in result, result.get("handoff")
    assert fact in result["answer"], result["answer"]
    assert any(s.startswith(source) for s in cited(result)), cited(result)


@pytest.mark.parametrize("question, values", [
    ("Was kostet der Alpine 40 Pack und wie schwer ist er?", ["149,00", "1.4 kg"]),
    ("la mochila Alpine 40 cuánto cuesta y cuánto pesa?", ["149,00", "1.4 kg"]),
    ("Alpine 40 Pack 多重？多少升？", ["1.4 kg", "40 L"]),
])
def test_every_part_of_a_several_part_question_in_another_language_is_answered(multilingual_manager, question,
                                                                               values):
    """Split by the shopper's language's question words ("und wie", "y cuánto") and question marks
    ("？"), each part restated on its own: the second question is not dropped."""
    answer = answer_of(multilingual_manager, question)["answer"]
    assert all(v in answer for v in values), answer


@pytest.mark.parametrize("text, language, parts", [
    ("sind die Stiefel wasserdicht? und wie schwer sind die", "de", 2),
    ("el protector cuánto factor tiene y cuánto dura en el agua?", "es", 2),
    ("¿Hacéis envíos a Chile? cuánto cuesta y cuánto tarda", "es", 3),
    ("有白色的吗？多少钱？", "zh", 2),
    ("Die Jacke ist toll und wie viel kostet sie?", "de", 1),            # a statement, then one question
    ("la quiero pal finde que es el cumple de mi hermano", "es", 1),    # "que" unaccented: not a question
    ("It has been 3 weeks. Where is my order?", "en", 1),
    ("What's included with the tent and how much does it weigh?", "en", 2),
])
def test_a_message_is_split_into_the_questions_it_asks_in_its_own_language(text, language, parts):
    from assistant.answers.questions import question_parts

    assert len(question_parts(text, language)) == parts, question_parts(text, language)


@pytest.mark.parametrize("lang, question, page", [
    ("de", "Versendet ihr auch nach Österreich?", "faq/shipping-international"),
    ("zh", "你们发货到加拿大吗？", "faq/shipping-international"),
    ("fr", "Je peux payer par virement ?", "faq/payment-methods"),
])
def test_the_places_and_topics_a_question_names_in_its_language_find_the_page(multilingual_knowledge, lang,
                                                                             question, page):
    """The shopper's language's lexicon names them in the pages' English words ("Österreich" ->
    austria, EU, international; "virement" -> payment), which the keyword ranking then matches."""
    found = multilingual_knowledge.retriever_for(lang).search(question, k=6, language=lang)
    docs = sorted((e for e in found if e.kind in ("faq", "policy")), key=lambda e: -e.metadata["rank_score"])
    assert docs and docs[0].source_id == page, [(e.source_id, e.metadata["rank_score"]) for e in docs]
