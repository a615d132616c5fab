"""Prices as the shopper's language writes them: "$149.00", "US$149.00", "149,00 US$".

English keeps the store's own format (assistant/knowledge/chunking.py, the one the evidence is
written in), so English answers read exactly as the quoted product pages do; other languages get
Babel's locale format for the same amount and currency, with the catalog's words for "was" and
"some options on sale".
"""
from __future__ import annotations

from babel.numbers import format_currency

from assistant.knowledge import chunking
from assistant.knowledge.catalog import Product
from assistant.messages import babel_locale, language_code, message


def money(value: float, currency: str = "USD", lang: str | None = "en") -> str:
    code = language_code(lang)
    if code == "en":
        return chunking.money(value, currency)
    try:
        return format_currency(value, currency or "USD", locale=babel_locale(code))
    except (ValueError, LookupError):          # a language Babel has no locale for
        return chunking.money(value, currency)


def sale_text(price: float, was: float | None, currency: str = "USD", lang: str | None = "en") -> str:
    """The selling price, then the compare-at price it is marked down from."""
    if language_code(lang) == "en":
        return chunking.sale_text(price, was, currency)
    text = money(price, currency, lang)
    return text + (message("replies.was_price", lang, price=money(was, currency, lang)) if was is not None else "")


def price_text(product: Product, joiner: str = "-", lang: str | None = "en") -> str:
    """The product's selling price or range, with the was-price when every option is on sale."""
    if language_code(lang) == "en":
        return chunking.price_text(product, joiner)
    low, high = product.price_range()
    c = product.currency
    span = lambda a, b: money(a, c, lang) if a == b else f"{money(a, c, lang)}{joiner}{money(b, c, lang)}"
    text = span(low, high)
    was = product.was_range()
    if was is not None:
        text += message("replies.was_price", lang, price=span(*was))
    elif any(product.was_price(v) is not None for v in product.variants):
        text += message("replies.some_on_sale", lang)
    return text
