"""Shared pieces for the order tests: the demo orders in a fresh session database, the real
encoder behind the order-action detector, and a desk that talks like a chat does."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from assistant.knowledge.catalog import load_catalog
from assistant.orders.flows import OrderDesk
from assistant.orders.local import LocalOrders, import_orders
from assistant.orders.policy import OrdersPolicy
from assistant.settings import PROJECT_ROOT, Settings
from assistant.storage.sessions import SessionStore

DEMO_ORDERS = PROJECT_ROOT / "knowledge" / "orders.json"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)      # the demo orders' "today"


@pytest.fixture(scope="session")
def order_detector():
    from assistant.knowledge.embeddings import settings_encoder
    from assistant.orders.actions import OrderActionDetector

    settings = Settings()
    return OrderActionDetector(encoder=settings_encoder(settings))


@pytest.fixture(scope="session")
def catalog_products():
    return {p.id: p for p in load_catalog(PROJECT_ROOT / "knowledge" / "catalog.json")}


@pytest.fixture()
def order_store(tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    import_orders(DEMO_ORDERS, store)
    return store


@pytest.fixture()
def desk(order_store, order_detector, catalog_products):
    return OrderDesk(LocalOrders(order_store), order_store, policy=OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml"),
                     detector=order_detector, products=catalog_products)


class Chat:
    """One conversation with the desk: carries the desk state between turns like the dialogue state does."""

    def __init__(self, desk: OrderDesk, customer_id: str | None = None, session_id: str | None = None):
        self.desk = desk
        self.customer_id = customer_id
        self.session_id = session_id or desk.sessions.create(customer_id=customer_id)
        self.state: dict = {}
        self.replies = []

    def say(self, text: str, images: list[str] | None = None, intent: str | None = None,
            language: str | None = None):
        reply = self.desk.handle(self.session_id, self.state, text, intent=intent, customer_id=self.customer_id,
                                 images=images, now=NOW, language=language)
        self.state = reply.state
        self.replies.append(reply)
        return reply
