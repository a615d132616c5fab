"""The session database's shape on its own: numbered migrations on a bare engine, and the owner
vocabulary the owner column, the dialogue state and the JSON export share. Real SQLite."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect

from assistant.dialogue.state import DialogueState
from assistant.storage import schema
from assistant.storage.schema import Owner
from assistant.storage.sessions import SessionStore


def test_a_bare_database_is_migrated_in_order_once(tmp_path):
    engine = schema.make_engine(f"sqlite:///{tmp_path / 'nested' / 'fresh.sqlite3'}")
    assert schema.schema_version(engine) == 0

    assert schema.migrate(engine) == [number for number, _title, _step in schema.MIGRATIONS]
    assert schema.migrate(engine) == []
    assert schema.schema_version(engine) == schema.SCHEMA_VERSION
    tables = set(inspect(engine).get_table_names())
    assert {"sessions", "events", "tickets", "webhook_outbox", "webhook_dead_letters",
            "helpdesk_inbound_seen"} <= tables
    owner = next(c for c in inspect(engine).get_columns("sessions") if c["name"] == "owner")
    assert "bot" in str(owner["default"])
    engine.dispose()


def test_the_owner_is_one_vocabulary_in_the_column_the_state_and_the_export(tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    session = store.create()
    assert store.owner(session) is Owner.BOT and not store.owner(session).is_person

    store.set_owner(session, Owner.AGENT)
    state = store.load_state(session)
    assert state.owner is Owner.AGENT and state.owner == "agent"
    assert json.loads(json.dumps(state.to_dict()))["owner"] == "agent"
    assert f"owned by {state.owner}" == "owned by agent"
    store.set_owner(session, "queued")                 # the plain word works too
    assert store.owner(session) is Owner.QUEUED and store.owner(session).is_person
    assert store.transcript_record(session)["owner"] == "queued"
    with pytest.raises(ValueError, match=r"one of \['bot', 'queued', 'agent'\], not 'nobody'"):
        store.set_owner(session, "nobody")
    assert DialogueState(owner=Owner.QUEUED).owner == "queued"


def test_sqlite_writers_of_every_process_queue_on_one_lock(tmp_path):
    """A write waits for whoever holds the database's writer lock (here another open of the lock
    file, as another process would hold it) and goes through once it is released."""
    import fcntl
    import threading

    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    session = store.create()
    other = open(tmp_path / "sessions.sqlite3.writer-lock", "a+b")
    fcntl.flock(other, fcntl.LOCK_EX)
    done = threading.Event()
    writer = threading.Thread(target=lambda: (store.append(session, 1, "note", {"text": "queued"}), done.set()))
    writer.start()
    try:
        assert not done.wait(0.5), "a write went ahead while another process held the writer lock"
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        other.close()
    assert done.wait(30)
    writer.join()
    assert [e.data.get("text") for e in store.events(session, 0)] == ["queued"]
