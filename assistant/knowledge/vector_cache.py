"""Start-up embeddings kept on disk, so a second process start does not embed them again.

Every process embeds the same fixed texts when it starts: the intent examples, the FAQ questions,
the category overviews. They are derivable, so they are cached in the data dir, one ``.npy`` per
list of texts (named by the texts' hash). The cache checks itself against the model in use: the
first text is embedded afresh and must match the stored first row, so another model, or another
version of the same model, is a miss (the rows are embedded again and the file replaced).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from assistant.knowledge.embeddings import QUERY, embed, exact

log = logging.getLogger(__name__)


def embed_cached(encoder, texts: list[str], folder: Path | None, role: str = QUERY) -> np.ndarray:
    """``embed(encoder, texts, role=role)`` as a float32 matrix, read from ``folder`` when it holds
    them; always the encoder's exact vectors (a quantized serving graph's differ at 1e-2)."""
    encoder = exact(encoder)
    if not texts or folder is None:
        return np.asarray(embed(encoder, texts, role=role), dtype=np.float32)
    digest = hashlib.sha256("\x1f".join([role, *texts]).encode("utf-8")).hexdigest()[:32]
    path = Path(folder) / f"{digest}.npy"
    probe = np.asarray(embed(encoder, texts[:1], role=role), dtype=np.float32)
    try:
        stored = np.load(path, allow_pickle=False)
        if stored.shape[0] == len(texts) and stored.shape[1:] == probe.shape[1:] \
                and np.allclose(stored[0], probe[0], atol=1e-4):
            return stored
    except (OSError, ValueError):
        pass                                     # no file yet, or one cut short: embed again
    matrix = np.asarray(embed(encoder, texts, role=role), dtype=np.float32)
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as out:
            np.save(out, matrix, allow_pickle=False)
        os.replace(out.name, path)               # whole or not at all, for a process starting beside
    except OSError as exc:                       # a read-only data dir still serves
        log.warning("could not cache start-up embeddings in %s: %s", folder, exc)
    return matrix
