"""Benchmark photo perception: photo-to-product matching and label OCR, on real catalogs.

Not a test: it prints a table of numbers to compare methods and to check a threshold change.
  - matching top-1 accuracy on Online Boutique (9 real photos) and the .NET eShop catalog (101
    images) under shopper-style edits: resize 50%, crop 20% / 30% (off-centre), JPEG quality 40,
    rotate 5 degrees, brightness +-30%, and all of them at once ("combo"); optionally the demo
    store's own pictures (knowledge/images) with the same edits;
  - false-match rate: photos that are not in the catalog (the other catalog's photos, noise,
    plain drawn pictures; and half of eShop, as is and cropped, against an index of the other
    half - similar boots, harnesses and packs by the same generator) must match nothing;
  - OCR exactness on rendered labels (plain / rotated / 180 degrees / noisy / low contrast): the
    order id and model number read must equal the printed ones exactly; latency of both.

    .venv/bin/python scripts/bench_vision.py [--data /work/shared/data] [--quick] [--no-ocr]
"""
from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.knowledge.catalog import Product, load_catalog  # noqa: E402
from assistant.vision.matching import PhotoIndex  # noqa: E402

TRANSFORMS = ["resize50", "crop20", "crop30", "jpeg40", "rotate5", "bright+30", "bright-30", "screenshot",
              "combo"]


def transform(image: Image.Image, name: str, rng: random.Random) -> Image.Image:
    """One shopper-style edit of a catalog photo (crops are off-centre, at a random place)."""
    w, h = image.size
    if name == "resize50":
        return image.resize((w // 2, h // 2), Image.LANCZOS)
    if name.startswith("crop"):
        keep = 1 - int(name[4:]) / 100          # crop30 keeps 70% of the width and of the height
        cw, ch = int(w * keep), int(h * keep)
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        return image.crop((x, y, x + cw, y + ch))
    if name.startswith("jpeg"):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=int(name[4:]))
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    if name.startswith("rotate"):
        return image.rotate(float(name[6:]), resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    if name.startswith("bright"):
        return ImageEnhance.Brightness(image).enhance(1 + int(name[6:]) / 100)
    if name == "screenshot":                    # the photo shrunk inside a product page
        page = Image.new("RGB", (int(w * 1.6), int(h * 1.25)), (255, 255, 255))
        draw = ImageDraw.Draw(page)
        draw.rectangle([0, 0, page.width, int(h * 0.08)], fill=(30, 40, 60))
        page.paste(image.resize((int(w * 0.8), int(h * 0.8)), Image.LANCZOS), (int(w * 0.05), int(h * 0.15)))
        font = ImageFont.load_default(size=max(12, w // 30))
        for i, line in enumerate(["Product details", "$129.00", "Add to cart", "Free returns"]):
            draw.text((int(w * 0.95), int(h * (0.2 + 0.1 * i))), line, fill=(20, 20, 20), font=font)
        return page
    if name == "combo":
        for step in ("crop20", "resize50", "rotate5", "bright-30", "jpeg50"):
            image = transform(image, step, rng)
        return image
    raise ValueError(name)


def unrelated_images(rng: random.Random, count: int = 6) -> list[Image.Image]:
    """Photos of nothing in any catalog: noise, a gradient, flat drawings, a text-only note."""
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    pictures = [Image.fromarray(nrng.integers(0, 256, (480, 640, 3), dtype=np.uint8)),
                Image.fromarray(nrng.integers(0, 256, (120, 160, 3), dtype=np.uint8)).resize((640, 480))]
    gradient = Image.new("RGB", (640, 480))
    draw = ImageDraw.Draw(gradient)
    for y in range(480):
        draw.line([(0, y), (640, y)], fill=(250 - y // 3, 140 - y // 4, 90 + y // 5))
    draw.ellipse([260, 200, 380, 320], fill=(255, 214, 90))
    pictures.append(gradient.filter(ImageFilter.GaussianBlur(1)))
    for i in range(count - 4):
        shapes = Image.new("RGB", (600, 600), (245, 245, 240))
        draw = ImageDraw.Draw(shapes)
        for _ in range(12):
            x, y = rng.randint(0, 500), rng.randint(0, 500)
            colour = tuple(rng.randint(0, 255) for _ in range(3))
            if rng.random() < 0.5:
                draw.rectangle([x, y, x + rng.randint(20, 120), y + rng.randint(20, 120)], fill=colour)
            else:
                draw.ellipse([x, y, x + rng.randint(20, 120), y + rng.randint(20, 120)], fill=colour)
        pictures.append(shapes)
    note = Image.new("RGB", (700, 300), (252, 252, 250))
    draw = ImageDraw.Draw(note)
    for i, line in enumerate(["Dear customer, thank you", "for your order NW-123456.", "Model: QX-5521"]):
        draw.text((30, 30 + 80 * i), line, fill=(20, 20, 20), font=ImageFont.load_default(size=44))
    pictures.append(note)
    return pictures


# -- catalogs ----------------------------------------------------------------------------------

def boutique_products(data: Path) -> list[Product]:
    raw = json.loads((data / "online-boutique" / "products.json").read_text())["products"]
    return [Product(id=p["id"], name=p["name"], price=p["priceUsd"]["units"],
                    images=[str(data / "online-boutique" / "images" / Path(p["picture"]).name)]) for p in raw]


def eshop_products(data: Path) -> list[Product]:
    raw = json.loads((data / "eshop-catalog" / "catalog.json").read_text())
    return [Product(id=str(p["Id"]), name=p["Name"], price=p["Price"],
                    images=[str(data / "eshop-catalog" / "images" / f"{p['Id']}.webp")]) for p in raw]


def demo_products() -> list[Product]:
    return [p for p in load_catalog(ROOT / "knowledge" / "catalog.json") if p.images]


def bench_matching(name: str, products: list[Product], strangers: list[Image.Image],
                   rng: random.Random, every: int = 1) -> dict:
    started = time.perf_counter()
    index = PhotoIndex.build(products)
    build_s = time.perf_counter() - started
    correct = {t: 0 for t in TRANSFORMS}
    missed = {t: 0 for t in TRANSFORMS}
    tried = 0
    latencies: list[float] = []
    for product in products[::every]:
        original = Image.open(product.images[0]).convert("RGB")
        tried += 1
        for t in TRANSFORMS:
            photo = transform(original, t, rng)
            started = time.perf_counter()
            matches = index.match(photo, k=3)
            latencies.append(time.perf_counter() - started)
            if matches and matches[0].product_id == product.id:
                correct[t] += 1
            elif not matches:
                missed[t] += 1
    false = 0
    for photo in strangers:
        started = time.perf_counter()
        matches = index.match(photo)
        latencies.append(time.perf_counter() - started)
        false += bool(matches)
    return {"name": name, "images": len(index), "tried": tried, "correct": correct, "missed": missed,
            "false": false, "strangers": len(strangers), "build_s": build_s,
            "latency_ms": 1000 * statistics.mean(latencies),
            "p95_ms": 1000 * sorted(latencies)[int(0.95 * (len(latencies) - 1))]}


# -- OCR -----------------------------------------------------------------------------------------

def render_label(order_id: str, model: str, style: str, rng: random.Random) -> Image.Image:
    font = ImageFont.load_default(size=40)
    lines = [rng.choice(["Northwind Outfitters", "NORTHWIND", "Packing slip"]), f"Order: {order_id}",
             f"Model: {model}  Size {rng.choice(['M', '42', 'XL', '10'])}"]
    ink, paper = ((120, 120, 120), (170, 170, 170)) if style == "lowcontrast" else ((20, 20, 24), (250, 250, 246))
    card = Image.new("RGB", (820, 260), paper)
    draw = ImageDraw.Draw(card)
    for i, line in enumerate(lines):
        draw.text((30, 24 + 75 * i), line, fill=ink, font=font)
    if style.startswith("rotated"):
        angle = rng.choice([-1, 1]) * rng.uniform(10, 15)
        card = card.rotate(angle, expand=True, fillcolor=(200, 190, 175), resample=Image.BICUBIC)
    elif style == "upside-down":
        card = card.rotate(180)
    elif style == "noisy":
        pixels = np.asarray(card).astype(np.int16)
        noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 35, pixels.shape)
        card = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    return card


def bench_ocr(count: int, rng: random.Random) -> dict:
    from assistant.vision import ocr

    styles = ["plain", "rotated", "upside-down", "noisy", "lowcontrast"]
    exact = {s: 0 for s in styles}
    tried = {s: 0 for s in styles}
    failures: list[str] = []
    latencies: list[float] = []
    ocr.read(render_label("NW-000000", "AB-123", "plain", rng))   # build the engine first
    for i in range(count):
        style = styles[i % len(styles)]
        order_id = f"NW-{rng.randint(0, 999999):06d}"
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.choice([2, 3])))
        model = f"{letters}-{rng.randint(0, 10 ** rng.choice([3, 4, 5]) - 1):0{rng.choice([3, 4])}d}"
        label = render_label(order_id, model, style, rng)
        started = time.perf_counter()
        lines = ocr.read(label)
        latencies.append(time.perf_counter() - started)
        text = [line.text for line in lines]
        ok = ocr.find_order_ids(text) == [order_id] and ocr.find_model_numbers(text) == [model]
        tried[style] += 1
        exact[style] += ok
        if not ok:
            failures.append(f"{style}: wanted {order_id} {model}, read {text}")
    return {"tried": tried, "exact": exact, "failures": failures,
            "latency_ms": 1000 * statistics.mean(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--quick", action="store_true", help="every 4th eShop product, 10 labels")
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--demo", action="store_true", help="also the demo store's drawn pictures")
    parser.add_argument("--labels", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(20261126)
    boutique, eshop = boutique_products(args.data), eshop_products(args.data)
    drawn = unrelated_images(rng)
    eshop_photos = [Image.open(p.images[0]).convert("RGB") for p in eshop[::5]]
    boutique_photos = [Image.open(p.images[0]).convert("RGB") for p in boutique]
    runs = [bench_matching("online-boutique", boutique, drawn + eshop_photos, rng),
            bench_matching("eshop", eshop, drawn + boutique_photos, rng, every=4 if args.quick else 1)]
    if args.demo:
        runs.append(bench_matching("demo-store", demo_products(), drawn + boutique_photos, rng))
    half = [Image.open(p.images[0]).convert("RGB") for p in eshop[1::2]]
    lookalikes = half + [transform(photo, "crop20", rng) for photo in half]
    disjoint = bench_matching("eshop-even", eshop[0::2], lookalikes, rng, every=10)

    print(f"\nPhoto matching (top-1 correct / tried; method: SIFT/RootSIFT + FLANN shortlist + RANSAC homography; confident matches only)")
    print(f"{'catalog':16} {'imgs':>4} " + " ".join(f"{t:>10}" for t in TRANSFORMS) + f" {'all':>7} "
          f"{'false':>7} {'ms/q':>6} {'p95':>6} {'build s':>7}")
    for r in runs:
        total = sum(r["correct"].values())
        print(f"{r['name']:16} {r['images']:>4} " + " ".join(f"{r['correct'][t]:>5}/{r['tried']:<4}" for t in TRANSFORMS)
              + f" {100 * total / (r['tried'] * len(TRANSFORMS)):6.1f}% {r['false']:>3}/{r['strangers']:<3}"
              f" {r['latency_ms']:6.0f} {r['p95_ms']:6.0f} {r['build_s']:7.2f}")
        misses = {t: n for t, n in r["missed"].items() if n}
        if misses:
            print(f"{'':16} no match at all: {misses}")
    print(f"\nFalse matches of eShop's odd-numbered products (as is + cropped) against an index of the "
          f"even-numbered ones: {disjoint['false']}/{disjoint['strangers']}")
    if not args.no_ocr:
        result = bench_ocr(10 if args.quick else args.labels, rng)
        print("\nOCR on rendered labels (order id AND model number exact / tried)")
        for style, n in result["tried"].items():
            print(f"  {style:12} {result['exact'][style]}/{n}")
        print(f"  all          {sum(result['exact'].values())}/{sum(result['tried'].values())}"
              f"   mean latency {result['latency_ms']:.0f} ms/label")
        for failure in result["failures"]:
            print("  miss:", failure)


if __name__ == "__main__":
    main()
