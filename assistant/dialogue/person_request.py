"""A learned detector for "the shopper wants a person", robust to typos and indirect asks.

The exact rules in ``intents.is_human_request`` catch "talk to a human"; shoppers also write
"cn i tlk to a humn plz" or "no idea how I get hold of someone real". This is a logistic
regression over two views of the message, trained offline by ``scripts/train_person_request.py``
on a customer-service corpus (the Bitext train split; validation is only ever reported):

- character n-grams (2-5 within word boundaries, hashed): spelling-robust, model-free;
- the sentence embedding the intent classifier already computes: paraphrase-robust.

The weights ship as ``person_request.npz`` beside this module. The embedding view is used only
with the encoder it was trained with (recognised by its vector for a fixed probe sentence); with
any other encoder the character-only weights answer. A negated or bot-directed clause ("I don't
need a person", "are you a real person?") never counts, whatever the score.
"""
from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import mmh3
import numpy as np

DEFAULT_MODEL = Path(__file__).with_name("person_request.npz")
LANGUAGE = "en"     # the Bitext corpus it is trained on is English: other languages' asks go by their rules
PROBE = "I would like to ask a question about my order."   # fingerprints the trained encoder
N_FEATURES = 2 ** 18
NGRAMS = (2, 5)


@lru_cache(maxsize=1)
def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=NGRAMS, n_features=N_FEATURES,
                             alternate_sign=False, lowercase=True, norm="l2")


def char_features(texts: Sequence[str]):
    """The character view as training builds it (a scipy sparse matrix, one row per text)."""
    return _vectorizer().transform(list(texts))


_RUNS_OF_SPACE = re.compile(r"\s\s+")


def hashed_ngrams(text: str) -> tuple[np.ndarray, np.ndarray]:
    """One text's row of :func:`char_features` as (indices, values), without scikit-learn: the
    same char_wb n-grams (each word padded with a space), hashed with the same MurmurHash3 to
    ``abs(hash) % N_FEATURES``, counted and l2-normalised. A message is scored on every turn,
    and the vectorizer costs ~0.3 ms a call and its import a second of the first turn."""
    counts: dict[int, int] = {}
    low, high = NGRAMS
    for word in _RUNS_OF_SPACE.sub(" ", text.lower()).split():
        word = f" {word} "
        for n in range(low, high + 1):
            last = max(len(word) - n, 0)
            for start in range(last + 1):
                h = mmh3.hash(word[start:start + n], 0)
                index = (2147483647 - (N_FEATURES - 1)) % N_FEATURES if h == -2147483648 else abs(h) % N_FEATURES
                counts[index] = counts.get(index, 0) + 1
            if last == 0:            # a word shorter than n is counted once, as itself
                break
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    return indices, values / np.sqrt(values @ values)


@dataclass(frozen=True)
class _Weights:
    char: np.ndarray          # (N_FEATURES,) dense, mostly zero
    emb: np.ndarray | None    # (dim,) or None for the character-only model
    bias: float

    def score(self, texts: Sequence[str], embeddings: np.ndarray | None) -> np.ndarray:
        # each text's few non-zero n-grams against the dense weights (a sparse-times-dense
        # product through scipy costs 20x more for one message)
        rows = [hashed_ngrams(text) for text in texts]
        z = np.array([self.char[idx] @ val for idx, val in rows], dtype=np.float64) + self.bias
        if self.emb is not None and embeddings is not None:
            z = z + np.asarray(embeddings, dtype=np.float32) @ self.emb
        return 1.0 / (1.0 + np.exp(-z))


class PersonRequestModel:
    """``probability(text, embedding)`` that the message asks for a person."""

    def __init__(self, char_only: _Weights, with_embedding: _Weights | None, probe: np.ndarray | None,
                 threshold: float):
        self.char_only, self.with_embedding, self.probe = char_only, with_embedding, probe
        self.threshold = threshold
        self._encoder_ok: dict[int, bool] = {}

    @classmethod
    def load(cls, path: Path | str = DEFAULT_MODEL) -> "PersonRequestModel | None":
        """The shipped model, or None when the file is missing (the exact rules still run)."""
        path = Path(path)
        if not path.exists():
            return None
        data = np.load(path)
        char = _dense(data["char_idx"], data["char_val"])
        char_only = _Weights(_dense(data["solo_idx"], data["solo_val"]), None, float(data["solo_bias"]))
        with_emb = _Weights(char, data["emb"].astype(np.float32), float(data["bias"])) if "emb" in data else None
        return cls(char_only, with_emb, data["probe"] if "probe" in data else None, float(data["threshold"]))

    def matches_encoder(self, encoder) -> bool:
        """Whether ``encoder`` is the one the embedding weights were trained on."""
        if encoder is None or self.with_embedding is None or self.probe is None:
            return False
        key = id(encoder)
        if key not in self._encoder_ok:
            from assistant.knowledge.embeddings import embed

            vector = np.asarray(embed(encoder, [PROBE])[0], dtype=np.float32)
            self._encoder_ok[key] = vector.shape == self.probe.shape and float(vector @ self.probe) > 0.999
        return self._encoder_ok[key]

    def probability(self, text: str, embedding: np.ndarray | None = None, encoder=None) -> float:
        weights = self.with_embedding if embedding is not None and self.matches_encoder(encoder) else None
        if weights is None:
            return float(self.char_only.score([text], None)[0])
        return float(weights.score([text], np.asarray(embedding)[None, :])[0])

    def asks(self, text: str, embedding: np.ndarray | None = None, encoder=None) -> bool:
        return self.probability(text, embedding, encoder) >= self.threshold


def _dense(idx: np.ndarray, val: np.ndarray) -> np.ndarray:
    out = np.zeros(N_FEATURES, dtype=np.float32)
    out[idx] = val
    return out


def _sparse(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.flatnonzero(vector).astype(np.int32)
    return idx, vector[idx].astype(np.float16)


# -- training (scripts/train_person_request.py) ----------------------------------------------
def with_typos(texts: Iterable[str], seed: int = 7) -> list[str]:
    """A noisy copy of each text (a dropped vowel, swapped or missing letters), as phones type."""
    rng = random.Random(seed)
    out = []
    for text in texts:
        words = []
        for word in text.split():
            roll = rng.random()
            if len(word) > 3 and roll < 0.25:
                word = re.sub(r"(?<=\w)[aeiou]", "", word, count=1)
            elif len(word) > 3 and roll < 0.35:
                i = rng.randrange(len(word) - 1)
                word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            elif len(word) > 2 and roll < 0.42:
                i = rng.randrange(len(word))
                word = word[:i] + word[i + 1:]
            words.append(word)
        out.append(" ".join(words))
    return out


def train(texts: Sequence[str], labels: Sequence[bool], encoder=None, threshold: float = 0.7,
          C: float = 4.0, path: Path | str = DEFAULT_MODEL) -> Path:
    """Fit both weight sets (character-only, and character + embedding when an encoder is given)
    and write them to ``path``."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels, dtype=bool)
    chars = char_features(texts)
    fit = lambda X: LogisticRegression(C=C, max_iter=4000, class_weight="balanced").fit(X, y)  # noqa: E731
    solo = fit(chars)
    arrays: dict[str, np.ndarray] = {"threshold": np.float32(threshold)}
    arrays["solo_idx"], arrays["solo_val"] = _sparse(solo.coef_[0])
    arrays["solo_bias"] = np.float32(solo.intercept_[0])
    if encoder is not None:
        from assistant.knowledge.embeddings import embed

        vectors = np.asarray(embed(encoder, list(texts)), dtype=np.float32)
        both = fit(hstack([chars, csr_matrix(vectors)]).tocsr())
        arrays["char_idx"], arrays["char_val"] = _sparse(both.coef_[0][:N_FEATURES])
        arrays["emb"] = both.coef_[0][N_FEATURES:].astype(np.float32)
        arrays["bias"] = np.float32(both.intercept_[0])
        arrays["probe"] = np.asarray(embed(encoder, [PROBE])[0], dtype=np.float32)
    np.savez_compressed(path, **arrays)
    return Path(path)
