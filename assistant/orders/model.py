"""What an order system tells the assistant: customers, orders, their items and tracking.

Every connector (local, shopify, http) speaks ``OrderSystem`` and returns these dataclasses, so
the flows never see a platform's own shapes. ``Order.to_dict`` is the documented JSON form (the
``assistant orders import`` format and what ``assistant orders show ID --json`` prints).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol, runtime_checkable

from assistant.errors import AssistantError, NotFound

STATUSES = ("pending", "processed", "shipped", "delivered", "cancelled", "return requested",
            "exchange requested")
# Once an order has left the warehouse it can no longer be cancelled or re-addressed.
DISPATCHED = ("shipped", "delivered", "return requested", "exchange requested")


class OrderError(AssistantError):
    """The order system refused or failed a request; the message is safe to show an operator."""

    status_code = 502


class OrderNotFound(NotFound):
    """No such order or customer (also what another customer's order looks like to a shopper)."""


class ActionRefused(OrderError):
    """The order system would not apply an action (e.g. the order shipped meanwhile)."""

    status_code = 409


class UnknownConnector(AssistantError):
    status_code = 400


def parse_time(value: Any) -> datetime | None:
    """ISO-8601 text (a trailing Z allowed) to an aware datetime; naive times are read as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class Customer:
    id: str
    name: str
    email: str
    zip: str | None = None
    vip: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Customer":
        return cls(id=str(data["id"]), name=str(data.get("name") or ""), email=str(data.get("email") or ""),
                   zip=str(data["zip"]) if data.get("zip") not in (None, "") else None,
                   vip=bool(data.get("vip", False)))


@dataclass
class OrderItem:
    name: str
    quantity: int
    price: float
    sku: str | None = None
    product_id: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    ref: str | None = None          # the order system's own line id (Shopify fulfillment line item)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "OrderItem":
        return cls(name=str(data["name"]), quantity=int(data.get("quantity", 1)), price=float(data["price"]),
                   sku=data.get("sku"), product_id=data.get("product_id"),
                   options={str(k).lower(): str(v) for k, v in (data.get("options") or {}).items()},
                   ref=data.get("ref"))


@dataclass
class Tracking:
    carrier: str
    number: str
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Tracking":
        return cls(carrier=str(data["carrier"]), number=str(data["number"]), url=data.get("url"))


@dataclass
class Order:
    id: str                                   # the store's order number, e.g. NW-482913
    customer_id: str
    status: str
    created_at: str
    currency: str
    items: list[OrderItem]
    total: float
    shipping_address: dict[str, str] = field(default_factory=dict)
    tracking: list[Tracking] = field(default_factory=list)
    email: str | None = None                  # the email the order was placed with
    delivered_at: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)   # returns/exchanges asked for
    ref: str | None = None                    # the order system's own id (Shopify gid)

    @property
    def dispatched(self) -> bool:
        return self.status in DISPATCHED

    @property
    def zip(self) -> str | None:
        return self.shipping_address.get("zip") or None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Order":
        status = str(data["status"]).lower().replace("_", " ")
        if status not in STATUSES:
            raise ValueError(f"order {data.get('id')}: unknown status {data['status']!r}; known: {', '.join(STATUSES)}")
        items = [OrderItem.from_dict(i) for i in data.get("items") or []]
        if not items:
            raise ValueError(f"order {data.get('id')}: needs at least one item")
        parse_time(data["created_at"])     # a bad date is an error at import, not later in a chat
        parse_time(data.get("delivered_at"))
        return cls(id=str(data["id"]), customer_id=str(data["customer_id"]), status=status,
                   created_at=str(data["created_at"]), currency=str(data.get("currency") or "USD"),
                   items=items, total=float(data.get("total", sum(i.price * i.quantity for i in items))),
                   shipping_address={str(k): str(v) for k, v in (data.get("shipping_address") or {}).items()},
                   tracking=[Tracking.from_dict(t) for t in data.get("tracking") or []],
                   email=data.get("email"), delivered_at=data.get("delivered_at"),
                   requests=list(data.get("requests") or []), ref=data.get("ref"))


@runtime_checkable
class OrderSystem(Protocol):
    """The narrow connector protocol: read customers and orders; each action returns the updated
    order. ``idempotency_key`` lets a system that supports it drop a repeated request."""

    name: str

    def get_customer(self, customer_id: str) -> Customer: ...

    def find_customer_by_email(self, email: str) -> Customer | None: ...

    def orders_for(self, customer_id: str) -> list[Order]: ...          # newest first

    def get_order(self, order_id: str) -> Order: ...

    def cancel(self, order_id: str, reason: str = "", idempotency_key: str | None = None) -> Order: ...

    def change_address(self, order_id: str, address: dict[str, str],
                       idempotency_key: str | None = None) -> Order: ...

    def request_return(self, order_id: str, items: list[str], reason: str, condition: str,
                       photos: list[str] | None = None, idempotency_key: str | None = None) -> Order: ...

    def request_exchange(self, order_id: str, item: str, wanted_sku: str, wanted_options: dict[str, str],
                         reason: str = "", idempotency_key: str | None = None) -> Order: ...
