"""The extractive backend: answers by selecting and quoting evidence, no generative model.

It is the deterministic default (CI, offline demos) and the safety net when a generative
backend fails. It answers four kinds of question well - a spec value, a variant's price and
stock, a policy/FAQ answer, "do you have X" - cites what it quotes with [n], and says it does
not know (offering a person) when the evidence is weak.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.backends.base import AnswerRequest, BackendOptions, ModelBackend
from assistant.catalog import Product, Variant
from assistant.chunking import spec_label
from assistant.evidence import Evidence
from assistant.retrieval import SPEC_WORDS, wants_variants

DONT_KNOW = ("I'm sorry, I couldn't find that in our store information. "
             "Would you like me to connect you with a member of our team?")
LISTING = re.compile(r"\b(do you (have|sell|carry|stock)|show me|looking for|recommend|suggest|any\b.*\b(under|below)|"
                     r"what .* do you (have|sell)|options for|need an?\b|best .* for)\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[a-z0-9]+")


class ExtractiveOptions(BackendOptions):
    min_score: float = 0.30        # below this cosine similarity the evidence is "weak"
    max_listed: int = 5


def money(value: float) -> str:
    return f"${value:,.2f}"


class ExtractiveBackend(ModelBackend):
    name = "extractive"
    generative = False
    Options = ExtractiveOptions

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        text = self.answer(request)
        for piece in re.findall(r"\S+\s*", text):
            if request.cancel.is_set():
                return
            yield piece

    # -- choosing the answer ------------------------------------------------------------
    def answer(self, req: AnswerRequest) -> str:
        evidence = req.evidence
        if not evidence or max(e.score for e in evidence) < self.options.min_score:
            return DONT_KNOW
        q = req.question.lower()
        product = req.product_in_focus or self._named_product(evidence)
        if LISTING.search(q) and not (product and self._asks_about(product, q)):
            listed = self._list_products(evidence)
            if listed:
                return listed
        if product is not None:
            number = self._number(evidence, product.id)
            if number is not None:
                variant_answer = self._variant_answer(product, req, q, evidence)
                if variant_answer:
                    return variant_answer
                spec_answer = self._spec_answer(product, q, evidence)
                if spec_answer:
                    return spec_answer
        doc = self._best_document(evidence, q)
        if doc is not None and (product is None or doc[1].score >= self._best_product_score(evidence, product)):
            return doc[0]
        if product is not None and self._number(evidence, product.id) is not None:
            return self._summary_answer(product, evidence)
        listed = self._list_products(evidence)
        return listed or DONT_KNOW

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _number(evidence: list[Evidence], product_id: str, kind: str | None = None) -> int | None:
        for i, e in enumerate(evidence, 1):
            if e.product_id == product_id and (kind is None or e.kind == kind):
                return i
        return None

    def _cite(self, evidence: list[Evidence], product_id: str, *kinds: str) -> int:
        for kind in kinds:
            n = self._number(evidence, product_id, kind)
            if n is not None:
                return n
        return self._number(evidence, product_id) or 1

    @staticmethod
    def _named_product(evidence: list[Evidence]) -> Product | None:
        top = evidence[0]
        if top.product_id:
            for e in evidence:
                if e.product_id == top.product_id and e.metadata.get("product_json"):
                    return e.product()
        return None

    @staticmethod
    def _best_product_score(evidence: list[Evidence], product: Product) -> float:
        return max((e.score for e in evidence if e.product_id == product.id), default=0.0)

    @staticmethod
    def _asks_about(product: Product, q: str) -> bool:
        name_words = set(WORD.findall(product.name.lower()))
        return len(name_words & set(WORD.findall(q))) >= max(1, len(name_words) // 2)

    def _product_lookup(self, evidence: list[Evidence]) -> dict[str, Product]:
        found: dict[str, Product] = {}
        for e in evidence:
            if e.product_id and e.product_id not in found and e.metadata.get("product_json"):
                found[e.product_id] = e.product()
        return found

    def _list_products(self, evidence: list[Evidence]) -> str | None:
        products = self._product_lookup(evidence)
        ranked = []
        for e in evidence:
            if e.product_id in products and e.product_id not in ranked and e.score >= self.options.min_score:
                ranked.append(e.product_id)
        if not ranked:
            return None
        lines = ["Here is what we have:"]
        for pid in ranked[: self.options.max_listed]:
            p = products[pid]
            low, high = p.price_range()
            price = money(low) if low == high else f"{money(low)}-{money(high)}"
            stock = "" if p.in_stock else " (currently out of stock)"
            lines.append(f"- {p.name} by {p.brand}, {price}{stock} [{self._cite(evidence, pid, 'product')}]")
        return "\n".join(lines)

    @staticmethod
    def _mentioned_options(product: Product, q: str, attributes: dict[str, str]) -> dict[str, str]:
        chosen: dict[str, str] = {}
        for option in {k for v in product.variants for k in v.options}:
            values = sorted(product.option_values(option), key=len, reverse=True)
            wanted = (attributes.get(option) or "").lower()
            for value in values:
                lv = value.lower()
                if lv == wanted or (len(lv) > 2 and re.search(rf"\b{re.escape(lv)}\b", q.lower())) or \
                        (len(lv) <= 3 and (re.search(rf"(?<![\w'’]){re.escape(value.upper())}\b", q) or
                                           re.search(rf"\b(size|in|an?)\s+{re.escape(lv)}\b", q.lower()))):
                    chosen[option] = value
                    break
        return chosen

    def _variant_answer(self, product: Product, req: AnswerRequest, q: str, evidence: list[Evidence]) -> str | None:
        if not product.variants:
            return None
        chosen = self._mentioned_options(product, req.question, req.attributes)
        asked_color = self._asked_unknown_color(product, q, req.attributes)
        if not chosen and not asked_color and not wants_variants(q):
            return None
        n = self._cite(evidence, product.id, "variants", "product")
        if asked_color and "color" not in chosen:
            colors = product.option_values("color")
            return (f"The {product.name} doesn't come in {asked_color}; it comes in "
                    f"{', '.join(colors)} [{n}].")
        matches = [v for v in product.variants if all(v.options.get(k) == val for k, val in chosen.items())]
        if chosen and matches:
            return self._describe_variants(product, chosen, matches, n)
        options = {k: product.option_values(k) for k in {k for v in product.variants for k in v.options}}
        parts = [f"{k}s: {', '.join(vals)}" for k, vals in sorted(options.items())]
        out = [v.label() for v in product.variants if not v.in_stock]
        text = f"The {product.name} comes in {'; '.join(parts)} [{n}]."
        if out:
            text += f" Currently out of stock: {', '.join(out)}."
        else:
            text += " Every option is in stock."
        return text

    @staticmethod
    def _asked_unknown_color(product: Product, q: str, attributes: dict[str, str]) -> str | None:
        from assistant.vocabulary import COLORS
        known = {c.lower() for c in product.option_values("color")}
        if not known:
            return None
        wanted = attributes.get("color", "").lower()
        for color in COLORS:
            if (color == wanted or re.search(rf"\b{color}\b", q)) and not any(color in k for k in known):
                return color
        return None

    def _describe_variants(self, product: Product, chosen: dict[str, str], matches: list[Variant], n: int) -> str:
        what = " ".join(chosen[k] for k in sorted(chosen, key=lambda k: k != "color"))
        if len(matches) == 1:
            v = matches[0]
            price = money(v.price if v.price is not None else product.price)
            if v.in_stock:
                left = f" ({v.stock} left)" if v.stock is not None and v.stock <= 5 else ""
                return f"The {product.name} in {what} is {price} and in stock{left} [{n}]."
            return f"The {product.name} in {what} is {price} but currently out of stock [{n}]."
        in_stock = [v for v in matches if v.in_stock]
        rest = [o for o in {k for v in matches for k in v.options} if o not in chosen]
        if not in_stock:
            return f"Sorry, the {product.name} in {what} is currently out of stock in every option [{n}]."
        avail = ", ".join(" ".join(v.options[o] for o in rest) or v.sku for v in in_stock)
        low = min((v.price if v.price is not None else product.price) for v in in_stock)
        return (f"Yes, the {product.name} comes in {what}, from {money(low)}; "
                f"in stock in {', '.join(rest) or 'these options'}: {avail} [{n}].")

    def _spec_answer(self, product: Product, q: str, evidence: list[Evidence]) -> str | None:
        if not product.specs:
            return None
        keys = []
        for key in product.specs:
            label = spec_label(key).lower()
            words = SPEC_WORDS.get(key, []) + [label]
            if any(re.search(rf"\b{re.escape(w)}", q) for w in words):
                keys.append(key)
        for generic, words in SPEC_WORDS.items():
            if any(re.search(rf"\b{re.escape(w)}", q) for w in words):
                keys.extend(k for k in product.specs if generic in k and k not in keys)
        if not keys:
            return None
        n = self._cite(evidence, product.id, "specs", "product")
        facts = "; ".join(f"{spec_label(k)}: {product.specs[k]}" for k in keys[:3])
        return f"{product.name} - {facts} [{n}]."

    def _best_document(self, evidence: list[Evidence], q: str) -> tuple[str, Evidence] | None:
        docs = [(i, e) for i, e in enumerate(evidence, 1) if e.kind in ("faq", "policy")
                and e.score >= self.options.min_score]
        if not docs:
            return None
        words = set(WORD.findall(q))
        top = docs[0][1].score
        # among near-equal documents prefer the one whose title shares the question's words
        docs = [d for d in docs if d[1].score >= top - 0.1]
        docs.sort(key=lambda d: -(d[1].score + 0.05 * len(words & set(WORD.findall(d[1].title.lower())))))
        n, best = docs[0]
        if best.kind == "faq":
            answer = best.text.split("\nA:", 1)[-1].strip()
            return f"{answer} [{n}]", best
        sentences = [s for s in SENTENCE.split(best.text.split("\n", 1)[-1].strip()) if s]
        ranked = sorted(range(len(sentences)), key=lambda i: -len(words & set(WORD.findall(sentences[i].lower()))))
        keep = sorted(ranked[:2])
        return " ".join(sentences[i] for i in keep) + f" [{n}]", best

    def _summary_answer(self, product: Product, evidence: list[Evidence]) -> str:
        n = self._cite(evidence, product.id, "product")
        first = SENTENCE.split(product.description.strip())[0] if product.description else ""
        low, high = product.price_range()
        price = money(low) if low == high else f"{money(low)} to {money(high)}"
        stock = "in stock" if product.in_stock else "currently out of stock"
        return f"The {product.name} by {product.brand} is {price} and {stock}. {first} [{n}]".strip()
