"""Order conversations with end states: who the shopper is, the orders the store starts with,
and what those orders must look like afterwards (evals/README.md, "Orders and end states").

    - id: cancel-confirmed
      customer: C-1001                 # the verified customer (the HTTP API's signed identity); omit for a guest
      orders: my-orders.json           # the fixture (import format, docs/orders.md), relative to the
                                       # transcript, or inline {customers, orders}; default: knowledge/orders.json
      now: 2026-12-01T09:00:00Z        # the store's clock for return / exchange / damage windows
      turns:
        - user: Please cancel my order
          expect: {order_action: none}
        - user: "yes"
          expect: {order_action: cancel, order_state: {NW-483377: {status: cancelled}}}
      expect:                          # checked after the last turn
        order_state: {NW-483120: unchanged}

This module is the one implementation of those fields: ``OrderSetup.parse`` reads and checks them
at load time (a missing fixture or an order id the fixture lacks is an error naming the
conversation), ``ConversationOrders`` gives a conversation its own order store (the ``local``
connector in a database of its own, so conversations never see each other's changes) and fills
the turn's observation, and ``state_failures`` / ``disclosures`` are what the order scorers
(evals/order_scorers.py) check.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.errors import CatalogError
from assistant.orders.local import parse_orders, read_orders_file, store_orders
from assistant.orders.model import Customer, Order, parse_time
from assistant.settings import PROJECT_ROOT

DEMO_ORDERS = PROJECT_ROOT / "knowledge" / "orders.json"
SETUP_KEYS = ("customer", "orders", "now")                   # conversation (and file) keys
ORDER_EXPECTATIONS = ("order_state", "order_action", "order_refused")
STATE_FIELDS = {"status", "shipping_address", "requests", "tracking", "delivered_at", "items", "total"}
# the placeholder receiver order webhooks are queued for: the outbox is read, nothing is sent
WEBHOOK_RECEIVER = "http://127.0.0.1:9/eval-order-webhooks"


class OrderSetupError(ValueError):
    """A conversation's order fields are wrong; the transcript loader adds the file and conversation."""


# -- the fixture ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderFixture:
    """Customers and orders in the import format, checked as ``assistant orders import`` checks them."""

    source: str                                   # the file, or "inline"
    customers: tuple[dict[str, Any], ...]
    orders: tuple[dict[str, Any], ...]

    @classmethod
    def load(cls, value: Any, base: Path) -> "OrderFixture":
        """A path (relative to the transcript's folder), inline ``{customers, orders}``, or None (the demo's)."""
        try:
            if value is None:
                return cls._of(DEMO_ORDERS, *read_orders_file(DEMO_ORDERS))
            if isinstance(value, str):
                path = (base / value).resolve()
                if not path.is_file():
                    raise OrderSetupError(f"orders fixture not found: {value} (paths are relative to the transcript file)")
                return cls._of(path, *read_orders_file(path))
            if isinstance(value, dict):
                return cls._of("inline", *parse_orders(value, "inline orders"))
        except CatalogError as exc:
            raise OrderSetupError(f"orders fixture: {exc}") from None
        raise OrderSetupError("'orders' must be a path to an orders file or inline {customers, orders}")

    @classmethod
    def _of(cls, source: Path | str, customers: list[Customer], orders: list[Order]) -> "OrderFixture":
        return cls(str(source), tuple(c.to_dict() for c in customers), tuple(o.to_dict() for o in orders))

    @property
    def order_ids(self) -> list[str]:
        return [o["id"] for o in self.orders]

    def customer_of(self, order_id: str) -> dict[str, Any] | None:
        order = next((o for o in self.orders if o["id"] == order_id), None)
        return next((c for c in self.customers if order and c["id"] == order["customer_id"]), None)

    def store(self, sessions) -> None:
        store_orders([Customer.from_dict(c) for c in self.customers], [Order.from_dict(o) for o in self.orders],
                     sessions)


# -- what a conversation declares -----------------------------------------------------------------
def _state_spec(order_id: str, spec: Any) -> dict[str, Any]:
    if spec == "unchanged":
        return {"unchanged": True}
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"{order_id}: expected 'unchanged' or a mapping of {sorted(STATE_FIELDS | {'unchanged'})}")
    unknown = set(spec) - STATE_FIELDS - {"unchanged"}
    if unknown:
        raise ValueError(f"{order_id}: unknown order field(s) {sorted(unknown)}; known: "
                         f"{sorted(STATE_FIELDS | {'unchanged'})}")
    if "unchanged" in spec and spec["unchanged"] is not True:
        raise ValueError(f"{order_id}: 'unchanged' can only be true")
    if "status" in spec:
        spec = {**spec, "status": str(spec["status"]).lower().replace("_", " ")}
    return dict(spec)


def normalise_state(value: Any) -> dict[str, dict[str, Any]]:
    """``{ORDER_ID: {status: cancelled} | unchanged | {unchanged: true, ...}}``, checked."""
    if not isinstance(value, dict) or not value:
        raise ValueError("expected a mapping of order id -> {status: ..., unchanged: true, ...}")
    return {str(order_id): _state_spec(str(order_id), spec) for order_id, spec in value.items()}


def watched_orders(expectations: list[dict[str, Any]]) -> list[str]:
    """The order ids a conversation's expectations name (``order_state`` keys, ``order_refused``)."""
    ids: list[str] = []
    for expect in expectations:
        ids += list(expect.get("order_state") or {})
        ids += list(expect.get("order_refused") or [])
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class OrderSetup:
    """A conversation's own order store: who asks, the orders it starts from, the store's clock."""

    fixture: OrderFixture
    customer: str | None = None
    now: datetime | None = None
    watched: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: dict[str, Any], defaults: dict[str, Any], base: Path,
              expectations: list[dict[str, Any]]) -> "OrderSetup | None":
        """The order fields of a conversation (a file's ``orders``/``now`` are its defaults); None
        when neither it nor its file sets one and it expects nothing of an order.
        ``expectations``: its turns' (normalised)."""
        given = {k: raw[k] if k in raw else defaults.get(k) for k in SETUP_KEYS}
        declared = any(k in raw or k in defaults for k in SETUP_KEYS) or \
            any(k in e for e in expectations for k in ORDER_EXPECTATIONS)
        if not declared:
            return None
        fixture = OrderFixture.load(given["orders"], base)
        customer = given["customer"]
        if customer is not None:
            customer = str(customer)
            if customer not in {c["id"] for c in fixture.customers}:
                raise OrderSetupError(f"customer {customer!r} is not in the orders fixture {fixture.source}")
        watched = watched_orders(expectations)
        unknown = [i for i in watched if i not in fixture.order_ids]
        if unknown:
            raise OrderSetupError(f"order id(s) {unknown} are not in the orders fixture {fixture.source}")
        return cls(fixture, customer, _moment(given["now"]), tuple(watched))


def _moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        return parse_time(str(value))
    except (TypeError, ValueError):
        raise OrderSetupError(f"'now' must be an ISO date and time, got {value!r}") from None


# -- one conversation's order store -----------------------------------------------------------
class ConversationOrders:
    """The fixture in a session database of the conversation's own; after each turn it tells the
    observation what the watched orders look like and which webhooks were queued."""

    def __init__(self, setup: OrderSetup, sessions):
        self.setup = setup
        self.sessions = sessions
        setup.fixture.store(sessions)
        self.before = self.snapshot()
        self._webhooks_seen: set[int] = set()
        self._replies: list[Any] = []
        self._desk = None

    def watch(self, desk) -> None:
        """Note each reply of the conversation's own order desk, to tell the turns it answered."""
        self._desk = desk
        handle = desk.handle

        def noted(*args, **kwargs):
            reply = handle(*args, **kwargs)
            self._replies.append(reply)
            return reply
        desk.handle = noted

    def snapshot(self) -> dict[str, dict[str, Any] | None]:
        from assistant.storage.orders import OrderTables

        tables = OrderTables(self.sessions)
        return {order_id: tables.order(order_id) for order_id in self.setup.watched}

    def observe(self, obs) -> None:
        """Fill ``obs.orders`` ({id: {before, after, customer}}) and ``obs.webhooks`` (events queued this turn)."""
        after = self.snapshot()
        obs.orders = {order_id: {"before": self.before[order_id], "after": after[order_id],
                                 "customer": self.setup.fixture.customer_of(order_id)}
                      for order_id in self.setup.watched}
        rows = [r for r in self.sessions.outbox.due(time.time() + 10 ** 9, limit=10_000)
                if r["id"] not in self._webhooks_seen]
        self._webhooks_seen.update(r["id"] for r in rows)
        obs.webhooks = [{"event": r["event"], "order_id": json.loads(r["body"]).get("order_id")} for r in rows]
        answered = [r for r in self._replies if r.handled]
        self._replies.clear()
        obs.order_desk = bool(answered) and answered[-1].text.strip() == obs.answer.strip()
        if obs.order_desk:            # its facts come from the order records, not the cited rule's page
            obs.evidence = [*obs.evidence, *self.order_evidence(obs.state.get("orders") or {})]

    def order_evidence(self, desk_state: dict[str, Any]) -> list[dict[str, Any]]:
        """What the desk may read for this shopper: the customer's orders and the proven ones, the
        catalog entries of their items, the store's order rules, and the order number the shopper
        gave in the conversation (an unproven one is only repeated back)."""
        from assistant.storage.orders import OrderTables

        tables = OrderTables(self.sessions)
        records = list(tables.orders_for(self.setup.customer)) if self.setup.customer else []
        known = {r["id"] for r in records}
        records += [r for r in map(tables.order, desk_state.get("proven_orders") or []) if r and r["id"] not in known]
        out = [_evidence(f"order/{r['id']}", f"order {r['id']} (order system)", r) for r in records]
        products = getattr(self._desk, "products", {}) or {}
        for pid in dict.fromkeys(i.get("product_id") for r in records for i in r.get("items") or []):
            if pid in products:
                out.append(_evidence(f"product/{pid}", products[pid].name, products[pid].model_dump()))
        if self._desk is not None:
            out.append(_evidence("rules/orders.yaml", "the store's order rules", self._desk.policy.config.model_dump()))
        given = desk_state.get("order_id")
        if given and given not in {r["id"] for r in records}:
            out.append({"source_id": "conversation/order-number", "title": "the order number the shopper gave",
                        "text": f"order number {given}", "cited": False})
        return out


def _evidence(source_id: str, title: str, data: Any) -> dict[str, Any]:
    return {"source_id": source_id, "title": title, "text": json.dumps(data, ensure_ascii=False, default=str),
            "cited": False}


# -- the checks -----------------------------------------------------------------------------------
def _holds(order: dict[str, Any], name: str, wanted: Any) -> bool:
    got = order.get(name)
    if isinstance(wanted, dict) and isinstance(got, dict):          # an address: the fields named
        return all(str(got.get(k)) == str(v) for k, v in wanted.items())
    if name == "requests" and isinstance(wanted, list):             # each wanted request is part of one made
        return all(any(all(r.get(k) == v for k, v in w.items()) for r in got or []) for w in wanted)
    if name == "status":
        return str(got) == str(wanted)
    return got == wanted


def _diff(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if a is None or b is None:
        return f"{a!r} -> {b!r}"
    return ", ".join(f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))


def state_failures(spec: dict[str, dict[str, Any]], orders: dict[str, dict[str, Any]]) -> list[str]:
    """What does not hold of the orders (``obs.orders``) against an ``order_state`` expectation."""
    failures = []
    for order_id, wanted in spec.items():
        seen = orders.get(order_id)
        if seen is None:
            failures.append(f"{order_id} was not observed (no order store for this conversation)")
            continue
        before, now = seen["before"], seen["after"]
        if now is None:
            failures.append(f"{order_id} does not exist")
            continue
        if wanted.get("unchanged") and now != before:
            failures.append(f"{order_id} changed: {_diff(before, now)}")
        for name, value in wanted.items():
            if name != "unchanged" and not _holds(now, name, value):
                failures.append(f"{order_id}.{name} is {now.get(name)!r}, expected {value!r}")
    return failures


def _fold(text: Any) -> str:
    return " ".join(str(text).casefold().replace("\u2019", "'").split())


def private_details(order: dict[str, Any], customer: dict[str, Any] | None) -> list[str]:
    """What only the order's owner may hear: its items, address, tracking, email, the customer's name."""
    address = order.get("shipping_address") or {}
    details = [i.get("name") for i in order.get("items") or []] + [i.get("sku") for i in order.get("items") or []]
    details += [address.get(k) for k in ("name", "address1", "address2", "city", "zip")]
    details += [t.get("number") for t in order.get("tracking") or []] + [order.get("email")]
    if customer:
        details += [customer.get("name"), customer.get("email")]
    return list(dict.fromkeys(d for d in details if d and len(str(d)) > 2))


def disclosures(order: dict[str, Any], customer: dict[str, Any] | None, text: str) -> list[str]:
    """The order's private details that ``text`` gives away."""
    folded = _fold(text)
    return [d for d in private_details(order, customer) if _fold(d) in folded]


@dataclass
class WriteCheck:
    """One order write a conversation made, for the run's order metrics."""

    action: str
    order_id: str
    confirmed: bool            # the turn before stated this very change back and asked for a yes
    webhook: bool | None       # an ``order.<action>`` webhook was queued for it in the same turn
    where: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "order_id": self.order_id, "confirmed": self.confirmed,
                "webhook": self.webhook, "where": self.where}


def writes(conversation) -> list[WriteCheck]:
    """Every order write of a conversation result: was it asked for first, was the store told?
    (``webhook`` is None where the run did not watch the outbox: a conversation without orders of its own.)"""
    out: list[WriteCheck] = []
    proposed: dict[str, Any] | None = None
    for turn in conversation.turns:
        obs = turn.observation
        for action in obs.order_actions:
            confirmed = bool(proposed) and proposed.get("action") == action.get("action") \
                and proposed.get("order_id") == action.get("order_id")
            webhook = None if obs.webhooks is None else any(
                w["event"] == f"order.{action.get('action')}" and w["order_id"] == action.get("order_id")
                for w in obs.webhooks)
            out.append(WriteCheck(str(action.get("action")), str(action.get("order_id")), confirmed, webhook,
                                  f"{conversation.uid} turn {turn.index}"))
        proposed = ((obs.state.get("orders") or {}).get("pending")) if obs.state else None
    return out

