"""Read the text in a shopper's photo (labels, order screenshots, shipping slips) and pull out
the identifiers a conversation needs: order ids (in the store's ``order_id_pattern``, e.g.
``NW-482913``) and model numbers (``TR-2041``).

OCR is rapidocr-onnxruntime (PP-OCRv4 detector + recogniser, ONNX models inside its wheel, CPU,
no download). One engine is built lazily per process and shared behind a lock (~0.25 s to build,
~0.3-0.8 s per label photo on 2 cores). It reads text tilted by ~15 degrees and upside-down lines;
a label turned 90 degrees is only partly read.

The recogniser often drops the spaces between words ("Model:TR-2041Size42") and confuses O/0 and
I/1, so the extractors work on normalised text, tolerate a missing or odd hyphen, and return ids
in one canonical spelling. They are exact on purpose: a wrong order id is worse than none.
"""
from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from assistant.dialogue.signals import find_order_ids as find_typed_order_ids
from assistant.settings import DEFAULT_ORDER_ID_PATTERN
from assistant.vision.images import ImageSource, ShopperImage, load_image

MIN_CONFIDENCE = 0.5

_engine: Any = None
_engine_lock = threading.Lock()       # guards building the engine
_run_lock = threading.Lock()          # RapidOCR keeps per-call state on the object


@dataclass(frozen=True)
class OcrLine:
    """One line of text found in the photo, with the recogniser's confidence (0..1)."""

    text: str
    confidence: float
    box: tuple[tuple[int, int], ...] = ()     # four corners in the (normalised) image, clockwise

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": round(self.confidence, 3),
                "box": [list(p) for p in self.box]}


def default_threads() -> int:
    """CPUs this process may use, at most 4. onnxruntime's own default sizes its pool from the
    host's cores, not the container's: on a shared 2-core machine that made OCR 2-4x slower."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, min(4, available))


def get_engine(threads: int | None = None) -> Any:
    """The process-wide OCR engine, built on first use. ``threads`` sets onnxruntime's intra-op
    threads (default :func:`default_threads`); only the call that builds the engine uses it."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                _engine = RapidOCR(intra_op_num_threads=int(threads or default_threads()),
                                   inter_op_num_threads=1)
    return _engine


def read(image: ImageSource | np.ndarray, min_confidence: float = MIN_CONFIDENCE) -> list[OcrLine]:
    """Text lines in reading order (top to bottom, left to right), each normalised."""
    picture = _as_rgb(image)
    engine = get_engine()
    with _run_lock:
        result, _ = engine(picture)
    lines: list[OcrLine] = []
    for box, text, confidence in result or []:
        text = normalise_text(text)
        if text and float(confidence) >= min_confidence:
            corners = tuple((int(round(x)), int(round(y))) for x, y in box)
            lines.append(OcrLine(text, float(confidence), corners))
    return lines


def _as_rgb(image: ImageSource | np.ndarray) -> Image.Image:
    if isinstance(image, np.ndarray):            # assume RGB like everything else here
        return Image.fromarray(image).convert("RGB")
    if isinstance(image, ShopperImage):
        return image.image
    if isinstance(image, Image.Image):
        return image.convert("RGB") if image.mode != "RGB" else image
    return load_image(image).image


# -- text normalisation ------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad\ufe63\uff0d"), "-")


def normalise_text(text: str) -> str:
    """Unicode-normalised (NFKC), every dash a plain hyphen, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_DASHES)
    return " ".join(text.split())


def respace(text: str) -> str:
    """Put back the spaces OCR tends to drop, for search: "Model:TR-2041Size42" ->
    "Model: TR-2041 Size 42", "SummitRainJacket" -> "Summit Rain Jacket". All-capitals runs
    ("GLACIERPEAK") stay as they are."""
    text = normalise_text(text)
    text = re.sub(r"([:;,])(?=\S)", r"\1 ", text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)               # camelCase joins
    text = re.sub(r"(?<=[A-Z]{2})(?=[A-Z][a-z])", " ", text)       # ANCHeadphones
    text = re.sub(r"(?<=[0-9])(?=[A-Z][a-z])", " ", text)          # 2041Size
    text = re.sub(r"(?<=[a-z]{2})(?=[0-9])", " ", text)            # Size42
    return " ".join(text.split())


def squash(text: str) -> str:
    """Lower-case letters and digits only: compare OCR text with names whatever the spacing."""
    return re.sub(r"[^0-9a-z]", "", normalise_text(text).casefold())


# -- identifiers -------------------------------------------------------------------------------

# A digit position may hold a letter OCR mistakes for a digit (O->0, I/l/|->1); at most two per
# id, and the last position must be a real digit, so "NW-48291Size" gives nothing, not a guess.
_DIGITISH = "0-9OoQDIl|"
_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "l": "1", "|": "1"})

# A run of digits OCR may have misread (at most two letters in it, starting and ending with a
# real digit), and a number OCR split in two groups ("482 913"): repaired before order ids are
# looked for, so the store's order-id pattern sees what was printed.
_MISREAD_DIGITS = re.compile(r"(?<![0-9])[0-9][" + _DIGITISH + r"]*[0-9](?![0-9])")
_SPLIT_NUMBER = re.compile(r"(?<![\d.,])(\d{3,4}) (\d{3,4})(?![\d.,])")

# Two or three capitals (after anything but a capital: "ModelTR-2041" is fine), a hyphen, 3-5
# digits. The hyphen is required: without it "COLUMBUS OH 43219" would give a model "OH-43219".
_MODEL_RE = re.compile(r"(?<![A-Z])([A-Z]{2,3})\s?-\s?((?:[" + _DIGITISH + r"]){2,4}[0-9])(?![0-9])")
# The same after a label word OCR glued on: "MODELTR-2041", "ItemNoTR-2041", "REF:TR-2041".
_LABEL_WORDS = r"(?:MODEL|MOD|ITEM|ART|REF|SKU|STYLE|PART|TYPE|PN|NO|NR|N°)"
_GLUED_MODEL_RE = re.compile(r"(?i:" + _LABEL_WORDS + r"{1,2}\.?)([A-Z]{2,3})\s?-\s?((?:[" + _DIGITISH
                             + r"]){2,4}[0-9])(?![0-9])")


def _texts(lines: str | OcrLine | Iterable[str | OcrLine]) -> list[str]:
    if isinstance(lines, (str, OcrLine)):
        lines = [lines]
    texts = [normalise_text(line.text if isinstance(line, OcrLine) else str(line)) for line in lines]
    # Also the lines joined: an id can be split across two detected boxes.
    return texts + ([" ".join(texts)] if len(texts) > 1 else [])


def _digits(raw: str) -> str | None:
    digits = raw.replace(" ", "")
    if sum(not c.isdigit() for c in digits) > 2:
        return None
    return digits.translate(_TO_DIGIT)


def _repair_digits(text: str) -> str:
    """Undo what OCR does to printed numbers: "4829I3" -> "482913", "482 913" -> "482913",
    "VV" -> "W"."""
    def fix(match: re.Match) -> str:
        return _digits(match.group(0)) or match.group(0)
    return _SPLIT_NUMBER.sub(r"\1\2", _MISREAD_DIGITS.sub(fix, text.replace("VV", "W")))


def find_order_ids(lines: str | OcrLine | Iterable[str | OcrLine],
                   pattern: str = DEFAULT_ORDER_ID_PATTERN) -> list[str]:
    """Order ids in the store's format (the one finder typed text uses, on repaired OCR text),
    canonical (``NW-482913``), in reading order, without repeats."""
    found: list[str] = []
    for text in _texts(lines):
        for order_id in find_typed_order_ids(_repair_digits(text), pattern):
            if order_id not in found:
                found.append(order_id)
    return found


def find_model_numbers(lines: str | OcrLine | Iterable[str | OcrLine],
                       pattern: str = DEFAULT_ORDER_ID_PATTERN) -> list[str]:
    """Model numbers as ``TR-2041``, in reading order, without repeats (order ids excluded)."""
    found: list[str] = []
    orders = [i.replace("-", "") for i in find_order_ids(lines, pattern)]
    for text in _texts(lines):
        candidates = sorted([*_MODEL_RE.finditer(text), *_GLUED_MODEL_RE.finditer(text)],
                            key=lambda m: m.start(1))
        for match in candidates:
            letters, digits = match.group(1), _digits(match.group(2))
            if digits and (any(o.startswith(f"{letters.upper()}{digits}") for o in orders)
                           or find_typed_order_ids(f"{letters}-{digits}0", pattern)):
                continue                   # an order id read in part: NW-4829 of NW-4829I3, NW-48291Size
            if digits and f"{letters}-{digits}" not in found:
                found.append(f"{letters}-{digits}")
    return found
