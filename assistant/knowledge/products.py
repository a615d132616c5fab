"""Which products a shopper's words name: "how heavy is the Alpine 40 pack?" -> alpine-40-pack.

Names are matched token by token (plurals folded: "French presses" ~ "French Press"), weighting
rare tokens (a brand-new word like "Alpine") above common ones ("pack", "shoe"), so a partial
name still finds its product and a generic word alone finds nothing. Two shorter forms count as
well: the name's own distinctive first word ("is the Snowline warm?") and its kind with a
qualifier ("do you sell French presses?" -> the Brewhaus Steel French Press).

For browsing ("do you sell kayaks?") it also says which kind of thing is asked for and whether a
product is that kind: by its name, tags or category - not a water shoe tagged "kayak" whose
description says it is *for* kayaking.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.knowledge.catalog import Product
from assistant.lexicon import lexicon
from assistant.lexicon.text import stem, words

WORDS = lexicon("en")   # the catalog's language (the stores served today write English)


def tokens(text: str) -> list[str]:
    """Name-matching tokens: lower-case, plurals folded, hyphenated parts kept ("usb-c", "usb")."""
    return [stem(tok, plural_only=True) for tok in words(text) if tok not in WORDS.stopwords and "-" not in tok]


@dataclass(frozen=True)
class ProductMention:
    product_id: str
    name: str
    score: float  # share of the name's weight found in the text, 0..1


class ProductDirectory:
    def __init__(self, products: list[Product]):
        self.products = {p.id: p for p in products}
        self._names = {p.id: set(tokens(p.name)) for p in products}
        self._first = {p.id: (tokens(p.name) or [""])[0] for p in products}
        self._head = {p.id: (tokens(p.name) or [""])[-1] for p in products}
        self._option_words = {p.id: [set(tokens(value)) for v in p.variants for value in v.options.values()]
                              for p in products}
        df: dict[str, int] = {}
        for toks in self._names.values():
            for t in toks:
                df[t] = df.get(t, 0) + 1
        self._df = df
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
        words_ = set(tokens(text))
        if not words_:
            return []
        found = []
        for pid, name_tokens in self._names.items():
            if not name_tokens:
                continue
            hit = name_tokens & words_
            if not hit:
                continue
            total = sum(self._idf[t] for t in name_tokens)
            got = sum(self._idf[t] for t in hit)
            rare_hit = any(self._idf[t] >= self._rare_cutoff for t in hit)
            score = got / total
            if (score >= min_score and (rare_hit or score >= 0.99)) or self._short_form(pid, hit, score):
                found.append(ProductMention(pid, self.products[pid].name, round(score, 3)))
        found = [m for m in found if not self._inside_option(m, words_)]
        found.sort(key=lambda m: (-m.score, -len(self._names[m.product_id])))
        return found

    def _inside_option(self, mention: ProductMention, asked: set[str]) -> bool:
        """Are the words naming this product part of another product's option value, all of which
        the text names ("a backpack with a laptop compartment" asks for the backpack whose option is
        "Laptop compartment", not for the Laptop)?"""
        hit = self._names[mention.product_id] & asked
        return any(hit <= value and len(value) > len(hit) and value <= asked
                   for pid, values in self._option_words.items() if pid != mention.product_id
                   for value in values)

    def _short_form(self, pid: str, hit: set[str], score: float) -> bool:
        """"the Snowline" (the name's own first word, used by no other product) or "French
        presses" (the kind plus a word only this product's name has)."""
        if score < 0.25:
            return False
        first, head = self._first[pid], self._head[pid]
        unique = {t for t in hit if self._df.get(t) == 1 and len(t) >= 4 and not t.isdigit()
                  and t not in WORDS.stopwords}
        if first in unique:
            return True
        return head in hit and bool(unique - {head})

    @property
    def _rare_cutoff(self) -> float:
        # a token shared by at most ~3 product names counts as distinctive
        n = max(len(self.products), 1)
        return math.log(1 + n / 3)

    def fits(self, product_id: str | None, text: str) -> bool | None:
        """Is the kind of thing ``text`` asks for ("do you sell kayaks?") that product (False for
        no product)? None when the text names no kind of thing."""
        _, kind = asked_kind(text.lower())
        if not kind:
            return None
        product = self.get(product_id)
        return product is not None and kind_match(product, kind) > 0

    def carries(self, text: str) -> bool | None:
        """Does the store sell the kind of thing ``text`` asks for ("do you sell kayaks?")? None
        when the text names no kind of thing; False is an answer the catalog itself gives."""
        _, kind = asked_kind(text.lower())
        if not kind:
            return None
        return any(kind_match(product, kind) > 0 for product in self.products.values())

    def find_ids(self, text: str) -> list[str]:
        return [m.product_id for m in self.mentions(text)]


# -- what kind of thing a browsing question asks for ----------------------------------------------
def names_product(product: Product, q: str, strict: bool = False) -> bool:
    """Does the question name this product (its own first word, or its kind plus another word)?
    ``strict``: by its own first word or whole name, not just its kind ("running shoes")."""
    name = [stem(w, True) for w in words(product.name) if "-" not in w and w not in WORDS.stopwords]
    asked = {stem(w, True) for w in words(q)}
    if not name:
        return False
    hits = [w for w in name if w in asked]
    first_ok = len(name[0]) >= 4 and not name[0].isdigit() and name[0] in asked
    if strict:
        return first_ok or len(hits) == len(name)
    return first_ok or (name[-1] in hits and len(hits) >= 2) or len(hits) * 2 >= len(name) + 1


def asked_kind(q: str) -> tuple[str, list[str]]:
    """The kind of thing a browsing question names ("bike helmets" -> ["bike", "helmet"])."""
    match = WORDS.asked_noun.search(q)
    if not match:
        return "", []
    phrase = (match.group("np") or match.group("np2") or "").strip()
    kind = [stem(w, True) for w in words(phrase) if "-" not in w and w not in WORDS.stopwords
            and stem(w, True) not in WORDS.generic_nouns and w not in WORDS.generic_nouns]
    return phrase, kind


def kind_match(product: Product, kind: list[str]) -> int:
    """How many of the asked words the product's name, tags and category hold (0 = not that kind)."""
    named = {stem(w, True) for text in (product.name, product.category) for w in words(text)}
    own = named | {stem(w, True) for tag in product.tags for w in words(tag)}
    category = {stem(w, True) for w in words(product.category)}
    head = kind[-1]
    broader = {stem(c, True) for c in WORDS.category_of.get(head, ())}
    if head not in own and not (broader & category):
        return 0
    if head not in named and not (broader & category) and used_for(product, head):
        return 0    # a water shoe tagged "kayak" is for kayaking, not a kayak
    return sum(1 for w in kind if w in own) + (1 if broader & category else 0)


def used_for(product: Product, head: str) -> bool:
    """Does the description name ``head`` as what the product is used for ("for kayaking")?"""
    text = product.description.lower()
    for m in re.finditer(r"[a-z]+", text):
        if stem(m.group(0)) == stem(head) and WORDS.use_preposition.search(text[: m.start()]):
            return True
    return False
