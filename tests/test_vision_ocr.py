"""OCR reads order ids and model numbers off label photos exactly, however the photo is taken;
the extractors cope with what OCR does to text (dropped spaces, odd hyphens, O for 0)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from assistant.vision import ocr

ORDER, MODEL = "NW-482913", "TR-2041"


def label(ink=(20, 20, 24), paper=(250, 250, 246)) -> Image.Image:
    font = ImageFont.load_default(size=40)
    card = Image.new("RGB", (820, 260), paper)
    draw = ImageDraw.Draw(card)
    for i, line in enumerate(["Northwind Outfitters", f"Order: {ORDER}", f"Model: {MODEL}  Size 42"]):
        draw.text((30, 24 + 75 * i), line, fill=ink, font=font)
    return card


def tilted(angle: float) -> Image.Image:
    return label().rotate(angle, expand=True, fillcolor=(200, 190, 175), resample=Image.BICUBIC)


def noisy() -> Image.Image:
    pixels = np.asarray(label()).astype(np.int16)
    noise = np.random.default_rng(0).normal(0, 35, pixels.shape)
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


PHOTOS = {
    "plain": label,
    "tilted 12 degrees": lambda: tilted(12),
    "tilted -14 degrees": lambda: tilted(-14),
    "upside down": lambda: label().rotate(180),
    "noisy": noisy,
    "low contrast": lambda: label(ink=(120, 120, 120), paper=(170, 170, 170)),
}


@pytest.mark.parametrize("kind", list(PHOTOS))
def test_label_photo_gives_exact_order_id_and_model_number(kind):
    lines = ocr.read(PHOTOS[kind]())
    assert ocr.find_order_ids(lines) == [ORDER]
    assert ocr.find_model_numbers(lines) == [MODEL]
    assert all(0.5 <= line.confidence <= 1 for line in lines)


def test_lines_come_in_reading_order_with_boxes():
    lines = ocr.read(label())
    assert "Northwind" in lines[0].text
    assert all(len(line.box) == 4 for line in lines)
    assert lines[0].to_dict()["text"] == lines[0].text


def test_photo_without_text_reads_nothing():
    blank = Image.new("RGB", (400, 300), (90, 140, 200))
    assert ocr.read(blank) == []


def test_engine_is_built_once_per_process():
    assert ocr.get_engine() is ocr.get_engine()


# The extractors, on text as OCR returns it.

@pytest.mark.parametrize("text", [
    "Order:NW-482913", "Order: NW 482913", "ORDERNW482913", "Order NW-482 913",
    "Order #NW 482913  Total $212.00", "Order:NW\u2013482913", "order nw-482913", "NW-4829I3",
])
def test_order_id_spellings(text):
    assert ocr.find_order_ids(text) == [ORDER]


@pytest.mark.parametrize("text", ["NW-4829134", "NW-48291Size", "NW-48291O", "NW-4829", "Order number pending"])
def test_no_order_id_is_guessed(text):
    assert ocr.find_order_ids(text) == []


@pytest.mark.parametrize("text", [
    "Model:TR-2041Size42", "Model: TR - 2041", "MODELTR-2041", "ItemNoTR-2041", "Model:TR\u20122041",
])
def test_model_number_spellings(text):
    assert ocr.find_model_numbers(text) == [MODEL]


def test_model_numbers_are_not_order_ids_zip_codes_or_sizes():
    text = ["Order: NW-482913", "COLUMBUS OH 43219", "US 9  EU 42.5", "5V 1A USB-C"]
    assert ocr.find_model_numbers(text) == []
    assert ocr.find_model_numbers("SKU ABC-12345 and GP-3108, GP-3108 again") == ["ABC-12345", "GP-3108"]


def test_id_split_over_two_lines_is_found():
    assert ocr.find_order_ids(["Order:", "NW-482913"]) == [ORDER]


def test_respace_puts_back_dropped_spaces():
    assert ocr.respace("Model:TR-2041Size42") == "Model: TR-2041 Size 42"
    assert ocr.respace("SummitRainJacket") == "Summit Rain Jacket"
    assert ocr.squash("Summit  Rain-Jacket") == ocr.squash("SummitRainJacket")


@pytest.mark.parametrize("text, ids", [
    ("Order #1001  Total $84.00", ["#1001"]), ("ORDER #W1234567", ["#W1234567"]), ("Order #1O01", ["#1001"]),
])
def test_ocr_reads_other_order_id_formats_with_the_typed_text_finder(text, ids):
    assert ocr.find_order_ids(text) == ids


def test_ocr_takes_no_price_phone_or_model_number_for_an_order_id():
    assert ocr.find_order_ids(["Total $1001.50", "Tel 555 123 4567", "Model: TR-2041", "2024"]) == []
