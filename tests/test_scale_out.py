"""Several app processes behind one address: two real app processes on two ports share one real
PostgreSQL (sessions, rate buckets, reply leases, presence) and one real Chroma server (`chroma
run`, the knowledge ingested once). A shopper's requests may land on either process."""
from __future__ import annotations

import json
import os
import time

import httpx
import pytest

from assistant.settings import Settings
from assistant.storage.sessions import SessionStore
from tests.servers import app_process, chroma_server
from tests.test_sessions import postgres_url  # noqa: F401  (the throwaway PostgreSQL server)

pytestmark = pytest.mark.slow
PER_SESSION = 6          # messages per minute in one conversation, counted across both processes


@pytest.fixture(scope="module")
def two_apps(postgres_url, tmp_path_factory):  # noqa: F811
    from assistant.knowledge.service import Knowledge

    root = tmp_path_factory.mktemp("scale-out")
    with chroma_server(root / "chroma") as chroma_url:
        report = Knowledge(Settings(data_dir=root / "ingest", chroma_url=chroma_url)).ingest()   # once, for both
        assert report.chunks > 0
        env = {"ASSISTANT_DATABASE_URL": postgres_url, "ASSISTANT_CHROMA_URL": chroma_url,
               "ASSISTANT_BACKEND": "extractive", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
               "ASSISTANT_HTTP__RATE_LIMIT_PER_SESSION": str(PER_SESSION)}
        with app_process(root / "a", env, timeout=300) as a, app_process(root / "b", env, timeout=300) as b:
            yield a, b, postgres_url


def new_session(url: str) -> tuple[str, dict[str, str]]:
    grant = httpx.post(f"{url}/api/v1/sessions", timeout=30).raise_for_status().json()
    return grant["session_id"], {"Authorization": f"Bearer {grant['token']}"}


def send(url: str, session_id: str, auth: dict[str, str], text: str) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/sessions/{session_id}/messages", headers=auth,
                      json={"text": text, "stream": False}, timeout=120)


def sse_events(response: httpx.Response) -> list[dict]:
    return [json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:")]


def test_one_conversation_alternating_between_processes_is_one_conversation(two_apps):
    a, b, _ = two_apps
    session_id, auth = new_session(a)        # a token issued by one process is good on the other
    questions = ["How heavy is the Alpine 40 Pack?", "how much is it?", "How long does shipping take?",
                 "What payment methods do you accept?"]
    answers = []
    for number, question in enumerate(questions):
        reply = send((a, b)[number % 2], session_id, auth, question)
        assert reply.status_code == 200, reply.text
        answers.append(reply.json()["answer"])
    assert "1.4 kg" in answers[0]
    assert "$" in answers[1], "the follow-up on the other process knows the product in focus"
    for url in (a, b):
        messages = httpx.get(f"{url}/api/v1/sessions/{session_id}", headers=auth, timeout=30).json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"] * 4
        assert [m["content"] for m in messages if m["role"] == "user"] == questions
        assert all(m["complete"] for m in messages if m["role"] == "assistant")


def test_a_stream_cut_on_one_process_resumes_on_the_other(two_apps):
    a, b, _ = two_apps
    session_id, auth = new_session(a)
    with httpx.stream("POST", f"{a}/api/v1/sessions/{session_id}/messages", headers=auth,
                      json={"text": "How heavy is the Alpine 40 Pack?"}, timeout=120) as response:
        seen = []
        for line in response.iter_lines():
            if line.startswith("data:"):
                seen.append(json.loads(line[5:]))
                if len(seen) == 2:           # the shopper's page reloads here
                    break
    with httpx.stream("GET", f"{b}/api/v1/sessions/{session_id}/events", params={"after": seen[-1]["seq"]},
                      headers=auth, timeout=120) as response:
        rest = sse_events(response)
    events = seen + rest
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "nothing lost, nothing twice"
    assert rest[-1]["type"] == "done" and "1.4 kg" in rest[-1]["answer"]
    shown = "".join(e["text"] for e in events if e["type"] == "token")
    assert shown.strip() == rest[-1]["answer"]


def test_the_rate_limit_of_a_conversation_counts_requests_on_both_processes(two_apps):
    a, b, _ = two_apps
    session_id, auth = new_session(b)
    statuses = [send((a, b)[n % 2], session_id, auth, f"How long does shipping to Canada take? ({n})").status_code
                for n in range(PER_SESSION)]
    assert statuses == [200] * PER_SESSION
    # each process alone has seen only half of them: a per-process bucket would let these through
    refused = [send(url, session_id, auth, "And to the UK?") for url in (a, b)]
    assert [r.status_code for r in refused] == [429, 429]
    assert all(r.json()["error"]["limit"] == "rate_limit_per_session" for r in refused)
    assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)


def test_one_reply_per_conversation_and_agent_presence_hold_across_processes(two_apps):
    """What the two processes share, through their common database: a reply lease one holder
    at a time (a second claim is refused until the first is released) and agent presence."""
    _, _, database = two_apps
    first, second = SessionStore(database), SessionStore(database)    # as two processes see it
    first.create("lease-chat")
    assert first.leases.claim_reply("lease-chat", "process-a", 60)
    assert not second.leases.claim_reply("lease-chat", "process-b", 60)
    assert first.leases.claim_reply("lease-chat", "process-a", 60), "the holder may renew"
    first.leases.release_reply("lease-chat", "process-a")
    assert second.leases.claim_reply("lease-chat", "process-b", 60)
    assert not first.leases.claim_reply("lease-chat", "process-a", 60, now=time.time() + 30)
    assert first.leases.claim_reply("lease-chat", "process-a", 60, now=time.time() + 61), "a dead holder's lease expires"

    window = 300.0
    before = second.leases.agents_online(window)
    first.leases.agent_seen(f"Dana-{os.getpid()}")
    assert second.leases.agents_online(window) == before + 1
