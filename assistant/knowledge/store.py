"""The store's knowledge in Chroma: one cosine collection of product, FAQ and policy chunks.

The project embeds texts itself (see embeddings.py) so no Chroma embedding function is ever
built. Embedded Chroma lives under the data dir; ``ASSISTANT_CHROMA_URL`` points at a Chroma
server (``chroma run``) that several app processes share.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import StoreUnreachable

COLLECTION = "knowledge"


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
    def __init__(self, path: Path | None = None, collection: str = COLLECTION, url: str | None = None):
        self.client = chroma_client(path, url)
        self.collection = self.client.get_or_create_collection(
            collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

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
