"""Whole turns in the shopper's language (ConversationManager.respond over the real demo store):
an ask for a person in Spanish, German, Chinese or Japanese hands the conversation off, a negated
one does not, and anger, a budget or a follow-up are read in the language the shopper writes."""
from __future__ import annotations

import pytest

from tests.conftest import ask


def _types(result: dict) -> list[str]:
    return [e.type for e in result["events"]]


@pytest.mark.parametrize("text, language", [
    ("Hola, quiero hablar con una persona, por favor", "es"),
    ("Guten Tag, ich möchte bitte mit einem Mitarbeiter sprechen", "de"),
    ("Bonjour, je veux parler à un conseiller s'il vous plaît", "fr"),
    ("你好，我要转人工客服", "zh"),
    ("すみません、担当者と話したいです", "ja"),
])
def test_an_ask_for_a_person_in_the_shoppers_language_hands_off(manager, text, language):
    session = manager.new_session()
    out = ask(manager, session, text)
    assert out["state"]["state"]["language"] == language
    assert _types(out)[0] == "handoff" and "token" not in _types(out)
    assert out["answer"] == out["handoff"]["message"]


@pytest.mark.parametrize("text", [
    "No quiero hablar con una persona, solo dime cuánto pesa la mochila Alpine 40",
    "Ich möchte nicht mit einem Menschen sprechen, wie schwer ist der Alpine 40 Rucksack?",
    "我不需要人工客服，Alpine 40 背包多重？",
])
def test_a_negated_ask_for_a_person_is_not_taken_for_one(manager, text):
    out = ask(manager, manager.new_session(), text)
    assert out["state"]["state"]["intent"] != "human_request"
    # the bot may still hand off for another reason (an answer it is unsure of), never this one
    assert out.get("handoff", {}).get("rule") != "explicit_request"


def test_a_spanish_shopper_is_read_in_spanish_turn_after_turn(manager):
    session = manager.new_session()
    ask(manager, session, "¿Tienen mochilas por menos de 150 euros?")
    state = manager.sessions.load_state(session)
    assert state.language == "es" and state.budget == 150
    angry = ask(manager, session, "Esto es una mierda, sois unos inútiles")
    assert manager.sessions.load_state(session).frustration > state.frustration
    assert angry["state"]["state"]["sentiment"] <= -0.5
