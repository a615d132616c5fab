"""Search the store's knowledge: text query + metadata filters + a product-aware path.

When the question names a product (or a product is in focus), that product's own chunks are
searched first and ranked by how well they fit the question, so "how heavy is the Alpine 40
pack?" returns its specs chunk before anything else; FAQ and policy chunks follow.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from assistant.catalog import Product
from assistant.embeddings import embed
from assistant.evidence import Evidence
from assistant.knowledge_store import KnowledgeStore
from assistant.product_directory import ProductDirectory

# Words that point a question at a product's specs or variants rather than its summary.
SPEC_WORDS = {
    "weight": ["heavy", "weigh", "weight", "light", "grams", "kg", "lbs", "pounds"],
    "dimensions": ["big", "size of", "dimension", "how large", "how long", "how wide", "tall", "measure"],
    "materials": ["made of", "material", "fabric", "leather", "cotton", "what is it made"],
    "care": ["wash", "clean", "care", "dry clean", "machine"],
    "warranty": ["warranty", "guarantee"],
    "compatibility": ["compatible", "work with", "fit my", "support"],
    "capacity": ["capacity", "how much does it hold", "litre", "liter", "volume"],
    "battery_life": ["battery", "charge", "hours of"],
    "waterproof_rating": ["waterproof", "water resistant", "rain"],
}
VARIANT_WORDS = ["in stock", "available", "availability", "come in", "colour", "color", "size",
                 "sizes", "colors", "colours", "sold out", "xl", "small", "medium", "large", "left"]


# What a shopper with this intent is usually looking for in the store's documents: added to the
# query so "the strap tore on day one" also searches the damaged-item and warranty pages.
INTENT_HINTS = {
    "damaged_or_wrong_item": "damaged, defective or wrong item received",
    "warranty_claim": "how to file a warranty claim for a broken or defective product",
    "return_or_refund": "returns and refunds",
    "exchange": "exchange for another size or colour",
    "shipping": "shipping and delivery",
    "payment": "payment methods",
    "order_status": "order status and tracking",
    "complaint": "customer care and complaints",
}


def query_for(question: str, intent: str | None) -> str:
    hint = INTENT_HINTS.get(intent or "")
    return f"{question} ({hint})" if hint else question


@dataclass
class SearchFilters:
    category: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool | None = None

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.category:
            clauses.append({"category": self.category.lower()})
        if self.min_price is not None:
            clauses.append({"min_price": {"$gte": float(self.min_price)}})
        if self.max_price is not None:
            clauses.append({"min_price": {"$lte": float(self.max_price)}})
        if self.in_stock is not None:
            clauses.append({"in_stock": self.in_stock})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def __bool__(self) -> bool:
        return self.where() is not None


def _evidence(hit: tuple[str, str, dict, float]) -> Evidence:
    source_id, text, meta, score = hit
    return Evidence(source_id=source_id, title=meta.get("title", source_id), text=text,
                    kind=meta.get("kind", "doc"), score=round(float(score), 4), metadata=meta)


def wants_specs(question: str) -> bool:
    q = question.lower()
    return any(w in q for words in SPEC_WORDS.values() for w in words)


def wants_variants(question: str) -> bool:
    q = f" {question.lower()} "
    return any(f" {w}" in q or w in q for w in VARIANT_WORDS)


class Retriever:
    def __init__(self, store: KnowledgeStore, encoder, directory: ProductDirectory | None = None):
        self.store = store
        self.encoder = encoder
        self.directory = directory or self.load_directory()

    def load_directory(self) -> ProductDirectory:
        rows = self.store.get(where={"kind": "product"})
        products = [Product.model_validate(json.loads(m["product_json"])) for _, _, m in rows if m.get("product_json")]
        return ProductDirectory(products)

    def refresh(self) -> None:
        self.directory = self.load_directory()

    def search(self, query: str, k: int = 6, filters: SearchFilters | None = None,
               product_ids: list[str] | None = None) -> list[Evidence]:
        """Best evidence first. ``product_ids`` are products known to be in play (named or in focus)."""
        vector = embed(self.encoder, [query])[0]
        if filters:
            # a catalog browse ("tents under $200 in stock"): product summaries only
            where = {"$and": [{"kind": "product"}, filters.where()]}
            return [_evidence(h) for h in self.store.query(vector, k, where)]
        named = product_ids if product_ids is not None else self.directory.find_ids(query)
        results: list[Evidence] = []
        if named:
            where = {"product_id": {"$in": named[:3]}}
            focused = [_evidence(h) for h in self.store.query(vector, 9, where)]
            focused.sort(key=lambda e: -(e.score + self._kind_boost(e, query, named)))
            results.extend(focused[:4])
        seen = {e.source_id for e in results}
        for hit in self.store.query(vector, k + len(results)):
            if hit[0] not in seen:
                results.append(_evidence(hit))
        return results[:max(k, len(results[:4]) + 2)]

    @staticmethod
    def _kind_boost(evidence: Evidence, question: str, named: list[str]) -> float:
        boost = 0.0
        if evidence.product_id == named[0]:
            boost += 0.2
        if evidence.kind == "specs" and wants_specs(question):
            boost += 0.3
        if evidence.kind == "variants" and wants_variants(question):
            boost += 0.3
        return boost
