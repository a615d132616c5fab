"""The order desk's memory between turns, and reading a shopper's words about an order.

``OrderTurn`` is a small JSON-safe dict the dialogue state carries (``DialogueState.orders``):
the orders this shopper proved, the order in focus, what the desk is waiting for, and at most
one ``PendingAction`` - a write that was stated back and waits for an explicit yes. Its
``key`` is the idempotency key: the action runs once however often "yes" arrives.

The readers here are structural, not word lists: an address is a line with a street number and
a postal code; an item is the one in the shopper's orders whose name shares the words used
("my sleeping bag"); an option is one of the product's own variant values ("size 11", "navy").
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.orders.model import Order, OrderItem
from assistant.orders.verification import EMAIL_RE, ORDER_NUMBER_RE, ZIP_RE

ACTIONS = ("status", "cancel", "change_address", "return", "exchange")
WRITE_ACTIONS = ("cancel", "change_address", "return", "exchange")
_STREET = re.compile(r"(?<![\w-])\d+[A-Za-z]?\s+[A-Za-z]")     # "12 Elm Road", "221B Baker Street"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# words that say nothing about which item ("the one I bought from you")
_FILLER = {"the", "my", "a", "an", "i", "it", "one", "that", "this", "bought", "ordered", "order", "got",
           "from", "you", "your", "for", "and", "with", "of", "to", "in", "on", "me", "is", "was", "new"}
# the size words shoppers use for letter sizes
SIZE_WORDS = {"extra small": "XS", "small": "S", "medium": "M", "large": "L", "extra large": "XL"}


@dataclass
class PendingAction:
    """A write stated back to the shopper, waiting for yes or no."""

    action: str                       # cancel | change_address | return | exchange
    order_id: str
    details: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    language: str | None = None       # the language it was stated back in (its answer is said in it)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PendingAction":
        return cls(action=data["action"], order_id=data["order_id"], details=dict(data.get("details") or {}),
                   summary=data.get("summary", ""), key=data.get("key") or uuid.uuid4().hex,
                   language=data.get("language"))


@dataclass
class OrderTurn:
    proven_orders: list[str] = field(default_factory=list)   # orders proven in chat (no customer id)
    order_id: str | None = None                              # the order in focus
    goal: str | None = None                                  # the action being put together
    awaiting: str | None = None        # verification | which_order | address | item | condition | photo | option | confirm
    draft: dict[str, Any] = field(default_factory=dict)      # what the goal has collected
    pending: PendingAction | None = None
    done: list[str] = field(default_factory=list)            # idempotency keys already run (recent)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "OrderTurn":
        if not data:
            return cls()
        pending = data.get("pending")
        return cls(proven_orders=list(data.get("proven_orders") or []), order_id=data.get("order_id"),
                   goal=data.get("goal"), awaiting=data.get("awaiting"), draft=dict(data.get("draft") or {}),
                   pending=PendingAction.from_dict(pending) if pending else None,
                   done=list(data.get("done") or [])[-20:])

    def reset_goal(self) -> None:
        self.goal, self.awaiting, self.draft, self.pending = None, None, {}, None


def said_yes_or_no(text: str, language: str | None) -> str | None:
    """"yes" or "no" for a short reply whose first word says it in the shopper's language ("sí,
    adelante", "nein danke", "好的", "いいえ": the lexicon's ``agree`` / ``refuse``); None for
    anything longer or else, which the desk's learned reader then reads."""
    from assistant.lexicon import lexicon

    reply = (text or "").strip()
    if not reply or len(reply.split()) > 6 or len(reply) > 40:
        return None
    words = lexicon(language)
    if words.refuse.search(reply):
        return "no"
    return "yes" if words.agree.search(reply) else None


def find_email(text: str) -> str | None:
    match = EMAIL_RE.search(text or "")
    return match.group(0) if match else None


def find_zip(text: str) -> str | None:
    """A postal code outside an order number or an email."""
    cleaned = EMAIL_RE.sub(" ", ORDER_NUMBER_RE.sub(" ", text or ""))
    match = ZIP_RE.search(cleaned)
    return match.group(0) if match else None


def parse_address(text: str) -> dict[str, str] | None:
    """``12 Elm Road, Apt 3, Boston, MA 02118`` -> address fields; None unless the text has a part
    that starts with a street number and ends with a postal code."""
    parts = [p.strip() for p in re.split(r"[,\n]", text or "") if p.strip()]
    street_at = next((i for i, p in enumerate(parts) if _STREET.search(p)), None)
    if street_at is None or len(parts) - street_at < 2:
        return None
    parts[street_at] = parts[street_at][_STREET.search(parts[street_at]).start():]
    tail = parts[-1]
    zip_match = ZIP_RE.search(tail)
    if not zip_match:
        return None
    rest = parts[street_at + 1:-1]
    address = {"address1": parts[street_at]}
    region = tail[: zip_match.start()].strip()
    if rest and re.match(r"^(?:apt|apartment|suite|unit|floor|#)\b", rest[0], re.I):
        address["address2"] = rest.pop(0)
    if rest:
        address["city"] = rest[-1]
    elif region:
        address["city"], region = region, ""
    if region:
        address["province"] = region
    address["zip"] = zip_match.group(0)
    return address


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall((text or "").lower()) if w not in _FILLER and len(w) > 1}


def match_items(text: str, orders: list[Order]) -> list[tuple[Order, OrderItem]]:
    """The ordered items the text names ("the tent I bought"), best match first; an item counts
    when a word of its name (not a filler word) is in the text."""
    said = _words(text)
    scored: list[tuple[int, int, Order, OrderItem]] = []
    for rank, order in enumerate(orders):
        for item in order.items:
            overlap = len(said & _words(item.name))
            if overlap:
                scored.append((-overlap, rank, order, item))
    scored.sort(key=lambda s: (s[0], s[1]))
    if not scored:
        return []
    best = scored[0][0]
    return [(o, i) for score, _, o, i in scored if score == best]


def mentioned_options(text: str, variants: list[Any]) -> dict[str, str]:
    """Option values of the product's own variants that the text names (``{"size": "11"}``)."""
    low = " " + (text or "").lower() + " "
    for word, size in sorted(SIZE_WORDS.items(), key=lambda kv: -len(kv[0])):
        low = re.sub(rf"(?<![\w']){word}(?![\w'])", size.lower(), low)
    found: dict[str, str] = {}
    values: dict[str, set[str]] = {}
    for variant in variants:
        for option, value in variant.options.items():
            values.setdefault(option, set()).add(value)
    for option, choices in values.items():
        for value in sorted(choices, key=len, reverse=True):
            if re.search(rf"(?<![\w'.]){re.escape(value.lower())}(?![\w'])", low):
                found[option] = value
                break
    return found
