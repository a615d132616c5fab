"""Similar and complementary items, and colour-aware product search.

"Show me something like this" (the product in focus, or a shopper's photo), "what goes with it?"
and "red backpacks under $100" are ranked from what the store already has, no model trained on it:
  * text: the products' own words (name, tags, description) - embedded with the store's encoder
    when one is given, else TF-IDF - compared by cosine;
  * photos: colour profiles of the product photos (assistant.knowledge.colours);
  * structure: same category, a close price, the kind of thing it is (the head noun of its name
    or its first tag), the uses its tags share ("hiking", "coffee");
  * co-purchases: items bought in the same order (orders.json, or any order source).
Every item comes with a one-line reason said in the shop's words ("Also a backpack, $20 less"),
in the shopper's language (the ``recommend`` message catalog, assistant.messages; the store's
own words - kinds, categories, product names - are quoted as they are), and items in stock always
come before items that are not. What is asked for is read with the lexicon of the message's
language (``similar_ask`` / ``complement_ask``).

The catalog's text vectors are cached on disk (assistant.knowledge.vector_cache, keyed by the
texts and checked against the model), so a second process start does not embed the catalog again.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from assistant.knowledge.catalog import Product
from assistant.knowledge.chunking import money
from assistant.knowledge.colours import ColourProfile, ColourProfiles, canonical
from assistant.knowledge.products import asked_kind, kind_match, tokens
from assistant.lexicon import lexicon
from assistant.messages import message

CANDIDATES = 15          # text search results that the photo colours re-rank


@dataclass(frozen=True)
class Recommendation:
    product_id: str
    score: float
    reason: str
    in_stock: bool


def asks_for(text: str, language: str | None = "en") -> str | None:
    """"similar", "complementary" or None: which of the two a shopper's message asks for, read
    with the lexicon of its language ("algo parecido", "类似的", "was passt dazu?")."""
    words = lexicon(language)
    if words.complement_ask.search(text or ""):
        return "complementary"
    if words.similar_ask.search(text or ""):
        return "similar"
    return None


def _say(key: str, language: str | None, **values) -> str:
    return message(f"recommend.{key}", language, **values)


def colour_word(name: str, language: str | None) -> str:
    """A profile colour ("red") in the shopper's language: the first of the lexicon's words for it."""
    words = lexicon(language)
    if name in words.colors:
        return name
    return next((form for form, english in words.color_aliases.items() if english == name), name)


def co_purchases(orders: Iterable[Iterable[str]]) -> dict[str, Counter]:
    """product id -> how often each other product was in the same order."""
    together: dict[str, Counter] = {}
    for items in orders:
        ids = list(dict.fromkeys(i for i in items if i))
        for a in ids:
            for b in ids:
                if a != b:
                    together.setdefault(a, Counter())[b] += 1
    return together


def load_orders(path: Path) -> list[list[str]]:
    """The product ids of each order in an orders file (the demo store's orders.json); none when
    there is no such file."""
    if not path.is_file():
        return []
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [[item.get("product_id") for item in order.get("items", [])] for order in raw.get("orders", [])]


def _text(product: Product) -> str:
    # the category is left out: it is weighed as structure, on its own
    return " ".join([product.name, " ".join(product.tags), product.description])


def _tfidf(texts: list[str]) -> np.ndarray:
    docs = [Counter(tokens(t)) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
    df = Counter(w for d in docs for w in d)
    out = np.zeros((len(docs), max(len(vocab), 1)), dtype=np.float32)
    for r, d in enumerate(docs):
        for w, c in d.items():
            out[r, vocab[w]] = (1 + math.log(c)) * math.log(1 + len(docs) / df[w])
    return out


def _unit(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(n == 0, 1, n)


def _spread(values: np.ndarray) -> np.ndarray:
    """Scores stretched to 0..1 over the candidates: an embedding's cosines sit in a narrow band."""
    lo, hi = float(values.min(initial=0.0)), float(values.max(initial=0.0))
    return (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)


def kind_of(product: Product) -> str:
    """The kind of thing it is: the first tag its name shares a word with ("french press"), else
    its first tag, else the last word of its name ("harness", "tent")."""
    named = set(tokens(product.name))
    for tag in product.tags:
        if named & set(tokens(tag)):
            return tag.lower()
    if product.tags:
        return product.tags[0].lower()
    words = tokens(product.name)
    return words[-1] if words else product.category.lower()


def _dollars(value: float, currency: str) -> str:
    """"$40", not "$40.00": a difference is said in round figures."""
    text = money(round(value), currency)
    return text.removesuffix(".00")


class Recommender:
    """Ranks the catalog against one product, a photo or a query. ``encoder``: the store's text
    encoder (None: TF-IDF); ``orders``: product ids per order; ``colours``: the photo profile
    cache; ``weights`` may switch signals off ({"category": 0} to measure without structure);
    ``cache_dir``: where the catalog's text vectors are kept between starts (None: not kept)."""

    WEIGHTS: ClassVar[dict[str, float]] = {"text": 0.4, "image": 0.15, "category": 0.25, "price": 0.1, "kind": 0.1}

    def __init__(self, products: list[Product], encoder=None, orders: Iterable[Iterable[str]] = (),
                 colours: ColourProfiles | None = None, weights: dict[str, float] | None = None,
                 cache_dir: Path | None = None):
        if not products:
            raise ValueError("the catalog has no products to recommend from")
        self.products = list(products)
        self.index = {p.id: i for i, p in enumerate(self.products)}
        self.encoder = encoder
        self.weights = {**self.WEIGHTS, **(weights or {})}
        self.colours = colours or ColourProfiles()
        self.together = co_purchases(orders)
        texts = [_text(p) for p in self.products]
        if encoder is not None:
            from assistant.knowledge.embeddings import PASSAGE
            from assistant.knowledge.vector_cache import embed_cached
            self.vectors = _unit(embed_cached(encoder, texts, cache_dir, role=PASSAGE))
        else:
            self.vectors = _unit(_tfidf(texts))
        self._profiles: list[ColourProfile | None] | None = None

    # -- signals ------------------------------------------------------------------------
    def profiles(self) -> list[ColourProfile | None]:
        """Each product's photo profile (its first photo), computed on first use and cached."""
        if self._profiles is None:
            self._profiles = [self.colours.of_file(p.images[0]) if p.images else None for p in self.products]
        return self._profiles

    def _get(self, product_id: str) -> Product:
        if product_id not in self.index:
            raise KeyError(f"no product with id {product_id!r} in the catalog")
        return self.products[self.index[product_id]]

    def _likeness(self, profile: ColourProfile | None) -> np.ndarray:
        return np.array([profile.likeness(q) if profile and q else 0.0 for q in self.profiles()])

    @staticmethod
    def _price_closeness(anchor: Product, others: list[Product]) -> np.ndarray:
        return np.array([math.exp(-abs(math.log(max(o.price, 0.01) / max(anchor.price, 0.01))) / 0.4)
                         for o in others])

    def _ranked(self, scores: np.ndarray, exclude: set[str], k: int, reason,
                language: str | None = "en") -> list[Recommendation]:
        order = sorted((i for i in range(len(self.products)) if self.products[i].id not in exclude),
                       key=lambda i: (not self.products[i].in_stock, -scores[i]))
        out = []
        for i in order[:k]:
            p = self.products[i]
            said = reason(p) + ("" if p.in_stock else _say("out_of_stock", language))
            out.append(Recommendation(p.id, round(float(scores[i]), 4), said, p.in_stock))
        return out

    # -- similar ------------------------------------------------------------------------
    def similar(self, item: str | bytes, k: int = 5, language: str | None = "en") -> list[Recommendation]:
        """Products like one product (its id) or like a photo (its bytes), best first; the
        reasons in ``language``."""
        if isinstance(item, (bytes, bytearray)):
            return self._like_photo(bytes(item), k, language)
        anchor = self._get(item)
        w = self.weights
        text = _spread(self.vectors @ self.vectors[self.index[anchor.id]])
        image = _spread(self._likeness(self.profiles()[self.index[anchor.id]]))
        same_category = np.array([float(bool(anchor.category) and p.category == anchor.category)
                                  for p in self.products])
        same_kind = np.array([float(kind_of(p) == kind_of(anchor)) for p in self.products])
        scores = (w["text"] * text + w["image"] * image + w["category"] * same_category
                  + w["price"] * self._price_closeness(anchor, self.products) + w["kind"] * same_kind)
        return self._ranked(scores, {anchor.id}, k, lambda p: self._similar_reason(anchor, p, image, language),
                            language)

    def _like_photo(self, data: bytes, k: int, language: str | None = "en") -> list[Recommendation]:
        photo = self.colours.of_bytes(data)
        scores = self._likeness(photo)
        names = [colour_word(c, language) for c in photo.dominant()]
        colours = _say("colours_joiner", language).join(names) or _say("colours_fallback", language)
        said = _say("photo_look", language, colours=colours)
        return self._ranked(scores, set(), k, lambda p: said, language)

    def _similar_reason(self, anchor: Product, other: Product, image: np.ndarray, language: str | None) -> str:
        kind = kind_of(anchor)
        if kind_of(other) == kind:
            # "an" before a vowel where the language has such an article (the catalog says which)
            lead = _say("same_kind_vowel" if kind[:1].lower() in "aeiou" else "same_kind", language, kind=kind)
        elif other.category and other.category == anchor.category:
            lead = _say("same_category", language, category=other.category)
        else:
            lead = _say("similar_use", language)
        diff = other.price - anchor.price
        amount = _dollars(abs(diff), other.currency)
        price = _say("price_same" if abs(diff) < 1 else "price_less" if diff < 0 else "price_more", language,
                     amount=amount)
        look = _say("similar_colours", language) if image[self.index[other.id]] >= 0.8 else ""
        return _say("similar_reason", language, lead=lead, look=look, price=price)

    # -- complementary ------------------------------------------------------------------
    def complementary(self, product_id: str, k: int = 5, language: str | None = "en") -> list[Recommendation]:
        """Products that go with one: bought with it, sharing its uses, from around its world -
        but not another of the same kind (that is "similar"); the reasons in ``language``."""
        anchor = self._get(product_id)
        bought = self.together.get(anchor.id, Counter())
        most = max(bought.values(), default=1)
        uses = {t.lower() for t in anchor.tags[1:]} | {t.lower() for t in anchor.tags if t != kind_of(anchor)}
        text = _spread(self.vectors @ self.vectors[self.index[anchor.id]])
        scores = np.zeros(len(self.products))
        shared: dict[str, str] = {}
        for i, p in enumerate(self.products):
            common = [t for t in p.tags if t.lower() in uses and t.lower() != kind_of(p)]
            if common:
                shared[p.id] = common[0]
            scores[i] = (1.0 * bought.get(p.id, 0) / most + 0.3 * min(len(common), 2) / 2
                         + 0.25 * text[i] + 0.15 * float(bool(anchor.category) and p.category == anchor.category)
                         + 0.05 * float(p.price <= anchor.price))
        substitutes = {p.id for p in self.products if kind_of(p) == kind_of(anchor)}

        def reason(p: Product) -> str:
            if bought.get(p.id):
                return _say("bought_with", language, name=anchor.name)
            if p.id in shared:
                return _say("shared_use", language, use=shared[p.id])
            if p.category == anchor.category:
                return _say("goes_with_category", language, category=p.category)
            return _say("goes_with", language)
        return self._ranked(scores, substitutes | {anchor.id}, k, reason, language)

    # -- colour search ------------------------------------------------------------------
    def colour_search(self, query: str, colour: str | None = None, budget: float | None = None,
                      k: int = 5, language: str = "en", colour_weight: float = 0.3) -> list[Recommendation]:
        """The text search's best products for ``query`` (within ``budget``), re-ranked by how
        much of ``colour`` their photos show; the colour and budget are read from the query when
        not given. Without a colour this is the text ranking alone."""
        colour = colour or colour_in(query, language)
        if budget is None:
            budget = lexicon(language).find_budget(query)[0]
        text = self._query_scores(query)
        _, kind = asked_kind(query)
        if kind:          # "backpacks": products of that kind first, whatever the wording
            text = text + np.array([0.5 * float(kind_match(p, kind) > 0) for p in self.products])
        allowed = [i for i, p in enumerate(self.products) if budget is None or p.price_range()[0] <= budget]
        if not allowed:
            return []
        pool = sorted(allowed, key=lambda i: -text[i])[:max(CANDIDATES, k)]
        t = _spread(np.array([text[i] for i in pool]))
        c = np.zeros(len(pool))
        if colour and canonical(colour):
            # above what is usual for the catalog: every photo has some black in its shadows
            usual = float(np.median([q.score(colour) for q in self.profiles() if q] or [0.0]))
            shown = np.array([max(self.profiles()[i].score(colour) - usual, 0.0) if self.profiles()[i] else 0.0
                              for i in pool])
            c = shown / max(float(shown.max()), 1e-6)
        scores = np.zeros(len(self.products))
        for j, i in enumerate(pool):
            scores[i] = (1 - colour_weight) * t[j] + colour_weight * c[j] if colour else t[j]

        def reason(p: Product) -> str:
            profile = self.profiles()[self.index[p.id]]
            share = profile.score(colour) if colour and profile else 0.0
            if colour and share >= 0.05:
                return _say("colour_share", language, colour=colour_word(canonical(colour), language).capitalize(),
                            share=f"{share:.0%}")
            return _say("matches_search", language)
        outside = {self.products[i].id for i in range(len(self.products)) if i not in set(pool)}
        return self._ranked(scores, outside, k, reason, language)

    def _query_scores(self, query: str) -> np.ndarray:
        if self.encoder is not None:
            from assistant.knowledge.embeddings import embed
            vector = np.asarray(embed(self.encoder, [query])[0], dtype=np.float32)
            return self.vectors @ (vector / (np.linalg.norm(vector) or 1))
        asked = set(tokens(query))
        return np.array([len(asked & set(tokens(_text(p)))) / (len(asked) or 1) for p in self.products])


def by_colour(evidence: list, recommender: Recommender, colour: str, weight: float = 0.4) -> list:
    """Retrieved evidence with its products re-ordered by how much of ``colour`` their photos show
    (blended with their place in the text ranking); other evidence keeps its place."""
    slots = [i for i, e in enumerate(evidence) if e.kind == "product" and e.product_id in recommender.index]
    if len(slots) < 2 or not canonical(colour):
        return evidence
    profiles = recommender.profiles()
    usual = float(np.median([q.score(colour) for q in profiles if q] or [0.0]))
    items = [evidence[i] for i in slots]
    shown = np.array([max(q.score(colour) - usual, 0.0) if (q := profiles[recommender.index[e.product_id]]) else 0.0
                      for e in items])
    place = 1 - np.arange(len(items)) / (len(items) - 1)
    blended = (1 - weight) * place + weight * shown / max(float(shown.max()), 1e-6)
    out = list(evidence)
    for slot, j in zip(slots, np.argsort(-blended, kind="stable")):
        out[slot] = items[j]
    return out


def colour_in(text: str, language: str = "en") -> str | None:
    """The colour a message names, as the English name the photo profiles use ("rojo" -> "red")."""
    words = lexicon(language)
    low = (text or "").lower()
    for phrase in sorted(words.color_phrases, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", low):
            name = words.color_aliases.get(phrase, phrase)
            return name if canonical(name) else next((c for c in reversed(name.split()) if canonical(c)), None)
    return None
