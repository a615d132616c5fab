"""The extractive backend: answers by selecting and quoting evidence, no generative model.

It is the deterministic default (CI, offline demos) and the safety net when a generative backend
fails. Per question it picks one kind of answer, cites what it quotes with [n], and says it does
not know (offering a person) when the evidence is weak:
  - a polite decline first, where the shopper asks for something it must not do (take a card
    number, reveal another customer's data, invent a discount code);
  - two named products compared ("which is warmer, A or B?"): each one's relevant spec lines;
  - a store policy (returns, shipping, payment, warranty, damage, exchanges, sizing) decided by the
    question's intent and words, even while a product is in focus;
  - a product list for browsing ("do you sell kayaks?"), kept to products that are that kind of
    thing and within a named budget - or "we don't seem to carry that", with the closest we have;
  - for the product in focus: a variant's price and stock, spec values matched by the spec keys,
    their values and shop synonyms, the description sentences that answer the question (catalogs
    without specs), else its summary; a thing that must fit ("fit a laptop?") that its details
    never mention is said so, not answered with the product's own fit.
A message asking several things (assistant/answers/questions.py) gets each part answered and the
replies joined; a quoted page loses its example order numbers (assistant/answers/examples.py) and
a shopper's own order id is acknowledged, honestly, as one this backend cannot look up. Every
sentence around the quoted facts comes from assistant/answers/phrasing.py.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import replace

from assistant.answers import phrasing as say
from assistant.answers.asking import english_question
from assistant.answers.citations import cited_numbers
from assistant.answers.examples import ORDER_LIKE, shoppers_ids, without_examples
from assistant.answers.prices import price_text, sale_text
from assistant.answers.questions import question_parts
from assistant.backends.base import AnswerRequest, BackendOptions, ModelBackend
from assistant.knowledge.catalog import Product, Variant
from assistant.knowledge.chunking import HIDDEN_SPECS, spec_label
from assistant.answers.prices import money
from assistant.knowledge.evidence import Evidence
from assistant.knowledge.products import asked_kind, kind_match, names_product
from assistant.knowledge.retrieval import wants_variants
from assistant.dialogue.state import POLICY_INTENTS
from assistant.lexicon import lexicon
from assistant.messages import catalog, language_code
from assistant.lexicon.text import has_phrase, like_any, similar, stem, stems, words
from assistant.privacy import has_card_number

# How shoppers ask, from the lexicon: browsing, the whole store, "instead", comparisons, sizing,
# policy words that beat a product in focus, price asks, yes/no questions, and what is declined.
_WORDS = lexicon("en")
(ALTERNATIVE, COLORS, COMPARE, DESCRIPTION_HINTS, FREEBIE, LISTING, OTHERS_DATA, POLICY_WORDS, PRICE_ASK,
 SIZING, SPEC_SYNONYMS, STOPWORDS, STORE_OVERVIEW, YES_NO) = (
    _WORDS.alternative, _WORDS.colors, _WORDS.compare, _WORDS.description_hints, _WORDS.freebie,
    _WORDS.listing, _WORDS.others_data, _WORDS.policy_words, _WORDS.price_ask, _WORDS.sizing,
    _WORDS.spec_synonyms, _WORDS.stopwords, _WORDS.store_overview, _WORDS.yes_no)
content_stems, expand_places, find_budget = _WORDS.content_stems, _WORDS.expand_places, _WORDS.find_budget

# Option values as tokens: numbers (with decimals) apart from their units, words, and % or inch marks,
# so "1TB SSD", "1 TB" and "1tb" read alike.
_VALUE_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+|[%\"″]")
MONEY_AMOUNT = re.compile(r"[$€£]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:usd|eur|gbp|dollars?|euros?|pounds?)\b", re.I)


def value_tokens(text: str) -> list[str]:
    return _VALUE_TOKEN.findall(text.lower())


# "does it fit a laptop?": what must fit is the thing named after the verb, not the product's own fit
# (sizing); "how does it fit?" and "does it fit true to size?" name no such thing.
FIT_OBJECT = re.compile(r"\bfits?\s+(?:in(?:to|side)?\s+)?(a|an|my|your|our|the)\s+([^?.!,;]+?)"
                        r"(?=\s+(?:in|into|inside|with|and|or|on)\b|\s*[?.!,;]|\s*$)")


def fit_object(q: str) -> tuple[str, str] | None:
    """(the thing that must fit, the question without the verb "fit") or None."""
    match = FIT_OBJECT.search(q)
    if not match:
        return None
    thing = match.group(2).strip()
    article = match.group(1) if match.group(1) in ("a", "an") else ("an" if thing[:1] in "aeiou" else "a")
    return f"{article} {thing}", q[: match.start()] + q[match.start(1):]


# The language of the answer being written: set for the length of one ``answer`` call (a
# context variable, so concurrent conversations on one backend never share it).
_LANG: ContextVar[str] = ContextVar("answer_language", default="en")


def lang() -> str:
    return _LANG.get()


def t(key: str, **values) -> str:
    """A catalog sentence in the language of the answer being written."""
    return say.say(key, lang(), **values)


DONT_KNOW = say.say("dont_know")      # English; ``dont_know()`` is the answer's language
SENTENCE = re.compile(r"(?<=[.!?])\s+")


class ExtractiveOptions(BackendOptions):
    min_score: float = 0.30        # below this cosine similarity the evidence is "weak"
    list_min_score: float = 0.20   # a listed product (the kind and budget already fit) needs this much
    max_listed: int = 5


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
        token = _LANG.set(req.language or "en")
        try:
            return self._answer(req)
        finally:
            _LANG.reset(token)

    def _answer(self, req: AnswerRequest) -> str:
        evidence = req.evidence
        declined = self._decline(req)
        if declined:
            return declined
        if (not evidence or max(e.score for e in evidence) < self.options.min_score) and not self._asks_about_focus(req):
            phrase, _ = asked_kind(req.question.lower())
            # "do you sell kayaks?" in a shop without any: no close match is itself the answer
            return self._not_carried(phrase, evidence, [], {}) if req.not_sold and phrase else t("dont_know")
        typed, _, seen = req.question.partition("\n")   # what photos read follows the shopper's words
        parts = question_parts(typed, req.language)
        if len(parts) > 1:                              # each part restated on its own
            return self._answer_parts(req, parts, seen)
        return self._answer_one(self._restated(req))    # one question, put in English where needed

    def _restated(self, req: AnswerRequest) -> AnswerRequest:
        """A question in another language that these English rules cannot read, restated in
        English where its meaning is sure (assistant/answers/asking.py): "Alpine 40 背包有多重?"
        is answered as "what is its weight?". The shopper's words follow (without their question
        marks, so they stay one question) for the options they name ("XL"), and colours the
        language's lexicon knows are added in English. Browsing, policy and order questions (asks
        of their own in the match) go by the intent and evidence as they are."""
        if language_code(req.language) == "en":     # (the intent is not asked: the classifier reads
            return req                              # other languages less surely than this match)
        typed, _, seen = req.question.partition("\n")
        rest = f"\n{seen}" if seen else ""
        own = lexicon(req.language)
        colours = list(dict.fromkeys(c for alias, c in own.color_aliases.items()
                                     if own.language != "en" and alias in typed.lower()))
        product = req.product_in_focus or self._named_product(req.evidence)
        if product is None or self._understood(product, typed):
            return replace(req, question=" ".join([typed, *colours]) + rest) if colours else req
        english = english_question(typed, product, req.language)
        if english is None:
            return req
        said = re.sub(r"[?？¿!！¡]", " ", typed).strip()
        return replace(req, question=" ".join([english, said, *colours]) + rest)

    def _asks_about_focus(self, req: AnswerRequest) -> bool:
        """A message in another language that surely asks about the product in focus, whose facts
        are in the evidence ("续航怎么样" after the earbuds): weak scores across languages do not
        make it unanswerable (the conversation's handoff rule reads it the same way)."""
        product = req.product_in_focus
        if language_code(req.language) == "en" or product is None or self._number(req.evidence, product.id) is None:
            return False
        return english_question(req.question.partition("\n")[0], product, req.language) is not None

    def _understood(self, product: Product, typed: str) -> bool:
        """Do the English rules already see what is asked (a spec, the price, options)?"""
        q = typed.lower()
        return bool(self._spec_lines(product, q, strong=True) or PRICE_ASK.search(q) or wants_variants(q))

    def _answer_parts(self, req: AnswerRequest, parts: list[str], seen: str) -> str:
        """Each question of a several-question message answered on its own, joined into one
        reply; a part naming no product is about the one the message is about so far. A part in
        another language is restated on its own ("und wie schwer sind die" after "wasserdicht?")."""
        catalog = self._product_lookup(req.evidence)
        product = req.product_in_focus or self._named_product(req.evidence)
        policy_words = lexicon(req.language).policy_words
        replies: list[str] = []
        for part in parts:
            named = [p for p in catalog.values() if names_product(p, part.lower())]
            product = named[0] if len(named) == 1 else product
            sub = replace(req, question=part + (f"\n{seen}" if seen else ""), product_in_focus=product,
                          intent=req.intent if policy_words.search(part.lower()) else None)
            reply = self._answer_one(self._restated(sub), part_of_several=True)
            if reply == t("dont_know") and replies:
                continue
            if reply not in replies:
                replies.append(reply)
        return say.joined(replies)

    def _answer_one(self, req: AnswerRequest, part_of_several: bool = False) -> str:
        evidence = req.evidence
        reply = self._choose(req, part_of_several)
        # the id the shopper typed (one read from a photo is not repeated back: the reply's grounding
        # is checked against the shopper's words and the evidence)
        order_ids = ORDER_LIKE.findall(req.question.split("\n", 1)[0])
        docs_cited = {i for i in cited_numbers(reply) if 0 < i <= len(evidence) and evidence[i - 1].kind in ("faq", "policy")}
        if order_ids and docs_cited and reply != t("dont_know"):
            return say.order_unseen(order_ids[0].upper(), lang()) + say.lead_in(reply)
        return reply

    def _choose(self, req: AnswerRequest, part_of_several: bool = False) -> str:
        evidence = req.evidence
        q = req.question.lower()
        typed = q.split("\n", 1)[0]     # the shopper's own words; what photos read follows them
        catalog = self._product_lookup(evidence)
        product = req.product_in_focus or self._named_product(evidence)
        doc = self._best_document(evidence, q, product)
        named = [p for p in catalog.values() if names_product(p, q)]
        # 0. a photo the catalog match is sure of, with no more than "is this yours?"
        if req.recognised is not None and self._only_identifies(typed):
            return self._recognised_answer(req.recognised, evidence)
        # 0. "what do you sell?"
        if STORE_OVERVIEW.search(q):
            overview = self._store_overview(evidence)
            if overview:
                return overview
        # 1. two named products compared
        if len(named) >= 2 and COMPARE.search(q) and not wants_variants(typed):
            compared = self._compare(named[:2], q, evidence)
            if compared:
                return compared
        # 1. one price question about several products ("how much are these two?" with a photo of
        # each, or both named): each product's own answer
        several = [p for p in named if names_product(p, q, strict=True)]
        if len(several) >= 2 and not part_of_several and PRICE_ASK.search(typed) and not COMPARE.search(q):
            replies = [self._answer_one(replace(req, question=typed, product_in_focus=p, recognised=None), True)
                       for p in several[:3]]
            return say.joined(list(dict.fromkeys(r for r in replies if r != t("dont_know")))) or t("dont_know")
        # 2. store policy, decided by the question's intent and words
        about_product = product is not None and not POLICY_WORDS.search(q) and (
            bool(self._spec_lines(product, q, strong=True)) or bool(PRICE_ASK.search(q))
            or bool(self._description_sentences(product, typed, keep=1, min_words=2)))
        if doc and (SIZING.search(q) or (req.intent in POLICY_INTENTS and not about_product)):
            return self._policy_answer(doc, product, req, evidence)
        # 3. browsing: "do you sell...", "gifts under $30"
        budget, _ = find_budget(req.question)
        browsing = LISTING.search(q) or req.intent == "recommendation" or budget is not None
        if browsing and not (product and names_product(product, q, strict=True)):
            exclude = product.id if product and ALTERNATIVE.search(q) else None
            listed = self._list_products(evidence, q, budget, exclude)
            if listed:
                return listed
        # 4. the product in focus
        if product is not None and self._number(evidence, product.id) is not None:
            if fit_object(typed):
                missed = self._not_mentioned(product, typed, evidence, False)
                if missed:
                    return missed
            spec_first = bool(self._spec_lines(product, typed, strong=True)) and not wants_variants(typed)
            price_first = bool(PRICE_ASK.search(typed))
            for attempt in (self._spec_answer(product, q, evidence, req.question) if spec_first else None,
                            self._variant_answer(product, req, q, evidence, explicit_only=True),
                            self._stock_answer(product, typed, evidence),
                            self._summary_answer(product, evidence, brief=part_of_several) if price_first else None,
                            self._spec_answer(product, q, evidence, req.question),
                            self._variant_answer(product, req, q, evidence, explicit_only=False),
                            self._manual_answer(product, q, evidence),
                            self._description_answer(product, q, evidence)):
                if attempt:
                    return attempt
            missed = self._not_mentioned(product, typed, evidence, part_of_several)
            if missed:
                return missed
        if doc is not None and (product is None or doc[1].score >= self._best_product_score(evidence, product)):
            return doc[0]
        if product is not None and self._number(evidence, product.id) is not None:
            return self._summary_answer(product, evidence)
        listed = self._list_products(evidence, q, budget, None)
        return listed or t("dont_know")

    # -- a recognised photo ---------------------------------------------------------------
    @staticmethod
    def _only_identifies(typed: str) -> bool:
        """"is this yours?", "do you sell this?", "what is this?": nothing asked beyond what it is."""
        if PRICE_ASK.search(typed) or wants_variants(typed):
            return False
        rest = LISTING.sub(" ", typed)
        return not [w for w in content_stems(rest) if w not in {"sell", "carry", "stock", "product", "item", "call"}]

    def _recognised_answer(self, product: Product, evidence: list[Evidence]) -> str:
        options = []
        first = next(iter(product.variants[0].options), None) if product.variants else None
        if first:
            options = list(dict.fromkeys(v.options[first] for v in product.variants if v.in_stock and first in v.options))
        return say.recognised(product.name, price_text(product, lang=lang()), product.in_stock, options,
                              self._cite(evidence, product.id, "product"), lang())

    # -- declines -------------------------------------------------------------------------
    def _decline(self, req: AnswerRequest) -> str | None:
        """What the assistant must not do, whatever the evidence says."""
        text = req.question
        evidence = req.evidence or []
        docs = lambda *words_: self._cite_doc(evidence, *words_)  # noqa: E731
        if has_card_number(text):
            what = t("decline_card_product", name=req.product_in_focus.name) if req.product_in_focus else ""
            return t("decline_card", what=what, cite=docs('payment', 'card'))
        if OTHERS_DATA.search(text):
            return t("decline_others_data", cite=docs('privacy', 'personal data'))
        if FREEBIE.search(text):
            best = self._best_document(evidence, text.lower(), None, prefer=("promo", "discount", "code"))
            policy = f" {best[0]}" if best else ""
            return t("decline_codes") + policy
        return None

    def _cite_doc(self, evidence: list[Evidence], *topic_words: str) -> str:
        for i, e in enumerate(evidence, 1):
            if e.kind in ("faq", "policy") and any(w in (e.title + " " + e.text).lower() for w in topic_words):
                return f" [{i}]"
        return ""

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

    def _product_lookup(self, evidence: list[Evidence]) -> dict[str, Product]:
        found: dict[str, Product] = {}
        for e in evidence:
            if e.product_id and e.product_id not in found and e.metadata.get("product_json"):
                found[e.product_id] = e.product()
        return found

    # -- documents ------------------------------------------------------------------------
    def _best_document(self, evidence: list[Evidence], q: str, product: Product | None,
                       prefer: tuple[str, ...] = ()) -> tuple[str, Evidence, float] | None:
        """The FAQ answer or policy passage that fits best: retrieval's rank (embedding + keywords),
        a curated FAQ answer (quoted whole) slightly before a policy section (two sentences of it),
        for sizing the passage that names the product."""
        docs = [(i, e) for i, e in enumerate(evidence, 1) if e.kind in ("faq", "policy")
                and e.score >= self.options.min_score]
        if not docs:
            return None
        name = product.name.lower() if product else None
        sizing = bool(SIZING.search(q))

        def rank(item: tuple[int, Evidence]) -> float:
            e = item[1]
            value = e.metadata.get("rank_score", e.score) + (0.1 if e.kind == "faq" else 0.0)
            if sizing and name and name in e.text.lower():
                value += 0.1
            if prefer and any(w in e.title.lower() for w in prefer):
                value += 0.2
            return value

        n, best = max(docs, key=rank)
        shopper = shoppers_ids(q)       # a page's example order number is never quoted as the shopper's
        if best.kind == "faq":
            text = without_examples(best.text.split("\nA:", 1)[-1].strip(), shopper)
        else:
            text = self._best_sentences(without_examples(best.text.split("\n", 1)[-1].strip(), shopper), q, name, 2,
                                        product.category if product else "")
        return f"{say.quoting(best.source_id, lang())}{text} [{n}]", best, rank((n, best))

    @staticmethod
    def _best_sentences(text: str, q: str, name: str | None, keep: int, category: str = "") -> str:
        """The passage's sentences that share most words with the question (and the category of
        the product asked about: "electronics accessories are accepted opened")."""
        sentences = [s.strip().lstrip("- ") for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
        asked = set(content_stems(expand_places(q))) | set(content_stems(category))
        scores = []
        for s in sentences:
            own = stems(s)
            score = sum(1 for a in asked if like_any(a, own))
            if name and name in s.lower():
                score += 2
            scores.append(score)
        ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
        top = scores[ranked[0]] if ranked else 0
        chosen = [i for i in ranked[:keep] if i == ranked[0] or scores[i] >= max(1, top / 2)]
        return " ".join(sentences[i] for i in sorted(chosen))

    def _policy_answer(self, doc: tuple[str, Evidence, float], product: Product | None, req: AnswerRequest,
                       evidence: list[Evidence]) -> str:
        """The policy, led by what the product in focus says on the same point (its warranty, its fit)."""
        q = req.question.lower()
        if product is None or self._number(evidence, product.id) is None:
            return doc[0]
        keys: list[str] = []
        if req.intent == "warranty_claim" or "warrant" in q or "guarantee" in q:
            keys = [k for k in product.specs if "warranty" in k]
        elif SIZING.search(q):
            keys = [k for k in product.specs if k in ("fit", "sizing", "torso_fit", "fits_height")]
        if not keys:
            return doc[0]
        return f"{self._facts(product, keys[:2], evidence)} {doc[0]}"

    # -- browsing -------------------------------------------------------------------------
    def _list_products(self, evidence: list[Evidence], q: str, budget: float | None, exclude: str | None) -> str | None:
        products = self._product_lookup(evidence)
        ranked: list[str] = []
        for e in evidence:
            if e.product_id in products and e.product_id not in ranked and e.score >= self.options.list_min_score \
                    and e.product_id != exclude:
                ranked.append(e.product_id)
        phrase, kind = asked_kind(q)
        if kind:
            fits = {pid: kind_match(products[pid], kind) for pid in ranked}
            best = max(fits.values(), default=0)
            if best == 0:
                within = [pid for pid in ranked if budget is None or products[pid].price_range()[0] <= budget]
                return self._not_carried(phrase, evidence, within, products)
            ranked = [pid for pid in ranked if fits[pid] == best]
        currency = next((products[pid].currency for pid in ranked), "USD")   # the store's own currency
        if budget is not None:
            within = [pid for pid in ranked if products[pid].price_range()[0] <= budget]
            if ranked and not within and kind:
                return "\n".join([t("none_under_budget", phrase=phrase, budget=money(budget, currency, lang())),
                                  *self._lines(ranked[:3], products, evidence)])
            ranked = within
        if not ranked:
            return None
        head = t("listing_head_budget", budget=money(budget, currency, lang())) if budget is not None \
            else t("listing_head")
        return "\n".join([head, *self._lines(ranked[: self.options.max_listed], products, evidence)])

    def _lines(self, ids: list[str], products: dict[str, Product], evidence: list[Evidence]) -> list[str]:
        out = []
        for pid in ids:
            p = products[pid]
            out.append(say.listing_line(p.name, p.brand, price_text(p, lang=lang()), p.in_stock,
                                        self._cite(evidence, pid, 'product'), lang()))
        return out

    def _not_carried(self, phrase: str, evidence: list[Evidence], ranked: list[str],
                     products: dict[str, Product]) -> str:
        text = t("not_carried", phrase=phrase)
        # only things related to what was asked count as "closest" (a water shoe "for kayaking"
        # for kayaks), never whatever else scored: a rain shell is not near a kayak
        asked = {stem(w, True) for w in words(phrase)}
        ranked = [pid for pid in ranked if any(e.product_id == pid and e.score >= self.options.min_score
                                               for e in evidence)
                  and asked & {stem(w, True) for w in words(self._product_text(products[pid]))}]
        if ranked:
            return "\n".join([text + t("not_carried_closest"), *self._lines(ranked[:3], products, evidence)])
        for i, e in enumerate(evidence, 1):
            if e.kind == "category" and e.score >= self.options.min_score:
                what = e.text.split(':', 1)[-1].split('. Kinds')[0].strip().rstrip('.')
                return text + t("not_carried_category", category=e.metadata.get('category') or t("that_category"),
                                what=what, cite=say.cite(i))
        return text + t("not_carried_else")

    @staticmethod
    def _product_text(product: Product) -> str:
        return " ".join([product.name, product.category, *product.tags, product.description])

    def _store_overview(self, evidence: list[Evidence]) -> str | None:
        for i, e in enumerate(evidence, 1):
            if e.kind == "category":
                what = e.text.split(":", 1)[-1].strip().rstrip(".")
                return t("store_overview", what=what, cite=say.cite(i))
        return None

    # -- comparing ------------------------------------------------------------------------
    def _compare(self, products: list[Product], q: str, evidence: list[Evidence]) -> str | None:
        """Each product's spec lines on the asked point; one without them says so."""
        if any(self._number(evidence, p.id) is None for p in products):
            return None
        names = {w for o in products for w in words(o.name) if "-" not in w}
        asked = " ".join(w for w in re.findall(r"[\w'-]+|[^\w\s]", q) if w not in names)
        found = {p.id: self._spec_lines(p, asked) for p in products}
        labels = list(dict.fromkeys(say.label(k, lang()) for keys in found.values() for k in keys))
        parts, missing = [], []
        for p in products:
            n = self._cite(evidence, p.id, "specs", "product")
            if found[p.id]:
                parts.append(self._facts(p, found[p.id], evidence))
                continue
            sentence = self._description_sentences(p, asked, keep=1)
            if sentence:
                parts.append(say.description_answer(p.name, sentence, n, lang()))
            else:
                missing.append(t("compare_missing", name=p.name, cite=say.cite(n),
                                 labels=t("list_or").join(labels[:2]) or t("details_on_that")))
        if not parts:   # no point asked about: each one's price and what it is
            parts = [t("compare_brief", name=p.name, price=price_text(p, lang=lang()),
                       text=SENTENCE.split(p.description.strip())[0], cite=say.cite(self._cite(evidence, p.id, 'product')))
                     for p in products if p.description]
            missing = []
        return " ".join(parts + missing) if parts else None

    # -- the product in focus -------------------------------------------------------------
    @staticmethod
    def _mentioned_options(product: Product, q: str, attributes: dict[str, str]) -> dict[str, str]:
        chosen: dict[str, str] = {}
        sizes = {v.lower(): code for v, code in _WORDS.size_words.items()}
        for option in {k for v in product.variants for k in v.options}:
            values = sorted(product.option_values(option), key=len, reverse=True)
            wanted = (attributes.get(option) or "").lower()
            if not wanted:   # "in large" for a size "L"
                said = [code for word, code in sizes.items() if re.search(rf"\b{re.escape(word)}\b", q.lower())]
                wanted = max(said, key=len, default="").lower() if any(
                    v.upper() in sizes.values() for v in values) else ""
            for value in values:
                lv = value.lower()
                if lv == wanted or (len(lv) > 2 and re.search(rf"\b{re.escape(lv)}\b", q.lower())) or \
                        (len(lv) <= 3 and (re.search(rf"(?<![\w'’]){re.escape(value.upper())}\b", q) or
                                           re.search(rf"\b(size|in|an?)\s+{re.escape(lv)}\b", q.lower()))):
                    chosen[option] = value
                    break
            if option not in chosen:
                named = ExtractiveBackend._named_value(option, values, q, product.name)
                if named:
                    chosen[option] = named
            if option == "color" and option not in chosen:
                # "in blue" when the only blue is "Slate Blue"
                partial = [v for v in values if any(re.search(rf"\b{c}\b", q.lower()) and re.search(rf"\b{c}\b", v.lower())
                                                    for c in COLORS)]
                if len(partial) == 1:
                    chosen[option] = partial[0]
        return chosen

    @staticmethod
    def _named_value(option: str, values: list[str], q: str, name: str = "") -> str | None:
        """The option value the shopper names by what sets it apart from the others, whatever its
        shape: "1TB" for "1TB SSD" (beside "512GB SSD"), "10.5" for "Size 10.5", "80%", "6.1 inch".
        Words every value shares and the option's own name do not count, nor do prices ("under $50"
        is not "50 L"), nor the product's own name ("Alpine 40" is not "40 L"); a lone short word
        ("M", "XL") is left to the stricter rule above."""
        asked = value_tokens(MONEY_AMOUNT.sub(" ", q))
        own_name = set(value_tokens(name))
        in_name = [t in own_name for t in asked]
        asked = [t for i, t in enumerate(asked) if not (in_name[i] and (
            (i > 0 and in_name[i - 1]) or (i + 1 < len(asked) and in_name[i + 1])))]
        shared = set.intersection(*(set(value_tokens(v)) for v in values)) if len(values) > 1 else set()
        best, best_len = None, 0
        for value in values:
            own = [t for t in value_tokens(value) if t not in shared and t not in value_tokens(option)]
            if not own or (len(own) == 1 and own[0].isalpha() and len(own[0]) <= 3):
                continue
            if any(asked[i:i + len(own)] == own for i in range(len(asked) - len(own) + 1)) and len(own) > best_len:
                best, best_len = value, len(own)
        return best

    def _variant_answer(self, product: Product, req: AnswerRequest, q: str, evidence: list[Evidence],
                        explicit_only: bool) -> str | None:
        if not product.variants:
            return None
        typed = req.question.split("\n", 1)[0]
        explicit = self._mentioned_options(product, typed, {})
        asked_color = self._asked_unknown_color(product, typed.lower(), {})
        if explicit_only and not explicit and not asked_color:
            return None
        if not explicit_only and not wants_variants(q):
            return None
        chosen = self._mentioned_options(product, req.question, req.attributes)
        asked_color = asked_color or self._asked_unknown_color(product, q, req.attributes)
        n = self._cite(evidence, product.id, "variants", "product")
        if asked_color and "color" not in chosen:
            colors = product.option_values("color")
            return t("color_missing", name=product.name, color=asked_color, colors=t("list_sep").join(colors),
                     cite=say.cite(n))
        matches = [v for v in product.variants if all(v.options.get(k) == val for k, val in chosen.items())]
        if chosen and matches:
            return self._describe_variants(product, chosen, matches, n, typed)
        if has_phrase(q.split("\n", 1)[0], "in stock") or has_phrase(q.split("\n", 1)[0], "available"):
            return say.stock_answer(product.name, [v.label() for v in product.variants if v.in_stock],
                                    [v.label() for v in product.variants if not v.in_stock], n, lang())
        options = product.options()
        parts = [t("option_values_plural" if k.endswith("s") else "option_values", label=say.label(k, lang()),
                   values=t("list_sep").join(vals)) for k, vals in sorted(options.items())]
        out = [v.label() for v in product.variants if not v.in_stock]
        text = t("options", name=product.name, parts=t("part_sep").join(parts), cite=say.cite(n))
        if out:
            text += t("options_out", out=t("list_sep").join(out))
        else:
            text += t("options_all_in")
        return text

    @staticmethod
    def _asked_unknown_color(product: Product, q: str, attributes: dict[str, str]) -> str | None:
        known = {c.lower() for c in product.option_values("color")}
        if not known:
            return None
        wanted = attributes.get("color", "").lower()
        for color in COLORS:
            if (color == wanted or re.search(rf"\b{color}\b", q)) and not any(color in k for k in known):
                return color
        return None

    def _describe_variants(self, product: Product, chosen: dict[str, str], matches: list[Variant], n: int,
                           question: str = "") -> str:
        """The asked variant's price and stock; one that cannot be bought says so first and offers
        the in-stock variants nearest to it instead (its price is no answer to "can I get it?")."""
        what = " ".join(chosen[k] for k in sorted(chosen, key=lambda k: k != "color"))
        in_stock = [v for v in matches if v.in_stock]
        if not in_stock:
            key = "variant_out_every" if len(matches) > 1 else "variant_out"
            return t(key, name=product.name, what=what, cite=say.cite(n)) + self._in_stock_instead(product, chosen)
        if len(matches) == 1:
            v = matches[0]
            price = sale_text(product.variant_price(v), product.was_price(v), product.currency, lang())
            left = t("variant_left", stock=v.stock) if v.stock is not None and v.stock <= 5 else ""
            text = t("variant_in", the_name=say.the(product.name, lang()), name=product.name, what=what, price=price,
                     left=left)
            return say.finish(say.yes_no_lead(True, lang()) + text if YES_NO.search(question) else say.capital(text),
                              n, lang())
        rest = [o for o in {k for v in matches for k in v.options} if o not in chosen]
        avail = t("list_sep").join(" ".join(v.options[o] for o in rest if o in v.options) or v.sku for v in in_stock)
        cheapest = min(in_stock, key=product.variant_price)
        low = sale_text(product.variant_price(cheapest), product.was_price(cheapest), product.currency, lang())
        return t("variant_range", name=product.name, what=what, price=low, available=avail, cite=say.cite(n),
                 rest=t("list_sep").join(catalog(lang(), "specs").get(o, o) for o in rest) or t("these_options"))

    @staticmethod
    def _in_stock_instead(product: Product, chosen: dict[str, str], limit: int = 4) -> str:
        """" In stock instead: Black / L ($134.00), ..." - those sharing most of the asked options first."""
        others = [v for v in product.variants if v.in_stock]
        if not others:
            return t("instead_none")
        others.sort(key=lambda v: -sum(v.options.get(k) == value for k, value in chosen.items()))
        listed = t("list_sep").join(
            f"{v.label()} ({sale_text(product.variant_price(v), product.was_price(v), product.currency, lang())})"
            for v in others[:limit])
        return t("instead", options=listed)

    @staticmethod
    def _spec_lines(product: Product, q: str, strong: bool = False) -> list[str]:
        """The spec keys a question asks about, best first: synonyms and key words count 3, each
        question word found in the value 1 ("dishwasher" in "hand wash only; not dishwasher safe")."""
        specs = {k: v for k, v in product.specs.items() if k not in HIDDEN_SPECS}
        if not specs:
            return []
        fitting = fit_object(q)
        if fitting:                 # the thing that must fit is asked about, not the product's fit
            q = fitting[1]
        name = stems(product.name)
        asked = content_stems(q, exclude=name)
        # a synonym inside the product's own name asks nothing ("Ridgecrest Waterproof Boot":
        # "what about the Ridgecrest Waterproof Boot, was kostet der?" is no waterproofing question)
        unnamed = re.sub(re.escape(product.name.lower()), " ", q.lower())
        wanted = {k for phrase, keys in SPEC_SYNONYMS.items() if has_phrase(unnamed, phrase) for k in keys}
        scored = []
        for key, value in specs.items():
            key_words = stems(spec_label(key))
            value_words = stems(str(value))
            on_key = [a for a in asked if like_any(a, key_words)]
            on_value = [a for a in asked if a not in on_key and like_any(a, value_words)]
            score = 3 * (key in wanted) + 3 * len(on_key) + len(on_value)
            if score >= (3 if strong else 2):
                scored.append((score, key))
        if not scored:
            return []
        top = max(s for s, _ in scored)
        return [k for s, k in sorted(scored, key=lambda x: -x[0]) if s >= 0.5 * top][:3]

    def _spec_answer(self, product: Product, q: str, evidence: list[Evidence], original: str = "") -> str | None:
        keys = self._spec_lines(product, q)
        if not keys:
            return None
        lead = self._compatibility_lead(product, keys[0], original or q)
        verdict = None if lead else self._verdict(product, keys[0], original or q)
        text = lead + self._facts(product, keys, evidence, say.yes_no_lead(verdict, lang()))
        context = self._context_sentence(product, original or q, keys, evidence)
        return f"{text} {context}" if context else text

    def _fact_cite(self, evidence: list[Evidence], product: Product, key: str) -> int:
        """The evidence a spec fact is quoted from: the manual section it was read from (its
        ``spec_sources`` entry), else the product's specs chunk, else its summary."""
        source = product.spec_sources.get(key)
        if source:
            for i, e in enumerate(evidence, 1):
                if e.source_id == source:
                    return i
            for i, e in enumerate(evidence, 1):
                if e.product_id == product.id and key in str(e.metadata.get("spec_keys", "")).split(","):
                    return i
        return self._cite(evidence, product.id, "specs", "product")

    def _facts(self, product: Product, keys: list[str], evidence: list[Evidence], lead: str = "") -> str:
        """"The X's weight is 15 lbs and its sole is rubber [2].", each fact cited to where it was
        read (one mark when they share it)."""
        facts = [(say.label(k, lang()), str(product.specs[k]), self._fact_cite(evidence, product, k)) for k in keys]
        return say.facts_sentence(product.name, facts, lead, lang())

    @staticmethod
    def _verdict(product: Product, key: str, q: str) -> bool | None:
        """Yes or no, where a yes/no question's spec decides it: a value that says yes/no itself
        ("yes, under 100 Wh"), or one that negates a word the shopper used ("not dishwasher safe")."""
        if not YES_NO.search(q):
            return None
        value = str(product.specs[key])
        asked = content_stems(q, exclude=stems(product.name))
        decided, _ = say.verdict(value)
        label = stems(spec_label(key))
        by_synonym = any(has_phrase(q, phrase) and key in keys for phrase, keys in SPEC_SYNONYMS.items())
        if decided is not None and (by_synonym or all(like_any(a, label) for a in asked)):
            return decided      # "oven safe: yes" says nothing about "dishwasher safe?"
        for match in re.finditer(r"\b(?:not|no|never)\s+([\w-]+)", value.lower()):
            if any(similar(a, stem(match.group(1))) for a in asked):
                return False
        return None

    def _context_sentence(self, product: Product, q: str, keys: list[str], evidence: list[Evidence]) -> str:
        """One description sentence on the asked point, after the facts, where the product's
        summary (which holds the description) is in the evidence."""
        n = self._number(evidence, product.id, "product")
        if n is None or not product.description or any(k in product.spec_sources for k in keys):
            return ""                   # facts read from a manual stay cited to the manual alone
        sentence = self._description_sentences(product, q, keep=1, min_words=1)
        stated = {t for k in keys for t in value_tokens(str(product.specs[k])) if t[:1].isdigit()}
        if not sentence or len(sentence) > 240 or stated & set(value_tokens(sentence)):
            return ""                   # nothing new: it restates the value
        return say.description_context(sentence, n, lang())

    @staticmethod
    def _compatibility_lead(product: Product, key: str, q: str) -> str:
        """"Will it charge my iPhone 16?" -> "Yes, iPhone 16 is on its compatibility list." when every
        word of the device the shopper names is in the listed value."""
        if "compatib" not in key or not YES_NO.search(q):
            return ""
        value = stems(str(product.specs[key]))
        name = stems(product.name)
        tokens = [m for m in re.finditer(r"[A-Za-z0-9][\w-]*", q) if stem(m.group(0).lower()) not in name
                  and m.group(0).lower() not in STOPWORDS
                  and not any(has_phrase(m.group(0).lower(), p) for p in SPEC_SYNONYMS)]
        device = [m for m in tokens if stem(m.group(0).lower()) in value]
        if not device:
            return ""
        span = q[device[0].start(): device[-1].end()]
        return say.on_compatibility_list(span, lang())

    def _not_mentioned(self, product: Product, q: str, evidence: list[Evidence], part_of_several: bool) -> str | None:
        """Nothing in the product's details answers the question: a thing that must fit that they
        never mention ("fit a laptop?"), or one part of a several-part question. Said so, with the
        size facts for a fit question, instead of a summary that answers something else."""
        n = self._cite(evidence, product.id, "specs", "product")
        fitting = fit_object(q)
        if fitting:
            thing = fitting[0]
            known = frozenset(stem(w) for v in product.specs.items() for w in words(" ".join(map(str, v))))
            known |= stems(product.description)
            if any(like_any(a, known) for a in content_stems(thing)):
                return None
            sizes = [k for k in SPEC_SYNONYMS["how big"] if k in product.specs]
            text = say.fit_not_mentioned(product.name, thing, n, lang())
            if sizes:
                text += " " + say.size_context([say.fact_clause(t("it"), say.label(k, lang()), str(product.specs[k]),
                                                                lang(), pronoun=True) for k in sizes], n, lang())
            return text
        if not part_of_several or wants_variants(q) or PRICE_ASK.search(q) or POLICY_WORDS.search(q):
            return None
        name = stems(product.name) | {stem(w, True) for w in words(product.name)}
        if not content_stems(q, exclude=name):
            return None
        return say.not_answered(product.name, q, n, lang())

    @staticmethod
    def _description_sentences(product: Product, q: str, keep: int = 2, min_words: int = 1) -> str:
        """The description's sentences that answer the question (shop synonyms widen the words)."""
        sentences = [s for s in SENTENCE.split(product.description.strip()) if s]
        fitting = fit_object(q)
        if fitting:
            q = fitting[1]
        asked = ExtractiveBackend._asked_stems(product, q)
        if not asked:
            return ""
        scored = []
        for i, s in enumerate(sentences):
            own = stems(s)
            score = sum(1 for a in asked if like_any(a, own))
            if score:
                scored.append((score, i))
        if not scored or max(s for s, _ in scored) < min_words:
            return ""
        top = max(s for s, _ in scored)
        chosen = sorted(i for s, i in sorted(scored, reverse=True)[:keep] if s >= top * 0.5)
        return " ".join(sentences[i] for i in chosen)

    def _manual_answer(self, product: Product, q: str, evidence: list[Evidence]) -> str | None:
        """Prose in the product's own documents (a manual or a guide's section on it) that answers
        the question better than its description does: "Waterproof rating 20,000 mm and ..."."""
        own = self._description_sentences(product, q, keep=1)
        bar = self._overlap(own, q, product) if own else 0.0
        best: tuple[float, int, str] | None = None
        for i, e in enumerate(evidence, 1):
            if e.kind != "manual" or e.product_id != product.id:
                continue
            body = e.text.split("\n", 1)[-1]
            text = self._description_sentences(product.model_copy(update={"description": body}), q, keep=2)
            score = self._overlap(text, q, product) if text else 0.0
            if score >= max(bar, 1.0) and (best is None or score > best[0]):
                best = (score, i, text)
        if best is None:
            return None
        return say.description_answer(product.name, best[2], best[1], lang())

    @staticmethod
    def _asked_stems(product: Product, q: str) -> set[str]:
        """The question's content words (the product's name and brand aside), widened by shop
        synonyms ("made of" -> material, fabric...)."""
        name = stems(product.name) | stems(product.brand)
        asked = set(content_stems(q, exclude=name))
        for phrase, hints in DESCRIPTION_HINTS.items():
            if has_phrase(q, phrase):
                asked |= {stem(h) for h in hints}
        return asked

    @staticmethod
    def _overlap(text: str, q: str, product: Product) -> float:
        """How well the text answers: each of the question's own words it holds counts 1, each
        shop synonym only 0.5 (matched exactly: a manual's prose is long enough for near-misses,
        or a synonym alone, "one size down" for "made of", to pick the wrong sentence)."""
        own = stems(text)
        name = stems(product.name) | stems(product.brand)
        asked = set(content_stems(q, exclude=name))
        hints = ExtractiveBackend._asked_stems(product, q) - asked
        return sum(1.0 for a in asked if a in own) + sum(0.5 for h in hints if h in own)

    def _description_answer(self, product: Product, q: str, evidence: list[Evidence]) -> str | None:
        text = self._description_sentences(product, q)
        if not text:
            return None
        return say.description_answer(product.name, text, self._cite(evidence, product.id, "product"), lang())

    def _stock_answer(self, product: Product, q: str, evidence: list[Evidence]) -> str | None:
        """"Is it in stock?" about a product sold without options: yes or no, with its price."""
        asks = YES_NO.search(q) and (has_phrase(q.lower(), "in stock") or has_phrase(q.lower(), "available"))
        if product.variants or not asks:
            return None
        return say.simple_stock(product.name, price_text(product, lang=lang()), product.in_stock,
                                self._cite(evidence, product.id, "product"), lang())

    def _summary_answer(self, product: Product, evidence: list[Evidence], brief: bool = False) -> str:
        """Price and stock, then what it is (left out when it answers one part of several)."""
        n = self._cite(evidence, product.id, "product")
        first = " ".join(SENTENCE.split(product.description.strip())[:2]) if product.description and not brief else ""
        sale = self._on_sale(product)
        first = f"{sale} {first}".strip() if sale else first
        return say.summary(product.name, product.brand, price_text(product, t("price_to"), lang()), product.in_stock,
                           first, n, lang())

    @staticmethod
    def _on_sale(product: Product) -> str:
        """"On sale: 1.5 L at $72.00 (was $90.00)." when only some options are marked down."""
        if product.was_range() is not None:
            return ""
        sale = [(v, product.was_price(v)) for v in product.variants if product.was_price(v) is not None]
        if not sale:
            return ""
        parts = [t("on_sale_item", label=v.label(),
                   price=sale_text(v.price if v.price is not None else product.price, was, product.currency, lang()))
                 for v, was in sale[:3]]
        return t("on_sale", parts=t("list_sep").join(parts))
