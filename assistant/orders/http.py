"""The ``http`` order system: a store's own REST service, by the contract in docs/orders-api.yaml.

Orders and customers travel in the same JSON shapes as the ``assistant orders import`` file
(``Order.to_dict``). Every write carries an ``Idempotency-Key`` header, so the service can drop
a repeat. 404 means no such order or customer; 409 or 422 means the service refused the action
(its ``error`` text is kept); anything else (5xx, a timeout, no answer) is an OrderError that
names the URL and the setting to check.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from assistant.orders.model import ActionRefused, Customer, Order, OrderError, OrderNotFound


class HttpOrders:
    name = "http"

    def __init__(self, base_url: str = "", token: str | None = None, timeout: float = 10.0, **_ignored: Any):
        if not base_url:
            raise OrderError("the http order system needs a base_url (ASSISTANT_ORDERS__OPTIONS='{\"base_url\": ...}')")
        self.base_url = base_url.rstrip("/")
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self.client.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, params: dict[str, str] | None = None,
              idempotency_key: str | None = None) -> Any:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        try:
            response = self.client.request(method, path, json=body, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise OrderError(f"the order service at {self.base_url} did not answer ({type(exc).__name__}); "
                             "check ASSISTANT_ORDERS__OPTIONS base_url") from None
        if response.status_code == 404:
            raise OrderNotFound(f"the order service has no {path}")
        if response.status_code in (409, 422):
            raise ActionRefused(_error_text(response) or f"the order service refused {method} {path}")
        if not response.is_success:
            raise OrderError(f"the order service answered {response.status_code} to {method} {path}: "
                             f"{_error_text(response)[:200]}")
        try:
            return response.json()
        except ValueError:
            raise OrderError(f"the order service sent no JSON for {method} {path}") from None

    def _order(self, data: Any) -> Order:
        try:
            return Order.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise OrderError(f"the order service sent an order this assistant cannot read: {exc}") from None

    # -- reads ------------------------------------------------------------------------------
    def get_customer(self, customer_id: str) -> Customer:
        return Customer.from_dict(self._call("GET", f"/customers/{quote(customer_id, safe='')}"))

    def find_customer_by_email(self, email: str) -> Customer | None:
        found = self._call("GET", "/customers", params={"email": email}).get("customers") or []
        return Customer.from_dict(found[0]) if found else None

    def orders_for(self, customer_id: str) -> list[Order]:
        data = self._call("GET", f"/customers/{quote(customer_id, safe='')}/orders")
        orders = [self._order(o) for o in data.get("orders") or []]
        return sorted(orders, key=lambda o: o.created_at, reverse=True)

    def get_order(self, order_id: str) -> Order:
        return self._order(self._call("GET", f"/orders/{quote(order_id, safe='')}"))

    # -- actions ----------------------------------------------------------------------------
    def cancel(self, order_id: str, reason: str = "", idempotency_key: str | None = None) -> Order:
        return self._order(self._call("POST", f"/orders/{quote(order_id, safe='')}/cancel", {"reason": reason},
                                      idempotency_key=idempotency_key))

    def change_address(self, order_id: str, address: dict[str, str], idempotency_key: str | None = None) -> Order:
        return self._order(self._call("PUT", f"/orders/{quote(order_id, safe='')}/shipping-address",
                                      {"shipping_address": address}, idempotency_key=idempotency_key))

    def request_return(self, order_id: str, items: list[str], reason: str, condition: str,
                       photos: list[str] | None = None, idempotency_key: str | None = None) -> Order:
        body = {"items": items, "reason": reason, "condition": condition, "photos": list(photos or [])}
        return self._order(self._call("POST", f"/orders/{quote(order_id, safe='')}/returns", body,
                                      idempotency_key=idempotency_key))

    def request_exchange(self, order_id: str, item: str, wanted_sku: str, wanted_options: dict[str, str],
                         reason: str = "", idempotency_key: str | None = None) -> Order:
        body = {"item": item, "wanted_sku": wanted_sku, "wanted_options": wanted_options, "reason": reason}
        return self._order(self._call("POST", f"/orders/{quote(order_id, safe='')}/exchanges", body,
                                      idempotency_key=idempotency_key))


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text
    return str(data.get("error") or data.get("message") or "") if isinstance(data, dict) else str(data)
