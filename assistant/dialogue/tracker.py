"""Dialogue state tracking: one shopper message in, the updated DialogueState and this turn's
signals out.

Per turn the tracker (1) finds slots (order id from text or OCR, email, products, size/colour,
budget, refund amount), (2) moves the product in focus ("the other one" switches to the previous
candidate, a newly named product takes focus, "it"/"that one" keeps it), (3) decides whether the
message is a follow-up and rewrites it with the product or order named ("what about brown in a 9?"
swaps the size and adds the colour; "my budget is about $150" narrows the previous search), (4)
labels the intent, (5) scores sentiment with a small offline lexicon, flags abuse,
dissatisfaction, cancel requests, explicit asks for a person and sensitive topics, and (6) keeps
frustration (rises on negative turns, decays on calm ones) and the consecutive-failure count.
Each message's language is detected first (``assistant.dialogue.language``; an integrator's
``state.locale`` wins), and the message is then read with that language's lexicon
(``assistant.lexicon``), so a shopper who switches language mid-conversation is read in the new
one; the per-message detectors are in ``assistant.dialogue.signals``.

It knows nothing about Chroma or the conversation manager: products come in through
``find_products(text) -> [ids]`` and ``product_name(id) -> name`` callables.
"""
from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

from assistant.dialogue.intents import IntentClassifier, is_human_request
from assistant.dialogue.language import detect_language, detector
from assistant.dialogue.signals import (EMAIL_RE, order_id_regex, detect_sensitive_topics, find_attributes, find_email,
                                        find_order_ids, find_refund_amount, is_abusive, is_cancel_request,
                                        is_dissatisfied, score_sentiment)
from assistant.dialogue.state import POLICY_INTENTS, DialogueState
from assistant.lexicon import lexicon
from assistant.settings import DEFAULT_ORDER_ID_PATTERN

MAX_CANDIDATES = 10
_NOT_A_TOPIC = ("greeting", "out_of_scope")


@dataclass
class TurnSignals:
    """What one message says beyond its slots; the handoff policy decides on these."""

    intent: str
    confidence: float
    is_followup: bool = False
    resolved_question: str = ""
    sentiment: float = 0.0
    abusive: bool = False
    angry: bool = False                 # sentiment at or below -0.5, or abusive
    dissatisfied: bool = False          # "that's not what I asked", "useless"
    sensitive_topics: tuple[str, ...] = ()
    human_request: bool = False
    cancel_request: bool = False        # "never mind", "cancel that", "it's fine now"
    refund_amount: float | None = None
    order_ids: tuple[str, ...] = ()
    product_ids: tuple[str, ...] = ()   # products named or matched this turn
    language: str = "en"
    topic_change: bool = False          # about something else than the product in focus

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Reading:
    """What the steps of one update learn about the message, passed from step to step."""

    text: str
    order_ids: list[str]
    attributes: dict[str, str]
    budget: float | None
    budget_span: tuple[int, int] | None
    mentioned: list[str]
    human: bool = False
    cancel: bool = False
    dissatisfied: bool = False
    elliptical: bool = False
    is_followup: bool = False
    resolved: str = ""
    reused_frame: bool = False
    disputes: bool = False
    topic_change: bool = False


@lru_cache(maxsize=4096)
def _name_mask(name: str) -> tuple[re.Pattern, str] | None:
    """The pattern that finds a product's name in a message, and the word that stands in for it
    (its last noun: "Summit Rain Jacket" reads as "jacket"); made once per name, not per turn."""
    words = set(re.findall(r"[a-z0-9]+", name.lower()))
    if not words:
        return None
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    whole = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if len(w) > 1)
    nouns = re.findall(r"[a-z]{3,}", name.lower())
    # a run of the name's words, joined as names are written ("8-inch Chef's Knife"), or one word
    # of it; a lone letter or digit ("s" in "what's", "2") is not a name by itself
    run = rf"(?:{alt})(?:[\s'’-]+(?:{alt}))+" + (f"|(?:{whole})" if whole else "")
    return re.compile(rf"(?<![\w'’-])(?:{run})\b", flags=re.I), (nouns[-1] if nouns else "it")


class DialogueTracker:
    """Updates a DialogueState from one shopper message and reports the turn's signals."""

    followup_inherit_below = 0.5    # an elliptical follow-up keeps the previous intent below this

    policy_topic_above = 0.6        # a store-policy question this sure is not about the product

    def __init__(self, classifier: IntentClassifier, find_products: Callable[[str], list[str]],
                 product_name: Callable[[str], str | None] | None = None,
                 order_id_pattern: str | None = None, language: str = "en",
                 fits_product: Callable[[str, str], bool | None] | None = None):
        self.classifier = classifier
        detector()                          # language models loaded at start, not in a shopper's turn
        self.find_products = find_products
        self.product_name = product_name or (lambda product_id: product_id)
        # fits_product(product_id, text): is the kind of thing the text asks for that product?
        # None when the text names no kind ("do you have it in red?").
        self.fits_product = fits_product or (lambda product_id, text: None)
        self.order_id_pattern = order_id_pattern or getattr(classifier, "order_id_pattern",
                                                             DEFAULT_ORDER_ID_PATTERN)
        self.words = lexicon(language)      # the language read when a message's is not known

    # 1-6 as in the module docstring; the input state is never mutated.
    def update(self, state: DialogueState, text: str, ocr_order_ids: Iterable[str] = (),
               matched_product_ids: Iterable[str] = ()) -> tuple[DialogueState, TurnSignals]:
        new = copy.deepcopy(state)
        text = (text or "").strip()
        new.turns += 1
        found = self.find_products(text) if text else []
        new.language = self.language_of(state, text, found)
        # the message is read with its language's words: a view of this tracker, so that one
        # tracker serves sessions in different languages at once
        reader = copy.copy(self)
        reader.words = lexicon(new.language)
        return reader._read(state, new, text, ocr_order_ids, [*found, *matched_product_ids])

    def language_of(self, state: DialogueState, text: str, product_ids: Iterable[str] = ()) -> str:
        """The integrator's locale when set, else the message's language (the conversation's so
        far when the message cannot tell); product names do not count as words of a language."""
        if state.locale:
            return state.locale
        names = [self._name(pid) or "" for pid in [*product_ids, *state.product_candidates[:3]]]
        return detect_language(text, state.language or "en", names=names, settled=state.turns > 0)

    def _read(self, state: DialogueState, new: DialogueState, text: str, ocr_order_ids: Iterable[str],
              product_ids: list[str]) -> tuple[DialogueState, TurnSignals]:
        reading = self._fill_slots(new, text, ocr_order_ids)
        reading.mentioned = self._move_focus(state, new, text, product_ids)
        expect = getattr(self.classifier, "expect", None)
        if expect is not None:
            # the texts this turn embeds, as far as they are known now (the message for retrieval,
            # its product-masked form for the intent), go in the classifier's next pass together
            expect(text, self._mask_products(text, new))
        reading.topic_change = self._changes_topic(state, new, reading)
        self._read_followup(state, new, reading)
        if reading.resolved != text and expect is not None:
            # retrieval asks with the rewritten question, the intent reads it masked
            expect(text, reading.resolved, self._mask_products(reading.resolved, new))
        intent, confidence = self._label_intent(state, new, reading)
        new.intent, new.intent_confidence = intent, confidence
        sentiment, abusive, refund = self._read_mood(state, new, reading, intent)
        self._count_frustration(state, new, sentiment, abusive, reading.dissatisfied)
        if not reading.disputes and intent not in ("greeting", "human_request"):
            new.last_question = reading.resolved
        signals = TurnSignals(
            intent=intent, confidence=round(float(confidence), 4), is_followup=reading.is_followup,
            resolved_question=reading.resolved, sentiment=sentiment, abusive=abusive,
            angry=abusive or sentiment <= -0.5, dissatisfied=reading.dissatisfied,
            sensitive_topics=detect_sensitive_topics(text, self.words), human_request=reading.human,
            cancel_request=reading.cancel, refund_amount=refund, order_ids=tuple(reading.order_ids),
            product_ids=tuple(reading.mentioned), language=new.language, topic_change=reading.topic_change,
        )
        return new, signals

    def _fill_slots(self, new: DialogueState, text: str, ocr_order_ids: Iterable[str]) -> _Reading:
        """1. Order id (typed beats OCR), email, size/colour, budget."""
        typed_ids = find_order_ids(text, self.order_id_pattern)
        ocr_ids = [i for raw in ocr_order_ids for i in find_order_ids(raw, self.order_id_pattern)]
        order_ids = typed_ids + [i for i in ocr_ids if i not in typed_ids]
        if order_ids:
            new.order_id = order_ids[0]
        email = find_email(text)
        if email:
            new.email = email
        attributes = find_attributes(text, self.words)
        new.attributes.update(attributes)
        budget, budget_span = self.words.find_budget(text)
        if budget is not None:
            new.budget = budget
        return _Reading(text, order_ids, attributes, budget, budget_span, mentioned=[])

    def _move_focus(self, state: DialogueState, new: DialogueState, text: str,
                    product_ids: Iterable[str]) -> list[str]:
        """2. Named or photo-matched products take focus; "the other one" switches back."""
        mentioned: list[str] = []
        for pid in product_ids:
            if pid and pid not in mentioned:
                mentioned.append(pid)
        previous_focus = state.product_in_focus
        if mentioned:
            new.product_in_focus = mentioned[0]
            new.product_candidates = mentioned + [c for c in new.product_candidates if c not in mentioned]
        elif self.words.other_one.search(text) and previous_focus:
            others = [c for c in new.product_candidates if c != previous_focus]
            if others:
                new.product_in_focus = others[0]
                new.product_candidates = [others[0]] + [c for c in new.product_candidates if c != others[0]]
        new.product_candidates = new.product_candidates[:MAX_CANDIDATES]
        return mentioned

    def _only_slots(self, text: str) -> bool:
        """The message holds nothing but an email, order ids or numbers (a zip code)."""
        rest = EMAIL_RE.sub(" ", text)
        rest = order_id_regex(self.order_id_pattern).sub(" ", rest)
        return bool(text.strip()) and not re.search(r"[^\W\d_]{2,}", rest)

    def _refers_back(self, text: str) -> bool:
        return bool(self.words.ellipsis.search(text)) or any(p.search(text) for p in self.words.pronouns)

    def _changes_topic(self, state: DialogueState, new: DialogueState, r: _Reading) -> bool:
        """2b. A message that names no product and does not point back ("it", "and in red?") may
        still leave the product in focus behind: it asks for another kind of thing ("do you sell
        kayaks?" after a jacket: the focus is dropped), or it is a store-policy question ("how
        long does shipping take?": answered as policy; the product stays in focus for later)."""
        focus = state.product_in_focus
        about_order = bool(state.order_id) and not focus    # "do you sell kayaks?" after an order
        if not (focus or about_order) or r.mentioned or self._refers_back(r.text) or new.product_in_focus != focus:
            return False
        if self.fits_product(focus, r.text) is False:
            new.product_in_focus = None
            return True
        if about_order:
            return False
        intent, confidence = self.classifier.classify(r.text, self.words)
        return intent in POLICY_INTENTS and confidence >= self.policy_topic_above

    def _read_followup(self, state: DialogueState, new: DialogueState, r: _Reading) -> None:
        """3. A follow-up refers back to what is in focus, or elides the question's frame; it is
        rewritten to name its object. A bare budget narrows the last search; a dispute re-asks."""
        text, mentioned = r.text, r.mentioned
        has_context = bool(state.product_in_focus or state.order_id) and state.turns > 0
        r.elliptical = bool(self.words.ellipsis.search(text)) or (
            not mentioned and len(text.split()) <= 3 and bool(r.attributes))
        refers = any(p.search(text) for p in self.words.pronouns) and not mentioned
        r.human = is_human_request(text, self.words)
        r.cancel = is_cancel_request(text, self.words)
        # a short question in the language the rules read is a follow-up ("is it waterproof?")
        short = (len(re.findall(r"\w+", text)) <= 5 and text.endswith("?")
                 and new.language == self.words.language)
        r.dissatisfied = is_dissatisfied(text, self.words)
        r.is_followup = has_context and not r.human and not r.cancel and not r.topic_change and (
            r.elliptical or refers or (short and not mentioned))
        r.resolved, r.reused_frame = (self._resolve(state, new, text, r.elliptical, r.attributes)
                                      if r.is_followup else (text, False))
        # "my budget is about $150" after "I'm looking for a rain jacket": the same search, capped.
        if (r.budget is not None and state.last_question and not mentioned
                and self.words.only_budget(text, r.budget_span)):
            base = " ".join(self.words.budget.sub(" ", state.last_question).split()).rstrip(" ?.!")
            r.is_followup, r.resolved, r.reused_frame = True, f"{base} under ${r.budget:g}", True
        # "That's not what I asked": the shopper re-asks the previous question.
        r.disputes = r.dissatisfied and not mentioned and bool(state.last_question) and not r.human
        if r.disputes:
            r.is_followup, r.resolved = True, f"{state.last_question} ({text})"

    def _label_intent(self, state: DialogueState, new: DialogueState, r: _Reading) -> tuple[str, float]:
        """4. Classify the resolved question; an elliptical follow-up the examples cannot place
        keeps the previous intent ("and in black?"), and so does a disputed answer unless the
        message clearly asks something new. Product names are masked (a "Trail Runner" is not a
        running recommendation) and a substituted order id is left out (it would pull every
        question towards order status)."""
        text, resolved = r.text, r.resolved
        if self._only_slots(text):
            # "maya@example.com", "NW-482913", "43215": an answer to what was asked, not a new request
            r.human = False
            return (state.intent or ("order_status" if new.order_id else "out_of_scope")), max(
                state.intent_confidence, 0.6)
        to_classify = text if r.disputes or (new.order_id and new.order_id in resolved
                                             and new.order_id not in text) else resolved
        intent, confidence = self.classifier.classify(self._mask_products(to_classify, new), self.words)
        if r.elliptical and r.is_followup and to_classify != text:
            # "and in red?" says what it asks about on its own; the rewritten question may not
            own_intent, own_confidence = self.classifier.classify(text, self.words)
            if own_confidence >= 0.7 and own_confidence > confidence and own_intent not in (
                    *_NOT_A_TOPIC, "human_request"):
                intent, confidence = own_intent, own_confidence
        if r.human:
            intent, confidence = "human_request", max(confidence, 0.99)
        elif intent == "human_request":   # a paraphrase the examples were sure about
            r.human = True
        carry = state.intent and state.intent not in (*_NOT_A_TOPIC, "human_request")
        weak = confidence < self.followup_inherit_below or intent in _NOT_A_TOPIC
        left = self.words.dissatisfied.sub(" ", text).lower()
        bare_dispute = r.disputes and len(re.findall(r"[a-z]{3,}", left)) < 4
        sure = confidence >= 0.7 and intent not in _NOT_A_TOPIC
        if carry and ((r.is_followup and not r.disputes and ((r.reused_frame and not sure) or weak))
                      or (r.disputes and (bare_dispute or weak or intent == "complaint"))):
            intent, confidence = state.intent, max(confidence, 0.6)
        return intent, confidence

    def _read_mood(self, state: DialogueState, new: DialogueState, r: _Reading,
                   intent: str) -> tuple[float, bool, float | None]:
        """5. Sentiment, abuse and the refund amount named."""
        sentiment = score_sentiment(r.text, self.words)
        abusive = is_abusive(r.text, self.words)
        refund = find_refund_amount(r.text, intent, r.budget_span, self.words)
        if refund is not None:
            new.refund_amount = refund
        new.sentiment = sentiment
        return sentiment, abusive, refund

    @staticmethod
    def _count_frustration(state: DialogueState, new: DialogueState, sentiment: float, abusive: bool,
                           dissatisfied: bool) -> None:
        """6. Frustration accumulates over negative turns and decays on calm ones; a shopper who
        disputes the last answer turns it into a failure."""
        rise = int(sentiment < -0.25) + int(sentiment <= -0.6 or abusive) + int(dissatisfied)
        if rise:
            new.frustration = state.frustration + rise
        else:
            new.frustration = max(0, state.frustration - (2 if sentiment > 0.3 else 1))
        if dissatisfied:
            if state.previous_answer_ok and state.turns > 0:
                new.consecutive_failures = state.consecutive_failures + 1
            new.previous_answer_ok = False
        elif state.previous_answer_ok:
            new.consecutive_failures = 0

    def record_outcome(self, state: DialogueState, answered: bool, low_confidence: bool) -> DialogueState:
        """Called by the manager after it answers: an unanswered or low-confidence reply is a
        failure (counted now); a good one is reset lazily, on the next turn, unless the shopper
        then says it missed the point."""
        new = copy.deepcopy(state)
        if answered and not low_confidence:
            new.previous_answer_ok = True
        else:
            new.consecutive_failures = state.consecutive_failures + 1
            new.previous_answer_ok = False
        return new

    def record_shown(self, state: DialogueState, product_ids: Iterable[str]) -> DialogueState:
        """Products an answer showed (cited) become candidates, newest first; a single one takes
        the focus when nothing is in focus ("do you have tents?" -> one tent -> "how much is it?")."""
        shown = list(dict.fromkeys(pid for pid in product_ids if pid))
        if not shown:
            return state
        new = copy.deepcopy(state)
        new.product_candidates = (shown + [c for c in new.product_candidates if c not in shown])[:MAX_CANDIDATES]
        if new.product_in_focus is None and len(shown) == 1:
            new.product_in_focus = shown[0]
        return new

    def _mask_products(self, text: str, state: DialogueState) -> str:
        """Replace known product names with their last word (the kind of thing) before classifying."""
        for pid in state.product_candidates[:3]:
            masking = _name_mask(self._name(pid) or "")
            if masking is not None:
                text = masking[0].sub(masking[1], text)
        return text

    # -- follow-up rewriting ----------------------------------------------------------------
    def _name(self, product_id: str | None) -> str | None:
        return (self.product_name(product_id) or product_id) if product_id else None

    def _resolve(self, old: DialogueState, new: DialogueState, text: str, elliptical: bool,
                 attributes: dict[str, str]) -> tuple[str, bool]:
        """The message rewritten with the product (or order) named, and whether it reused the
        previous question's frame (then the previous intent carries over)."""
        focus_name = self._name(new.product_in_focus)
        use_order = bool(new.order_id) and (bool(self.words.order_words.search(text)) or not focus_name)
        target = f"order {new.order_id}" if use_order else focus_name
        if not target:
            return text, False
        # Elliptical ("and in black?", "what about the other one?"): reuse the last question,
        # swapping in the new product and attribute values.
        base = old.last_question
        if elliptical and base:
            rewritten = base
            old_name = self._name(old.product_in_focus)
            changed = False
            if old_name and focus_name and old_name != focus_name and old_name.lower() in base.lower():
                rewritten = re.sub(re.escape(old_name), focus_name, rewritten, flags=re.I)
                changed = True
            added = []
            for key, value in attributes.items():
                previous = old.attributes.get(key)
                if previous and re.search(r"\b" + re.escape(previous) + r"\b", rewritten, re.I):
                    rewritten = re.sub(r"\b" + re.escape(previous) + r"\b", value, rewritten, flags=re.I)
                    changed = True
                elif not re.search(r"\b" + re.escape(value) + r"\b", rewritten, re.I):
                    added.append(value)
            if changed:
                # a value the old question had no slot for rides along: "what about brown in a 9?"
                if added:
                    rewritten = self.words.followup_values.format(question=rewritten.rstrip(" ?.!？"),
                                                                  values=" ".join(added))
                return rewritten, True
        for pattern in self.words.pronouns:
            if pattern.search(text):
                return pattern.sub(lambda m: (m.groupdict().get("lead") or "") + target, text,
                                   count=1), False
        if elliptical:
            rest = re.sub(rf"^\s*{self.words.followup_lead}\s*", "", text, flags=re.I)
            return self.words.followup_about.format(target=target, rest=rest).strip(), True
        return self.words.followup_aside.format(text=text.rstrip(), target=target), False
