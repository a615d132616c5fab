"""What several app processes must agree on, kept in the shared session database.

One process keeps these in memory; behind a load balancer every process would keep its own and
a shopper's next request could land on another. So each lives in a small table of the session
database (PostgreSQL for several machines, SQLite in WAL mode for several processes on one):

- ``rate_buckets``   token buckets of the HTTP rate limits, per client address and conversation
- ``reply_leases``   the process answering a conversation now (one reply per conversation)
- ``agent_presence`` when each agent last used the console or the agent API
- ``stream_followers`` when some process last streamed a conversation to a client, so a reply
                     whose client resumed on another process is not cancelled
Times are wall-clock seconds (``time.time()``): monotonic clocks differ between processes.
Created by migration 7 (``create_tables``).
"""
from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Column, Float, MetaData, String, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from assistant.storage.schema import write

metadata = MetaData()

rate_buckets_table = Table(
    "rate_buckets", metadata,
    Column("key", String(200), primary_key=True),        # "<limit name>:<client or conversation>"
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
reply_leases_table = Table(
    "reply_leases", metadata,
    Column("session_id", String(64), primary_key=True),
    Column("holder", String(120), nullable=False),       # the ReplyRunner of one process
    Column("expires_at", Float, nullable=False),
)
agent_presence_table = Table(
    "agent_presence", metadata,
    Column("agent", String(128), primary_key=True),
    Column("seen_at", Float, nullable=False),
)
stream_followers_table = Table(
    "stream_followers", metadata,
    Column("session_id", String(64), primary_key=True),
    Column("seen_at", Float, nullable=False),
)

T = TypeVar("T")

# Every turn through HTTP takes two rate-limit tokens and claims and releases a reply lease: the
# statements are built once (a built statement's cache key and compiled form are reused).
_key = bindparam("k")   # not "key": that name is the rate_buckets column's own in an INSERT
_BUCKET = select(rate_buckets_table.c.tokens, rate_buckets_table.c.updated_at).where(
    rate_buckets_table.c.key == _key).with_for_update()
_LEASE = select(reply_leases_table.c.holder, reply_leases_table.c.expires_at).where(
    reply_leases_table.c.session_id == _key).with_for_update()
_RELEASE = delete(reply_leases_table).where(reply_leases_table.c.session_id == _key,
                                            reply_leases_table.c.holder == bindparam("holder"))


@lru_cache(maxsize=None)
def _upsert_statements(table: Table, key_column: str, columns: tuple[str, ...]):
    """(update, insert) of one row by its key, the values as bind parameters ``v_<column>``."""
    values = {name: bindparam(f"v_{name}") for name in columns}
    return (update(table).where(table.c[key_column] == _key).values(**values),
            insert(table).values(**{key_column: _key}, **values))


def create_tables(conn: Connection) -> None:
    """Migration 7: the four tables above."""
    for table in metadata.sorted_tables:
        table.create(conn, checkfirst=True)


def holder_name() -> str:
    """A name for this process's runner that no other process shares."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leases:
    """The shared state over one engine (``SessionStore.leases``)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._hits = 0

    def _write(self, step: Callable[[Connection], T]) -> T:
        """One write transaction; two processes inserting the same new key: the loser retries."""
        for attempt in range(5):
            try:
                with write(self.engine) as conn:
                    return step(conn)
            except IntegrityError:
                if attempt == 4:
                    raise
                time.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")

    @staticmethod
    def _upsert(conn: Connection, table, key_column: str, key: str, values: dict[str, Any]) -> None:
        change, add = _upsert_statements(table, key_column, tuple(values))
        params = {"k": key, **{f"v_{name}": value for name, value in values.items()}}
        if conn.execute(change, params).rowcount == 0:
            conn.execute(add, params)

    # -- rate limits ------------------------------------------------------------------------
    def take(self, key: str, capacity: float, rate: float, now: float | None = None) -> float:
        """Take one token from ``key``'s bucket (``capacity`` tokens, refilled at ``rate`` per
        second); returns the tokens that were there before (below 1: refused, nothing taken)."""
        now = time.time() if now is None else now
        c = rate_buckets_table.c

        def step(conn: Connection) -> float:
            row = conn.execute(_BUCKET, {"k": key}).first()
            tokens = capacity if row is None else min(capacity, row.tokens + max(0.0, now - row.updated_at) * rate)
            left = tokens - 1.0 if tokens >= 1.0 else tokens
            self._upsert(conn, rate_buckets_table, "key", key, {"tokens": left, "updated_at": now})
            return tokens

        tokens = self._write(step)
        self._hits += 1
        if self._hits % 1000 == 0:       # forget buckets that have refilled (an hour untouched)
            with write(self.engine) as conn:
                conn.execute(delete(rate_buckets_table).where(c.updated_at < now - 3600))
        return tokens

    # -- one reply per conversation -----------------------------------------------------------
    def claim_reply(self, session_id: str, holder: str, ttl_s: float, now: float | None = None) -> bool:
        """Become the process answering ``session_id`` (or stay it); False while another holds it."""
        now = time.time() if now is None else now

        def step(conn: Connection) -> bool:
            row = conn.execute(_LEASE, {"k": session_id}).first()
            if row is not None and row.holder != holder and row.expires_at > now:
                return False
            self._upsert(conn, reply_leases_table, "session_id", session_id,
                         {"holder": holder, "expires_at": now + ttl_s})
            return True

        return self._write(step)

    def release_reply(self, session_id: str, holder: str) -> None:
        with write(self.engine) as conn:
            conn.execute(_RELEASE, {"k": session_id, "holder": holder})

    def reply_holder(self, session_id: str, now: float | None = None) -> str | None:
        now = time.time() if now is None else now
        c = reply_leases_table.c
        with self.engine.connect() as conn:
            return conn.execute(select(c.holder).where(c.session_id == session_id, c.expires_at > now)).scalar()

    # -- agent presence -----------------------------------------------------------------------
    def agent_seen(self, agent: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._write(lambda conn: self._upsert(conn, agent_presence_table, "agent", agent, {"seen_at": now}))

    def agents_online(self, window_s: float, now: float | None = None) -> int:
        now = time.time() if now is None else now
        c = agent_presence_table.c
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).where(c.seen_at >= now - window_s)).scalar() or 0

    # -- stream followers -----------------------------------------------------------------------
    def followed(self, session_id: str, now: float | None = None) -> None:
        """Some process is streaming ``session_id`` to a client right now."""
        now = time.time() if now is None else now
        self._write(lambda conn: self._upsert(conn, stream_followers_table, "session_id", session_id,
                                              {"seen_at": now}))

    def followed_since(self, session_id: str, since: float) -> bool:
        c = stream_followers_table.c
        with self.engine.connect() as conn:
            seen = conn.execute(select(c.seen_at).where(c.session_id == session_id)).scalar()
        return seen is not None and seen >= since
