"""Ingestion into real Chroma with the real embedding model: counts, incremental sync, imports."""
import json

from assistant.knowledge.catalog import load_catalog
from assistant.knowledge.service import Knowledge
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
