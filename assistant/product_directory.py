"""Which products a shopper's words name: "how heavy is the Alpine 40 pack?" -> alpine-40-pack.

Names are matched token by token, weighting rare tokens (a brand-new word like "Alpine") above
common ones ("pack", "shoe"), so a partial name still finds its product and a generic word alone
finds nothing.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.catalog import Product

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = {"the", "a", "an", "and", "of", "for", "with", "in", "by", "to", "my", "your", "this", "that"}


def tokens(text: str) -> list[str]:
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in _STOP:
            continue
        if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]  # "boots" ~ "boot"
        out.append(tok)
    return out


@dataclass(frozen=True)
class ProductMention:
    product_id: str
    name: str
    score: float  # share of the name's weight found in the text, 0..1


class ProductDirectory:
    def __init__(self, products: list[Product]):
        self.products = {p.id: p for p in products}
        self._names = {p.id: set(tokens(p.name)) for p in products}
        df: dict[str, int] = {}
        for toks in self._names.values():
            for t in toks:
                df[t] = df.get(t, 0) + 1
        n = max(len(products), 1)
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}

    def __len__(self) -> int:
        return len(self.products)

    def get(self, product_id: str | None) -> Product | None:
        return self.products.get(product_id) if product_id else None

    def name_of(self, product_id: str) -> str:
        product = self.products.get(product_id)
        return product.name if product else product_id

    def mentions(self, text: str, min_score: float = 0.5) -> list[ProductMention]:
        """Products named in ``text``, best first."""
        words = set(tokens(text))
        if not words:
            return []
        found = []
        for pid, name_tokens in self._names.items():
            if not name_tokens:
                continue
            hit = name_tokens & words
            if not hit:
                continue
            total = sum(self._idf[t] for t in name_tokens)
            got = sum(self._idf[t] for t in hit)
            rare_hit = any(self._idf[t] >= self._rare_cutoff for t in hit)
            score = got / total
            if score >= min_score and (rare_hit or score >= 0.99):
                found.append(ProductMention(pid, self.products[pid].name, round(score, 3)))
        found.sort(key=lambda m: (-m.score, -len(self._names[m.product_id])))
        return found

    @property
    def _rare_cutoff(self) -> float:
        # a token shared by at most ~3 product names counts as distinctive
        n = max(len(self.products), 1)
        return math.log(1 + n / 3)

    def find_ids(self, text: str) -> list[str]:
        return [m.product_id for m in self.mentions(text)]
