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

It knows nothing about Chroma or the conversation manager: products come in through
``find_products(text) -> [ids]`` and ``product_name(id) -> name`` callables.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable

from assistant.dialogue.intents import IntentClassifier, find_order_ids, is_human_request
from assistant.dialogue.state import DialogueState
from assistant.lexicon.en import AMOUNT as _AMOUNT, BUDGET_RE, COLOR_PHRASES, find_budget, only_budget

MAX_CANDIDATES = 10

# --- sentiment lexicon (weights per word; phrases are matched before single words) -----------
_NEG_PHRASES = {
    "fed up": -2.5, "sick of": -2.5, "tired of": -2, "ripped off": -3, "rip off": -3,
    "rip-off": -3, "never again": -2.5, "waste of": -2.5, "not happy": -2, "not ok": -1.5,
    "not okay": -1.5, "not acceptable": -3, "a joke": -2.5, "had enough": -2.5,
    "last straw": -3, "give up": -1.5, "no one": -1, "nobody": -1, "not good enough": -2.5,
    "what the hell": -2.5, "are you kidding": -2, "you kidding me": -2,
    "losing my patience": -2.5, "lost my patience": -3, "running out of patience": -2.5,
    "out of patience": -2.5, "not impressed": -1.5, "not thrilled": -1.5, "fell apart": -1.5,
    "falling apart": -1.5, "came apart": -1, "what a joke": -3, "beyond a joke": -3,
    "so done with": -3, "i'm done with": -2.5, "had it with": -2.5, "done with you": -2.5,
}
_NEG_WORDS = {
    "worst": -3, "terrible": -3, "horrible": -3, "awful": -3, "disgusting": -3,
    "unacceptable": -3, "outrageous": -3, "ridiculous": -3, "pathetic": -3, "furious": -3,
    "livid": -3, "incompetent": -3, "appalling": -3, "atrocious": -3, "garbage": -3,
    "trash": -2.5, "nightmare": -3, "hate": -3, "useless": -3, "joke": -1.5, "disgrace": -3,
    "shameful": -3, "scam": -3, "angry": -2.5, "mad": -2, "annoyed": -2, "annoying": -2,
    "frustrated": -2.5, "frustrating": -2.5, "upset": -2, "disappointed": -2,
    "disappointing": -2, "poor": -1.5, "bad": -1.5, "rude": -2, "lousy": -2, "crap": -2.5,
    "crappy": -2.5, "stupid": -2.5, "waste": -2, "wasted": -2, "misleading": -2, "lied": -2.5,
    "lies": -2, "liar": -3, "liars": -3, "unhelpful": -2.5, "ignored": -2, "ignoring": -2,
    "ignore": -1.5, "seriously": -1, "sucks": -2.5, "shocking": -2, "insane": -2,
    "unbelievable": -2, "worse": -2, "fail": -1.5, "failed": -1.5, "failure": -2,
    "late": -1, "delayed": -1, "wrong": -1, "problem": -0.5, "issue": -0.5, "damaged": -1,
    "broken": -1, "missing": -1, "slow": -1, "unfortunately": -1, "worried": -1,
    "confused": -1, "concerned": -1, "still": -0.5,
    "unhappy": -2, "cheated": -3, "robbed": -3, "hopeless": -2.5, "clueless": -2.5,
    "disaster": -3, "sloppy": -2, "clown": -2, "clowns": -2.5, "amateurs": -2,
    "amateur": -1.5, "cowboys": -2, "shambles": -3, "farce": -3, "rubbish": -2.5,
    "nonsense": -2.5, "bs": -2.5, "ugh": -1.5, "wtf": -3,
}
_POS_WORDS = {
    "love": 2, "great": 2, "excellent": 2.5, "amazing": 2.5, "awesome": 2.5, "perfect": 2,
    "fantastic": 2.5, "wonderful": 2.5, "brilliant": 2.5, "thanks": 1.5, "thank": 1.5,
    "good": 1, "nice": 1.5, "happy": 1.5, "helpful": 2, "appreciate": 2, "glad": 1.5,
    "pleased": 1.5, "cool": 1, "lovely": 2, "fine": 0.5, "best": 1.5,
    "fast": 1, "quick": 0.5, "easy": 1, "satisfied": 1.5, "resolved": 1,
}
_INTENSIFIERS = {"very", "really", "so", "extremely", "absolutely", "totally", "completely",
                 "utterly", "incredibly", "truly", "beyond", "super", "fucking", "freaking"}
_DOWNTONERS = ("a little", "a bit", "a tad", "slightly", "somewhat", "kind of", "kinda",
               "sort of", "a touch", "mildly")
_NEGATORS = {"not", "no", "never", "don't", "dont", "isn't", "wasn't", "didn't", "doesn't",
             "aren't", "won't", "can't", "cannot", "hardly"}

_ABUSE_RE = re.compile(
    r"\b(?:fuck\w*|f+u+c+k+|shit\w*|bullshit|idiot\w*|moron\w*|dumbass|asshole\w*|bastard\w*|"
    r"bitch\w*|dickhead|jackass|piece of (?:shit|crap|garbage)|screw (?:you|this|off)|"
    r"shut up|go to hell|piss(?:ed)? off|stfu|retard\w*|scumbag\w*|pos)\b", re.I)
_DISSATISFIED_RE = re.compile(
    r"not what i (?:asked|meant|wanted|said)|(?:that|this)(?:'s| is| was) (?:not|n't) (?:helpful|"
    r"what i|right|correct|an answer)|\buseless\b|\bnot helpful\b|\bunhelpful\b|"
    r"(?:does|did|do)(?:n'?t| not) (?:help|answer)|you(?:'re| are) not (?:listening|helping|"
    r"understanding)|you (?:don'?t|do not|didn'?t) (?:understand|get it|listen|read)|"
    r"wrong answer|(?:that|this)(?:'s| is) wrong|i (?:already )?(?:told|said) (?:you|that)|"
    r"answer my question|read my (?:message|question)|same (?:answer|thing) again|"
    r"you keep (?:saying|repeating|telling)|not answering|doesn'?t make sense|"
    r"(?:still )?(?:doesn'?t|didn'?t) (?:answer|solve|fix)|going in circles|"
    r"(?:that|this) (?:doesn'?t|does not) help|pointless|waste of (?:my )?time|"
    r"no,? (?:that'?s|this is) not", re.I)
_CANCEL_RE = re.compile(
    r"\bnever ?mind\b|\bcancel (?:that|this|it|the (?:request|handoff|transfer|ticket|call))\b|"
    r"\bit'?s (?:fine|ok(?:ay)?|all good|sorted|resolved) now\b|\ball (?:good|sorted|fine) now\b|"
    r"\bno longer need\b|\bdon'?t need (?:a |an |the )?(?:human|agent|person|representative|"
    r"help)\s+(?:anymore|any more|now)\b|\bscratch that\b|\bforget (?:it|that|about it)\b|"
    r"\bi (?:figured|worked|sorted) it out\b|\bproblem solved\b|\bno need anymore\b|"
    r"\bnot needed anymore\b|\bdisregard (?:that|my last)", re.I)

SENSITIVE_PATTERNS: dict[str, re.Pattern[str]] = {
    "legal_threat": re.compile(
        r"\b(?:sue|suing|sued|lawsuit|legal action|legal proceedings|take (?:you|this|it|them) to "
        r"court|see you in court|in court|court case|small claims|class action|attorney general|"
        r"consumer protection|trading standards|report (?:you|this) to (?:the )?(?:ftc|bbb|"
        r"authorities|police|better business bureau))\b", re.I),
    "lawyer": re.compile(r"\b(?:lawyers?|attorneys?|solicitors?|legal (?:counsel|team|advice)|"
                         r"law firm)\b", re.I),
    "chargeback": re.compile(
        r"\b(?:charge ?-?backs?|disput(?:e|ed|ing) (?:the|this|that|my|a|your) (?:charge|payment|"
        r"transaction|purchase)s?|"
        r"(?:file|open|raise) a (?:dispute|claim) with (?:my )?(?:bank|paypal|card|credit card)|"
        r"(?:call|contact|tell|ask) my (?:bank|card (?:company|issuer)|credit card company)|"
        r"revers(?:e|ed|ing) (?:the|my|this|that|your) (?:charge|payment|transaction)|"
        r"(?:bank|card (?:company|issuer)|credit card company)(?:'s| is| are| will| has)? "
        r"(?:\w+ )?(?:reversing|disputing|clawing back|charging back|reverse|dispute)|"
        r"paypal (?:dispute|claim))\b", re.I),
    "safety_issue": re.compile(
        r"\b(?:caught fire|catch(?:es|ing)? fire|on fire|burst into flames|exploded|explodes|"
        r"sparks?|sparked|sparking|overheat(?:s|ed|ing)?|melted|melting|smok(?:ed|ing) "
        r"(?:up|badly)|started smoking|burning smell|electric(?:al)? shock|shocked me|"
        r"choking hazard|toxic|fumes|unsafe|dangerous|safety (?:issue|hazard|problem|concern)|"
        r"fire hazard|recalled|(?:product|safety|a|is|was|been|being|under) recall)\b", re.I),
    "injury": re.compile(
        r"\b(?:injur(?:ed|y|ies|ing)|(?:i|he|she|we|they) (?:hurt|cut|burn(?:ed|t)) (?:my|his|her|"
        r"our|their)(?:self|selves)?\b|hurt (?:myself|himself|herself|themselves)|"
        r"(?:got|was|were|been) (?:hurt|burn(?:ed|t)|cut)|burn(?:ed|t) (?:me|my \w+)|"
        r"cut (?:me|my \w+(?:'s)? (?:face|hand|finger|arm|leg|head))|bleeding|hospital|"
        r"emergency room|stitches|broke my (?:arm|leg|wrist|ankle|foot|hand)|"
        r"allergic reaction|rash|sprained|concussion)\b", re.I),
    "fraud": re.compile(
        r"\b(?:fraud|fraudulent|scam(?:med)?|unauthori[sz]ed (?:charge|purchase|transaction|order|"
        r"payment)s?|(?:didn'?t|did not|never) (?:make|place|order|authori[sz]e) (?:this|that|"
        r"these|those|the|any)|stolen (?:card|credit card|account|identity)|identity theft|"
        r"(?:account|card) (?:was |got )?(?:hacked|stolen|compromised)|hacked|phishing|"
        r"(?:stole|steal|stealing) (?:my|our) (?:card|credit card|identity|account|details|money)|"
        r"order\w*\b[^.?!]{0,40}\b(?:i|we) (?:never|didn'?t|did not) (?:placed?|made|make|ordered)\b|"
        r"without (?:my )?(?:permission|authori[sz]ation|consent)|(?:someone|somebody) "
        r"(?:else )?(?:used|is using|has used|charged|ordered (?:with|on)) my (?:card|account|"
        r"credit card|paypal|details))\b", re.I),
}

# --- slots ------------------------------------------------------------------------------------
_SIZE_WORDS = {"extra small": "XS", "extra-small": "XS", "x-small": "XS", "small": "S",
               "medium": "M", "large": "L", "extra large": "XL", "extra-large": "XL",
               "x-large": "XL"}
_SIZE_RES = [
    re.compile(r"\bsize\s+(xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl|\d{1,2}(?:\.5)?)\b", re.I),
    re.compile(r"\b(xxs|xs|xl|xxl|xxxl|2xl|3xl)\b", re.I),
    re.compile(r"\b(?:in (?:an? )?|an? |the )(S|M|L)\b"),
    re.compile(r"\b(?:in|size|the)\s+(?:an?\s+)?(extra[- ]small|x-small|small|medium|large|"
               r"extra[- ]large|x-large)\b(?!\s+(?:box|bag|order|amount|number|selection|tent|"
               r"pack|backpack|jacket|bottle))", re.I),
    # a numeric size with no "size" word: "what about brown in a 9?", "do you have it in 10?"
    re.compile(r"\bin (?:an? )?(\d{1,2}(?:\.5)?)(?=\s*(?:[?.!,]|$|\b(?:please|instead|too|then)\b))", re.I),
]
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MONEY_RE = re.compile(r"(?:[$€£]\s?" + _AMOUNT + r"|" + _AMOUNT +
                       r"\s?(?:dollars|bucks|usd|eur|euros?|gbp|pounds)\b|" + _AMOUNT + r"\s?[$€£])",
                       re.I)
_REFUND_CONTEXT = re.compile(r"\b(?:refund\w*|money back|reimburs\w*|compensat\w*|paid|charged|"
                             r"cost me|spent|return\w*|credit|chargeback|back(?! in stock))\b", re.I)
_REFUND_BARE = re.compile(r"\brefund (?:of|for)\s+" + _AMOUNT + r"\b", re.I)

# --- follow-ups ---------------------------------------------------------------------------------
_OTHER_ONE_RE = re.compile(r"\bthe other (?:one|ones|item|product|model|version)\b|"
                           r"\bthe other\b(?=\s*[?.!,]|\s*$)|\bthe first one\b|\bthe previous one\b",
                           re.I)
# the words that open an elliptical follow-up, longest first so "and what about" goes whole
_ELLIPSIS_LEAD = r"(?:and what about|and how about|what about|how about|same for|same with|and|also|or|plus)\b"
_ELLIPSIS_RE = re.compile(rf"^\s*{_ELLIPSIS_LEAD}|^\s*(?:in|for)\s+\w+\s*\??\s*$", re.I)
_PRONOUN_RES = [
    re.compile(r"\bthe other (?:one|ones|item|product|model|version)\b|\bthe other\b(?=\s*[?.!,]|"
               r"\s*$)|\bthe (?:first|previous) one\b", re.I),
    re.compile(r"\b(?:this|that|the same) (?:one|item|product|model)\b", re.I),
    re.compile(r"\bit\b(?!')", re.I),
    re.compile(r"\b(?P<lead>(?:for|of|on|about|with|in|to|buy|get|order|want|return) )"
               r"(?:this|that)\b(?!\s+\w)", re.I),
    re.compile(r"\b(?:they|them|these|those)\b", re.I),
]
_ORDER_WORDS = re.compile(r"\b(?:order|package|parcel|delivery|tracking|shipment|it arrive)", re.I)

_LANG_WORDS = {
    "en": set("the is my i you and to a of it do does have where what order please thanks can "
              "for this that with when how my not be are".split()),
    "es": set("el la los las de que y en un una por para con mi pedido dónde donde está esta "
              "hola gracias quiero tienen es no cuándo cuando cómo como envío devolver puedo "
              "usted mis del al".split()),
    "fr": set("le la les de des et un une est je mon ma mes pour avec pas vous bonjour merci "
              "commande où livraison est-ce suis qui au du ne avez puis-je".split()),
    "de": set("der die das und ist ich nicht mein meine bestellung wo mit für ein eine haben "
              "sie hallo danke bitte wann lieferung kann ist es zu auf den dem wie".split()),
}
_LANG_HINTS = {"es": re.compile(r"[ñ¿¡]"), "fr": re.compile(r"[çèêàù]|\bc'est\b|\bj'ai\b"),
               "de": re.compile(r"[ßäöü]")}


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_sentiment(text: str) -> float:
    """Lexicon sentiment in [-1, 1]: negation flips, intensifiers and shouting amplify."""
    lowered = _CANCEL_RE.sub(" ", text.lower())
    total = 0.0
    for phrase, weight in _NEG_PHRASES.items():
        if phrase in lowered:
            total += weight
            lowered = lowered.replace(phrase, " ")
    tokens = re.findall(r"[a-z']+", lowered)
    for i, token in enumerate(tokens):
        weight = _NEG_WORDS.get(token) or _POS_WORDS.get(token)
        if not weight:
            continue
        window = tokens[max(0, i - 3):i]
        if any(t in _NEGATORS for t in window):
            weight = -weight * (0.8 if weight > 0 else 0.5)
        if i and tokens[i - 1] in _INTENSIFIERS:
            weight *= 1.5
        before = " ".join(tokens[max(0, i - 2):i])
        if any(before.endswith(d) for d in _DOWNTONERS):
            weight *= 0.5
        total += weight
    if total < 0:
        shouted = sum(1 for w in re.findall(r"\b[A-Z]{3,}\b", text) if w not in {"USD", "XXL", "XL"})
        total -= min(2.0, 0.5 * shouted)
        if text.count("!") >= 2 or "?!" in text:
            total *= 1.3
    if _ABUSE_RE.search(text):
        total = min(total, 0.0) - 4.0
    return round(total / math.sqrt(total * total + 15.0), 3)


def detect_sensitive_topics(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in SENSITIVE_PATTERNS.items() if pattern.search(text))


def detect_language(text: str, previous: str = "en") -> str:
    """Rough language guess (en/es/fr/de) from common words and letters; keeps ``previous``
    when the message is too short to tell."""
    tokens = re.findall(r"[\wàâçéèêëîïôûùüÿñæœßäö'-]+", text.lower())
    scores = {lang: sum(1 for t in tokens if t in words) for lang, words in _LANG_WORDS.items()}
    for lang, hint in _LANG_HINTS.items():
        if hint.search(text.lower()):
            scores[lang] += 2
    best = max(scores, key=lambda lang: scores[lang])
    if best != "en" and scores[best] >= 2 and scores[best] > scores["en"]:
        return best
    if scores["en"] >= 2 or (tokens and scores["en"] >= scores[best] and len(tokens) >= 4):
        return "en"
    return previous


def parse_money(text: str) -> list[tuple[float, int, int]]:
    found = []
    for m in _MONEY_RE.finditer(text):
        raw = next(g for g in m.groups() if g)
        found.append((float(raw.replace(",", "")), m.start(), m.end()))
    return found


def find_refund_amount(text: str, intent: str, budget_span: tuple[int, int] | None) -> float | None:
    if not (_REFUND_CONTEXT.search(text) or intent == "return_or_refund"):
        return None
    amounts = [v for v, s, e in parse_money(text)
               if not (budget_span and budget_span[0] <= s < budget_span[1])]
    amounts += [float(m.group(1).replace(",", "")) for m in _REFUND_BARE.finditer(text)]
    return max(amounts) if amounts else None


def find_attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern in _SIZE_RES:
        match = pattern.search(text)
        if match:
            value = match.group(1).lower()
            found["size"] = _SIZE_WORDS.get(value.replace("  ", " "), value.upper())
            break
    lowered = text.lower()
    spans = [(m.start(), m.end(), colour) for colour in COLOR_PHRASES
             for m in re.finditer(r"\b" + colour + r"\b", lowered)]
    # "navy blue" is navy, not blue: drop matches inside a longer one, keep the last mentioned.
    spans = [a for a in spans if not any(b != a and b[0] <= a[0] and a[1] <= b[1] for b in spans)]
    if spans:
        colour = max(spans)[2]
        found["color"] = {"navy blue": "navy", "sky blue": "light blue"}.get(colour, colour)
    return found


class DialogueTracker:
    """Updates a DialogueState from one shopper message and reports the turn's signals."""

    followup_inherit_below = 0.5    # an elliptical follow-up keeps the previous intent below this

    def __init__(self, classifier: IntentClassifier, find_products: Callable[[str], list[str]],
                 product_name: Callable[[str], str | None] | None = None):
        self.classifier = classifier
        self.find_products = find_products
        self.product_name = product_name or (lambda product_id: product_id)

    # 1-6 as in the module docstring; the input state is never mutated.
    def update(self, state: DialogueState, text: str, ocr_order_ids: Iterable[str] = (),
               matched_product_ids: Iterable[str] = ()) -> tuple[DialogueState, TurnSignals]:
        new = copy.deepcopy(state)
        text = (text or "").strip()
        new.turns += 1

        # 1. Slots: order id (typed beats OCR), email, size/colour, budget.
        typed_ids = find_order_ids(text)
        ocr_ids = [i for raw in ocr_order_ids for i in (find_order_ids(raw) or [])]
        order_ids = typed_ids + [i for i in ocr_ids if i not in typed_ids]
        if order_ids:
            new.order_id = order_ids[0]
        email = _EMAIL_RE.search(text)
        if email:
            new.email = email.group(0)
        attributes = find_attributes(text)
        new.attributes.update(attributes)
        budget, budget_span = find_budget(text)
        if budget is not None:
            new.budget = budget

        # 2. Products: named or photo-matched ones take focus; "the other one" switches back.
        mentioned: list[str] = []
        for pid in [*(self.find_products(text) if text else []), *matched_product_ids]:
            if pid and pid not in mentioned:
                mentioned.append(pid)
        previous_focus = state.product_in_focus
        if mentioned:
            new.product_in_focus = mentioned[0]
            new.product_candidates = mentioned + [c for c in new.product_candidates if c not in mentioned]
        elif _OTHER_ONE_RE.search(text) and previous_focus:
            others = [c for c in new.product_candidates if c != previous_focus]
            if others:
                new.product_in_focus = others[0]
                new.product_candidates = [others[0]] + [c for c in new.product_candidates if c != others[0]]
        new.product_candidates = new.product_candidates[:MAX_CANDIDATES]

        # 3. Follow-up: refers back to what is in focus, or elides the question's frame.
        has_context = bool(state.product_in_focus or state.order_id) and state.turns > 0
        elliptical = bool(_ELLIPSIS_RE.search(text)) or (
            not mentioned and len(text.split()) <= 3 and bool(attributes))
        refers = any(p.search(text) for p in _PRONOUN_RES) and not mentioned
        human = is_human_request(text)
        cancel = bool(_CANCEL_RE.search(text))
        short = (len(re.findall(r"\w+", text)) <= 5 and text.endswith("?")
                 and detect_language(text, "en") == "en")
        dissatisfied = bool(_DISSATISFIED_RE.search(text))
        is_followup = has_context and not human and not cancel and (elliptical or refers or (
            short and not mentioned))
        resolved, reused_frame = (self._resolve(state, new, text, elliptical, attributes)
                                  if is_followup else (text, False))
        # "my budget is about $150" after "I'm looking for a rain jacket": the same search, capped.
        if budget is not None and state.last_question and not mentioned and only_budget(text, budget_span):
            base = " ".join(BUDGET_RE.sub(" ", state.last_question).split()).rstrip(" ?.!")
            is_followup, resolved, reused_frame = True, f"{base} under ${budget:g}", True
        # "That's not what I asked": the shopper re-asks the previous question.
        disputes = dissatisfied and not mentioned and bool(state.last_question) and not human
        if disputes:
            is_followup, resolved = True, f"{state.last_question} ({text})"

        # 4. Intent: classify the resolved question; an elliptical follow-up the examples cannot
        #    place keeps the previous intent ("and in black?"), and so does a disputed answer
        #    unless the message clearly asks something new.
        #    Product names are masked (a "Trail Runner" is not a running recommendation) and a
        #    substituted order id is left out (it would pull every question towards order status).
        to_classify = text if disputes or (new.order_id and new.order_id in resolved
                                           and new.order_id not in text) else resolved
        intent, confidence = self.classifier.classify(self._mask_products(to_classify, new))
        if elliptical and is_followup and to_classify != text:
            # "and in red?" says what it asks about on its own; the rewritten question may not
            own_intent, own_confidence = self.classifier.classify(text)
            if own_confidence >= 0.7 and own_confidence > confidence and own_intent not in (
                    "greeting", "out_of_scope", "human_request"):
                intent, confidence = own_intent, own_confidence
        if human:
            intent, confidence = "human_request", max(confidence, 0.99)
        elif intent == "human_request":   # a paraphrase the examples were sure about
            human = True
        carry = state.intent and state.intent not in ("greeting", "human_request", "out_of_scope")
        weak = confidence < self.followup_inherit_below or intent in ("greeting", "out_of_scope")
        bare_dispute = disputes and len(re.findall(r"[a-z]{3,}", _DISSATISFIED_RE.sub(" ", text).lower())) < 4
        sure = confidence >= 0.7 and intent not in ("greeting", "out_of_scope")
        if carry and ((is_followup and not disputes and ((reused_frame and not sure) or weak))
                      or (disputes and (bare_dispute or weak or intent == "complaint"))):
            intent, confidence = state.intent, max(confidence, 0.6)
        new.intent, new.intent_confidence = intent, confidence

        # 5. Sentiment and the flags the handoff policy reads.
        sentiment = score_sentiment(text)
        abusive = bool(_ABUSE_RE.search(text))
        refund = find_refund_amount(text, intent, budget_span)
        if refund is not None:
            new.refund_amount = refund
        new.sentiment = sentiment
        new.language = detect_language(text, state.language)

        # 6. Frustration accumulates over negative turns and decays on calm ones; a shopper who
        #    disputes the last answer turns it into a failure.
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
        if not disputes and intent not in ("greeting", "human_request"):
            new.last_question = resolved

        signals = TurnSignals(
            intent=intent, confidence=round(float(confidence), 4), is_followup=is_followup,
            resolved_question=resolved, sentiment=sentiment, abusive=abusive,
            angry=abusive or sentiment <= -0.5, dissatisfied=dissatisfied,
            sensitive_topics=detect_sensitive_topics(text), human_request=human,
            cancel_request=cancel, refund_amount=refund, order_ids=tuple(order_ids),
            product_ids=tuple(mentioned), language=new.language,
        )
        return new, signals

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

    def _mask_products(self, text: str, state: DialogueState) -> str:
        """Replace known product names with their last word (the kind of thing) before classifying."""
        for pid in state.product_candidates[:3]:
            words = set(re.findall(r"[a-z0-9]+", (self._name(pid) or "").lower()))
            if not words:
                continue
            alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            nouns = re.findall(r"[a-z]{3,}", (self._name(pid) or "").lower())
            mask = nouns[-1] if nouns else "it"     # "Summit Rain Jacket" reads as "jacket"
            text = re.sub(rf"\b(?:{alt})(?:\s+(?:{alt}))*\b", mask, text, flags=re.I)
        return text

    # -- follow-up rewriting ----------------------------------------------------------------
    def _name(self, product_id: str | None) -> str | None:
        return (self.product_name(product_id) or product_id) if product_id else None

    def _resolve(self, old: DialogueState, new: DialogueState, text: str, elliptical: bool,
                 attributes: dict[str, str]) -> tuple[str, bool]:
        """The message rewritten with the product (or order) named, and whether it reused the
        previous question's frame (then the previous intent carries over)."""
        focus_name = self._name(new.product_in_focus)
        use_order = bool(new.order_id) and (bool(_ORDER_WORDS.search(text)) or not focus_name)
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
                    rewritten = f"{rewritten.rstrip(' ?.!')} in {' '.join(added)}?"
                return rewritten, True
        for pattern in _PRONOUN_RES:
            if pattern.search(text):
                return pattern.sub(lambda m: (m.groupdict().get("lead") or "") + target, text,
                                   count=1), False
        if elliptical:
            rest = re.sub(rf"^\s*{_ELLIPSIS_LEAD}\s*", "", text, flags=re.I)
            return f"what about {target} {rest}".strip(), True
        return f"{text.rstrip()} (about {target})", False
