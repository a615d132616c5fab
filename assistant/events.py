"""Reply events: the one stream every front door (HTTP, Gradio, evals) consumes.

An event is a type and its fields. It comes live from ``ConversationManager.respond`` (a
``ReplyEvent``, its seq and turn among the fields), back from the session store (a ``StoredEvent``,
seq and turn beside them) or from an exported line (a dict with ``type``). ``payload_of`` reads
any of the three into the same typed payload, one small class per event type; ``assistant.reply``
folds payloads into a whole ``Reply``. A new event type is one more class in ``PAYLOADS``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields as dataclass_fields
from typing import Any, ClassVar, Literal

EventType = Literal[
    "token", "citations", "perception", "state", "handoff", "agent_message", "notice", "done", "error",
    "order_action", "products", "suggestions",
]
ENVELOPE = ("type", "seq", "turn", "created_at", "session_id")    # where and when, not what


class UnknownEventType(ValueError):
    """An event of a type no payload class reads: add the class rather than drop the event."""


@dataclass(frozen=True)
class Citation:
    source_id: str
    title: str
    number: int | None = None
    url: str | None = None          # the store's page for it (product page, policy section), when known

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReplyEvent:
    type: EventType
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}


@dataclass(frozen=True, kw_only=True)
class Payload:
    """One event's fields, typed. ``fields`` keeps them exactly as sent (no envelope), for the
    doors that pass an event on as it is; ``slot`` names the ``Reply`` field it lands in."""

    type: ClassVar[str]
    slot: ClassVar[str]
    fields: dict[str, Any] = field(default_factory=dict, repr=False)
    seq: int | None = None
    turn: int | None = None

    @property
    def chat_text(self) -> str:
        """What a plain-text chat shows for this event, in stream order ("" for most)."""
        return ""


@dataclass(frozen=True, kw_only=True)
class UserMessage(Payload):
    """The shopper's message (stored events only: the turn a reply answers)."""

    type = "user"
    slot = "user"
    content: str = ""
    images: list[Any] = field(default_factory=list)     # stored upload paths


@dataclass(frozen=True, kw_only=True)
class Token(Payload):
    type = "token"
    slot = "tokens"
    text: str = ""

    @property
    def chat_text(self) -> str:
        return self.text


@dataclass(frozen=True, kw_only=True)
class Citations(Payload):
    type = "citations"
    slot = "citations"
    citations: list[dict[str, Any]] = field(default_factory=list)   # {source_id, title, number, ...}
    low_confidence: bool | None = None
    reason: str | None = None
    evidence: list[dict[str, Any]] | None = None                    # what was retrieved, when sent


@dataclass(frozen=True, kw_only=True)
class Perception(Payload):
    type = "perception"
    slot = "perceptions"
    perception: dict[str, Any] = field(default_factory=dict)
    text: str = ""                                                  # "I read: ..." lines


@dataclass(frozen=True, kw_only=True)
class State(Payload):
    type = "state"
    slot = "state"
    state: dict[str, Any] = field(default_factory=dict)             # DialogueState.to_dict()


@dataclass(frozen=True, kw_only=True)
class Handoff(Payload):
    type = "handoff"
    slot = "handoffs"
    handoff: bool = False                                           # a ticket is open
    rule: str | None = None
    reason: str | None = None
    mode: str | None = None
    message: str | None = None                                      # what the shopper is told
    ticket: str | None = None
    status: str | None = None
    relayed: bool = False

    @property
    def chat_text(self) -> str:
        return f"\n\n{self.message}" if self.message else ""


@dataclass(frozen=True, kw_only=True)
class AgentMessage(Payload):
    type = "agent_message"
    slot = "agent_messages"
    agent: str | None = None
    content: str = ""
    ticket: str | None = None
    source: str | None = None

    @property
    def chat_text(self) -> str:
        return f"\n\n{self.agent or 'Agent'}: {self.content}"


@dataclass(frozen=True, kw_only=True)
class Notice(Payload):
    type = "notice"
    slot = "notices"
    text: str = ""
    takeover: dict[str, Any] | None = None                         # set when a person joins or leaves


@dataclass(frozen=True, kw_only=True)
class Done(Payload):
    type = "done"
    slot = "done"
    answer: str = ""
    language: str | None = None                                    # the conversation's, for a door's own strings
    confirm: dict[str, str] | None = None     # {action, order_id}: the answer asks yes or no to this change


@dataclass(frozen=True, kw_only=True)
class Error(Payload):
    type = "error"
    slot = "error"
    message: str = ""
    kind: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderAction(Payload):
    """A confirmed order change that ran (assistant.orders.execution; stored by the order desk)."""

    type = "order_action"
    slot = "order_actions"
    action: str = ""                                                # cancel | change_address | return | exchange
    order_id: str = ""
    idempotency_key: str = ""
    status_before: str | None = None
    status_after: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Products(Payload):
    """Product cards for the products the answer is about (assistant.answers.cards)."""

    type = "products"
    slot = "products"
    products: list[dict[str, Any]] = field(default_factory=list)    # {id, name, price, image, url, ...}


@dataclass(frozen=True, kw_only=True)
class Suggestions(Payload):
    """Two or three next questions the shopper may tap (assistant.answers.suggestions)."""

    type = "suggestions"
    slot = "suggestions"
    suggestions: list[str] = field(default_factory=list)


TERMINAL = frozenset({Done.type, Error.type})      # the events that end a turn
PAYLOADS: dict[str, type[Payload]] = {cls.type: cls for cls in (
    UserMessage, Token, Citations, Perception, State, Handoff, AgentMessage, Notice, Done, Error, OrderAction, Products, Suggestions)}
_NAMES = {kind: {f.name for f in dataclass_fields(cls)} - {"fields", "seq", "turn"} for kind, cls in PAYLOADS.items()}


def payload_of(event: Any) -> Payload:
    """A ReplyEvent, StoredEvent or exported dict as its typed payload; UnknownEventType otherwise."""
    if isinstance(event, dict):
        kind, raw = event.get("type"), event
    else:
        kind, raw = event.type, event.data
    cls = PAYLOADS.get(kind)
    if cls is None:
        raise UnknownEventType(f"no payload reads events of type {kind!r}; known: {', '.join(PAYLOADS)}")
    seq, turn = getattr(event, "seq", raw.get("seq")), getattr(event, "turn", raw.get("turn"))
    data = {k: v for k, v in raw.items() if k not in ENVELOPE}
    return cls(fields=data, seq=seq, turn=turn, **{k: v for k, v in data.items() if k in _NAMES[kind]})
