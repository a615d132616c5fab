"""Human takeover: a handoff opens a ticket, a person owns the chat (the bot stays silent), the
agent's replies reach the shopper's stream, hand back, "never mind", and resolved tickets that do
not loop. Real SQLite, the real tracker and handoff policy over the demo store."""
from __future__ import annotations

import pytest

from assistant.events import ReplyEvent
from assistant.handoff.policy import HandoffDecision, HandoffPolicy
from assistant.storage.sessions import SessionStore
from assistant.handoff.takeover import HandoffTurn, Takeover, TakeoverConflict, takeover_turn
from tests.conftest import ask


def _png(color: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(out, format="PNG")
    return out.getvalue()


PHOTO = _png((40, 90, 60))     # a real (tiny) PNG, as a shopper's upload would be


@pytest.fixture(scope="module")
def tracker(demo_settings, demo_knowledge):
    from assistant.dialogue.intents import IntentClassifier
    from assistant.dialogue.tracker import DialogueTracker

    directory = demo_knowledge.directory
    return DialogueTracker(IntentClassifier(settings=demo_settings), directory.find_ids, directory.name_of)


@pytest.fixture(scope="module")
def policy(demo_settings):
    return HandoffPolicy.load(demo_settings.knowledge_dir / "handoff.yaml")


@pytest.fixture()
def store(tmp_path):
    return SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")


@pytest.fixture()
def takeover(store):
    return Takeover(store, store_name="Northwind")


def shopper_turn(store, tracker, policy, takeover, session, text, bot_answer="Here is what I found."):
    """One turn as the manager runs it once takeover is wired in: store the message, track,
    decide, let the takeover route it, and answer only when it says the bot may speak."""
    number = store.last_turn(session) + 1
    store.append(session, number, "user", {"content": text, "images": []})
    state, signals = tracker.update(store.load_state(session), text)
    decision = policy.decide(state, signals)

    def emit(type_, **data):
        return ReplyEvent(type_, {**data, "seq": store.append(session, number, type_, data), "turn": number})

    events, routing = [], takeover_turn(takeover, HandoffTurn(session, number, decision, state, emit, text))
    try:
        while True:
            events.append(next(routing))
    except StopIteration as stop:
        silent = stop.value
    if not silent:
        events.append(emit("token", text=bot_answer))
        events.append(emit("done", answer=bot_answer))
    store.save_state(session, state)
    return {"events": events, "silent": silent, "decision": decision,
            "handoff": next((e.data for e in events if e.type == "handoff"), None)}


def test_a_handoff_opens_one_ticket_with_transcript_summary_photos_and_reason(manager, demo_knowledge):
    store = manager.sessions
    takeover = Takeover(store, product_name=demo_knowledge.directory.name_of)
    session = manager.new_session()
    first = ask(manager, session, "How heavy is the Alpine 40 Pack?")
    assert "1.4" in first["answer"]
    ask(manager, session, "The strap tore on the first day, see the photo", images=[PHOTO])
    state = store.load_state(session)
    decision = HandoffDecision(True, "explicit_request", "shopper asked for a person", "live",
                               "I'm bringing in a member of our team now.")

    ticket = takeover.start(session, decision, state)

    assert ticket.status == "queued" and ticket.rule == "explicit_request"
    assert ticket.reason == "shopper asked for a person"
    summary = ticket.summary
    assert summary["slots"]["product_in_focus"]["name"] == "Alpine 40 Pack"
    assert summary["tried"][0]["question"] == "How heavy is the Alpine 40 Pack?"
    assert "1.4" in summary["tried"][0]["answer"]
    assert len(summary["photos"]) == 1 and open(summary["photos"][0], "rb").read() == PHOTO
    assert summary["last_message"].startswith("The strap tore")
    assert state.owner == "queued" and state.last_handoff_rule == "explicit_request"

    again = takeover.start(session, decision, state)
    assert again.id == ticket.id, "a second handoff decision while a ticket is open reuses it"
    assert [t.id for t in takeover.open_tickets()] == [ticket.id]
    # another process sees the same owner
    assert Takeover(SessionStore(store.url)).is_owned(session)


def test_the_bot_stays_silent_while_a_person_owns_the_chat(store, tracker, policy, takeover):
    session = store.create()
    turn = shopper_turn(store, tracker, policy, takeover, session, "Can I talk to a real person please?")
    assert turn["silent"] and turn["handoff"]["handoff"] is True
    assert turn["handoff"]["rule"] == "explicit_request" and turn["handoff"]["ticket"]

    turn = shopper_turn(store, tracker, policy, takeover, session, "How heavy is the Alpine 40 Pack?")
    assert turn["silent"], "while queued the bot does not answer"
    assert turn["handoff"]["relayed"] and turn["handoff"]["status"] == "queued"
    assert not any(e.type in ("token", "done") for e in turn["events"])

    takeover.agent_join(session, "Sam")
    turn = shopper_turn(store, tracker, policy, takeover, session, "Are you there?")
    assert turn["silent"] and turn["handoff"]["status"] == "agent"
    roles = [m["role"] for m in store.transcript(session)]
    assert "assistant" not in roles, "no bot answer at any point while a person owned the chat"
    # the agent sees every shopper message in the conversation
    assert [m["content"] for m in store.transcript(session) if m["role"] == "user"] == [
        "Can I talk to a real person please?", "How heavy is the Alpine 40 Pack?", "Are you there?"]


def test_agent_replies_reach_the_shopper_on_the_same_event_stream(store, tracker, policy, takeover):
    session = store.create()
    shopper_turn(store, tracker, policy, takeover, session, "I need to speak to someone about my order")
    seen = store.last_seq(session)       # what the shopper's stream has delivered so far

    takeover.agent_reply(session, "Hi, I'm Sam. Which order is it?", "Sam")

    new = store.events(session, after=seen)
    assert [e.type for e in new] == ["notice", "agent_message"]
    assert new[0].data["text"] == "Sam from Northwind has joined the chat."
    assert new[1].data == {"agent": "Sam", "content": "Hi, I'm Sam. Which order is it?",
                           "ticket": takeover.ticket_for(session).id, "source": "console"}
    assert takeover.owner(session) == "agent"


def test_hand_back_gives_the_chat_to_the_bot_again(store, tracker, policy, takeover):
    session = store.create()
    shopper_turn(store, tracker, policy, takeover, session, "Let me talk to a human")
    takeover.agent_reply(session, "Done - your address is updated.", "Sam")

    ticket = takeover.hand_back(session, "Sam")

    assert ticket.status == "handed_back" and not takeover.is_owned(session)
    assert store.transcript(session)[-1]["content"].startswith("You're back with the shop assistant")
    turn = shopper_turn(store, tracker, policy, takeover, session, "How heavy is the Alpine 40 Pack?",
                        bot_answer="It weighs 1.4 kg.")
    assert not turn["silent"] and turn["handoff"] is None
    assert store.transcript(session)[-1] == {**store.transcript(session)[-1], "role": "assistant",
                                             "content": "It weighs 1.4 kg.", "complete": True}
    with pytest.raises(TakeoverConflict):
        takeover.agent_reply(session, "one more thing", "Sam")


def test_never_mind_before_an_agent_joins_cancels_the_request(store, tracker, policy, takeover):
    session = store.create()
    shopper_turn(store, tracker, policy, takeover, session, "I want to talk to an agent")
    ticket = takeover.ticket_for(session)

    turn = shopper_turn(store, tracker, policy, takeover, session, "never mind, I found it")

    assert turn["handoff"]["handoff"] is False and turn["handoff"]["status"] == "cancelled"
    assert "withdrawn the request" in turn["handoff"]["message"]
    assert takeover.get(ticket.id).status == "cancelled"
    assert not takeover.is_owned(session) and takeover.open_tickets() == []
    after = shopper_turn(store, tracker, policy, takeover, session, "How heavy is the Alpine 40 Pack?",
                         bot_answer="It weighs 1.4 kg.")
    assert not after["silent"] and after["handoff"] is None, "the bot answers again"


def test_never_mind_after_an_agent_joined_goes_to_the_agent(store, tracker, policy, takeover):
    session = store.create()
    shopper_turn(store, tracker, policy, takeover, session, "I want to talk to an agent")
    takeover.agent_join(session, "Sam")
    with pytest.raises(TakeoverConflict, match="already joined"):
        takeover.cancel(session)

    turn = shopper_turn(store, tracker, policy, takeover, session, "never mind")
    assert turn["silent"] and takeover.owner(session) == "agent"


def test_a_resolved_ticket_does_not_trigger_the_handoff_again(store, tracker, policy, takeover):
    session = store.create()
    first = shopper_turn(store, tracker, policy, takeover, session,
                         "My bank told me to file a chargeback for order NW-204518, the jacket never came")
    assert first["handoff"]["handoff"] and first["handoff"]["rule"] == "sensitive_topic"
    takeover.agent_reply(session, "I've reshipped it with express delivery; no chargeback needed.", "Sam")
    takeover.resolve(session, "Sam")

    after = [shopper_turn(store, tracker, policy, takeover, session, text) for text in (
        "Thanks! So I can cancel the chargeback with my bank?", "ok", "great, thanks again")]

    assert [t["handoff"] for t in after] == [None, None, None]
    assert [t["silent"] for t in after] == [False, False, False]
    assert len(takeover.tickets(session_id=session)) == 1
    state = store.load_state(session)
    assert state.owner == "bot" and state.handed_back_turn is not None and state.consecutive_failures == 0
    # a fresh, explicit request still reaches a person: the cooldown stops loops, not people
    again = shopper_turn(store, tracker, policy, takeover, session, "Actually, can I talk to a person again?")
    assert again["handoff"]["handoff"] and again["handoff"]["rule"] == "explicit_request"
    assert len(takeover.tickets(session_id=session)) == 2


def test_two_agents_cannot_both_claim_a_queued_ticket(store, takeover):
    session = store.create()
    store.append(session, 1, "user", {"content": "agent please", "images": []})
    takeover.start(session, HandoffDecision(True, "explicit_request", "asked", "queue"), store.load_state(session))
    stale = takeover.ticket_for(session)
    takeover.agent_join(session, "Sam")
    with pytest.raises(TakeoverConflict, match="changed meanwhile"):
        takeover._transition(stale, "agent", agent="Ana", joined=True)
    assert takeover.ticket_for(session).agent == "Sam"


def test_the_manager_keeps_the_bot_silent_while_owned(manager):
    """End to end through ConversationManager.respond, once the lead wires the takeover in."""
    if not hasattr(manager, "takeover"):
        pytest.skip("ConversationManager has no .takeover yet (lead integrates assistant.handoff.takeover)")
    session = manager.new_session()
    handed = ask(manager, session, "Can I talk to a human please?")
    assert handed["handoff"]["handoff"] and handed["handoff"]["ticket"]
    quiet = ask(manager, session, "How heavy is the Alpine 40 Pack?")
    assert not [e for e in quiet["events"] if e.type == "token"]
    manager.takeover.agent_reply(session, "Hi, Sam here - it weighs 1.4 kg.", "Sam")
    assert manager.sessions.transcript(session)[-1]["content"] == "Hi, Sam here - it weighs 1.4 kg."
    manager.takeover.resolve(session, "Sam")
    back = ask(manager, session, "How heavy is the Alpine 40 Pack?")
    assert "1.4" in back["answer"]


def test_agents_online_counts_recent_console_or_api_activity(manager):
    takeover = manager.takeover
    assert takeover.agents_online() == 0          # nobody has opened the console: honest queue message
    takeover.agent_seen("Dana")
    takeover.agent_seen("api")
    assert takeover.agents_online() == 2
    fixed = manager.settings.helpdesk.model_copy(update={"agents_online": 5})
    takeover.helpdesk.settings = fixed
    assert takeover.agents_online() == 5


def test_an_agent_owns_decision_after_a_mid_turn_hand_back_opens_no_ticket(store, takeover):
    session = store.create()
    state = store.load_state(session)
    decision = HandoffDecision(True, "agent_owns", "conversation already owned by an agent")
    events = []

    def emit(type_, **data):
        events.append(type_)
        return ReplyEvent(type_, data)

    routing = takeover_turn(takeover, HandoffTurn(session, 1, decision, state, emit, "hello?"))
    with pytest.raises(StopIteration) as stop:
        next(routing)
    assert stop.value.value is False                 # nobody owns the chat: the bot answers
    assert takeover.tickets(session_id=session) == [] and events == []


def _route(takeover, session, number, decision, state, text):
    """Run takeover_turn for one stored shopper message; returns (silent, handoff events)."""
    events = []

    def emit(type_, **data):
        events.append(data)
        return ReplyEvent(type_, data)

    routing = takeover_turn(takeover, HandoffTurn(session, number, decision, state, emit, text))
    while True:
        try:
            next(routing)
        except StopIteration as stop:
            return stop.value, events


def test_a_ticket_opened_mid_turn_takes_the_message_even_though_the_policy_saw_the_bot(
        store, tracker, policy, takeover):
    session = store.create()
    store.append(session, 1, "user", {"content": "How heavy is the Alpine 40 Pack?", "images": []})
    state, signals = tracker.update(store.load_state(session), "How heavy is the Alpine 40 Pack?")
    decision = policy.decide(state, signals)
    assert not decision.handoff and state.owner == "bot"
    # meanwhile another process hands the conversation to the queue
    other = Takeover(SessionStore(store.url))
    other.start(session, HandoffDecision(True, "explicit_request", "asked", "live"), store.load_state(session))

    silent, events = _route(takeover, session, 1, decision, state, "How heavy is the Alpine 40 Pack?")

    assert silent and events[0]["relayed"] and events[0]["status"] == "queued"
    assert state.owner == "queued", "the manager's state follows the one owner read"
    assert len(takeover.tickets(session_id=session)) == 1


def test_never_mind_decided_while_queued_goes_to_the_agent_who_joined_mid_turn(store, tracker, policy, takeover):
    session = store.create()
    shopper_turn(store, tracker, policy, takeover, session, "I want to talk to an agent")
    store.append(session, 2, "user", {"content": "never mind", "images": []})
    state, signals = tracker.update(store.load_state(session), "never mind")
    decision = policy.decide(state, signals)
    assert decision.release and state.owner == "queued"
    takeover.agent_join(session, "Sam")          # the agent joins before the bot routes the turn

    silent, events = _route(takeover, session, 2, decision, state, "never mind")

    assert silent and events[0]["relayed"] and events[0]["status"] == "agent"
    assert takeover.owner(session) == "agent" and state.owner == "agent"
    assert takeover.ticket_for(session).status == "agent"


def test_a_queued_request_no_one_takes_becomes_left_a_message(manager):
    """Nobody joined within queue_timeout_s: the queue is not left holding the chat forever."""
    from datetime import datetime, timedelta, timezone

    session = manager.new_session()
    handed = ask(manager, session, "Can I talk to a human please?")
    ticket = manager.takeover.ticket_for(session)
    assert handed["handoff"]["ticket"] == ticket.id and ticket.status == "queued"
    timeout = manager.settings.helpdesk.queue_timeout_s
    assert manager.takeover.expire_queued(now=datetime.now(timezone.utc)) == []     # not yet
    assert ticket.id in [t.id for t in manager.takeover.open_tickets()]
    later = datetime.now(timezone.utc) + timedelta(seconds=timeout + 1)
    expired = manager.takeover.expire_queued(now=later)
    assert [t.id for t in expired] == [ticket.id] and expired[0].status == "left_message"
    assert ticket.id not in [t.id for t in manager.takeover.open_tickets()]
    assert ticket.id in [t.id for t in manager.takeover.tickets(statuses=["left_message"])], \
        "agents still see it, to follow up"
    notice = manager.sessions.transcript(session)[-1]
    assert "could join" in notice["content"] or "could join" in str(notice)
    back = ask(manager, session, "How heavy is the Alpine 40 Pack?")    # the bot answers again
    assert "1.4" in back["answer"]


def test_a_queued_chat_that_waited_too_long_is_answered_by_the_bot(manager):
    session = manager.new_session()
    ask(manager, session, "Can I talk to a human please?")
    manager.takeover.helpdesk.settings = manager.settings.helpdesk.model_copy(update={"queue_timeout_s": 0.001})
    try:
        import time
        time.sleep(0.01)
        back = ask(manager, session, "How heavy is the Alpine 40 Pack?")
    finally:
        manager.takeover.helpdesk.settings = manager.settings.helpdesk
    assert "1.4" in back["answer"]
    assert manager.takeover.ticket_for(session) is None
    assert manager.takeover.tickets(session, statuses=["left_message"])
