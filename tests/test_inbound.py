"""Agent replies posted by the helpdesk: signatures (tampering, staleness, missing headers), the
replay guard in the session database, and each action applied through the takeover. Real SQLite."""
from __future__ import annotations

import json
import time

import pytest

from assistant.errors import InvalidInput, NotFound
from assistant.handoff.helpdesk import sign, signed_headers
from assistant.handoff.inbound import InboundDisabled, InvalidSignature, handle_inbound, verify_signature
from tests.test_helpdesk import INBOUND, make, open_ticket


def test_signature_checks_reject_tampering_staleness_and_missing_headers():
    body = b'{"conversation_id": "abc", "text": "hello"}'
    headers = signed_headers(INBOUND, body)
    assert verify_signature(INBOUND, headers, body) == int(headers["X-Assistant-Timestamp"])
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signature(INBOUND, headers, body.replace(b"hello", b"hellO"))
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_signature("another-secret", headers, body)
    old = signed_headers(INBOUND, body, now=time.time() - 3600)
    with pytest.raises(InvalidSignature, match="signature_tolerance_s"):
        verify_signature(INBOUND, old, body)
    with pytest.raises(InvalidSignature, match="missing"):
        verify_signature(INBOUND, {"X-Assistant-Timestamp": headers["X-Assistant-Timestamp"]}, body)
    # the timestamp is signed: moving it forward breaks the signature
    moved = {**headers, "X-Assistant-Timestamp": str(int(headers["X-Assistant-Timestamp"]) + 1)}
    with pytest.raises(InvalidSignature):
        verify_signature(INBOUND, moved, body)
    assert sign(INBOUND, 1, b"x") != sign(INBOUND, 2, b"x")


def test_inbound_replies_need_a_valid_fresh_unreplayed_signature(tmp_path):
    store, helpdesk, takeover = make(tmp_path, [])
    session, _ = open_ticket(store, takeover)
    body = json.dumps({"conversation_id": session, "text": "Hi, this is Ana from support.",
                       "agent": "Ana"}).encode()

    forged = {**signed_headers("not-the-secret", body)}
    with pytest.raises(InvalidSignature):
        handle_inbound(takeover, forged, body)
    assert [m for m in store.transcript(session) if m["role"] == "agent"] == []

    headers = signed_headers(INBOUND, body)
    result = handle_inbound(takeover, headers, body)
    assert result["ok"] and result["status"] == "agent"
    [reply] = [m for m in store.transcript(session) if m["role"] == "agent"]
    assert reply["content"] == "Hi, this is Ana from support." and reply["agent"] == "Ana"

    with pytest.raises(InvalidSignature, match="replay"):
        handle_inbound(takeover, headers, body)
    assert len([m for m in store.transcript(session) if m["role"] == "agent"]) == 1


def test_each_inbound_action_moves_the_ticket_and_bad_requests_say_why(tmp_path):
    store, helpdesk, takeover = make(tmp_path, [])
    session, _ = open_ticket(store, takeover)

    def post(payload):
        body = json.dumps(payload).encode()
        return handle_inbound(takeover, signed_headers(INBOUND, body), body)

    assert post({"conversation_id": session, "action": "join", "agent": "Ana"})["status"] == "agent"
    assert store.owner(session) == "agent"
    with pytest.raises(InvalidInput, match="text is required"):
        post({"conversation_id": session, "action": "message", "agent": "Ana"})
    with pytest.raises(InvalidInput, match="action"):
        post({"conversation_id": session, "action": "delete"})
    with pytest.raises(NotFound, match="no conversation"):
        post({"conversation_id": "nobody", "text": "hi"})
    assert post({"conversation_id": session, "action": "resolve", "agent": "Ana"})["status"] == "resolved"
    assert store.owner(session) == "bot"


def test_without_an_inbound_secret_the_endpoint_is_off(tmp_path):
    store, helpdesk, takeover = make(tmp_path, [], inbound_secret=None)
    body = b'{"conversation_id": "abc", "text": "hello"}'
    with pytest.raises(InboundDisabled, match="INBOUND_SECRET"):
        handle_inbound(takeover, signed_headers("anything", body), body)
