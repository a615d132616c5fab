"""The store's knowledge as the app uses it: the Chroma store, the encoder and the retriever.

Opened once per process. ``ensure_ingested`` ingests the configured store on first start, so
``make run`` on a fresh clone serves an assistant that already knows the demo store - and again
when the embedding model changed since (another store's catalog is not replaced: that is a
clear error naming the command to re-ingest it).
"""
from __future__ import annotations

from pathlib import Path

from assistant.knowledge.catalog import Product, load_catalog
from assistant.knowledge.embeddings import fingerprint, get_encoder
from assistant.knowledge.ingest import IngestReport, ingest
from assistant.knowledge.store import EmbeddingModelMismatch, KnowledgeStore
from assistant.knowledge.retrieval import Retriever
from assistant.settings import Settings


class Knowledge:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.encoder = get_encoder(settings.embedding_model, settings.embedding_threads)
        self.store = KnowledgeStore(settings.chroma_dir, url=settings.chroma_url, model=fingerprint(self.encoder))
        self.retriever = Retriever(self.store, self.encoder, cache_dir=settings.data_dir / "cache" / "embeddings")
        self._recommender = self._recommender_of = None

    @property
    def recommender(self):
        """Similar / complementary items and colour search over the current catalog (built on first
        use, again after the catalog changes): co-purchases from the demo orders file, photo
        colour profiles cached in the data dir."""
        from assistant.knowledge.colours import ColourProfiles
        from assistant.knowledge.recommend import Recommender, load_orders

        if self._recommender is None or self._recommender_of is not self.directory:
            self._recommender_of = self.directory
            products = list(self.directory.products.values())
            demo = self.settings.orders.demo_file
            orders = load_orders(self.settings.knowledge_dir / demo) if demo else []
            self._recommender = Recommender(products, encoder=self.encoder, orders=orders,
                                            colours=ColourProfiles(self.settings.data_dir / "cache" / "colours"))
        return self._recommender

    @property
    def directory(self):
        return self.retriever.directory

    def ingest(self, products: list[Product] | None = None, catalog_source: str | None = None,
               docs_dir: Path | None = None, progress: bool | None = None) -> IngestReport:
        if products is None:
            catalog_source = str(self.settings.catalog_path)
            products = load_catalog(self.settings.catalog_path)
            docs_dir = docs_dir or self.settings.docs_dir
        report = ingest(self.store, self.encoder, products, catalog_source or "catalog", docs_dir, progress)
        self.retriever.refresh()
        return report

    def ensure_ingested(self) -> IngestReport | None:
        """Ingest the configured store when the collection is empty (first start) or was embedded
        with another model; a store of another catalog embedded with another model is an error."""
        if self.store.count() > 0:
            reason = self.store.model_mismatch()
            if reason is None:
                return None
            if self.store.catalog_sources() - {str(self.settings.catalog_path)}:
                raise EmbeddingModelMismatch(reason)
        return self.ingest(progress=True)
