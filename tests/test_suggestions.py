"""Suggested follow-ups: after an answer, two or three next questions the store can answer about
the product in focus and its policies - never what was just answered - in the shopper's language.
Each one, asked, gets a grounded answer. Real pipeline over the demo store."""
from __future__ import annotations

import re
import string

from assistant.messages import DEFAULT_DIR, catalog, languages
from tests.conftest import ask


def test_suggestions_follow_a_product_answer_and_each_is_answerable(manager):
    session = manager.new_session()
    first = ask(manager, session, "How heavy is the Alpine 40 Pack?")["reply"]
    offered = first.next_questions
    assert 2 <= len(offered) <= 3, offered
    assert not any(re.search(r"heavy|weigh", q, re.I) for q in offered), "the weight was just answered"
    for question in offered:
        follow = ask(manager, session, question)["reply"]
        assert follow.cited and not follow.handoff, (question, follow.answer)


def test_a_policy_answer_suggests_other_policies_not_the_same_one(manager):
    session = manager.new_session()
    reply = ask(manager, session, "How long do I have to return running shoes?")["reply"]
    assert reply.next_questions
    assert not any("return" in q.lower() for q in reply.next_questions)
    assert any("shipping" in q.lower() for q in reply.next_questions)


def test_a_spanish_conversation_gets_spanish_suggestions(manager):
    session = manager.new_session(locale="es")
    reply = ask(manager, session, "How heavy is the Alpine 40 Pack?")["reply"]
    spanish = set(catalog("es", "suggestions").values()) | {
        q.strip() for v in catalog("es", "asks").values() for q in v.split("|")}
    assert reply.next_questions and all(q in spanish for q in reply.next_questions), reply.next_questions


def test_no_suggestions_when_nothing_was_answered(manager):
    session = manager.new_session()
    reply = ask(manager, session, "Who will win the football tonight?")["reply"]
    assert not reply.cited and reply.suggestions is None


def test_every_language_words_every_suggestion_with_the_same_fields():
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}   # noqa: E731
    english = catalog("en", "suggestions")
    for lang in languages(DEFAULT_DIR):
        own = {k: v for k, v in catalog(lang, "suggestions").items()}
        assert own.keys() == english.keys(), lang
        assert all(fields(own[k]) == fields(english[k]) for k in english), lang
