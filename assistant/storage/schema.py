"""The session database's shape: tables, numbered migrations, the engine, and the owner vocabulary.

One SQL database holds conversations (sessions, events), handoff tickets and the helpdesk's
webhook outbox, dead letters and inbound replay guard, so they share one durability and one
upgrade path. ``MIGRATIONS`` is a numbered list applied in order, each in one transaction that
also records its number in ``schema_version``, so a database written by an older release
upgrades in place when a store opens it (``migrate``).

SQLite (WAL) in the data dir by default; any SQLAlchemy URL (Postgres: ``postgresql+psycopg://``)
works (``make_engine``).
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path

from sqlalchemy import (Column, Float, Index, Integer, MetaData, String, Table, Text, create_engine, event, func,
                        insert, inspect, select, text, update)
from sqlalchemy.engine import Connection, Engine

from assistant.storage.orders import migrate_orders

try:
    import fcntl
except ImportError:         # not POSIX: the processes of one machine wait in SQLite's busy handler
    fcntl = None


class Owner(StrEnum):
    """Who owns a conversation: the bot, the queue for a person, or a person (the ``owner``
    column's values; str-valued, so ``Owner.BOT == "bot"`` and JSON writes the plain word)."""

    BOT = "bot"
    QUEUED = "queued"
    AGENT = "agent"

    @property
    def is_person(self) -> bool:
        """A person (or the queue for one) owns the chat: the bot must stay silent."""
        return self is not Owner.BOT


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
    Column("owner", String(16), nullable=False, server_default=Owner.BOT.value),       # v3
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
events_turn_index = Index("ix_events_session_turn", events_table.c.session_id, events_table.c.turn)     # v9
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


def _m7_shared_leases(conn: Connection) -> None:
    """Rate buckets, reply leases, agent presence and stream followers, shared by every app
    process (assistant.storage.leases)."""
    from assistant.storage.leases import create_tables

    create_tables(conn)


def _m8_feedback(conn: Connection) -> None:
    """Shoppers' ratings of answers and what they did with replies (assistant.storage.feedback)."""
    from assistant.storage.feedback import create_tables

    create_tables(conn)


def _m9_event_turn_index(conn: Connection) -> None:
    """A conversation's last turn number by index, not by reading every event it has (each new
    turn asks for it)."""
    events_turn_index.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "sessions and events", _m1_baseline),
    (2, "unique event sequence per session", _m2_unique_event_seq),
    (3, "conversation owner column", _m3_session_owner),
    (4, "handoff tickets", _m4_tickets),
    (5, "helpdesk webhook outbox, dead letters, inbound replay guard", _m5_helpdesk),
    (6, "orders, order customers, order action ledger, verification attempts", migrate_orders),
    (7, "shared state of several app processes: rate buckets, reply leases, presence", _m7_shared_leases),
    (8, "answer ratings and shopper actions (cards, suggestions, citation links)", _m8_feedback),
    (9, "index of a conversation's events by turn", _m9_event_turn_index),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def in_window(query, column, since: str | None, until: str | None):
    """``query`` limited to rows whose ``column`` (an ISO time) lies in [since, until)."""
    if since:
        query = query.where(column >= since)
    if until:
        query = query.where(column < until)
    return query


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


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


# SQLite has one writer at a time. Writers queue for it on a lock that wakes the next one the
# moment the last commits: a thread lock within the process, then an flock on a file beside the
# database across the processes of one machine. Left to SQLite, a blocked BEGIN IMMEDIATE sleeps
# in steps of up to 100 ms (its busy handler), which under 50 concurrent chats put seconds on p99.
class _SqliteWriters:
    """The write lock of one SQLite database, reentrant within a thread."""

    def __init__(self, database: str):
        self._thread = threading.RLock()
        self._depth = 0
        self._file = None
        if fcntl is not None and database and database != ":memory:":
            self._file = open(f"{database}.writer-lock", "a+b")      # noqa: SIM115 - held for the engine's life

    def __enter__(self) -> None:
        self._thread.acquire()
        self._depth += 1
        if self._depth == 1 and self._file is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX)
            except BaseException:
                self._depth -= 1
                self._thread.release()
                raise

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._thread.release()


_sqlite_writers: "weakref.WeakKeyDictionary[Engine, _SqliteWriters]" = weakref.WeakKeyDictionary()
_sqlite_writers_lock = threading.Lock()


def _writer_lock(engine: Engine):
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _sqlite_writers_lock:
        lock = _sqlite_writers.get(engine)
        if lock is None:
            lock = _sqlite_writers[engine] = _SqliteWriters(engine.url.database or "")
        return lock


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """One write transaction (SQLite: BEGIN IMMEDIATE; waits up to busy_timeout for the lock).

    The writer lock covers the transaction alone, not the pool's checkout and return: every
    writer of the database queues on it, so what it holds should be only what must be serial."""
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with _writer_lock(engine), conn.begin():
            yield conn


def schema_version(engine: Engine) -> int:
    with engine.connect() as conn:
        if not inspect(conn).has_table("schema_version"):
            return 0
        return conn.execute(select(func.max(schema_table.c.version))).scalar() or 0


def migrate(engine: Engine) -> list[int]:
    """Apply the migrations this database lacks, oldest first; returns the numbers applied."""
    applied: list[int] = []
    if schema_version(engine) >= SCHEMA_VERSION:
        return applied
    for number, _title, step in MIGRATIONS:
        with write(engine) as conn:
            if engine.dialect.name == "postgresql":    # one migrator at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(7263541)"))
            has_table = inspect(conn).has_table("schema_version")
            current = conn.execute(select(func.max(schema_table.c.version))).scalar() if has_table else None
            if (current or 0) >= number:
                continue
            step(conn)
            conn.execute(insert(schema_table).values(version=number))
            applied.append(number)
    return applied
