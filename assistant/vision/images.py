"""Validate and normalise the photos a shopper sends, before anything else looks at them.

Every image of a turn passes through :func:`load_image` once, at the boundary. It is where
untrusted bytes meet the decoder, so the checks come in order of cost:
  1. byte size against ``Limits.max_image_bytes`` (before the bytes are read when possible),
  2. the container format, sniffed from the header and restricted to a short allow-list (so no
     EPS/PDF/PSD parser ever sees shopper bytes),
  3. the pixel count from the header against ``Limits.max_image_pixels`` and Pillow's own
     decompression-bomb limit (``Image.MAX_IMAGE_PIXELS``), before any pixel is decoded,
  4. a full decode, which catches truncated and corrupt files.
A failure raises :class:`assistant.errors.InvalidInput` whose ``limit`` names the rule broken.

What comes out is upright (EXIF orientation applied), RGB (transparency flattened onto white,
16-bit and CMYK converted) and no larger than ``max_side`` on its longest side, so OCR, photo
matching and a VLM all get the same picture at a bounded cost. The :class:`ShopperImage` keeps
the facts a turn record needs (original size, format, byte count, sha256) without the pixels.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from assistant.errors import InvalidInput
from assistant.settings import Limits

# Formats a shopper's browser or phone produces; no other Pillow parser ever sees shopper bytes.
# (The JPEG opener also returns MPO, Pillow's name for camera JPEGs carrying a preview frame.)
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
DEFAULT_MAX_SIDE = 1536

ImageSource = Union[bytes, bytearray, memoryview, str, os.PathLike, Image.Image, BinaryIO, "ShopperImage"]


@dataclass(frozen=True)
class ShopperImage:
    """One validated photo: the normalised picture plus what the turn record stores about it."""

    image: Image.Image                 # RGB, upright, longest side <= max_side
    original_size: tuple[int, int]     # (width, height) as sent, before orientation and resizing
    format: str | None                 # "JPEG", "PNG", ... (None for an in-memory PIL image)
    sha256: str                        # of the bytes as sent (of the pixels for a PIL image)
    byte_size: int                     # bytes as sent (0 for an in-memory PIL image)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "format": self.format,
            "byte_size": self.byte_size,
            "original_size": list(self.original_size),
            "size": list(self.image.size),
        }


def load_image(source: ImageSource, limits: Limits | None = None, *,
               max_side: int = DEFAULT_MAX_SIDE) -> ShopperImage:
    """Validate one shopper image (bytes, a path, a ``data:`` URL, a file object or a PIL image).

    Raises ``InvalidInput`` (``limit`` = ``max_image_bytes``, ``max_image_pixels``,
    ``image_format`` or ``image_data``) when it is too big, not an image, or broken.
    """
    if isinstance(source, ShopperImage):
        return source
    limits = limits or Limits()
    if isinstance(source, Image.Image):
        return _from_pil(source, limits, max_side)
    data = _read_bytes(source, limits.max_image_bytes)
    return _from_bytes(data, limits, max_side)


def load_images(sources: Sequence[ImageSource], limits: Limits | None = None, *,
                max_side: int = DEFAULT_MAX_SIDE) -> list[ShopperImage]:
    """All images of one turn; more than ``max_images_per_turn`` is refused before any decoding."""
    limits = limits or Limits()
    sources = list(sources)
    if len(sources) > limits.max_images_per_turn:
        raise InvalidInput(
            f"too many images in one message: {len(sources)} (max_images_per_turn is "
            f"{limits.max_images_per_turn})", limit="max_images_per_turn")
    return [load_image(s, limits, max_side=max_side) for s in sources]


# -- reading ---------------------------------------------------------------------------------

def _too_big(size: int, limit: int) -> InvalidInput:
    return InvalidInput(f"image is too large: {size} bytes (max_image_bytes is {limit})",
                        limit="max_image_bytes")


def _read_bytes(source: Any, max_bytes: int) -> bytes:
    """The raw bytes of ``source``, refusing oversized input without reading all of it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_big(len(data), max_bytes)
        return data
    if isinstance(source, str) and source.startswith("data:"):
        return _decode_data_url(source, max_bytes)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError:
            raise InvalidInput(f"image file not found: {path.name}", limit="image_data") from None
        if not path.is_file():
            raise InvalidInput(f"not an image file: {path.name}", limit="image_format")
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        with path.open("rb") as handle:
            return _read_limited(handle, max_bytes)
    if hasattr(source, "read"):
        return _read_limited(source, max_bytes)
    raise InvalidInput(f"unsupported image input of type {type(source).__name__}", limit="image_format")


def _read_limited(handle: BinaryIO, max_bytes: int) -> bytes:
    data = handle.read(max_bytes + 1)
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidInput("image stream did not return bytes", limit="image_format")
    if len(data) > max_bytes:
        raise InvalidInput(f"image is too large: more than {max_bytes} bytes (max_image_bytes is "
                           f"{max_bytes})", limit="max_image_bytes")
    return bytes(data)


def _decode_data_url(url: str, max_bytes: int) -> bytes:
    """``data:image/png;base64,...`` as OpenAI-style clients send images inline."""
    header, _, payload = url.partition(",")
    if not header.endswith(";base64") or not payload:
        raise InvalidInput("image data URL must be base64-encoded", limit="image_format")
    if len(payload) * 3 // 4 > max_bytes + 3:            # checked before decoding
        raise _too_big(len(payload) * 3 // 4, max_bytes)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("image data URL is not valid base64", limit="image_data") from None
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    return data


# -- decoding --------------------------------------------------------------------------------

def _pixel_limit(limits: Limits) -> int:
    pillow = Image.MAX_IMAGE_PIXELS
    return min(limits.max_image_pixels, pillow) if pillow else limits.max_image_pixels


def _check_pixels(size: tuple[int, int], limits: Limits) -> None:
    width, height = size
    limit = _pixel_limit(limits)
    if width <= 0 or height <= 0:
        raise InvalidInput(f"image has no pixels ({width}x{height})", limit="image_data")
    if width * height > limit:
        raise InvalidInput(
            f"image has too many pixels: {width}x{height} = {width * height} "
            f"(max_image_pixels is {limit})", limit="max_image_pixels")


def _from_bytes(data: bytes, limits: Limits, max_side: int) -> ShopperImage:
    if not data:
        raise InvalidInput("image is empty (0 bytes)", limit="image_data")
    try:
        img = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError:
        detected = _sniff_any_format(data)
        if detected:
            raise InvalidInput(f"unsupported image format {detected}; send one of "
                               f"{', '.join(ALLOWED_FORMATS)}", limit="image_format") from None
        raise InvalidInput("the file is not an image (or not a format we read: "
                           f"{', '.join(ALLOWED_FORMATS)})", limit="image_format") from None
    except Image.DecompressionBombError:
        raise InvalidInput(f"image has too many pixels (max_image_pixels is {_pixel_limit(limits)})",
                           limit="max_image_pixels") from None
    except Exception as exc:                           # corrupt headers raise many kinds
        raise InvalidInput(f"the image could not be read ({type(exc).__name__})",
                           limit="image_data") from None
    # Pillow has only read the header so far: refuse a bomb before decoding a single pixel.
    # (Our limit is never above Image.MAX_IMAGE_PIXELS, so Pillow's own warning cannot let one by.)
    original_size, fmt = img.size, img.format
    _check_pixels(original_size, limits)
    if fmt in ("JPEG", "MPO"):
        # Decode big camera photos at 1/2, 1/4 or 1/8 scale straight from the DCT coefficients.
        img.draft("RGB", (max_side, max_side))
    _decode(img)
    picture = _normalise(img, max_side)
    return ShopperImage(picture, original_size, fmt, hashlib.sha256(data).hexdigest(), len(data))


def _from_pil(img: Image.Image, limits: Limits, max_side: int) -> ShopperImage:
    _check_pixels(img.size, limits)
    _decode(img)
    digest = hashlib.sha256()
    digest.update(f"{img.mode}:{img.size[0]}x{img.size[1]}:".encode())
    digest.update(img.tobytes())
    picture = _normalise(img, max_side)
    return ShopperImage(picture, img.size, img.format, digest.hexdigest(), 0)


def _decode(img: Image.Image) -> None:
    """Decode every pixel now, so a truncated or corrupt file fails here and not in OCR."""
    try:
        img.load()
    except Image.DecompressionBombError:
        raise InvalidInput("image has too many pixels (max_image_pixels)", limit="max_image_pixels") from None
    except Exception as exc:                           # truncated data: OSError, SyntaxError, ...
        raise InvalidInput(f"the image file is truncated or corrupt ({exc})", limit="image_data") from None


def _sniff_any_format(data: bytes) -> str | None:
    """Name a real-but-refused format (PDF, EPS, ICO...) from its magic bytes, never parsing it."""
    magic = {b"%PDF": "PDF", b"%!PS": "EPS", b"\xc5\xd0\xd3\xc6": "EPS", b"8BPS": "PSD",
             b"\x00\x00\x01\x00": "ICO", b"<svg": "SVG", b"<?xml": "SVG/XML"}
    for prefix, name in magic.items():
        if data.startswith(prefix):
            return name
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif", b"ftyphevc"):
        return "HEIC/AVIF"
    return None


def _normalise(img: Image.Image, max_side: int) -> Image.Image:
    """Upright, RGB, bounded: the one picture every later stage sees."""
    # 1. EXIF orientation (phones store portrait photos sideways plus a rotate flag).
    try:
        img = ImageOps.exif_transpose(img) or img
    except Exception:   # a corrupt EXIF block must not lose the photo; keep it as stored
        pass
    # 2. Colour: flatten transparency onto white (products read best on white), widen 16-bit.
    img = _to_rgb(img)
    # 3. Size: only ever shrink.
    if max(img.size) > max_side:
        scale = max_side / max(img.size)
        new_size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(new_size, Image.LANCZOS, reducing_gap=3.0)
    return img


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img.copy()          # never hand back (and later mutate) the caller's own object
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(img, dtype=np.float64)
        top = float(values.max()) if values.size else 0.0
        if top > 255:
            values = values * (255.0 / top)
        return Image.fromarray(values.clip(0, 255).astype(np.uint8)).convert("RGB")
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


IMAGE_MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"),
               (b"RIFF", "image/webp"), (b"BM", "image/bmp"))


def image_mime(path: Path | str) -> str:
    """The media type of a stored upload, read from its first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    return next((mime for magic, mime in IMAGE_MAGIC if head.startswith(magic)), "application/octet-stream")

