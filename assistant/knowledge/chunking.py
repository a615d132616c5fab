"""Turn catalog records into the chunks that are embedded, stored and cited.

One product becomes a summary chunk, a specs chunk and (when it has variants) a variants chunk,
so "how heavy is X?" lands on the specs and "is the black one in XL in stock?" on the variants.
The summary states the whole price range, so an answer quoting "$26.00-$39.00" cites a chunk
that says so; a sale reads "$59.99 (was $75.00)", the selling price first. Each catalog category gets one overview chunk (its products and their kinds), so
"do you carry bike helmets?" finds what the store does sell and can be answered "no, but...".
An FAQ entry is one chunk (its tags kept for keyword search); a policy page is split by section.
A product's manual or spec sheet gives one chunk per section (kind "manual"), carrying the product's
metadata so a question about the product finds it, and the spec keys the section states, so an
answer quoting "weight: 15 lbs" from the manual cites the manual.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.knowledge.catalog import FaqEntry, PolicySection, Product
from assistant.knowledge.documents import ProductDocument


@dataclass
class Chunk:
    id: str                      # the citable source id
    text: str                    # what is embedded and shown as evidence
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        payload = json.dumps([self.text, self.metadata], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]


# Spec fields kept for operators but not shown to shoppers or embedded (remote image links, ids).
HIDDEN_SPECS = {"image_urls", "product_category"}


def money(value: float, currency: str = "USD") -> str:
    return f"${value:,.2f}" if currency == "USD" else f"{value:,.2f} {currency}"


def sale_text(price: float, was: float | None, currency: str = "USD") -> str:
    """"$59.99 (was $75.00)": the selling price, then the compare-at price it is marked down from."""
    return money(price, currency) + (f" (was {money(was, currency)})" if was is not None else "")


def price_text(product: Product, joiner: str = "-") -> str:
    """The product's selling price or range, with the was-price when every option is on sale
    ("some options on sale" when only some are)."""
    low, high = product.price_range()
    c = product.currency
    text = money(low, c) if low == high else f"{money(low, c)}{joiner}{money(high, c)}"
    was = product.was_range()
    if was is not None:
        text += f" (was {money(was[0], c) if was[0] == was[1] else f'{money(was[0], c)}{joiner}{money(was[1], c)}'})"
    elif any(product.was_price(v) is not None for v in product.variants):
        text += " (some options on sale)"
    return text


def spec_label(key: str) -> str:
    """A spec or option key as a shopper reads it: "waterproof_rating" -> "waterproof rating"."""
    return re.sub(r"\s+", " ", re.sub(r"[_]+|(?<=[a-z])(?=[A-Z])", " ", key)).strip()


def _product_meta(product: Product, kind: str, source: str) -> dict[str, Any]:
    low, high = product.price_range()
    return {
        "kind": kind,
        "title": product.name if kind == "product" else f"{product.name} ({kind})",
        "product_id": product.id,
        "product_name": product.name,
        "brand": product.brand,
        "category": product.category.lower(),
        "price": float(product.price),
        "min_price": float(low),
        "max_price": float(high),
        "in_stock": product.in_stock,
        "source_path": source,
    }


def product_chunks(product: Product, source: str) -> list[Chunk]:
    options = product.options()
    option_text = "; ".join(f"{k}: {', '.join(v)}" for k, v in options.items())
    stock = "in stock" if product.in_stock else "out of stock"
    price = price_text(product)
    summary = (
        f"{product.name}{f' by {product.brand}' if product.brand.strip() else ''}. Category: {product.category}. "
        f"Price: {price}. {stock.capitalize()}."
        + (f" Options: {option_text}." if option_text else "")
        + f" {product.description}"
    ).strip()
    meta = _product_meta(product, "product", source)
    meta["product_json"] = product.model_dump_json()
    chunks = [Chunk(product.source_id, summary, meta)]
    # facts read from a manual are cited to the manual's own chunks, not to the catalog's specs
    specs = {k: v for k, v in product.specs.items() if k not in HIDDEN_SPECS and k not in product.spec_sources}
    if specs:
        lines = "; ".join(f"{spec_label(k)}: {v}" for k, v in specs.items())
        chunks.append(Chunk(f"{product.source_id}#specs", f"{product.name} specifications: {lines}.",
                            _product_meta(product, "specs", source)))
    if product.variants:
        lines = []
        for v in product.variants:
            price = sale_text(product.variant_price(v), product.was_price(v), product.currency)
            state = "in stock" if v.in_stock else "out of stock"
            lines.append(f"{v.label()} ({v.sku}): {price}, {state}")
        chunks.append(Chunk(f"{product.source_id}#variants",
                            f"{product.name} variants, prices and stock: " + "; ".join(lines) + ".",
                            _product_meta(product, "variants", source)))
    return chunks


def document_chunks(document: ProductDocument, product: Product) -> list[Chunk]:
    """One chunk per section of a product's document: "<product> - <doc title>: <section>" and its text."""
    chunks = []
    for section in document.sections:
        title = f"{document.title}: {section.title}"
        meta = _product_meta(product, "manual", str(document.path))
        meta.update({"title": title, "document": document.doc_id, "spec_keys": ",".join(section.facts)})
        chunks.append(Chunk(document.source_id(section), f"{product.name} - {title}\n{section.text}", meta))
    return chunks


def category_chunks(products: list[Product], source: str) -> list[Chunk]:
    """One overview per category: "Footwear we sell: <names>. Kinds: <tags>." (kind "category"),
    and one of the whole store ("what do you sell?")."""
    grouped: dict[str, list[Product]] = {}
    for product in products:
        if product.category.strip():
            grouped.setdefault(product.category.strip(), []).append(product)
    chunks = []
    for category, members in grouped.items():
        kinds: list[str] = []
        for product in members:
            for tag in product.tags:
                if tag.lower() not in kinds:
                    kinds.append(tag.lower())
        names = ", ".join(p.name for p in members)
        text = f"{category} we sell: {names}." + (f" Kinds of {category.lower()}: {', '.join(kinds)}." if kinds else "")
        slug = re.sub(r"[^a-z0-9]+", "-", category.lower()).strip("-") or "other"
        chunks.append(Chunk(f"catalog/{slug}", text, {
            "kind": "category", "title": f"{category} (category)", "category": category.lower(),
            "product_ids": ",".join(p.id for p in members), "source_path": source,
        }))
    if len(grouped) > 1:
        names = ", ".join(f"{category} ({len(members)} products)" for category, members in grouped.items())
        chunks.append(Chunk("catalog/overview", f"Everything we sell, by category: {names}.", {
            "kind": "category", "title": "What we sell (categories)", "category": "",
            "product_ids": "", "source_path": source,
        }))
    return chunks


def faq_chunk(entry: FaqEntry, source: str) -> Chunk:
    return Chunk(entry.source_id, f"Q: {entry.question}\nA: {entry.answer}", {
        "kind": "faq", "title": entry.question, "topic": entry.topic, "source_path": source,
        "tags": ", ".join(entry.tags),
    })


def policy_chunk(section: PolicySection) -> Chunk:
    return Chunk(section.source_id, f"{section.title}\n{section.text}", {
        "kind": "policy", "title": section.title, "topic": section.doc, "source_path": section.path,
    })
