"""What shoppers tell the store about the answers, and what they do with them.

- ``answer_ratings``   thumbs up/down (and an optional reason) on one turn's answer; a shopper who
                       changes their mind re-rates the same turn (the latest rating counts)
- ``shopper_actions``  what a shopper did with a reply: opened a product card, tapped a suggested
                       question, followed a citation link
Kept beside the conversation's events (same database, same session id) but not among them: the
reply stream stays what the assistant and agents said. Created by migration 8.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, case, insert, select, update
from sqlalchemy.engine import Connection

from assistant.errors import InvalidInput
from assistant.storage.schema import in_window, now_iso, write

if TYPE_CHECKING:  # pragma: no cover
    from assistant.storage.sessions import SessionStore

RATINGS = ("up", "down")
ACTIONS = ("product_click", "suggestion_click", "citation_click")

metadata = MetaData()
ratings_table = Table(
    "answer_ratings", metadata,
    Column("session_id", String(64), primary_key=True),
    Column("turn", Integer, primary_key=True),
    Column("rating", String(8), nullable=False),           # up | down
    Column("reason", Text),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
actions_table = Table(
    "shopper_actions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("turn", Integer, nullable=False),
    Column("action", String(32), nullable=False),           # product_click | suggestion_click | citation_click
    Column("target", String(500)),                          # the product id, question or source id
    Column("created_at", String(40), nullable=False, index=True),
)


def create_tables(conn: Connection) -> None:
    """Migration 8: the two tables above."""
    for table in metadata.sorted_tables:
        table.create(conn, checkfirst=True)


class FeedbackStore:
    """Ratings and shopper actions over one SessionStore's engine."""

    def __init__(self, sessions: "SessionStore"):
        self.sessions = sessions

    def _reached(self, session_id: str, turn: int) -> None:
        if turn < 1 or turn > self.sessions.last_turn(session_id):
            raise InvalidInput(f"conversation {session_id!r} has no turn {turn} yet", limit="turn")

    def rate(self, session_id: str, turn: int, rating: str, reason: str | None = None) -> dict[str, Any]:
        """Record (or change) the rating of one turn's answer, on a turn the conversation has
        reached; the reason's whitespace is collapsed (as every front door sends it). The same
        rating sent again without a reason keeps the reason given: the widget sends the thumb,
        then the reason, and the two requests may be stored in either order. Another rating
        drops it (it explained the old one)."""
        self._reached(session_id, turn)
        reason = " ".join((reason or "").split()) or None
        now = now_iso()
        c = ratings_table.c
        with write(self.sessions.engine) as conn:
            key = (c.session_id == session_id) & (c.turn == turn)
            kept = reason if reason is not None else case((c.rating == rating, c.reason), else_=None)
            changed = conn.execute(update(ratings_table).where(key).values(
                rating=rating, reason=kept, updated_at=now)).rowcount
            if not changed:
                conn.execute(insert(ratings_table).values(session_id=session_id, turn=turn, rating=rating,
                                                          reason=reason, created_at=now, updated_at=now))
            reason = conn.execute(select(c.reason).where(key)).scalar()
        return {"session_id": session_id, "turn": turn, "rating": rating, "reason": reason, "updated_at": now}

    def shopper_did(self, session_id: str, turn: int, action: str, target: str | None) -> dict[str, Any]:
        """What a shopper did with one reply, as every front door records it (the HTTP endpoint,
        the Gradio chat): a known action, on a turn the conversation has reached."""
        if action not in ACTIONS:
            raise InvalidInput(f"unknown shopper action {action!r}; known: {', '.join(ACTIONS)}", limit="type")
        self._reached(session_id, turn)
        self.record(session_id, turn, action, target)
        return {"recorded": action}

    def record(self, session_id: str, turn: int, action: str, target: str | None) -> None:
        with write(self.sessions.engine) as conn:
            conn.execute(insert(actions_table).values(session_id=session_id, turn=turn, action=action,
                                                      target=target, created_at=now_iso()))

    def ratings(self, since: str | None = None, until: str | None = None) -> list[dict[str, Any]]:
        query = in_window(select(ratings_table), ratings_table.c.updated_at, since, until)
        with self.sessions.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def actions(self, since: str | None = None, until: str | None = None) -> list[dict[str, Any]]:
        query = in_window(select(actions_table).order_by(actions_table.c.id), actions_table.c.created_at, since, until)
        with self.sessions.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
