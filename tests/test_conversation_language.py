"""The shopper's language through whole turns (ConversationManager.respond, the real demo store):
detected per message, kept in the dialogue state, followed when the shopper switches, and fixed
by the integrator's locale when one is set."""
from __future__ import annotations

import pytest

from assistant.conversation import Turn
from assistant.errors import InvalidInput
from assistant.reply import Reply
from tests.conftest import ask


def language_after(result: dict) -> str:
    return result["state"]["state"]["language"]


def test_a_conversation_follows_the_shopper_from_english_to_spanish_and_back(manager):
    session = manager.new_session()
    first = ask(manager, session, "How heavy is the Alpine 40 Pack?")
    assert language_after(first) == "en" and first["reply"].done.language == "en"
    spanish = ask(manager, session, "¿Y cuánto cuesta el envío a España?")
    assert language_after(spanish) == "es" and spanish["reply"].done.language == "es"
    # an order id or an "ok" says nothing: the conversation stays in Spanish
    assert language_after(ask(manager, session, "ok")) == "es"
    back = ask(manager, session, "Sorry, can we continue in English? What is your return policy?")
    assert language_after(back) == "en"
    assert manager.sessions.load_state(session).language == "en"


def test_chinese_and_japanese_are_read_off_their_script(manager):
    session = manager.new_session()
    assert language_after(ask(manager, session, "这个背包多重？")) == "zh"
    assert language_after(ask(manager, session, "送料はいくらですか")) == "ja"


def test_the_integrators_locale_wins_over_detection(manager):
    session = manager.new_session(locale="de-AT")
    state = manager.sessions.load_state(session)
    assert (state.locale, state.language) == ("de", "de")
    result = ask(manager, session, "Where is my order? I have been waiting for two weeks")
    assert language_after(result) == "de" and result["state"]["state"]["locale"] == "de"


def test_a_locale_on_a_turn_is_kept_for_the_turns_after_it(manager):
    session = manager.new_session()
    reply = Reply.fold(manager.respond(session, Turn(text="How heavy is the Alpine 40 Pack?", locale="fr")))
    assert reply.state.state["language"] == "fr"
    assert language_after(ask(manager, session, "And how much does it cost?")) == "fr"


@pytest.mark.parametrize("locale", ["klingon", "it"])
def test_a_bad_locale_is_refused_before_anything_is_stored(manager, locale):
    with pytest.raises(InvalidInput, match="'locale'"):
        manager.new_session(locale=locale)
    session = manager.new_session()
    with pytest.raises(InvalidInput, match="'locale'"):
        list(manager.respond(session, Turn(text="hello", locale=locale)))
    assert manager.sessions.transcript(session) == []
