"""The helpdesk's webhook outbox, its dead letters and the inbound replay guard, in the session
database (so a restart loses no webhook): the queries assistant.handoff runs.

A delivery is claimed before it is sent (``claim``), so two processes never POST the same row;
it then leaves the outbox as delivered, is rescheduled, or moves to the dead letters with its
last error, where an operator can list it and ``redeliver`` it.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.storage.schema import dead_letters_table, inbound_seen_table, now_iso, outbox_table, write

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Engine


class Outbox:
    """Webhook deliveries waiting to be sent, and those that gave up (dead letters)."""

    def __init__(self, engine: "Engine"):
        self.engine = engine

    def queue(self, rows: list[dict[str, Any]]) -> None:
        """Add deliveries (url, session_id, event, body), due now."""
        now, created = time.time(), now_iso()
        with write(self.engine) as conn:
            conn.execute(insert(outbox_table), [{"attempts": 0, "next_attempt_at": now, "claimed_until": 0.0,
                                                 "created_at": created, **row} for row in rows])

    def due(self, now: float, limit: int = 20) -> list[dict[str, Any]]:
        """Deliveries whose time has come and that no process holds, oldest first."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(
                select(outbox_table).where(outbox_table.c.next_attempt_at <= now, outbox_table.c.claimed_until < now)
                .order_by(outbox_table.c.id).limit(limit)).mappings()]

    def claim(self, delivery_id: int, now: float, until: float) -> bool:
        """Hold a delivery until ``until`` so no other process sends it; False if one already does."""
        with write(self.engine) as conn:
            return bool(conn.execute(update(outbox_table).where(outbox_table.c.id == delivery_id,
                                                                outbox_table.c.claimed_until < now)
                                     .values(claimed_until=until)).rowcount)

    def delivered(self, delivery_id: int) -> None:
        with write(self.engine) as conn:
            conn.execute(delete(outbox_table).where(outbox_table.c.id == delivery_id))

    def retry_later(self, delivery_id: int, attempts: int, error: str, at: float) -> None:
        with write(self.engine) as conn:
            conn.execute(update(outbox_table).where(outbox_table.c.id == delivery_id).values(
                attempts=attempts, last_error=error, next_attempt_at=at, claimed_until=0.0))

    def give_up(self, delivery: dict[str, Any], attempts: int, error: str) -> None:
        """Move a delivery to the dead letters with its last error."""
        with write(self.engine) as conn:
            conn.execute(insert(dead_letters_table).values(
                url=delivery["url"], session_id=delivery["session_id"], event=delivery["event"],
                body=delivery["body"], attempts=attempts, last_error=error, created_at=delivery["created_at"],
                failed_at=now_iso()))
            conn.execute(delete(outbox_table).where(outbox_table.c.id == delivery["id"]))

    def pending(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(outbox_table).order_by(outbox_table.c.id)).mappings()]

    def next_attempt_at(self) -> float | None:
        """When the soonest delivery is due (None: the outbox is empty)."""
        with self.engine.connect() as conn:
            return conn.execute(select(outbox_table.c.next_attempt_at).order_by(outbox_table.c.next_attempt_at)
                                .limit(1)).scalar()

    def dead_letters(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(dead_letters_table)
                                                  .order_by(dead_letters_table.c.id)).mappings()]

    def redeliver(self, dead_letter_id: int) -> int | None:
        """Put a dead letter back in the outbox, due now, attempts reset; returns its outbox id
        (None: there is no such dead letter)."""
        with write(self.engine) as conn:
            row = conn.execute(select(dead_letters_table).where(dead_letters_table.c.id == dead_letter_id)
                               ).mappings().first()
            if row is None:
                return None
            outbox_id = conn.execute(insert(outbox_table).values(
                url=row["url"], session_id=row["session_id"], event=row["event"], body=row["body"], attempts=0,
                next_attempt_at=time.time(), claimed_until=0.0, created_at=row["created_at"])).inserted_primary_key[0]
            conn.execute(delete(dead_letters_table).where(dead_letters_table.c.id == dead_letter_id))
        return outbox_id


class InboundSeen:
    """Signatures of inbound helpdesk requests already accepted (the replay guard)."""

    def __init__(self, engine: "Engine"):
        self.engine = engine

    def first_time(self, signature: str, moment: float, forget_before: float) -> bool:
        """Record ``signature``; False when it was already received. Entries older than
        ``forget_before`` are dropped first (their timestamps are too old to pass anyway)."""
        try:
            with write(self.engine) as conn:
                conn.execute(delete(inbound_seen_table).where(inbound_seen_table.c.received_at < forget_before))
                conn.execute(insert(inbound_seen_table).values(signature=signature[:80], received_at=moment))
        except IntegrityError:
            return False
        return True
