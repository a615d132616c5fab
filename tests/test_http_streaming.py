"""Streams that outlive a connection: resume after a reload, cancel when the shopper left, agent replies.

The backend gives the extractive answer one word per ``PACE`` seconds, the speed of a small
generative model, so a client can leave in the middle of an answer.
"""
from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.test_http_support import PacedExtractive, answer_of, read_sse, serve, start_session

PACE = 0.25
GRACE = 1.5


class Recording(PacedExtractive):
    """Remembers the whole answer it meant to give, to compare with what a client was shown."""

    def __init__(self, pace: float):
        super().__init__(pace)
        self.intended: dict[str, str] = {}

    def stream(self, request):
        self.intended[request.question] = self.answer(request)
        yield from super().stream(request)


@pytest.fixture(scope="module")
def server(demo_settings, demo_knowledge, tmp_path_factory):
    with serve(demo_settings, demo_knowledge, tmp_path_factory.mktemp("http-stream"), backend=Recording(PACE),
               resume_grace_s=GRACE, keepalive_s=0.3, poll_interval_s=0.1, agent_wait_s=30) as live:
        yield live


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def leave_after(client, session_id, auth, text, events: int) -> list[dict]:
    """Send a message and drop the connection after ``events`` events, as a page reload does."""
    with client.stream("POST", f"/api/v1/sessions/{session_id}/messages", headers=auth, json={"text": text}) as r:
        assert r.status_code == 200
        return read_sse(r, stop_after=events)


def wait_for_done(client, session_id, auth) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        messages = client.get(f"/api/v1/sessions/{session_id}", headers=auth).json()["messages"]
        if messages and messages[-1].get("complete"):
            return messages[-1]
        time.sleep(0.2)
    raise AssertionError("the reply never finished")


def test_a_reload_mid_answer_resumes_the_rest_without_loss_or_repeats(server, client):
    question = "How heavy is the Alpine 40 Pack?"
    session_id, auth = start_session(client)
    seen = leave_after(client, session_id, auth, question, events=3)              # user + 2 tokens, then gone
    with client.stream("GET", f"/api/v1/sessions/{session_id}/events", params={"after": seen[-1]["seq"]},
                       headers=auth) as r:
        rest = read_sse(r)
    events = seen + rest
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    shown = "".join(e["text"] for e in events if e["type"] == "token")
    assert rest[-1]["type"] == "done" and shown.strip() == answer_of(rest)
    assert "1.4 kg" in shown and answer_of(rest) == server.manager.backend.intended[question].strip()


def test_a_reply_nobody_follows_any_more_is_cancelled(server, client):
    question = "How long do I have to return running shoes?"
    session_id, auth = start_session(client)
    leave_after(client, session_id, auth, question, events=2)
    answer = wait_for_done(client, session_id, auth)["content"].strip()
    intended = server.manager.backend.intended[question].strip()
    assert answer and intended.startswith(answer) and len(answer) < len(intended)
    assert 'assistant_replies_total{outcome="cancelled"} 1.0' in client.get("/metrics").text


def test_one_message_at_a_time_per_conversation(client):
    session_id, auth = start_session(client)
    url = f"/api/v1/sessions/{session_id}/messages"
    with client.stream("POST", url, headers=auth, json={"text": "How heavy is the Alpine 40 Pack?"}) as first:
        busy = client.post(url, headers=auth, json={"text": "How heavy is it?"})
        assert busy.status_code == 409 and busy.json()["error"]["limit"] == "one_reply_at_a_time"
        assert read_sse(first)[-1]["type"] == "done"
    assert client.post(url, headers=auth, json={"text": "How heavy is it?", "stream": False}).status_code == 200


def test_while_a_person_owns_the_chat_their_replies_arrive_on_the_same_stream(server, client):
    """Another component (the agent console) writes to the store; the shopper's stream delivers it."""
    store = server.manager.sessions
    session_id, auth = start_session(client)
    store.set_owner(session_id, "agent")

    def agent_writes():
        time.sleep(1.0)
        store.append(session_id, 0, "agent_message", {"agent": "Sam", "content": "Hi, Sam here - let me check."})
        time.sleep(0.5)
        store.set_owner(session_id, "bot")          # the agent hands the chat back: the stream may end

    writer = threading.Thread(target=agent_writes)
    writer.start()
    keepalives, events = 0, []
    with client.stream("GET", f"/api/v1/sessions/{session_id}/events", params={"after": 0}, headers=auth) as r:
        for line in r.iter_lines():
            keepalives += line.startswith(":")
            if line.startswith("data:"):
                events.append(line)
    writer.join()
    assert len(events) == 1 and "Sam here" in events[0]
    assert keepalives >= 1                            # the quiet wait was kept alive


def test_an_idle_conversation_owned_by_the_bot_closes_its_stream_at_once(client):
    session_id, auth = start_session(client)
    with client.stream("GET", f"/api/v1/sessions/{session_id}/events", headers=auth) as r:
        assert read_sse(r) == []
