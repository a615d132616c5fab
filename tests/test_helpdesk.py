"""Helpdesk webhooks against a real HTTP receiver on 127.0.0.1: signed, retried, dead-lettered,
durable across a restart (the inbound direction is in tests/test_inbound.py)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.handoff.helpdesk import Helpdesk
from assistant.handoff.inbound import InvalidSignature, verify_signature
from assistant.handoff.policy import HandoffDecision
from assistant.storage.sessions import SessionStore
from assistant.settings import HelpdeskSettings, Settings
from assistant.handoff.takeover import Takeover
from tests.servers import free_port

SECRET = "webhook-secret-for-tests"
INBOUND = "inbound-secret-for-tests"


class Receiver:
    """A real helpdesk stand-in: verifies each request's signature, records it, and answers
    with the next scripted status (204 once the script runs out)."""

    def __init__(self, statuses: list[int] | None = None, port: int = 0):
        self.requests: list[dict] = []
        self.statuses = list(statuses or [])
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    verify_signature(SECRET, dict(self.headers), body)
                    valid = True
                except InvalidSignature:
                    valid = False
                outer.requests.append({"headers": dict(self.headers), "body": json.loads(body), "valid": valid})
                status = outer.statuses.pop(0) if outer.statuses else 204
                self.send_response(status if valid else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/assistant"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [r["body"]["event"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    r = Receiver()
    yield r
    r.close()


def make(tmp_path, urls, **overrides):
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    settings = HelpdeskSettings(webhook_urls=urls, webhook_secret=SECRET,
                                inbound_secret=overrides.pop("inbound_secret", INBOUND),
                                retries=overrides.pop("retries", 3), backoff_s=overrides.pop("backoff_s", 0.02),
                                timeout=2, **overrides)
    helpdesk = Helpdesk(settings, store)
    return store, helpdesk, Takeover(store, helpdesk, store_name="Northwind")


def open_ticket(store, takeover, text="I want to talk to a person about order NW-123456"):
    session = store.create()
    store.append(session, 1, "user", {"content": text, "images": []})
    state = store.load_state(session)
    state.intent, state.order_id, state.turns = "human_request", "NW-123456", 1
    ticket = takeover.start(session, HandoffDecision(True, "explicit_request", "shopper asked for a person",
                                                     "live", "Connecting you with our team."), state)
    return session, ticket


def test_handoff_posts_a_signed_webhook_with_the_documented_fields(tmp_path, receiver):
    store, helpdesk, takeover = make(tmp_path, [receiver.url], public_url="https://shop.example")
    session, ticket = open_ticket(store, takeover)
    assert helpdesk.flush(10)
    helpdesk.close()

    [request] = receiver.requests
    assert request["valid"], "the receiver could verify the HMAC signature with the shared secret"
    assert request["headers"]["X-Assistant-Signature"].startswith("sha256=")
    assert request["headers"]["X-Assistant-Event"] == "handoff.created"
    body = request["body"]
    assert body["conversation_id"] == session and body["status"] == "queued"
    assert body["reason"] == "shopper asked for a person" and body["rule"] == "explicit_request"
    assert body["ticket"]["id"] == ticket.id
    assert body["summary"]["slots"]["order_id"] == "NW-123456"
    assert body["transcript_url"] == f"https://shop.example/api/v1/agent/sessions/{session}"
    assert body["messages"][0]["content"].startswith("I want to talk to a person")


def test_every_message_while_a_person_owns_the_chat_reaches_the_helpdesk(tmp_path, receiver):
    store, helpdesk, takeover = make(tmp_path, [receiver.url])
    session, _ = open_ticket(store, takeover)
    store.append(session, 2, "user", {"content": "It arrived with a torn strap", "images": []})
    takeover.shopper_message(session, 2, "It arrived with a torn strap", [])
    takeover.agent_reply(session, "Sorry about that - I'll send a replacement strap today.", "Sam")
    takeover.agent_reply(session, "Tracking number follows by email.", "Sam", source="helpdesk")
    takeover.resolve(session, "Sam")
    assert helpdesk.flush(10)
    helpdesk.close()

    assert all(r["valid"] for r in receiver.requests)
    assert sorted(receiver.events()) == sorted(["handoff.created", "message.shopper", "ticket.agent_joined",
                                                "message.agent", "ticket.resolved"])
    by_event = {r["body"]["event"]: r["body"] for r in receiver.requests}
    assert by_event["message.shopper"]["messages"][0]["content"] == "It arrived with a torn strap"
    assert by_event["message.agent"]["messages"][0]["agent"] == "Sam"
    assert by_event["ticket.resolved"]["status"] == "resolved"
    # the reply that came from the helpdesk is not echoed back to it
    assert not any("Tracking number" in json.dumps(r["body"]["messages"]) for r in receiver.requests)


def test_a_long_taken_over_chat_relays_each_message_of_its_own_turn(tmp_path, receiver):
    # the relay reads only the turn it passes on; each message reaches the helpdesk as that
    # turn's words, between agent replies and notices of the turns around it
    store, helpdesk, takeover = make(tmp_path, [receiver.url])
    session, _ = open_ticket(store, takeover)
    sent = {}
    for turn in range(2, 14):
        sent[turn] = f"message {turn}: is there any news on the strap?"
        store.append(session, turn, "user", {"content": sent[turn], "images": []})
        takeover.shopper_message(session, turn, sent[turn], [])
        if turn % 3 == 0:
            takeover.agent_reply(session, f"Still checking (after message {turn}).", "Sam")
    assert helpdesk.flush(10)
    helpdesk.close()

    relayed = [r["body"]["messages"] for r in receiver.requests if r["body"]["event"] == "message.shopper"]
    assert sorted((m["turn"], m["content"]) for [m] in relayed) == sorted(sent.items())


def test_a_failing_receiver_is_retried_until_it_accepts(tmp_path):
    flaky = Receiver(statuses=[503, 500])
    try:
        store, helpdesk, takeover = make(tmp_path, [flaky.url], retries=3)
        open_ticket(store, takeover)
        assert helpdesk.flush(10)
        helpdesk.close()
        assert flaky.events() == ["handoff.created"] * 3, "two failures, then delivered on the third try"
        assert len({r["body"]["delivery_id"] for r in flaky.requests}) == 1, "one delivery, retried"
        assert helpdesk.dead_letters() == []
    finally:
        flaky.close()


def test_a_down_receiver_ends_in_the_dead_letter_table_and_can_be_redelivered(tmp_path):
    port = free_port()        # nothing listens here: connection refused
    store, helpdesk, takeover = make(tmp_path, [f"http://127.0.0.1:{port}/hook"], retries=2)
    session, _ = open_ticket(store, takeover)
    assert helpdesk.flush(10)

    [dead] = helpdesk.dead_letters()
    assert dead["session_id"] == session and dead["event"] == "handoff.created"
    assert dead["attempts"] == 3 and "Connect" in dead["last_error"]
    assert helpdesk.pending() == []

    back = Receiver(port=port)    # the receiver comes back on the same address
    try:
        helpdesk.redeliver(dead["id"])
        assert helpdesk.flush(10)
        assert back.events() == ["handoff.created"] and back.requests[0]["valid"]
        assert helpdesk.dead_letters() == []
    finally:
        helpdesk.close()
        back.close()


def test_a_refusing_receiver_is_dead_lettered_without_pointless_retries(tmp_path):
    refusing = Receiver(statuses=[400])
    try:
        store, helpdesk, takeover = make(tmp_path, [refusing.url], retries=5)
        open_ticket(store, takeover)
        assert helpdesk.flush(10)
        helpdesk.close()
        assert len(refusing.requests) == 1
        assert helpdesk.dead_letters()[0]["last_error"].startswith("HTTP 400")
    finally:
        refusing.close()


def test_queued_webhooks_survive_a_restart(tmp_path, receiver):
    store, _, _ = make(tmp_path, [receiver.url])
    stopped = Helpdesk(HelpdeskSettings(webhook_urls=[receiver.url], webhook_secret=SECRET), store,
                       autostart=False)        # a process that dies before its worker sends anything
    session, _ = open_ticket(store, Takeover(store, stopped))
    assert receiver.requests == [] and len(stopped.pending()) == 1

    reopened = SessionStore(store.url)      # the next process: its worker starts on the leftovers
    restarted = Helpdesk(HelpdeskSettings(webhook_urls=[receiver.url], webhook_secret=SECRET), reopened)
    assert restarted.flush(10)
    restarted.close()
    assert receiver.events() == ["handoff.created"]
    assert receiver.requests[0]["body"]["conversation_id"] == session


def test_webhook_urls_without_a_secret_are_refused_at_start():
    with pytest.raises(ValueError, match="webhook_secret"):
        Settings(helpdesk={"webhook_urls": ["https://helpdesk.example/hook"]})
