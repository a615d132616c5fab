"""Intent detection: what a shopper's message is about, from nearest example utterances.

Each intent has 12-25 example utterances in ``prompts/intents.yaml``. They are embedded once with
the shared sentence-transformers model; a message is labelled by cosine similarity to those
examples (a weighted vote of the nearest examples blended with each intent's best matches).
A few exact rules run first where a pattern is unambiguous: an explicit ask for a person is
``human_request``; a message that is only a greeting or thanks is ``greeting``; an order id
(``NW-`` + 6 digits) means ``order_status`` unless the examples clearly point elsewhere; a message
with no word the encoder knows and nothing like any example ("asdf qwerty") is ``out_of_scope``.

The embedding model is the process-wide one from ``assistant.knowledge.embeddings.get_encoder`` (one load,
torch threads capped by ``settings.embedding_threads``); pass an already-loaded instance as
``encoder`` to share the retriever's.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from assistant.errors import CatalogError
from assistant.dialogue.state import INTENTS
from assistant.settings import PROJECT_ROOT

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

    from assistant.settings import Settings

DEFAULT_EXAMPLES = PROJECT_ROOT / "prompts" / "intents.yaml"

ORDER_ID_RE = re.compile(r"\bNW[-\s]?(\d{6})\b", re.IGNORECASE)
_ORDER_MENTION_RE = re.compile(r"(?:\b(?:my |the |your )?order\s*(?:number|no\.?|id)?\s*[:#]?\s*)?"
                               r"#?\bNW[-\s]?\d{6}\b", re.IGNORECASE)

# Who a shopper may ask for, and the verbs that make it a request rather than a mention
# ("I spoke to an agent yesterday" is a mention; "let me speak to an agent" is a request).
_PERSON = (r"(?:a |an |the |your |some |one of your |real |live |actual |human |)*"
           r"(?:human|person|people|agent|representative|rep|operator|manager|supervisor|"
           r"someone|somebody|staff(?: member)?|team member|employee|customer service|"
           r"(?:support |service |sales |customer )?team|support)s?\b"
           r"(?!\s+else|')")
_HUMAN_RES = [
    re.compile(r"\b(?:talk|speak|chat|connect|transfer|put|get|escalate|pass|hand)\b"
               r"(?:\s+\w+){0,4}?\s+(?:to|with|me|through to|over to)\s+" + _PERSON, re.I),
    re.compile(r"\b(?:real|live|actual)\s+(?:human|person|people|agent|representative)\b", re.I),
    re.compile(r"^\W*(?:a\s+)?(?:human|agent|representative|operator|real person)\b"
               r"(?:\s+(?:please|now|pls))?\W*$", re.I),
    re.compile(r"\b(?:want|need|give me|get me|request)\s+(?:a |an |to )?"
               r"(?:real |live |actual )?(?:human|agent|representative|operator|person)\b", re.I),
    re.compile(r"\b(?:have|can|could|would)\s+(?:someone|somebody|a person|an agent)"
               r"(?:\s+from\s+\w+(?:\s+\w+)?)?\s+(?:call|phone|ring|contact|email)\s+me\b", re.I),
    re.compile(r"\bcall me back\b", re.I),
    re.compile(r"\b(?:rather|prefer|want to|like to|need to)\b[^,.;!?]{0,40}?\b(?:with|to)\s+"
               r"(?:a |an )?(?:real |live |actual )?(?:person|human|agent|representative)\b", re.I),
    re.compile(r"\b(?:get|bring|fetch)\s+(?:me\s+)?(?:a |an |the |your )?(?:real |live )?"
               r"(?:human|person|agent|representative|manager|supervisor)\b", re.I),
    re.compile(r"\b(?:human|person|agent|representative|manager)\s+(?:to\s+)?(?:take over|"
               r"step in|jump in|join|pick (?:this|it) up)\b", re.I),
    re.compile(r"\b(?:rather|prefer to)\s+(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+)?"
               r"(?:person|human|people)\b", re.I),
]
# A negation or a question about the bot earlier in the same clause cancels a match:
# "I don't need to talk to a human", "are you a real person?".
_HUMAN_NEGATED = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|no need|not|never|without|rather not|won'?t|are you|"
    r"is this|am i (?:talking|chatting|speaking))\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,.;!?]|\bbut\b|\bjust\b", re.I)

_ARRIVAL_RE = re.compile(
    r"\b(?:arriv\w*|deliver\w*|came|turned up|received|(?:i|we) (?:just )?got|sent me|shipped me|"
    r"in (?:the|my) (?:\w+ )?(?:box|package|parcel)|out of the (?:box|package|packaging)|"
    r"when i opened|unbox\w*|brand new)\b", re.I)
_IN_USE_RE = re.compile(
    r"\b(?:after (?:\w+ ){0,2}(?:days?|weeks?|months?|years?|seasons?|trips?|uses?|washe?s?|hikes?|"
    r"runs?|km|miles)|(?:used|worn|wearing|using) (?:it|them)|normal use|since (?:i|we) (?:bought|got)|"
    r"stopped (?:working|sealing)|wore out|worn out|on (?:my|a|the) (?:\w+ )?(?:trip|hike|walk|run)|"
    r"while (?:charging|using|wearing|hiking|camping)|used it|months? old|years? old)\b", re.I)
_GREETING_WORDS = {
    "hi", "hello", "hey", "hiya", "howdy", "yo", "morning", "evening", "afternoon", "good",
    "there", "thanks", "thank", "you", "so", "much", "cheers", "bye", "goodbye", "ok", "okay",
    "cool", "great", "perfect", "awesome", "thx", "ty", "all", "that's", "thats", "it", "for",
    "your", "help", "have", "a", "nice", "day", "see", "ya", "anyone", "team", "guys", "folks",
    "lovely", "wonderful", "brilliant", "many", "again", "bonjour", "hola", "hallo", "gracias",
    "merci", "danke",
}
_LEADING_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?:\s+there)?"
    r"(?:\s+(?:team|guys|folks))?\s*[,.!:;-]*\s*)+", re.I)

def load_intent_examples(path: Path | str = DEFAULT_EXAMPLES) -> dict[str, list[str]]:
    """Read ``intents.yaml``; unknown intent names or empty lists are an error naming the file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CatalogError(f"intent examples not found: {path}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from None
    intents = raw.get("intents") if isinstance(raw, dict) else None
    if not isinstance(intents, dict):
        raise CatalogError(f"{path}: expected a mapping 'intents: {{name: [examples]}}'")
    examples: dict[str, list[str]] = {}
    for name, items in intents.items():
        if name not in INTENTS:
            raise CatalogError(f"{path}: unknown intent {name!r}; known: {', '.join(INTENTS)}")
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise CatalogError(f"{path}: intent {name!r} needs a list of non-empty example strings")
        examples[name] = [i.strip() for i in items]
    return examples


def find_order_ids(text: str) -> list[str]:
    """Order ids in ``text``, normalised to ``NW-123456`` (OCR and typing vary the separator)."""
    seen: list[str] = []
    for match in ORDER_ID_RE.finditer(text or ""):
        order_id = f"NW-{match.group(1)}"
        if order_id not in seen:
            seen.append(order_id)
    return seen


def is_human_request(text: str) -> bool:
    """An explicit ask for a person ("talk to a human", "real person please"), not a mention."""
    for pattern in _HUMAN_RES:
        for match in pattern.finditer(text or ""):
            clause = _CLAUSE_BREAK.split(text[: match.start()])[-1]
            if not _HUMAN_NEGATED.search(clause):
                return True
    return False


def is_pure_greeting(text: str) -> bool:
    words = re.findall(r"[a-zA-Z']+", text.lower())
    return bool(words) and len(words) <= 8 and all(w in _GREETING_WORDS for w in words)


class IntentClassifier:
    """Nearest-example intent classifier over a shared sentence-transformers encoder.

    ``classify(text)`` returns ``(intent, confidence)`` with confidence in [0, 1]: the winning
    intent's share of the blended vote (exact rules return a fixed high confidence).
    """

    k = 7                 # nearest examples that vote
    temperature = 0.04    # softmax sharpness over per-intent similarity
    clear_min, clear_ratio = 0.3, 1.25  # with an order id, "another intent is clear": at least
                                        # 0.3 and a quarter more than order_status's share
    human_min_confidence = 0.7   # a human_request from examples alone needs this much
    gibberish_below = 0.4        # no known word and no example this close: keyboard mashing

    def __init__(self, encoder: "SentenceTransformer | None" = None,
                 examples: dict[str, list[str]] | Path | str | None = None,
                 settings: "Settings | None" = None):
        if settings is None:
            from assistant.settings import get_settings

            settings = get_settings()
        if encoder is None:
            from assistant.knowledge.embeddings import get_encoder

            encoder = get_encoder(settings.embedding_model, settings.embedding_threads)
        self.encoder = encoder
        if examples is None:
            examples = settings.prompts_dir / "intents.yaml"
            if not Path(examples).exists():
                examples = DEFAULT_EXAMPLES
        if not isinstance(examples, dict):
            examples = load_intent_examples(examples)
        self.examples = examples
        self.intents = [name for name in INTENTS if name in examples]
        self._labels = np.array([self.intents.index(name) for name in self.intents
                                 for _ in examples[name]])
        texts = [t for name in self.intents for t in examples[name]]
        # 1. Embed every example once; normalised so a dot product is the cosine.
        self._matrix = self._embed(texts)

    def _embed(self, texts: list[str]) -> np.ndarray:
        from assistant.knowledge.embeddings import embed

        return np.asarray(embed(self.encoder, texts), dtype=np.float32)

    def _similarities(self, text: str) -> np.ndarray:
        body = _LEADING_GREETING.sub("", text).strip() or text
        return self._matrix @ self._embed([body])[0]

    def is_gibberish(self, text: str, sims: np.ndarray | None = None) -> bool:
        """Letters but no word the encoder's vocabulary knows, and no example anywhere near."""
        vocab = getattr(getattr(self.encoder, "tokenizer", None), "vocab", None)
        found = re.findall(r"[a-z]{2,}", text.lower())
        if not vocab or not found or any(w in vocab for w in found) or re.search(r"\d", text):
            return False
        sims = self._similarities(text) if sims is None else sims
        return float(sims.max()) < self.gibberish_below

    def scores(self, text: str) -> dict[str, float]:
        """Per-intent probability from the examples alone (no rules), highest first."""
        sims = self._similarities(text)
        n = len(self.intents)
        # 2. Each intent's own evidence: the mean of its three closest examples.
        per_intent = np.zeros(n, dtype=np.float32)
        for i in range(n):
            own = np.sort(sims[self._labels == i])[::-1][:3]
            per_intent[i] = own.mean()
        # 3. A vote of the k nearest examples overall, weighted by similarity.
        votes = np.zeros(n, dtype=np.float32)
        for idx in np.argsort(-sims)[: self.k]:
            votes[self._labels[idx]] += max(float(sims[idx]), 0.0)
        votes = votes / votes.sum() if votes.sum() > 0 else votes
        logits = per_intent / self.temperature
        soft = np.exp(logits - logits.max())
        soft = soft / soft.sum()
        blended = 0.5 * soft + 0.5 * votes
        order = np.argsort(-blended)
        return {self.intents[i]: float(blended[i]) for i in order}

    def classify(self, text: str) -> tuple[str, float]:
        text = (text or "").strip()
        if not text:
            return "out_of_scope", 0.0
        # Exact rules first, where a pattern cannot mean anything else.
        if is_human_request(text):
            return "human_request", 0.99
        if is_pure_greeting(text):
            return "greeting", 0.95
        if self.is_gibberish(text):
            return "out_of_scope", 0.9
        # Order ids say nothing about the question's kind to the embedding; mask them.
        ranked = list(self.scores(_ORDER_MENTION_RE.sub("my order", text)).items())
        intent, confidence = ranked[0]
        # The examples may spot a paraphrased ask for a person the rules missed, but only when
        # they are sure and nothing in the message negates it ("are you a real person?").
        if intent == "human_request" and (confidence < self.human_min_confidence
                                          or _HUMAN_NEGATED.search(text)):
            intent, confidence = ranked[1]
        # Broken on arrival or broken in use? The examples blur the two; the words do not.
        pair = {intent, ranked[1][0]}
        if pair == {"damaged_or_wrong_item", "warranty_claim"}:
            arrived, in_use = bool(_ARRIVAL_RE.search(text)), bool(_IN_USE_RE.search(text))
            if arrived != in_use:
                intent = "damaged_or_wrong_item" if arrived else "warranty_claim"
                confidence = max(ranked[0][1], ranked[1][1])
        if find_order_ids(text):
            rest = re.findall(r"[a-z]+", ORDER_ID_RE.sub(" ", text).lower())
            scores = dict(ranked)
            clear_other = (len(rest) >= 3 and intent not in ("order_status", "greeting", "out_of_scope",
                                                             "product_question", "recommendation")
                           and confidence >= self.clear_min
                           and confidence >= self.clear_ratio * scores.get("order_status", 0.0))
            if not clear_other:
                return "order_status", max(scores.get("order_status", 0.0), 0.8)
        return intent, round(confidence, 4)
