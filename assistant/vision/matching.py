"""Recognise which catalog product a shopper's photo shows, by matching it to the catalog's photos.

Shoppers send phone photos of the product, not catalog shots: small and off-centre on a busy
background, turned, seen at an angle, under a colour cast, blurred, in a 9:16 or 21:9 frame,
re-compressed hard; also screenshots and re-saved copies. Local keypoints with a geometric check
do that offline with no model download (numbers: scripts/bench_photos.py, bench_vision.py):

  1. features: SIFT keypoints on a contrast-stretched grey copy (catalog photos at CATALOG_SIDE,
     shopper photos at up to QUERY_SIDE, since the product may fill a third of the frame), as
     RootSIFT (L1-normalised, square-rooted: Hellinger distance, sturdier under blur and JPEG);
  2. shortlist: every photo keypoint looks up its two nearest catalog keypoints in one FLANN
     kd-forest over the whole catalog; those passing the ratio test vote for their image;
  3. verification of the best-voted images: exact ratio-test matches against that image, one
     photo keypoint per catalog keypoint, a RANSAC homography (rotation, tilt and perspective
     included), and the number of matches that agree with it (inliers); a transform that mirrors,
     folds or squeezes the catalog picture to a sliver is no transform;
  4. a crop: when the best candidate is not yet certain, the photo region it was found in is cut
     out, enlarged and matched again (a small product far away has few keypoints at full frame);
  5. the decision, calibrated on a photo set generated with another seed than the benchmark's:
     ``match`` (inliers >= MATCH_INLIERS and clearly more than any other product), ``unsure``
     (inliers >= UNSURE_INLIERS; the 2-3 best candidates with scores), else ``none``. A colour
     histogram comparison of the matched region only breaks near-ties between candidates.

What it does not do well: plain, texture-poor products (a black mug, a glass jar, a grey tank
top) give few keypoints once small, blurred and compressed; those photos come back ``unsure`` or
``none`` rather than wrong. Telling them apart needs a learned image embedding or the VLM.

Features of catalog images are cached on disk keyed by the sha256 of the image file and the
feature settings, so a restart reads them back instead of recomputing.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

from assistant.knowledge.catalog import Product
from assistant.settings import Limits
from assistant.vision.images import ImageSource, ShopperImage, load_image

log = logging.getLogger(__name__)

# Feature extraction. The cache key includes these; bump the "v2" when the extraction code changes.
CATALOG_SIDE = 640         # catalog photos are scaled to this longest side
QUERY_SIDE = 640           # shopper photos too (SIFT's own 2x first octave sees finer detail)
MIN_SIDE = 320             # pictures smaller than this are enlarged to it
THUMB_SIDE = 128           # colour thumbnail kept for the tie-breaking colour histogram
CATALOG_FEATURES = 1500
QUERY_FEATURES = 1500
SIFT_CONTRAST = 0.02       # below OpenCV's 0.04: blur and JPEG flatten a shopper photo's corners
FEATURE_VERSION = f"sift-v2-{CATALOG_SIDE}-{MIN_SIDE}-{CATALOG_FEATURES}-{SIFT_CONTRAST}-{THUMB_SIDE}"

# Shortlist and verification.
SHORTLIST_RATIO = 0.85         # looser than RATIO: near-duplicate catalog photos share neighbours
SHORTLIST_SIZE = 3             # catalog images verified per query
RATIO = 0.8                    # Lowe's ratio test against one catalog image
RANSAC_PIXELS = 8.0            # reprojection tolerance in the catalog image's working frame
CROP_MARGIN = 0.25             # the re-matched crop: inliers' box grown by this share each side
CROP_SIDE = 640                # ... and scaled to this longest side
CROP_INLIERS = (5, 18)         # re-check when the best candidate has this many inliers (not sure yet)

# The decision, calibrated with `scripts/bench_photos.py --seed calibration --quick --calibrate`
# (105 photos of sold products, 96 of unsold things, none of them in the benchmark's seed): no
# unsold photo reached 6 inliers; photos of the right product had a median of ~40. A confident
# match needs about 3x the most an unsold thing reached; below UNSURE_INLIERS it is noise.
MATCH_INLIERS = 15
UNSURE_INLIERS = 8
MARGIN = 2.0                   # a confident match has this many times the runner-up's inliers
TIE = 0.15                     # candidates within this share of inliers are ordered by colour
SCORE_HALF = 20                # score = inliers / (inliers + SCORE_HALF)

Status = Literal["match", "unsure", "none"]

# Catalog images are trusted store files, often larger than a shopper upload may be.
_CATALOG_LIMITS = Limits(max_image_bytes=200 * 1024 * 1024, max_image_pixels=178_000_000)


@dataclass(frozen=True)
class PhotoMatch:
    """A catalog product the photo may show; ``score`` is in (0, 1), higher is surer.

    A confident match has a score of at least ``THRESHOLD``; above about 0.6 the photo is a
    copy of the catalog picture.
    """

    product_id: str
    score: float
    inliers: int = 0                 # keypoint matches consistent with one homography
    similarity: float = 0.0          # colour-histogram agreement of the matched region (tie-break)
    image: str | None = None         # the catalog image that matched

    def to_dict(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "score": round(self.score, 3), "inliers": self.inliers,
                "similarity": round(self.similarity, 3), "image": self.image}


@dataclass(frozen=True)
class Recognition:
    """What one photo shows: a confident ``match``, an ``unsure`` short list, or ``none``.

    ``candidates`` are best first: the match (and close runners-up) for ``match``, the two or three
    plausible products for ``unsure``, nothing for ``none``.
    """

    status: Status
    candidates: tuple[PhotoMatch, ...] = ()

    @property
    def matches(self) -> list[PhotoMatch]:
        """Only what is confident: the candidates of a ``match``, else nothing."""
        return list(self.candidates) if self.status == "match" else []

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "candidates": [c.to_dict() for c in self.candidates]}


@dataclass
class Features:
    """What matching keeps of one picture (cached on disk for catalog images)."""

    points: np.ndarray        # (n, 2) float32, keypoint positions in the working frame, strongest first
    descriptors: np.ndarray   # (n, 128) uint8 SIFT descriptors, same order
    thumb: np.ndarray         # (h, w, 3) uint8 colour thumbnail of the working frame (THUMB_SIDE)
    work_side: float          # longest side of the working frame the points are in
    picture: np.ndarray | None = field(default=None, repr=False)   # query only: RGB working frame

    def __len__(self) -> int:
        return len(self.points)

    @property
    def root(self) -> np.ndarray:
        """RootSIFT: L1-normalise, then square-root (L2 then compares as the Hellinger kernel)."""
        d = self.descriptors.astype(np.float32)
        return np.sqrt(d / (d.sum(axis=1, keepdims=True) + 1e-7))


def score_for(inliers: float) -> float:
    return inliers / (inliers + SCORE_HALF)


THRESHOLD = score_for(MATCH_INLIERS)


def extract_features(image: Image.Image, side: int = CATALOG_SIDE, features: int = CATALOG_FEATURES,
                     keep_picture: bool = False) -> Features:
    """SIFT keypoints of one picture at working size ``side`` (catalog and shopper alike)."""
    image = image.convert("RGB")
    longest = max(image.size)
    if longest > side or longest < MIN_SIDE:
        scale = (side if longest > side else MIN_SIDE) / longest
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.LANCZOS if scale < 1 else Image.BICUBIC)
    rgb = np.asarray(image, dtype=np.uint8)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.BILINEAR)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # Stretch contrast to the full range: a darker, brighter or cast copy yields the same corners.
    grey = cv2.normalize(grey, None, 0, 255, cv2.NORM_MINMAX)
    sift = cv2.SIFT_create(nfeatures=features, contrastThreshold=SIFT_CONTRAST)
    keypoints, descriptors = sift.detectAndCompute(grey, None)
    work_side = float(max(image.size))
    picture = rgb if keep_picture else None
    thumb_pixels = np.asarray(thumb, dtype=np.uint8)
    if descriptors is None or not keypoints:
        return Features(np.zeros((0, 2), np.float32), np.zeros((0, 128), np.uint8), thumb_pixels,
                        work_side, picture)
    order = np.argsort([-k.response for k in keypoints], kind="stable")
    points = np.float32([keypoints[i].pt for i in order])
    descriptors = np.clip(np.rint(descriptors[order]), 0, 255).astype(np.uint8)
    return Features(points, descriptors, thumb_pixels, work_side, picture)


def query_features(image: Image.Image) -> Features:
    return extract_features(image, QUERY_SIDE, QUERY_FEATURES, keep_picture=True)


@dataclass
class Verified:
    """One catalog image checked against the photo."""

    entry: int
    inliers: int
    homography: np.ndarray | None     # photo working frame -> catalog working frame
    photo_points: np.ndarray | None   # the photo's inlier keypoints (working frame)


def verify(query: Features, query_root: np.ndarray, candidate: Features, candidate_root: np.ndarray,
           entry: int = 0) -> Verified:
    """Ratio-test matches that agree with one plausible homography, and that homography."""
    none = Verified(entry, 0, None, None)
    if len(query) < 8 or len(candidate) < 8:
        return none
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(query_root, candidate_root, k=2)
    # 1. Lowe's ratio test, then one photo keypoint per catalog keypoint (the closest): without
    #    this, many photo points piling onto one catalog point pass as "agreeing".
    best: dict[int, cv2.DMatch] = {}
    for pair in pairs:
        if len(pair) == 2 and pair[0].distance < RATIO * pair[1].distance:
            m = pair[0]
            if m.trainIdx not in best or best[m.trainIdx].distance > m.distance:
                best[m.trainIdx] = m
    if len(best) < 8:
        return none
    good = list(best.values())
    src = query.points[[m.queryIdx for m in good]]
    dst = candidate.points[[m.trainIdx for m in good]]
    # 2. One homography must explain them (placement, rotation, tilt, perspective).
    homography, mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, RANSAC_PIXELS, maxIters=2000,
                                          confidence=0.999)
    if homography is None or mask is None or not plausible(homography, query, candidate):
        return none
    inliers = mask.ravel().astype(bool)
    # 3. Inliers bunched in one spot of the catalog picture are a coincidence, not the product.
    hull = cv2.convexHull(dst[inliers].reshape(-1, 1, 2)) if inliers.sum() >= 3 else None
    if hull is None or cv2.contourArea(hull) < 0.004 * candidate.work_side ** 2:
        return none
    return Verified(entry, int(inliers.sum()), homography, src[inliers])


def plausible(homography: np.ndarray, query: Features, candidate: Features) -> bool:
    """Whether the catalog picture, mapped into the photo, is a real view of a flat picture:
    not mirrored, convex, not folded to a sliver, a sensible size."""
    try:
        inverse = np.linalg.inv(homography)
    except np.linalg.LinAlgError:
        return False
    side = candidate.work_side
    corners = np.float32([[0, 0], [side, 0], [side, side], [0, side]]).reshape(-1, 1, 2)
    projected = cv2.perspectiveTransform(corners, inverse).reshape(-1, 2)
    if not np.all(np.isfinite(projected)):
        return False
    edges = np.roll(projected, -1, axis=0) - projected
    cross = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    if not (np.all(cross > 0) or np.all(cross < 0)):           # folded or twisted
        return False
    if np.linalg.det(homography[:2, :2]) <= 0:                 # mirrored
        return False
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    if lengths.min() < 0.2 * lengths.max():                   # squeezed to a sliver
        return False
    area = cv2.contourArea(projected.reshape(-1, 1, 2).astype(np.float32))
    frame = query.work_side ** 2
    return 0.002 * frame < area < 25 * frame


def colour_similarity(query: Features, candidate: Features, homography: np.ndarray) -> float:
    """Hue-saturation histogram agreement of the photo region laid over the catalog picture and
    the catalog picture itself (correlation, in [-1, 1]). Only used to break near-ties."""
    if query.picture is None:
        return 0.0
    ch, cw = candidate.thumb.shape[:2]
    to_thumb = np.diag([max(ch, cw) / candidate.work_side] * 2 + [1.0])
    warped = cv2.warpPerspective(query.picture, to_thumb @ homography, (cw, ch), flags=cv2.INTER_AREA)
    seen = cv2.warpPerspective(np.full(query.picture.shape[:2], 255, np.uint8), to_thumb @ homography,
                               (cw, ch), flags=cv2.INTER_NEAREST)
    mask = cv2.bitwise_and(seen, _foreground(candidate.thumb))
    if (mask > 0).mean() < 0.05:
        return -1.0

    def histogram(rgb: np.ndarray) -> np.ndarray:
        hsv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0, 1], mask, [12, 4], [0, 180, 0, 256])
        return cv2.normalize(hist, hist).flatten()

    return float(cv2.compareHist(histogram(warped), histogram(candidate.thumb), cv2.HISTCMP_CORREL))


def _foreground(thumb: np.ndarray) -> np.ndarray:
    """Mask of the product in a catalog thumbnail: what differs from the studio backdrop (the
    border's median colour); the whole picture when that is almost nothing or everything."""
    border = np.concatenate([thumb[0], thumb[-1], thumb[:, 0], thumb[:, -1]]).astype(np.int16)
    differs = np.abs(thumb.astype(np.int16) - np.median(border, axis=0)).max(axis=2) > 25
    if not 0.05 < differs.mean() < 0.95:
        return np.full(thumb.shape[:2], 255, np.uint8)
    return cv2.dilate(differs.astype(np.uint8) * 255, np.ones((3, 3), np.uint8))


@dataclass
class _Entry:
    product_id: str
    path: str
    features: Features
    root: np.ndarray = field(repr=False, default=None)


class PhotoIndex:
    """The catalog's product photos, ready to be matched against shopper photos."""

    def __init__(self, entries: list[_Entry], skipped: list[str] | None = None):
        self.entries = entries
        self.skipped = skipped or []              # "path: reason" for images that could not be read
        for entry in entries:
            entry.root = entry.features.root
        roots = [e.root for e in entries if len(e.root)]
        self._owner = np.concatenate([np.full(len(e.root), i, np.int32) for i, e in enumerate(entries)]) \
            if entries else np.zeros(0, np.int32)
        self._flann = None
        self._lock = threading.Lock()             # a trained FLANN matcher is not documented thread-safe
        if roots:
            self._flann = cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 64})
            self._flann.add([np.vstack(roots)])
            self._flann.train()

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
        """Products the photo confidently shows, best first; empty when unsure or nothing."""
        return self.recognise(image, k).matches

    def recognise(self, image: ImageSource | Features, k: int = 3) -> Recognition:
        """What the photo shows: a confident match, an unsure short list (up to ``k``), or none."""
        if not self.entries:
            return Recognition("none")
        query = image if isinstance(image, Features) else query_features(_picture(image))
        if len(query) < 8:
            return Recognition("none")
        query_root = query.root
        checked = [verify(query, query_root, self.entries[i].features, self.entries[i].root, i)
                   for i in self._shortlist(query_root)]
        checked = [c for c in checked if c.inliers]
        if checked and query.picture is not None:
            top = max(checked, key=lambda c: c.inliers)
            if CROP_INLIERS[0] <= top.inliers < CROP_INLIERS[1]:
                checked = self._recheck_crop(query, top, checked)
        return self._decide(query, checked, k)

    def _shortlist(self, query_root: np.ndarray) -> list[int]:
        """Catalog images worth verifying: those most photo keypoints find as a clear nearest."""
        if len(self.entries) <= SHORTLIST_SIZE or self._flann is None:
            return list(range(len(self.entries)))
        with self._lock:
            pairs = self._flann.knnMatch(query_root, k=2)
        votes = np.zeros(len(self.entries), np.int32)
        for pair in pairs:
            if len(pair) == 2 and pair[0].distance < SHORTLIST_RATIO * pair[1].distance:
                votes[self._owner[pair[0].trainIdx]] += 1
        ranked = np.argsort(-votes, kind="stable")[:SHORTLIST_SIZE]
        return [int(i) for i in ranked if votes[i] > 0]

    def _recheck_crop(self, query: Features, top: Verified, checked: list[Verified]) -> list[Verified]:
        """Match again on the enlarged photo region the best candidate was found in; the
        re-check replaces a candidate's result only when it finds more."""
        h, w = query.picture.shape[:2]
        x0, y0 = top.photo_points.min(0)
        x1, y1 = top.photo_points.max(0)
        grow = CROP_MARGIN * max(x1 - x0, y1 - y0)
        x0, y0 = int(max(0, x0 - grow)), int(max(0, y0 - grow))
        x1, y1 = int(min(w, x1 + grow)), int(min(h, y1 + grow))
        if (x1 - x0) * (y1 - y0) > 0.6 * w * h or min(x1 - x0, y1 - y0) < 16:
            return checked
        crop = Image.fromarray(query.picture[y0:y1, x0:x1])
        crop = crop.resize((max(1, round(crop.width * CROP_SIDE / max(crop.size))),
                            max(1, round(crop.height * CROP_SIDE / max(crop.size)))), Image.BICUBIC)
        zoomed = extract_features(crop, CROP_SIDE, QUERY_FEATURES)
        if len(zoomed) < 8:
            return checked
        # Back to the full photo's frame: the homography and the points must still refer to it.
        scale = (x1 - x0) / crop.width
        back = np.float64([[scale, 0, x0], [0, scale, y0], [0, 0, 1]])
        zoomed_root = zoomed.root
        result = []
        for c in checked:
            again = verify(zoomed, zoomed_root, self.entries[c.entry].features, self.entries[c.entry].root,
                           c.entry)
            if again.inliers > c.inliers:
                pts = again.photo_points * scale + np.float32([x0, y0])
                c = Verified(c.entry, again.inliers, again.homography @ np.linalg.inv(back), pts)
            result.append(c)
        return result

    def _decide(self, query: Features, checked: list[Verified], k: int) -> Recognition:
        """The calibrated decision over the verified candidates (best per product)."""
        best: dict[str, Verified] = {}
        for c in checked:
            pid = self.entries[c.entry].product_id
            if c.inliers >= UNSURE_INLIERS and (pid not in best or best[pid].inliers < c.inliers):
                best[pid] = c
        if not best:
            return Recognition("none")
        ranked = sorted(best.values(), key=lambda c: -c.inliers)
        top = ranked[0].inliers
        # Near-ties (within TIE of the best) are told apart by colour: it moves their score by at
        # most TIE/2 of their inliers, so it can swap close candidates and never a clear order.
        tied = [c for c in ranked if c.inliers >= (1 - TIE) * top]
        colours = {c.entry: colour_similarity(query, self.entries[c.entry].features, c.homography)
                   for c in tied} if len(tied) > 1 else {}
        found = sorted((PhotoMatch(self.entries[c.entry].product_id,
                                   score_for(c.inliers * (1 + TIE / 2 * colours.get(c.entry, 0.0))),
                                   c.inliers, colours.get(c.entry, 0.0), self.entries[c.entry].path)
                        for c in ranked), key=lambda m: (-m.score, m.product_id))[:k]
        runner_up = max((c.inliers for c in ranked[1:]), default=0)
        if top >= MATCH_INLIERS and top >= MARGIN * runner_up:     # (a near-tie never clears MARGIN)
            return Recognition("match", tuple(found[:1]))
        return Recognition("unsure", tuple(found))


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
