"""Photo perception: validate shopper photos, read their text, recognise catalog products.

``perceive(images, photo_index, describe)`` is the one entry point a turn needs; see
perception.py. The parts (images, ocr, matching) are usable on their own.
"""
from assistant.vision.images import ShopperImage, load_image, load_images
from assistant.vision.matching import PhotoIndex, PhotoMatch, Recognition
from assistant.vision.perception import ImagePerception, Perception, perceive

__all__ = ["ImagePerception", "Perception", "PhotoIndex", "PhotoMatch", "Recognition",
           "ShopperImage",
           "load_image", "load_images", "perceive"]
