"""Ingestion: catalog + documents -> chunks -> embeddings -> Chroma, incrementally.

The docs folder holds the FAQ (``faq.yaml``), policy pages (``policies/*.md``) and product documents:
manuals and spec sheets in Markdown, PDF or HTML anywhere else in it (``manuals/lamp.pdf``). Each
product document is linked to one product - by its front matter (``product: <id>``), else its file
name (the product's id or name as a slug, "linen-table-lamp-manual.pdf"), else the product name in
its title; a guide about several products is split by the product each section heading names -
and the spec facts it states join that product's specs where the catalog has none for
that key (the catalog's own values win), remembered in ``spec_sources`` so answers cite the
document. A document no product can be found for is left out and reported.

Each chunk carries a content hash. Re-running on unchanged input embeds nothing; a changed
chunk is re-embedded; a chunk whose source disappeared is deleted; a store embedded with another
model is re-embedded whole. The store mirrors exactly the last ingested input.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from assistant.errors import CatalogError
from assistant.knowledge.catalog import Product, load_documents, slugify
from assistant.knowledge.chunking import Chunk, document_chunks, faq_chunk, policy_chunk, product_chunks
from assistant.knowledge.documents import ProductDocument, find_documents, read_document
from assistant.knowledge.embeddings import PASSAGE, all_cores, embed, fingerprint
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
    notes: list[str] = field(default_factory=list)   # e.g. product documents no product was found for
    # the multilingual index (same chunks, another model): chunks it embedded, and its share of seconds
    multilingual_embedded: int | None = None
    multilingual_seconds: float = 0.0

    def __str__(self) -> str:
        text = (f"{self.products} products, {self.documents} documents -> {self.chunks} chunks: "
                f"{self.embedded} embedded, {self.unchanged} unchanged, {self.deleted} deleted "
                f"({self.seconds:.1f}s)")
        if self.multilingual_embedded is not None:
            text += (f"\n  multilingual index: {self.multilingual_embedded} embedded "
                     f"({self.multilingual_seconds:.1f}s of it)")
        return "\n".join([text, *(f"  {note}" for note in self.notes)])


@dataclass
class LinkedDocuments:
    products: list[Product]                                # specs filled in from their documents
    documents: list[tuple[ProductDocument, Product]]
    notes: list[str] = field(default_factory=list)


def _name_in(name: str, text: str) -> bool:
    return bool(re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", text.lower()))


def link_document(document: ProductDocument, products: list[Product]) -> tuple[Product | None, str]:
    """The product a document is about, and how it was found (or why none was)."""
    named = document.front_matter.get("product")
    if named is not None:
        named = str(named).strip()
        hit = next((p for p in products if p.id == named), None) or \
            next((p for p in products if p.name.casefold() == named.casefold()), None)
        if hit is None:
            raise CatalogError(f"{document.path}: the front matter names product {named!r}, which is not in "
                               "the catalog (give a product id or its exact name)")
        return hit, "front matter"
    stem = slugify(document.path.stem)
    by_file = [p for p in products if stem in (slugify(p.id), slugify(p.name))]
    by_file = by_file or [p for p in products if stem.startswith(slugify(p.name) + "-")]
    by_title = [p for p in products if _name_in(p.name, document.title)]
    for found, how in ((by_file, "file name"), (by_title, "title")):
        if not found:
            continue
        longest = max(len(p.name) for p in found)
        found = [p for p in found if len(p.name) == longest]
        if len(found) == 1:
            return found[0], how
        ids = ", ".join(p.id for p in found)
        return None, (f"its {how} fits {len(found)} products ({ids}); name one in front matter "
                      "(product: <id>)")
    return None, "no front matter 'product:', file name or title names a product"


def split_by_product(document: ProductDocument, products: list[Product]) -> list[tuple[ProductDocument, Product]]:
    """A guide about several products ("Product guide" with a "## Harbor Rain Shell" section per
    product): each section whose heading names exactly one product becomes part of that product's
    document; sections naming none or several are left out."""
    parts: dict[str, tuple[Product, list]] = {}
    for section in document.sections:
        named = [p for p in products if _name_in(p.name, section.title)]
        longest = max((len(p.name) for p in named), default=0)
        named = [p for p in named if len(p.name) == longest]
        if len(named) == 1:
            parts.setdefault(named[0].id, (named[0], []))[1].append(section)
    return [(replace(document, sections=sections), product) for product, sections in parts.values()]


def attach_documents(products: list[Product], documents: list[ProductDocument]) -> LinkedDocuments:
    """Link each document (or each product's sections of a guide) to its product and add the spec
    facts the catalog lacks."""
    merged = {p.id: p.model_copy(deep=True) for p in products}
    linked = LinkedDocuments(list(merged.values()), [])
    pairs: list[tuple[ProductDocument, Product]] = []
    for document in documents:
        product, how = link_document(document, products)
        if product is not None:
            pairs.append((document, product))
            continue
        parts = split_by_product(document, products)
        if not parts:
            linked.notes.append(f"{document.doc_id}: left out - {how}")
        pairs.extend(parts)
    for document, product in pairs:
        target = merged[product.id]
        for key, (value, section) in document.facts.items():
            if key not in target.specs:
                target.specs[key] = value
                target.spec_sources[key] = document.source_id(section)
        linked.documents.append((document, target))
    return linked


def build_chunks(products: list[Product], catalog_source: str, docs_dir: Path | None,
                 notes: list[str] | None = None) -> tuple[list[Chunk], int]:
    chunks: list[Chunk] = []
    n_docs = 0
    documents: list[tuple[ProductDocument, Product]] = []
    if docs_dir is not None:
        docs_dir = Path(docs_dir)
        if not docs_dir.is_dir():
            raise CatalogError(f"docs folder not found: {docs_dir}")
        faq, sections = load_documents(docs_dir)
        linked = attach_documents(products, [read_document(p, docs_dir) for p in find_documents(docs_dir)])
        products, documents = linked.products, linked.documents
        if notes is not None:
            notes.extend(linked.notes)
        n_docs = len(faq) + len(sections) + len(documents)
        faq_source = str(docs_dir / "faq.yaml")
        chunks.extend(faq_chunk(entry, faq_source) for entry in faq)
        chunks.extend(policy_chunk(section) for section in sections)
    for product in products:
        chunks.extend(product_chunks(product, catalog_source))
    for document, product in documents:
        chunks.extend(document_chunks(document, product))
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.id not in seen:
            seen.add(chunk.id)
            unique.append(chunk)
    return unique, n_docs


def sync(store: KnowledgeStore, encoder, chunks: list[Chunk], *, batch_size: int = 64,
         progress: bool | None = None, on_batch: Callable[[int, int], None] | None = None) -> tuple[int, int, int]:
    """Make the store hold exactly ``chunks``, embedded by ``encoder``; returns (embedded,
    unchanged, deleted).

    Chunks are embedded longest first, so each batch holds texts of about one length and pads
    little (as one ``encode`` call over everything would); a batch is written to Chroma while
    the next one is embedded. One write is in flight at a time, and a failed write stops the
    ingest with what was written before it kept."""
    from concurrent.futures import ThreadPoolExecutor

    store.claim(fingerprint(encoder))
    stored = store.hashes()
    wanted = {c.id: c for c in chunks}
    todo = sorted((c for c in chunks if stored.get(c.id) != c.content_hash), key=lambda c: -len(c.text))
    stale = [i for i in stored if i not in wanted]
    store.delete(stale)
    show = progress if progress is not None else len(todo) > batch_size
    bar = tqdm(total=len(todo), desc="embedding", unit="chunk", disable=not show)

    def write(batch: list[Chunk], vectors: list[list[float]], done: int) -> None:
        store.upsert([c.id for c in batch], [c.text for c in batch],
                     [{**c.metadata, "content_hash": c.content_hash} for c in batch], vectors)
        bar.update(len(batch))
        if on_batch:
            on_batch(done, len(todo))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as writer:
        pending = None
        for start in range(0, len(todo), batch_size):
            batch = todo[start:start + batch_size]
            with all_cores():
                vectors = embed(encoder, [c.text for c in batch], batch_size=batch_size, role=PASSAGE)
            if pending is not None:
                pending.result()
            pending = writer.submit(write, batch, vectors, start + len(batch))
        if pending is not None:
            pending.result()
    bar.close()
    return len(todo), len(chunks) - len(todo), len(stale)


def ingest(store: KnowledgeStore, encoder, products: list[Product], catalog_source: str,
           docs_dir: Path | None, progress: bool | None = None,
           multilingual: tuple[KnowledgeStore, object] | None = None) -> IngestReport:
    """``multilingual``: a second (store, encoder) that gets the same chunks, ids and metadata,
    embedded by its own model and kept in sync the same incremental way (see service.Knowledge)."""
    import time

    started = time.perf_counter()
    notes: list[str] = []
    chunks, n_docs = build_chunks(products, catalog_source, docs_dir, notes)
    embedded, unchanged, deleted = sync(store, encoder, chunks, progress=progress)
    report = IngestReport(len(products), n_docs, len(chunks), embedded, unchanged, deleted, 0.0, notes)
    if multilingual is not None:
        mirror_started = time.perf_counter()
        report.multilingual_embedded = sync(multilingual[0], multilingual[1], chunks, progress=progress)[0]
        report.multilingual_seconds = time.perf_counter() - mirror_started
    report.seconds = time.perf_counter() - started
    return report
