"""Order conversations in the eval format: the customer, the orders fixture and the end states
(assistant/evals/orders.py), read at load time and checked by the runner on each conversation's
own order store (real SQLite, the real order desk behind the real ConversationManager)."""
import json

import pytest

from assistant.evals import evaluate
from assistant.evals.scorers import TurnObservation, score_turn
from assistant.evals.stores import EvalStores
from assistant.evals.transcripts import TranscriptError, load_suite
from assistant.settings import PROJECT_ROOT

DEMO_ORDERS = json.loads((PROJECT_ROOT / "knowledge" / "orders.json").read_text())


def _load(tmp_path, text: str):
    (tmp_path / "suite.yaml").write_text(text, encoding="utf-8")
    return load_suite([tmp_path / "suite.yaml"]).conversations


# -- the format ---------------------------------------------------------------------------------
def test_the_order_fields_are_read_with_their_defaults(tmp_path):
    small = {"customers": [DEMO_ORDERS["customers"][0]], "orders": [DEMO_ORDERS["orders"][0]]}
    (tmp_path / "few.json").write_text(json.dumps(small))
    plain, own, guest, inline = _load(tmp_path, """
now: 2026-12-01T09:00:00Z
conversations:
  - id: plain
    turns: ["How heavy is the Alpine 40 Pack?"]
  - id: own
    customer: C-1001
    orders: few.json
    turns:
      - user: cancel NW-482913
        expect: {order_action: none}
    expect: {order_state: {NW-482913: unchanged}}
  - id: guest
    turns:
      - user: Where is NW-483290?
        expect: {order_refused: NW-483290}
  - id: inline
    customer: C-9
    orders: {customers: [{id: C-9, name: Ada, email: ada@example.com}],
             orders: [{id: NW-900001, customer_id: C-9, status: pending, created_at: "2026-11-30T20:00:00Z",
                       currency: USD, total: 1, items: [{name: Lamp, quantity: 1, price: 1}]}]}
    turns:
      - user: cancel my order
        expect: {order_state: {NW-900001: {status: Cancelled}}}
""")
    # a file's `now` gives every conversation in it an order store of its own
    assert plain.orders is not None and plain.orders.watched == () and plain.orders.fixture.source.endswith("knowledge/orders.json")
    assert own.customer == "C-1001" and own.orders.fixture.source == str(tmp_path / "few.json")
    assert own.orders.now.isoformat() == "2026-12-01T09:00:00+00:00"
    # the conversation's own expect lands on its last turn
    assert own.turns[-1].expect == {"order_action": [], "order_state": {"NW-482913": {"unchanged": True}}}
    assert guest.customer is None and guest.orders.watched == ("NW-483290",)
    assert inline.orders.fixture.source == "inline" and inline.turns[0].expect["order_state"] == {
        "NW-900001": {"status": "cancelled"}}


def test_a_file_without_order_fields_keeps_the_shared_store(tmp_path):
    conv, = _load(tmp_path, "- id: faq\n  turns: ['How long do returns take?']\n")
    assert conv.orders is None and conv.customer is None


@pytest.mark.parametrize("body, message", [
    ("  orders: nowhere.json\n  turns: ['where is my order?']\n",
     r"conversation 'broken'\): orders fixture not found: nowhere.json"),
    ("  turns:\n    - user: where is NW-999999?\n      expect: {order_state: {NW-999999: {status: shipped}}}\n",
     r"conversation 'broken'\): order id\(s\) \['NW-999999'\] are not in the orders fixture .*orders.json"),
    ("  customer: C-7777\n  turns: ['where is my order?']\n",
     r"conversation 'broken'\): customer 'C-7777' is not in the orders fixture"),
    ("  turns:\n    - user: hi\n      expect: {order_state: {NW-482913: {colour: red}}}\n",
     r"conversation 'broken'\) turn 1: expectation 'order_state': NW-482913: unknown order field\(s\) \['colour'\]"),
    ("  orders: {customers: [], orders: [{id: NW-1, customer_id: C-1, status: lost}]}\n  turns: ['hi']\n",
     r"conversation 'broken'\): orders fixture: inline orders: orders\[0\]"),
    ("  now: next tuesday\n  turns: ['hi']\n", r"conversation 'broken'\): 'now' must be an ISO date"),
    ("  turns:\n    - user: cancel NW-483377\n      expect: {order_state: {NW-483377: unchanged}}\n"
     "  expect: {order_state: {NW-483377: {status: cancelled}}}\n",
     r"conversation 'broken'\): order_state of \['NW-483377'\] is expected both"),
])
def test_a_bad_order_field_names_the_conversation(tmp_path, body, message):
    with pytest.raises(TranscriptError, match=message):
        _load(tmp_path, "- id: fine\n  turns: ['hi']\n- id: broken\n" + body)


# -- the scorers, on what a turn produced ------------------------------------------------------
def _observed(order_id: str, after: dict | None = None, answer: str = "", actions=()) -> TurnObservation:
    order = next(o for o in DEMO_ORDERS["orders"] if o["id"] == order_id)
    customer = next(c for c in DEMO_ORDERS["customers"] if c["id"] == order["customer_id"])
    obs = TurnObservation(user="", answer=answer, order_actions=list(actions))
    obs.orders = {order_id: {"before": order, "after": after or order, "customer": customer}}
    return obs


def test_order_refused_fails_when_the_reply_gives_another_customers_order_away():
    expect = {"order_refused": ["NW-482913"]}
    closed = score_turn(expect, _observed("NW-482913", answer="I can't find order NW-482913 on your account."))
    told = score_turn(expect, _observed("NW-482913", answer="NW-482913 (Northstar Down Sleeping Bag) went to "
                                                            "418 Oak Street, Columbus."))
    assert closed[0].passed
    assert not told[0].passed and "Northstar Down Sleeping Bag" in told[0].detail and "418 Oak Street" in told[0].detail
    acted = score_turn(expect, _observed("NW-482913", actions=[{"action": "return", "order_id": "NW-482913"}]))
    assert not acted[0].passed and "an order action ran" in acted[0].detail


# -- through the runner -------------------------------------------------------------------------
@pytest.fixture()
def stores(demo_settings, demo_knowledge, tmp_path):
    return EvalStores(demo_settings, cache_dir=tmp_path / "cache", default=demo_knowledge)


def test_a_wrong_end_state_fails_and_each_conversation_has_its_own_orders(demo_settings, stores, tmp_path):
    (tmp_path / "suite.yaml").write_text("""
now: 2026-12-01T09:00:00Z
conversations:
  - id: cancels
    customer: C-1001
    turns:
      - user: cancel NW-483377
      - user: "yes"
        expect: {order_action: cancel}
    expect: {order_state: {NW-483377: {status: cancelled}}}
  - id: said-no-but-expects-cancelled
    customer: C-1001
    turns:
      - user: cancel NW-483377
      - user: no, keep it
        expect: {order_action: none}
    expect: {order_state: {NW-483377: {status: cancelled}}}
  - id: after-the-other-cancelled
    customer: C-1001
    turns:
      - user: cancel NW-483377
        expect: {contains: [yes or no]}
    expect: {order_state: {NW-483377: {status: pending, unchanged: true}}}
""", encoding="utf-8")
    outcome = evaluate([tmp_path / "suite.yaml"], demo_settings, stores=stores, progress=False,
                       json_path=tmp_path / "r.json", html_path=tmp_path / "r.html")
    convs = {c["id"]: c for c in outcome.report["conversations"]}
    assert convs["cancels"]["passed"]
    said_no = convs["said-no-but-expects-cancelled"]["turns"][-1]
    state = next(c for c in said_no["checks"] if c["kind"] == "order_state")
    assert not state["passed"] and state["detail"] == "NW-483377.status is 'pending', expected 'cancelled'"
    assert next(c for c in said_no["checks"] if c["kind"] == "order_action")["passed"]
    # run after the cancellation, the third conversation still finds the order pending: its own store
    assert convs["after-the-other-cancelled"]["passed"]
    m = outcome.report["metrics"]
    assert m["expectations"]["order_state"] == {"passed": 2, "total": 3, "rate": round(2 / 3, 4)}
    assert m["orders"]["writes"] == 1 and m["orders"]["confirmed_rate"] == 1.0 and m["orders"]["webhook_rate"] == 1.0
    assert outcome.report["flat_metrics"]["orders.confirmed_writes"] == 1.0
    cancel_turn = convs["cancels"]["turns"][1]
    assert cancel_turn["webhooks"] == [{"event": "order.cancel", "order_id": "NW-483377"}]
    # the desk's reply rests on the shopper's order records: they are its evidence, and it is grounded in them
    assert cancel_turn["order_desk"] and "order/NW-483377" in [e["source_id"] for e in cancel_turn["evidence"]]
    assert "order/NW-482640" not in [e["source_id"] for e in cancel_turn["evidence"]]      # another customer's
    assert cancel_turn["grounding"]["grounded"] is not False
    html = (tmp_path / "r.html").read_text()
    assert "Order writes (1: cancel 1)" in html and "expected &#x27;cancelled&#x27;" in html
