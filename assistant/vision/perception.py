"""What the assistant makes of a turn's photos, before retrieval: one call, every model backend.

``perceive(images)`` validates and normalises each photo, reads its text (order ids, model
numbers), recognises catalog products in it (when given a :class:`PhotoIndex`) and, when a VLM
is loaded, adds its description (the ``describe`` callable). The result feeds three places:
  - retrieval: :meth:`Perception.query_text` (model numbers, the text read, the description);
  - dialogue state: :meth:`Perception.order_ids`, :meth:`Perception.matches` (confident only)
    and :func:`products_for_model_numbers` (the product in focus);
  - the reply: :meth:`Perception.match_status` ("match", "unsure", "none") and, when unsure,
    :meth:`Perception.candidates` (the two or three products it may be, with scores) to ask about;
  - the shopper and the turn record: :meth:`Perception.summary_lines`, :meth:`Perception.to_dict`.

It knows nothing of sessions or conversations. Invalid photos raise ``InvalidInput`` (a 4xx at
the front door); a stage that fails on a valid photo (OCR, the VLM) is recorded in ``problems``
and the turn goes on without it.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from assistant.knowledge.catalog import Product
from assistant.settings import DEFAULT_ORDER_ID_PATTERN, Limits
from assistant.vision import ocr
from assistant.vision.images import ImageSource, ShopperImage, load_images
from assistant.vision.matching import PhotoIndex, PhotoMatch, Recognition, Status
from assistant.vision.ocr import OcrLine

log = logging.getLogger(__name__)

Describe = Callable[[Image.Image], str]

QUERY_MIN_CONFIDENCE = 0.7      # OCR lines below this stay out of the retrieval query
QUERY_MAX_CHARS = 400


@dataclass
class ImagePerception:
    """Everything found in one photo."""

    image: ShopperImage
    ocr_lines: list[OcrLine] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    model_numbers: list[str] = field(default_factory=list)
    matches: list[PhotoMatch] = field(default_factory=list)       # confident only
    recognition: Recognition | None = None                         # None: no photo index ran
    description: str | None = None
    problems: list[str] = field(default_factory=list)       # "ocr: ..." when a stage failed
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.ocr_lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image.to_dict(),
            "ocr_lines": [line.to_dict() for line in self.ocr_lines],
            "order_ids": list(self.order_ids),
            "model_numbers": list(self.model_numbers),
            "matches": [m.to_dict() for m in self.matches],
            "recognition": self.recognition.to_dict() if self.recognition else None,
            "description": self.description,
            "problems": list(self.problems),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


@dataclass
class Perception:
    """The photos of one turn, perceived. Empty (falsy) when the turn had no photos."""

    images: list[ImagePerception] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.images)

    def order_ids(self) -> list[str]:
        return _unique(i for p in self.images for i in p.order_ids)

    def model_numbers(self) -> list[str]:
        return _unique(m for p in self.images for m in p.model_numbers)

    def matches(self) -> list[PhotoMatch]:
        """Recognised products over all photos, best score per product, best first."""
        best: dict[str, PhotoMatch] = {}
        for p in self.images:
            for m in p.matches:
                if m.product_id not in best or best[m.product_id].score < m.score:
                    best[m.product_id] = m
        return sorted(best.values(), key=lambda m: -m.score)

    def shown_products(self) -> list[str]:
        """The product each photo shows (its best confident match), once each, in photo order:
        "how much are these two?" with a photo of each is about both."""
        shown = [p.matches[0].product_id for p in self.images if p.matches]
        return list(dict.fromkeys(shown))

    def match_status(self) -> Status | None:
        """"match" when some photo shows a product confidently, else "unsure" when some photo
        may show one of a few, else "none"; None when no photo was matched against a catalog."""
        statuses = {p.recognition.status for p in self.images if p.recognition is not None}
        for status in ("match", "unsure", "none"):
            if status in statuses:
                return status
        return None

    def candidates(self) -> list[PhotoMatch]:
        """The products the photos may show when unsure, best score per product, best first
        (products already matched confidently left out): what to ask the shopper about."""
        confident = {m.product_id for m in self.matches()}
        best: dict[str, PhotoMatch] = {}
        for p in self.images:
            if p.recognition is None or p.recognition.status != "unsure":
                continue
            for m in p.recognition.candidates:
                if m.product_id not in confident and (m.product_id not in best or best[m.product_id].score < m.score):
                    best[m.product_id] = m
        return sorted(best.values(), key=lambda m: -m.score)

    def best_match(self) -> PhotoMatch | None:
        found = self.matches()
        return found[0] if found else None

    def query_text(self, max_chars: int = QUERY_MAX_CHARS) -> str:
        """Words to add to the retrieval query: model numbers, confident OCR text (spaces put
        back), then the VLM's description. Matched product names are the caller's to add."""
        parts = self.model_numbers()
        parts += [ocr.respace(line.text) for p in self.images for line in _meaningful(p.ocr_lines)]
        parts += [p.description.strip() for p in self.images if p.description and p.description.strip()]
        text = " ".join(_unique(parts))
        return text if len(text) <= max_chars else text[:max_chars].rsplit(" ", 1)[0]

    def summary_lines(self, product_names: Mapping[str, str] | None = None) -> list[str]:
        """Short lines for the chat UI: what was read and recognised in each photo."""
        names = product_names or {}
        lines: list[str] = []
        many = len(self.images) > 1
        for number, p in enumerate(self.images, 1):
            prefix = f"Photo {number}: " if many else ""
            said = False
            ids = [f"order {i}" for i in p.order_ids] + [f"model {m}" for m in p.model_numbers]
            if ids:
                lines.append(f"{prefix}I read: {', '.join(ids)}")
                said = True
            elif _meaningful(p.ocr_lines):
                readable = _meaningful(p.ocr_lines)
                quoted = ", ".join(f'"{ocr.respace(line.text)}"' for line in readable[:3])
                more = " ..." if len(readable) > 3 else ""
                lines.append(f"{prefix}I read: {quoted}{more}")
                said = True
            if p.matches:
                best = p.matches[0]
                name = names.get(best.product_id)
                label = name or best.product_id
                lines.append(f"{prefix}Looks like: {label}")
                said = True
            elif p.recognition is not None and p.recognition.status == "unsure":
                labels = [names.get(m.product_id, m.product_id) for m in p.recognition.candidates]
                lines.append(f"{prefix}Not sure, it may be: {' or '.join(labels)}")
                said = True
            if p.description:
                lines.append(f"{prefix}I see: {_shorten(p.description, 160)}")
                said = True
            if not said:
                lines.append(f"{prefix}I couldn't read any text or recognise a product in this photo.")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"images": [p.to_dict() for p in self.images],
                "order_ids": self.order_ids(), "model_numbers": self.model_numbers(),
                "matches": [m.to_dict() for m in self.matches()],
                "match_status": self.match_status(),
                "candidates": [m.to_dict() for m in self.candidates()]}


def perceive(images: Sequence[ImageSource], photo_index: PhotoIndex | None = None,
             describe: Describe | None = None, *, limits: Limits | None = None,
             read_text: bool = True, k: int = 3, order_id_pattern: str | None = None) -> Perception:
    """Perceive a turn's photos (bytes, paths, PIL images or already-validated ShopperImages).

    1. validate and normalise all photos first (``InvalidInput`` before any slow work);
    2. per photo: OCR -> order ids and model numbers; catalog photo match; VLM description.
    """
    validated = load_images(images, limits)
    perceived: list[ImagePerception] = []
    for shopper_image in validated:
        result = ImagePerception(image=shopper_image)
        if read_text:
            _stage(result, "ocr", lambda r: _read_text(r, order_id_pattern))
        if photo_index is not None and len(photo_index):
            _stage(result, "match", lambda r: _match(r, photo_index, k))
        if describe is not None:
            _stage(result, "describe", lambda r: _describe(r, describe))
        perceived.append(result)
    return Perception(perceived)


MODEL_NUMBER_FIELDS = ("model_number", "model", "model_no", "mpn")


def products_for_model_numbers(model_numbers: Iterable[str], products: Iterable[Product]) -> list[str]:
    """Ids of the catalog products whose model number (a spec field) or SKU stem ("SW4120" of
    "SW4120-BLK-9") is one of ``model_numbers``, compared without case, spaces or hyphens."""
    wanted = {ocr.squash(m) for m in model_numbers} - {""}
    found: list[str] = []
    for product in products:
        keys = {ocr.squash(str(product.specs[f])) for f in MODEL_NUMBER_FIELDS if product.specs.get(f)}
        keys |= {ocr.squash(v.sku.split("-")[0]) for v in product.variants}
        if wanted & keys:
            found.append(product.id)
    return found


def _read_text(result: ImagePerception, order_id_pattern: str | None = None) -> None:
    result.ocr_lines = ocr.read(result.image)
    pattern = order_id_pattern or DEFAULT_ORDER_ID_PATTERN
    result.order_ids = ocr.find_order_ids(result.ocr_lines, pattern)
    result.model_numbers = ocr.find_model_numbers(result.ocr_lines, pattern)


def _match(result: ImagePerception, index: PhotoIndex, k: int) -> None:
    result.recognition = index.recognise(result.image, k=k)
    result.matches = result.recognition.matches


def _describe(result: ImagePerception, describe: Describe) -> None:
    result.description = (describe(result.image.image) or "").strip() or None


def _stage(result: ImagePerception, name: str, run: Callable[[ImagePerception], None]) -> None:
    """Run one stage; a failure is noted and logged, never raised (the turn still gets answered)."""
    started = time.perf_counter()
    try:
        run(result)
    except Exception as exc:
        log.warning("perception stage %s failed on image %s: %s", name, result.image.sha256[:12], exc,
                    exc_info=True)
        result.problems.append(f"{name}: {type(exc).__name__}: {exc}")
    finally:
        result.timings_ms[name] = 1000 * (time.perf_counter() - started)


def _meaningful(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines worth repeating: confident and at least three letters or digits long (OCR finds
    stray "D"s and "九"s in the shapes of product photos)."""
    return [line for line in lines
            if line.confidence >= QUERY_MIN_CONFIDENCE and sum(c.isalnum() for c in line.text) >= 3]


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
