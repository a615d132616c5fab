"""Handoff tickets in the session database: the queries assistant.handoff.takeover runs.

A ticket and the conversation's ``owner`` column change in one transaction (``open_once``,
``transition``), so every process sees the ticket and the owner agree. Rows come back as dicts
with the summary decoded; the handoff room turns them into ``Ticket`` objects.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from assistant.storage.schema import Owner, in_window, now_iso, sessions_table, tickets_table, write

if TYPE_CHECKING:  # pragma: no cover
    from assistant.storage.sessions import SessionStore

OPEN = (Owner.QUEUED.value, Owner.AGENT.value)     # an open ticket's status is who owns the chat


def _decoded(row: Any) -> dict[str, Any]:
    data = dict(row)
    data["summary"] = json.loads(data.get("summary") or "{}")
    return data


class TicketStore:
    """Named ticket queries over one SessionStore's engine."""

    def __init__(self, sessions: "SessionStore"):
        self.sessions = sessions

    def open_for(self, session_id: str) -> dict[str, Any] | None:
        """The conversation's newest open ticket, if any."""
        with self.sessions.engine.connect() as conn:
            row = conn.execute(select(tickets_table).where(tickets_table.c.session_id == session_id,
                                                           tickets_table.c.status.in_(OPEN))
                               .order_by(tickets_table.c.created_at.desc())).mappings().first()
        return _decoded(row) if row else None

    def get(self, ticket_id: str) -> dict[str, Any] | None:
        with self.sessions.engine.connect() as conn:
            row = conn.execute(select(tickets_table).where(tickets_table.c.id == ticket_id)).mappings().first()
        return _decoded(row) if row else None

    def find(self, session_id: str | None = None, statuses: Iterable[str] | None = None,
             limit: int = 200) -> list[dict[str, Any]]:
        """Tickets oldest first, of one conversation and/or in the given statuses."""
        query = select(tickets_table).order_by(tickets_table.c.created_at).limit(limit)
        if session_id:
            query = query.where(tickets_table.c.session_id == session_id)
        if statuses:
            query = query.where(tickets_table.c.status.in_([str(s) for s in statuses]))
        with self.sessions.engine.connect() as conn:
            return [_decoded(r) for r in conn.execute(query).mappings()]

    def queued_idle_since(self, cutoff: str, session_id: str | None = None) -> list[dict[str, Any]]:
        """Queued tickets with no activity (opened, or a shopper message) after ``cutoff`` (ISO time)."""
        query = select(tickets_table).where(tickets_table.c.status == Owner.QUEUED.value,
                                            tickets_table.c.updated_at < cutoff)
        if session_id:
            query = query.where(tickets_table.c.session_id == session_id)
        with self.sessions.engine.connect() as conn:
            return [_decoded(r) for r in conn.execute(query.order_by(tickets_table.c.updated_at)).mappings()]

    def opened_between(self, since: str | None, until: str | None) -> list[dict[str, Any]]:
        """Tickets opened in [since, until) (ISO times), oldest first."""
        query = in_window(select(tickets_table).order_by(tickets_table.c.created_at), tickets_table.c.created_at,
                          since, until)
        with self.sessions.engine.connect() as conn:
            return [_decoded(r) for r in conn.execute(query).mappings()]

    def open_once(self, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Insert ``values`` as the conversation's ticket and give the chat to the queue, unless it
        already has an open ticket: returns (that ticket, False). The session row is locked first,
        so two handoffs of one conversation cannot both open one."""
        session_id = values["session_id"]
        with write(self.sessions.engine) as conn:
            conn.execute(select(sessions_table.c.id).where(sessions_table.c.id == session_id).with_for_update())
            row = conn.execute(select(tickets_table).where(tickets_table.c.session_id == session_id,
                                                           tickets_table.c.status.in_(OPEN))).mappings().first()
            if row is not None:
                return _decoded(row), False
            conn.execute(tickets_table.insert().values(**{**values, "summary": json.dumps(values.get("summary") or {},
                                                                                          default=str)}))
            self.sessions.set_owner(session_id, Owner.QUEUED, conn=conn)
        return values, True

    def touch(self, ticket_id: str) -> None:
        """Mark the ticket as active now (a shopper message reached it)."""
        with write(self.sessions.engine) as conn:
            conn.execute(update(tickets_table).where(tickets_table.c.id == ticket_id).values(updated_at=now_iso()))

    def transition(self, ticket_id: str, expected_status: str, values: dict[str, Any], owner: Owner,
                   turn: int, notice: dict[str, Any] | None = None) -> bool:
        """Change a ticket that still has ``expected_status``, set the conversation's owner and
        (when given) append a ``notice`` event at ``turn``, in one transaction. False when the
        ticket changed meanwhile (nothing is written then)."""
        with write(self.sessions.engine) as conn:
            row = conn.execute(select(tickets_table.c.session_id).where(tickets_table.c.id == ticket_id)).first()
            changed = conn.execute(update(tickets_table).where(tickets_table.c.id == ticket_id,
                                                               tickets_table.c.status == expected_status)
                                   .values(**values)).rowcount
            if not changed or row is None:
                return False
            self.sessions.set_owner(row.session_id, owner, conn=conn)
            if notice is not None:
                self.sessions.append(row.session_id, turn, "notice", notice, conn=conn)
        return True
