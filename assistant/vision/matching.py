"""Recognise which catalog product a shopper's photo shows, by matching it to the catalog's photos.

Shoppers send screenshots and re-saved copies of the store's own pictures: resized, cropped,
re-compressed, a little rotated, brighter or darker. That is near-duplicate detection, and local
keypoints with a geometric check do it offline with no model download:

  1. features: ORB keypoints (binary descriptors, rotation and scale invariant) on a grey copy of
     the photo (longest side at most 640 px, tiny ones enlarged to 320), after stretching its
     contrast (so a brighter or darker copy gives the same corners), plus a colour thumbnail;
  2. shortlist: up to 300 of the photo's keypoints, spread over the picture, vote for the catalog
     images whose (equally spread) keypoints they are close to: one brute-force pass over a
     stacked matrix, about 0.3 ms per catalog image on one core;
  3. verification of the 8 best-voted images: ratio-test matches, one catalog keypoint per
     photo keypoint, a RANSAC similarity transform (scale + rotation + shift) and the number of
     matches that agree with it (inliers);
  4. a colour check: the photo, laid over the catalog picture with that transform, must
     correlate with it. Keypoints alone can agree by accident (the same font on two labels, one
     background pattern shared by two product shots); the pictures then differ.
A match needs MIN_INLIERS and MIN_SIMILARITY, calibrated so that unrelated photos and other
products' photos match nothing (numbers below and in scripts/bench_vision.py).

What this does not do: recognise a product from a shopper's own photo of the physical item
(different angle, lighting, background). That needs a learned image embedding or the VLM.

Features of catalog images are cached on disk keyed by the sha256 of the image file and the
feature settings, so a restart reads them back instead of recomputing.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from assistant.knowledge.catalog import Product
from assistant.settings import Limits
from assistant.vision.images import ImageSource, ShopperImage, load_image

log = logging.getLogger(__name__)

# Feature extraction. The cache key includes these; bump the "v1" when the extraction code changes.
WORK_SIDE = 640            # photos larger than this are scaled down to it (never up)
MIN_WORK_SIDE = 320        # thumbnails smaller than this are enlarged to it
THUMB_SIDE = 128           # colour thumbnail kept for the photometric check
ORB_FEATURES = 1000
ORB_FAST_THRESHOLD = 10    # lower than OpenCV's 20: contrast-stretched, flat catalog pictures
FEATURE_VERSION = f"orb-v1-{WORK_SIDE}-{MIN_WORK_SIDE}-{ORB_FEATURES}-{ORB_FAST_THRESHOLD}-{THUMB_SIDE}"

# Shortlist and verification (tuned on three catalogs; see scripts/bench_vision.py).
SHORTLIST_DESCRIPTORS = 300    # descriptors per image used for voting
SHORTLIST_MAX_DISTANCE = 48    # Hamming bits (of 256) for a vote
SHORTLIST_SIZE = 8             # catalog images verified per query
SPREAD_GRID = 4                # shortlist descriptors are taken evenly from a 4x4 grid
RATIO = 0.75                   # Lowe's ratio test
RANSAC_PIXELS = 5.0            # reprojection tolerance in the working frame
# Calibrated on 527 edited copies of catalog photos vs 8,000 pairs of different products and
# unrelated photos (Online Boutique, eShop, the demo store): different real photos reached at
# most 11 inliers, and only 8-11 with a colour correlation >= 0.7; 99.6% of true copies have
# >= 12 inliers, and all of them a correlation >= 0.87.
MIN_INLIERS = 12
MIN_SIMILARITY = 0.7           # colour correlation once the photo is laid over the catalog image
RELATIVE = 0.4                 # also-rans need this share of the best match's inliers
SCORE_HALF = 20                # score = similarity * inliers / (inliers + SCORE_HALF)

# Catalog images are trusted store files, often larger than a shopper upload may be.
_CATALOG_LIMITS = Limits(max_image_bytes=200 * 1024 * 1024, max_image_pixels=178_000_000)


@dataclass(frozen=True)
class PhotoMatch:
    """A catalog product the photo shows; ``score`` is in (0, 1), higher is surer.

    Every match returned has cleared the calibrated threshold (``THRESHOLD`` is the lowest score
    a match can have); above about 0.6 the photo is an edited copy of the catalog picture.
    """

    product_id: str
    score: float
    inliers: int = 0                 # keypoint matches consistent with one transform
    similarity: float = 0.0          # colour correlation with the catalog picture, aligned
    image: str | None = None         # the catalog image that matched

    def to_dict(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "score": round(self.score, 3), "inliers": self.inliers,
                "similarity": round(self.similarity, 3), "image": self.image}


@dataclass
class Features:
    """What matching keeps of one picture (cached on disk for catalog images)."""

    points: np.ndarray        # (n, 2) float32, keypoint positions in the working frame, strongest first
    descriptors: np.ndarray   # (n, 32) uint8 ORB descriptors, same order
    thumb: np.ndarray         # (h, w, 3) uint8 colour thumbnail of the working frame (THUMB_SIDE)
    work_side: float          # longest side of the working frame the points are in

    def __len__(self) -> int:
        return len(self.points)


def score_for(inliers: int, similarity: float) -> float:
    return max(0.0, similarity) * inliers / (inliers + SCORE_HALF)


THRESHOLD = score_for(MIN_INLIERS, MIN_SIMILARITY)


def extract_features(image: Image.Image) -> Features:
    """ORB keypoints of one picture at the working size (same code for catalog and shopper)."""
    image = image.convert("RGB")
    # Shrink big pictures; enlarge only tiny ones (upscaling smooths corners away: measured).
    longest = max(image.size)
    if longest > WORK_SIDE or longest < MIN_WORK_SIDE:
        scale = (WORK_SIDE if longest > WORK_SIDE else MIN_WORK_SIDE) / longest
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.LANCZOS if scale < 1 else Image.BICUBIC)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.BILINEAR)
    thumb_pixels = np.asarray(thumb, dtype=np.uint8)
    pixels = np.asarray(image.convert("L"))
    # Stretch contrast to the full range: a darker or brighter copy yields the same corners.
    pixels = cv2.normalize(pixels, None, 0, 255, cv2.NORM_MINMAX)
    orb = cv2.ORB_create(nfeatures=ORB_FEATURES, fastThreshold=ORB_FAST_THRESHOLD)
    keypoints, descriptors = orb.detectAndCompute(pixels, None)
    side = float(max(image.size))
    if descriptors is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), thumb_pixels, side)
    order = np.argsort([-k.response for k in keypoints], kind="stable")
    points = np.float32([keypoints[i].pt for i in order])
    return Features(points, descriptors[order], thumb_pixels, side)


def spread(features: Features, count: int, grid: int = SPREAD_GRID) -> np.ndarray:
    """Indices of ``count`` keypoints spread over the picture: the strongest of each grid cell
    first, then the second strongest of each, and so on.

    Taking the globally strongest instead lets one high-contrast region (a printed label, a
    logo) fill the quota, and a photo that crops that region away then shares none of them.
    """
    n = len(features)
    if n <= count:
        return np.arange(n)
    cell = np.clip((features.points / max(features.work_side, 1.0) * grid).astype(np.int32), 0, grid - 1)
    cell_id = cell[:, 1] * grid + cell[:, 0]
    rank_in_cell = np.zeros(n, np.int32)
    seen = np.zeros(grid * grid, np.int32)
    for i, c in enumerate(cell_id):           # points are strongest first
        rank_in_cell[i] = seen[c]
        seen[c] += 1
    order = np.lexsort((np.arange(n), rank_in_cell))
    return np.sort(order[:count])


def geometric_match(query: Features, candidate: Features) -> tuple[int, np.ndarray | None]:
    """Keypoint matches that agree with one similarity transform, and that transform.

    The transform maps the photo's working frame onto the catalog image's; (0, None) when no
    plausible transform exists.
    """
    if len(query) < 8 or len(candidate) < 8:
        return 0, None
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(query.descriptors, candidate.descriptors, k=2)
    # 1. Lowe's ratio test, then keep one photo keypoint per catalog keypoint (the closest):
    #    without this, many photo points piling onto one catalog point pass as "agreeing".
    best: dict[int, cv2.DMatch] = {}
    for pair in pairs:
        if len(pair) == 2 and pair[0].distance < RATIO * pair[1].distance:
            m = pair[0]
            if m.trainIdx not in best or best[m.trainIdx].distance > m.distance:
                best[m.trainIdx] = m
    if len(best) < 6:
        return 0, None
    good = list(best.values())
    src = query.points[[m.queryIdx for m in good]]
    dst = candidate.points[[m.trainIdx for m in good]]
    # 2. One scale + rotation + shift must explain the matches (a crop, resize or tilt does).
    transform, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PIXELS, maxIters=2000)
    if transform is None or inliers is None:
        return 0, None
    scale = float(np.hypot(transform[0, 0], transform[1, 0]))
    if not 0.2 < scale < 5.0:          # a photo is not a 5x blow-up of a speck of the catalog image
        return 0, None
    return int(inliers.sum()), transform


def photometric_similarity(query: Features, candidate: Features, transform: np.ndarray) -> float:
    """Colour correlation of the two pictures once the photo is laid over the catalog image.

    Keypoints alone can agree by accident (the same font on two labels, a shared background
    pattern); the pictures themselves then differ. Returns the mean per-channel normalised
    cross-correlation over the overlap, in [-1, 1]; -1 when they barely overlap.
    """
    qh, qw = query.thumb.shape[:2]
    ch, cw = candidate.thumb.shape[:2]
    q_scale = max(qh, qw) / query.work_side
    c_scale = max(ch, cw) / candidate.work_side
    # thumb_c = c_scale * T(thumb_q / q_scale)
    affine = transform.astype(np.float64).copy()
    affine[:, :2] *= c_scale / q_scale
    affine[:, 2] *= c_scale
    warped = cv2.warpAffine(query.thumb, affine, (cw, ch), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.warpAffine(np.full((qh, qw), 255, np.uint8), affine, (cw, ch),
                          flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8)) > 0
    if mask.sum() < 0.1 * ch * cw:
        return -1.0
    a = cv2.GaussianBlur(warped, (3, 3), 0)[mask].astype(np.float32)
    b = cv2.GaussianBlur(candidate.thumb, (3, 3), 0)[mask].astype(np.float32)
    scores = []
    for c in range(3):
        x, y = a[:, c] - a[:, c].mean(), b[:, c] - b[:, c].mean()
        denom = float(np.sqrt((x * x).sum() * (y * y).sum()))
        scores.append(float((x * y).sum()) / denom if denom > 1e-6 else 0.0)
    return float(np.mean(scores))


def compare(query: Features, candidate: Features) -> tuple[int, float] | None:
    """(inliers, colour similarity) when the photo shows the candidate picture, else None."""
    inliers, transform = geometric_match(query, candidate)
    if inliers < MIN_INLIERS or transform is None:
        return None
    similarity = photometric_similarity(query, candidate, transform)
    if similarity < MIN_SIMILARITY:
        return None
    return inliers, similarity


@dataclass
class _Entry:
    product_id: str
    path: str
    features: Features


class PhotoIndex:
    """The catalog's product photos, ready to be matched against shopper photos."""

    def __init__(self, entries: list[_Entry], skipped: list[str] | None = None):
        self.entries = entries
        self.skipped = skipped or []              # "path: reason" for images that could not be read
        tops = [e.features.descriptors[spread(e.features, SHORTLIST_DESCRIPTORS)] for e in entries]
        self._stack = np.vstack(tops) if tops and sum(len(t) for t in tops) else np.zeros((0, 32), np.uint8)
        self._owner = np.concatenate([np.full(len(t), i, dtype=np.int32) for i, t in enumerate(tops)]) \
            if tops else np.zeros(0, np.int32)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def product_ids(self) -> list[str]:
        return list(dict.fromkeys(e.product_id for e in self.entries))

    @classmethod
    def build(cls, products: Iterable[Product], cache_dir: Path | None = None) -> PhotoIndex:
        """Index every image of every product; unreadable images are skipped and listed."""
        entries: list[_Entry] = []
        skipped: list[str] = []
        cache = Path(cache_dir) if cache_dir else None
        if cache:
            cache.mkdir(parents=True, exist_ok=True)
        for product in products:
            for path in product.images:
                try:
                    features = _catalog_features(Path(path), cache)
                except Exception as exc:          # a missing or broken file must not stop startup
                    skipped.append(f"{path}: {exc}")
                    log.warning("photo index: skipping %s of product %s: %s", path, product.id, exc)
                    continue
                entries.append(_Entry(product.id, str(path), features))
        return cls(entries, skipped)

    def match(self, image: ImageSource | Features, k: int = 3) -> list[PhotoMatch]:
        """Products the photo shows, best first; empty when nothing clears the threshold."""
        if not self.entries:
            return []
        query = image if isinstance(image, Features) else extract_features(_picture(image))
        if len(query) < 8:
            return []
        best: dict[str, PhotoMatch] = {}
        for index in self._shortlist(query):
            entry = self.entries[index]
            found = compare(query, entry.features)
            if found is None:
                continue
            inliers, similarity = found
            candidate = PhotoMatch(entry.product_id, score_for(inliers, similarity), inliers,
                                   similarity, entry.path)
            if entry.product_id not in best or best[entry.product_id].score < candidate.score:
                best[entry.product_id] = candidate
        if not best:
            return []
        # A look-alike (same label layout, same background) can clear the bar too; when the real
        # product is there it has several times more inliers, so keep only close runners-up.
        top = max(m.inliers for m in best.values())
        kept = [m for m in best.values() if m.inliers >= RELATIVE * top]
        return sorted(kept, key=lambda m: (-m.score, m.product_id))[:k]

    def _shortlist(self, query: Features) -> list[int]:
        """Catalog images worth verifying: those most of the photo's strong keypoints vote for."""
        if len(self.entries) <= SHORTLIST_SIZE:
            return list(range(len(self.entries)))
        matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
        nearest = matcher.match(query.descriptors[spread(query, SHORTLIST_DESCRIPTORS)], self._stack)
        votes = np.zeros(len(self.entries), np.int32)
        for m in nearest:
            if m.distance < SHORTLIST_MAX_DISTANCE:
                votes[self._owner[m.trainIdx]] += 1
        ranked = np.argsort(-votes, kind="stable")[:SHORTLIST_SIZE]
        return [int(i) for i in ranked if votes[i] > 0]


def _picture(image: ImageSource) -> Image.Image:
    """The normalised (upright, RGB) picture, validating anything that is not yet."""
    if isinstance(image, ShopperImage):
        return image.image
    return load_image(image).image


def _catalog_features(path: Path, cache: Path | None) -> Features:
    data = path.read_bytes()
    key = f"{hashlib.sha256(data).hexdigest()}.{FEATURE_VERSION}.npz"
    if cache and (cache / key).is_file():
        try:
            with np.load(cache / key) as stored:
                return Features(stored["points"], stored["descriptors"], stored["thumb"],
                                float(stored["work_side"]))
        except Exception as exc:                  # a torn or foreign file: recompute it
            log.warning("photo index: ignoring unreadable cache file %s (%s)", key, exc)
    features = extract_features(load_image(data, _CATALOG_LIMITS).image)
    if cache:
        _save_atomically(cache / key, features)
    return features


def _save_atomically(target: Path, features: Features) -> None:
    """Write to a temp file then rename, so a concurrent reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, points=features.points, descriptors=features.descriptors,
                     thumb=features.thumb, work_side=np.float32(features.work_side))
        os.replace(tmp, target)
    except OSError as exc:
        log.warning("photo index: could not write cache file %s (%s)", target, exc)
        Path(tmp).unlink(missing_ok=True)
