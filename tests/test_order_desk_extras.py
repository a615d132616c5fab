"""The order room's edges: the signed webhook a confirmed action fires (real local receiver),
the policy file checked at start, the registry's errors, the demo import on first start, the
CLI, and the order-action detector measured on Bitext's training split."""
from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from assistant.errors import CatalogError
from assistant.handoff.helpdesk import Helpdesk
from assistant.orders import UnknownConnector, connector_names, get_order_system
from assistant.orders.flows import OrderDesk
from assistant.orders.local import LocalOrders, read_orders_file
from assistant.orders.policy import OrdersPolicy, OrdersPolicyError
from assistant.orders.service import ensure_orders_imported
from assistant.settings import HelpdeskSettings, PROJECT_ROOT, Settings
from assistant.storage.sessions import SessionStore
from tests.orders_fixtures import DEMO_ORDERS, Chat, desk, order_detector, order_store, catalog_products  # noqa: F401
from tests.test_helpdesk import SECRET, Receiver


def test_a_confirmed_action_fires_one_signed_webhook(order_store, order_detector, catalog_products):
    receiver = Receiver()
    helpdesk = Helpdesk(HelpdeskSettings(webhook_urls=[receiver.url], webhook_secret=SECRET, timeout=2),
                        order_store)
    try:
        desk = OrderDesk(LocalOrders(order_store), order_store, policy=OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml"),
                         detector=order_detector, products=catalog_products, helpdesk=helpdesk)
        chat = Chat(desk, "C-1001")
        chat.say("cancel order NW-483377")
        assert helpdesk.pending() == []                   # nothing is sent before the yes
        chat.say("yes")
        assert helpdesk.flush(10)
        [request] = receiver.requests
        body = request["body"]
        assert request["valid"] and request["headers"]["X-Assistant-Event"] == "order.cancel"
        assert body["order_id"] == "NW-483377" and body["order"]["status"] == "cancelled"
        assert body["conversation_id"] == chat.session_id and body["status_before"] == "pending"
        event = next(e for e in order_store.events(chat.session_id) if e.type == "order_action")
        assert body["idempotency_key"] == event.data["idempotency_key"]
    finally:
        helpdesk.close()
        receiver.close()


def test_the_policy_file_is_checked_and_names_the_field(tmp_path):
    bad = tmp_path / "orders.yaml"
    bad.write_text("returns:\n  window_days: -3\ncancel:\n  allowed_statuses: [packed]\n")
    with pytest.raises(OrdersPolicyError) as caught:
        OrdersPolicy.load(bad)
    assert "returns.window_days" in str(caught.value) and "cancel.allowed_statuses" in str(caught.value)
    bad.write_text("cancle:\n  enabled: false\n")
    with pytest.raises(OrdersPolicyError, match="cancle"):
        OrdersPolicy.load(bad)
    assert OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml").config.returns.window_days == 30


def test_the_policy_cites_documents_the_store_has():
    from assistant.knowledge.catalog import load_documents

    faq, policies = load_documents(PROJECT_ROOT / "knowledge")
    known = {d.source_id for d in [*faq, *policies]}
    cited = OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml").config.sources
    assert set(cited) == {"tracking", "cancel", "change_address", "returns", "condition", "damage", "exchange"}
    assert set(cited.values()) <= known


def test_the_policy_decides_what_the_desk_allows(order_store, order_detector, catalog_products, tmp_path):
    lenient = tmp_path / "orders.yaml"                  # this store cancels until dispatch
    lenient.write_text("cancel:\n  allowed_statuses: [pending, processed]\n")
    desk = OrderDesk(LocalOrders(order_store), order_store, policy=OrdersPolicy.load(lenient),
                     detector=order_detector, products=catalog_products)
    reply = Chat(desk, "C-1002").say("please cancel order NW-483051")      # processed
    assert "To confirm: cancel order NW-483051" in reply.text


def test_an_unknown_order_system_lists_the_known_ones():
    with pytest.raises(UnknownConnector) as caught:
        get_order_system("magento")
    assert all(name in str(caught.value) for name in ("local", "shopify", "http"))
    assert connector_names() == ["http", "local", "shopify"]


def test_the_demo_orders_are_imported_on_first_start_only(tmp_path):
    settings = Settings(data_dir=tmp_path)
    store = SessionStore(settings.sessions_url)
    assert ensure_orders_imported(settings, store) >= 20
    assert ensure_orders_imported(settings, store) == 0
    customers, orders = read_orders_file(DEMO_ORDERS)
    assert len({o.customer_id for o in orders}) >= 8
    assert {o.status for o in orders} >= {"pending", "processed", "shipped", "delivered", "cancelled",
                                          "return requested", "exchange requested"}
    assert all(re.fullmatch(r"NW-\d{6}", o.id) for o in orders)


def test_a_bad_orders_file_names_the_row(tmp_path):
    data = json.loads(DEMO_ORDERS.read_text())
    data["orders"][3]["status"] = "lost at sea"
    bad = tmp_path / "orders.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(CatalogError, match=r"orders\[3\].*lost at sea"):
        read_orders_file(bad)


def test_cli_import_and_show_json(tmp_path, monkeypatch):
    from assistant import settings as settings_module
    from assistant.cli import app

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    settings_module.get_settings.cache_clear()
    try:
        runner = CliRunner()
        done = runner.invoke(app, ["orders", "import", str(DEMO_ORDERS)])
        assert done.exit_code == 0 and "24 orders" in done.output
        shown = runner.invoke(app, ["orders", "show", "NW-482913", "--json"])
        assert shown.exit_code == 0
        printed = json.loads(shown.output)
        assert printed == LocalOrders(SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")).get_order(
            "NW-482913").to_dict()
        missing = runner.invoke(app, ["orders", "show", "NW-000001"])
        assert missing.exit_code == 2 and "no order" in missing.output
    finally:
        settings_module.get_settings.cache_clear()


BITEXT = {"cancel_order": "cancel", "change_shipping_address": "change_address", "track_order": "status",
          "get_refund": "return"}


def test_order_action_detector_on_bitext_training_split(order_detector, shared_data):
    import csv

    path = shared_data / "bitext-customer-service" / "Bitext_Sample_Customer_Service_Training_Dataset.csv"
    with open(path, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["intent"] in BITEXT]
    right = 0
    for row in rows:
        text = re.sub(r"\{\{[^}]*\}\}", "NW-123456", row["utterance"])
        right += order_detector.action(text).label == BITEXT[row["intent"]]
    assert len(rows) > 900
    assert right / len(rows) >= 0.93


@pytest.mark.parametrize("text,label", [("yes", "yes"), ("go ahead", "yes"), ("yes please", "yes"),
                                        ("no", "no"), ("no, keep it", "no"), ("please don't", "no")])
def test_confirmation_replies(order_detector, text, label):
    assert order_detector.reply(text).label == label


def test_a_question_is_not_a_yes(order_detector):
    for text in ("what colours does it come in?", "how long is shipping?", "NW-482913"):
        assert order_detector.reply(text).label is None
