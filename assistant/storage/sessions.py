"""Durable conversations: sessions, their dialogue state and every event, in SQL.

Every user turn is written before it is processed and every reply event before a client is shown
it (a turn's events in a few transactions, see assistant.storage.journal), so a process killed
mid-reply loses nothing that was acknowledged
and the conversation continues on restart. Events carry a per-session sequence number (unique per
session) so a client can resume with "events after N".

The tables, migrations and engine are in assistant.storage.schema. Tickets
(assistant.storage.tickets) and the helpdesk outbox (assistant.storage.outbox) live in the same
database and are reached through the store (``store.tickets``, ``store.outbox``,
``store.inbound_seen``), so they share its durability and migrations.

``export_jsonl`` writes transcripts in the replay format documented on ``transcript_record``.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from assistant.errors import NotFound
from assistant.dialogue.state import DialogueState
from assistant.storage import schema
from assistant.storage.leases import Leases
from assistant.storage.outbox import InboundSeen, Outbox
from assistant.storage.schema import Owner, events_table, now_iso, sessions_table
from assistant.storage.feedback import FeedbackStore
from assistant.storage.tickets import TicketStore
from assistant.events import AgentMessage, Citations, Done, Notice, Token, UserMessage, payload_of
from assistant.reply import Reply

TRANSCRIPT_FORMAT = "shop-assistant.transcript/1"
SCHEMA_VERSION = schema.SCHEMA_VERSION      # what a store opened by this release is migrated to

# The statements every turn runs, built once: SQLAlchemy reuses a built statement's cache key and
# compiled form, where building one per call costs ~50 us of Python (a turn runs a dozen).
_sid, _e = bindparam("sid"), events_table.c
_SESSION_ROW = select(sessions_table).where(sessions_table.c.id == _sid)
_SESSION_ID = select(sessions_table.c.id).where(sessions_table.c.id == _sid)
_OWNER = select(sessions_table.c.owner).where(sessions_table.c.id == _sid)
_CUSTOMER = select(sessions_table.c.customer_id).where(sessions_table.c.id == _sid)
_LOCK_SESSION = _SESSION_ID.with_for_update()        # Postgres: writers to one conversation take turns
_STATE_AND_OWNER = (select(sessions_table.c.state, sessions_table.c.owner).where(sessions_table.c.id == _sid)
                    .with_for_update())
_TOUCH = update(sessions_table).where(sessions_table.c.id == _sid).values(updated_at=bindparam("now"))
_SAVE_STATE = update(sessions_table).where(sessions_table.c.id == _sid).values(state=bindparam("state"))
# one max per (sub)query: each is then a walk down its own index, (session, turn) or (session, seq)
_LAST_TURN = select(func.max(_e.turn)).where(_e.session_id == _sid)
_LAST_SEQ = select(func.max(_e.seq)).where(_e.session_id == _sid)
_LAST_TURN_AND_SEQ = select(_LAST_TURN.scalar_subquery(), _LAST_SEQ.scalar_subquery())
_ADD_EVENTS = insert(events_table)
_EVENTS_AFTER = select(events_table).where(_e.session_id == _sid, _e.seq > bindparam("after")).order_by(_e.seq)
# no ORDER BY: SQLite would then walk the (session, seq) index through the whole conversation to
# skip a sort; the (session, turn) index finds the turn's few rows, sorted by seq in Python
_TURN_EVENTS = select(events_table).where(_e.session_id == _sid, _e.turn == bindparam("turn"))
# both walk the (session, seq) index back from the newest event: a long conversation's progress
# costs what a short one's does (an aggregate read every event of it)
_NEWEST = select(_e.seq, _e.type).where(_e.session_id == _sid).order_by(_e.seq.desc()).limit(1)
_NEWEST_TURN_MARK = (select(_e.seq, _e.type).where(_e.session_id == _sid, _e.type.in_(("user", "done", "error")))
                     .order_by(_e.seq.desc()).limit(1))

@dataclass
class StoredEvent:
    seq: int
    turn: int
    type: str
    data: dict[str, Any]
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "turn": self.turn, "type": self.type, **self.data, "created_at": self.created_at}


class SessionStore:
    def __init__(self, url: str):
        self.url = url
        self.engine = schema.make_engine(url)
        self.migrate()
        self.tickets = TicketStore(self)
        self.outbox = Outbox(self.engine)
        self.inbound_seen = InboundSeen(self.engine)
        self.leases = Leases(self.engine)
        self.feedback = FeedbackStore(self)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE; waits up to busy_timeout for the lock)."""
        with schema.write(self.engine) as conn:
            yield conn

    # -- schema ---------------------------------------------------------------------------
    def schema_version(self) -> int:
        return schema.schema_version(self.engine)

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks, oldest first; returns the numbers applied."""
        return schema.migrate(self.engine)

    # -- sessions -----------------------------------------------------------------------
    def create(self, session_id: str | None = None, customer_id: str | None = None) -> str:
        session_id = session_id or uuid.uuid4().hex
        now = now_iso()
        with self.write() as conn:
            conn.execute(insert(sessions_table).values(id=session_id, created_at=now, updated_at=now,
                                                       customer_id=customer_id, state="{}", owner=Owner.BOT))
        return session_id

    def exists(self, session_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(_SESSION_ID, {"sid": session_id}).first() is not None

    def ensure(self, session_id: str) -> str:
        if not self.exists(session_id):
            try:
                self.create(session_id)
            except IntegrityError:     # another worker created it first
                pass
        return session_id

    def info(self, session_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(_SESSION_ROW, {"sid": session_id}).mappings().first()
        if row is None:
            raise NotFound(f"no conversation with id {session_id!r}")
        return dict(row)

    def customer_of(self, session_id: str) -> str | None:
        """The customer id the conversation was started with; None for a guest's or for one not
        started yet (one narrow read: every HTTP turn asks)."""
        with self.engine.connect() as conn:
            return conn.execute(_CUSTOMER, {"sid": session_id}).scalar()

    def load_state(self, session_id: str) -> DialogueState:
        row = self.info(session_id)
        state = DialogueState.from_dict(json.loads(row["state"]))
        state.owner = Owner(row["owner"] or Owner.BOT)     # the owner column is the truth (see set_owner)
        return state

    def save_state(self, session_id: str, state: DialogueState) -> None:
        """Store the dialogue state; ``owner`` is left alone (only ``set_owner`` changes it)."""
        with self.write() as conn:
            conn.execute(update(sessions_table).where(sessions_table.c.id == session_id)
                         .values(state=json.dumps(state.to_dict()), updated_at=now_iso()))

    def owner(self, session_id: str) -> Owner:
        """Who owns the conversation now: the owner column, the one record of it (read alone: a
        turn asks twice, and the row's dialogue state can run to kilobytes)."""
        with self.engine.connect() as conn:
            row = conn.execute(_OWNER, {"sid": session_id}).first()
        if row is None:
            raise NotFound(f"no conversation with id {session_id!r}")
        return Owner(row.owner or Owner.BOT)

    def set_owner(self, session_id: str, owner: Owner | str, conn: Connection | None = None) -> None:
        try:
            owner = Owner(owner)
        except ValueError:
            raise ValueError(f"owner must be one of {[o.value for o in Owner]}, not {owner!r}") from None
        statement = (update(sessions_table).where(sessions_table.c.id == session_id)
                     .values(owner=owner.value, updated_at=now_iso()))
        if conn is not None:
            conn.execute(statement)
            return
        with self.write() as own:
            own.execute(statement)

    def session_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(sessions_table.c.id).order_by(sessions_table.c.created_at,
                                                                        sessions_table.c.id)).scalars())

    # -- events -------------------------------------------------------------------------
    def append(self, session_id: str, turn: int, type_: str, data: dict[str, Any],
               conn: Connection | None = None) -> int:
        """Persist one event (its own transaction unless ``conn`` is given) and return its seq."""
        rows = [(type_, json.dumps(data, default=str))]
        if conn is not None:
            return self._append_rows(conn, session_id, turn, rows)[0]
        for attempt in range(5):
            try:
                with self.write() as own:
                    return self._append_rows(own, session_id, turn, rows)[0]
            except IntegrityError:       # Postgres: a concurrent writer took this seq; take the next
                if attempt == 4:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def append_many(self, session_id: str, turn: int, events: list[tuple[str, dict[str, Any]]],
                    state: DialogueState | None = None) -> list[int]:
        """Persist several events of one turn (and optionally the dialogue state) in one
        transaction; returns their seqs, in order."""
        payloads = [(type_, json.dumps(data, default=str)) for type_, data in events]
        stored_state = json.dumps(state.to_dict()) if state is not None else None   # made before the lock
        for attempt in range(5):
            try:
                with self.write() as conn:
                    seqs = self._append_rows(conn, session_id, turn, payloads)
                    if stored_state is not None:
                        conn.execute(_SAVE_STATE, {"sid": session_id, "state": stored_state})
                    return seqs
            except IntegrityError:       # Postgres: a concurrent writer took these seqs; take the next
                if attempt == 4:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def begin_turn(self, session_id: str, data: dict[str, Any]) -> tuple[int, DialogueState]:
        """Store the shopper's message as the conversation's next turn (creating the conversation
        if it is new) and read its dialogue state, in one transaction: a turn's first round trip
        instead of four. Returns (turn number, state)."""
        payload = json.dumps(data, default=str)
        for attempt in range(5):
            try:
                with self.write() as conn:
                    # Postgres: the row lock makes writers to one conversation take turns
                    row = conn.execute(_STATE_AND_OWNER, {"sid": session_id}).first()
                    now = now_iso()
                    if row is None:
                        conn.execute(insert(sessions_table).values(id=session_id, created_at=now, updated_at=now,
                                                                   state="{}", owner=Owner.BOT))
                        stored, owner = "{}", Owner.BOT
                    else:
                        stored, owner = row.state, row.owner
                    last_turn, last_seq = conn.execute(_LAST_TURN_AND_SEQ, {"sid": session_id}).first()
                    number = (last_turn or 0) + 1
                    conn.execute(_ADD_EVENTS, [{"session_id": session_id, "seq": (last_seq or 0) + 1, "turn": number,
                                                "type": "user", "payload": payload,
                                                "created_at": now}])
                    if row is not None:
                        conn.execute(_TOUCH, {"sid": session_id, "now": now})
                state = DialogueState.from_dict(json.loads(stored))
                state.owner = Owner(owner or Owner.BOT)     # the owner column is the truth (see set_owner)
                return number, state
            except IntegrityError:   # Postgres: another worker created the conversation or took the seq
                if attempt == 4:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _append_rows(self, conn: Connection, session_id: str, turn: int, events: list[tuple[str, str]]) -> list[int]:
        """Insert ``(type, payload JSON)`` rows after the conversation's last seq."""
        if not events:
            return []
        conn.execute(_LOCK_SESSION, {"sid": session_id})
        first = (conn.execute(_LAST_SEQ, {"sid": session_id}).scalar() or 0) + 1
        now = now_iso()
        rows = [{"session_id": session_id, "seq": first + i, "turn": turn, "type": type_,
                 "payload": payload, "created_at": now} for i, (type_, payload) in enumerate(events)]
        conn.execute(_ADD_EVENTS, rows)
        conn.execute(_TOUCH, {"sid": session_id, "now": now})
        return [row["seq"] for row in rows]

    def events(self, session_id: str, after: int = 0) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(_EVENTS_AFTER, {"sid": session_id, "after": after})
            return [StoredEvent(r.seq, r.turn, r.type, json.loads(r.payload), r.created_at) for r in rows]

    def turn_events(self, session_id: str, turn: int) -> list[StoredEvent]:
        """One turn's events (by the (session, turn) index): what a turn needs of its own
        conversation costs the same at its 50th turn as at its first."""
        with self.engine.connect() as conn:
            rows = sorted(conn.execute(_TURN_EVENTS, {"sid": session_id, "turn": turn}), key=lambda r: r.seq)
            return [StoredEvent(r.seq, r.turn, r.type, json.loads(r.payload), r.created_at) for r in rows]

    def events_between(self, since: str | None, until: str | None,
                       types: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Events of the given types written in [since, until) (ISO times), by conversation, in
        order: what the store's analytics read."""
        c = events_table.c
        query = schema.in_window(select(events_table).where(c.type.in_(list(types))).order_by(c.session_id, c.seq),
                                 c.created_at, since, until)
        out: dict[str, list[StoredEvent]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                out.setdefault(r.session_id, []).append(
                    StoredEvent(r.seq, r.turn, r.type, json.loads(r.payload), r.created_at))
        return out

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
        with self.engine.connect() as conn:
            last = conn.execute(_NEWEST, {"sid": session_id}).first()
            latest = conn.execute(_NEWEST_TURN_MARK, {"sid": session_id}).first()
        return (last.seq if last else 0), latest is not None and latest.type == "user"

    def last_seq(self, session_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(_LAST_SEQ, {"sid": session_id}).scalar() or 0

    def transcript(self, session_id: str) -> list[dict[str, Any]]:
        """Messages as a person reads them: user turns, assistant answers (tokens joined, with
        ``complete`` False when the reply was cut off), agent replies and takeover notices."""
        return transcript_messages(self.events(session_id))

    def last_turn(self, session_id: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(_LAST_TURN, {"sid": session_id}).scalar() or 0

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
        replies: dict[int, Reply] = {}
        for ev in self.events(session_id):
            replies.setdefault(ev.turn, Reply()).add(ev)
        return {"format": TRANSCRIPT_FORMAT, "session_id": session_id, "customer_id": info["customer_id"],
                "created_at": info["created_at"], "updated_at": info["updated_at"], "owner": info["owner"],
                "state": json.loads(info["state"]), "turns": [turn_record(n, replies[n]) for n in sorted(replies)]}

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


# -- folding stored events (the same Reply every front door reads) ------------------------
def _message(role: str, ev: StoredEvent, **fields: Any) -> dict[str, Any]:
    return {"role": role, "turn": ev.turn, "seq": ev.seq, "created_at": ev.created_at, **fields}


def transcript_messages(events: Iterable[StoredEvent]) -> list[dict[str, Any]]:
    """``SessionStore.transcript``: an assistant message opens at its turn's first token and
    folds the tokens, citations and done that follow until the next user or agent message."""
    messages: list[dict[str, Any]] = []
    answers: list[tuple[dict[str, Any], Reply]] = []
    reply: Reply | None = None
    for ev in events:
        item = payload_of(ev)
        if isinstance(item, Token) and (reply is None or reply.turn != item.turn):
            reply = Reply()
            answers.append((_message("assistant", ev), reply))
            messages.append(answers[-1][0])
        if isinstance(item, (Token, Citations, Done)):
            if reply is not None:
                reply.add(item)
        elif isinstance(item, (UserMessage, AgentMessage)):
            reply = None
            messages.append(_message("user" if isinstance(item, UserMessage) else "agent", ev, **item.fields))
        elif isinstance(item, Notice) and item.takeover:
            messages.append(_message("system", ev, content=item.text, takeover=item.takeover))
    for message, answer in answers:
        message.update(content=answer.text, citations=answer.cited, complete=answer.done is not None)
    return messages


def turn_record(number: int, reply: Reply) -> dict[str, Any]:
    """One entry of ``transcript_record``'s ``turns``: a stored turn folded into one Reply."""
    assistant = None
    if reply.tokens:
        assistant = {"text": reply.text, "complete": reply.done is not None, "citations": reply.cited}
    return {"turn": number,
            "user": {"text": reply.user.content, "images": reply.user.images} if reply.user else None,
            "assistant": assistant,
            "handoff": reply.handoff.fields if reply.handoff else None,
            "state": reply.state.fields if reply.state else None,
            "agent_messages": [{"agent": m.agent, "content": m.content, "seq": m.seq} for m in reply.agent_messages],
            "notices": [n.text for n in reply.notices if n.text]}
