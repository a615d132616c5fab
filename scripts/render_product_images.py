"""Render the demo store's product images (knowledge/images/<id>.png) with Pillow.

Every product in knowledge/catalog.json that lists an image gets one 320x320 PNG:
  - a simple drawn picture of the item (a shoe, a pack, a kettle...) in the product's main colour,
  - on a light background with a pattern, both chosen per product so no two images look alike,
  - above a white label printed with the product name and its model number in large dark text
    (the label is what OCR reads; the picture is what photo-to-product matching compares).

Nothing is downloaded: shapes are drawn with ImageDraw and text uses Pillow's built-in font
(``ImageFont.load_default(size=...)``, Pillow >= 10.1). The output is deterministic.

    python scripts/render_product_images.py [--catalog knowledge/catalog.json] [--only ID ...]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SIZE = 320
PICTURE = (40, 14, 280, 200)          # where the drawing goes: x0, y0, x1, y1
LABEL_TOP = 208
INK = (24, 24, 28)

# Colour names used by variants (and a few overrides) -> RGB.
COLORS = {
    "black": (38, 38, 42), "blue": (40, 96, 196), "navy": (30, 42, 92), "red": (196, 40, 44),
    "white": (246, 246, 242), "grey": (140, 140, 146), "charcoal": (64, 66, 72),
    "forest green": (34, 110, 62), "slate blue": (84, 110, 160), "rust": (176, 82, 40),
    "olive": (110, 116, 52), "mustard": (214, 166, 36), "sage": (140, 168, 126),
    "brown": (118, 74, 40), "coral": (240, 110, 92), "sunrise orange": (240, 128, 32),
    "orange": (246, 130, 20), "graphite": (74, 78, 86), "sand": (212, 186, 140),
    "natural": (226, 212, 180), "ochre": (200, 140, 40), "silver": (196, 200, 206),
    "midnight": (28, 32, 60), "matte black": (44, 44, 46), "cherry red": (178, 24, 48),
    "walnut": (120, 78, 46), "terracotta": (196, 104, 72), "amber": (200, 120, 30),
    "steel": (170, 176, 184), "yellow": (246, 206, 40), "aqua": (64, 176, 190),
    "rosewood": (150, 58, 72), "pale blue": (150, 196, 230), "cream": (240, 228, 196),
}

# Light backgrounds; picked by position so neighbouring products never share a look.
BACKGROUNDS = [
    (250, 236, 214), (222, 238, 250), (232, 246, 226), (248, 226, 232), (238, 232, 250),
    (252, 248, 212), (224, 244, 242), (244, 236, 226), (236, 240, 244), (250, 230, 212),
    (230, 236, 214), (246, 222, 246), (216, 230, 244),
]
PATTERNS = ["stripes", "dots", "grid", "diagonal", "checker", "rings", "waves", "triangles"]

# Which drawing each product gets, and an optional colour override (else: first variant colour).
SHAPES = {
    "summit-rain-jacket": ("jacket", None), "ridgeway-merino-crew": ("crew", None),
    "ember-fleece-hoodie": ("hoodie", None), "featherlite-down-vest": ("vest", None),
    "tundra-rib-beanie": ("beanie", None), "seabreeze-linen-dress": ("dress", None),
    "trailblazer-running-shoe": ("shoe", "blue"), "ridgecrest-waterproof-boot": ("boot", None),
    "velocity-road-racer": ("racer", "coral"), "snowline-insulated-boot": ("snowboot", None),
    "alpine-40-pack": ("backpack", "forest green"), "basecamp-2-tent": ("tent", None),
    "pocketflame-canister-stove": ("stove", None), "icefall-insulated-bottle": ("bottle", "aqua"),
    "lumen-300-headlamp": ("headlamp", "orange"), "riverrun-dry-bag": ("drybag", "yellow"),
    "harbor-canvas-tote": ("tote", "blue"), "driftwood-ceramic-table-lamp": ("lamp", None),
    "cloudrest-memory-foam-pillow": ("pillow", "white"), "hearthside-wool-throw": ("throw", None),
    "mossgrove-ceramic-planter": ("planter", "terracotta"), "stillwater-soy-candle": ("candle", "amber"),
    "ironbark-wall-clock": ("clock", None), "voltkin-65w-gan-charger": ("charger", None),
    "pulsewave-wireless-earbuds": ("earbuds", None), "quietzone-anc-headphones": ("headphones", None),
    "powerhouse-20k-power-bank": ("powerbank", None), "deskdock-aluminium-laptop-stand": ("laptop", None),
    "roamer-bluetooth-speaker": ("speaker", None), "dayglow-mineral-sunscreen": ("tube", "yellow"),
    "dewdrop-hyaluronic-serum": ("dropper", "pale blue"), "cedarwood-beard-oil": ("oilbottle", "amber"),
    "velvet-matte-lipstick": ("lipstick", "rosewood"), "hearthstone-cast-iron-skillet": ("skillet", "black"),
    "keenedge-chefs-knife": ("knife", "steel"), "brewhaus-steel-french-press": ("press", "steel"),
    "everslide-ceramic-saute-pan": ("saute", None), "rapidboil-gooseneck-kettle": ("kettle", None),
    "whirlwind-stand-mixer": ("mixer", None),
}
CATEGORY_FALLBACK = {
    "apparel": "crew", "footwear": "shoe", "outdoor gear": "backpack", "home": "pillow",
    "electronics accessories": "charger", "beauty": "tube", "kitchen": "saute",
}
CATEGORY_STRIPE = {
    "apparel": (200, 60, 80), "footwear": (40, 110, 200), "outdoor gear": (40, 140, 70),
    "home": (180, 120, 50), "electronics accessories": (100, 70, 180), "beauty": (220, 90, 160),
    "kitchen": (210, 80, 30),
}


def shade(c, f):
    """Darken (f < 1) or lighten (f > 1) a colour."""
    if f <= 1:
        return tuple(int(v * f) for v in c)
    return tuple(int(v + (255 - v) * (f - 1)) for v in c)


class Pen:
    """Draws in coordinates normalised to the picture box (0..1 on each axis)."""

    def __init__(self, draw: ImageDraw.ImageDraw, fill):
        self.d = draw
        x0, y0, x1, y1 = PICTURE
        self.x0, self.y0, self.w, self.h = x0, y0, x1 - x0, y1 - y0
        self.fill = fill
        light = sum(fill) / 3 > 170
        self.line = (60, 60, 66) if light else shade(fill, 0.55)
        self.hi = shade(fill, 0.85) if light else shade(fill, 1.45)

    def p(self, u, v):
        return (self.x0 + u * self.w, self.y0 + v * self.h)

    def box(self, u0, v0, u1, v1):
        (a, b), (c, d) = self.p(u0, v0), self.p(u1, v1)
        return [a, b, c, d]

    def poly(self, pts, fill=None, width=3):
        self.d.polygon([self.p(u, v) for u, v in pts], fill=fill or self.fill, outline=self.line, width=width)

    def rect(self, u0, v0, u1, v1, fill=None, r=0, width=3):
        self.d.rounded_rectangle(self.box(u0, v0, u1, v1), radius=r, fill=fill or self.fill,
                                 outline=self.line, width=width)

    def ell(self, u0, v0, u1, v1, fill=None, width=3):
        self.d.ellipse(self.box(u0, v0, u1, v1), fill=fill or self.fill, outline=self.line, width=width)

    def ln(self, pts, fill=None, width=3):
        self.d.line([self.p(u, v) for u, v in pts], fill=fill or self.line, width=width)

    def arc(self, u0, v0, u1, v1, a0, a1, fill=None, width=4):
        self.d.arc(self.box(u0, v0, u1, v1), a0, a1, fill=fill or self.line, width=width)


# ------------------------------------------------------------------ apparel
def draw_top(pen, sleeves=True, hood=False, collar=False, zip_=False):
    body = [(0.3, 0.1), (0.42, 0.06), (0.58, 0.06), (0.7, 0.1), (0.72, 0.95), (0.28, 0.95)]
    if sleeves:
        pen.poly([(0.3, 0.1), (0.12, 0.35), (0.08, 0.8), (0.18, 0.82), (0.24, 0.45), (0.29, 0.4)])
        pen.poly([(0.7, 0.1), (0.88, 0.35), (0.92, 0.8), (0.82, 0.82), (0.76, 0.45), (0.71, 0.4)])
    pen.poly(body)
    if hood:
        pen.poly([(0.4, 0.07), (0.42, -0.04), (0.5, -0.07), (0.58, -0.04), (0.6, 0.07), (0.5, 0.2)],
                 fill=pen.hi)
        pen.rect(0.38, 0.6, 0.62, 0.78, fill=pen.hi, r=6)
    if collar:
        pen.poly([(0.42, 0.06), (0.5, 0.2), (0.45, 0.22), (0.38, 0.1)], fill=(250, 250, 250))
        pen.poly([(0.58, 0.06), (0.5, 0.2), (0.55, 0.22), (0.62, 0.1)], fill=(250, 250, 250))
    if zip_:
        pen.ln([(0.5, 0.08), (0.5, 0.95)], width=3)
        pen.rect(0.33, 0.55, 0.44, 0.58, fill=pen.line, width=1)
        pen.rect(0.56, 0.55, 0.67, 0.58, fill=pen.line, width=1)
    if not (hood or collar or zip_):
        pen.arc(0.42, -0.02, 0.58, 0.14, 0, 180, width=4)


def draw_jacket(pen):
    draw_top(pen, zip_=True)
    pen.poly([(0.42, 0.06), (0.44, -0.03), (0.56, -0.03), (0.58, 0.06), (0.5, 0.12)], fill=pen.hi)


def draw_crew(pen):
    draw_top(pen)
    for v in (0.3, 0.5, 0.7):
        pen.ln([(0.3, v), (0.7, v)], fill=pen.hi, width=2)


def draw_hoodie(pen):
    draw_top(pen, hood=True)


def draw_vest(pen):
    draw_top(pen, sleeves=False, zip_=True)
    for v in (0.28, 0.45, 0.62, 0.79):
        pen.ln([(0.29, v), (0.71, v)], width=2)


def draw_beanie(pen):
    pen.poly([(0.22, 0.75), (0.24, 0.42), (0.34, 0.22), (0.5, 0.16), (0.66, 0.22), (0.76, 0.42), (0.78, 0.75)])
    pen.ell(0.42, 0.02, 0.58, 0.2, fill=pen.hi)
    pen.rect(0.18, 0.68, 0.82, 0.92, fill=pen.hi, r=8)
    for i in range(9):
        u = 0.22 + i * 0.07
        pen.ln([(u, 0.7), (u, 0.9)], width=2)


def draw_dress(pen):
    pen.poly([(0.4, 0.05), (0.6, 0.05), (0.63, 0.38), (0.82, 0.97), (0.18, 0.97), (0.37, 0.38)])
    pen.ln([(0.41, 0.05), (0.38, -0.04)], width=3)
    pen.ln([(0.59, 0.05), (0.62, -0.04)], width=3)
    pen.ln([(0.36, 0.38), (0.64, 0.38)], fill=pen.hi, width=6)


# ------------------------------------------------------------------ footwear
def draw_shoe(pen, lugs=True, high=False, fur=False, sleek=False):
    top = 0.12 if high else 0.4
    pts = [(0.1, 0.78), (0.12, 0.55), (0.3, 0.5), (0.42, top), (0.6, top - 0.03), (0.66, top + 0.1),
           (0.82, 0.55), (0.95, 0.66), (0.94, 0.78)]
    if high:
        pts = [(0.12, 0.78), (0.16, 0.12), (0.5, 0.12), (0.54, 0.46), (0.8, 0.54), (0.95, 0.66),
               (0.94, 0.78)]
    if sleek:
        pts = [(0.06, 0.76), (0.12, 0.6), (0.34, 0.52), (0.46, 0.36), (0.62, 0.34), (0.7, 0.5),
               (0.96, 0.66), (0.96, 0.76)]
    pen.poly(pts)
    pen.rect(0.06, 0.76, 0.97, 0.88, fill=(245, 245, 240) if not lugs else pen.line, r=6)
    if lugs:
        for i in range(8):
            u = 0.1 + i * 0.11
            pen.rect(u, 0.87, u + 0.06, 0.93, fill=pen.line, width=1)
    for i in range(4):
        if high:
            pen.ln([(0.38, 0.2 + i * 0.07), (0.5, 0.2 + i * 0.07)], fill=(250, 250, 250), width=3)
        else:
            u = 0.46 + i * 0.06
            pen.ln([(u, top + 0.08 + i * 0.03), (u + 0.05, top + 0.12 + i * 0.03)], fill=(250, 250, 250), width=3)
    if fur:
        pen.rect(0.12, 0.04, 0.54, 0.16, fill=(236, 228, 214), r=8)
    if sleek:
        pen.ln([(0.2, 0.7), (0.9, 0.7)], fill=pen.hi, width=5)


def draw_boot(pen):
    draw_shoe(pen, high=True)


def draw_racer(pen):
    draw_shoe(pen, lugs=False, sleek=True)


def draw_snowboot(pen):
    draw_shoe(pen, high=True, fur=True)


# ------------------------------------------------------------------ outdoor
def draw_backpack(pen):
    pen.rect(0.26, 0.08, 0.74, 0.95, r=30)
    pen.rect(0.32, 0.52, 0.68, 0.86, fill=pen.hi, r=14)
    pen.ln([(0.3, 0.3), (0.7, 0.3)], width=4)
    pen.arc(0.4, -0.04, 0.6, 0.14, 180, 360, width=6)
    for u in (0.22, 0.78):
        pen.ln([(u, 0.25), (u, 0.85)], width=6)
    pen.rect(0.45, 0.62, 0.55, 0.68, fill=pen.line, width=1)


def draw_tent(pen):
    pen.poly([(0.05, 0.92), (0.5, 0.08), (0.95, 0.92)])
    pen.poly([(0.38, 0.92), (0.5, 0.45), (0.62, 0.92)], fill=shade(pen.fill, 0.5))
    pen.ln([(0.5, 0.08), (0.5, 0.0)], width=4)
    pen.ln([(0.0, 0.94), (1.0, 0.94)], width=4)
    pen.ln([(0.05, 0.92), (0.0, 0.99)], width=2)
    pen.ln([(0.95, 0.92), (1.0, 0.99)], width=2)


def draw_stove(pen):
    pen.ell(0.3, 0.62, 0.7, 0.98, fill=(90, 90, 200))
    pen.rect(0.3, 0.55, 0.7, 0.82, fill=(90, 90, 200), r=10)
    pen.rect(0.44, 0.38, 0.56, 0.56)
    pen.ell(0.32, 0.3, 0.68, 0.42, fill=pen.hi)
    for u0, u1 in ((0.32, 0.14), (0.68, 0.86)):
        pen.ln([(u0, 0.36), (u1, 0.3)], width=5)
    for u in (0.42, 0.5, 0.58):
        pen.poly([(u - 0.03, 0.3), (u, 0.1), (u + 0.03, 0.3)], fill=(246, 140, 30), width=1)


def draw_bottle(pen):
    pen.rect(0.36, 0.2, 0.64, 0.98, r=24)
    pen.rect(0.4, 0.06, 0.6, 0.2, fill=(60, 60, 66), r=6)
    pen.arc(0.44, -0.04, 0.56, 0.1, 180, 360, width=4)
    pen.rect(0.4, 0.45, 0.6, 0.7, fill=pen.hi, r=4)


def draw_headlamp(pen):
    pen.arc(0.1, 0.15, 0.9, 0.95, 200, 340, fill=(50, 50, 56), width=10)
    pen.arc(0.1, 0.25, 0.9, 1.05, 200, 340, fill=(50, 50, 56), width=10)
    pen.rect(0.32, 0.35, 0.68, 0.7, r=14)
    pen.ell(0.4, 0.4, 0.6, 0.66, fill=(255, 244, 180))
    pen.ell(0.46, 0.47, 0.54, 0.59, fill=(255, 255, 255))


def draw_drybag(pen):
    pen.rect(0.3, 0.22, 0.7, 0.96, r=30)
    pen.rect(0.26, 0.1, 0.74, 0.24, fill=shade(pen.fill, 0.7), r=6)
    pen.rect(0.44, 0.02, 0.56, 0.12, fill=(40, 40, 44), r=3)
    pen.ln([(0.34, 0.4), (0.66, 0.4)], width=2)


# ------------------------------------------------------------------ home
def draw_tote(pen):
    pen.arc(0.3, 0.0, 0.5, 0.5, 180, 360, fill=(120, 74, 40), width=7)
    pen.arc(0.5, 0.0, 0.7, 0.5, 180, 360, fill=(120, 74, 40), width=7)
    pen.poly([(0.18, 0.25), (0.82, 0.25), (0.86, 0.96), (0.14, 0.96)])
    pen.rect(0.36, 0.5, 0.64, 0.74, fill=pen.hi, r=4)


def draw_lamp(pen):
    pen.poly([(0.3, 0.04), (0.7, 0.04), (0.82, 0.4), (0.18, 0.4)], fill=(244, 238, 224))
    pen.ln([(0.5, 0.4), (0.5, 0.5)], width=4)
    pen.ell(0.3, 0.48, 0.7, 0.96)
    pen.rect(0.36, 0.9, 0.64, 0.98, fill=shade(pen.fill, 0.7), r=4)


def draw_pillow(pen):
    pen.poly([(0.08, 0.2), (0.5, 0.28), (0.92, 0.2), (0.86, 0.56), (0.92, 0.9), (0.5, 0.82),
              (0.08, 0.9), (0.14, 0.56)])
    pen.ln([(0.2, 0.55), (0.8, 0.55)], width=2)
    pen.ln([(0.5, 0.35), (0.5, 0.75)], width=2)


def draw_throw(pen):
    for i, f in enumerate((0.7, 0.85, 1.0)):
        v = 0.62 - i * 0.22
        pen.rect(0.12, v, 0.88, v + 0.3, fill=shade(pen.fill, f), r=10)
    for i in range(8):
        u = 0.16 + i * 0.1
        pen.ln([(u, 0.92), (u, 0.99)], width=3)


def draw_planter(pen):
    for a in (-0.28, 0.0, 0.28):
        pen.ell(0.42 + a, 0.02, 0.58 + a, 0.42, fill=(60, 150, 70))
    pen.ln([(0.5, 0.2), (0.5, 0.45)], fill=(40, 110, 50), width=4)
    pen.poly([(0.22, 0.42), (0.78, 0.42), (0.7, 0.92), (0.3, 0.92)])
    pen.rect(0.2, 0.38, 0.8, 0.48, fill=shade(pen.fill, 0.85), r=4)
    pen.rect(0.2, 0.9, 0.8, 0.97, fill=shade(pen.fill, 0.7), r=4)


def draw_candle(pen):
    pen.rect(0.3, 0.3, 0.7, 0.96, r=10)
    pen.rect(0.34, 0.5, 0.66, 0.78, fill=(250, 248, 240), r=2)
    pen.ln([(0.5, 0.3), (0.5, 0.2)], fill=(40, 40, 40), width=3)
    pen.poly([(0.46, 0.2), (0.5, 0.02), (0.54, 0.2)], fill=(250, 170, 40), width=1)


def draw_clock(pen):
    pen.ell(0.18, 0.0, 0.82, 1.0)
    pen.ell(0.24, 0.08, 0.76, 0.92, fill=shade(pen.fill, 1.2))
    for i, (u, v) in enumerate([(0.5, 0.12), (0.72, 0.5), (0.5, 0.88), (0.28, 0.5)]):
        pen.ell(u - 0.015, v - 0.02, u + 0.015, v + 0.02, fill=(30, 30, 30), width=1)
    pen.ln([(0.5, 0.5), (0.5, 0.2)], fill=(20, 20, 20), width=5)
    pen.ln([(0.5, 0.5), (0.66, 0.62)], fill=(20, 20, 20), width=5)


# ------------------------------------------------------------------ electronics
def draw_charger(pen):
    pen.rect(0.3, 0.2, 0.7, 0.9, r=14)
    for v in (0.32, 0.46):
        pen.rect(0.42, v, 0.58, v + 0.07, fill=(40, 40, 44), r=3)
    pen.rect(0.4, 0.62, 0.6, 0.72, fill=(40, 40, 44), r=1)
    pen.rect(0.72, 0.4, 0.84, 0.46, fill=(190, 190, 196), width=1)
    pen.rect(0.72, 0.56, 0.84, 0.62, fill=(190, 190, 196), width=1)


def draw_earbuds(pen):
    pen.rect(0.22, 0.45, 0.78, 0.95, r=30)
    pen.ln([(0.22, 0.62), (0.78, 0.62)], width=3)
    pen.ell(0.47, 0.75, 0.53, 0.8, fill=(120, 230, 120), width=1)
    for u in (0.22, 0.6):
        pen.ell(u, 0.04, u + 0.18, 0.3)
        pen.rect(u + 0.09, 0.18, u + 0.15, 0.42, r=4)


def draw_headphones(pen):
    pen.arc(0.18, 0.02, 0.82, 0.9, 180, 360, fill=pen.fill, width=16)
    pen.arc(0.18, 0.02, 0.82, 0.9, 180, 360, fill=pen.line, width=3)
    for u in (0.1, 0.72):
        pen.rect(u, 0.4, u + 0.18, 0.88, r=18)
        pen.rect(u + 0.04, 0.48, u + 0.14, 0.8, fill=pen.hi, r=10)


def draw_powerbank(pen):
    pen.rect(0.22, 0.08, 0.78, 0.95, r=18)
    for i in range(4):
        pen.ell(0.35 + i * 0.08, 0.2, 0.4 + i * 0.08, 0.26,
                fill=(100, 230, 120) if i < 3 else (90, 90, 90), width=1)
    pen.poly([(0.52, 0.38), (0.4, 0.62), (0.5, 0.62), (0.46, 0.84), (0.6, 0.55), (0.5, 0.55), (0.56, 0.38)],
             fill=(250, 210, 50))


def draw_laptop(pen):
    pen.poly([(0.2, 0.95), (0.6, 0.5), (0.66, 0.5), (0.3, 0.95)], fill=pen.fill)
    pen.poly([(0.7, 0.95), (0.5, 0.6), (0.55, 0.6), (0.78, 0.95)], fill=pen.fill)
    pen.poly([(0.1, 0.55), (0.72, 0.38), (0.8, 0.45), (0.18, 0.62)], fill=(60, 64, 72))
    pen.poly([(0.72, 0.38), (0.9, 0.02), (0.98, 0.08), (0.8, 0.45)], fill=(60, 64, 72))
    pen.poly([(0.76, 0.36), (0.9, 0.08), (0.94, 0.11), (0.8, 0.4)], fill=(120, 190, 240), width=1)


def draw_speaker(pen):
    pen.rect(0.14, 0.25, 0.86, 0.85, r=60)
    for i in range(6):
        u = 0.26 + i * 0.09
        for j in range(3):
            v = 0.38 + j * 0.12
            pen.ell(u, v, u + 0.04, v + 0.05, fill=pen.line, width=1)
    pen.rect(0.42, 0.15, 0.58, 0.26, fill=pen.hi, r=4)


# ------------------------------------------------------------------ beauty
def draw_tube(pen):
    pen.poly([(0.32, 0.04), (0.68, 0.04), (0.64, 0.76), (0.36, 0.76)])
    pen.rect(0.36, 0.76, 0.64, 0.97, fill=(250, 250, 250), r=4)
    pen.rect(0.36, 0.28, 0.64, 0.5, fill=(250, 250, 250), r=2)
    pen.ln([(0.32, 0.08), (0.68, 0.08)], width=2)


def draw_dropper(pen):
    pen.rect(0.34, 0.4, 0.66, 0.97, r=12)
    pen.rect(0.42, 0.28, 0.58, 0.4, fill=(230, 230, 234))
    pen.rect(0.44, 0.04, 0.56, 0.3, fill=(40, 40, 44), r=10)
    pen.rect(0.38, 0.56, 0.62, 0.8, fill=(250, 250, 250), r=2)


def draw_oilbottle(pen):
    pen.rect(0.28, 0.4, 0.72, 0.97, r=6)
    pen.rect(0.43, 0.24, 0.57, 0.4, fill=pen.fill)
    pen.rect(0.4, 0.06, 0.6, 0.26, fill=(30, 30, 30), r=4)
    pen.rect(0.32, 0.52, 0.68, 0.84, fill=(236, 226, 200), r=2)
    pen.ell(0.44, 0.6, 0.56, 0.76, fill=(90, 120, 60), width=1)


def draw_lipstick(pen):
    pen.rect(0.36, 0.5, 0.64, 0.97, fill=(220, 180, 80), r=4)
    pen.rect(0.38, 0.3, 0.62, 0.52, fill=(200, 160, 70), r=2)
    pen.poly([(0.4, 0.3), (0.4, 0.12), (0.6, 0.02), (0.6, 0.3)])
    pen.ln([(0.36, 0.6), (0.64, 0.6)], width=2)


# ------------------------------------------------------------------ kitchen
def draw_skillet(pen):
    pen.rect(0.62, 0.44, 0.99, 0.56, r=6)
    pen.ell(0.02, 0.12, 0.66, 0.88)
    pen.ell(0.08, 0.2, 0.6, 0.8, fill=shade(pen.fill, 1.3))
    pen.ell(0.92, 0.47, 0.96, 0.53, fill=(250, 250, 250), width=1)


def draw_knife(pen):
    pen.poly([(0.04, 0.5), (0.2, 0.36), (0.62, 0.36), (0.62, 0.6), (0.1, 0.56)])
    pen.ln([(0.1, 0.5), (0.6, 0.5)], fill=pen.hi, width=2)
    pen.rect(0.62, 0.38, 0.97, 0.58, fill=(40, 40, 44), r=10)
    for u in (0.72, 0.8, 0.88):
        pen.ell(u, 0.45, u + 0.03, 0.51, fill=(200, 200, 204), width=1)


def draw_press(pen):
    pen.rect(0.3, 0.2, 0.68, 0.97, r=10)
    pen.ln([(0.49, 0.2), (0.49, 0.02)], width=5)
    pen.ell(0.44, -0.02, 0.54, 0.06, fill=(30, 30, 30), width=1)
    pen.rect(0.26, 0.16, 0.7, 0.24, fill=shade(pen.fill, 0.8), r=4)
    pen.arc(0.58, 0.3, 0.86, 0.8, 270, 90, fill=(40, 40, 44), width=9)
    pen.poly([(0.3, 0.24), (0.22, 0.3), (0.3, 0.32)])


def draw_saute(pen):
    pen.rect(0.08, 0.45, 0.7, 0.9, r=16)
    pen.rect(0.68, 0.52, 0.99, 0.62, fill=(40, 40, 44), r=6)
    pen.ell(0.06, 0.28, 0.72, 0.5, fill=(200, 216, 226))
    pen.ell(0.33, 0.22, 0.45, 0.32, fill=(40, 40, 44), width=1)


def draw_kettle(pen):
    pen.poly([(0.3, 0.25), (0.66, 0.25), (0.74, 0.92), (0.22, 0.92)])
    pen.ln([(0.26, 0.8), (0.12, 0.75), (0.06, 0.3), (0.0, 0.24)], fill=pen.fill, width=9)
    pen.ln([(0.26, 0.8), (0.12, 0.75), (0.06, 0.3), (0.0, 0.24)], fill=pen.line, width=2)
    pen.arc(0.6, 0.25, 0.92, 0.8, 270, 90, fill=(120, 80, 50), width=10)
    pen.rect(0.38, 0.14, 0.58, 0.26, fill=shade(pen.fill, 1.3), r=6)
    pen.rect(0.14, 0.92, 0.82, 0.99, fill=(40, 40, 44), r=3)


def draw_mixer(pen):
    pen.rect(0.1, 0.88, 0.9, 0.98, r=6)
    pen.rect(0.66, 0.2, 0.84, 0.9, r=10)
    pen.poly([(0.16, 0.12), (0.84, 0.12), (0.84, 0.34), (0.16, 0.34)])
    pen.ell(0.08, 0.1, 0.3, 0.36)
    pen.poly([(0.22, 0.52), (0.62, 0.52), (0.56, 0.88), (0.28, 0.88)], fill=(200, 204, 210))
    pen.ln([(0.42, 0.34), (0.42, 0.6)], width=4)


DRAWERS = {name[5:]: fn for name, fn in globals().items() if name.startswith("draw_") and callable(fn)}


# ------------------------------------------------------------------ background and label
def paint_background(d: ImageDraw.ImageDraw, bg, pattern: str) -> None:
    ink = shade(bg, 0.9)
    d.rectangle([0, 0, SIZE, SIZE], fill=bg)
    if pattern == "stripes":
        for y in range(0, SIZE, 22):
            d.rectangle([0, y, SIZE, y + 9], fill=ink)
    elif pattern == "dots":
        for y in range(8, SIZE, 24):
            for x in range(8 + (y // 24 % 2) * 12, SIZE, 24):
                d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=ink)
    elif pattern == "grid":
        for t in range(0, SIZE, 26):
            d.line([(t, 0), (t, SIZE)], fill=ink, width=2)
            d.line([(0, t), (SIZE, t)], fill=ink, width=2)
    elif pattern == "diagonal":
        for t in range(-SIZE, SIZE, 28):
            d.line([(t, 0), (t + SIZE, SIZE)], fill=ink, width=8)
    elif pattern == "checker":
        for y in range(0, SIZE, 40):
            for x in range(0, SIZE, 40):
                if (x // 40 + y // 40) % 2:
                    d.rectangle([x, y, x + 39, y + 39], fill=ink)
    elif pattern == "rings":
        for r in range(20, 460, 30):
            d.ellipse([160 - r, 110 - r, 160 + r, 110 + r], outline=ink, width=8)
    elif pattern == "waves":
        for y in range(10, SIZE, 30):
            pts = [(x, y + (8 if (x // 20) % 2 else -8)) for x in range(0, SIZE + 20, 20)]
            d.line(pts, fill=ink, width=5)
    elif pattern == "triangles":
        for y in range(0, SIZE, 36):
            for x in range(0, SIZE, 36):
                d.polygon([(x, y + 30), (x + 15, y + 6), (x + 30, y + 30)], fill=ink)


def wrap(text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(trial) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def paint_label(d: ImageDraw.ImageDraw, name: str, model: str, stripe) -> None:
    d.rectangle([8, LABEL_TOP, SIZE - 9, SIZE - 9], fill=(255, 255, 255), outline=INK, width=2)
    d.rectangle([10, LABEL_TOP + 2, 19, SIZE - 11], fill=stripe)
    size = 22
    font = ImageFont.load_default(size=size)
    lines = wrap(name, font, SIZE - 52)
    while len(lines) > 2 and size > 15:          # long names: shrink until two lines fit
        size -= 1
        font = ImageFont.load_default(size=size)
        lines = wrap(name, font, SIZE - 52)
    y = LABEL_TOP + 8
    for line in lines[:2]:
        d.text((28, y), line, font=font, fill=INK)
        y += size + 4
    if model:
        mfont = ImageFont.load_default(size=30)
        d.text((28, SIZE - 52), model, font=mfont, fill=INK)


def render(product: dict, index: int) -> Image.Image:
    shape, colour = SHAPES.get(product["id"], (CATEGORY_FALLBACK.get(product.get("category", ""), "tube"), None))
    if colour is None:
        for variant in product.get("variants", []):
            options = {k.lower(): str(v).lower() for k, v in variant.get("options", {}).items()}
            if options.get("color") in COLORS:
                colour = options["color"]
                break
    fill = COLORS.get(colour or "", (120, 130, 150))
    img = Image.new("RGB", (SIZE, SIZE))
    d = ImageDraw.Draw(img)
    paint_background(d, BACKGROUNDS[index % len(BACKGROUNDS)], PATTERNS[index % len(PATTERNS)])
    DRAWERS[shape](Pen(d, fill))
    paint_label(d, product["name"], str(product.get("specs", {}).get("model_number", "")),
                CATEGORY_STRIPE.get(product.get("category", ""), INK))
    return img


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=ROOT / "knowledge" / "catalog.json")
    parser.add_argument("--only", nargs="*", help="render just these product ids")
    args = parser.parse_args(argv)
    products = json.loads(args.catalog.read_text(encoding="utf-8"))
    with_images = [p for p in products if p.get("images")]
    for index, product in enumerate(with_images):
        if args.only and product["id"] not in args.only:
            continue
        img = render(product, index)
        # A 64-colour palette keeps each file well under 40 KB; flat shapes lose nothing.
        img = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        for rel in product["images"]:
            out = args.catalog.parent / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            img.save(out, optimize=True)
    print(f"rendered {len(with_images) if not args.only else len(args.only)} product images")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
