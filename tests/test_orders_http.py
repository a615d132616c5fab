"""The ``http`` order system against a real store service on 127.0.0.1 that implements the
contract in docs/orders-api.yaml: reads, each action's request, refusals, idempotency keys, an
unreachable service, and the order desk running a confirmed cancel through it."""
from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml

from assistant.orders import get_order_system
from assistant.orders.flows import OrderDesk
from assistant.orders.model import ActionRefused, OrderError, OrderNotFound
from assistant.orders.policy import OrdersPolicy
from assistant.settings import PROJECT_ROOT
from assistant.storage.sessions import SessionStore
from tests.orders_fixtures import DEMO_ORDERS, Chat, order_detector, catalog_products  # noqa: F401
from tests.servers import free_port

TOKEN = "store-service-token"
SPEC = yaml.safe_load((PROJECT_ROOT / "docs" / "orders-api.yaml").read_text())


class StoreService:
    """A store's order service: the demo orders in memory, every request recorded."""

    def __init__(self):
        data = json.loads(DEMO_ORDERS.read_text())
        self.customers = {c["id"]: c for c in data["customers"]}
        self.orders = {o["id"]: o for o in data["orders"]}
        self.requests: list[dict] = []
        self.seen_keys: dict[str, dict] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status, body):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                outer.requests.append({"method": method, "path": url.path, "query": parse_qs(url.query),
                                       "headers": dict(self.headers), "body": body})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(401, {"error": "bad token"})
                status, answer = outer.route(method, url.path, parse_qs(url.query), body,
                                             self.headers.get("Idempotency-Key"))
                self._send(status, answer)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PUT(self):
                self._handle("PUT")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, method, path, query, body, key):
        path = unquote(path.removeprefix("/api"))
        if method != "GET" and key in self.seen_keys:
            return 200, self.seen_keys[key]
        if method == "GET" and path == "/customers":
            email = query["email"][0].lower()
            return 200, {"customers": [c for c in self.customers.values() if c["email"] == email]}
        if m := re.fullmatch(r"/customers/([^/]+)(/orders)?", path):
            if m.group(1) not in self.customers:
                return 404, {"error": "no such customer"}
            if m.group(2):
                mine = [o for o in self.orders.values() if o["customer_id"] == m.group(1)]
                return 200, {"orders": sorted(mine, key=lambda o: o["created_at"])}     # any order: the client sorts
            return 200, self.customers[m.group(1)]
        m = re.fullmatch(r"/orders/([^/]+)(?:/(cancel|shipping-address|returns|exchanges))?", path)
        if not m or m.group(1) not in self.orders:
            return 404, {"error": "no such order"}
        order = self.orders[m.group(1)]
        action = m.group(2)
        if action is None:
            return 200, order
        if action in ("cancel", "shipping-address") and order["status"] not in ("pending", "processed"):
            return 409, {"error": f"order is {order['status']}"}
        changed = copy.deepcopy(order)
        if action == "cancel":
            changed["status"] = "cancelled"
        elif action == "shipping-address":
            changed["shipping_address"] = body["shipping_address"]
        elif action == "returns":
            changed["status"] = "return requested"
            changed.setdefault("requests", []).append({"type": "return", **body})
        else:
            changed["status"] = "exchange requested"
            changed.setdefault("requests", []).append({"type": "exchange", **body})
        self.orders[order["id"]] = changed
        self.seen_keys[key] = changed
        return 200, changed

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def service():
    s = StoreService()
    yield s
    s.close()


@pytest.fixture()
def orders(service):
    system = get_order_system("http", options={"base_url": service.url, "token": TOKEN, "timeout": 5})
    yield system
    system.close()


def spec_has(method: str, path: str) -> bool:
    """Is this request one the OpenAPI contract documents?"""
    for template, operations in SPEC["paths"].items():
        pattern = "^/api" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return True
    return False


def test_reads_in_the_documented_shapes(service, orders):
    order = orders.get_order("NW-482913")
    assert order.customer_id == "C-1001" and order.items[0].product_id == "northstar-down-sleeping-bag"
    assert [o.id for o in orders.orders_for("C-1001")] == ["NW-483377", "NW-483120", "NW-482913"]
    assert orders.find_customer_by_email("Maya.Chen@example.com".lower()).id == "C-1001"
    assert orders.find_customer_by_email("nobody@example.com") is None
    assert orders.get_customer("C-1003").vip is True
    with pytest.raises(OrderNotFound):
        orders.get_order("NW-000000")
    assert all(r["headers"]["Authorization"] == f"Bearer {TOKEN}" for r in service.requests)
    assert all(spec_has(r["method"], r["path"]) for r in service.requests)


def test_each_action_sends_its_documented_request(service, orders):
    assert orders.cancel("NW-483377", reason="customer asked", idempotency_key="k-cancel").status == "cancelled"
    moved = orders.change_address("NW-483051", {"address1": "12 Elm Road", "city": "Boston", "zip": "02118"},
                                  idempotency_key="k-address")
    assert moved.shipping_address["city"] == "Boston"
    returned = orders.request_return("NW-482888", ["GP3340-OLV-M"], "no longer wanted", "unused",
                                     photos=["http://x/p.jpg"], idempotency_key="k-return")
    assert returned.status == "return requested"
    exchanged = orders.request_exchange("NW-482205", "GP2214-CHR-M", "GP2214-CHR-L", {"size": "L"},
                                        idempotency_key="k-exchange")
    assert exchanged.status == "exchange requested"
    writes = [r for r in service.requests if r["method"] != "GET"]
    assert [(r["method"], r["path"]) for r in writes] == [
        ("POST", "/api/orders/NW-483377/cancel"), ("PUT", "/api/orders/NW-483051/shipping-address"),
        ("POST", "/api/orders/NW-482888/returns"), ("POST", "/api/orders/NW-482205/exchanges")]
    assert [r["headers"]["Idempotency-Key"] for r in writes] == ["k-cancel", "k-address", "k-return", "k-exchange"]
    assert writes[1]["body"] == {"shipping_address": {"address1": "12 Elm Road", "city": "Boston", "zip": "02118"}}
    assert writes[2]["body"] == {"items": ["GP3340-OLV-M"], "reason": "no longer wanted", "condition": "unused",
                                 "photos": ["http://x/p.jpg"]}
    assert writes[3]["body"]["wanted_sku"] == "GP2214-CHR-L"
    assert all(spec_has(r["method"], r["path"]) for r in writes)


def test_a_refusal_is_an_action_refused_with_the_services_words(orders):
    with pytest.raises(ActionRefused, match="order is shipped"):
        orders.cancel("NW-483120", idempotency_key="k1")


def test_an_unreachable_service_names_the_setting():
    dead = get_order_system("http", options={"base_url": f"http://127.0.0.1:{free_port()}", "timeout": 1})
    with pytest.raises(OrderError, match="base_url"):
        dead.get_order("NW-482913")
    with pytest.raises(OrderError, match="base_url"):
        get_order_system("http", options={})


def test_the_desk_cancels_once_through_the_service(service, orders, order_detector, catalog_products, tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    desk = OrderDesk(orders, store, policy=OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml"),
                     detector=order_detector, products=catalog_products)
    chat = Chat(desk, "C-1001")
    chat.say("please cancel NW-483377")
    pending = dict(chat.state)
    chat.say("yes")
    chat.state = pending
    chat.say("yes")                                             # a replayed yes
    cancels = [r for r in service.requests if r["path"].endswith("/cancel")]
    assert len(cancels) == 1
    [event] = [e for e in store.events(chat.session_id) if e.type == "order_action"]
    assert cancels[0]["headers"]["Idempotency-Key"] == event.data["idempotency_key"]
    assert service.orders["NW-483377"]["status"] == "cancelled"


def test_when_the_service_is_down_nothing_changes_and_the_yes_can_be_given_again(service, orders, order_detector,
                                                                                  catalog_products, tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    desk = OrderDesk(orders, store, policy=OrdersPolicy.load(PROJECT_ROOT / "knowledge" / "orders.yaml"),
                     detector=order_detector, products=catalog_products)
    chat = Chat(desk, "C-1001")
    chat.say("please cancel NW-483377")
    service.close()                                        # the store's service goes away
    down = chat.say("yes")
    assert "isn't answering" in down.text and "nothing was changed" in down.text
    assert chat.state["pending"] is not None               # still waiting for the same yes
    assert desk.tables.actions(chat.session_id) == []      # the key was given back
    assert [e for e in store.events(chat.session_id) if e.type == "order_action"] == []
