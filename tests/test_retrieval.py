"""Retrieval over the demo store: the product-aware path and metadata filters."""
from assistant.retrieval import SearchFilters


def test_question_naming_a_product_gets_its_spec_chunk_first(demo_knowledge):
    hits = demo_knowledge.retriever.search("how heavy is the Alpine 40 pack?")
    assert hits[0].source_id == "product/alpine-40-pack#specs"
    assert "1.4 kg" in hits[0].text


def test_partial_product_name_is_recognised(demo_knowledge):
    assert demo_knowledge.directory.find_ids("is the alpine pack waterproof?")[0] == "alpine-40-pack"
    assert demo_knowledge.directory.find_ids("what time do you open?") == []


def test_filters_restrict_category_price_and_stock(demo_knowledge):
    hits = demo_knowledge.retriever.search("something warm to wear", k=8,
                                           filters=SearchFilters(category="apparel", max_price=100, in_stock=True))
    assert hits
    for hit in hits:
        assert hit.metadata["category"] == "apparel"
        assert hit.metadata["min_price"] <= 100
        assert hit.metadata["in_stock"] is True


def test_scores_are_similarities_best_first(demo_knowledge):
    hits = demo_knowledge.retriever.search("how long does express shipping take", k=5)
    assert hits[0].kind in ("faq", "policy")
    assert hits[0].score > 0.4
    assert hits[0].score >= hits[-1].score
