"""Order systems by name: ``get_order_system("local", sessions=...)``; an unknown name lists the
known ones. Adapters are imported lazily, so a store on the local system never loads httpx paths
it does not use."""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from assistant.orders.model import (STATUSES, ActionRefused, Customer, Order, OrderError, OrderItem, OrderNotFound,
                                    OrderSystem, Tracking, UnknownConnector)

if TYPE_CHECKING:  # pragma: no cover
    from assistant.settings import Settings
    from assistant.storage.sessions import SessionStore

# name -> "module:Class"
_REGISTRY: dict[str, str] = {
    "http": "assistant.orders.http:HttpOrders",
    "local": "assistant.orders.local:LocalOrders",
    "shopify": "assistant.orders.shopify:ShopifyOrders",
}


def register(name: str, target: str) -> None:
    _REGISTRY[name] = target


def connector_names() -> list[str]:
    return sorted(_REGISTRY)


def connector_class(name: str) -> type:
    if name not in _REGISTRY:
        raise UnknownConnector(f"unknown order system {name!r}; known order systems: {', '.join(connector_names())}")
    module, _, cls = _REGISTRY[name].partition(":")
    return getattr(import_module(module), cls)


def get_order_system(name: str, sessions: "SessionStore | None" = None,
                     options: dict[str, Any] | None = None) -> OrderSystem:
    """Build a connector; ``local`` needs the session store, the others their ``options``."""
    cls = connector_class(name)
    if name == "local":
        if sessions is None:
            raise UnknownConnector("the local order system needs the session store")
        return cls(sessions, **(options or {}))
    return cls(**(options or {}))


def configured_order_system(settings: "Settings", sessions: "SessionStore") -> OrderSystem:
    return get_order_system(settings.orders.connector, sessions=sessions, options=settings.orders.options)


__all__ = ["STATUSES", "ActionRefused", "Customer", "Order", "OrderError", "OrderItem", "OrderNotFound",
           "OrderSystem", "Tracking", "UnknownConnector", "configured_order_system", "connector_names",
           "get_order_system", "register"]
