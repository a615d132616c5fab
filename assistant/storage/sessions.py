"""Durable conversations: sessions, their dialogue state and every event, in SQL.

SQLite (WAL) in the data dir by default; any SQLAlchemy URL (Postgres: ``postgresql+psycopg://``)
works. Every user turn is written before it is processed and every reply event after it is
produced, each in its own transaction, so a process killed mid-reply loses nothing that was
acknowledged and the conversation continues on restart. Events carry a per-session sequence
number (unique per session) so a client can resume with "events after N".

The schema is versioned: ``MIGRATIONS`` is a numbered list applied in order, each in one
transaction that also records its number in ``schema_version``, so a database written by an older
release upgrades in place when a store opens it. Tickets (assistant.handoff.takeover) and the helpdesk
outbox (assistant.handoff.helpdesk) live in the same database, so they share its durability and migrations.

``export_jsonl`` writes transcripts in the replay format documented on ``transcript_record``.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (Column, Float, Index, Integer, MetaData, String, Table, Text, case, create_engine, event,
                        func, insert, inspect, select, text, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from assistant.errors import NotFound
from assistant.dialogue.state import DialogueState
from assistant.storage.orders import migrate_orders

TRANSCRIPT_FORMAT = "shop-assistant.transcript/1"
OWNERS = ("bot", "queued", "agent")

# -- the current schema (what queries use) ------------------------------------------------
metadata = MetaData()
schema_table = Table("schema_version", metadata, Column("version", Integer, nullable=False))
sessions_table = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("customer_id", String(128)),
    Column("state", Text, nullable=False, default="{}"),
    Column("owner", String(16), nullable=False, server_default="bot"),       # v3
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
events_seq_index = Index("ux_events_session_seq", events_table.c.session_id, events_table.c.seq, unique=True)
tickets_table = Table(                                                          # v4
    "tickets", metadata,
    Column("id", String(40), primary_key=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False),          # queued | agent | handed_back | resolved | cancelled
    Column("mode", String(16), nullable=False),            # live | queue | ticket
    Column("rule", String(64)),
    Column("reason", Text),
    Column("message", Text),
    Column("summary", Text, nullable=False, default="{}"),
    Column("agent", String(128)),
    Column("opened_turn", Integer, nullable=False, default=0),
    Column("closed_turn", Integer),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("joined_at", String(40)),
    Column("closed_at", String(40)),
)
outbox_table = Table(                                                           # v5
    "webhook_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("session_id", String(64), nullable=False),
    Column("event", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("claimed_until", Float, nullable=False, default=0.0),
    Column("last_error", Text),
    Column("created_at", String(40), nullable=False),
)
dead_letters_table = Table(                                                     # v5
    "webhook_dead_letters", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("session_id", String(64), nullable=False, index=True),
    Column("event", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", String(40), nullable=False),
    Column("failed_at", String(40), nullable=False),
)
inbound_seen_table = Table(                                                     # v5: replay guard
    "helpdesk_inbound_seen", metadata,
    Column("signature", String(80), primary_key=True),
    Column("received_at", Float, nullable=False),
)

# -- version 1, frozen: what the walking skeleton created --------------------------------
_v1 = MetaData()
_V1_TABLES = (
    Table("schema_version", _v1, Column("version", Integer, nullable=False)),
    Table("sessions", _v1, Column("id", String(64), primary_key=True),
          Column("created_at", String(40), nullable=False), Column("updated_at", String(40), nullable=False),
          Column("customer_id", String(128)), Column("state", Text, nullable=False, default="{}")),
    Table("events", _v1, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("session_id", String(64), nullable=False, index=True), Column("seq", Integer, nullable=False),
          Column("turn", Integer, nullable=False), Column("type", String(32), nullable=False),
          Column("payload", Text, nullable=False), Column("created_at", String(40), nullable=False)),
)


def _m1_baseline(conn: Connection) -> None:
    for table in _V1_TABLES:
        table.create(conn, checkfirst=True)


def _m2_unique_event_seq(conn: Connection) -> None:
    """Make (session_id, seq) unique. Older releases could race two writers onto one seq:
    such sessions are renumbered in write order first, so no event is dropped."""
    dupes = conn.execute(select(events_table.c.session_id).group_by(events_table.c.session_id, events_table.c.seq)
                         .having(func.count() > 1)).scalars().all()
    for session_id in sorted(set(dupes)):
        ids = conn.execute(select(events_table.c.id).where(events_table.c.session_id == session_id)
                           .order_by(events_table.c.id)).scalars().all()
        for seq, row_id in enumerate(ids, start=1):
            conn.execute(update(events_table).where(events_table.c.id == row_id).values(seq=seq))
    events_seq_index.create(conn)


def _m3_session_owner(conn: Connection) -> None:
    """Who owns the conversation (bot | queued | agent) in its own column, so a takeover never
    races the manager's read-modify-write of the state JSON."""
    conn.execute(text("ALTER TABLE sessions ADD COLUMN owner VARCHAR(16) NOT NULL DEFAULT 'bot'"))


def _m4_tickets(conn: Connection) -> None:
    tickets_table.create(conn)


def _m5_helpdesk(conn: Connection) -> None:
    for table in (outbox_table, dead_letters_table, inbound_seen_table):
        table.create(conn)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "sessions and events", _m1_baseline),
    (2, "unique event sequence per session", _m2_unique_event_seq),
    (3, "conversation owner column", _m3_session_owner),
    (4, "handoff tickets", _m4_tickets),
    (5, "helpdesk webhook outbox, dead letters, inbound replay guard", _m5_helpdesk),
    (6, "orders, order customers, order action ledger, verification attempts", migrate_orders),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


_now = now_iso   # kept for older imports


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
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL: readers never block the writer
            dbapi_conn.isolation_level = None   # SQLAlchemy, not pysqlite, decides where BEGIN goes
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # writers take the write lock up front, so read-then-write cannot interleave
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


class SessionStore:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.migrate()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE; waits up to busy_timeout for the lock)."""
        with self.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                yield conn

    # -- schema ---------------------------------------------------------------------------
    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("schema_version"):
                return 0
            return conn.execute(select(func.max(schema_table.c.version))).scalar() or 0

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks, oldest first; returns the numbers applied."""
        applied: list[int] = []
        if self.schema_version() >= SCHEMA_VERSION:
            return applied
        for number, _title, step in MIGRATIONS:
            with self.write() as conn:
                if self.engine.dialect.name == "postgresql":    # one migrator at a time
                    conn.execute(text("SELECT pg_advisory_xact_lock(7263541)"))
                has_table = inspect(conn).has_table("schema_version")
                current = conn.execute(select(func.max(schema_table.c.version))).scalar() if has_table else None
                if (current or 0) >= number:
                    continue
                step(conn)
                conn.execute(insert(schema_table).values(version=number))
                applied.append(number)
        return applied

    # -- sessions -----------------------------------------------------------------------
    def create(self, session_id: str | None = None, customer_id: str | None = None) -> str:
        session_id = session_id or uuid.uuid4().hex
        now = now_iso()
        with self.write() as conn:
            conn.execute(insert(sessions_table).values(id=session_id, created_at=now, updated_at=now,
                                                       customer_id=customer_id, state="{}", owner="bot"))
        return session_id

    def exists(self, session_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(sessions_table.c.id).where(sessions_table.c.id == session_id)).first() is not None

    def ensure(self, session_id: str) -> str:
        if not self.exists(session_id):
            try:
                self.create(session_id)
            except IntegrityError:     # another worker created it first
                pass
        return session_id

    def info(self, session_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions_table).where(sessions_table.c.id == session_id)).mappings().first()
        if row is None:
            raise NotFound(f"no conversation with id {session_id!r}")
        return dict(row)

    def load_state(self, session_id: str) -> DialogueState:
        row = self.info(session_id)
        state = DialogueState.from_dict(json.loads(row["state"]))
        state.owner = row["owner"] or "bot"     # the owner column is the truth (see set_owner)
        return state

    def save_state(self, session_id: str, state: DialogueState) -> None:
        """Store the dialogue state; ``owner`` is left alone (only ``set_owner`` changes it)."""
        with self.write() as conn:
            conn.execute(update(sessions_table).where(sessions_table.c.id == session_id)
                         .values(state=json.dumps(state.to_dict()), updated_at=now_iso()))

    def owner(self, session_id: str) -> str:
        return self.info(session_id)["owner"] or "bot"

    def set_owner(self, session_id: str, owner: str, conn: Connection | None = None) -> None:
        if owner not in OWNERS:
            raise ValueError(f"owner must be one of {OWNERS}, not {owner!r}")
        statement = (update(sessions_table).where(sessions_table.c.id == session_id)
                     .values(owner=owner, updated_at=now_iso()))
        if conn is not None:
            conn.execute(statement)
            return
        with self.write() as own:
            own.execute(statement)

    def list_sessions(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(sessions_table).order_by(sessions_table.c.updated_at.desc()).limit(limit))
            return [dict(r) for r in rows.mappings()]

    def session_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(sessions_table.c.id).order_by(sessions_table.c.created_at,
                                                                        sessions_table.c.id)).scalars())

    # -- events -------------------------------------------------------------------------
    def append(self, session_id: str, turn: int, type_: str, data: dict[str, Any],
               conn: Connection | None = None) -> int:
        """Persist one event (its own transaction unless ``conn`` is given) and return its seq."""
        if conn is not None:
            return self._append(conn, session_id, turn, type_, data)
        for attempt in range(5):
            try:
                with self.write() as own:
                    return self._append(own, session_id, turn, type_, data)
            except IntegrityError:       # Postgres: a concurrent writer took this seq; take the next
                if attempt == 4:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _append(self, conn: Connection, session_id: str, turn: int, type_: str, data: dict[str, Any]) -> int:
        # Postgres: lock the session row so writers to one conversation take turns.
        conn.execute(select(sessions_table.c.id).where(sessions_table.c.id == session_id).with_for_update())
        seq = (conn.execute(select(func.max(events_table.c.seq))
                            .where(events_table.c.session_id == session_id)).scalar() or 0) + 1
        conn.execute(insert(events_table).values(session_id=session_id, seq=seq, turn=turn, type=type_,
                                                 payload=json.dumps(data, default=str), created_at=now_iso()))
        conn.execute(update(sessions_table).where(sessions_table.c.id == session_id).values(updated_at=now_iso()))
        return seq

    def events(self, session_id: str, after: int = 0) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(events_table).where(events_table.c.session_id == session_id,
                                                           events_table.c.seq > after)
                                .order_by(events_table.c.seq))
            return [StoredEvent(r.seq, r.turn, r.type, json.loads(r.payload), r.created_at) for r in rows]

    def photo(self, session_id: str, name: str) -> Path:
        """A photo the shopper sent in this conversation, by file name (looked up, never joined)."""
        for record in self.events(session_id):
            if record.type == "user":
                for stored in record.data.get("images") or []:
                    path = Path(stored.get("path") if isinstance(stored, dict) else stored)
                    if path.name == name and path.is_file():
                        return path
        raise NotFound(f"conversation {session_id!r} has no photo named {name!r}")

    def progress(self, session_id: str) -> tuple[int, bool]:
        """(last seq, whether the latest shopper message still awaits its done/error event)."""
        c = events_table.c
        with self.engine.connect() as conn:
            row = conn.execute(select(func.max(c.seq), func.max(case((c.type == "user", c.seq), else_=0)),
                                      func.max(case((c.type.in_(("done", "error")), c.seq), else_=0)))
                               .where(c.session_id == session_id)).first()
        last, user, finished = (v or 0 for v in row)
        return last, user > finished

    def last_seq(self, session_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(events_table.c.seq))
                                .where(events_table.c.session_id == session_id)).scalar() or 0

    def transcript(self, session_id: str) -> list[dict[str, Any]]:
        """Messages as a person reads them: user turns, assistant answers (tokens joined, with
        ``complete`` False when the reply was cut off), agent replies and takeover notices."""
        messages: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        for ev in self.events(session_id):
            if ev.type == "user":
                current = None
                messages.append({"role": "user", "turn": ev.turn, "seq": ev.seq, "created_at": ev.created_at,
                                 **ev.data})
            elif ev.type == "token":
                if current is None or current["turn"] != ev.turn:
                    current = {"role": "assistant", "turn": ev.turn, "seq": ev.seq, "created_at": ev.created_at,
                               "content": "", "citations": [], "complete": False}
                    messages.append(current)
                current["content"] += ev.data.get("text", "")
            elif ev.type == "citations" and current is not None:
                current["citations"] = ev.data.get("citations", [])
            elif ev.type == "agent_message":
                messages.append({"role": "agent", "turn": ev.turn, "seq": ev.seq, "created_at": ev.created_at,
                                 **ev.data})
                current = None
            elif ev.type == "notice" and ev.data.get("takeover"):
                messages.append({"role": "system", "turn": ev.turn, "seq": ev.seq, "created_at": ev.created_at,
                                 "content": ev.data.get("text", ""), "takeover": ev.data["takeover"]})
            elif ev.type == "done" and current is not None:
                current["complete"] = True
        return messages

    def last_turn(self, session_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(events_table.c.turn))
                                .where(events_table.c.session_id == session_id)).scalar() or 0

    # -- export ---------------------------------------------------------------------------
    def transcript_record(self, session_id: str) -> dict[str, Any]:
        """One conversation in the replay format (one JSON object per line of the export):

        ``{"format": "shop-assistant.transcript/1", "session_id", "customer_id", "created_at",
        "updated_at", "owner", "state": {final DialogueState}, "turns": [{"turn": n,
        "user": {"text", "images": [paths]}, "assistant": {"text", "complete", "citations"} | null,
        "handoff": {handoff event data} | null, "state": {state event data} | null,
        "agent_messages": [{"agent", "content", "seq"}], "notices": [text]}]}``

        A replay runner sends each ``turns[i].user`` through ``ConversationManager.respond`` and
        compares what comes back with ``assistant`` and ``handoff``.
        """
        info = self.info(session_id)
        turns: dict[int, dict[str, Any]] = {}

        def slot(number: int) -> dict[str, Any]:
            return turns.setdefault(number, {"turn": number, "user": None, "assistant": None, "handoff": None,
                                             "state": None, "agent_messages": [], "notices": []})

        for ev in self.events(session_id):
            entry = slot(ev.turn)
            if ev.type == "user":
                entry["user"] = {"text": ev.data.get("content", ""), "images": ev.data.get("images", [])}
            elif ev.type == "token":
                entry["assistant"] = entry["assistant"] or {"text": "", "complete": False, "citations": []}
                entry["assistant"]["text"] += ev.data.get("text", "")
            elif ev.type == "citations" and entry["assistant"] is not None:
                entry["assistant"]["citations"] = ev.data.get("citations", [])
            elif ev.type == "done":
                if entry["assistant"] is not None:
                    entry["assistant"]["complete"] = True
            elif ev.type == "handoff":
                entry["handoff"] = ev.data
            elif ev.type == "state":
                entry["state"] = ev.data
            elif ev.type == "agent_message":
                entry["agent_messages"].append({"agent": ev.data.get("agent"), "content": ev.data.get("content", ""),
                                                "seq": ev.seq})
            elif ev.type == "notice" and ev.data.get("text"):
                entry["notices"].append(ev.data["text"])
        return {"format": TRANSCRIPT_FORMAT, "session_id": session_id, "customer_id": info["customer_id"],
                "created_at": info["created_at"], "updated_at": info["updated_at"], "owner": info["owner"],
                "state": json.loads(info["state"]), "turns": [turns[n] for n in sorted(turns)]}

    def export_jsonl(self, session_ids: Iterable[str] | str, path: Path | str) -> int:
        """Write the chosen conversations (or ``"all"``) to ``path``, one per line; returns how many."""
        ids = self.session_ids() if session_ids == "all" else list(session_ids)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for session_id in ids:
                out.write(json.dumps(self.transcript_record(session_id), ensure_ascii=False, default=str) + "\n")
        tmp.replace(path)
        return len(ids)


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    """Read an export back (what the eval runner replays); rejects lines of another format."""
    records = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("format") != TRANSCRIPT_FORMAT:
            raise ValueError(f"{path}:{number}: not a {TRANSCRIPT_FORMAT} record")
        records.append(record)
    return records
