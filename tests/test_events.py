"""The one reply fold: live events, stored events and exported lines give the same Reply.

Real manager over the demo store, real SQLite session store; no fakes.
"""
from __future__ import annotations

import json
from typing import get_args

import pytest

from assistant.evals.transcripts import load_suite
from assistant.events import (PAYLOADS, AgentMessage, Citations, Done, Error, EventType, Handoff, Notice, Perception,
                              ReplyEvent, State, Token, UnknownEventType, UserMessage, payload_of)
from assistant.reply import Reply
from conftest import ask


def stored_reply(manager, session: str, turn: int) -> Reply:
    """The turn's reply read back from the session store (its user message left out)."""
    return Reply.fold(e for e in manager.sessions.events(session) if e.turn == turn and e.type != "user")


def test_live_and_stored_events_fold_into_the_same_reply(manager):
    first = ask(manager, "fold-1", "How heavy is the Alpine 40 Pack?")
    handed = ask(manager, "fold-1", "Can I talk to a real person please?")
    for number, live in ((1, first["reply"]), (2, handed["reply"])):
        stored = stored_reply(manager, "fold-1", number)
        assert stored == live
        # an export line (StoredEvent.to_dict(), with created_at and a session id) folds the same too
        lines = [{"session_id": "fold-1", **e.to_dict()} for e in manager.sessions.events("fold-1")
                 if e.turn == number and e.type != "user"]
        assert Reply.fold(json.loads(json.dumps(lines))) == live
    answer = first["reply"]
    assert "1.4 kg" in answer.answer and answer.text.strip() == answer.answer and answer.turn == 1
    assert any("alpine-40-pack" in c["source_id"] for c in answer.cited)
    assert answer.state.state["product_in_focus"] == "alpine-40-pack" and answer.handoff is None
    handoff = handed["reply"]
    assert handoff.handoff.handoff is True and handoff.handoff.rule == "explicit_request"
    assert not handoff.tokens and handoff.answer == handoff.handoff.message
    assert handoff.chat_text == f"\n\n{handoff.handoff.message}"


def test_every_event_type_lands_in_its_field():
    assert set(PAYLOADS) == set(get_args(EventType)) | {"user"}, "every event type has a payload class"
    stream = [("notice", {"text": "Answering from store information only."}),
              ("perception", {"perception": {"labels": ["backpack"]}, "text": "I read: NW-482913"}),
              ("handoff", {"handoff": True, "rule": "explicit_request", "message": "A person will reply.",
                           "ticket": "t-1", "status": "queued"}),
              ("token", {"text": "It weighs "}), ("token", {"text": "1.4 kg [1]. "}),
              ("citations", {"citations": [{"source_id": "alpine-40-pack", "title": "Alpine 40 Pack", "number": 1}],
                             "low_confidence": False, "reason": None}),
              ("agent_message", {"agent": None, "content": "Sam here.", "ticket": "t-1", "source": "console"}),
              ("state", {"state": {"product_in_focus": "alpine-40-pack"}}),
              ("done", {"answer": "It weighs 1.4 kg [1]."}),
              ("error", {"message": "the model stopped", "kind": "internal"})]
    reply = Reply.fold(ReplyEvent(kind, {**data, "seq": seq, "turn": 3}) for seq, (kind, data) in enumerate(stream, 2))
    assert reply.notices == [Notice(text="Answering from store information only.", seq=2, turn=3,
                                    fields=dict(stream[0][1]))]
    assert isinstance(reply.perception, Perception) and reply.perception.perception == {"labels": ["backpack"]}
    assert isinstance(reply.handoff, Handoff) and reply.handoff.ticket == "t-1" and not reply.handoff.relayed
    assert [t.text for t in reply.tokens] == ["It weighs ", "1.4 kg [1]. "] and reply.text == "It weighs 1.4 kg [1]. "
    assert isinstance(reply.citations, Citations) and reply.cited[0]["number"] == 1 and reply.citations.evidence is None
    assert reply.agent_messages[0].content == "Sam here." and reply.agent_messages[0].seq == 8
    assert isinstance(reply.state, State) and reply.state.state == {"product_in_focus": "alpine-40-pack"}
    assert isinstance(reply.done, Done) and reply.answer == "It weighs 1.4 kg [1]."
    assert isinstance(reply.error, Error) and reply.error.kind == "internal"
    assert reply.user is None and reply.turn == 3 and len(reply.items) == len(stream)
    # what each door interleaves, in stream order
    assert reply.notes == ["Answering from store information only.", "I read: NW-482913"]
    assert reply.chat_text == "\n\nA person will reply.It weighs 1.4 kg [1]. \n\nAgent: Sam here."
    # the fields pass on exactly as sent, without the seq/turn envelope
    assert reply.handoff.fields == stream[2][1] and "seq" not in reply.state.fields


def test_a_stored_user_message_is_the_turn_the_reply_answers(manager):
    ask(manager, "fold-2", "How long do I have to return running shoes?")
    reply = Reply.fold(e for e in manager.sessions.events("fold-2") if e.turn == 1)
    assert isinstance(reply.user, UserMessage) and reply.user.content == "How long do I have to return running shoes?"
    assert reply.user.images == [] and "30 days" in reply.answer


def test_an_unknown_event_type_is_an_error_that_names_it():
    with pytest.raises(UnknownEventType, match="'typing'.*known: user, token"):
        Reply().add({"type": "typing", "seq": 4})
    with pytest.raises(UnknownEventType):
        payload_of(ReplyEvent("tool_call", {}))       # type: ignore[arg-type]


def test_a_missing_field_takes_its_default_and_keeps_what_was_sent():
    token = payload_of({"type": "token", "seq": 3, "turn": 1})
    assert isinstance(token, Token) and token.text == "" and token.fields == {} and token.seq == 3
    agent = payload_of({"type": "agent_message", "content": "hi", "text": "older field"})
    assert isinstance(agent, AgentMessage) and agent.chat_text == "\n\nAgent: hi"
    assert agent.fields == {"content": "hi", "text": "older field"}


def test_exports_and_stored_event_lines_replay_to_the_same_references(manager, tmp_path):
    ask(manager, "fold-3", "How heavy is the Alpine 40 Pack?")
    ask(manager, "fold-3", "Can I talk to a real person please?")
    export = tmp_path / "export.jsonl"
    manager.sessions.export_jsonl(["fold-3"], export)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps({"session_id": "fold-3", **e.to_dict()}) + "\n"
                              for e in manager.sessions.events("fold-3")))
    messages = tmp_path / "messages.jsonl"
    messages.write_text("".join(json.dumps({"session_id": "fold-3", **m}) + "\n"
                                for m in manager.sessions.transcript("fold-3")))
    (weight, _), (weight_events, person_events) = ([t.expect for t in load_suite([path]).conversations[0].turns]
                                                    for path in (export, events))
    assert "1.4 kg" in weight["reference"]["answer"] and any("alpine-40-pack" in c for c in weight["reference"]["cites"])
    assert weight_events["reference"] == {**weight["reference"], "answer": weight["reference"]["answer"].strip()}
    assert person_events["reference"]["handoff"] == "explicit_request"
    # a transcript's messages replay to the same answer and sources as the export
    assert load_suite([messages]).conversations[0].turns[0].expect == weight
