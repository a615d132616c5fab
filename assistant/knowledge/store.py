"""The store's knowledge in Chroma: one cosine collection of product, FAQ and policy chunks.

The project embeds texts itself (see embeddings.py) so no Chroma embedding function is ever
built. Embedded Chroma lives under the data dir; ``ASSISTANT_CHROMA_URL`` points at a Chroma
server (``chroma run``) that several app processes share.

Vectors of two models never mix: the collection's metadata records the encoder its vectors came
from (``embeddings.fingerprint``). Ingesting with another model rebuilds the collection
(``claim``); searching one ingested with another model is refused with ``EmbeddingModelMismatch``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import AssistantError, StoreUnreachable
from assistant.knowledge.embeddings import same_model

COLLECTION = "knowledge"
# the same chunks embedded by multilingual-e5-small, for messages not in English (service.Knowledge)
MULTILINGUAL_COLLECTION = "knowledge_multilingual"
_SPACE = {"hnsw": {"space": "cosine"}}


class EmbeddingModelMismatch(AssistantError):
    """The store's vectors came from another embedding model than the one configured."""

    status_code = 503


def chroma_client(path: Path | None = None, url: str | None = None):
    """A Chroma server's client when ``url`` is given, else embedded Chroma under ``path``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    quiet = ChromaSettings(anonymized_telemetry=False)
    if not url:
        Path(path).mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=quiet)
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"ASSISTANT_CHROMA_URL must look like http://host:8000, not {url!r}")
    try:
        return chromadb.HttpClient(host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 8000),
                                   ssl=parts.scheme == "https", settings=quiet)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError kinds here
        raise StoreUnreachable(f"cannot reach the Chroma server at {url} (ASSISTANT_CHROMA_URL): {exc}") from None


class KnowledgeStore:
    """``model``: the fingerprint of the encoder this process searches with (None: unchecked)."""

    def __init__(self, path: Path | None = None, collection: str = COLLECTION, url: str | None = None,
                 model: dict[str, Any] | None = None):
        self.client = chroma_client(path, url)
        self.name, self.model = collection, model
        self.collection = self.client.get_or_create_collection(collection, embedding_function=None,
                                                               configuration=_SPACE)

    # -- which model the vectors came from --------------------------------------------------
    def recorded_model(self) -> dict[str, Any] | None:
        meta = self.collection.metadata or {}
        return {k: v for k, v in meta.items() if k.startswith("embedding_")} or None

    def model_mismatch(self, model: dict[str, Any] | None = None) -> str | None:
        """Why this store's vectors cannot be searched with ``model`` (default: the store's own
        ``model``); None when they can (or the store is empty)."""
        model = model or self.model
        if model is None or self.count() == 0:
            return None
        recorded = self.recorded_model()
        if same_model(recorded, model):
            return None
        was = (f"{recorded.get('embedding_model')} ({recorded.get('embedding_dim')}-d)" if recorded
               else "an unrecorded embedding model (a store ingested before stores recorded theirs)")
        return (f"the knowledge store was ingested with {was}, but ASSISTANT_EMBEDDING_MODEL selects "
                f"{model['embedding_model']} ({model['embedding_dim']}-d); re-ingest it (`assistant ingest` "
                "with the same catalog) or set the model it was ingested with")

    def check_model(self) -> None:
        reason = self.model_mismatch()
        if reason:
            raise EmbeddingModelMismatch(reason)

    def claim(self, model: dict[str, Any]) -> bool:
        """Make this collection ``model``'s before writing its vectors: a collection holding another
        model's vectors is emptied (ingest then re-embeds everything). True when it was emptied."""
        reason = self.model_mismatch(model)
        if reason:
            self.client.delete_collection(self.name)
            self.collection = self.client.get_or_create_collection(self.name, embedding_function=None,
                                                                   configuration=_SPACE)
        if not same_model(self.recorded_model(), model):
            self.collection.modify(metadata=dict(model))
        self.model = model
        return reason is not None

    def catalog_sources(self) -> set[str]:
        """Where the stored products came from (their chunks' ``source_path``)."""
        got = self.collection.get(where={"kind": "product"}, include=["metadatas"])
        return {str((m or {}).get("source_path", "")) for m in got["metadatas"]}

    def count(self) -> int:
        return self.collection.count()

    def hashes(self) -> dict[str, str]:
        """Source id -> content hash of every stored chunk (what incremental ingest compares)."""
        got = self.collection.get(include=["metadatas"])
        return {i: (m or {}).get("content_hash", "") for i, m in zip(got["ids"], got["metadatas"])}

    def upsert(self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]],
               embeddings: list[list[float]]) -> None:
        self.collection.upsert(ids=ids, documents=texts, metadatas=metadatas, embeddings=embeddings)

    def delete(self, ids: list[str]) -> None:
        if ids:
            self.collection.delete(ids=ids)

    def query(self, embedding: list[float], k: int, where: dict[str, Any] | None = None
              ) -> list[tuple[str, str, dict[str, Any], float]]:
        """(id, text, metadata, similarity) best first; similarity = 1 - cosine distance.
        Chroma returns fewer than ``k`` when fewer match, so no count() round trip first."""
        if k <= 0:
            return []
        got = self.collection.query(query_embeddings=[embedding], n_results=k, where=where or None,
                                    include=["documents", "metadatas", "distances"])
        return [(i, d, m or {}, 1.0 - dist) for i, d, m, dist in
                zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]

    def get(self, ids: list[str] | None = None, where: dict[str, Any] | None = None
            ) -> list[tuple[str, str, dict[str, Any]]]:
        got = self.collection.get(ids=ids, where=where or None, include=["documents", "metadatas"])
        return list(zip(got["ids"], got["documents"], [m or {} for m in got["metadatas"]]))
