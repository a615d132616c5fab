"""Durable sessions: migrations from an old database, JSONL export and replay, concurrent writers,
a real PostgreSQL, and a kill -9 of a real process in the middle of a reply."""
from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from assistant.handoff.policy import HandoffDecision
from assistant.storage.sessions import SCHEMA_VERSION, SessionStore, read_jsonl
from assistant.settings import PROJECT_ROOT
from assistant.handoff.takeover import Takeover
from tests.conftest import ask
from tests.servers import free_port

V1_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE sessions (id VARCHAR(64) NOT NULL, created_at VARCHAR(40) NOT NULL,
    updated_at VARCHAR(40) NOT NULL, customer_id VARCHAR(128), state TEXT NOT NULL, PRIMARY KEY (id));
CREATE TABLE events (id INTEGER NOT NULL, session_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL,
    turn INTEGER NOT NULL, type VARCHAR(32) NOT NULL, payload TEXT NOT NULL, created_at VARCHAR(40) NOT NULL,
    PRIMARY KEY (id));
CREATE INDEX ix_events_session_id ON events (session_id);
INSERT INTO schema_version VALUES (1);
INSERT INTO sessions VALUES ('old-chat', '2026-11-01T10:00:00', '2026-11-01T10:01:00', 'cust-7',
    '{"intent": "shipping", "turns": 1, "product_in_focus": "alpine-40"}');
INSERT INTO events (session_id, seq, turn, type, payload, created_at) VALUES
    ('old-chat', 1, 1, 'user', '{"content": "How much is shipping?", "images": []}', '2026-11-01T10:00:00'),
    ('old-chat', 2, 1, 'token', '{"text": "Shipping is free over $75."}', '2026-11-01T10:00:01'),
    ('old-chat', 2, 1, 'done', '{"answer": "Shipping is free over $75."}', '2026-11-01T10:00:02');
"""


def write_v1_database(path: Path) -> None:
    """A database exactly as the walking-skeleton release wrote it (schema version 1), including
    a duplicate seq that its unlocked writer could produce."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.commit()
    conn.close()


def test_an_old_database_upgrades_in_place_and_keeps_every_message(tmp_path):
    path = tmp_path / "old.sqlite3"
    write_v1_database(path)

    store = SessionStore(f"sqlite:///{path}")

    assert store.schema_version() == SCHEMA_VERSION
    versions = [r[0] for r in sqlite3.connect(path).execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    transcript = store.transcript("old-chat")
    assert [(m["role"], m["content"]) for m in transcript] == [
        ("user", "How much is shipping?"), ("assistant", "Shipping is free over $75.")]
    assert transcript[1]["complete"], "the duplicate seq was renumbered, not dropped"
    assert [e.seq for e in store.events("old-chat")] == [1, 2, 3]
    assert store.load_state("old-chat").intent == "shipping" and store.owner("old-chat") == "bot"
    # the new tables work on the upgraded database
    takeover = Takeover(store)
    ticket = takeover.start("old-chat", HandoffDecision(True, "explicit_request", "asked", "live"),
                            store.load_state("old-chat"))
    assert takeover.ticket_for("old-chat").id == ticket.id
    assert store.append("old-chat", 2, "user", {"content": "thanks"}) == 4
    # opening it again is a no-op
    assert SessionStore(f"sqlite:///{path}").migrate() == []


def test_concurrent_writers_never_share_a_sequence_number(tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    assert_concurrent_appends(store)


def assert_concurrent_appends(store: SessionStore, threads: int = 4, each: int = 15) -> None:
    session = store.create()

    def writer(n: int) -> None:
        for i in range(each):
            store.append(session, 1, "token", {"text": f"{n}-{i}"})

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    events = store.events(session)
    assert [e.seq for e in events] == list(range(1, threads * each + 1))
    assert sorted(e.data["text"] for e in events) == sorted(f"{n}-{i}" for n in range(threads) for i in range(each))


def test_transcripts_export_to_jsonl_and_replay_to_the_same_answers(manager, demo_settings, demo_knowledge,
                                                                   tmp_path):
    store = manager.sessions
    first, second = manager.new_session(), manager.new_session()
    ask(manager, first, "How heavy is the Alpine 40 Pack?")
    ask(manager, first, "How long do I have to return it?")
    ask(manager, second, "Is the Summit Rain Jacket in stock in black XL?")
    takeover = Takeover(store)
    takeover.start(second, HandoffDecision(True, "explicit_request", "asked", "live", "Connecting you."),
                   store.load_state(second))
    takeover.agent_reply(second, "Yes - $139.00 and in stock.", "Sam")

    assert store.export_jsonl("all", tmp_path / "all.jsonl") == 2
    assert store.export_jsonl([second], tmp_path / "one.jsonl") == 1
    records = read_jsonl(tmp_path / "all.jsonl")
    assert [r["session_id"] for r in records] == [first, second]
    one = read_jsonl(tmp_path / "one.jsonl")[0]
    assert one["owner"] == "agent" and one["turns"][0]["agent_messages"][0]["content"] == "Yes - $139.00 and in stock."
    assert one["turns"][0]["user"]["text"] == "Is the Summit Rain Jacket in stock in black XL?"

    # replay: the eval runner sends each user turn through a fresh manager and compares
    from assistant.conversation import ConversationManager

    fresh = ConversationManager(demo_settings.model_copy(update={"data_dir": tmp_path / "replay"}),
                                knowledge=demo_knowledge, sessions=SessionStore(f"sqlite:///{tmp_path / 'r.sqlite3'}"))
    record = records[0]
    replayed = [ask(fresh, "replay", t["user"]["text"])["answer"] for t in record["turns"]]
    assert replayed == [t["assistant"]["text"].strip() for t in record["turns"]]
    assert all(t["assistant"]["complete"] for t in record["turns"])
    assert "1.4" in replayed[0]


# -- PostgreSQL --------------------------------------------------------------------------------
def _pg_binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server in a temp dir on 127.0.0.1 (as the postgres user when root)."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("the psycopg driver is not installed (pip install 'psycopg[binary]')")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser: cannot start PostgreSQL as the postgres user")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    port = free_port()
    data = root / "data"
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True, timeout=120)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "start"],
                   check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True,
                       timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_postgres_stores_conversations_tickets_and_webhooks(postgres_url, tmp_path):
    store = SessionStore(postgres_url)
    assert store.schema_version() == SCHEMA_VERSION
    assert_concurrent_appends(store)

    session = store.create(customer_id="cust-42")
    store.append(session, 1, "user", {"content": "Can I talk to a person?", "images": []})
    from assistant.handoff.helpdesk import Helpdesk
    from assistant.settings import HelpdeskSettings

    helpdesk = Helpdesk(HelpdeskSettings(webhook_urls=["http://127.0.0.1:9/never"], webhook_secret="s"), store,
                        autostart=False)
    takeover = Takeover(store, helpdesk)
    takeover.start(session, HandoffDecision(True, "explicit_request", "asked", "live"), store.load_state(session))
    takeover.agent_reply(session, "Hi, this is Sam.", "Sam")
    assert Takeover(SessionStore(postgres_url)).owner(session) == "agent"
    takeover.resolve(session, "Sam")
    assert [m["role"] for m in store.transcript(session)] == ["user", "system", "agent", "system"]
    assert {row["event"] for row in helpdesk.pending()} == {"handoff.created", "ticket.agent_joined",
                                                            "message.agent", "ticket.resolved"}
    store.export_jsonl([session], tmp_path / "pg.jsonl")
    assert read_jsonl(tmp_path / "pg.jsonl")[0]["customer_id"] == "cust-42"
    assert SessionStore(postgres_url).migrate() == []


def test_postgres_upgrades_an_old_database(postgres_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS legacy"))
        conn.execute(text("CREATE DATABASE legacy"))
    engine.dispose()
    legacy_url = postgres_url.rsplit("/", 1)[0] + "/legacy"
    old = create_engine(legacy_url)
    with old.begin() as conn:
        for statement in V1_SCHEMA.replace("id INTEGER NOT NULL,", "id SERIAL NOT NULL,").split(";"):
            if statement.strip():
                conn.execute(text(statement))
    old.dispose()

    store = SessionStore(legacy_url)
    assert store.schema_version() == SCHEMA_VERSION
    assert [e.seq for e in store.events("old-chat")] == [1, 2, 3]
    assert store.transcript("old-chat")[1]["complete"]


# -- kill -9 in the middle of a reply ----------------------------------------------------------
DRIVER = r"""
import json, sys
from assistant.conversation import ConversationManager, Turn
from assistant.settings import Settings
mode, session = sys.argv[1], sys.argv[2]
manager = ConversationManager(Settings())
if mode == "reply":
    for event in manager.respond(session, Turn(text="How heavy is the Alpine 40 Pack?")):
        print(json.dumps({"type": event.type, "seq": event.data.get("seq"), "text": event.data.get("text")}),
              flush=True)     # acknowledged: the client has seen it
else:
    answer = [e.data["answer"] for e in manager.respond(session, Turn(text="And how long can I return it?"))
              if e.type == "done"]
    print(json.dumps({"answer": answer[0], "transcript": manager.sessions.transcript(session),
                      "events": [e.to_dict() for e in manager.sessions.events(session)]}), flush=True)
"""


def test_a_process_killed_mid_reply_loses_nothing_acknowledged(demo_settings, demo_knowledge, tmp_path):
    database = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(demo_settings.data_dir), "ASSISTANT_DATABASE_URL": database,
           "ASSISTANT_BACKEND": "fake", "PYTHONPATH": str(PROJECT_ROOT),
           "ASSISTANT_BACKEND_OPTIONS": json.dumps({"answers": [
               "The Alpine 40 Pack weighs 1.4 kg and carries 40 litres comfortably on long days",
               "You have 30 days to return it."], "slow": 0.4})}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, "reply", "chat-1"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    acknowledged = []
    try:
        for line in proc.stdout:
            event = json.loads(line)
            acknowledged.append(event)
            if sum(e["type"] == "token" for e in acknowledged) == 3:
                proc.send_signal(signal.SIGKILL)       # kill -9 while the fourth word is being made
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    tokens = [e for e in acknowledged if e["type"] == "token"]
    assert len(tokens) == 3

    restarted = subprocess.run([sys.executable, "-c", DRIVER, "continue", "chat-1"], cwd=PROJECT_ROOT, env={
        **env, "ASSISTANT_BACKEND_OPTIONS": json.dumps({"answers": ["You have 30 days to return it."]})},
        capture_output=True, text=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    after = json.loads(restarted.stdout.strip().splitlines()[-1])
    stored = {e["seq"]: e for e in after["events"]}
    for event in acknowledged:        # every acknowledged event is stored under the seq it was shown with
        assert stored[event["seq"]]["type"] == event["type"]
        if event["type"] == "token":
            assert stored[event["seq"]]["text"] == event["text"]
    user, cut, user2, answer2 = after["transcript"]
    assert user["role"] == "user" and user["content"] == "How heavy is the Alpine 40 Pack?" and user["seq"] == 1
    assert cut["role"] == "assistant" and cut["content"] == "".join(t["text"] for t in tokens)
    assert cut["complete"] is False
    assert user2["turn"] == 2 and user2["content"] == "And how long can I return it?"
    assert answer2["complete"] and after["answer"] == "You have 30 days to return it."
    assert [e["seq"] for e in after["events"]] == list(range(1, len(after["events"]) + 1))


def test_progress_tells_whether_the_latest_message_still_awaits_its_reply(tmp_path):
    """What a stream resumes from and whether a reply is owed, on a long conversation too."""
    store = SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    sid = store.create()
    assert store.progress(sid) == (0, False)
    seq = store.append(sid, 1, "user", {"text": "how heavy is the pack?"})
    assert store.progress(sid) == (seq, True)
    for turn in range(1, 40):                   # a long conversation: tokens after each message
        if turn > 1:
            store.append(sid, turn, "user", {"text": f"question {turn}"})
        for n in range(20):
            store.append(sid, turn, "token", {"text": f"t{n} "})
        assert store.progress(sid)[1], "tokens are not the end of a reply"
        last = store.append(sid, turn, "done" if turn % 2 else "error", {})
        assert store.progress(sid) == (last, False)
    after_agent = store.append(sid, 40, "agent", {"text": "hi, Sam here"})
    assert store.progress(sid) == (after_agent, False), "a person's message owes no reply"
    store.append(sid, 41, "user", {"text": "thanks"})
    assert store.progress(sid)[1]


def test_a_thumb_stored_after_its_reason_keeps_the_reason(tmp_path):
    """The widget sends the thumb, then the reason: two requests that may be stored either way round."""
    store = SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    sid = store.create()
    store.append(sid, 1, "user", {"text": "do you have trail shoes?"})
    ratings = lambda: [(r["rating"], r["reason"]) for r in store.feedback.ratings() if r["session_id"] == sid]  # noqa: E731
    assert store.feedback.rate(sid, 1, "down", "  I asked about   trail shoes ")["reason"] == "I asked about trail shoes"
    assert store.feedback.rate(sid, 1, "down")["reason"] == "I asked about trail shoes"      # the late thumb
    assert ratings() == [("down", "I asked about trail shoes")]
    store.feedback.rate(sid, 1, "up")                     # changed their mind: the reason was for "down"
    assert ratings() == [("up", None)]
