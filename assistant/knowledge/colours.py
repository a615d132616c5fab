"""Colour profiles of product photos: what colours the product itself shows, not its backdrop.

No image-text model runs offline, so "red backpacks" and "something like this photo" are matched
on classical colour: each photo is shrunk, its background (the colour that fills its border, as
studio shots and renders have) is masked out, and the remaining pixels are described twice in the
perceptual CIE Lab space -
  * ``shares``: the share of the product's pixels nearest each named colour of the lexicon
    (black, red, navy...), so a colour word in any language (mapped onto those names by its
    lexicon) scores a photo directly;
  * ``histogram``: a coarse hue/saturation/value histogram, compared between photos by
    intersection ("looks like this").
Profiles are cached on disk by the image's content hash (one small JSON file each), so they are
computed once per photo - at ingest or on first use.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from assistant.lexicon.en import COLORS

SIDE = 96                      # pixels on the long side the photo is shrunk to
BACKGROUND_DELTA = 12.0        # Lab distance under which a pixel is taken for the border's colour
HUE_BINS, SAT_BINS, VAL_BINS = 12, 3, 3
PROFILE_VERSION = 1

# the lexicon's colour names as sRGB prototypes (synonyms share one: gray/grey)
PROTOTYPES: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 20), "white": (245, 245, 245), "grey": (128, 128, 128), "gray": (128, 128, 128),
    "red": (200, 30, 35), "blue": (40, 90, 200), "navy": (25, 35, 80), "green": (40, 150, 60),
    "yellow": (240, 210, 40), "orange": (240, 130, 30), "pink": (240, 140, 180), "purple": (120, 50, 150),
    "brown": (110, 70, 40), "beige": (220, 200, 165), "tan": (200, 160, 110), "olive": (110, 115, 45),
    "silver": (190, 190, 195), "gold": (210, 170, 60), "teal": (20, 130, 130), "burgundy": (120, 20, 40),
    "charcoal": (55, 58, 62), "cream": (245, 235, 200), "khaki": (190, 175, 120), "maroon": (110, 25, 30),
    "turquoise": (60, 200, 200), "ivory": (250, 248, 230), "sand": (205, 185, 145),
    "forest green": (30, 85, 45), "light blue": (140, 185, 230), "dark green": (25, 80, 40),
}
NAMES = tuple(dict.fromkeys(n for n in (*COLORS, "forest green", "light blue", "dark green") if n in PROTOTYPES))
SYNONYMS = {"gray": "grey"}
FAMILY_DELTA = 20.0            # prototypes this close (hue space for colours, Lab for greys) count half


def _srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0-255, shape (..., 3)) to CIE Lab (D65)."""
    c = rgb.astype(np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


_PROTO_NAMES = list(dict.fromkeys(SYNONYMS.get(n, n) for n in NAMES))
_PROTO_LAB = _srgb_to_lab(np.array([PROTOTYPES[n] for n in _PROTO_NAMES], dtype=np.float64))
CHROMA = 9.0                   # Lab chroma under which a pixel is a grey (black ... white)


def _hue_space(lab: np.ndarray) -> np.ndarray:
    """Coordinates where a coloured pixel is judged by its hue first and lightness second, so a
    dusky olive backpack is green, not black: (L/2, 40 cos h, 40 sin h)."""
    h = np.arctan2(lab[..., 2], lab[..., 1])
    return np.stack([lab[..., 0] / 2, 40 * np.cos(h), 40 * np.sin(h)], -1)


_PROTO_CHROMATIC = np.hypot(_PROTO_LAB[:, 1], _PROTO_LAB[:, 2]) >= CHROMA
_PROTO_HUE = _hue_space(_PROTO_LAB)


def _nearest_names(pixels: np.ndarray) -> np.ndarray:
    """Index of the named colour of each Lab pixel: greys among the grey names by Lab distance,
    coloured pixels among the coloured names in hue space."""
    chromatic = np.hypot(pixels[:, 1], pixels[:, 2]) >= CHROMA
    grey = np.linalg.norm(pixels[:, None, :] - _PROTO_LAB[None], axis=2)
    grey[:, _PROTO_CHROMATIC] = np.inf
    hue = np.linalg.norm(_hue_space(pixels)[:, None, :] - _PROTO_HUE[None], axis=2)
    hue[:, ~_PROTO_CHROMATIC] = np.inf
    return np.where(chromatic, np.argmin(hue, axis=1), np.argmin(grey, axis=1))


def canonical(colour: str) -> str | None:
    """The profile's name for a lexicon colour ("gray" -> "grey", "navy blue" -> None unless known)."""
    name = SYNONYMS.get(colour.lower().strip(), colour.lower().strip())
    return name if name in _PROTO_NAMES else None


@dataclass(frozen=True)
class ColourProfile:
    shares: dict[str, float]          # named colour -> share of the product's pixels
    histogram: tuple[float, ...]      # HSV histogram of the product's pixels, sums to 1
    foreground: float                 # share of the photo that is product, not backdrop

    def score(self, colour: str) -> float:
        """How much of the product shows ``colour``: its own share plus half of the shares of
        colours close to it (a burgundy bag still answers "red" a little)."""
        name = canonical(colour)
        if name is None:
            return 0.0
        i = _PROTO_NAMES.index(name)
        near = np.linalg.norm((_PROTO_HUE if _PROTO_CHROMATIC[i] else _PROTO_LAB) - (_PROTO_HUE if _PROTO_CHROMATIC[i] else _PROTO_LAB)[i], axis=1)
        return float(sum(self.shares.get(n, 0.0) * (1.0 if j == i else 0.5)
                         for j, n in enumerate(_PROTO_NAMES)
                         if j == i or (near[j] < FAMILY_DELTA and _PROTO_CHROMATIC[j] == _PROTO_CHROMATIC[i])))

    def dominant(self, n: int = 2) -> list[str]:
        return [c for c, s in sorted(self.shares.items(), key=lambda kv: -kv[1])[:n] if s > 0.1]

    def likeness(self, other: ColourProfile) -> float:
        """Histogram intersection, 0..1: how alike the two products' colours are."""
        return float(np.minimum(np.asarray(self.histogram), np.asarray(other.histogram)).sum())

    def to_dict(self) -> dict:
        return {"v": PROFILE_VERSION, "shares": self.shares, "histogram": list(self.histogram),
                "foreground": self.foreground}

    @classmethod
    def from_dict(cls, raw: dict) -> ColourProfile:
        return cls(dict(raw["shares"]), tuple(raw["histogram"]), float(raw["foreground"]))


def _foreground(rgb: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Mask of the pixels that are not the backdrop: the backdrop is the border's median colour
    (plus fully transparent pixels); a photo whose border is busy keeps all its pixels."""
    border = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    backdrop = np.median(border, axis=0)
    border_is_plain = np.mean(np.linalg.norm(border - backdrop, axis=1) < BACKGROUND_DELTA) > 0.6
    if not border_is_plain:
        return np.ones(lab.shape[:2], dtype=bool)
    mask = np.linalg.norm(lab - backdrop, axis=-1) >= BACKGROUND_DELTA
    return mask if mask.mean() > 0.02 else np.ones(lab.shape[:2], dtype=bool)


def profile_image(image: Image.Image) -> ColourProfile:
    """The colour profile of one photo (PIL image of any mode)."""
    image = image.convert("RGBA")
    image.thumbnail((SIDE, SIDE))
    rgba = np.asarray(image)
    rgb, alpha = rgba[..., :3], rgba[..., 3]
    lab = _srgb_to_lab(rgb)
    mask = _foreground(rgb, lab) & (alpha > 32)
    if not mask.any():
        mask = alpha > 32 if (alpha > 32).any() else np.ones(alpha.shape, dtype=bool)
    pixels = lab[mask]
    nearest = _nearest_names(pixels)
    counts = np.bincount(nearest, minlength=len(_PROTO_NAMES)) / len(pixels)
    shares = {n: round(float(c), 4) for n, c in zip(_PROTO_NAMES, counts) if c > 0}
    hsv = np.asarray(Image.fromarray(rgb).convert("HSV"))[mask].astype(np.int32)
    h = np.minimum(hsv[:, 0] * HUE_BINS // 256, HUE_BINS - 1)
    s = np.minimum(hsv[:, 1] * SAT_BINS // 256, SAT_BINS - 1)
    v = np.minimum(hsv[:, 2] * VAL_BINS // 256, VAL_BINS - 1)
    # greys (low saturation) have no meaningful hue: their hue bin is 0 whatever it says
    h = np.where(s == 0, 0, h)
    bins = np.bincount((h * SAT_BINS + s) * VAL_BINS + v, minlength=HUE_BINS * SAT_BINS * VAL_BINS)
    hist = tuple(round(float(x), 5) for x in bins / bins.sum())
    return ColourProfile(shares, hist, round(float(mask.mean()), 4))


class ColourProfiles:
    """Profiles of image files or bytes, cached on disk by content hash (``cache_dir`` None:
    in memory only)."""

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._memory: dict[str, ColourProfile] = {}

    def of_bytes(self, data: bytes) -> ColourProfile:
        key = hashlib.sha256(data).hexdigest()[:32]
        if key in self._memory:
            return self._memory[key]
        cached = self.cache_dir / f"{key}.json" if self.cache_dir else None
        profile = None
        if cached and cached.is_file():
            try:
                raw = json.loads(cached.read_text(encoding="utf-8"))
                profile = ColourProfile.from_dict(raw) if raw.get("v") == PROFILE_VERSION else None
            except (ValueError, KeyError):
                profile = None            # a damaged cache file is recomputed
        if profile is None:
            try:
                profile = profile_image(Image.open(io.BytesIO(data)))
            except (OSError, ValueError) as exc:
                raise ValueError(f"not a readable image: {exc}") from exc
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(profile.to_dict()), encoding="utf-8")
        self._memory[key] = profile
        return profile

    def of_file(self, path: str | Path) -> ColourProfile | None:
        """The profile of a product photo; None when the file is missing or unreadable."""
        try:
            return self.of_bytes(Path(path).read_bytes())
        except (OSError, ValueError):
            return None
