"""Human takeover: a handoff opens a ticket and a person owns the conversation until they give it back.

Ownership moves bot -> queued (ticket open, no agent yet) -> agent (an agent joined), and back to
the bot when the agent hands back or resolves, or when the shopper says "never mind" before an
agent joins. It is kept in the session row's ``owner`` column and in the ``tickets`` table, both
changed in one transaction, so every process sees the same owner. While a person owns the
conversation the bot stays silent: the manager relays the shopper's message (already stored as a
``user`` event) with ``shopper_message``, and an agent's reply is appended to the session as an
``agent_message`` event, which is how it reaches the shopper on the same stream (the HTTP layer
tails the store). Ownership changes are appended as ``notice`` events with a ``takeover`` field.

Who owns a conversation is decided in one place: ``takeover_turn`` reads the owner column once
(``Takeover.owner``) and routes the turn by it. The policy's decision only says whether the
shopper withdrew a queued request (``release``) and whether a new handoff is due
(``HandoffPolicy.opens_ticket``); the policy's own ``agent_owns`` verdict was made from the owner
at the start of the turn, and an agent may have joined or handed back since.

Releasing a conversation (hand back, resolve) applies the policy's ``record_handback``: counters
restart and the cooldown begins, so a resolved ticket does not trigger the same handoff again.
Every step is also sent to the helpdesk (assistant.handoff.helpdesk) as a signed webhook.
What the shopper is told at each step comes from the ``ui`` message catalogs, in the language of
the conversation (``Takeover.say``); tickets carry that language for the agent.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answers.notices import handoff_message, left_message_text, relay_message, withdrawn_message
from assistant.dialogue.state import DialogueState
from assistant.errors import AssistantError, NotFound
from assistant.events import ReplyEvent
from assistant.handoff.helpdesk import Helpdesk
from assistant.handoff.policy import HandoffDecision, HandoffPolicy
from assistant.messages import message
from assistant.storage.schema import Owner, now_iso
from assistant.storage.sessions import SessionStore, StoredEvent, transcript_messages
from assistant.storage.tickets import OPEN

CLOSED = ("handed_back", "resolved", "cancelled", "left_message")


class TakeoverConflict(AssistantError):
    """The conversation is not in a state that allows this step (e.g. no open ticket)."""

    status_code = 409


@dataclass
class Ticket:
    id: str
    session_id: str
    status: str                      # queued | agent | handed_back | resolved | cancelled | left_message
    mode: str                        # live | queue | ticket (the policy's routing)
    rule: str | None
    reason: str | None
    message: str | None
    summary: dict[str, Any] = field(default_factory=dict)
    agent: str | None = None
    opened_turn: int = 0
    closed_turn: int | None = None
    created_at: str = ""
    updated_at: str = ""
    joined_at: str | None = None
    closed_at: str | None = None

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def language(self) -> str:
        """The language the shopper wrote in when the ticket opened (the agent answers in it)."""
        return self.summary.get("language") or "en"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "open": self.open, "language": self.language}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Ticket":
        return cls(**row)


def _field(decision: Any, name: str, default: Any = None) -> Any:
    if isinstance(decision, dict):
        return decision.get(name, default)
    return getattr(decision, name, default)


def build_summary(sessions: SessionStore, session_id: str, state: DialogueState, decision: Any,
                  product_name: Callable[[str], str | None] | None = None,
                  events: Sequence[StoredEvent] | None = None) -> dict[str, Any]:
    """What an agent reads before answering: intent, slots, what the bot tried, the photos, why.
    ``events``: the conversation's, when the caller has read them already."""
    events = sessions.events(session_id) if events is None else events
    transcript = transcript_messages(events)
    name = product_name or (lambda pid: None)
    tried, question = [], None
    for message in transcript:
        if message["role"] == "user":
            question = message.get("content", "")
        elif message["role"] == "assistant":
            tried.append({"turn": message["turn"], "question": question, "answer": message["content"].strip()[:400],
                          "sources": [c.get("title") for c in message.get("citations", [])],
                          "complete": message.get("complete", False)})
    photos = [path for m in transcript if m["role"] == "user" for path in m.get("images") or []]
    photo_notes = [ev.data.get("text") for ev in events if ev.type == "perception" and ev.data.get("text")]
    last = next((m.get("content", "") for m in reversed(transcript) if m["role"] == "user"), "")
    focus = state.product_in_focus
    slots = {"order_id": state.order_id, "email": state.email,
             "product_in_focus": {"id": focus, "name": name(focus) or focus} if focus else None,
             "product_candidates": list(state.product_candidates), "attributes": dict(state.attributes),
             "budget": state.budget, "refund_amount": state.refund_amount}
    rule, reason = _field(decision, "rule"), _field(decision, "reason")
    headline = " · ".join(str(p) for p in [
        state.intent or "unknown intent",
        slots["product_in_focus"]["name"] if focus else None,
        f"order {state.order_id}" if state.order_id else None,
        f"{len(photos)} photo(s)" if photos else None,
        f"{rule}: {reason}" if rule else reason] if p)
    return {"headline": headline, "intent": state.intent, "intent_confidence": state.intent_confidence,
            "slots": slots, "sentiment": state.sentiment, "frustration": state.frustration,
            "consecutive_failures": state.consecutive_failures, "language": state.language,
            "tried": tried[-5:], "photos": photos, "photo_notes": photo_notes[-5:], "last_message": last,
            "rule": rule, "reason": reason, "turns": state.turns}


class Takeover:
    """Tickets and ownership over a SessionStore; notifies a Helpdesk on every step."""

    def __init__(self, sessions: SessionStore, helpdesk: Helpdesk | None = None,
                 product_name: Callable[[str], str | None] | None = None, store_name: str = "our team",
                 messages_dir: Path | None = None):
        self.sessions = sessions
        self.helpdesk = helpdesk or Helpdesk(None, sessions)
        self.product_name = product_name
        self.store_name = store_name
        self.messages_dir = messages_dir

    def say(self, session_id: str, key: str, **fields: Any) -> str:
        """A ``ui`` notice in the language of the conversation (the shopper's)."""
        language = self.sessions.load_state(session_id).language if self.sessions.exists(session_id) else None
        return message(f"ui.{key}", language, self.messages_dir, store=self.store_name, **fields)

    # -- agent presence: decides "live" vs an honest "queue" message --------------------------
    # kept in the session database, so every app process counts the agents any of them has seen
    def agent_seen(self, agent: str) -> None:
        """An agent used the console or the agent API just now."""
        self.sessions.leases.agent_seen(agent)

    def agents_online(self) -> int:
        """Agents active in the last few minutes, or the fixed number the store configured
        (``ASSISTANT_HELPDESK__AGENTS_ONLINE``, for stores whose agents work in their helpdesk)."""
        fixed = self.helpdesk.settings.agents_online
        if fixed is not None:
            return fixed
        return self.sessions.leases.agents_online(self.helpdesk.settings.presence_window_s)

    # -- reading --------------------------------------------------------------------------
    def owner(self, session_id: str) -> Owner:
        """Who owns the conversation now (an unknown conversation belongs to the bot)."""
        try:
            return self.sessions.owner(session_id)      # one query, asked twice a turn
        except NotFound:
            return Owner.BOT

    # -- a queue no one takes ---------------------------------------------------------------
    def expire_queued(self, session_id: str | None = None, now: datetime | None = None) -> list[Ticket]:
        """Queued requests idle longer than ``queue_timeout_s`` become "left a message": the ticket
        closes as ``left_message`` (agents still see it, to follow up), the shopper is told, and
        the bot answers again. Checked when the queue is read and when a queued chat gets a
        message, so every process applies it without a timer of its own."""
        timeout = self.helpdesk.settings.queue_timeout_s
        if timeout is None:
            return []
        cutoff = ((now or datetime.now(timezone.utc)) - timedelta(seconds=timeout)).isoformat(timespec="milliseconds")
        expired = []
        for row in self.sessions.tickets.queued_idle_since(cutoff, session_id):
            try:
                ticket = self._transition(Ticket.from_row(row), "left_message",
                                          text=left_message_text(Ticket.from_row(row).language).format(store=self.store_name))
            except TakeoverConflict:          # an agent joined (or another process expired it) meanwhile
                continue
            self.sessions.save_state(ticket.session_id,
                                     HandoffPolicy.record_handback(self.sessions.load_state(ticket.session_id)))
            self._notify("ticket.left_message", ticket, [])
            expired.append(ticket)
        return expired

    def is_owned(self, session_id: str) -> bool:
        """A person (or the queue for one) owns the conversation: the bot must stay silent."""
        return self.owner(session_id).is_person

    def ticket_for(self, session_id: str) -> Ticket | None:
        """The conversation's open ticket, if any."""
        row = self.sessions.tickets.open_for(session_id)
        return Ticket.from_row(row) if row else None

    def get(self, ticket_id: str) -> Ticket:
        row = self.sessions.tickets.get(ticket_id)
        if row is None:
            raise NotFound(f"no ticket with id {ticket_id!r}")
        return Ticket.from_row(row)

    def tickets(self, session_id: str | None = None, statuses: Iterable[str] | None = None,
                limit: int = 200) -> list[Ticket]:
        return [Ticket.from_row(r) for r in self.sessions.tickets.find(session_id, statuses, limit)]

    def open_tickets(self) -> list[Ticket]:
        """Tickets waiting for or held by an agent, oldest first (the agent's queue); requests
        that waited too long are moved to "left a message" first."""
        self.expire_queued()
        return self.tickets(statuses=OPEN)

    # -- the manager's side ---------------------------------------------------------------
    def start(self, session_id: str, decision: Any, state: DialogueState) -> Ticket:
        """Open a ticket for a handoff and give the conversation to the queue. A conversation
        that already has an open ticket keeps it (one ticket per handoff, never a second)."""
        self.sessions.ensure(session_id)
        events = self.sessions.events(session_id)       # read once: the summary and the helpdesk's copy
        summary = build_summary(self.sessions, session_id, state, decision, self.product_name, events)
        now, turn = now_iso(), self.sessions.last_turn(session_id)
        ticket = Ticket(id=f"T-{uuid.uuid4().hex[:12]}", session_id=session_id, status=Owner.QUEUED.value,
                        mode=_field(decision, "mode") or "live", rule=_field(decision, "rule"),
                        reason=_field(decision, "reason"), message=_field(decision, "message") or None,
                        summary=summary, opened_turn=turn, created_at=now, updated_at=now)
        row, opened = self.sessions.tickets.open_once(asdict(ticket))
        if not opened:
            state.owner = Owner(row["status"])
            return Ticket.from_row(row)
        _apply_handoff_bookkeeping(state, decision)
        self._notify("handoff.created", ticket, transcript_messages(events))
        return ticket

    def shopper_message(self, session_id: str, turn_number: int, text: str,
                        images: Iterable[str] = ()) -> Ticket:
        """Pass a shopper's message (already stored as the turn's ``user`` event) to the agent."""
        ticket = self._open_ticket(session_id)
        self.sessions.tickets.touch(ticket.id)
        # this turn's events only: a conversation a person has taken over can run long
        user = next((m for m in reversed(transcript_messages(self.sessions.turn_events(session_id, turn_number)))
                     if m["role"] == "user"), None)
        message = user or {"role": "user", "turn": turn_number, "content": text, "images": list(images)}
        self._notify("message.shopper", ticket, [message])
        return ticket

    # -- the agent's side -----------------------------------------------------------------
    def agent_join(self, session_id: str, agent: str) -> Ticket:
        ticket = self._open_ticket(session_id)
        if ticket.status == Owner.AGENT and ticket.agent == agent:
            return ticket
        text = (self.say(session_id, "agent_joined", agent=agent) if ticket.status == Owner.QUEUED
                else self.say(session_id, "agent_took_over", agent=agent, previous=ticket.agent))
        ticket = self._transition(ticket, Owner.AGENT.value, agent=agent, text=text, joined=True)
        self._notify("ticket.agent_joined", ticket, [])
        return ticket

    def agent_reply(self, session_id: str, text: str, agent: str, source: str = "console") -> int:
        """Append an agent's reply to the conversation (joining it first if it was queued);
        returns the event's seq. Replies that came from the helpdesk are not echoed back to it."""
        text = (text or "").strip()
        if not text:
            raise TakeoverConflict("the reply is empty")
        ticket = self._open_ticket(session_id)
        if ticket.status == Owner.QUEUED or ticket.agent != agent:
            ticket = self.agent_join(session_id, agent)
        seq = self.sessions.append(session_id, self.sessions.last_turn(session_id), "agent_message",
                                   {"agent": agent, "content": text, "ticket": ticket.id, "source": source})
        if source != "helpdesk":
            self._notify("message.agent", ticket, [{"role": "agent", "agent": agent, "content": text, "seq": seq,
                                                    "turn": self.sessions.last_turn(session_id)}])
        return seq

    def hand_back(self, session_id: str, agent: str | None = None) -> Ticket:
        """The agent gives the conversation back to the bot (the ticket closes as handed_back)."""
        return self._release(session_id, "handed_back", agent, self.say(session_id, "handed_back"))

    def resolve(self, session_id: str, agent: str | None = None) -> Ticket:
        """The agent marks the issue solved; the bot takes over again, the cooldown starts."""
        return self._release(session_id, "resolved", agent, self.say(session_id, "resolved"))

    def cancel(self, session_id: str, announce: bool = True) -> Ticket:
        """The shopper withdraws the request before an agent joins ("never mind")."""
        ticket = self._open_ticket(session_id)
        if ticket.status != Owner.QUEUED:
            raise TakeoverConflict(f"{ticket.agent or 'an agent'} has already joined this conversation; "
                                   "the request can no longer be withdrawn")
        ticket = self._transition(ticket, "cancelled", text=withdrawn_message(ticket.language) if announce else None)
        self._notify("ticket.cancelled", ticket, [])
        return ticket

    # -- internals ------------------------------------------------------------------------
    def _open_ticket(self, session_id: str) -> Ticket:
        ticket = self.ticket_for(session_id)
        if ticket is None:
            raise TakeoverConflict(f"conversation {session_id!r} has no open ticket: the bot owns it")
        return ticket

    def _release(self, session_id: str, status: str, agent: str | None, text: str) -> Ticket:
        ticket = self._open_ticket(session_id)
        ticket = self._transition(ticket, status, agent=agent or ticket.agent, text=text)
        state = HandoffPolicy.record_handback(self.sessions.load_state(session_id))
        self.sessions.save_state(session_id, state)
        self._notify(f"ticket.{status}", ticket, [])
        return ticket

    def _transition(self, ticket: Ticket, status: str, agent: str | None = None, text: str | None = None,
                    joined: bool = False) -> Ticket:
        """Change the ticket, the conversation's owner and announce it, in one transaction."""
        now, turn = now_iso(), self.sessions.last_turn(ticket.session_id)
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if agent:
            values["agent"] = agent
        if joined:
            values["joined_at"] = now
        if status in CLOSED:
            values.update(closed_at=now, closed_turn=turn)
        notice = {"text": text, "takeover": {"ticket": ticket.id, "status": status,
                                             "agent": values.get("agent", ticket.agent)}} if text else None
        owner = Owner(status) if status in OPEN else Owner.BOT     # an open ticket's status names its owner
        if not self.sessions.tickets.transition(ticket.id, ticket.status, values, owner, turn, notice):
            raise TakeoverConflict(f"ticket {ticket.id} changed meanwhile; reload it and try again")
        return self.get(ticket.id)

    def _notify(self, event: str, ticket: Ticket, messages: list[dict[str, Any]]) -> None:
        self.helpdesk.notify(event, ticket.to_dict(), messages)


def _apply_handoff_bookkeeping(state: DialogueState, decision: Any) -> None:
    """The policy's ``record_handoff`` (owner, rule, topics handed off), applied to ``state`` in
    place so the manager's copy, saved at the end of its turn, agrees with the ticket."""
    if not isinstance(decision, HandoffDecision):
        decision = HandoffDecision(True, _field(decision, "rule"), _field(decision, "reason") or "",
                                   mode=_field(decision, "mode") or "live",
                                   topics=tuple(_field(decision, "topics") or ()))
    updated = HandoffPolicy.record_handoff(state, decision)
    for name in ("owner", "last_handoff_rule", "handled_topics"):
        setattr(state, name, getattr(updated, name))


def handoff_event_data(ticket: Ticket, decision: Any = None, **extra: Any) -> dict[str, Any]:
    """The ``handoff`` event's fields: the policy's decision plus the ticket it opened."""
    return {"handoff": ticket.open, "rule": _field(decision, "rule", ticket.rule),
            "reason": _field(decision, "reason", ticket.reason), "mode": _field(decision, "mode", ticket.mode),
            "message": _field(decision, "message", ticket.message) or None,
            "ticket": ticket.id, "status": ticket.status, **extra}


@dataclass
class HandoffTurn:
    """One shopper turn as the takeover routes it: what the manager holds after ``policy.decide``."""

    session_id: str
    number: int                                   # the turn's number (its events carry it)
    decision: HandoffDecision | dict[str, Any]    # the policy's decision (or a dict of its fields)
    state: DialogueState                          # the manager's copy, updated in place
    emit: Callable[..., ReplyEvent]               # stores one event of this turn and returns it
    text: str = ""
    images: Sequence[str] = ()                    # stored photo paths of this turn


def _language(turn: HandoffTurn) -> str:
    """The shopper's language: what the chat tells them is in it."""
    return getattr(turn.state, "language", None) or "en"


def takeover_turn(takeover: Takeover, turn: HandoffTurn) -> Iterator[ReplyEvent]:
    """The manager's one call after ``policy.decide``; returns True when the bot must stay silent.

        silent = yield from takeover_turn(self.takeover, HandoffTurn(session_id, number, decision,
                                                                     state, emit, text, image_paths))

    The owner is read here, once, and decides (``state.owner`` is set to it):
    - the queue owns it and the shopper withdrew (``decision.release``, "never mind"): ticket
      cancelled, the shopper is told so, the bot answers again from the next message on (True);
    - a person (or the queue) owns it: the message is relayed to the agent, no bot answer (True);
    - the bot owns it and the policy opens a new handoff: a ticket is opened and announced with
      the policy's message (True).
    Each case yields one ``handoff`` event; otherwise nothing is yielded and the bot answers (False).
    """
    owner = takeover.owner(turn.session_id)
    if owner is Owner.QUEUED and takeover.expire_queued(turn.session_id):
        owner = Owner.BOT                 # no one came: the bot answers this message
        vars(turn.state).update(vars(HandoffPolicy.record_handback(turn.state)))
    turn.state.owner = owner
    if owner is Owner.QUEUED and _field(turn.decision, "release"):
        ticket = yield from _withdraw(takeover, turn)
        if ticket is not None:
            return True
    if owner.is_person:
        yield from _relay(takeover, turn)
        return True
    if HandoffPolicy.opens_ticket(turn.decision):
        ticket = takeover.start(turn.session_id, turn.decision, turn.state)
        said = handoff_message(turn.decision, _language(turn))
        yield turn.emit("handoff", **handoff_event_data(ticket, turn.decision, **({"message": said} if said else {})))
        return True
    return False


def _withdraw(takeover: Takeover, turn: HandoffTurn) -> Iterator[ReplyEvent]:
    """Cancel the queued request; None when an agent joined meanwhile (they get the message)."""
    try:
        ticket = takeover.cancel(turn.session_id, announce=False)
    except TakeoverConflict:
        return None
    turn.state.owner = Owner.BOT
    yield turn.emit("handoff", **handoff_event_data(ticket, None, message=withdrawn_message(_language(turn))))
    return ticket


def _relay(takeover: Takeover, turn: HandoffTurn) -> Iterator[ReplyEvent]:
    ticket = takeover.shopper_message(turn.session_id, turn.number, turn.text, turn.images)
    turn.state.owner = Owner(ticket.status)
    relayed = relay_message(_language(turn)) if ticket.status == Owner.QUEUED else None
    yield turn.emit("handoff", **handoff_event_data(ticket, None, message=relayed, relayed=True))
