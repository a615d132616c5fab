"""Render the photo fixtures of the eval suite (evals/photos/*.png) with Pillow, deterministically.

Shoppers send three kinds of photo, and the suite has each:
  - labels: a garment care label, a box sticker, a shipping label or an order screenshot, printed
    with a model number (GP-3108) or an order id (NW-482913) - what OCR must read;
  - product photos: the demo store's own pictures (knowledge/images/<id>.png) with the printed
    name label cropped off, shifted and resized the way a phone photo would frame them - what
    photo-to-product matching must recognise;
  - damage photos: a product picture with a crack / tear drawn over it, and a crushed box.
Plus one photo that is not a product at all (a sunset), for the out-of-scope case.

Nothing is downloaded; text uses Pillow's built-in font. Re-running rewrites identical files.

    python scripts/render_eval_photos.py [--out evals/photos]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "knowledge" / "images"
INK, PAPER = (20, 20, 24), (250, 250, 246)


def font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def label(lines: list[tuple[str, int]], size=(420, 260), paper=PAPER, border=(30, 30, 30), angle: float = 0.0,
          background=(206, 196, 180)) -> Image.Image:
    """A printed label: lines of (text, font size) on paper, optionally tilted on a table."""
    card = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(card)
    draw.rectangle([4, 4, size[0] - 5, size[1] - 5], outline=border, width=3)
    y = 18
    for text, px in lines:
        draw.text((22, y), text, fill=INK, font=font(px))
        y += int(px * 1.35)
    if not angle:
        return card
    canvas = Image.new("RGB", (size[0] + 80, size[1] + 80), background)
    rotated = card.rotate(angle, expand=True, fillcolor=background, resample=Image.BICUBIC)
    canvas.paste(rotated, ((canvas.width - rotated.width) // 2, (canvas.height - rotated.height) // 2))
    return canvas


def product_photo(product_id: str, size: int = 256, shift: tuple[int, int] = (0, 0)) -> Image.Image:
    """The catalog picture without its printed label, re-framed: what a phone photo of the item shows."""
    src = Image.open(IMAGES / f"{product_id}.png").convert("RGB")
    left, top = 20 + shift[0], 4 + shift[1]
    picture = src.crop((left, top, left + 280, top + 200))
    return picture.resize((size, int(size * 200 / 280)), Image.LANCZOS)


def damaged(product_id: str) -> Image.Image:
    """The product photo with a jagged crack/tear and a scuffed patch drawn over it."""
    img = product_photo(product_id, 320)
    draw = ImageDraw.Draw(img)
    points = [(150, 20), (162, 60), (146, 92), (170, 130), (152, 170), (166, 220)]
    draw.line(points, fill=(250, 250, 250), width=7)
    draw.line(points, fill=(15, 15, 15), width=3)
    for x, y in [(100, 120), (112, 128), (96, 136), (120, 140)]:
        draw.ellipse([x, y, x + 22, y + 14], fill=(122, 104, 84))
    return img


def crushed_box() -> Image.Image:
    img = Image.new("RGB", (360, 300), (226, 226, 220))
    draw = ImageDraw.Draw(img)
    draw.polygon([(40, 90), (300, 70), (320, 250), (60, 270)], fill=(186, 140, 86), outline=(90, 60, 30))
    draw.polygon([(40, 90), (120, 40), (330, 30), (300, 70)], fill=(204, 160, 104), outline=(90, 60, 30))
    draw.line([(120, 80), (170, 160), (140, 230)], fill=(70, 46, 20), width=6)       # the dent
    draw.polygon([(200, 150), (260, 130), (250, 200)], fill=(60, 40, 18))             # the tear
    draw.rectangle([70, 180, 190, 240], fill=PAPER, outline=INK)
    draw.text((78, 186), "NORTHWIND", fill=INK, font=font(14))
    draw.text((78, 206), "NW-615870", fill=INK, font=font(16))
    return img


def sunset() -> Image.Image:
    img = Image.new("RGB", (320, 220))
    draw = ImageDraw.Draw(img)
    for y in range(220):
        draw.line([(0, y), (320, y)], fill=(250 - y // 2, 140 - y // 3, 90 + y // 4))
    draw.ellipse([120, 90, 200, 170], fill=(255, 214, 90))
    draw.rectangle([0, 160, 320, 220], fill=(30, 60, 110))
    return img.filter(ImageFilter.GaussianBlur(1))


def photos() -> dict[str, Image.Image]:
    return {
        # labels: model numbers (OCR -> product) and order ids (OCR -> order_id slot)
        "label-gp-3108.png": label([("GLACIER PEAK", 22), ("Summit Rain Jacket", 26), ("Model: GP-3108", 34),
                                    ("Size M  /  Black", 24)]),
        "label-rl-4040-tilted.png": label([("RIDGELINE", 22), ("Alpine 40 Pack", 26), ("Model RL-4040", 34),
                                           ("Colour: Forest Green", 22)], angle=9),
        "label-sw-4120.png": label([("SWIFTWATER", 22), ("Model: SW-4120", 34), ("US 9  EU 42.5", 26),
                                    ("Made in Vietnam", 20)], size=(420, 220)),
        "label-px-4000.png": label([("Quietzone ANC Headphones", 24), ("Model PX-4000", 34),
                                    ("5V 1A  USB-C", 22)], size=(440, 200), paper=(236, 240, 246)),
        "order-nw-482913.png": label([("NORTHWIND OUTFITTERS", 22), ("Order NW-482913", 36),
                                      ("Placed: Nov 18   Items: 2", 22), ("Ship to: J. Rivera", 22)],
                                     size=(460, 240)),
        "shipping-label-nw-771204.png": label([("UPS GROUND", 26), ("REF: NW-771204", 36), ("1 of 1   2.3 KG", 24),
                                               ("COLUMBUS OH 43219", 22)], size=(460, 240), angle=-6),
        # product photos: catalog pictures without the printed name, re-framed
        "photo-summit-rain-jacket.png": product_photo("summit-rain-jacket", 256, (6, 2)),
        "photo-alpine-40-pack.png": product_photo("alpine-40-pack", 240, (-8, 4)),
        "photo-trailblazer-running-shoe.png": product_photo("trailblazer-running-shoe", 260, (4, -2)),
        "photo-quietzone-anc-headphones.png": product_photo("quietzone-anc-headphones", 250),
        "photo-hearthstone-cast-iron-skillet.png": product_photo("hearthstone-cast-iron-skillet", 240, (10, 0)),
        "photo-basecamp-2-tent.png": product_photo("basecamp-2-tent", 256, (-4, 6)),
        # damage photos
        "damaged-brewhaus-steel-french-press.png": damaged("brewhaus-steel-french-press"),
        "damaged-summit-rain-jacket.png": damaged("summit-rain-jacket"),
        "damaged-box-nw-615870.png": crushed_box(),
        # not a product
        "sunset.png": sunset(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "photos")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, image in photos().items():
        image.save(args.out / name, optimize=True)
        print(f"{args.out / name}  {image.width}x{image.height}")


if __name__ == "__main__":
    main()
