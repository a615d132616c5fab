"""Precision@5 of the recommender (assistant.knowledge.recommend), shared by the benchmark script
and the test that holds its floors.

  * labelled: the demo store's hand-labelled similar / complementary ids
    (tests/fixtures/recommend_labels.yaml); precision@5 = labelled hits in the top 5 over
    min(5, labelled), so a product with two true look-alikes can still score 1;
  * category agreement: on a catalog with categories (the eShop's 101 products), the share of
    each product's top-5 similar items in its own category - measured with the category signal
    switched OFF, so it says what text, photo colours and price find on their own;
  * colour search: "<colour> <category>" queries on a catalog whose names or descriptions say a
    product's colour; a product is relevant when it is in that category and its name, or else the
    first colour its description names, is that colour.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from statistics import mean

import yaml

from assistant.knowledge.catalog import Product
from assistant.knowledge.colours import canonical
from assistant.knowledge.recommend import Recommender
from assistant.lexicon.en import COLORS


def _precision(ranked: list[str], relevant: set[str], k: int = 5) -> float:
    return sum(1 for pid in ranked[:k] if pid in relevant) / min(k, len(relevant))


def labelled_precision(recommender: Recommender, labels_file: Path, k: int = 5) -> dict[str, float]:
    """Mean precision@k of similar() and complementary() over the labelled products."""
    labels = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
    out: dict[str, list[float]] = {"similar": [], "complementary": []}
    for pid, wanted in labels.items():
        for kind, ask in (("similar", recommender.similar), ("complementary", recommender.complementary)):
            if wanted.get(kind):
                out[kind].append(_precision([r.product_id for r in ask(pid, k)], set(wanted[kind]), k))
    return {kind: round(mean(v), 3) for kind, v in out.items() if v}


def category_agreement(recommender: Recommender, k: int = 5) -> float:
    """Mean share of each product's top-k similar items that share its category."""
    shares = []
    for p in recommender.products:
        got = recommender.similar(p.id, k)
        shares.append(sum(1 for r in got if recommender._get(r.product_id).category == p.category) / k)
    return round(mean(shares), 3)


def colour_of(product: Product) -> str | None:
    """The colour a product's own words give it: a colour in its name, else the first one its
    description names (the eShop writes "in sleek black", "in forest green")."""
    for text in (product.name, product.description):
        low = text.lower()
        hits = [(m.start(), c) for c in COLORS if canonical(c) for m in re.finditer(rf"\b{c}\b", low)]
        if hits:
            return canonical(min(hits)[1])
    return None


def colour_queries(products: list[Product], min_relevant: int = 2) -> list[tuple[str, str, str, set[str]]]:
    """(query, colour, category, relevant ids) for each colour x category with enough products."""
    by: dict[tuple[str, str], set[str]] = {}
    for p in products:
        if (colour := colour_of(p)) and p.category:
            by.setdefault((colour, p.category), set()).add(p.id)
    return [(f"{colour} {category.lower()}", colour, category, ids)
            for (colour, category), ids in sorted(by.items()) if len(ids) >= min_relevant]


def colour_precision(recommender: Recommender, k: int = 5,
                     ask: Callable[[Recommender, str, str], list] | None = None) -> dict[str, float]:
    """Precision@k of the colour queries: the text ranking alone (with and without the colour
    word), and re-ranked by the photos' colour (with and without the colour word in the text)."""
    queries = colour_queries(recommender.products)
    runs = {
        "text, colour word in the query": lambda q, c, cat: recommender.colour_search(q, k=k, colour_weight=0.0),
        "text, category words only": lambda q, c, cat: recommender.colour_search(cat.lower(), k=k,
                                                                                 colour_weight=0.0),
        "category words + photo colour": lambda q, c, cat: recommender.colour_search(cat.lower(), colour=c, k=k),
        "colour word + photo colour": lambda q, c, cat: recommender.colour_search(q, colour=c, k=k),
    }
    out = {}
    for name, run in runs.items():
        out[name] = round(mean(_precision([r.product_id for r in run(q, c, cat)], rel, k)
                               for q, c, cat, rel in queries), 3)
    out["queries"] = len(queries)
    return out
