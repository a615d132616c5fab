"""Retrieval across languages: shoppers' questions in zh/es/de/fr/ja find the English store's pages.

A part of the demo store (ten products, the FAQ, the returns, shipping, warranty and gift-card
policies) is ingested into a real Chroma with multilingual-e5-small; the questions come from
tests/fixtures/multilingual_questions.yaml. Also: product names and model numbers run into CJK
text still name their product, and a store embedded with another model is never searched with
mixed vectors.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from assistant.knowledge.embeddings import MINILM, MULTILINGUAL_E5
from assistant.knowledge.service import Knowledge
from assistant.knowledge.store import EmbeddingModelMismatch
from assistant.settings import PROJECT_ROOT, Settings

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "multilingual_questions.yaml"
PRODUCTS = ["alpine-40-pack", "summit-rain-jacket", "quietzone-anc-headphones", "basecamp-2-tent",
            "lumen-300-headlamp", "trailblazer-running-shoe", "pulsewave-wireless-earbuds",
            "icefall-insulated-bottle", "ridgeway-merino-crew", "tidewater-linen-sheet-set"]
POLICIES = ["returns", "shipping", "warranty", "gift-cards"]


def small_store(root: Path, products: list[str] = PRODUCTS, policies: list[str] = POLICIES,
                faq: bool = True) -> Path:
    """A knowledge folder holding part of the demo store (its own files, cut down)."""
    source = PROJECT_ROOT / "knowledge"
    catalog = [p for p in json.loads((source / "catalog.json").read_text()) if p["id"] in products]
    for p in catalog:
        p.pop("images", None)
        p.pop("image", None)
    root.mkdir(parents=True)
    (root / "catalog.json").write_text(json.dumps(catalog))
    if faq:
        shutil.copy(source / "faq.yaml", root / "faq.yaml")
    (root / "policies").mkdir()
    for name in policies:
        shutil.copy(source / "policies" / f"{name}.md", root / "policies" / f"{name}.md")
    return root


def questions() -> dict[tuple[str, str], tuple[str, list[str]]]:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return {(q["id"], lang): (q[lang], q["expect"]) for q in data["questions"] for lang in data["languages"]}


@pytest.fixture(scope="module")
def e5_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("multilingual")
    settings = Settings(data_dir=root / "data", knowledge_dir=small_store(root / "knowledge"),
                        embedding_model=MULTILINGUAL_E5)
    knowledge = Knowledge(settings)
    knowledge.ensure_ingested()
    return knowledge


@pytest.mark.parametrize("qid, lang", [
    ("alpine-weight", "zh"), ("quietzone-battery", "zh"), ("return-window", "zh"),
    ("summit-navy-m", "es"), ("refund-timing", "es"), ("international-shipping", "es"),
    ("icefall-cold", "de"), ("damaged-item", "de"), ("warranty-claim", "de"),
    ("gift-card-expiry", "fr"), ("lumen-brightness", "fr"),
    ("model-rl-4040", "ja"), ("exchange-size", "ja"),
])
def test_a_question_in_another_language_finds_the_english_page(e5_store, qid, lang):
    text, expected = questions()[(qid, lang)]
    found = [e.source_id for e in e5_store.retriever.search(text, k=5)][:5]
    assert set(found) & set(expected), f"{text!r}: expected one of {expected}, got {found}"


def test_a_product_name_run_into_chinese_text_still_names_the_product(e5_store):
    directory = e5_store.directory
    assert directory.find_ids("Alpine 40背包有多重?") == ["alpine-40-pack"]
    assert directory.find_ids("Basecamp 2 Tent帐篷的最高高度是多少?")[0] == "basecamp-2-tent"
    assert directory.find_ids("Quietzone ANC Headphonesのバッテリーは何時間持ちますか?")[0] == "quietzone-anc-headphones"
    hits = e5_store.retriever.search("Alpine 40背包有多重?", k=5)
    assert hits[0].source_id == "product/alpine-40-pack#specs"
    assert "1.4 kg" in hits[0].text


def test_a_model_number_inside_japanese_text_finds_its_product(e5_store):
    hits = e5_store.retriever.search("型番RL-4040のバックパックの容量は?", k=5)
    assert hits[0].product_id == "alpine-40-pack"


# -- one model's vectors per store -----------------------------------------------------------------
def test_a_store_embedded_with_another_model_is_re_embedded_not_mixed(tmp_path):
    knowledge_dir = small_store(tmp_path / "knowledge", products=PRODUCTS[:2], policies=["returns"], faq=False)
    minilm = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir, embedding_model=MINILM)
    first = Knowledge(minilm)
    first.ensure_ingested()
    assert first.store.recorded_model()["embedding_model"] == MINILM

    e5 = Knowledge(minilm.model_copy(update={"embedding_model": MULTILINGUAL_E5}))
    with pytest.raises(EmbeddingModelMismatch, match=f"{MINILM}.*{MULTILINGUAL_E5}"):
        e5.retriever.search("What is your return policy?")
    report = e5.ensure_ingested()                  # the configured store: embedded again, whole
    assert report is not None and report.embedded == report.chunks and report.unchanged == 0
    assert e5.store.recorded_model()["embedding_model"] == MULTILINGUAL_E5
    assert e5.retriever.search("¿Cuánto pesa la mochila Alpine 40?", k=3)[0].product_id == "alpine-40-pack"
    assert e5.ensure_ingested() is None            # and then left alone


def test_another_catalogs_store_embedded_with_another_model_is_a_clear_error(tmp_path):
    from assistant.knowledge.catalog import load_catalog

    knowledge_dir = small_store(tmp_path / "knowledge", products=PRODUCTS[:2], policies=["returns"], faq=False)
    minilm = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir, embedding_model=MINILM)
    outside = tmp_path / "outside.json"
    outside.write_text((knowledge_dir / "catalog.json").read_text())
    Knowledge(minilm).ingest(load_catalog(outside), str(outside), None)   # `assistant ingest --catalog ...`

    e5 = Knowledge(minilm.model_copy(update={"embedding_model": MULTILINGUAL_E5}))
    with pytest.raises(EmbeddingModelMismatch, match="re-ingest"):
        e5.ensure_ingested()
    assert e5.store.recorded_model()["embedding_model"] == MINILM, "nothing was replaced"
