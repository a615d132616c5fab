"""What the Gradio chat draws, from the session store: typed text as typed, citations numbered
from 1 by title, a person's replies and notices apart from the bot's answers, friendly limits."""
from __future__ import annotations

from assistant.errors import InvalidInput
from assistant.handoff.policy import HandoffDecision
from assistant.web.chat_ui import chat_history, limit_message, numbered, shown, thumb
from assistant.web.ui_strings import messages_dir
from tests.conftest import ask

WORDS = {"sources": "Sources", "agent": "Agent", "in_stock": "In stock", "out_of_stock": "Out of stock",
         "error": "Something went wrong."}


def test_typed_markup_is_escaped_and_plain_text_is_left_alone():
    assert shown("<b>bold?</b>") == "&lt;b&gt;bold?&lt;/b&gt;"
    assert "<img" not in shown("<img src=x onerror=alert(1)>")
    assert shown("My zipper broke - can a human help?") == "My zipper broke - can a human help?"
    assert shown("*not bold* [not](a-link)") == r"\*not bold\* \[not\](a-link)"


def test_citation_marks_are_renumbered_from_one_in_order_of_use():
    sources = [{"number": 2, "title": "Returns"}, {"number": 4, "title": "Alpine 40 Pack"}, {"number": 5, "title": "x"}]
    text, cited = numbered("It weighs 1.4 kg [4]; returns take 30 days [2] [4].", sources)
    assert text == "It weighs 1.4 kg [1]; returns take 30 days [2] [1]."
    assert [c["title"] for c in cited] == ["Alpine 40 Pack", "Returns"]


def test_thumbs_map_to_ratings():
    assert [thumb(v) for v in (True, False, "Like", "Dislike", None)] == ["up", "down", "up", "down", None]


def test_limits_are_told_in_the_shoppers_words(manager):
    directory = messages_dir(manager.settings)
    said = limit_message(InvalidInput("the limit is 4000 (max_message_chars)", limit="max_message_chars"),
                         manager.settings, "es", directory)
    assert str(manager.settings.limits.max_message_chars) in said and "max_message_chars" not in said
    assert said != limit_message(InvalidInput("x", limit="max_message_chars"), manager.settings, "en", directory)
    assert limit_message(InvalidInput("empty", limit="empty_message"), manager.settings, "en", directory) is None


def test_the_chat_is_rebuilt_from_the_store_with_a_persons_replies_apart(manager):
    session = manager.new_session()
    ask(manager, session, "How heavy is the Alpine 40 Pack?")
    assert chat_history(manager, session, WORDS)[2], "the answer offers next questions"
    manager.takeover.start(session, HandoffDecision(True, "explicit_request", "asked for a person", "live",
                                                    "Connecting you."), manager.sessions.load_state(session))
    manager.takeover.agent_join(session, "Sam")
    manager.takeover.agent_reply(session, "Hi, Sam <here>.", "Sam")
    messages, turns, suggestions = chat_history(manager, session, WORDS)
    assert messages[0] == {"role": "user", "content": "How heavy is the Alpine 40 Pack?"}
    answer = messages[1]["content"]
    assert "1.4 kg" in answer and "**Sources**" in answer and "\n1. " in answer and "#specs" not in answer
    assert turns[1] == 1, "the answer is rateable as turn 1"
    assert suggestions == [], "no bot suggestions under a person's reply"
    joined = [m["content"] for m in messages if "joined" in m["content"]]
    assert len(joined) == 1 and "Sam <here>" not in joined[0]
    assert messages[-1]["content"] == "**Sam** (Agent): Hi, Sam &lt;here&gt;."
    assert all(m["content"] for m in messages), "no empty bubble"
