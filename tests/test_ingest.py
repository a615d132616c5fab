"""Ingestion into real Chroma with the real embedding model: counts, incremental sync, imports."""
import json

import numpy as np
import pytest

from assistant.knowledge.catalog import load_catalog
from assistant.knowledge.embeddings import PASSAGE, embed
from assistant.knowledge.ingest import build_chunks, sync
from assistant.knowledge.service import Knowledge
from assistant.knowledge.store import KnowledgeStore
from assistant.settings import Settings


def test_demo_store_is_ingested_with_product_and_document_chunks(demo_knowledge, demo_settings):
    products = load_catalog(demo_settings.catalog_path)
    kinds = [m["kind"] for _, _, m in demo_knowledge.store.get()]
    assert kinds.count("product") == len(products) >= 60
    assert kinds.count("specs") >= 60
    assert kinds.count("faq") >= 30
    assert kinds.count("policy") >= 6


def test_reingest_of_unchanged_store_embeds_nothing(demo_knowledge):
    report = demo_knowledge.ingest(progress=False)
    assert report.embedded == 0 and report.deleted == 0
    assert report.unchanged == report.chunks > 200


def _small_store(tmp_path, demo_settings, products):
    knowledge_dir = tmp_path / "store"
    knowledge_dir.mkdir()
    (knowledge_dir / "catalog.json").write_text(json.dumps(products))
    return Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir)


def test_changed_product_is_reembedded_and_removed_one_deleted(tmp_path, demo_settings):
    raw = json.loads(demo_settings.catalog_path.read_text())[:3]
    for item in raw:
        item["images"] = []
    settings = _small_store(tmp_path, demo_settings, raw)
    knowledge = Knowledge(settings)
    first = knowledge.ingest(progress=False)
    assert first.embedded == first.chunks and first.chunks >= 6

    raw[0]["price"] = raw[0]["price"] + 10
    settings.catalog_path.write_text(json.dumps(raw))
    second = knowledge.ingest(progress=False)
    changed = len([c for c in knowledge.store.get() if c[2]["product_id"] == raw[0]["id"]])
    assert second.embedded == changed  # every chunk of that product carries its price
    assert second.unchanged == first.chunks - changed

    removed = raw.pop(1)
    settings.catalog_path.write_text(json.dumps(raw))
    third = knowledge.ingest(progress=False)
    assert third.embedded == 0 and third.deleted >= 2
    assert not knowledge.store.get(where={"product_id": removed["id"]})
    assert removed["id"] not in knowledge.directory.products


class _DiskFullOnce(KnowledgeStore):
    """A real store whose second write fails, as a full disk or a lost Chroma server would."""

    writes = 0

    def upsert(self, *args, **kwargs):
        type(self).writes += 1
        if type(self).writes == 2:
            raise OSError("no space left on device")
        super().upsert(*args, **kwargs)


def test_chunks_embedded_out_of_order_are_each_stored_with_their_own_vector(tmp_path, demo_settings):
    """Ingest embeds the longest chunks first and writes while it embeds: every stored vector must
    still be its own chunk's, or a question would find another product's text."""
    knowledge = Knowledge(demo_settings)
    products = load_catalog(demo_settings.catalog_path)[:5]
    chunks, _ = build_chunks(products, "catalog", demo_settings.docs_dir)
    store = KnowledgeStore(tmp_path / "chroma")
    assert sync(store, knowledge.encoder, chunks, batch_size=4) == (len(chunks), 0, 0)
    got = store.collection.get(include=["documents", "embeddings"])
    assert sorted(got["ids"]) == sorted(c.id for c in chunks)
    texts = dict(zip(got["ids"], got["documents"]))
    assert all(texts[c.id] == c.text for c in chunks)
    expected = np.asarray(embed(knowledge.encoder, list(got["documents"]), role=PASSAGE))
    assert np.allclose(np.asarray(got["embeddings"]), expected, atol=1e-4)


def test_a_failed_write_stops_ingest_and_the_next_run_embeds_only_what_is_missing(tmp_path, demo_settings):
    knowledge = Knowledge(demo_settings)
    chunks, _ = build_chunks(load_catalog(demo_settings.catalog_path)[:6], "catalog", demo_settings.docs_dir)
    store = _DiskFullOnce(tmp_path / "chroma")
    with pytest.raises(OSError, match="no space"):
        sync(store, knowledge.encoder, chunks, batch_size=4)
    kept = store.count()
    assert kept >= 4 and kept < len(chunks)        # the batch written before the failure stays
    embedded, unchanged, _ = sync(store, knowledge.encoder, chunks, batch_size=4)
    assert (embedded, unchanged) == (len(chunks) - kept, kept)
    assert store.count() == len(chunks)
