"""The agent API, the helpdesk inbound endpoint and the agent console, on a real uvicorn server
on 127.0.0.1: token and signature checks, replies reaching the conversation, hand back, resolve."""
from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI

from assistant.handoff.helpdesk import Helpdesk, signed_headers
from assistant.handoff.policy import HandoffDecision
from assistant.storage.sessions import SessionStore
from assistant.settings import HelpdeskSettings
from assistant.handoff.takeover import Takeover
from assistant.web import http_errors
from assistant.web.agent_api import agent_router
from assistant.web.agent_console import mount_agent_console
from tests.servers import LiveServer

TOKEN = "agent-token-for-tests"
INBOUND = "inbound-secret-for-tests"


def _png(color: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(out, format="PNG")
    return out.getvalue()


PHOTO = _png((40, 90, 60))     # a real (tiny) PNG, as a shopper's upload would be


def build_app(takeover: Takeover, uploads) -> FastAPI:
    """What create_app does for these routes (the lead adds the same lines there)."""
    app = FastAPI()
    http_errors.install(app)
    app.include_router(agent_router(takeover))
    mount_agent_console(app, takeover, uploads)
    return app


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("agent-api")
    store = SessionStore(f"sqlite:///{root / 'sessions.sqlite3'}")
    settings = HelpdeskSettings(agent_token=TOKEN, inbound_secret=INBOUND)
    takeover = Takeover(store, Helpdesk(settings, store), store_name="Northwind")
    uploads = root / "uploads"
    uploads.mkdir()
    with LiveServer(build_app(takeover, uploads)) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield {"store": store, "takeover": takeover, "url": server.url, "client": client, "uploads": uploads}


def handed_off(live, text="I'd like to talk to a person about a broken zipper") -> str:
    store, takeover = live["store"], live["takeover"]
    photo = live["uploads"] / "zipper-3f2a"
    photo.write_bytes(PHOTO)
    session = store.create()
    store.append(session, 1, "user", {"content": text, "images": [str(photo)]})
    takeover.start(session, HandoffDecision(True, "explicit_request", "shopper asked for a person", "live",
                                            "Connecting you."), store.load_state(session))
    return session


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_agent_endpoints_refuse_a_missing_or_wrong_token(live):
    client = live["client"]
    assert client.get("/api/v1/agent/tickets").status_code == 401
    wrong = client.get("/api/v1/agent/tickets", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["limit"] == "agent_token"
    session = handed_off(live)
    refused = client.post(f"/api/v1/agent/sessions/{session}/messages", json={"text": "hi", "agent": "Eve"},
                          headers={"X-Agent-Token": "guess"})
    assert refused.status_code == 401
    assert [m for m in live["store"].transcript(session) if m["role"] == "agent"] == []


def test_an_agent_answers_hands_back_and_resolves_over_http(live):
    client, store = live["client"], live["store"]
    session = handed_off(live)

    tickets = client.get("/api/v1/agent/tickets", headers=AUTH).json()["tickets"]
    mine = next(t for t in tickets if t["session_id"] == session)
    assert mine["status"] == "queued" and mine["summary"]["last_message"].endswith("broken zipper")

    sent = client.post(f"/api/v1/agent/sessions/{session}/messages", headers=AUTH,
                       json={"text": "Hi, I'm Sam - a new zipper pull is on its way.", "agent": "Sam"})
    assert sent.status_code == 200 and sent.json()["status"] == "agent"
    view = client.get(f"/api/v1/agent/sessions/{session}", headers=AUTH).json()
    assert view["owner"] == "agent" and view["transcript"][-1]["content"].startswith("Hi, I'm Sam")
    tail = client.get(f"/api/v1/agent/sessions/{session}/events", params={"after": sent.json()["seq"] - 1},
                      headers=AUTH).json()["events"]
    assert tail[0]["type"] == "agent_message" and tail[0]["agent"] == "Sam"

    photo_name = view["transcript"][0]["images"][0].rsplit("/", 1)[-1]
    image = client.get(f"/api/v1/agent/sessions/{session}/images/{photo_name}", headers=AUTH)
    assert image.status_code == 200 and image.content == PHOTO
    assert image.headers["content-type"] == "image/png"   # uploads have no extension: type read from bytes
    assert client.get(f"/api/v1/agent/sessions/{session}/images/..%2Fsessions.sqlite3",
                      headers=AUTH).status_code == 404

    back = client.post(f"/api/v1/agent/sessions/{session}/hand-back", headers=AUTH, json={"agent": "Sam"})
    assert back.status_code == 200 and back.json()["status"] == "handed_back"
    assert store.owner(session) == "bot"
    again = client.post(f"/api/v1/agent/sessions/{session}/resolve", headers=AUTH)
    assert again.status_code == 409 and again.json()["error"]["type"] == "conflict"

    other = handed_off(live)
    done = client.post(f"/api/v1/agent/sessions/{other}/resolve", headers=AUTH, json={"agent": "Ana"})
    assert done.json()["status"] == "resolved" and done.json()["agent"] == "Ana"
    open_ids = [t["session_id"] for t in client.get("/api/v1/agent/tickets", headers=AUTH).json()["tickets"]]
    assert session not in open_ids and other not in open_ids


def test_helpdesk_inbound_posts_a_reply_only_with_a_valid_signature(live):
    client, store = live["client"], live["store"]
    session = handed_off(live)
    body = json.dumps({"conversation_id": session, "text": "Ana here from the helpdesk.", "agent": "Ana"}).encode()

    forged = client.post("/api/v1/helpdesk/inbound", content=body, headers=signed_headers("wrong", body))
    assert forged.status_code == 401 and forged.json()["error"]["limit"] == "signature"
    unsigned = client.post("/api/v1/helpdesk/inbound", content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert [m for m in store.transcript(session) if m["role"] == "agent"] == []

    headers = signed_headers(INBOUND, body)
    ok = client.post("/api/v1/helpdesk/inbound", content=body, headers=headers)
    assert ok.status_code == 200 and ok.json()["status"] == "agent"
    assert store.transcript(session)[-1] == {**store.transcript(session)[-1], "role": "agent",
                                             "content": "Ana here from the helpdesk.", "agent": "Ana"}
    replay = client.post("/api/v1/helpdesk/inbound", content=body, headers=headers)
    assert replay.status_code == 401

    resolve = json.dumps({"conversation_id": session, "action": "resolve", "agent": "Ana"}).encode()
    done = client.post("/api/v1/helpdesk/inbound", content=resolve, headers=signed_headers(INBOUND, resolve))
    assert done.json()["status"] == "resolved" and store.owner(session) == "bot"


def test_the_agent_console_needs_a_login_and_drives_the_takeover(live):
    from gradio_client import Client

    client, store = live["client"], live["store"]
    bare = client.get("/agent", follow_redirects=False)     # the README's address, without the slash
    assert bare.status_code == 307 and bare.headers["location"].endswith("/agent/")
    assert client.get("/agent").status_code != 404
    locked = client.get("/agent/config")
    assert locked.status_code == 401 and "agent token" in locked.text
    assert client.post("/agent/login", data={"username": "Sam", "password": "guess"}).status_code >= 400
    with pytest.raises(Exception):
        Client(f"{live['url']}/agent/", auth=("Sam", "wrong-token"), verbose=False)

    session = handed_off(live, "My zipper broke - can a human help?")
    console = Client(f"{live['url']}/agent/", auth=("Sam", TOKEN), verbose=False)
    table, _picker, summary, photos, chat = console.predict(session, api_name="/view")
    ticket_id = live["takeover"].ticket_for(session).id
    assert ticket_id in [row[0] for row in table["value"]["data"]], "the open ticket is listed"
    assert "explicit_request" in summary and len(photos) == 1
    assert chat[0]["role"] == "user" and chat[0]["content"][0]["text"] == "My zipper broke - can a human help?"
    assert chat[1]["content"][0]["type"] == "file", "the shopper's photo is in the live transcript"

    status, cleared = console.predict(session, "Hi, Sam here - sending a new zipper today.", api_name="/reply")
    assert status == "Sent as Sam." and cleared == ""
    last = store.transcript(session)[-1]
    assert last["role"] == "agent" and last["agent"] == "Sam" and last["content"].startswith("Hi, Sam here")

    status, _ = console.predict(session, "", api_name="/hand_back")
    assert status == "Handed back to the bot." and store.owner(session) == "bot"
    console.close()


def test_dead_letters_are_listed_and_redelivered_over_http(tmp_path):
    """A helpdesk that fails the first webhook: the operator sees the dead letter on the agent
    API and sends it again once the receiver is back (real receiver, real SQLite, real server)."""
    from tests.test_helpdesk import SECRET, Receiver

    receiver = Receiver(statuses=[503])          # down once, then accepting
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    settings = HelpdeskSettings(agent_token=TOKEN, webhook_urls=[receiver.url], webhook_secret=SECRET,
                                retries=0, backoff_s=0.02, timeout=2)
    takeover = Takeover(store, Helpdesk(settings, store), store_name="Northwind")
    session = store.create()
    store.append(session, 1, "user", {"content": "A person please", "images": []})
    try:
        takeover.start(session, HandoffDecision(True, "explicit_request", "asked", "live"), store.load_state(session))
        assert takeover.helpdesk.flush(10)
        with LiveServer(build_app(takeover, tmp_path / "uploads")) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/api/v1/agent/dead-letters").status_code == 401
            assert client.post("/api/v1/agent/dead-letters/1/redeliver").status_code == 401
            [dead] = client.get("/api/v1/agent/dead-letters", headers=AUTH).json()["dead_letters"]
            assert dead["session_id"] == session and dead["event"] == "handoff.created"
            assert dead["attempts"] == 1 and dead["last_error"].startswith("HTTP 503") and "body" not in dead

            sent = client.post(f"/api/v1/agent/dead-letters/{dead['id']}/redeliver", headers=AUTH)
            assert sent.status_code == 200 and sent.json()["status"] == "delivered"
            assert receiver.events() == ["handoff.created", "handoff.created"]
            assert receiver.requests[1]["valid"]
            assert receiver.requests[1]["body"]["delivery_id"] == dead["delivery_id"]   # the same delivery
            assert client.get("/api/v1/agent/dead-letters", headers=AUTH).json()["dead_letters"] == []
            gone = client.post(f"/api/v1/agent/dead-letters/{dead['id']}/redeliver", headers=AUTH)
            assert gone.status_code == 404 and "no dead letter" in gone.json()["error"]["message"]
            assert client.post("/api/v1/agent/dead-letters/0/redeliver", headers=AUTH).status_code == 422
    finally:
        takeover.helpdesk.close()
        receiver.close()
