"""The conversation manager's turn, step by step, as a shopper and a front door see it."""
from __future__ import annotations

import pytest

from assistant.conversation import ConversationManager, Turn
from assistant.errors import AssistantError, InvalidInput
from tests.conftest import ask


def _types(events) -> list[str]:
    return [e.type for e in events]


def test_an_answered_turn_yields_its_steps_in_order_and_stores_every_event(manager):
    out = ask(manager, "conv-1", "How heavy is the Alpine 40 Pack?")
    types = _types(out["events"])
    assert types[0] == "token" and types[-5:] == ["citations", "products", "suggestions", "state", "done"]
    assert out["citations"]["citations"], "a product answer cites its evidence"
    # every yielded event was stored first, with the seq the client was given
    stored = manager.sessions.events("conv-1")
    assert [e.type for e in stored] == ["user", *types]
    assert [e.data["seq"] for e in out["events"]] == [e.seq for e in stored[1:]]
    assert {e.data["turn"] for e in out["events"]} == {1}


def test_a_rejected_turn_leaves_no_trace(manager):
    with pytest.raises(InvalidInput) as err:
        list(manager.respond("conv-2", Turn(text="x" * (manager.settings.limits.max_message_chars + 1))))
    assert err.value.limit == "max_message_chars"
    with pytest.raises(InvalidInput):
        list(manager.respond("conv-2", Turn(text="   ")))
    assert manager.sessions.events("conv-2") == []


def test_the_dialogue_state_carries_the_product_into_the_next_turn(manager):
    ask(manager, "conv-3", "Tell me about the Alpine 40 Pack.")
    follow = ask(manager, "conv-3", "how much is it?")
    assert follow["state"]["state"]["product_in_focus"] == "alpine-40-pack"
    assert any(c["source_id"].startswith("product/alpine-40-pack") for c in follow["citations"]["citations"])
    assert "$" in follow["answer"]
    assert manager.sessions.load_state("conv-3").turns == 2


def test_a_greeting_is_answered_without_evidence(manager):
    out = ask(manager, "conv-4", "hello!")
    assert out["citations"]["citations"] == []
    assert out["answer"] and not out["citations"].get("evidence")


def test_an_explicit_ask_for_a_person_routes_to_a_handoff_and_the_bot_stays_silent(manager):
    out = ask(manager, "conv-5", "I want to talk to a human please")
    assert _types(out["events"])[0] == "handoff"
    assert "token" not in _types(out["events"])
    assert out["answer"] == out["handoff"]["message"]
    relayed = ask(manager, "conv-5", "are you there?")
    assert relayed["handoff"].get("relayed") is True and "token" not in _types(relayed["events"])


class _FailingBackend:
    """A generative backend whose model dies before its first token."""
    name, generative, accepts_images = "failing", True, False

    def stream(self, request):
        raise AssistantError("the model server went away")
        yield  # pragma: no cover

    def describe_image(self, image):  # pragma: no cover
        return None

    def close(self):
        pass


def test_a_backend_that_fails_is_answered_by_the_store_information(demo_settings, demo_knowledge, tmp_path):
    from assistant.storage.sessions import SessionStore

    settings = demo_settings.model_copy(update={"data_dir": tmp_path})
    manager = ConversationManager(settings, knowledge=demo_knowledge,
                                  sessions=SessionStore(settings.sessions_url), backend=_FailingBackend())
    out = ask(manager, "conv-6", "How heavy is the Alpine 40 Pack?")
    notices = [e.data["text"] for e in out["events"] if e.type == "notice"]
    assert notices and "unavailable" in notices[0]
    assert "1.4 kg" in out["answer"]
    assert out["citations"]["citations"]


def test_an_order_reply_cites_the_store_page_by_its_title(manager):
    """The order desk's own replies (a verified customer) cite FAQ pages as shoppers see them."""
    from assistant.reply import Reply

    reply = Reply.fold(manager.respond("conv-orders", Turn(text="I want to cancel order NW-483377",
                                                           customer_id="C-1001")))
    assert "Shall I go ahead?" in reply.answer
    assert reply.cited and all(c["title"] != c["source_id"] for c in reply.cited), reply.cited
