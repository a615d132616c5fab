"""Product cards: what a reply about products shows beside its text.

A card is the catalog's own facts about one product - name, price (and the struck-through
was-price of a sale), stock, its photo and a link to the store's page - so a shopper sees the
product, not just reads about it. Cards follow the answer's citations (the products the answer is
about, in the order it names them); the ``products`` reply event carries them to every front door.
Images are served by the app (``/api/v1/products/{id}/image``), so catalogs whose photos are local
files work in any browser.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from assistant.knowledge.catalog import Product

IMAGE_ROUTE = "/api/v1/products/{id}/image"
MAX_CARDS = 6


def product_page(product: Product, pattern: str | None) -> str | None:
    """The catalog's ``url``, else the store's pattern filled with the product's id."""
    if product.url:
        return product.url
    if pattern:
        return pattern.format(id=quote(product.id, safe=""))
    return None


def card(product: Product, url_pattern: str | None = None) -> dict[str, Any]:
    """One product as a card (JSON-ready)."""
    low, high = product.price_range()
    return {
        "id": product.id, "name": product.name, "brand": product.brand or None, "category": product.category or None,
        "price": product.price, "price_max": high if high > low else None,
        "compare_at_price": product.was_price(), "currency": product.currency,
        "in_stock": product.in_stock,
        "image": IMAGE_ROUTE.format(id=quote(product.id, safe="")) if product.images else None,
        "url": product_page(product, url_pattern),
    }


def cards_for(product_ids: list[str | None], lookup, url_pattern: str | None = None) -> list[dict[str, Any]]:
    """Cards for the products an answer is about, in the order first named, at most ``MAX_CARDS``;
    ids the catalog does not know (policy pages) are skipped."""
    seen: list[str] = []
    for pid in product_ids:
        if pid and pid not in seen:
            seen.append(pid)
    out = []
    for pid in seen:
        product = lookup(pid)
        if product is not None:
            out.append(card(product, url_pattern))
        if len(out) == MAX_CARDS:
            break
    return out


def source_page(source_id: str, lookup, product_pattern: str | None = None,
                page_pattern: str | None = None) -> str | None:
    """Where a citation links: a product's page ("product/<id>#specs"), or the store's policy and
    FAQ pages by ``page_pattern`` ("policy/returns#refunds" -> page "returns", section "refunds";
    "faq/shipping-times" -> page "faq", section "shipping-times")."""
    kind, _, rest = source_id.partition("/")
    page, _, section = rest.partition("#")
    if kind == "faq":                     # one FAQ page, an anchor per question
        page, section = "faq", page
    if kind == "product":
        product = lookup(page)
        return product_page(product, product_pattern) if product is not None else None
    if page_pattern and page:
        return page_pattern.format(page=quote(page, safe=""), section=quote(section, safe="")).rstrip("#")
    return None
