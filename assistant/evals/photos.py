"""Photo turns made from a store's own pictures at load time, so no copy lives in the project.

A transcript turn may name a picture and how a shopper's photo of it differs (evals/README.md)::

    images:
      - {photo: ../../../shared/data/online-boutique/images/watch.jpg,
         crop: [0.12, 0.08, 0.9, 0.95], size: 320, quality: 70, rotate: 4}

The picture is cropped (fractions of its width and height: left, top, right, bottom), turned
``rotate`` degrees, scaled so its longer side is ``size`` pixels and saved as JPEG at
``quality`` - the framing and re-compression of a phone photo sent through a chat. Rendering is
deterministic; the file goes to a cache folder keyed by the source and the recipe. A picture
that is not on this machine (the shared catalogs missing in CI) raises ``PhotoUnavailable``,
and the conversation is skipped with the reason, like a store that is not there.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

KEYS = {"photo", "crop", "size", "quality", "rotate"}
CACHE = Path(tempfile.gettempdir()) / "assistant-eval" / "photos"


class PhotoUnavailable(Exception):
    """The picture a derived photo is made from is not on this machine."""


def _recipe(spec: dict[str, Any]) -> dict[str, Any]:
    """The checked recipe; ValueError names what is wrong."""
    unknown = set(spec) - KEYS
    if unknown:
        raise ValueError(f"unknown photo keys {sorted(unknown)}; a derived photo has {sorted(KEYS)}")
    if not isinstance(spec.get("photo"), str) or not spec["photo"].strip():
        raise ValueError("a derived photo needs 'photo': the path of the store's picture")
    crop = spec.get("crop", [0.0, 0.0, 1.0, 1.0])
    if (not isinstance(crop, list) or len(crop) != 4 or not all(isinstance(v, (int, float)) for v in crop)
            or not (0 <= crop[0] < crop[2] <= 1 and 0 <= crop[1] < crop[3] <= 1)):
        raise ValueError(f"'crop' must be [left, top, right, bottom] fractions with left < right, top < bottom; got {crop!r}")
    size, quality, rotate = spec.get("size", 384), spec.get("quality", 75), spec.get("rotate", 0)
    if isinstance(size, bool) or not isinstance(size, int) or not 32 <= size <= 2048:
        raise ValueError(f"'size' must be a whole number of pixels from 32 to 2048; got {size!r}")
    if isinstance(quality, bool) or not isinstance(quality, int) or not 10 <= quality <= 95:
        raise ValueError(f"'quality' must be a JPEG quality from 10 to 95; got {quality!r}")
    if isinstance(rotate, bool) or not isinstance(rotate, (int, float)) or abs(rotate) > 45:
        raise ValueError(f"'rotate' must be degrees from -45 to 45; got {rotate!r}")
    return {"crop": [float(v) for v in crop], "size": size, "quality": quality, "rotate": float(rotate)}


def render(image: Image.Image, recipe: dict[str, Any]) -> Image.Image:
    img = image.convert("RGB")
    left, top, right, bottom = recipe["crop"]
    w, h = img.size
    img = img.crop((round(left * w), round(top * h), round(right * w), round(bottom * h)))
    if recipe["rotate"]:
        # fill the corners with the picture's own edge colour, as a table or wall would be
        fill = img.getpixel((0, 0))
        img = img.rotate(recipe["rotate"], resample=Image.BICUBIC, expand=False, fillcolor=fill)
    scale = recipe["size"] / max(img.size)
    return img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.LANCZOS)


def derived_photo(spec: dict[str, Any], base: Path, cache: Path | None = None) -> Path:
    """The rendered photo for ``spec`` (paths relative to ``base``, the transcript's folder)."""
    recipe = _recipe(spec)
    source = (Path(base) / spec["photo"]).resolve()
    if not source.is_file():
        raise PhotoUnavailable(f"photo source {source} not found")
    stat = source.stat()
    key = hashlib.sha256(json.dumps([str(source), stat.st_size, stat.st_mtime_ns, recipe],
                                    sort_keys=True).encode()).hexdigest()[:12]
    out = Path(cache or CACHE) / f"{source.stem}-{key}.jpg"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as image:
            photo = render(image, recipe)
        partial = out.with_name(f"{out.stem}.{os.getpid()}.part")
        photo.save(partial, format="JPEG", quality=recipe["quality"])
        partial.replace(out)                     # atomic: a parallel run never reads half a file
    return out
