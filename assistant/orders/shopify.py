"""The ``shopify`` order system: the Shopify GraphQL Admin API.

Shopify made its REST Admin API legacy in October 2024, so this speaks GraphQL only: one POST
to ``https://{shop}/admin/api/{api_version}/graphql.json`` with ``X-Shopify-Access-Token``.

  read     ``orders(query: "name:NW-482913")``, ``customer(id:)``, ``customers(query: "email:...")``,
           ``orders(query: "customer_id:...")``
  cancel   ``orderCancel`` (reason CUSTOMER, refund to the original payment methods, restock,
           notify the customer); Shopify cancels in a background job, so the order is read
           again afterwards and may still show its old status for a moment
  address  ``orderUpdate`` with a new ``shippingAddress``
  return   ``returnRequest`` (the merchant approves or declines it in Shopify); the fulfilled
           line items come from the order's fulfillments; photo links go in the customer note
  exchange ``returnCreate`` with ``exchangeLineItems`` (the new variant, found by SKU)

Status: cancelled when ``cancelledAt`` is set; an open return is "exchange requested" when it has
exchange line items, else "return requested"; delivered when a fulfillment shows DELIVERED;
shipped once anything is fulfilled; processed while fulfilment is in progress; else pending.
The order's ``name`` (the number the shopper sees, e.g. NW-482913 with an "NW-" prefix set in
Shopify, or #1001) is the order id here.
"""
from __future__ import annotations

from typing import Any

import httpx

from assistant.orders.model import ActionRefused, Customer, Order, OrderError, OrderItem, OrderNotFound, Tracking

DEFAULT_API_VERSION = "2025-10"
_ORDER_FIELDS = """
  id name email createdAt cancelledAt displayFulfillmentStatus currencyCode
  totalPriceSet { shopMoney { amount currencyCode } }
  customer { id }
  shippingAddress { name address1 address2 city provinceCode zip countryCodeV2 }
  lineItems(first: 50) { nodes { id name sku quantity product { handle }
    variant { id selectedOptions { name value } } originalUnitPriceSet { shopMoney { amount } } } }
  fulfillments(first: 10) { displayStatus deliveredAt trackingInfo { company number url }
    fulfillmentLineItems(first: 50) { nodes { id quantity lineItem { id } } } }
  returns(first: 10) { nodes { id status exchangeLineItems(first: 5) { nodes { id } } } }
"""
ORDER_BY_NAME = "query OrderByName($query: String!) { orders(first: 1, query: $query) { nodes {" + _ORDER_FIELDS + "} } }"
ORDERS_OF_CUSTOMER = ("query CustomerOrders($query: String!) { orders(first: 25, query: $query, sortKey: CREATED_AT, "
                      "reverse: true) { nodes {" + _ORDER_FIELDS + "} } }")
CUSTOMER = ("query Customer($id: ID!) { customer(id: $id) { id displayName email tags "
            "defaultAddress { zip } } }")
CUSTOMER_BY_EMAIL = ("query CustomerByEmail($query: String!) { customers(first: 1, query: $query) { nodes { id "
                     "displayName email tags defaultAddress { zip } } } }")
ORDER_CANCEL = ("mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $refundMethod: "
                "OrderCancelRefundMethodInput!, $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) { "
                "orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: $restock, "
                "notifyCustomer: $notifyCustomer, staffNote: $staffNote) { job { id done } "
                "orderCancelUserErrors { field message code } } }")
ORDER_UPDATE = ("mutation OrderUpdate($input: OrderInput!) { orderUpdate(input: $input) { order { id } "
                "userErrors { field message } } }")
RETURN_REQUEST = ("mutation ReturnRequest($input: ReturnRequestInput!) { returnRequest(input: $input) { "
                  "return { id status } userErrors { field message } } }")
VARIANT_BY_SKU = ("query VariantBySku($query: String!) { productVariants(first: 1, query: $query) { nodes { id sku } } }")
RETURN_CREATE = ("mutation ReturnCreate($returnInput: ReturnInput!) { returnCreate(returnInput: $returnInput) { "
                 "return { id status } userErrors { field message } } }")


def _tail(gid: str | None) -> str:
    return (gid or "").rsplit("/", 1)[-1]


def _gid(kind: str, value: str) -> str:
    return value if value.startswith("gid://") else f"gid://shopify/{kind}/{value}"


def order_status(node: dict[str, Any]) -> str:
    if node.get("cancelledAt"):
        return "cancelled"
    returns = [r for r in (node.get("returns") or {}).get("nodes", []) if r.get("status") in ("REQUESTED", "OPEN")]
    if returns:
        exchange = any((r.get("exchangeLineItems") or {}).get("nodes") for r in returns)
        return "exchange requested" if exchange else "return requested"
    fulfillments = node.get("fulfillments") or []
    if any(f.get("displayStatus") == "DELIVERED" for f in fulfillments):
        return "delivered"
    if fulfillments or node.get("displayFulfillmentStatus") in ("FULFILLED", "PARTIALLY_FULFILLED"):
        return "shipped"
    if node.get("displayFulfillmentStatus") in ("IN_PROGRESS", "PENDING_FULFILLMENT", "SCHEDULED"):
        return "processed"
    return "pending"


def to_order(node: dict[str, Any]) -> Order:
    """A Shopify ``Order`` node (the fields in ``_ORDER_FIELDS``) as the assistant's Order."""
    fulfilled: dict[str, str] = {}     # line item id -> fulfillment line item id (what returns name)
    tracking: list[Tracking] = []
    delivered = None
    for f in node.get("fulfillments") or []:
        for fl in (f.get("fulfillmentLineItems") or {}).get("nodes", []):
            fulfilled[fl["lineItem"]["id"]] = fl["id"]
        tracking += [Tracking(t.get("company") or "carrier", t["number"], t.get("url"))
                     for t in f.get("trackingInfo") or [] if t.get("number")]
        delivered = f.get("deliveredAt") or delivered
    items = []
    for line in (node.get("lineItems") or {}).get("nodes", []):
        variant = line.get("variant") or {}
        options = {o["name"].lower(): o["value"] for o in variant.get("selectedOptions") or []
                   if o.get("name") != "Title"}
        items.append(OrderItem(name=line["name"], quantity=int(line["quantity"]),
                               price=float(line["originalUnitPriceSet"]["shopMoney"]["amount"]), sku=line.get("sku"),
                               product_id=(line.get("product") or {}).get("handle"), options=options,
                               ref=fulfilled.get(line["id"])))
    address = node.get("shippingAddress") or {}
    money = node["totalPriceSet"]["shopMoney"]
    return Order(id=node["name"],
                 customer_id=_tail((node.get("customer") or {}).get("id")), status=order_status(node),
                 created_at=node["createdAt"], currency=money.get("currencyCode") or node.get("currencyCode", "USD"),
                 items=items, total=float(money["amount"]),
                 shipping_address={k: str(v) for k, v in {
                     "name": address.get("name"), "address1": address.get("address1"),
                     "address2": address.get("address2"), "city": address.get("city"),
                     "province": address.get("provinceCode"), "zip": address.get("zip"),
                     "country": address.get("countryCodeV2")}.items() if v},
                 tracking=tracking, email=node.get("email"), delivered_at=delivered, ref=node["id"])


def _customer(node: dict[str, Any]) -> Customer:
    return Customer(id=_tail(node["id"]), name=node.get("displayName") or "", email=node.get("email") or "",
                    zip=(node.get("defaultAddress") or {}).get("zip"), vip="VIP" in [t.upper() for t in node.get("tags") or []])


class ShopifyOrders:
    name = "shopify"

    def __init__(self, shop: str = "", access_token: str = "", api_version: str = DEFAULT_API_VERSION,
                 base_url: str | None = None, timeout: float = 10.0, **_ignored: Any):
        if not (shop or base_url) or not access_token:
            raise OrderError("the shopify order system needs shop and access_token (ASSISTANT_ORDERS__OPTIONS)")
        root = (base_url or f"https://{shop}").rstrip("/")
        self.endpoint = f"{root}/admin/api/{api_version}/graphql.json"
        self.client = httpx.Client(timeout=timeout, headers={"X-Shopify-Access-Token": access_token,
                                                             "Content-Type": "application/json"})

    def close(self) -> None:
        self.client.close()

    def _graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.post(self.endpoint, json={"query": query, "variables": variables})
        except httpx.HTTPError as exc:
            raise OrderError(f"Shopify did not answer at {self.endpoint} ({type(exc).__name__})") from None
        if response.status_code in (401, 403):
            raise OrderError(f"Shopify refused the access token ({response.status_code}); check access_token "
                             "and its read_orders/write_orders/write_returns scopes")
        if not response.is_success:
            raise OrderError(f"Shopify answered {response.status_code}: {response.text[:200]}")
        body = response.json()
        if body.get("errors"):
            raise OrderError(f"Shopify GraphQL error: {body['errors'][0].get('message')}")
        return body["data"]

    @staticmethod
    def _user_errors(payload: dict[str, Any], *keys: str) -> None:
        for key in keys:
            errors = payload.get(key) or []
            if errors:
                raise ActionRefused("Shopify refused: " + "; ".join(e.get("message", "") for e in errors))

    # -- reads ------------------------------------------------------------------------------
    def get_order(self, order_id: str) -> Order:
        name = f"#{order_id}" if order_id.isdigit() else order_id     # "#1001" when the store keeps "#"
        nodes = self._graphql(ORDER_BY_NAME, {"query": f"name:{name}"})["orders"]["nodes"]
        if not nodes:
            raise OrderNotFound(f"no Shopify order named {order_id!r}")
        return to_order(nodes[0])

    def orders_for(self, customer_id: str) -> list[Order]:
        nodes = self._graphql(ORDERS_OF_CUSTOMER, {"query": f"customer_id:{_tail(customer_id)}"})["orders"]["nodes"]
        return [to_order(n) for n in nodes]

    def get_customer(self, customer_id: str) -> Customer:
        node = self._graphql(CUSTOMER, {"id": _gid("Customer", customer_id)})["customer"]
        if node is None:
            raise OrderNotFound(f"no Shopify customer {customer_id!r}")
        return _customer(node)

    def find_customer_by_email(self, email: str) -> Customer | None:
        nodes = self._graphql(CUSTOMER_BY_EMAIL, {"query": f"email:{email}"})["customers"]["nodes"]
        return _customer(nodes[0]) if nodes else None

    # -- actions ----------------------------------------------------------------------------
    def cancel(self, order_id: str, reason: str = "", idempotency_key: str | None = None) -> Order:
        order = self.get_order(order_id)
        payload = self._graphql(ORDER_CANCEL, {
            "orderId": order.ref, "reason": "CUSTOMER", "refundMethod": {"originalPaymentMethodsRefund": True},
            "restock": True, "notifyCustomer": True,
            "staffNote": f"{reason} (assistant request {idempotency_key})"[:255]})["orderCancel"]
        self._user_errors(payload, "orderCancelUserErrors")
        return self.get_order(order_id)

    def change_address(self, order_id: str, address: dict[str, str], idempotency_key: str | None = None) -> Order:
        order = self.get_order(order_id)
        mailing = {k: v for k, v in {"address1": address.get("address1"), "address2": address.get("address2"),
                                     "city": address.get("city"), "provinceCode": address.get("province"),
                                     "zip": address.get("zip"), "countryCode": address.get("country")}.items() if v}
        payload = self._graphql(ORDER_UPDATE, {"input": {"id": order.ref, "shippingAddress": mailing}})["orderUpdate"]
        self._user_errors(payload, "userErrors")
        return self.get_order(order_id)

    def _fulfilled_line(self, order: Order, item: str) -> OrderItem:
        line = next((i for i in order.items if item in (i.sku, i.product_id, i.name)), None)
        if line is None or not line.ref:
            raise ActionRefused(f"{item} is not a fulfilled item of order {order.id}")
        return line

    def request_return(self, order_id: str, items: list[str], reason: str, condition: str,
                       photos: list[str] | None = None, idempotency_key: str | None = None) -> Order:
        order = self.get_order(order_id)
        note = (f"{reason}. Photos: {' '.join(photos)}" if photos else reason)[:255]
        lines = [{"fulfillmentLineItemId": self._fulfilled_line(order, i).ref,
                  "quantity": self._fulfilled_line(order, i).quantity,
                  "returnReason": "DEFECTIVE" if condition == "damaged" else "UNWANTED", "customerNote": note}
                 for i in items]
        payload = self._graphql(RETURN_REQUEST, {"input": {"orderId": order.ref, "returnLineItems": lines}})
        self._user_errors(payload["returnRequest"], "userErrors")
        return self.get_order(order_id)

    def request_exchange(self, order_id: str, item: str, wanted_sku: str, wanted_options: dict[str, str],
                         reason: str = "", idempotency_key: str | None = None) -> Order:
        order = self.get_order(order_id)
        line = self._fulfilled_line(order, item)
        variants = self._graphql(VARIANT_BY_SKU, {"query": f"sku:{wanted_sku}"})["productVariants"]["nodes"]
        if not variants:
            raise ActionRefused(f"Shopify has no variant with SKU {wanted_sku}")
        changed = {k: v for k, v in wanted_options.items() if line.options.get(k) != v}
        return_line = {"fulfillmentLineItemId": line.ref, "quantity": line.quantity,
                       "returnReason": "COLOR" if set(changed) == {"color"} else "OTHER"}
        if return_line["returnReason"] == "OTHER":      # Shopify wants a note with OTHER
            wanted = ", ".join(f"{k} {v}" for k, v in changed.items()) or wanted_sku
            return_line["returnReasonNote"] = f"exchange for {wanted}"[:255]
        payload = self._graphql(RETURN_CREATE, {"returnInput": {
            "orderId": order.ref, "returnLineItems": [return_line],
            "exchangeLineItems": [{"variantId": variants[0]["id"], "quantity": line.quantity}]}})
        self._user_errors(payload["returnCreate"], "userErrors")
        return self.get_order(order_id)
