"""Product cards: a reply about products carries the catalog's facts about them (name, price and
sale price, stock, photo served by the app, the store's product page), in the order the answer
names them; a policy answer carries none. Real pipeline over the demo store."""
from __future__ import annotations

from assistant.answers.cards import card, cards_for
from assistant.knowledge.catalog import Product, Variant
from tests.conftest import ask


def test_an_answer_about_a_product_shows_its_card(manager):
    session = manager.new_session()
    reply = ask(manager, session, "How heavy is the Alpine 40 Pack?")["reply"]
    assert "1.4 kg" in reply.answer
    [alpine] = reply.cards
    product = manager.knowledge.directory.get("alpine-40-pack")
    assert alpine["id"] == "alpine-40-pack" and alpine["name"] == product.name
    assert alpine["price"] == product.price and alpine["currency"] == product.currency
    assert alpine["in_stock"] is product.in_stock
    assert alpine["image"] == "/api/v1/products/alpine-40-pack/image"


def test_a_listing_shows_a_card_per_product_listed_in_order(manager):
    session = manager.new_session()
    reply = ask(manager, session, "What tents do you sell?")["reply"]
    names = [c["name"] for c in reply.cards]
    assert names, reply.answer
    positions = [reply.answer.find(n) for n in names]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), (names, reply.answer)


def test_a_policy_answer_has_no_cards(manager):
    session = manager.new_session()
    reply = ask(manager, session, "How long do I have to return running shoes?")["reply"]
    assert "30 days" in reply.answer and reply.products is None


def test_a_sale_shows_the_was_price_and_the_page_link():
    jacket = Product(id="rain shell/2", name="Rain Shell", price=79.0, compare_at_price=120.0,
                     variants=[Variant(sku="a", in_stock=False), Variant(sku="b", in_stock=True, price=89.0)])
    shown = card(jacket, "https://shop.example/products/{id}")
    assert shown["compare_at_price"] == 120.0 and shown["price"] == 79.0 and shown["price_max"] == 89.0
    assert shown["url"] == "https://shop.example/products/rain%20shell%2F2" and shown["in_stock"] is True
    assert shown["image"] is None                            # no photo in the catalog: no broken image
    own_page = jacket.model_copy(update={"url": "https://shop.example/p/rain-shell"})
    assert card(own_page, "https://shop.example/products/{id}")["url"] == "https://shop.example/p/rain-shell"
    not_on_sale = Product(id="x", name="X", price=50.0, compare_at_price=50.0)    # exports copy the price
    assert card(not_on_sale)["compare_at_price"] is None and card(not_on_sale)["url"] is None


def test_cards_skip_pages_that_are_not_products_and_repeat_nothing(manager):
    get = manager.knowledge.directory.get
    cards = cards_for([None, "alpine-40-pack", "alpine-40-pack", "no-such-product"], get)
    assert [c["id"] for c in cards] == ["alpine-40-pack"]


def test_citations_link_to_the_store_pages(demo_knowledge):
    from assistant.answers.cards import source_page

    get = demo_knowledge.directory.get
    assert source_page("product/alpine-40-pack#specs", get, "https://shop.example/p/{id}") == \
        "https://shop.example/p/alpine-40-pack"
    assert source_page("policy/returns#refunds", get, None, "https://shop.example/pages/{page}#{section}") == \
        "https://shop.example/pages/returns#refunds"
    assert source_page("faq/shipping-times", get, None, "https://shop.example/pages/{page}#{section}") == \
        "https://shop.example/pages/faq#shipping-times"
    assert source_page("policy/returns#refunds", get) is None          # no pattern: no made-up link
    assert source_page("product/no-such#specs", get, "https://shop.example/p/{id}") is None
