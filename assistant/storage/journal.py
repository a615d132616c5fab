"""A turn's reply events, stored in few transactions and shown only once stored.

The conversation's steps ``emit`` events into the journal; ``run`` stores what is pending in one
transaction (``SessionStore.append_many``, the dialogue state with it at the end of the turn)
and only then yields the stored events. So a client never sees an event that is not committed,
and a turn costs a few transactions instead of one per token. A step yields ``FLUSH`` where the
turn is about to wait (the next token of a generative model) or before another component writes
to the conversation (a takeover), so streaming and the order of events stay as they were.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from assistant.dialogue.state import DialogueState
from assistant.events import ReplyEvent

log = logging.getLogger(__name__)

FLUSH = object()     # yielded by a step: store and show what is pending now


class TurnJournal:
    """Pending events of one turn of one conversation; see the module docstring."""

    def __init__(self, store, session_id: str, number: int = 0):
        self.store = store
        self.session_id = session_id
        self.number = number
        self.state: DialogueState | None = None      # saved with the next flush
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._relayed: list[ReplyEvent] = []

    def emit(self, type_: str, **data: Any) -> ReplyEvent:
        """Queue one event; the returned event carries its fields (its seq comes when stored)."""
        self._pending.append((type_, data))
        return ReplyEvent(type_, {**data, "turn": self.number})

    def relay(self, event: ReplyEvent) -> None:
        """An event another component stored itself (the order desk's ``order_action``), shown
        with the next flush, before what is pending (it was stored first)."""
        self._relayed.append(event)

    def flush(self) -> list[ReplyEvent]:
        """Store what is pending (and the state, if set) in one transaction; the stored events."""
        relayed, self._relayed = self._relayed, []
        if not self._pending and self.state is None:
            return relayed
        pending, self._pending = self._pending, []
        state, self.state = self.state, None
        seqs = self.store.append_many(self.session_id, self.number, pending, state=state)
        return relayed + [ReplyEvent(type_, {**data, "seq": seq, "turn": self.number})
                          for (type_, data), seq in zip(pending, seqs)]

    def run(self, steps: Iterator[Any]) -> Iterator[ReplyEvent]:
        """Drive the steps; yield each batch of events after it is committed."""
        try:
            for item in steps:
                if item is FLUSH:
                    yield from self.flush()
        except BaseException:
            # the turn failed or its client left: what it produced is still stored (not shown)
            try:
                self.flush()
            except Exception:
                log.exception("could not store the last events of %s", self.session_id)
            raise
        yield from self.flush()
