"""The widget's demo store page (``/demo``), optionally as a signed-in demo customer.

On a real store the store's own server signs the logged-in shopper's id (``sign_customer``, an
HMAC with the shared secret) and writes it into the widget's config. This page does the same,
server-side, for the demo customers (development only, see ``demo_shoppers``): the widget never
chooses an identity, and a page cannot claim a customer without the secret.
"""
from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

from assistant.errors import InvalidInput
from assistant.web.security import sign_customer

if TYPE_CHECKING:  # pragma: no cover
    from assistant.orders.model import Customer
    from assistant.settings import Settings

GUEST = "Guest (not signed in)"


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no "</script>" or "<!--" can close it)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def signed_customer(settings: "Settings", shoppers: list["Customer"], customer_id: str | None) -> dict | None:
    """The widget's ``customer`` config for a demo customer: id and signature; None for a guest."""
    if not customer_id:
        return None
    if not shoppers:
        raise InvalidInput("signing in on the demo page needs the development environment and an order system "
                           "that lists its customers", limit="demo_customer")
    if customer_id not in {c.id for c in shoppers}:
        raise InvalidInput(f"{customer_id!r} is not a demo customer; known: {', '.join(c.id for c in shoppers)}",
                           limit="demo_customer")
    return {"id": customer_id, "signature": sign_customer(settings.http.secret_key, customer_id)}


def sign_in_form(shoppers: list["Customer"], customer_id: str | None) -> str:
    """The "Signed in as" picker: a plain GET form, so each pick is a fresh page load (and the
    widget, keyed by customer, a fresh conversation). Empty when there is no one to sign in as."""
    if not shoppers:
        return ""
    options = [(GUEST, "")] + [(f"{c.name} ({c.id})", c.id) for c in shoppers]
    rendered = "".join(f'<option value="{html.escape(value)}"{" selected" if value == (customer_id or "") else ""}>'
                       f"{html.escape(label)}</option>" for label, value in options)
    return ('<form class="signin" method="get" action="/demo"><label>Signed in as '
            '<select name="customer" data-testid="demo-customer" onchange="this.form.submit()">'
            f"{rendered}</select></label><noscript><button>Sign in</button></noscript></form>")


def render_demo(template: str, settings: "Settings", shoppers: list["Customer"], customer_id: str | None) -> str:
    customer = signed_customer(settings, shoppers, customer_id)
    return (template.replace("{{store_name}}", html.escape(settings.store_name))
            .replace("{{sign_in}}", sign_in_form(shoppers, customer_id))
            .replace("{{customer_json}}", _script_json(customer)))
