"""Photo turns through the conversation manager: what the shopper's photo makes of the turn."""
import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from assistant.errors import InvalidInput
from assistant.settings import PROJECT_ROOT
from tests.conftest import ask


def jpeg(image: Image.Image, quality: int = 60) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def shopper_copy(product_id: str) -> bytes:
    """The catalog photo as a shopper might send it: cropped, resized, re-compressed."""
    image = Image.open(PROJECT_ROOT / "knowledge" / "images" / f"{product_id}.png")
    w, h = image.size
    return jpeg(image.crop((int(w * 0.1), int(h * 0.08), int(w * 0.92), h)).resize((400, 390)), quality=55)


def label(text: str) -> bytes:
    image = Image.new("RGB", (900, 220), "white")
    ImageDraw.Draw(image).text((30, 70), text, fill="black", font=ImageFont.load_default(size=48))
    return jpeg(image, quality=90)


def test_product_photo_puts_that_product_in_focus(manager):
    result = ask(manager, "p1", "Is this yours? How much is it?", images=[shopper_copy("alpine-40-pack")])
    assert "Looks like: Alpine 40 Pack" in result["perception"]["text"]
    assert result["state"]["state"]["product_in_focus"] == "alpine-40-pack"
    assert "Alpine 40 Pack" in result["answer"] and "$149.00" in result["answer"]
    follow = ask(manager, "p1", "how heavy is it?")
    assert "1.4 kg" in follow["answer"]


def test_order_confirmation_screenshot_fills_the_order_id(manager):
    result = ask(manager, "p2", "Where is my order?", images=[label("Order NW-482913 confirmed")])
    assert "NW-482913" in result["perception"]["text"]
    assert result["state"]["state"]["order_id"] == "NW-482913"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(manager):
    with pytest.raises(InvalidInput) as err:
        ask(manager, "p3", "see attached", images=[b"%PDF-1.7 not a photo"])
    assert err.value.limit in ("image_format", "image_data")
    assert not manager.sessions.exists("p3")


def test_a_photo_of_something_the_store_does_not_sell_is_said_so_not_answered_with_another_product(
        manager, shared_data):
    """Sunglasses (a real photo from Online Boutique) shown to an outdoor store, after a jacket."""
    ask(manager, "p-unsold", "Tell me about the Summit Rain Jacket.")
    photo = jpeg(Image.open(shared_data / "online-boutique" / "images" / "sunglasses.jpg").resize((480, 480)), 50)
    result = ask(manager, "p-unsold", "is this yours?", images=[photo])
    assert "couldn't match this photo" in result["answer"]
    assert "Summit" not in result["answer"] and "track" not in result["answer"].lower()
    assert result["state"]["state"]["product_in_focus"] is None
    assert result["perception"]["perception"]["match_status"] == "none"


@pytest.fixture(scope="module")
def eshop_manager(tmp_path_factory, shared_data):
    """The eShop catalog (photos without labels) through the importer, as a store would bring it."""
    from assistant.conversation import ConversationManager
    from assistant.importers import load_products
    from assistant.knowledge.service import Knowledge
    from assistant.settings import Settings

    catalog = shared_data / "eshop-catalog" / "catalog.json"
    settings = Settings(data_dir=tmp_path_factory.mktemp("eshop-photos"))
    knowledge = Knowledge(settings)
    knowledge.ingest(load_products(catalog, mapping="eshop"), str(catalog), None, progress=False)
    manager = ConversationManager(settings, knowledge=knowledge)
    yield manager
    manager.close()


def test_a_photo_that_may_show_one_of_two_products_asks_which_one(eshop_manager):
    """Two of the store's products side by side: the shopper is asked, with both candidates."""
    catalog = list(eshop_manager.knowledge.directory.products.values())
    index = eshop_manager.perception.index()

    def side_by_side(products) -> bytes:
        pair = Image.new("RGB", (1200, 600), "white")
        for x, product in ((0, products[0]), (600, products[1])):
            pair.paste(Image.open(product.images[0]).convert("RGB").resize((600, 600)), (x, 0))
        return jpeg(pair, 40)

    # the first neighbouring pair the matcher cannot decide between (most pairs are such)
    products, photo = next((pair, photo) for pair in zip(catalog[:20:2], catalog[1:21:2])
                           if index.recognise(photo := side_by_side(pair), k=3).status == "unsure")
    result = ask(eshop_manager, "p-unsure", "do you sell this?", images=[photo])
    assert result["perception"]["perception"]["match_status"] == "unsure"
    assert "Is it one of these?" in result["answer"]
    assert any(p.name in result["answer"] for p in products), result["answer"]
    assert "by ," not in result["answer"]
    assert result["state"]["state"]["product_in_focus"] is None
    shown = result["perception"]["perception"]["candidates"]
    assert {c["product_id"] for c in shown} & {p.id for p in products}


def test_a_recognised_photo_is_answered_like_a_shop_assistant(manager):
    result = ask(manager, "p-yes", "is this yours?", images=[shopper_copy("alpine-40-pack")])
    assert result["answer"].startswith("Yes, that's our Alpine 40 Pack, $149.00, in stock")
    assert "model number" not in result["answer"] and "alpine-40-pack" not in result["answer"]
    assert result["citations"]["citations"]


def test_a_photo_of_each_of_two_products_gets_both_prices(manager):
    result = ask(manager, "p-two", "How much are these two?",
                 images=[shopper_copy("alpine-40-pack"), shopper_copy("basecamp-2-tent")])
    assert "$149.00" in result["answer"] and "$289.00" in result["answer"]


def test_a_damage_photo_that_arrived_like_this_gets_the_damage_policy_not_look_alikes(manager):
    photo = (PROJECT_ROOT / "evals" / "photos" / "damaged-brewhaus-steel-french-press.png").read_bytes()
    result = ask(manager, "p-damage", "My French press arrived like this", images=[photo])
    assert "7 days" in result["answer"]
    assert "Similar to" not in result["answer"] and "products" not in {e.type for e in result["events"]}
