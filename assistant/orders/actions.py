"""Which order action a shopper asks for, learned from example messages.

Three small label sets live in ``prompts/order_actions.yaml``: ``actions`` (status, cancel,
change_address, return, exchange, or none), ``replies`` to a confirmation (yes / no) and
``conditions`` of an item to return (unused / damaged / used). Every example is embedded once
with the shared sentence-transformers encoder (assistant.knowledge.embeddings.get_encoder, the
same model the intent classifier and the retriever use); a message takes the label whose three
nearest examples are closest on average, if that is close enough and clearly ahead of the next.
The conversation's own intents (assistant.dialogue) stay separate: this only tells the order
desk what to do once a message is about an order.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.errors import CatalogError
from assistant.orders.verification import ORDER_NUMBER_RE
from assistant.settings import PROJECT_ROOT
from assistant.knowledge.files import read_store_file

if TYPE_CHECKING:  # pragma: no cover
    from assistant.settings import Settings

DEFAULT_EXAMPLES = PROJECT_ROOT / "prompts" / "order_actions.yaml"
LABEL_SETS = {"actions": ("status", "cancel", "change_address", "return", "exchange", "none"),
              "replies": ("yes", "no"),
              "conditions": ("unused", "damaged", "used")}


@dataclass(frozen=True)
class Detection:
    label: str | None          # None: nothing close enough (or the "none" label)
    score: float               # mean cosine of the label's three nearest examples
    margin: float              # ahead of the runner-up by this much


def load_examples(path: Path | str = DEFAULT_EXAMPLES) -> dict[str, dict[str, list[str]]]:
    """Read the example file; a missing set, an unknown label or an empty list names the file."""
    path = Path(path)
    raw = read_store_file(path, "order action examples") or {}
    out: dict[str, dict[str, list[str]]] = {}
    for set_name, labels in LABEL_SETS.items():
        block = raw.get(set_name) if isinstance(raw, dict) else None
        if not isinstance(block, dict):
            raise CatalogError(f"{path}: expected a mapping '{set_name}: {{label: [examples]}}'")
        unknown = set(block) - set(labels)
        if unknown:
            raise CatalogError(f"{path}: unknown {set_name} label(s) {sorted(unknown)}; known: {', '.join(labels)}")
        for label in labels:
            items = block.get(label)
            if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
                raise CatalogError(f"{path}: {set_name}.{label} needs a list of non-empty example strings")
        out[set_name] = {label: [i.strip() for i in block[label]] for label in labels}
    return out


class OrderActionDetector:
    """``action(text)``, ``reply(text)`` and ``condition(text)`` each return a Detection."""

    min_score = {"actions": 0.33, "replies": 0.55, "conditions": 0.4}
    min_margin = {"actions": 0.05, "replies": 0.08, "conditions": 0.02}

    def __init__(self, encoder=None, examples: Path | str | dict | None = None, settings: "Settings | None" = None):
        if encoder is None:
            from assistant.knowledge.embeddings import settings_encoder
            from assistant.settings import get_settings

            settings = settings or get_settings()
            encoder = settings_encoder(settings)
        self.encoder = encoder
        if examples is None:
            candidate = settings.prompts_dir / "order_actions.yaml" if settings else DEFAULT_EXAMPLES
            examples = candidate if Path(candidate).exists() else DEFAULT_EXAMPLES
        self.examples = examples if isinstance(examples, dict) else load_examples(examples)
        # 1. Embed each set's examples once (unit vectors: a dot product is the cosine), cached in
        # the data dir as the intent examples are: a second start reads them
        from assistant.knowledge.vector_cache import embed_cached

        folder = settings.data_dir / "cache" / "embeddings" if settings is not None else None
        self._sets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        for set_name, labels in self.examples.items():
            names = list(labels)
            texts = [t for name in names for t in labels[name]]
            marks = np.array([i for i, name in enumerate(names) for _ in labels[name]])
            self._sets[set_name] = (names, marks, embed_cached(self.encoder, texts, folder))

    def _embed(self, texts: list[str]) -> np.ndarray:
        from assistant.knowledge.embeddings import embed

        return np.asarray(embed(self.encoder, texts), dtype=np.float32)

    def scores(self, set_name: str, text: str) -> dict[str, float]:
        """Each label's mean cosine over its three nearest examples, highest first."""
        names, marks, matrix = self._sets[set_name]
        # 2. Order numbers carry no meaning for the embedding; name them plainly.
        body = ORDER_NUMBER_RE.sub("my order", text or "").strip() or text
        sims = matrix @ self._embed([body])[0]
        per = {name: float(np.sort(sims[marks == i])[::-1][:3].mean()) for i, name in enumerate(names)}
        return dict(sorted(per.items(), key=lambda kv: -kv[1]))

    def _detect(self, set_name: str, text: str) -> Detection:
        if not (text or "").strip():
            return Detection(None, 0.0, 0.0)
        scores = self.scores(set_name, text)
        ranked = list(scores.items())
        (label, best), runner = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
        # Two order actions may sit close ("return" / "exchange" the vest): the one to beat is
        # "none", the examples of messages that ask for no action at all.
        margin = best - scores["none"] if set_name == "actions" and label != "none" else best - runner
        # 3. Close enough to the examples and clearly ahead of the next label, or nothing.
        if best < self.min_score[set_name] or margin < self.min_margin[set_name] or label == "none":
            return Detection(None, round(best, 4), round(margin, 4))
        return Detection(label, round(best, 4), round(margin, 4))

    def action(self, text: str) -> Detection:
        return self._detect("actions", text)

    def reply(self, text: str) -> Detection:
        return self._detect("replies", text)

    def condition(self, text: str) -> Detection:
        return self._detect("conditions", text)
