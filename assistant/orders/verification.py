"""Who is asking about an order, and what they may learn.

Two ways in: the integrator passes a verified ``customer_id`` (the signed shopper identity of
the HTTP API, ``customer_id`` in ``assistant ask --json -`` lines), or a shopper who is not
signed in proves one order is theirs with its number plus the email or zip code it was placed
with. Misses are counted in the session database per conversation and per order number, so a
guesser is locked out across every app process and cannot dodge the count with a new chat.

Nothing about an order is said before ``may_see`` is true, and one customer never sees
another's order: to a shopper a foreign order looks exactly like one that does not exist.
``mask`` keeps identities and addresses out of logs.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.orders.model import Order, OrderNotFound, OrderSystem
from assistant.orders.policy import OrdersPolicy
from assistant.storage.orders import OrderTables

# an order number as shoppers type it: NW-482913, #1001 (a prefix and a dash, or a hash)
ORDER_NUMBER_RE = re.compile(r"#\s?[A-Z]?\d{3,10}\b|\b[A-Z]{1,3}-\d{4,10}\b", re.I)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ZIP_RE = re.compile(r"\b\d{5}(?:-\d{4})?\b|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.I)


def _mask_word(word: str) -> str:
    if not word:
        return word
    if word.isdigit():
        return "*" * max(len(word) - 2, 1) + word[-2:] if len(word) > 2 else "**"
    return word[0] + "***"


def mask(value: Any) -> Any:
    """A value safe for a log line: ``maya.chen@example.com`` -> ``m***@e***.com``, ``Maya Chen``
    -> ``M*** C***``, ``43215`` -> ``***15``; dicts (addresses) and lists are masked throughout."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    text = str(value)
    if EMAIL_RE.fullmatch(text.strip()):
        local, _, domain = text.strip().partition("@")
        head, _, tld = domain.rpartition(".")
        return f"{local[:1]}***@{head[:1]}***.{tld}"
    return re.sub(r"[^\W_]+", lambda m: _mask_word(m.group(0)), text)


def mask_text(text: str) -> str:
    """Free text for a log: emails and zip codes inside it masked, the rest kept."""
    text = EMAIL_RE.sub(lambda m: mask(m.group(0)), text or "")
    return ZIP_RE.sub(lambda m: mask(m.group(0)), text)


def _norm_zip(value: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", (value or "").upper())


@dataclass
class Identity:
    """Who the shopper is this turn: an integrator-verified customer and/or orders proven in chat."""

    customer_id: str | None = None
    proven_orders: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.customer_id or self.proven_orders)


@dataclass
class Proof:
    ok: bool
    reason: str                      # proven | mismatch | locked | incomplete
    locked_until: float = 0.0
    misses: int = 0


class Verifier:
    def __init__(self, orders: OrderSystem, tables: OrderTables, policy: OrdersPolicy):
        self.orders = orders
        self.tables = tables
        self.policy = policy

    @staticmethod
    def may_see(order: Order, who: Identity) -> bool:
        """Only the customer the order belongs to, or a shopper who proved this very order."""
        if who.customer_id is not None and order.customer_id == who.customer_id:
            return True
        return order.id in who.proven_orders

    def _keys(self, session_id: str, order_id: str) -> list[str]:
        return [f"session:{session_id}", f"order:{order_id.upper()}"]

    def locked_until(self, session_id: str, order_id: str | None = None, now: float | None = None) -> float:
        keys = self._keys(session_id, order_id) if order_id else [f"session:{session_id}"]
        return self.tables.locked_until(keys, now)

    def prove(self, session_id: str, order_id: str, email: str | None = None, zip_code: str | None = None,
              now: float | None = None) -> Proof:
        """Check an order number against the email or zip it was placed with. A wrong pair, an
        unknown order and another customer's order all count as the same miss."""
        now = time.time() if now is None else now
        rule = self.policy.config.verification
        keys = self._keys(session_id, order_id)
        locked = self.tables.locked_until(keys, now)
        if locked:
            return Proof(False, "locked", locked_until=locked)
        if not (email or zip_code):
            return Proof(False, "incomplete")
        try:
            order = self.orders.get_order(order_id)
        except OrderNotFound:
            order = None
        matched = False
        if order is not None:
            placed_with = (order.email or "").strip().lower()
            if not placed_with:
                try:
                    placed_with = self.orders.get_customer(order.customer_id).email.strip().lower()
                except OrderNotFound:
                    placed_with = ""
            if email and placed_with and email.strip().lower() == placed_with:
                matched = True
            if zip_code and order.zip and _norm_zip(zip_code)[:5] == _norm_zip(order.zip)[:5]:
                matched = True
        if matched:
            self.tables.clear_misses(keys)
            return Proof(True, "proven")
        misses = self.tables.record_miss(keys, rule.max_attempts, rule.window_minutes * 60,
                                         rule.lockout_minutes * 60, now)
        locked = self.tables.locked_until(keys, now)
        return Proof(False, "locked" if locked else "mismatch", locked_until=locked, misses=misses)
