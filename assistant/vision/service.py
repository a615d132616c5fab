"""Photo perception as the conversation manager uses it: limits from Settings, the catalog's
photo index kept in step with the knowledge store, and the loaded VLM (if any) describing photos.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from PIL import Image

from assistant.settings import Settings
from assistant.vision.images import ShopperImage, load_images
from assistant.vision.matching import PhotoIndex
from assistant.vision.perception import Perception, perceive

log = logging.getLogger(__name__)


class PhotoPerception:
    def __init__(self, settings: Settings, knowledge, describe: Callable[[Image.Image], str] | None = None):
        self.settings = settings
        self.knowledge = knowledge
        self.describe = describe
        self._index: PhotoIndex | None = None
        self._indexed: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def validate(self, images: Sequence[bytes]) -> list[ShopperImage]:
        """Decode and check every photo against the named limits (InvalidInput names the limit)."""
        return load_images(list(images), self.settings.limits)

    def index(self) -> PhotoIndex:
        """The catalog's photo index, rebuilt when the ingested catalog changed (features cached on disk)."""
        products = list(self.knowledge.directory.products.values())
        key = frozenset(f"{p.id}:{'|'.join(p.images)}" for p in products)
        with self._lock:
            if self._index is None or key != self._indexed:
                self._index = PhotoIndex.build(products, cache_dir=self.settings.data_dir / "photo-index")
                self._indexed = key
                log.info("photo index: %d catalog photos (%d skipped)", len(self._index), len(self._index.skipped))
            return self._index

    def perceive(self, photos: list[ShopperImage]) -> Perception:
        return perceive(photos, self.index(), self.describe, limits=self.settings.limits,
                        order_id_pattern=self.settings.order_id_pattern)

    def product_names(self) -> dict[str, str]:
        return {pid: p.name for pid, p in self.knowledge.directory.products.items()}
