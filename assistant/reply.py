"""One reply, folded from its events: what every front door, the transcript and the evals read.

The CLI, the HTTP and OpenAI-compatible routes, the chat UI, the eval runner, the session
store's transcripts and the eval replay all build a ``Reply`` the same way, live or from the
store, so they cannot disagree about what was said:

    reply = Reply.fold(manager.respond(session_id, turn))      # or Reply(); reply.add(event)
    reply.answer, reply.cited, reply.handoff, reply.state ...

An event of a type no payload reads is an error (``UnknownEventType``), not skipped: a new event
type must be taught to the fold (one class in ``assistant.events.PAYLOADS``), never silently lost.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.events import (AgentMessage, Citations, Done, Error, Handoff, Notice, OrderAction, Payload, Perception,
                              Products, State, Suggestions, Token, UserMessage, payload_of)


@dataclass
class Reply:
    """Each event lands in its slot: the last one for single slots, all of them for lists;
    ``items`` keeps every payload in stream order for doors that interleave them."""

    user: UserMessage | None = None                 # stored events only
    tokens: list[Token] = field(default_factory=list)
    citations: Citations | None = None
    perceptions: list[Perception] = field(default_factory=list)
    state: State | None = None
    handoffs: list[Handoff] = field(default_factory=list)
    agent_messages: list[AgentMessage] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    order_actions: list[OrderAction] = field(default_factory=list)
    products: Products | None = None                # cards of the products the answer is about
    suggestions: Suggestions | None = None          # next questions to offer
    done: Done | None = None
    error: Error | None = None
    items: list[Payload] = field(default_factory=list, repr=False)

    @classmethod
    def fold(cls, events: Iterable[Any]) -> "Reply":
        """ReplyEvents, StoredEvents or exported dicts (``None`` keep-alives are skipped)."""
        reply = cls()
        for event in events:
            if event is not None:
                reply.add(event)
        return reply

    def add(self, event: Any) -> Payload:
        """Fold one more event (or its payload) in; returns the payload, for doors that forward it."""
        item = event if isinstance(event, Payload) else payload_of(event)
        self.items.append(item)
        current = getattr(self, item.slot)
        if isinstance(current, list):
            current.append(item)
        else:
            setattr(self, item.slot, item)
        return item

    # -- what the doors read ----------------------------------------------------------
    @property
    def turn(self) -> int | None:
        """The turn the reply belongs to (its first event's)."""
        return self.items[0].turn if self.items else None

    @property
    def text(self) -> str:
        """The answer as it streamed (tokens joined, unstripped; cut off if the reply was)."""
        return "".join(t.text for t in self.tokens)

    @property
    def answer(self) -> str:
        """The finished answer (``done``'s, stripped); "" until the reply is done."""
        return self.done.answer if self.done else ""

    @property
    def cited(self) -> list[dict[str, Any]]:
        return self.citations.citations if self.citations else []

    @property
    def cards(self) -> list[dict[str, Any]]:
        return self.products.products if self.products else []

    @property
    def next_questions(self) -> list[str]:
        return self.suggestions.suggestions if self.suggestions else []

    @property
    def handoff(self) -> Handoff | None:
        return self.handoffs[-1] if self.handoffs else None

    @property
    def perception(self) -> Perception | None:
        return self.perceptions[-1] if self.perceptions else None

    @property
    def chat_text(self) -> str:
        """What a plain-text chat shows: answer tokens, the handoff's message, a person's words."""
        return "".join(item.chat_text for item in self.items)

    @property
    def notes(self) -> list[str]:
        """Lines shown beside the answer, in order: notices and what the photo showed."""
        return [item.text for item in self.items if isinstance(item, (Notice, Perception)) and item.text]
