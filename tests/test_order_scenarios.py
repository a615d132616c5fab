"""Every order conversation in tests/fixtures/order_scenarios.yaml played through the order desk on a fresh copy
of its orders: the replies it expects, and the orders' state afterwards."""
from __future__ import annotations

import pytest
import yaml

from assistant.orders.flows import OrderDesk
from assistant.orders.local import LocalOrders, import_orders
from assistant.orders.policy import OrdersPolicy
from assistant.orders.scenarios import OrderScenario, ScenarioError, run_scenario
from assistant.settings import PROJECT_ROOT
from assistant.storage.sessions import SessionStore
from tests.orders_fixtures import NOW, order_detector, catalog_products  # noqa: F401

FILE = PROJECT_ROOT / "tests" / "fixtures" / "order_scenarios.yaml"
CONVERSATIONS = yaml.safe_load(FILE.read_text())["order_scenarios"]


def test_the_suite_is_large_enough_and_ids_are_unique():
    ids = [c["id"] for c in CONVERSATIONS]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    with_end_state = [c for c in CONVERSATIONS if c["orders"].get("after")]
    assert len(with_end_state) >= 30


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["id"] for c in CONVERSATIONS])
def test_order_conversation(conversation, order_detector, catalog_products, tmp_path):
    policy = OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml")

    def make_desk(fixture):
        store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
        import_orders(fixture, store)
        return OrderDesk(LocalOrders(store), store, policy=policy, detector=order_detector, products=catalog_products)

    assert run_scenario(conversation, make_desk, PROJECT_ROOT, now=NOW) == []


def test_a_broken_scenario_names_the_field(tmp_path):
    with pytest.raises(ScenarioError, match="unknown 'orders' key"):
        OrderScenario.parse({"customer": "C-1", "start": "x"}, "bad", PROJECT_ROOT)
    with pytest.raises(ScenarioError, match="after.NW-1"):
        OrderScenario.parse({"after": {"NW-1": {"colour": "red"}}}, "bad", PROJECT_ROOT)
