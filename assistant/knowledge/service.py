"""The store's knowledge as the app uses it: the Chroma store, the encoder and the retriever.

Opened once per process. ``ensure_ingested`` ingests the configured store on first start, so
``make run`` on a fresh clone serves an assistant that already knows the demo store - and again
when the embedding model changed since (another store's catalog is not replaced: that is a
clear error naming the command to re-ingest it).

With an English-only embedding model (the default) and ``multilingual_index`` on, the same chunks
are also kept in a second collection embedded by multilingual-e5-small (as passages): messages in
other languages search that one (``retriever_for``), since the English model cannot match a
Chinese question with an English page. The e5 encoder and that retriever load on first use, so a
process that only ever hears English pays nothing for them at serving time.
"""
from __future__ import annotations

from pathlib import Path

from assistant.knowledge.catalog import Product, load_catalog
from assistant.knowledge.embeddings import MULTILINGUAL_E5, all_cores, fingerprint, get_encoder, settings_encoder
from assistant.knowledge.ingest import IngestReport, ingest
from assistant.knowledge.store import MULTILINGUAL_COLLECTION, EmbeddingModelMismatch, KnowledgeStore
from assistant.knowledge.retrieval import CROSS_LANGUAGE_SCALE, Retriever
from assistant.settings import Settings


class Knowledge:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.encoder = settings_encoder(settings)
        self.store = KnowledgeStore(settings.chroma_dir, url=settings.chroma_url, model=fingerprint(self.encoder))
        self.retriever = Retriever(self.store, self.encoder, cache_dir=settings.data_dir / "cache" / "embeddings")
        self.multilingual_store: KnowledgeStore | None = None
        self._multilingual_retriever: Retriever | None = None
        if settings.multilingual_index:
            self.keep_multilingual_index()
        self._recommender = self._recommender_of = None

    @property
    def recommender(self):
        """Similar / complementary items and colour search over the current catalog (built on first
        use, again after the catalog changes): co-purchases from the demo orders file, photo
        colour profiles and the catalog's text vectors cached in the data dir (a restart reads them)."""
        from assistant.knowledge.colours import ColourProfiles
        from assistant.knowledge.recommend import Recommender, load_orders

        if self._recommender is None or self._recommender_of is not self.directory:
            self._recommender_of = self.directory
            products = list(self.directory.products.values())
            demo = self.settings.orders.demo_file
            orders = load_orders(self.settings.knowledge_dir / demo) if demo else []
            self._recommender = Recommender(products, encoder=self.encoder, orders=orders,
                                            colours=ColourProfiles(self.settings.data_dir / "cache" / "colours"),
                                            cache_dir=self.settings.data_dir / "cache" / "embeddings")
        return self._recommender

    def keep_multilingual_index(self) -> None:
        """Keep the multilingual index from now on (built by the next ``ensure_ingested``); nothing
        to do when the main model is multilingual-e5-small itself."""
        if self.multilingual_store is None and self.settings.embedding_model != MULTILINGUAL_E5:
            self.multilingual_store = KnowledgeStore(self.settings.chroma_dir, MULTILINGUAL_COLLECTION,
                                                     url=self.settings.chroma_url)

    @property
    def multilingual_encoder(self):
        """multilingual-e5-small when the multilingual index is kept (loaded on first use), else None."""
        if self.multilingual_store is None:
            return None
        return get_encoder(MULTILINGUAL_E5, self.settings.embedding_threads)

    def multilingual_classifier_encoder(self):
        """The encoder that labels messages not in English: e5 once the multilingual index is
        complete (the intent classifier and retrieval then read the same vectors), else None."""
        return self.multilingual_encoder if self.multilingual_ready() else None

    def multilingual_ready(self) -> bool:
        """The multilingual index holds every chunk the main store does, from e5."""
        store = self.multilingual_store
        return (store is not None and store.count() > 0 and store.count() == self.store.count()
                and (store.recorded_model() or {}).get("embedding_model") == MULTILINGUAL_E5)

    def retriever_for(self, language: str | None) -> Retriever:
        """The retriever for a message in ``language``: the multilingual index's for a language
        other than English when it is kept and complete, else the main one."""
        if (language or "en") == "en" or not self.multilingual_ready():
            return self.retriever
        if self._multilingual_retriever is None:
            encoder = self.multilingual_encoder
            self.multilingual_store.model = fingerprint(encoder)
            self._multilingual_retriever = Retriever(self.multilingual_store, encoder, directory=self.directory,
                                                     cache_dir=self.settings.data_dir / "cache" / "embeddings",
                                                     score_scale=CROSS_LANGUAGE_SCALE)
        return self._multilingual_retriever

    @property
    def directory(self):
        return self.retriever.directory

    def ingest(self, products: list[Product] | None = None, catalog_source: str | None = None,
               docs_dir: Path | None = None, progress: bool | None = None) -> IngestReport:
        if products is None:
            catalog_source = str(self.settings.catalog_path)
            products = load_catalog(self.settings.catalog_path)
            docs_dir = docs_dir or self.settings.docs_dir
        mirror = (self.multilingual_store, self.multilingual_encoder) if self.multilingual_store is not None else None
        report = ingest(self.store, self.encoder, products, catalog_source or "catalog", docs_dir, progress,
                        multilingual=mirror)
        with all_cores():                           # first-start work like the chunks': every core
            self.retriever.refresh()
            self._multilingual_retriever = None    # rebuilt on next use, over the new chunks
            if self.directory.products:
                # look-alike vectors and photo colours worked out (and cached) now, not in a shopper's turn
                self.recommender.profiles()
        return report

    def ensure_ingested(self) -> IngestReport | None:
        """Ingest the configured store when the collection is empty (first start) or was embedded
        with another model; a store of another catalog embedded with another model is an error."""
        if self.store.count() > 0:
            reason = self.store.model_mismatch()
            if reason is None:
                if self.multilingual_store is None or self.multilingual_ready():
                    return None
                if self.store.catalog_sources() - {str(self.settings.catalog_path)}:
                    return None          # another catalog's store: its own ingest builds the index
                return self.ingest(progress=True)   # main chunks unchanged: only the index is embedded
            if self.store.catalog_sources() - {str(self.settings.catalog_path)}:
                raise EmbeddingModelMismatch(reason)
        return self.ingest(progress=True)
