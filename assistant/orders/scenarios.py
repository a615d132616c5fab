"""Order conversations with end states: the transcript fields the eval suite gains for orders.

A conversation about orders says who the shopper is, which orders the store starts with, and
what the orders must look like once the conversation is over::

    - id: cancel-confirmed
      orders:
        customer: C-1001                 # the integrator-verified customer; omit for a guest
        fixture: knowledge/orders.json   # the order data the conversation starts from (the default)
        after:                           # order states afterwards
          NW-483377: {status: cancelled}
          NW-483120: unchanged           # nothing about it may change
      turns:
        - user: Please cancel my order
          expect: {contains: [NW-483377], order_action: none}
        - user: "yes"
          expect: {contains: [cancelled], order_action: cancel}

Turn expectations here: ``contains`` / ``contains_any`` / ``not_contains`` (reply text, case
folded), ``handoff`` (bool: the policy sent it to a person), ``order_action`` (the write that
ran this turn, or ``none``), ``handled`` (bool: the desk answered). ``run_scenario`` plays one
conversation through an ``OrderDesk`` on a fresh copy of the fixture and lists what failed;
the eval runner can call the same pieces (``OrderScenario.parse``, ``check_after``) once it
drives the desk through the conversation manager.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.orders.model import OrderNotFound, OrderSystem

SCENARIO_KEYS = {"customer", "fixture", "after"}
TURN_EXPECT = {"contains", "contains_any", "not_contains", "handoff", "order_action", "handled"}
ORDER_FIELDS = {"status", "shipping_address", "requests"}


class ScenarioError(ValueError):
    """A malformed order conversation; the message names the conversation and the field."""


@dataclass
class OrderScenario:
    customer: str | None
    fixture: Path
    after: dict[str, Any] = field(default_factory=dict)     # order id -> "unchanged" | {field: value}

    @classmethod
    def parse(cls, raw: Any, where: str, root: Path) -> "OrderScenario":
        if not isinstance(raw, dict):
            raise ScenarioError(f"{where}: 'orders' must be a mapping with customer, fixture, after")
        unknown = set(raw) - SCENARIO_KEYS
        if unknown:
            raise ScenarioError(f"{where}: unknown 'orders' key(s) {sorted(unknown)}; known: {sorted(SCENARIO_KEYS)}")
        fixture = root / str(raw.get("fixture") or "knowledge/orders.json")
        if not fixture.is_file():
            raise ScenarioError(f"{where}: orders fixture not found: {fixture}")
        after = raw.get("after") or {}
        for order_id, spec in after.items():
            if spec != "unchanged" and not (isinstance(spec, dict) and set(spec) <= ORDER_FIELDS):
                raise ScenarioError(f"{where}: after.{order_id} must be 'unchanged' or a mapping of "
                                    f"{sorted(ORDER_FIELDS)}")
        return cls(customer=raw.get("customer"), fixture=fixture, after=dict(after))


def snapshot(system: OrderSystem, order_ids: list[str]) -> dict[str, dict[str, Any] | None]:
    out: dict[str, dict[str, Any] | None] = {}
    for order_id in order_ids:
        try:
            out[order_id] = system.get_order(order_id).to_dict()
        except OrderNotFound:
            out[order_id] = None
    return out


def _holds(order: dict[str, Any], field_name: str, wanted: Any) -> bool:
    got = order.get(field_name)
    if field_name == "shipping_address" and isinstance(wanted, dict):
        return all(str(got.get(k)) == str(v) for k, v in wanted.items())
    if field_name == "requests" and isinstance(wanted, list):      # each wanted request is a subset of one made
        return all(any(all(r.get(k) == v for k, v in w.items()) for r in got or []) for w in wanted)
    return got == wanted


def check_after(system: OrderSystem, scenario: OrderScenario, before: dict[str, dict[str, Any] | None]) -> list[str]:
    """What does not hold of the orders once the conversation is over."""
    after = snapshot(system, list(scenario.after))
    failures = []
    for order_id, spec in scenario.after.items():
        now = after[order_id]
        if spec == "unchanged":
            if now != before.get(order_id):
                failures.append(f"{order_id} changed: {_diff(before.get(order_id), now)}")
            continue
        if now is None:
            failures.append(f"{order_id} does not exist")
            continue
        for name, wanted in spec.items():
            if not _holds(now, name, wanted):
                failures.append(f"{order_id}.{name} is {now.get(name)!r}, expected {wanted!r}")
    return failures


def _diff(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if a is None or b is None:
        return f"{a!r} -> {b!r}"
    return ", ".join(f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))


def _fold(text: str) -> str:
    return " ".join(str(text).casefold().replace("\u2019", "'").split())


def check_turn(expect: dict[str, Any], reply: Any) -> list[str]:
    """A desk reply against a turn's expectations."""
    unknown = set(expect) - TURN_EXPECT
    if unknown:
        return [f"unknown expectation(s) {sorted(unknown)}; known: {sorted(TURN_EXPECT)}"]
    text, failures = _fold(reply.text), []
    for phrase in expect.get("contains", []):
        if _fold(phrase) not in text:
            failures.append(f"reply lacks {phrase!r}: {reply.text!r}")
    if expect.get("contains_any") and not any(_fold(p) in text for p in expect["contains_any"]):
        failures.append(f"reply has none of {expect['contains_any']!r}: {reply.text!r}")
    for phrase in expect.get("not_contains", []):
        if _fold(phrase) in text:
            failures.append(f"reply says {phrase!r}: {reply.text!r}")
    if "handoff" in expect and bool(reply.handoff_reason) != bool(expect["handoff"]):
        failures.append(f"handoff is {reply.handoff_reason!r}, expected {expect['handoff']}")
    if "handled" in expect and reply.handled != bool(expect["handled"]):
        failures.append(f"handled is {reply.handled}, expected {expect['handled']}")
    if "order_action" in expect:
        ran = reply.events[0]["action"] if reply.events else "none"
        if ran != expect["order_action"]:
            failures.append(f"order action {ran!r} ran, expected {expect['order_action']!r}")
    return failures


def run_scenario(conversation: dict[str, Any], make_desk: Callable[[Path], Any], root: Path,
                 now: datetime | None = None, where: str = "") -> list[str]:
    """Play one order conversation through a desk on a fresh copy of its fixture; returns the
    failures (empty: it held). ``make_desk(fixture)`` builds a desk over that data."""
    where = where or str(conversation.get("id"))
    scenario = OrderScenario.parse(conversation.get("orders"), where, root)
    desk = make_desk(scenario.fixture)
    before = snapshot(desk.orders, list(scenario.after))
    session = desk.sessions.create(customer_id=scenario.customer)
    state: dict[str, Any] = {}
    failures: list[str] = []
    for number, turn in enumerate(conversation.get("turns") or [], start=1):
        images = [str(root / p) for p in turn.get("images") or []]
        reply = desk.handle(session, state, turn["user"], intent=turn.get("intent"), customer_id=scenario.customer,
                            images=images, now=now)
        state = reply.state
        failures += [f"{where} turn {number}: {f}" for f in check_turn(turn.get("expect") or {}, reply)]
    failures += [f"{where} after: {f}" for f in check_after(desk.orders, scenario, before)]
    return failures


