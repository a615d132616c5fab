"""Evidence: one retrieved chunk of store knowledge, numbered and cited in answers."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from assistant.knowledge.catalog import Product


@dataclass
class Evidence:
    source_id: str            # e.g. "product/alpine-40#specs", "faq/returns-window", "policy/shipping#zones"
    title: str
    text: str
    kind: str                 # product | specs | faq | policy
    score: float = 0.0        # cosine similarity, higher is better
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def product_id(self) -> str | None:
        return self.metadata.get("product_id")

    def product(self) -> Product | None:
        """The full product record stored with product chunks (so Chroma stays the one source)."""
        raw = self.metadata.get("product_json")
        return Product.model_validate(json.loads(raw)) if raw else None
