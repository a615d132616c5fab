"""The ``local`` order system: customers and orders kept in the session database.

For the demo store and for stores without an order API. ``import_orders(path, sessions)`` loads
the documented JSON format (docs/orders.md):

``{"customers": [{"id", "name", "email", "zip"?, "vip"?}], "orders": [{"id", "customer_id",
"status", "created_at", "currency", "items": [{"sku"?, "product_id"?, "name", "quantity",
"price", "options"?}], "total", "shipping_address": {}, "tracking": [{"carrier", "number",
"url"?}], "email"?, "delivered_at"?}]}``

A bad row is an error that names the file, the row and the field; nothing is written then.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.errors import CatalogError
from assistant.orders.model import ActionRefused, Customer, Order, OrderNotFound
from assistant.storage.orders import OrderTables
from assistant.storage.sessions import SessionStore
from assistant.knowledge.files import read_store_file


def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_orders_file(path: Path | str) -> tuple[list[Customer], list[Order]]:
    """Parse and check an orders file; raises CatalogError naming the file and the bad row."""
    path = Path(path)
    return parse_orders(read_store_file(path, "orders file", fmt="json"), str(path))


def parse_orders(raw: Any, where: str) -> tuple[list[Customer], list[Order]]:
    """Check orders data in the import format (a file's content, or an eval's inline fixture);
    ``where`` names it in the CatalogError a bad row raises. Each order's email defaults to its
    customer's."""
    if not isinstance(raw, dict) or not isinstance(raw.get("orders"), list):
        raise CatalogError(f"{where}: expected an object with 'customers' and 'orders' lists")
    customers: list[Customer] = []
    for index, item in enumerate(raw.get("customers") or []):
        try:
            customer = Customer.from_dict(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"{where}: customers[{index}]: {exc!r} (needs id, name, email)") from None
        if "@" not in customer.email:
            raise CatalogError(f"{where}: customers[{index}] ({customer.id}): 'email' is not an email address")
        customers.append(customer)
    by_id = {c.id: c for c in customers}
    orders: list[Order] = []
    for index, item in enumerate(raw["orders"]):
        try:
            order = Order.from_dict(item)
        except KeyError as exc:
            raise CatalogError(f"{where}: orders[{index}]: missing field {exc}") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"{where}: orders[{index}]: {exc}") from None
        if order.customer_id not in by_id:
            raise CatalogError(f"{where}: orders[{index}] ({order.id}): customer_id {order.customer_id!r} "
                               "is not in 'customers'")
        order.email = order.email or by_id[order.customer_id].email
        orders.append(order)
    ids = [o.id for o in orders]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{where}: duplicate order id {next(i for i in ids if ids.count(i) > 1)!r}")
    return customers, orders


def store_orders(customers: list[Customer], orders: list[Order], sessions: SessionStore) -> tuple[int, int]:
    """Write checked customers and orders into the session database; returns (customers, orders)."""
    return OrderTables(sessions).upsert([c.to_dict() for c in customers], [o.to_dict() for o in orders])


def import_orders(path: Path | str, sessions: SessionStore) -> tuple[int, int]:
    """Load an orders file into the session database; returns (customers, orders) written."""
    return store_orders(*read_orders_file(path), sessions)


class LocalOrders:
    """``OrderSystem`` over the session database's order tables."""

    name = "local"

    def __init__(self, sessions: SessionStore, **_options: Any):
        self.tables = OrderTables(sessions)

    def get_customer(self, customer_id: str) -> Customer:
        data = self.tables.customer(customer_id)
        if data is None:
            raise OrderNotFound(f"no customer {customer_id!r}")
        return Customer.from_dict(data)

    def find_customer_by_email(self, email: str) -> Customer | None:
        data = self.tables.customer_by_email(email)
        return Customer.from_dict(data) if data else None

    def customers(self) -> list[Customer]:
        """Every customer, by id: what a demo lets its user sign in as (not part of OrderSystem)."""
        return [Customer.from_dict(d) for d in self.tables.customers()]

    def orders_for(self, customer_id: str) -> list[Order]:
        return [Order.from_dict(d) for d in self.tables.orders_for(customer_id)]

    def get_order(self, order_id: str) -> Order:
        data = self.tables.order(order_id)
        if data is None:
            raise OrderNotFound(f"no order {order_id!r}")
        return Order.from_dict(data)

    def _change(self, order_id: str, change) -> Order:
        data = self.tables.update_order(order_id, change)
        if data is None:
            raise OrderNotFound(f"no order {order_id!r}")
        return Order.from_dict(data)

    @staticmethod
    def _before_dispatch(data: dict[str, Any], what: str) -> None:
        order = Order.from_dict(data)
        if order.dispatched or order.status == "cancelled":
            raise ActionRefused(f"order {order.id} is {order.status}; it can no longer be {what}")

    def cancel(self, order_id: str, reason: str = "", idempotency_key: str | None = None) -> Order:
        def change(data: dict[str, Any]) -> None:
            self._before_dispatch(data, "cancelled")
            data["status"] = "cancelled"
            data.setdefault("requests", []).append({"type": "cancel", "reason": reason, "at": _stamp(),
                                                    "idempotency_key": idempotency_key})
        return self._change(order_id, change)

    def change_address(self, order_id: str, address: dict[str, str],
                       idempotency_key: str | None = None) -> Order:
        def change(data: dict[str, Any]) -> None:
            self._before_dispatch(data, "re-addressed")
            data["shipping_address"] = dict(address)
        return self._change(order_id, change)

    def request_return(self, order_id: str, items: list[str], reason: str, condition: str,
                       photos: list[str] | None = None, idempotency_key: str | None = None) -> Order:
        def change(data: dict[str, Any]) -> None:
            if data["status"] not in ("delivered", "return requested", "exchange requested"):
                raise ActionRefused(f"order {order_id} is {data['status']}; only a delivered order can be returned")
            data["status"] = "return requested"
            data.setdefault("requests", []).append({
                "type": "return", "items": list(items), "reason": reason, "condition": condition,
                "photos": list(photos or []), "at": _stamp(), "idempotency_key": idempotency_key})
        return self._change(order_id, change)

    def request_exchange(self, order_id: str, item: str, wanted_sku: str, wanted_options: dict[str, str],
                         reason: str = "", idempotency_key: str | None = None) -> Order:
        def change(data: dict[str, Any]) -> None:
            if data["status"] not in ("delivered", "exchange requested"):
                raise ActionRefused(f"order {order_id} is {data['status']}; only a delivered order can be exchanged")
            data["status"] = "exchange requested"
            data.setdefault("requests", []).append({
                "type": "exchange", "item": item, "wanted_sku": wanted_sku, "wanted_options": dict(wanted_options),
                "reason": reason, "at": _stamp(), "idempotency_key": idempotency_key})
        return self._change(order_id, change)

