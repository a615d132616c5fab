"""perceive() turns a turn's photos into what the assistant uses: ids for the dialogue state,
recognised products, words for retrieval, lines for the shopper, a record for the session."""
from __future__ import annotations

import io
import json

import pytest
from PIL import Image, ImageDraw, ImageFont

from assistant.knowledge.catalog import load_catalog
from assistant.errors import InvalidInput
from assistant.settings import PROJECT_ROOT, Limits
from assistant.vision import PhotoIndex, perceive
from assistant.vision.perception import products_for_model_numbers

PHOTOS = PROJECT_ROOT / "evals" / "photos"


@pytest.fixture(scope="module")
def demo():
    catalog = PROJECT_ROOT / "knowledge" / "catalog.json"
    if not catalog.is_file() or not PHOTOS.is_dir():
        pytest.skip("demo store or eval photos not present")
    products = [p for p in load_catalog(catalog) if p.images]
    return PhotoIndex.build(products), {p.id: p.name for p in products}


def label_png(*lines: str) -> bytes:
    card = Image.new("RGB", (820, 90 + 75 * len(lines)), (250, 250, 246))
    draw = ImageDraw.Draw(card)
    for i, line in enumerate(lines):
        draw.text((30, 30 + 75 * i), line, fill=(20, 20, 24), font=ImageFont.load_default(size=40))
    buffer = io.BytesIO()
    card.save(buffer, "PNG")
    return buffer.getvalue()


def test_order_label_and_product_photo_in_one_turn(demo):
    index, names = demo
    perception = perceive([label_png("Order: NW-482913", "Model: GP-3108  Size M"),
                           PHOTOS / "photo-summit-rain-jacket.png"], photo_index=index)
    assert perception.order_ids() == ["NW-482913"]
    assert perception.model_numbers() == ["GP-3108"]
    assert perception.best_match().product_id == "summit-rain-jacket"
    assert perception.images[0].matches == []            # the label is not a product photo
    assert "GP-3108" in perception.query_text()
    summary = perception.summary_lines(names)
    assert summary[0] == "Photo 1: I read: order NW-482913, model GP-3108"
    assert "Photo 2: Looks like: Summit Rain Jacket" in summary and "summit-rain-jacket" not in " ".join(summary)
    record = json.loads(json.dumps(perception.to_dict()))
    assert record["order_ids"] == ["NW-482913"]
    assert record["images"][1]["matches"][0]["product_id"] == "summit-rain-jacket"
    assert len(record["images"][0]["image"]["sha256"]) == 64


def test_a_photo_of_nothing_says_so(demo):
    index, names = demo
    perception = perceive([PHOTOS / "sunset.png"], photo_index=index)
    assert perception.matches() == [] and perception.order_ids() == []
    assert perception.query_text() == ""
    assert perception.summary_lines(names) == ["I couldn't read any text or recognise a product in this photo."]


def test_vlm_description_is_used_when_a_describer_is_given():
    seen = []

    def describe(image: Image.Image) -> str:
        seen.append(image.size)
        return "  A black rain jacket with a hood.  "

    perception = perceive([PHOTOS / "photo-summit-rain-jacket.png"], describe=describe, read_text=False)
    assert seen == [Image.open(PHOTOS / "photo-summit-rain-jacket.png").size]
    assert perception.images[0].description == "A black rain jacket with a hood."
    assert "black rain jacket" in perception.query_text()
    assert perception.summary_lines() == ["I see: A black rain jacket with a hood."]


def test_a_failing_stage_is_recorded_and_the_rest_still_runs():
    def broken_vlm(image):
        raise RuntimeError("CUDA out of memory")

    perception = perceive([label_png("Order: NW-771204")], describe=broken_vlm)
    assert perception.order_ids() == ["NW-771204"]
    assert perception.images[0].problems == ["describe: RuntimeError: CUDA out of memory"]
    assert set(perception.images[0].timings_ms) == {"ocr", "describe"}


def test_invalid_photo_is_refused_before_any_work():
    calls = []
    with pytest.raises(InvalidInput) as caught:
        perceive([label_png("Order: NW-482913"), b"not an image"], describe=calls.append)
    assert caught.value.limit == "image_format" and calls == []
    with pytest.raises(InvalidInput) as caught:
        perceive([label_png("x")] * 3, limits=Limits(max_images_per_turn=2))
    assert caught.value.limit == "max_images_per_turn"


def test_no_photos_is_an_empty_perception():
    perception = perceive([])
    assert not perception and perception.summary_lines() == [] and perception.query_text() == ""


def test_model_number_on_a_label_names_the_catalog_product(demo):
    products = load_catalog(PROJECT_ROOT / "knowledge" / "catalog.json")
    perception = perceive([PHOTOS / "label-sw-4120.png"])
    assert products_for_model_numbers(perception.model_numbers(), products) == ["trailblazer-running-shoe"]
    assert products_for_model_numbers(["sw 4120"], products) == ["trailblazer-running-shoe"]
    assert products_for_model_numbers(["ZZ-9999", ""], products) == []


def two_products_png(*product_ids: str) -> bytes:
    """Two catalog pictures side by side: a photo that could be either product."""
    pictures = [Image.open(PROJECT_ROOT / "knowledge" / "images" / f"{pid}.png").convert("RGB").resize((500, 500))
                for pid in product_ids]
    sheet = Image.new("RGB", (500 * len(pictures), 500))
    for i, picture in enumerate(pictures):
        sheet.paste(picture, (500 * i, 0))
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def test_match_status_says_how_sure_the_photo_match_is(demo):
    index, names = demo
    sure = perceive([PHOTOS / "photo-summit-rain-jacket.png"], photo_index=index, read_text=False)
    assert sure.match_status() == "match" and sure.candidates() == []
    nothing = perceive([PHOTOS / "sunset.png"], photo_index=index, read_text=False)
    assert nothing.match_status() == "none" and nothing.candidates() == []
    assert perceive([PHOTOS / "sunset.png"], read_text=False).match_status() is None   # no catalog to match


def test_an_unsure_photo_keeps_matches_empty_and_offers_candidates(demo):
    index, names = demo
    perception = perceive([two_products_png("alpine-40-pack", "summit-rain-jacket")], photo_index=index,
                          read_text=False)
    assert perception.match_status() == "unsure"
    assert perception.matches() == [] and perception.best_match() is None   # the conversation assumes nothing
    candidates = perception.candidates()
    assert {"alpine-40-pack", "summit-rain-jacket"} <= {c.product_id for c in candidates}
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    line = perception.summary_lines(names)[0]
    assert line.startswith("Not sure, it may be: ") and "Alpine 40 Pack" in line and "alpine-40-pack" not in line
    record = json.loads(json.dumps(perception.to_dict()))
    assert record["match_status"] == "unsure"
    assert {c["product_id"] for c in record["candidates"]} >= {"alpine-40-pack", "summit-rain-jacket"}
    assert record["images"][0]["recognition"]["status"] == "unsure"
