"""Shopper photos are validated at the boundary: a bad file is refused with the limit it broke,
a good one comes out upright, RGB and bounded in size."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from assistant.errors import InvalidInput
from assistant.settings import Limits
from assistant.vision.images import DEFAULT_MAX_SIDE, load_image, load_images


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def photo(size=(120, 80), colour=(200, 30, 30)) -> Image.Image:
    return Image.new("RGB", size, colour)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with (almost) no pixel data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) \
        + chunk(b"IEND", b"")


def refused(source, limits: Limits | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        load_image(source, limits)
    assert caught.value.status_code == 400
    return caught.value


def test_text_file_is_not_an_image():
    error = refused(b"hello, this is not a photo at all")
    assert error.limit == "image_format"
    assert "not an image" in str(error)


def test_pdf_and_eps_are_refused_by_name_without_being_parsed():
    assert "PDF" in str(refused(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"))
    error = refused(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    assert error.limit == "image_format" and "EPS" in str(error)


def test_truncated_png_is_refused():
    data = encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8)))
    error = refused(data[: len(data) // 2])
    assert error.limit == "image_data"
    assert "truncated" in str(error) or "corrupt" in str(error)


def test_truncated_jpeg_is_refused():
    data = encode(Image.fromarray(np.random.default_rng(1).integers(0, 255, (300, 300, 3), np.uint8)), "JPEG")
    assert refused(data[: len(data) * 2 // 3]).limit == "image_data"


def test_empty_upload_is_refused():
    assert refused(b"").limit == "image_data"


def test_too_many_bytes_names_the_limit(tmp_path):
    data = encode(Image.fromarray(np.random.default_rng(2).integers(0, 255, (100, 100, 3), np.uint8)))
    limits = Limits(max_image_bytes=len(data) - 1)
    error = refused(data, limits)
    assert error.limit == "max_image_bytes" and "max_image_bytes" in str(error)
    path = tmp_path / "big.png"
    path.write_bytes(data)
    assert refused(path, limits).limit == "max_image_bytes"
    assert refused(io.BytesIO(data), limits).limit == "max_image_bytes"
    assert load_image(data, Limits(max_image_bytes=len(data))).size == (100, 100)


def test_too_many_pixels_names_the_limit():
    error = refused(encode(photo((200, 200))), Limits(max_image_pixels=39_999))
    assert error.limit == "max_image_pixels"
    assert "200x200" in str(error) and "max_image_pixels" in str(error)


def test_decompression_bomb_is_refused_from_its_header_alone():
    started = time.perf_counter()
    error = refused(png_header_only(100_000, 100_000))        # 10 gigapixels claimed in 100 bytes
    assert error.limit == "max_image_pixels"
    assert time.perf_counter() - started < 1.0                 # nothing was decoded


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillow_bomb_limit_applies_when_lower_than_settings(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5_000)
    error = refused(encode(photo((100, 100))), Limits(max_image_pixels=40_000_000))
    assert error.limit == "max_image_pixels" and "5000" in str(error)


def test_exif_rotated_jpeg_comes_out_upright():
    upright = Image.new("RGB", (100, 200), (20, 40, 220))       # portrait: red top, blue bottom
    upright.paste((230, 20, 20), (0, 0, 100, 100))
    stored = upright.transpose(Image.Transpose.ROTATE_90)        # how a phone stores it: sideways
    exif = Image.Exif()
    exif[0x0112] = 6                                            # "rotate 90 CW to display"
    loaded = load_image(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    assert loaded.original_size == (200, 100)
    assert loaded.size == (100, 200)
    r, g, b = loaded.image.getpixel((50, 20))
    assert r > 180 and b < 80                                    # the red half is on top
    r, g, b = loaded.image.getpixel((50, 180))
    assert b > 180 and r < 80


def test_transparent_png_is_flattened_onto_white():
    rgba = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    rgba.paste((10, 120, 10, 255), (10, 10, 40, 40))
    loaded = load_image(encode(rgba))
    assert loaded.image.mode == "RGB"
    assert loaded.image.getpixel((2, 2)) == (255, 255, 255)
    assert loaded.image.getpixel((25, 25)) == (10, 120, 10)


def test_sixteen_bit_and_palette_images_become_rgb():
    deep = Image.fromarray(np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16))
    assert load_image(encode(deep)).image.mode == "RGB"
    assert load_image(encode(photo().convert("P"), "GIF")).image.mode == "RGB"


def test_big_photo_is_downscaled_and_described_for_the_turn_record(tmp_path):
    data = encode(photo((3000, 1000)), "JPEG")
    path = tmp_path / "wide.jpg"
    path.write_bytes(data)
    loaded = load_image(path)
    assert max(loaded.size) == DEFAULT_MAX_SIDE and loaded.size[0] / loaded.size[1] == pytest.approx(3, rel=0.01)
    assert loaded.original_size == (3000, 1000)
    record = loaded.to_dict()
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["format"] == "JPEG" and record["byte_size"] == len(data)
    json.dumps(record)


def test_pil_image_and_data_url_inputs():
    picture = photo((40, 30))
    from_pil = load_image(picture)
    assert from_pil.size == (40, 30) and from_pil.byte_size == 0 and from_pil.image is not picture
    url = "data:image/png;base64," + base64.b64encode(encode(picture)).decode()
    assert load_image(url).format == "PNG"
    assert refused("data:image/png;base64,@@@not-base64@@@").limit == "image_data"


def test_missing_file_is_invalid_input(tmp_path):
    assert refused(tmp_path / "nope.jpg").limit == "image_data"


def test_too_many_images_in_one_turn():
    with pytest.raises(InvalidInput) as caught:
        load_images([encode(photo())] * 3, Limits(max_images_per_turn=2))
    assert caught.value.limit == "max_images_per_turn"
    assert len(load_images([encode(photo())] * 2, Limits(max_images_per_turn=2))) == 2
