"""Durable conversations: sessions, their dialogue state and every event, in SQL.

SQLite (WAL) in the data dir by default; any SQLAlchemy URL (Postgres) works. Every user turn
is written before it is processed and every reply event after it is produced, each in its own
transaction, so a process killed mid-reply loses nothing that was acknowledged and the
conversation continues on restart. Events carry a per-session sequence number so a client can
resume with "events after N".
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (Column, Integer, MetaData, String, Table, Text, create_engine, event, func,
                        insert, select, update)
from sqlalchemy.engine import Engine

from assistant.errors import NotFound
from assistant.state import DialogueState

SCHEMA_VERSION = 1
metadata = MetaData()

schema_table = Table("schema_version", metadata, Column("version", Integer, nullable=False))
sessions_table = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("customer_id", String(128)),
    Column("state", Text, nullable=False, default="{}"),
)
events_table = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("turn", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class StoredEvent:
    seq: int
    turn: int
    type: str
    data: dict[str, Any]
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "turn": self.turn, "type": self.type, **self.data, "created_at": self.created_at}


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL: readers never block the writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class SessionStore:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        self._migrate()

    def _migrate(self) -> None:
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            current = conn.execute(select(func.max(schema_table.c.version))).scalar()
            if current is None:
                conn.execute(insert(schema_table).values(version=SCHEMA_VERSION))

    # -- sessions -----------------------------------------------------------------------
    def create(self, session_id: str | None = None, customer_id: str | None = None) -> str:
        session_id = session_id or uuid.uuid4().hex
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(insert(sessions_table).values(id=session_id, created_at=now, updated_at=now,
                                                       customer_id=customer_id, state="{}"))
        return session_id

    def exists(self, session_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(sessions_table.c.id).where(sessions_table.c.id == session_id)).first() is not None

    def ensure(self, session_id: str) -> str:
        if not self.exists(session_id):
            self.create(session_id)
        return session_id

    def info(self, session_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions_table).where(sessions_table.c.id == session_id)).mappings().first()
        if row is None:
            raise NotFound(f"no conversation with id {session_id!r}")
        return dict(row)

    def load_state(self, session_id: str) -> DialogueState:
        return DialogueState.from_dict(json.loads(self.info(session_id)["state"]))

    def save_state(self, session_id: str, state: DialogueState) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(sessions_table).where(sessions_table.c.id == session_id)
                         .values(state=json.dumps(state.to_dict()), updated_at=_now()))

    def list_sessions(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(sessions_table).order_by(sessions_table.c.updated_at.desc()).limit(limit))
            return [dict(r) for r in rows.mappings()]

    # -- events -------------------------------------------------------------------------
    def append(self, session_id: str, turn: int, type_: str, data: dict[str, Any]) -> int:
        """Persist one event (its own transaction) and return its sequence number."""
        with self.engine.begin() as conn:
            seq = (conn.execute(select(func.max(events_table.c.seq))
                                .where(events_table.c.session_id == session_id)).scalar() or 0) + 1
            conn.execute(insert(events_table).values(session_id=session_id, seq=seq, turn=turn, type=type_,
                                                     payload=json.dumps(data, default=str), created_at=_now()))
        return seq

    def events(self, session_id: str, after: int = 0) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(events_table).where(events_table.c.session_id == session_id,
                                                           events_table.c.seq > after)
                                .order_by(events_table.c.seq))
            return [StoredEvent(r.seq, r.turn, r.type, json.loads(r.payload), r.created_at) for r in rows]

    def transcript(self, session_id: str) -> list[dict[str, Any]]:
        """Messages as a person reads them: user turns, assistant answers (tokens joined), agent replies."""
        messages: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        for ev in self.events(session_id):
            if ev.type == "user":
                current = None
                messages.append({"role": "user", "turn": ev.turn, **ev.data})
            elif ev.type == "token":
                if current is None or current["turn"] != ev.turn:
                    current = {"role": "assistant", "turn": ev.turn, "content": "", "citations": []}
                    messages.append(current)
                current["content"] += ev.data.get("text", "")
            elif ev.type == "citations" and current is not None:
                current["citations"] = ev.data.get("citations", [])
            elif ev.type == "agent_message":
                messages.append({"role": "agent", "turn": ev.turn, **ev.data})
                current = None
            elif ev.type == "done" and current is not None:
                current["complete"] = True
        return messages

    def last_turn(self, session_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(events_table.c.turn))
                                .where(events_table.c.session_id == session_id)).scalar() or 0
