"""Orders in the session database: the local order system's customers and orders, the ledger
that makes every order action run once, and the verification attempts that lock a guesser out.

The tables arrive with migration 6 (``migrate_orders``, listed in the storage migrations); they
live in the session database so they share its durability, its upgrade path and - what matters
for a lockout - every app process sees the same counts.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:  # pragma: no cover
    from assistant.storage.sessions import SessionStore

metadata = MetaData()
customers_table = Table(
    "order_customers", metadata,
    Column("id", String(128), primary_key=True),
    Column("email", String(320), nullable=False, index=True),      # lower-cased
    Column("data", Text, nullable=False),
)
orders_table = Table(
    "orders", metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_id", String(128), nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("data", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)
actions_table = Table(
    "order_actions", metadata,
    Column("idempotency_key", String(80), primary_key=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("order_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("state", String(16), nullable=False),                   # running | done | failed
    Column("result", Text),
    Column("created_at", String(40), nullable=False),
)
attempts_table = Table(
    "order_verification_attempts", metadata,
    Column("key", String(200), primary_key=True),                  # "session:<id>" or "order:<id>"
    Column("misses", Integer, nullable=False, default=0),
    Column("first_miss_at", Float, nullable=False),
    Column("locked_until", Float, nullable=False, default=0.0),
)


def migrate_orders(conn: Connection) -> None:
    """Migration 6: the order tables."""
    for table in (customers_table, orders_table, actions_table, attempts_table):
        table.create(conn, checkfirst=True)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class OrderTables:
    """Queries over the order tables of one session store."""

    def __init__(self, sessions: "SessionStore"):
        self.sessions = sessions
        self.engine = sessions.engine

    # -- customers and orders (the local order system) ------------------------------------
    def upsert(self, customers: list[dict[str, Any]], orders: list[dict[str, Any]]) -> tuple[int, int]:
        """Write customers and orders (as their JSON dicts) in one transaction; an id already
        there is replaced, so importing the same file twice changes nothing."""
        now = _now()
        with self.sessions.write() as conn:
            for c in customers:
                conn.execute(delete(customers_table).where(customers_table.c.id == c["id"]))
                conn.execute(insert(customers_table).values(id=c["id"], email=c["email"].lower(),
                                                            data=json.dumps(c)))
            for o in orders:
                conn.execute(delete(orders_table).where(orders_table.c.id == o["id"]))
                conn.execute(insert(orders_table).values(id=o["id"], customer_id=o["customer_id"], status=o["status"],
                                                         created_at=o["created_at"], data=json.dumps(o),
                                                         updated_at=now))
        return len(customers), len(orders)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(orders_table)).scalar() or 0

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(customers_table.c.data).where(customers_table.c.id == customer_id)).first()
        return json.loads(row[0]) if row else None

    def customer_by_email(self, email: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(customers_table.c.data)
                               .where(customers_table.c.email == email.strip().lower())).first()
        return json.loads(row[0]) if row else None

    def customers(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(customers_table.c.data).order_by(customers_table.c.id)).all()
        return [json.loads(r[0]) for r in rows]

    def order(self, order_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(orders_table.c.data).where(orders_table.c.id == order_id)).first()
        return json.loads(row[0]) if row else None

    def orders_for(self, customer_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(orders_table.c.data).where(orders_table.c.customer_id == customer_id)
                                .order_by(orders_table.c.created_at.desc())).all()
        return [json.loads(r[0]) for r in rows]

    def update_order(self, order_id: str, change) -> dict[str, Any] | None:
        """Read-modify-write one order under the write lock: ``change(data)`` edits the dict in
        place or raises to refuse; returns the stored dict (None if there is no such order)."""
        with self.sessions.write() as conn:
            row = conn.execute(select(orders_table.c.data).where(orders_table.c.id == order_id)).first()
            if row is None:
                return None
            data = json.loads(row[0])
            change(data)
            conn.execute(update(orders_table).where(orders_table.c.id == order_id)
                         .values(status=data["status"], data=json.dumps(data), updated_at=_now()))
        return data

    # -- the action ledger (idempotency) --------------------------------------------------
    def claim_action(self, key: str, session_id: str, order_id: str, action: str) -> dict[str, Any] | None:
        """Take an idempotency key. None: it is ours, run the action. Otherwise the earlier
        claim's row (``state`` running, done with its ``result``, or failed)."""
        try:
            with self.sessions.write() as conn:
                conn.execute(insert(actions_table).values(idempotency_key=key, session_id=session_id,
                                                          order_id=order_id, action=action, state="running",
                                                          created_at=_now()))
            return None
        except IntegrityError:
            with self.engine.connect() as conn:
                row = conn.execute(select(actions_table).where(actions_table.c.idempotency_key == key)
                                   ).mappings().first()
            out = dict(row)
            out["result"] = json.loads(out["result"]) if out.get("result") else None
            return out

    def finish_action(self, key: str, result: dict[str, Any], failed: bool = False) -> None:
        with self.sessions.write() as conn:
            conn.execute(update(actions_table).where(actions_table.c.idempotency_key == key)
                         .values(state="failed" if failed else "done", result=json.dumps(result, default=str)))

    def release_action(self, key: str) -> None:
        """A failed attempt gives its key back, so the shopper may try again."""
        with self.sessions.write() as conn:
            conn.execute(delete(actions_table).where(actions_table.c.idempotency_key == key))

    def actions(self, session_id: str | None = None) -> list[dict[str, Any]]:
        query = select(actions_table).order_by(actions_table.c.created_at)
        if session_id is not None:
            query = query.where(actions_table.c.session_id == session_id)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # -- verification attempts (rate limit and lockout) ------------------------------------
    def locked_until(self, keys: list[str], now: float | None = None) -> float:
        """The latest lockout end among ``keys`` still in the future (0.0: none is locked)."""
        now = time.time() if now is None else now
        with self.engine.connect() as conn:
            ends = conn.execute(select(attempts_table.c.locked_until).where(attempts_table.c.key.in_(keys))).scalars()
            return max([e for e in ends if e > now], default=0.0)

    def record_miss(self, keys: list[str], max_misses: int, window_s: float, lockout_s: float,
                    now: float | None = None) -> int:
        """Count one failed proof against every key; at ``max_misses`` within ``window_s`` a key
        locks for ``lockout_s``. Returns the highest miss count now held."""
        now = time.time() if now is None else now
        worst = 0
        with self.sessions.write() as conn:
            for key in keys:
                row = conn.execute(select(attempts_table).where(attempts_table.c.key == key)).mappings().first()
                if row is None or now - row["first_miss_at"] > window_s:
                    misses, first = 1, now
                    conn.execute(delete(attempts_table).where(attempts_table.c.key == key))
                    conn.execute(insert(attempts_table).values(key=key, misses=1, first_miss_at=now,
                                                               locked_until=0.0))
                else:
                    misses, first = row["misses"] + 1, row["first_miss_at"]
                locked = now + lockout_s if misses >= max_misses else 0.0
                conn.execute(update(attempts_table).where(attempts_table.c.key == key)
                             .values(misses=misses, first_miss_at=first, locked_until=locked))
                worst = max(worst, misses)
        return worst

    def clear_misses(self, keys: list[str]) -> None:
        with self.sessions.write() as conn:
            conn.execute(delete(attempts_table).where(attempts_table.c.key.in_(keys)))
