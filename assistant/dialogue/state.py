"""Dialogue state: what the conversation is about, kept per session and updated every turn."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

INTENTS = (
    "product_question", "availability", "recommendation", "order_status", "return_or_refund",
    "exchange", "shipping", "payment", "warranty_claim", "damaged_or_wrong_item", "complaint",
    "human_request", "greeting", "out_of_scope",
)
# Intents a store policy answers (returns, shipping, ...), even while a product is in focus.
POLICY_INTENTS = frozenset({"return_or_refund", "exchange", "shipping", "payment", "warranty_claim",
                            "damaged_or_wrong_item", "order_status", "complaint"})

# Intents that ask what the store sells: a catalog without the thing answers them ("we don't carry").
SHOPPING_INTENTS = frozenset({"product_question", "availability", "recommendation"})


@dataclass
class DialogueState:
    intent: str | None = None
    intent_confidence: float = 0.0
    product_in_focus: str | None = None            # product id
    product_candidates: list[str] = field(default_factory=list)   # ids mentioned/listed, newest first
    attributes: dict[str, str] = field(default_factory=dict)      # size/color/... asked for
    order_id: str | None = None
    email: str | None = None
    budget: float | None = None
    sentiment: float = 0.0                         # -1 angry .. +1 happy
    frustration: int = 0                           # rises with negative turns
    consecutive_failures: int = 0
    language: str = "en"                           # the shopper's, detected per message (ISO 639-1)
    locale: str | None = None                      # set by the integrator: wins over detection
    owner: str = "bot"                             # bot | queued | agent
    turns: int = 0
    # Kept by assistant.dialogue.tracker / assistant.handoff.policy (handoff bookkeeping):
    last_question: str | None = None               # previous turn's question, product named (follow-ups)
    previous_answer_ok: bool = True                # last answer counted as a success (until disputed)
    refund_amount: float | None = None             # latest refund amount the shopper named
    last_handoff_rule: str | None = None           # rule that fired the latest handoff
    handled_topics: list[str] = field(default_factory=list)   # sensitive topics already handed off
    handed_back_turn: int | None = None            # turn when an agent handed the chat back (cooldown)
    orders: dict[str, Any] = field(default_factory=dict)   # the order desk's memory (assistant.orders.turn)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "DialogueState":
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
