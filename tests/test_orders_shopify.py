"""The ``shopify`` order system against a real local HTTP server that answers the GraphQL Admin
API with nodes in Shopify's documented shapes (tests/fixtures/shopify_graphql/store.json): how
orders read, and the exact operation and variables each action sends."""
from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.orders import get_order_system
from assistant.orders.flows import OrderDesk
from assistant.orders.model import ActionRefused, OrderError, OrderNotFound
from assistant.orders.policy import OrdersPolicy
from assistant.settings import PROJECT_ROOT
from assistant.storage.sessions import SessionStore
from tests.orders_fixtures import Chat, order_detector, catalog_products  # noqa: F401

TOKEN = "shpat_test_token"
STORE = json.loads((PROJECT_ROOT / "tests" / "fixtures" / "shopify_graphql" / "store.json").read_text())
API_PATH = "/admin/api/2025-10/graphql.json"


class FakeShopify:
    """Answers the assistant's GraphQL operations from the recorded nodes; mutations change them
    the way Shopify does (cancelledAt, shippingAddress, a new Return)."""

    def __init__(self):
        self.orders = copy.deepcopy(STORE["orders"])
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                operation = re.match(r"\s*(?:query|mutation)\s+(\w+)", body["query"]).group(1)
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "operation": operation,
                                       "query": body["query"], "variables": body["variables"]})
                if self.headers.get("X-Shopify-Access-Token") != TOKEN:
                    status, answer = 401, {"errors": "[API] Invalid API key or access token"}
                elif self.path != API_PATH:
                    status, answer = 404, {"errors": "Not Found"}
                else:
                    status, answer = 200, {"data": outer.answer(operation, body["variables"])}
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _by_gid(self, gid):
        return next(o for o in self.orders if o["id"] == gid)

    def answer(self, operation, v):
        if operation == "OrderByName":
            name = v["query"].removeprefix("name:")
            return {"orders": {"nodes": [o for o in self.orders if o["name"] == name][:1]}}
        if operation == "CustomerOrders":
            who = v["query"].removeprefix("customer_id:")
            mine = [o for o in self.orders if o["customer"]["id"].endswith("/" + who)]
            return {"orders": {"nodes": sorted(mine, key=lambda o: o["createdAt"], reverse=True)}}
        if operation == "Customer":
            return {"customer": next((c for c in STORE["customers"] if c["id"] == v["id"]), None)}
        if operation == "CustomerByEmail":
            email = v["query"].removeprefix("email:")
            return {"customers": {"nodes": [c for c in STORE["customers"] if c["email"] == email]}}
        if operation == "OrderCancel":
            order = self._by_gid(v["orderId"])
            if order["fulfillments"]:
                return {"orderCancel": {"job": None, "orderCancelUserErrors": [
                    {"field": ["orderId"], "message": "Cannot cancel an order that has been fulfilled.", "code": "INVALID"}]}}
            order["cancelledAt"] = "2026-12-01T09:00:00Z"
            return {"orderCancel": {"job": {"id": "gid://shopify/Job/1", "done": False}, "orderCancelUserErrors": []}}
        if operation == "OrderUpdate":
            order = self._by_gid(v["input"]["id"])
            address = v["input"]["shippingAddress"]
            order["shippingAddress"] = {"name": order["shippingAddress"]["name"], "address1": address.get("address1"),
                                        "address2": address.get("address2"), "city": address.get("city"),
                                        "provinceCode": address.get("provinceCode"), "zip": address.get("zip"),
                                        "countryCodeV2": address.get("countryCode")}
            return {"orderUpdate": {"order": {"id": order["id"]}, "userErrors": []}}
        if operation == "ReturnRequest":
            order = self._by_gid(v["input"]["orderId"])
            order["returns"]["nodes"].append({"id": "gid://shopify/Return/1", "status": "REQUESTED",
                                              "exchangeLineItems": {"nodes": []}})
            return {"returnRequest": {"return": {"id": "gid://shopify/Return/1", "status": "REQUESTED"}, "userErrors": []}}
        if operation == "VariantBySku":
            sku = v["query"].removeprefix("sku:")
            return {"productVariants": {"nodes": [x for x in STORE["variants"] if x["sku"] == sku]}}
        if operation == "ReturnCreate":
            order = self._by_gid(v["returnInput"]["orderId"])
            order["returns"]["nodes"].append({"id": "gid://shopify/Return/2", "status": "OPEN",
                                              "exchangeLineItems": {"nodes": [{"id": "gid://shopify/ExchangeLineItem/1"}]}})
            return {"returnCreate": {"return": {"id": "gid://shopify/Return/2", "status": "OPEN"}, "userErrors": []}}
        raise AssertionError(f"unexpected operation {operation}")

    def writes(self):
        return [r for r in self.requests if r["query"].lstrip().startswith("mutation")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def shopify():
    server = FakeShopify()
    yield server
    server.close()


@pytest.fixture()
def orders(shopify):
    system = get_order_system("shopify", options={"shop": "northwind.myshopify.com", "access_token": TOKEN,
                                                  "base_url": shopify.url, "timeout": 5})
    yield system
    system.close()


def test_orders_read_from_the_documented_shapes(shopify, orders):
    pending, delivered, shipped = (orders.get_order(n) for n in ("NW-600101", "NW-600102", "NW-600103"))
    assert (pending.status, delivered.status, shipped.status) == ("pending", "delivered", "shipped")
    assert delivered.delivered_at == "2026-11-24T15:00:00Z" and delivered.tracking[0].number == "1Z999AA10123456784"
    jacket, lamp = delivered.items
    assert jacket.options == {"size": "M", "color": "Black"} and lamp.options == {}
    assert jacket.product_id == "summit-rain-jacket" and jacket.ref == "gid://shopify/FulfillmentLineItem/6002"
    assert delivered.total == 171.0 and delivered.customer_id == "7001" and delivered.zip == "02118"
    assert [o.id for o in orders.orders_for("7001")] == ["NW-600101", "NW-600102"]
    ada = orders.get_customer("7001")
    assert ada.vip and ada.email == "ada@example.com"
    assert orders.find_customer_by_email("alan@example.com").id == "7002"
    with pytest.raises(OrderNotFound):
        orders.get_order("NW-999999")
    assert all(r["path"] == API_PATH and r["headers"]["X-Shopify-Access-Token"] == TOKEN for r in shopify.requests)
    assert shopify.requests[0]["variables"] == {"query": "name:NW-600101"}


def test_cancel_sends_order_cancel_and_reads_the_order_again(shopify, orders):
    cancelled = orders.cancel("NW-600101", reason="customer asked in chat", idempotency_key="key-1")
    assert cancelled.status == "cancelled"
    [write] = shopify.writes()
    assert write["operation"] == "OrderCancel"
    v = write["variables"]
    assert v["orderId"] == "gid://shopify/Order/5001" and v["reason"] == "CUSTOMER"
    assert v["refundMethod"] == {"originalPaymentMethodsRefund": True} and v["restock"] is True
    assert "key-1" in v["staffNote"]


def test_a_fulfilled_order_is_refused_with_shopifys_words(orders):
    with pytest.raises(ActionRefused, match="fulfilled"):
        orders.cancel("NW-600103")


def test_change_address_sends_order_update(shopify, orders):
    moved = orders.change_address("NW-600101", {"address1": "1 Main Street", "city": "Salem", "province": "MA",
                                                "zip": "01970", "country": "US"})
    assert moved.shipping_address["city"] == "Salem"
    [write] = shopify.writes()
    assert write["operation"] == "OrderUpdate"
    assert write["variables"] == {"input": {"id": "gid://shopify/Order/5001", "shippingAddress": {
        "address1": "1 Main Street", "city": "Salem", "provinceCode": "MA", "zip": "01970", "countryCode": "US"}}}


def test_a_return_request_names_the_fulfilled_line_and_carries_the_photos(shopify, orders):
    returned = orders.request_return("NW-600102", ["RL1300-BLK"], "damaged on arrival", "damaged",
                                     photos=["http://127.0.0.1:7860/api/v1/agent/sessions/s/images/p1"])
    assert returned.status == "return requested"
    [write] = shopify.writes()
    assert write["operation"] == "ReturnRequest"
    [line] = write["variables"]["input"]["returnLineItems"]
    assert line["fulfillmentLineItemId"] == "gid://shopify/FulfillmentLineItem/6003"
    assert line["returnReason"] == "DEFECTIVE" and line["quantity"] == 1
    assert "images/p1" in line["customerNote"]


def test_an_unfulfilled_item_cannot_be_returned(orders):
    with pytest.raises(ActionRefused, match="not a fulfilled item"):
        orders.request_return("NW-600101", ["GP3108-BLK-M"], "no longer wanted", "unused")


def test_a_bad_token_names_the_setting(shopify):
    system = get_order_system("shopify", options={"shop": "x", "access_token": "wrong", "base_url": shopify.url})
    with pytest.raises(OrderError, match="access_token"):
        system.get_order("NW-600101")
    with pytest.raises(OrderError, match="shop and access_token"):
        get_order_system("shopify", options={})


def test_the_desk_exchanges_through_shopify(shopify, orders, order_detector, catalog_products, tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    desk = OrderDesk(orders, store, policy=OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml"),
                     detector=order_detector, products=catalog_products)
    chat = Chat(desk, "7001")
    confirm = chat.say("Can I exchange the rain jacket for a large?")
    assert "NW-600102" in confirm.text and "L / Black" in confirm.text
    assert shopify.writes() == []
    chat.say("yes")
    [variant_lookup] = [r for r in shopify.requests if r["operation"] == "VariantBySku"]
    assert variant_lookup["variables"] == {"query": "sku:GP3108-BLK-L"}
    [write] = shopify.writes()
    assert write["operation"] == "ReturnCreate"
    sent = write["variables"]["returnInput"]
    assert sent["exchangeLineItems"] == [{"variantId": "gid://shopify/ProductVariant/9101", "quantity": 1}]
    assert sent["returnLineItems"][0]["fulfillmentLineItemId"] == "gid://shopify/FulfillmentLineItem/6002"
    assert orders.get_order("NW-600102").status == "exchange requested"
