"""Similar and complementary items, photo colours and colour search, as a shopper meets them:
the ranked lists, their one-line reasons, stock first, the conversation's answers with cards, and
precision@5 floors on the labelled demo store and on the eShop catalog."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from assistant.evals.recommend import (
    category_agreement,
    colour_precision,
    labelled_precision,
)
from assistant.importers import load_products
from assistant.knowledge.catalog import load_catalog
from assistant.knowledge.colours import ColourProfiles, profile_image
from assistant.knowledge.recommend import Recommender, asks_for, colour_in, load_orders
from assistant.messages import message
from assistant.settings import PROJECT_ROOT
from tests.conftest import ask

LABELS = Path(__file__).parent / "fixtures" / "recommend_labels.yaml"
ESHOP = PROJECT_ROOT.parent / "shared" / "data" / "eshop-catalog" / "catalog.json"


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def object_on_backdrop(colour: tuple[int, int, int], backdrop=(235, 235, 235)) -> Image.Image:
    image = Image.new("RGB", (200, 200), backdrop)
    ImageDraw.Draw(image).ellipse((50, 40, 150, 170), fill=colour)
    return image


@pytest.fixture(scope="module")
def demo_products():
    return load_catalog(PROJECT_ROOT / "knowledge" / "catalog.json")


@pytest.fixture(scope="module")
def demo(demo_products, tmp_path_factory):
    return Recommender(demo_products, orders=load_orders(PROJECT_ROOT / "knowledge" / "orders.json"),
                       colours=ColourProfiles(tmp_path_factory.mktemp("colours")))


@pytest.fixture(scope="module")
def eshop(tmp_path_factory):
    if not ESHOP.is_file():
        pytest.skip(f"the eShop catalog is not present at {ESHOP}")
    return load_products(ESHOP, mapping="eshop")


# -- photo colours ------------------------------------------------------------------------------
def test_a_photo_colour_is_the_products_not_the_backdrops():
    red = profile_image(object_on_backdrop((200, 30, 40)))
    assert red.score("red") > 0.8 and red.score("grey") < 0.1
    # a dark, dusky green (low chroma) is still green, not black
    olive = profile_image(object_on_backdrop((55, 70, 45)))
    assert olive.score("green") + olive.score("olive") + olive.score("dark green") > 0.8
    assert red.likeness(profile_image(object_on_backdrop((190, 35, 45), backdrop=(250, 250, 250)))) > 0.7
    assert red.likeness(olive) < 0.2


def test_profiles_are_cached_on_disk_by_image_content(tmp_path):
    data = png(object_on_backdrop((40, 90, 200)))
    first = ColourProfiles(tmp_path).of_bytes(data)
    assert len(list(tmp_path.glob("*.json"))) == 1
    again = ColourProfiles(tmp_path).of_bytes(data)          # a new process reads the file
    assert again == first and again.score("blue") > 0.8
    with pytest.raises(ValueError, match="not a readable image"):
        ColourProfiles(tmp_path).of_bytes(b"not an image")


def test_colour_words_in_other_languages_map_onto_the_profile_names():
    assert colour_in("red backpacks under $100") == "red"
    assert colour_in("mochilas rojas", "es") == "red"
    assert colour_in("a navy blue jacket") == "navy"
    assert colour_in("backpacks under $100") is None


# -- similar and complementary ------------------------------------------------------------------
def test_similar_items_come_with_a_reason_and_never_the_item_itself(demo):
    got = demo.similar("summit-rain-jacket", 5)
    assert len(got) == 5 and "summit-rain-jacket" not in {r.product_id for r in got}
    assert all(r.reason for r in got)
    assert any(r.reason.startswith("Also in apparel") for r in got)
    assert any(("less" in r.reason or "more" in r.reason) and "$" in r.reason for r in got)


def test_items_out_of_stock_never_come_first(demo_products, tmp_path):
    products = [p.model_copy(deep=True) for p in demo_products]
    by_id = {p.id: p for p in products}
    best = Recommender(products).similar("brewhaus-steel-french-press", 3)[0].product_id
    by_id[best].variants = [v.model_copy(update={"in_stock": False}) for v in by_id[best].variants] or []
    if not by_id[best].variants:
        pytest.skip("the best match has no variants to mark out of stock")
    again = Recommender(products).similar("brewhaus-steel-french-press", len(products) - 1)
    assert again[0].product_id != best
    flags = [r.in_stock for r in again]
    assert flags == sorted(flags, reverse=True), "every in-stock item before any out-of-stock one"
    assert next(r for r in again if r.product_id == best).reason.endswith("(out of stock)")


def test_what_goes_with_it_uses_co_purchases_and_leaves_out_look_alikes(demo):
    got = demo.complementary("northstar-down-sleeping-bag", 5)
    first = got[0]
    assert first.product_id == "lumen-300-headlamp"          # bought together in a demo order
    assert first.reason == "Often bought with the Northstar Down Sleeping Bag"
    assert all(r.product_id != "northstar-down-sleeping-bag" for r in got)
    tent = demo.complementary("basecamp-2-tent", 5)
    assert any(r.reason.startswith("Goes with it: same") for r in tent)


def test_something_like_a_photo_ranks_by_its_colours(demo):
    photo = Image.open(PROJECT_ROOT / "knowledge" / "images" / "alpine-40-pack.png").convert("RGB")
    got = demo.similar(png(photo.resize((300, 300))), 3)
    assert got[0].product_id == "alpine-40-pack"
    assert "your photo" in got[0].reason


def test_an_unknown_product_is_a_clear_error(demo):
    with pytest.raises(KeyError, match="no product with id 'nope'"):
        demo.similar("nope")


def test_what_a_shopper_asks_for_is_told_apart():
    assert asks_for("show me something like this") == "similar"
    assert asks_for("anything similar to it but cheaper?") == "similar"
    assert asks_for("what goes with it?") == "complementary"
    assert asks_for("how much is it?") is None


# -- precision floors (numbers in scripts/bench_recommend.py) --------------------------------------
def test_precision_at_5_on_the_labelled_demo_store(demo):
    p = labelled_precision(demo, LABELS)
    assert p["similar"] >= 0.5 and p["complementary"] >= 0.5, p


def test_similar_items_agree_on_category_on_the_eshop_catalog_without_being_told_it(eshop):
    # the category signal switched off: text, photo colours and price alone
    assert category_agreement(Recommender(eshop, weights={"category": 0.0})) >= 0.7


def test_photo_colours_improve_colour_search_when_the_words_do_not_say_the_colour(eshop, tmp_path):
    p = colour_precision(Recommender(eshop, colours=ColourProfiles(tmp_path)))
    assert p["queries"] >= 10
    assert p["category words + photo colour"] > p["text, category words only"] + 0.03, p
    assert p["colour word + photo colour"] >= p["text, colour word in the query"] - 0.02, p


# -- in the conversation -------------------------------------------------------------------------
def test_something_like_it_is_answered_with_a_cited_list_and_cards(manager):
    ask(manager, "rec-1", "Tell me about the Brewhaus Steel French Press.")
    out = ask(manager, "rec-1", "Can you show me something similar?")
    assert out["answer"].startswith("Similar to the Brewhaus Steel French Press:")
    cited = [c["source_id"] for c in out["citations"]["citations"]]
    assert len(cited) >= 3 and "product/brewhaus-steel-french-press" not in cited
    cards = next(e for e in out["events"] if e.type == "products").data["products"]
    assert len(cards) == len(cited)
    assert any(word in out["answer"] for word in ("less", "more", "same price"))


def test_what_goes_with_it_is_answered_for_the_product_in_focus(manager):
    ask(manager, "rec-2", "Tell me about the Northstar Down Sleeping Bag.")
    out = ask(manager, "rec-2", "What goes with it?")
    assert out["answer"].startswith("These go well with the Northstar Down Sleeping Bag:")
    assert "Often bought with the Northstar Down Sleeping Bag" in out["answer"]
    assert out["citations"]["citations"][0]["source_id"] == "product/lumen-300-headlamp"


def test_a_colour_browse_ranks_the_retrieved_products_by_their_photos(demo_knowledge):
    from assistant.knowledge.recommend import by_colour

    evidence = demo_knowledge.retriever.search("red tops and jackets under $200", k=8)
    recommender = demo_knowledge.recommender
    ranked = by_colour(evidence, recommender, "red", weight=1.0)
    products = [e for e in ranked if e.kind == "product" and e.product_id in recommender.index]
    assert len(products) >= 2
    red = [recommender.profiles()[recommender.index[e.product_id]] for e in products]
    shares = [p.score("red") if p else 0.0 for p in red]
    assert shares[0] == max(shares) and shares[0] > shares[-1]
    # what is not a product keeps its place; the same evidence, only re-ordered
    assert [i for i, e in enumerate(ranked) if e.kind != "product"] == \
        [i for i, e in enumerate(evidence) if e.kind != "product"]
    assert sorted(e.source_id for e in ranked) == sorted(e.source_id for e in evidence)


def test_something_like_a_photo_the_store_does_not_sell_lists_look_alikes(manager):
    out = ask(manager, "rec-photo", "show me something like this", images=[png(object_on_backdrop((200, 30, 40)))])
    assert out["answer"].startswith("Similar to your photo:")
    assert "red" in out["answer"].lower()
    assert len(out["citations"]["citations"]) >= 3


# -- in other languages ----------------------------------------------------------------------------
@pytest.mark.parametrize("language, similar, complementary, neither", [
    ("es", "¿Tienes algo parecido?", "¿Qué combina bien con esto?", "¿Cuánto cuesta?"),
    ("de", "Haben Sie etwas Ähnliches?", "Was passt dazu?", "Wie viel kostet das?"),
    ("fr", "Vous avez quelque chose de similaire ?", "Qu'est-ce qui va avec ?", "Combien ça coûte ?"),
    ("zh", "有类似的吗？", "这个配什么好？", "多少钱？"),
    ("ja", "これに似た商品はありますか？", "これに合うものは？", "いくらですか？"),
])
def test_what_a_shopper_asks_for_is_told_apart_in_their_language(language, similar, complementary, neither):
    assert asks_for(similar, language) == "similar"
    assert asks_for(complementary, language) == "complementary"
    assert asks_for(neither, language) is None


def test_the_reasons_are_said_in_the_shoppers_language(demo):
    english = demo.similar("brewhaus-steel-french-press", 5)
    spanish = demo.similar("brewhaus-steel-french-press", 5, language="es")
    assert [r.product_id for r in spanish] == [r.product_id for r in english]   # the same ranking
    assert all(r.reason != s.reason for r, s in zip(english, spanish))
    assert all(re.search(r"menos|más|mismo precio", r.reason) for r in spanish), spanish
    bought = demo.complementary("northstar-down-sleeping-bag", 3, language="zh")
    assert bought[0].reason == "常与 Northstar Down Sleeping Bag 一起购买"


SPANISH_WORDS = re.compile(r"menos|más|mismo precio")
CHINESE_WORDS = re.compile(r"便宜|贵|价格相近")
ENGLISH_REASONS = re.compile(r"\b(?:Also|less|more|same price|Similar|Goes with)\b")


@pytest.mark.parametrize("about, like_it, language, said", [
    ("Háblame de la Brewhaus Steel French Press.", "¿Tienes algo parecido?", "es", SPANISH_WORDS),
    ("介绍一下 Brewhaus Steel French Press。", "有类似的吗？", "zh", CHINESE_WORDS),
])
def test_a_shopper_in_another_language_gets_similar_products_with_reasons_in_it(
        multilingual_manager, about, like_it, language, said):
    session = multilingual_manager.new_session()
    ask(multilingual_manager, session, about)
    out = ask(multilingual_manager, session, like_it)
    assert out["reply"].done.language == language
    answer = out["answer"]
    assert answer.startswith(message("recommend.similar_head", language, name="Brewhaus Steel French Press")), answer
    cited = [c["source_id"] for c in out["citations"]["citations"]]
    assert len(cited) >= 3 and "product/brewhaus-steel-french-press" not in cited
    cards = next(e for e in out["events"] if e.type == "products").data["products"]
    assert len(cards) == len(cited)
    items = [line for line in answer.splitlines()[1:] if line.startswith("- ")]
    assert len(items) == len(cited) and all(said.search(line) for line in items), answer
    assert not ENGLISH_REASONS.search(answer), answer


# -- the catalog's vectors are kept between starts ------------------------------------------------
class CountingEncoder:
    """The store's real encoder, counting the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.texts = inner, 0
        self.name, self.threads = inner.name, inner.threads

    def encode(self, texts, role, batch_size, threads):
        self.texts += len(texts)
        return self.inner.encode(texts, role, batch_size, threads)


def test_a_second_start_does_not_embed_the_catalog_again(demo_knowledge, demo_products, tmp_path):
    cache = tmp_path / "cache" / "embeddings"
    first = CountingEncoder(demo_knowledge.encoder)
    built = Recommender(demo_products, encoder=first, cache_dir=cache)
    assert first.texts >= len(demo_products)
    again = CountingEncoder(demo_knowledge.encoder)
    restarted = Recommender(demo_products, encoder=again, cache_dir=cache)
    assert again.texts <= 1                  # at most the one text that checks the model
    assert [r.product_id for r in restarted.similar("alpine-40-pack")] == \
        [r.product_id for r in built.similar("alpine-40-pack")]
    # another catalog (a product reworded) is embedded afresh, not served stale vectors
    changed = [p.model_copy(update={"description": p.description + " Now in a new colour."})
               if p.id == "alpine-40-pack" else p for p in demo_products]
    third = CountingEncoder(demo_knowledge.encoder)
    Recommender(changed, encoder=third, cache_dir=cache)
    assert third.texts >= len(demo_products)


@pytest.mark.parametrize("language", ["es", "de", "fr", "zh", "ja"])
def test_every_recommend_catalog_has_englishs_keys_and_fields(language):
    import string

    import yaml

    from assistant.messages import DEFAULT_DIR

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    english = yaml.safe_load((DEFAULT_DIR / "en" / "recommend.yaml").read_text(encoding="utf-8"))
    own = yaml.safe_load((DEFAULT_DIR / language / "recommend.yaml").read_text(encoding="utf-8"))
    assert set(own) == set(english), set(own) ^ set(english)
    assert all(fields(own[k]) == fields(v) for k, v in english.items())
    assert own["similar_use"] != english["similar_use"]          # said in its own words


def test_an_ingested_store_has_its_look_alike_vectors_ready(demo_knowledge, demo_settings):
    """The ingest works the catalog's vectors out, so the first "something like this?" of a new
    process reads them instead of embedding the catalog inside a shopper's turn."""
    from assistant.knowledge.service import Knowledge

    fresh = Knowledge(demo_settings)                       # a new process over the ingested data dir
    counting = CountingEncoder(fresh.encoder)
    fresh.encoder = counting
    assert fresh.recommender.similar("alpine-40-pack")
    assert counting.texts <= 1                             # at most the one text that checks the model
