"""Wiring the order room from the settings: the configured order system, the demo orders on
first start, and an ``OrderDesk`` the conversation manager can call."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from assistant.orders import configured_order_system
from assistant.orders.local import import_orders
from assistant.orders.policy import OrdersPolicy
from assistant.storage.orders import OrderTables

if TYPE_CHECKING:  # pragma: no cover
    from assistant.handoff.helpdesk import Helpdesk
    from assistant.orders.actions import OrderActionDetector
    from assistant.orders.flows import OrderDesk
    from assistant.orders.model import Customer
    from assistant.settings import Settings
    from assistant.storage.sessions import SessionStore

log = logging.getLogger(__name__)


def ensure_orders_imported(settings: "Settings", sessions: "SessionStore | None" = None) -> int:
    """First start of a local order system: import the demo orders file from the knowledge dir
    when the database holds no orders yet. Returns how many orders were imported (0: none)."""
    if settings.orders.connector != "local" or not settings.orders.demo_file:
        return 0
    path = settings.knowledge_dir / settings.orders.demo_file
    if not path.is_file():
        return 0
    if sessions is None:
        from assistant.storage.sessions import SessionStore

        sessions = SessionStore(settings.sessions_url)
    if OrderTables(sessions).count():
        return 0
    _, orders = import_orders(path, sessions)
    log.info("imported %d demo orders from %s", orders, path)
    return orders


def demo_shoppers(settings: "Settings", orders: Any) -> list["Customer"]:
    """The customers a demo front door may sign in as ("Signed in as" in the Gradio chat and on
    the widget's demo page): the order system's own list, in development only. A real store's
    shoppers sign in on its site, which passes their signed identity; a connector that cannot
    list customers (Shopify, http) offers none, and the pickers are hidden."""
    listing = getattr(orders, "customers", None)
    if settings.http.environment != "development" or not callable(listing):
        return []
    return list(listing())


def build_order_desk(settings: "Settings", sessions: "SessionStore", products: dict[str, Any] | None = None,
                     helpdesk: "Helpdesk | None" = None, encoder: Any = None,
                     detector: "OrderActionDetector | None" = None) -> "OrderDesk":
    """The order desk over the configured order system and ``knowledge/orders.yaml`` (validated
    here, so a bad file stops the start with an error naming the field). ``detector``: one
    already built (its examples embedded), for a second desk over other orders."""
    from assistant.orders.actions import OrderActionDetector
    from assistant.orders.flows import OrderDesk

    ensure_orders_imported(settings, sessions)
    return OrderDesk(configured_order_system(settings, sessions), sessions,
                     policy=OrdersPolicy.for_knowledge(settings.knowledge_dir),
                     detector=detector or OrderActionDetector(encoder=encoder, settings=settings),
                     products=products, helpdesk=helpdesk, public_url=settings.helpdesk.public_url,
                     order_id_pattern=settings.order_id_pattern,
                     messages_dir=settings.prompts_dir / "messages")
