"""Shopper-style phone photos of catalog products, generated deterministically, to measure matching.

A shopper's photo is not a catalog shot. The product sits off-centre and small on a busy
background (a table, a bed, a shop shelf), turned, seen at an angle, under warm or cold light,
a little out of focus or shaken, in a tall 9:16 or wide 21:9 frame, and re-compressed hard by a
messenger app. :func:`shopper_photo` does all of that at once to one catalog photo:

  1. cut the product out of its catalog photo (the catalog background is a smooth near-uniform
     studio backdrop: a low-order fit to the border pixels models it; what differs is product);
  2. lay it, scaled and off-centre, onto a busy background (blurred, mirrored tiles of unrelated
     catalog photos, blotchy noise, stripes, checks, gradients) through one homography that rotates it
     (up to +-25 degrees) and tilts it in perspective;
  3. cast a colour (white balance, brightness, gamma), add sensor noise, blur (Gaussian or motion)
     and save as JPEG quality 25-50.
Three graded levels (``LEVELS``) set how far each step goes. Everything is seeded by strings
(seed, catalog, product, level, variant), so a set is the same on every machine and run.

:func:`non_product_photos` makes the "unsold things" a matcher must not match: the same busy
backgrounds with no product, noise, drawn shapes, a note. Held-out products (an index built
without them) are the other half of that; see scripts/bench_photos.py.

Nothing here is written to disk; tests and the benchmark generate what they need.
"""
from __future__ import annotations

import io
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from assistant.knowledge.catalog import Product


@dataclass(frozen=True)
class Level:
    """How hard a photo is: each range is drawn from uniformly."""

    name: str
    product_share: tuple[float, float]   # product's longest side / canvas's shorter side
    rotation: float                      # max degrees either way
    perspective: float                   # max corner shift, as a share of the product's size
    cast: float                          # max per-channel gain change (white balance)
    blur: tuple[float, float]            # Gaussian sigma in px (motion blur length is ~3x this)
    jpeg: tuple[int, int]                # JPEG quality
    noise: float                         # sensor noise sigma (0-255 scale)


LEVELS: dict[str, Level] = {
    "mild": Level("mild", (0.55, 0.75), 10, 0.05, 0.08, (0.4, 0.8), (42, 50), 2.0),
    "medium": Level("medium", (0.45, 0.62), 18, 0.10, 0.15, (0.8, 1.3), (33, 42), 4.0),
    "hard": Level("hard", (0.35, 0.50), 25, 0.16, 0.25, (1.2, 2.0), (25, 33), 6.0),
}

# Phone-ish frames, about one megapixel (what a chat app sends on).
CANVASES: tuple[tuple[int, int], ...] = ((720, 1280), (1280, 720), (1344, 576), (576, 1344), (768, 1024),
                                         (1024, 768))


@dataclass(frozen=True)
class ShopperPhoto:
    """One generated photo and the product it shows (``None`` for an unsold thing)."""

    image: Image.Image
    product_id: str | None
    catalog: str
    level: str
    variant: int = 0

    @property
    def label(self) -> str:
        return f"{self.catalog}/{self.product_id}/{self.level}/{self.variant}"


# -- the two shared catalogs -------------------------------------------------------------------

def shared_catalogs(data: Path) -> dict[str, list[Product]]:
    """eShop (101 generated product shots) and Online Boutique (9 real photos) from ``data``
    (the project's ../shared/data), as catalog products with one image each."""
    catalogs: dict[str, list[Product]] = {}
    eshop = data / "eshop-catalog"
    if (eshop / "catalog.json").is_file():
        raw = json.loads((eshop / "catalog.json").read_text())
        catalogs["eshop"] = [Product(id=f"eshop-{p['Id']}", name=p["Name"], price=p["Price"],
                                     images=[str(eshop / "images" / f"{p['Id']}.webp")]) for p in raw]
    boutique = data / "online-boutique"
    if (boutique / "products.json").is_file():
        raw = json.loads((boutique / "products.json").read_text())["products"]
        catalogs["boutique"] = [Product(id=f"boutique-{p['id']}", name=p["name"], price=p["priceUsd"]["units"],
                                        images=[str(boutique / "images" / Path(p["picture"]).name)])
                                for p in raw]
    return catalogs


# -- one photo -----------------------------------------------------------------------------------

def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(map(str, parts)))


def cut_out(image: Image.Image) -> np.ndarray:
    """RGBA array of the product with its studio backdrop made transparent (soft edge).

    The backdrop is modelled per channel by a quadratic surface fitted to the border pixels;
    pixels far from it, joined up and with holes filled, are the product. When that finds almost
    nothing or almost everything (a scene, not a backdrop), the whole photo is kept.
    """
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32)
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (128, 128), interpolation=cv2.INTER_AREA)
    yy, xx = np.mgrid[0:128, 0:128] / 127.0
    border = np.zeros((128, 128), bool)
    border[:4], border[-4:], border[:, :4], border[:, -4:] = True, True, True, True
    basis = np.stack([np.ones_like(xx), xx, yy, xx * xx, yy * yy, xx * yy], -1)
    fit = np.linalg.lstsq(basis[border], small[border], rcond=None)[0]
    backdrop = cv2.resize((basis.reshape(-1, 6) @ fit).reshape(128, 128, 3).astype(np.float32), (w, h))
    differs = (np.abs(rgb - backdrop).max(-1) > 22).astype(np.uint8) * 255
    differs = cv2.morphologyEx(differs, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    differs = cv2.morphologyEx(differs, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    # Fill holes: whatever the border cannot reach through background is product.
    flood = differs.copy()
    cv2.floodFill(flood, np.zeros((h + 2, w + 2), np.uint8), (0, 0), 128)
    mask = np.where(flood == 128, 0, 255).astype(np.uint8)
    share = mask.mean() / 255
    if not 0.04 < share < 0.92:
        mask = np.full((h, w), 255, np.uint8)
    alpha = cv2.GaussianBlur(mask, (0, 0), 1.5)
    return np.dstack([rgb.astype(np.uint8), alpha])


def busy_background(size: tuple[int, int], rng: random.Random, others: Sequence[Image.Image] = ()) -> np.ndarray:
    """A cluttered, textured backdrop (RGB array of ``size`` = (width, height)), never plain."""
    w, h = size
    nrng = np.random.default_rng(rng.getrandbits(32))
    kind = rng.choice(["tiles", "blotches", "stripes", "checks", "gradient"] if others
                      else ["blotches", "stripes", "checks", "gradient"])
    if kind == "tiles":                   # blurred crops of unrelated catalog photos, tiled
        canvas = np.zeros((h, w, 3), np.uint8)
        tile = rng.randint(160, 320)
        for y in range(0, h, tile):
            for x in range(0, w, tile):
                source = np.asarray(rng.choice(others).convert("RGB"))
                sy, sx = rng.randint(0, source.shape[0] - 100), rng.randint(0, source.shape[1] - 100)
                part = source[sy:sy + rng.randint(80, 100), sx:sx + rng.randint(80, 100)]
                # Mirrored: clutter must not be a copy of a catalog picture (a matcher that finds
                # one would be right, and the photo's ground truth ambiguous).
                part = cv2.resize(part[:, ::-1], (tile, tile), interpolation=cv2.INTER_LINEAR)
                canvas[y:y + tile, x:x + tile] = part[: h - y, : w - x]
        canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(2.5, 5.0))
    elif kind == "blotches":              # low-frequency coloured noise: a fabric, a carpet
        base = np.array([rng.randint(40, 220) for _ in range(3)], np.float32)
        cells = base + nrng.normal(0, 55, (rng.randint(6, 20), rng.randint(6, 20), 3))
        canvas = cv2.resize(np.clip(cells, 0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
        fine = nrng.normal(0, 18, (h, w, 1))
        canvas = np.clip(canvas + fine, 0, 255).astype(np.uint8)
    elif kind == "stripes":               # wood grain, a striped tablecloth
        base = np.array([rng.randint(60, 220) for _ in range(3)], np.float32)
        angle = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        phase = (xx * np.cos(angle) + yy * np.sin(angle)) / rng.uniform(8, 40)
        wobble = np.sin(phase + 2 * np.sin(yy / rng.uniform(40, 120)))[..., None]
        canvas = np.clip(base * (0.75 + 0.25 * wobble) + nrng.normal(0, 8, (h, w, 1)), 0, 255).astype(np.uint8)
    elif kind == "checks":                # a gingham cloth, floor tiles
        cell = rng.randint(24, 90)
        yy, xx = np.mgrid[0:h, 0:w]
        checks = (((xx // cell) + (yy // cell)) % 2).astype(np.float32)[..., None]
        a = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
        b = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
        canvas = cv2.GaussianBlur((a * checks + b * (1 - checks)).astype(np.uint8), (0, 0), 1.2)
    else:                                  # a gradient wall with a few blurred objects in front
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = ((xx / w) * rng.uniform(-1, 1) + (yy / h) * rng.uniform(-1, 1))[..., None]
        a = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
        b = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
        canvas = np.clip(a + (b - a) * (t - t.min()) / (np.ptp(t) + 1e-6), 0, 255).astype(np.uint8)
        for _ in range(rng.randint(3, 7)):
            colour = tuple(rng.randint(0, 255) for _ in range(3))
            centre = (rng.randint(0, w), rng.randint(0, h))
            axes = (rng.randint(30, w // 4), rng.randint(30, h // 4))
            cv2.ellipse(canvas, centre, axes, rng.uniform(0, 180), 0, 360, colour, -1)
        canvas = cv2.GaussianBlur(canvas, (0, 0), 3.0)
    return np.ascontiguousarray(canvas)


def _placement(product_size: tuple[int, int], canvas: tuple[int, int], level: Level,
               rng: random.Random) -> np.ndarray:
    """Homography taking the product photo onto the canvas: scale, rotate, tilt, shift off-centre."""
    pw, ph = product_size
    cw, ch = canvas
    side = rng.uniform(*level.product_share) * min(cw, ch)
    scale = side / max(pw, ph)
    angle = np.deg2rad(rng.uniform(-level.rotation, level.rotation))
    corners = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]) - np.float32([pw / 2, ph / 2])
    rotate = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = corners @ rotate.T * scale
    moved += np.float32([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(4)]) * level.perspective * side
    # Off-centre, but the product stays (almost) inside the frame.
    span = moved.max(0) - moved.min(0)
    room_x, room_y = max(0.0, cw - span[0]), max(0.0, ch - span[1])
    centre = np.float32([rng.uniform(0.1, 0.9) * room_x + span[0] / 2,
                         rng.uniform(0.1, 0.9) * room_y + span[1] / 2])
    moved += centre - (moved.max(0) + moved.min(0)) / 2
    return cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), moved.astype(np.float32))


def _camera(canvas: np.ndarray, level: Level, rng: random.Random) -> np.ndarray:
    """Light, sensor and lens: colour cast, gamma, noise, then Gaussian or motion blur."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    image = canvas.astype(np.float32) / 255
    gains = np.float32([1 + rng.uniform(-level.cast, level.cast) for _ in range(3)])
    image = image * gains * rng.uniform(0.8, 1.15)
    image = np.clip(image, 0, 1) ** rng.uniform(0.8, 1.25)
    image = image * 255 + nrng.normal(0, level.noise, image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    sigma = rng.uniform(*level.blur)
    if rng.random() < 0.5:
        return cv2.GaussianBlur(image, (0, 0), sigma)
    length = max(3, int(round(3 * sigma)) | 1)
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1 / length
    turn = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
    kernel = cv2.warpAffine(kernel, turn, (length, length))
    return cv2.filter2D(image, -1, kernel / max(kernel.sum(), 1e-6))


def _jpeg(image: np.ndarray, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def shopper_photo(product: Image.Image, level: str | Level, rng: random.Random,
                  others: Sequence[Image.Image] = ()) -> Image.Image:
    """The product photo as a shopper's phone photo at ``level`` (see the module docstring)."""
    level = LEVELS[level] if isinstance(level, str) else level
    canvas_size = rng.choice(CANVASES)
    canvas = busy_background(canvas_size, rng, others).astype(np.float32)
    rgba = cut_out(product)
    placement = _placement((rgba.shape[1], rgba.shape[0]), canvas_size, level, rng)
    warped = cv2.warpPerspective(rgba, placement, canvas_size, flags=cv2.INTER_AREA,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    alpha = warped[..., 3:4].astype(np.float32) / 255
    composed = (warped[..., :3] * alpha + canvas * (1 - alpha)).astype(np.uint8)
    return _jpeg(_camera(composed, level, rng), rng.randint(*level.jpeg))


def photo_set(catalogs: dict[str, list[Product]], seed: int | str, levels: Iterable[str] = tuple(LEVELS),
              variants: int = 1, products: dict[str, Sequence[str]] | None = None) -> list[ShopperPhoto]:
    """Shopper photos of each product (first image) of each catalog, ``variants`` per level.

    ``products`` restricts a catalog to some product ids. Backgrounds borrow from the *other*
    products' photos of the same catalog (blurred), never from the product itself.
    """
    photos: list[ShopperPhoto] = []
    levels = list(levels)
    for name, items in catalogs.items():
        wanted = set(products[name]) if products and name in products else None
        paths = {p.id: p.images[0] for p in items if p.images}
        loaded: dict[str, Image.Image] = {}

        def picture(pid: str) -> Image.Image:
            if pid not in loaded:
                loaded[pid] = Image.open(paths[pid]).convert("RGB")
            return loaded[pid]

        for product in items:
            if product.id not in paths or (wanted is not None and product.id not in wanted):
                continue
            for level in levels:
                for variant in range(variants):
                    rng = _rng(seed, name, product.id, level, variant)
                    others = [picture(o) for o in rng.sample(sorted(set(paths) - {product.id}),
                                                             min(6, len(paths) - 1))]
                    photos.append(ShopperPhoto(shopper_photo(picture(product.id), level, rng, others),
                                               product.id, name, level, variant))
    return photos


def non_product_photos(seed: int | str, count: int, others: Sequence[Image.Image] = ()) -> list[ShopperPhoto]:
    """Photos that show no catalog product: busy backgrounds alone (with the camera's cast, blur
    and JPEG), drawn shapes, a hand-written-looking note, noise."""
    photos: list[ShopperPhoto] = []
    for i in range(count):
        rng = _rng(seed, "unsold", i)
        level = LEVELS[rng.choice(list(LEVELS))]
        size = rng.choice(CANVASES)
        kind = i % 4
        if kind in (0, 1):
            canvas = busy_background(size, rng, others)
        elif kind == 2:
            canvas = busy_background(size, rng, ())
            picture = Image.fromarray(canvas)
            draw = ImageDraw.Draw(picture)
            for _ in range(rng.randint(6, 14)):
                x, y = rng.randint(0, size[0] - 60), rng.randint(0, size[1] - 60)
                box = [x, y, x + rng.randint(30, 260), y + rng.randint(30, 260)]
                colour = tuple(rng.randint(0, 255) for _ in range(3))
                (draw.rectangle if rng.random() < 0.5 else draw.ellipse)(box, fill=colour)
            canvas = np.asarray(picture)
        else:
            picture = Image.new("RGB", size, tuple(rng.randint(200, 250) for _ in range(3)))
            draw = ImageDraw.Draw(picture)
            font = ImageFont.load_default(size=rng.randint(28, 48))
            for row, line in enumerate(["Thank you for", "your order!", f"Ref {rng.randint(1000, 9999)}"]):
                draw.text((40, 60 + 70 * row), line, fill=(30, 30, 40), font=font)
            canvas = np.asarray(picture)
        photos.append(ShopperPhoto(_jpeg(_camera(np.ascontiguousarray(canvas), level, rng),
                                         rng.randint(*level.jpeg)), None, "unsold", level.name, i))
    return photos


def held_out(catalogs: dict[str, list[Product]], every: int = 5) -> dict[str, list[str]]:
    """Product ids kept out of the index to play "things the store does not sell": every
    ``every``-th product of each catalog (at least one per catalog)."""
    return {name: [p.id for p in items[every // 2::every]] or [items[0].id] for name, items in catalogs.items()}
