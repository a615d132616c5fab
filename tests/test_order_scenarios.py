"""Every order conversation in evals/orders_end_state.yaml, run as `assistant eval` runs it: through
the real ConversationManager and order desk, each on a fresh order store of its own; the replies
it expects, the writes that ran, and the orders' state afterwards."""
from __future__ import annotations

from collections import Counter

import pytest

from assistant.evals import evaluate
from assistant.evals.gate import load_thresholds
from assistant.evals.stores import EvalStores
from assistant.evals.transcripts import load_suite
from assistant.settings import PROJECT_ROOT

FILE = PROJECT_ROOT / "evals" / "orders_end_state.yaml"
CONVERSATIONS = load_suite([FILE]).conversations
IDS = [c.id for c in CONVERSATIONS]


def test_the_suite_is_large_enough_and_covers_the_desk():
    assert len(IDS) >= 40 and len(set(IDS)) == len(IDS)
    with_end_state = [c for c in CONVERSATIONS if any("order_state" in t.expect for t in c.turns)]
    assert len(with_end_state) >= 30
    kinds = Counter(k for c in CONVERSATIONS for t in c.turns for k in t.expect.get("order_action", []))
    assert set(kinds) == {"cancel", "change_address", "return", "exchange"}
    assert sum(1 for c in CONVERSATIONS if c.customer is None) >= 5            # guests proving an order
    assert sum(1 for c in CONVERSATIONS if any("order_refused" in t.expect for t in c.turns)) >= 5


@pytest.fixture(scope="module")
def report(demo_settings, demo_knowledge, tmp_path_factory):
    stores = EvalStores(demo_settings, cache_dir=tmp_path_factory.mktemp("cache"), default=demo_knowledge)
    return evaluate([FILE], demo_settings, jobs=2, stores=stores, progress=False).report


@pytest.mark.parametrize("conversation_id", IDS)
def test_order_conversation(report, conversation_id):
    conv = next(c for c in report["conversations"] if c["id"] == conversation_id)
    failed = [f"turn {t['index']} {ch['kind']}: {ch['detail'] or ch['actual']}"
              for t in conv["turns"] for ch in t["checks"] if not ch["passed"]]
    assert failed == []


def test_the_gate_holds_for_the_suite(report):
    """The order numbers evals/thresholds.yaml gates on, measured over this suite alone."""
    flat = report["flat_metrics"]
    bounds = {m: b for m, (kind, b) in load_thresholds(PROJECT_ROOT / "evals" / "thresholds.yaml").overall.items()
              if m.startswith(("expectation.order_", "orders.", "tag.order-desk."))}
    assert len(bounds) >= 5
    assert {m: flat.get(m) for m in bounds if flat.get(m) is None or flat[m] < bounds[m]} == {}
    assert report["metrics"]["orders"]["writes"] >= 10 and report["metrics"]["orders"]["problems"] == []
