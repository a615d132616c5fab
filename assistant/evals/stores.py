"""The stores an eval run talks to: one ingested knowledge base per knowledge source.

Conversations name their store (``knowledge:`` in the transcript) or use the run's default.
Each distinct source is ingested once per run into a cached data dir keyed by the source, so a
second run only re-embeds what changed (ingestion is incremental). A source that is not on this
machine (a shared catalog missing in CI) is reported as unavailable, and its conversations are
skipped with that reason rather than failed.
"""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from assistant.errors import AssistantError
from assistant.evals.transcripts import KnowledgeRef
from assistant.settings import Settings


def cache_key(ref: KnowledgeRef, embedding_model: str) -> str:
    raw = json.dumps([ref.to_dict(), embedding_model], sort_keys=True)
    return f"{Path(ref.path).stem[:24]}-{hashlib.sha256(raw.encode()).hexdigest()[:12]}"


class StoreUnavailable(AssistantError):
    """A conversation's knowledge source cannot be loaded on this machine."""


class EvalStores:
    """Knowledge per source, built lazily and shared by every thread of the run."""

    def __init__(self, settings: Settings, cache_dir: Path | None = None, default=None):
        self.settings = settings
        self.cache_dir = Path(cache_dir or settings.data_dir / "eval-knowledge")
        self._default = default                  # an already-open Knowledge for the default store
        self._open: dict[KnowledgeRef | None, object] = {}
        self._failed: dict[KnowledgeRef | None, str] = {}
        self._lock = threading.Lock()
        self.ingested: dict[str, str] = {}       # label -> ingest report, for the run's metadata

    def default_ref(self) -> KnowledgeRef:
        return KnowledgeRef(str(self.settings.knowledge_dir))

    def get(self, ref: KnowledgeRef | None):
        """The Knowledge for ``ref`` (None = the default store); raises StoreUnavailable."""
        with self._lock:
            if ref in self._failed:
                raise StoreUnavailable(self._failed[ref])
            if ref not in self._open:
                try:
                    self._open[ref] = self._build(ref)
                except AssistantError as exc:
                    label = (ref or self.default_ref()).label()
                    self._failed[ref] = f"knowledge {label} unavailable: {exc}"
                    raise StoreUnavailable(self._failed[ref]) from None
            return self._open[ref]

    def _build(self, ref: KnowledgeRef | None):
        from assistant.knowledge.service import Knowledge

        if ref is None and self._default is not None:
            return self._default
        ref = ref or self.default_ref()
        if not Path(ref.path).exists():
            raise StoreUnavailable(f"{ref.path} not found")
        data_dir = self.cache_dir / cache_key(ref, self.settings.embedding_model)
        if ref.is_dir:
            settings = self.settings.model_copy(update={"data_dir": data_dir, "knowledge_dir": Path(ref.path)})
            knowledge = Knowledge(settings)
            report = knowledge.ingest(progress=False)
        else:
            from assistant.importers import load_products

            settings = self.settings.model_copy(update={"data_dir": data_dir})
            knowledge = Knowledge(settings)
            products = load_products(ref.path, mapping=ref.mapping)
            report = knowledge.ingest(products, ref.path, Path(ref.docs) if ref.docs else None, progress=False)
        self.ingested[ref.label()] = str(report)
        return knowledge
