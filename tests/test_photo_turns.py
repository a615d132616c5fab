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
