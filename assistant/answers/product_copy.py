"""Product copy for staff: a product page description written from the product's photo and specs.

With a generative backend the model writes it (prompt in ``prompts/product_copy.txt``, the
product's facts and its photo as the input). With the extractive backend - which writes nothing of
its own - a template draft is built from the specs, labelled as such, so staff never mistake it
for finished copy. Either way the result says which it is.
"""
from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.backends.base import AnswerRequest, ModelBackend
from assistant.errors import InvalidInput, NotFound
from assistant.knowledge.catalog import Product

TEMPLATE_LABEL = "Template draft (no writing model configured): edit before publishing."
DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True)
class ProductCopy:
    product_id: str
    text: str
    written_by: str                 # "model" (the backend's name in ``backend``) or "template"
    backend: str
    used_photo: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def product_facts(product: Product) -> str:
    """The product as plain lines: what the model may use, and the template's body."""
    lines = [f"Name: {product.name}"]
    if product.brand:
        lines.append(f"Brand: {product.brand}")
    if product.category:
        lines.append(f"Category: {product.category}")
    lines.append(f"Price: {product.price:.2f} {product.currency}")
    if product.description:
        lines.append(f"Description: {' '.join(product.description.split())}")
    for key, value in product.specs.items():
        lines.append(f"{key.replace('_', ' ').capitalize()}: {value}")
    for option, values in product.options().items():
        lines.append(f"{option.capitalize()} options: {', '.join(values)}")
    return "\n".join(lines)


def template_draft(product: Product) -> str:
    """A labelled draft from the catalog's own words: the description, then the specs as a list."""
    parts = [TEMPLATE_LABEL, "", product.name + (f" by {product.brand}" if product.brand else "")]
    if product.description:
        parts.append(" ".join(product.description.split()))
    specs = [f"- {k.replace('_', ' ').capitalize()}: {v}" for k, v in product.specs.items()]
    if specs:
        parts += ["", "Key specs:", *specs]
    facts = product_facts(product).splitlines()
    options = [f"- {line}" for line in facts if " options: " in line]
    if options:
        parts += ["", "Available:", *options]
    return "\n".join(parts)


def _photo(product: Product, image: bytes | None):
    from PIL import Image, UnidentifiedImageError

    if image is not None:
        try:
            return Image.open(io.BytesIO(image)).convert("RGB")
        except (UnidentifiedImageError, OSError):
            raise InvalidInput("the image is not a readable picture (JPEG, PNG, WebP)", limit="image") from None
    if product.images and Path(product.images[0]).is_file():
        return Image.open(product.images[0]).convert("RGB")
    return None


def write_copy(product: Product | None, backend: ModelBackend, store_name: str, image: bytes | None = None,
               prompts_dir: Path | str | None = None, product_id: str = "") -> ProductCopy:
    """A description of ``product`` by ``backend`` (its photo, or ``image`` when given)."""
    if product is None:
        raise NotFound(f"no product with id {product_id!r} in the catalog")
    photo = _photo(product, image) if backend.generative and backend.accepts_images else None
    if image is not None and photo is None:
        _photo(product, image)                      # still refuse an unreadable upload
    if not backend.generative:
        return ProductCopy(product.id, template_draft(product), "template", backend.name, False)
    instructions = (Path(prompts_dir or DEFAULT_PROMPTS_DIR) / "product_copy.txt").read_text(encoding="utf-8")
    facts = product_facts(product)
    content: list[dict[str, Any]] = ([{"type": "image"}] if photo is not None else []) + [
        {"type": "text", "text": f"Product facts:\n{facts}\n\nWrite the description."}]
    request = AnswerRequest(question=f"Write the product description of {product.name}.",
                            images=[photo] if photo is not None else [],
                            messages=[{"role": "system", "content": instructions.format(store_name=store_name)},
                                      {"role": "user", "content": content}])
    text = "".join(backend.stream(request)).strip()
    return ProductCopy(product.id, text, "model", backend.name, photo is not None)
