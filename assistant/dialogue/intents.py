"""Intent detection: what a shopper's message is about, from nearest example utterances.

Each intent has 12-25 example utterances in ``prompts/intents.yaml``. They are embedded once with
the shared embedding model, in the same (query) role as the shopper's message, so with the
multilingual model English examples label a message in any language; a message is labelled by
cosine similarity to those examples (a weighted vote of the nearest examples blended with each
intent's best matches).
A few exact rules run first where a pattern is unambiguous: an explicit ask for a person is
``human_request`` (the exact phrasings, or the learned detector of ``person_request.py`` for
typos and indirect asks); a message that is only a greeting or thanks is ``greeting``; an order id (in
the store's ``order_id_pattern``, e.g. ``NW-482913``) means ``order_status`` unless the examples
clearly point elsewhere; a message with no word the encoder knows and nothing like any example
("asdf qwerty") is ``out_of_scope``. The rules' words come from the lexicon (``assistant.lexicon``).

The embedding model is the process-wide one from ``assistant.knowledge.embeddings.get_encoder`` (one load,
threads capped by ``settings.embedding_threads``); pass an already-loaded instance as
``encoder`` to share the retriever's. The message's vector is computed once per turn and shared
with retrieval (``expect`` / ``known``), which embeds its question in the same role.

With an English-only encoder, ``multilingual`` (multilingual-e5-small, see
``Knowledge.multilingual_encoder``) labels messages in other languages: a second classifier over
e5 embeddings of the same examples (``for_language``), built on the first such message; its
example vectors are cached under the store's data dir (vector_cache), so a restart reads them.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.dialogue.person_request import LANGUAGE as PERSON_MODEL_LANGUAGE, PersonRequestModel
from assistant.dialogue.signals import find_order_ids, order_id_regex
from assistant.dialogue.state import INTENTS
from assistant.errors import CatalogError
from assistant.lexicon import Lexicon, lexicon
from assistant.lexicon.text import scan
from assistant.settings import PROJECT_ROOT
from assistant.knowledge.files import read_store_file

if TYPE_CHECKING:  # pragma: no cover
    from assistant.settings import Settings

DEFAULT_EXAMPLES = PROJECT_ROOT / "prompts" / "intents.yaml"

def load_intent_examples(path: Path | str = DEFAULT_EXAMPLES) -> dict[str, list[str]]:
    """Read ``intents.yaml``; unknown intent names or empty lists are an error naming the file."""
    path = Path(path)
    raw = read_store_file(path, "intent examples") or {}
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


def is_human_request(text: str, words: Lexicon | None = None) -> bool:
    """An explicit ask for a person ("talk to a human", "real person please"), not a mention.
    A negation or a question about the bot earlier in the same clause cancels a match."""
    words = words or lexicon()
    for pattern in words.human_requests:
        for match in pattern.finditer(text or ""):
            clause = words.clause_break.split(text[: match.start()])[-1]
            if not words.human_negated.search(clause):
                return True
    return False


def is_pure_greeting(text: str, words: Lexicon | None = None) -> bool:
    greeting = (words or lexicon()).greeting_words
    # letters-only words; a Chinese or Japanese run is cut at the greetings it holds
    found = scan(text.lower(), greeting, max(map(len, greeting)))
    return bool(found) and len(found) <= 8 and all(w in greeting for w in found)


def order_mention_regex(pattern: str) -> re.Pattern[str]:
    """An order id with the words that introduce it ("my order number #1001"): masked before
    embedding, since the id says nothing about what kind of question it is."""
    return re.compile(r"(?:\b(?:my |the |your )?order\s*(?:number|no\.?|id)?\s*[:#]?\s*)?(?:"
                      + pattern + ")", re.IGNORECASE)


class IntentClassifier:
    """Nearest-example intent classifier over the shared text encoder.

    ``classify(text)`` returns ``(intent, confidence)`` with confidence in [0, 1]: the winning
    intent's share of the blended vote (exact rules return a fixed high confidence).
    """

    k = 7                 # nearest examples that vote
    temperature = 0.04    # softmax sharpness over per-intent similarity
    clear_min, clear_ratio = 0.3, 1.25  # with an order id, "another intent is clear": at least
                                        # 0.3 and a quarter more than order_status's share
    human_min_confidence = 0.7   # a human_request from examples alone needs this much
    gibberish_below = 0.4        # no known word and no example this close: keyboard mashing

    def __init__(self, encoder=None,
                 examples: dict[str, list[str]] | Path | str | None = None,
                 settings: "Settings | None" = None, multilingual=None, cache_dir: Path | None = None,
                 cache_examples: bool = False):
        if settings is None:
            from assistant.settings import get_settings

            settings = get_settings()
        if encoder is None:
            from assistant.knowledge.embeddings import settings_encoder

            encoder = settings_encoder(settings)
        self.encoder = encoder
        self.settings = settings
        self._multilingual_encoder = multilingual   # an encoder, or a callable loading it on first use
        self._multilingual: IntentClassifier | None = None
        self._cache_dir = cache_dir           # where the multilingual classifier keeps its example vectors
        self._cache_examples = cache_examples
        self.words = lexicon()
        self.order_id_pattern = settings.order_id_pattern
        self._order_mention = order_mention_regex(self.order_id_pattern)
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
        self._rows_of = [np.flatnonzero(self._labels == i) for i in range(len(self.intents))]   # made once
        texts = [t for name in self.intents for t in examples[name]]
        # 1. Embed every example once (cached in the data dir: a second start reads them; the
        # multilingual classifier's under the store's data dir, see for_language); normalised so a
        # dot product is the cosine.
        from assistant.knowledge.vector_cache import embed_cached

        folder = (Path(cache_dir) if cache_dir is not None and cache_examples else settings.data_dir / "cache")
        self._matrix = embed_cached(self.encoder, texts, folder / "embeddings")
        self.person = PersonRequestModel.load()
        # the encoder's vocabulary, read once (the tokenizer rebuilds the dict on every ask)
        from assistant.knowledge.embeddings import known_words

        self._vocab = known_words(self.encoder)
        # recent messages' embeddings, shared by every reply thread (keyed by the text itself)
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._expected: list[str] = []
        self._readings: OrderedDict[tuple[str, int], tuple[Lexicon, tuple[str, float]]] = OrderedDict()  # classify()
        self._memo_lock = threading.Lock()
        self._build_lock = threading.Lock()

    def _embed(self, texts: list[str]) -> np.ndarray:
        from assistant.knowledge.embeddings import embed

        return np.asarray(embed(self.encoder, texts), dtype=np.float32)

    def for_language(self, language: str | None) -> "IntentClassifier":
        """The classifier for a message in ``language``: the multilingual one (built on first use)
        for a language other than English when there is one, else this one."""
        if (language or "en") == "en" or self._multilingual_encoder is None:
            return self
        with self._build_lock:          # not the memo's lock: English turns go on meanwhile
            if self._multilingual is None:
                encoder = self._multilingual_encoder
                encoder = encoder() if callable(encoder) and not hasattr(encoder, "encode") else encoder
                if encoder is None or encoder is self.encoder:
                    return self
                self._multilingual = IntentClassifier(
                    encoder=encoder, examples=self.examples, settings=self.settings,
                    cache_dir=self._cache_dir or (self.settings.data_dir / "cache"), cache_examples=True)
                self._multilingual._expected = list(self._expected)
            return self._multilingual

    memo_size = 64

    def expect(self, *texts: str) -> None:
        """Texts a turn will embed anyway (the question as retrieval sends it): embedded in the
        same forward pass as the next message this classifier embeds, then found in ``known``."""
        with self._memo_lock:
            self._expected = [t for t in texts if t and t not in self._memo]
            other = self._multilingual
        if other is not None:
            other.expect(*texts)

    def known(self) -> dict[str, np.ndarray]:
        """Texts embedded recently and their vectors, for a caller that would embed them again."""
        with self._memo_lock:
            return dict(self._memo)

    def embedding(self, text: str) -> np.ndarray:
        """The message's embedding (a leading greeting left out), computed once per message."""
        body = self.words.leading_greeting.sub("", text).strip() or text
        with self._memo_lock:
            vector = self._memo.get(body)
            if vector is not None:
                self._memo.move_to_end(body)
                return vector
            batch = [body, *(t for t in self._expected if t != body)]
            self._expected = []
        vectors = self._embed(batch)
        self._remember(zip(batch, vectors))
        return vectors[0]

    def _remember(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        with self._memo_lock:
            for key, vector in items:
                self._memo[key] = vector
                self._memo.move_to_end(key)
            while len(self._memo) > self.memo_size:
                self._memo.popitem(last=False)

    def _similarities(self, text: str) -> np.ndarray:
        return self._matrix @ self.embedding(text)

    def asks_for_person(self, text: str, words: Lexicon | None = None) -> bool:
        """The learned detector's reading (typos, indirect asks), never for a negated or
        bot-directed message ("I don't need a person", "are you a real person?"), and only in the
        language it was trained on (in others its letter n-grams fire on mere mentions)."""
        words = words or self.words
        if (self.person is None or words.language != PERSON_MODEL_LANGUAGE
                or words.human_negated.search(text)):
            return False
        return self.person.asks(text, self.embedding(text), self.encoder)

    def is_gibberish(self, text: str, sims: np.ndarray | None = None) -> bool:
        """Letters but no word the encoder's vocabulary knows, and no example anywhere near."""
        vocab = self._vocab
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
        for i, rows in enumerate(self._rows_of):
            own = np.sort(sims[rows])[::-1][:3]
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

    def classify(self, text: str, words: Lexicon | None = None) -> tuple[str, float]:
        """``words``: the lexicon of the message's language (the classifier's own by default); a
        message not in English goes to the multilingual classifier when there is one."""
        words = words or self.words
        other = self.for_language(words.language)
        if other is not self:
            return other.classify(text, words)
        text = (text or "").strip()
        if not text:
            return "out_of_scope", 0.0
        # a turn reads its message more than once (as sent, and masked when it names no product:
        # the same text); the reading depends on the text and the lexicon alone
        key = (text, id(words))
        with self._memo_lock:
            known = self._readings.get(key)
            if known is not None and known[0] is words:   # kept with it: an id is never reused meanwhile
                self._readings.move_to_end(key)
                return known[1]
        reading = self._classify(text, words)
        with self._memo_lock:
            self._readings[key] = (words, reading)
            while len(self._readings) > self.memo_size:
                self._readings.popitem(last=False)
        return reading

    def _classify(self, text: str, words: Lexicon) -> tuple[str, float]:
        # Exact rules first, where a pattern cannot mean anything else.
        if is_human_request(text, words) or self.asks_for_person(text, words):
            return "human_request", 0.99
        if is_pure_greeting(text, words):
            return "greeting", 0.95
        if self.is_gibberish(text):
            return "out_of_scope", 0.9
        # Order ids say nothing about the question's kind to the embedding; mask them.
        ranked = list(self.scores(self._order_mention.sub("my order", text)).items())
        intent, confidence = ranked[0]
        # The examples may spot a paraphrased ask for a person the rules missed, but only when
        # they are sure and nothing in the message negates it ("are you a real person?").
        if intent == "human_request" and (confidence < self.human_min_confidence
                                          or words.human_negated.search(text)):
            intent, confidence = ranked[1]
        # Broken on arrival or broken in use? The examples blur the two; the words do not.
        pair = {intent, ranked[1][0]}
        if pair == {"damaged_or_wrong_item", "warranty_claim"}:
            arrived, in_use = bool(words.arrival.search(text)), bool(words.in_use.search(text))
            if arrived != in_use:
                intent = "damaged_or_wrong_item" if arrived else "warranty_claim"
                confidence = max(ranked[0][1], ranked[1][1])
        if find_order_ids(text, self.order_id_pattern):
            rest = re.findall(r"[a-z]+", order_id_regex(self.order_id_pattern).sub(" ", text).lower())
            scores = dict(ranked)
            clear_other = (len(rest) >= 3 and intent not in ("order_status", "greeting", "out_of_scope",
                                                             "product_question", "recommendation")
                           and confidence >= self.clear_min
                           and confidence >= self.clear_ratio * scores.get("order_status", 0.0))
            if not clear_other:
                return "order_status", max(scores.get("order_status", 0.0), 0.8)
        return intent, round(confidence, 4)
