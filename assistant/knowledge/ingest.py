"""Ingestion: catalog + documents -> chunks -> embeddings -> Chroma, incrementally.

Each chunk carries a content hash. Re-running on unchanged input embeds nothing; a changed
chunk is re-embedded; a chunk whose source disappeared is deleted. The store mirrors exactly
the last ingested input.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant.knowledge.catalog import Product, load_documents
from assistant.knowledge.chunking import Chunk, faq_chunk, policy_chunk, product_chunks
from assistant.knowledge.embeddings import all_cores, embed
from assistant.knowledge.store import KnowledgeStore


@dataclass
class IngestReport:
    products: int
    documents: int
    chunks: int
    embedded: int
    unchanged: int
    deleted: int
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"{self.products} products, {self.documents} documents -> {self.chunks} chunks: "
                f"{self.embedded} embedded, {self.unchanged} unchanged, {self.deleted} deleted "
                f"({self.seconds:.1f}s)")


def build_chunks(products: list[Product], catalog_source: str, docs_dir: Path | None) -> tuple[list[Chunk], int]:
    chunks: list[Chunk] = []
    for product in products:
        chunks.extend(product_chunks(product, catalog_source))
    n_docs = 0
    if docs_dir is not None:
        faq, sections = load_documents(docs_dir)
        n_docs = len(faq) + len(sections)
        faq_source = str(Path(docs_dir) / "faq.yaml")
        chunks.extend(faq_chunk(entry, faq_source) for entry in faq)
        chunks.extend(policy_chunk(section) for section in sections)
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.id not in seen:
            seen.add(chunk.id)
            unique.append(chunk)
    return unique, n_docs


def sync(store: KnowledgeStore, encoder, chunks: list[Chunk], *, batch_size: int = 64,
         progress: bool | None = None, on_batch: Callable[[int, int], None] | None = None) -> tuple[int, int, int]:
    """Make the store hold exactly ``chunks``; returns (embedded, unchanged, deleted)."""
    stored = store.hashes()
    wanted = {c.id: c for c in chunks}
    todo = [c for c in chunks if stored.get(c.id) != c.content_hash]
    stale = [i for i in stored if i not in wanted]
    store.delete(stale)
    show = progress if progress is not None else len(todo) > batch_size
    bar = tqdm(total=len(todo), desc="embedding", unit="chunk", disable=not show)
    for start in range(0, len(todo), batch_size):
        batch = todo[start:start + batch_size]
        with all_cores():
            vectors = embed(encoder, [c.text for c in batch], batch_size=batch_size)
        store.upsert([c.id for c in batch], [c.text for c in batch],
                     [{**c.metadata, "content_hash": c.content_hash} for c in batch], vectors)
        bar.update(len(batch))
        if on_batch:
            on_batch(start + len(batch), len(todo))
    bar.close()
    return len(todo), len(chunks) - len(todo), len(stale)


def ingest(store: KnowledgeStore, encoder, products: list[Product], catalog_source: str,
           docs_dir: Path | None, progress: bool | None = None) -> IngestReport:
    import time

    started = time.perf_counter()
    chunks, n_docs = build_chunks(products, catalog_source, docs_dir)
    embedded, unchanged, deleted = sync(store, encoder, chunks, progress=progress)
    return IngestReport(len(products), n_docs, len(chunks), embedded, unchanged, deleted,
                        time.perf_counter() - started)
