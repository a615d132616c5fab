"""The store's catalog and documents as typed records.

The native catalog format (documented in knowledge/README.md) is a JSON list of products.
Documents are an FAQ file (``faq.yaml``) and Markdown policy pages (``policies/*.md``).
Importers for outside formats (assistant.importers) produce the same records.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import CatalogError
from assistant.knowledge.files import read_store_file


class Variant(BaseModel):
    """One buyable version of a product (a size/colour combination) with its own stock."""

    model_config = ConfigDict(extra="forbid")

    sku: str
    options: dict[str, str] = Field(default_factory=dict)
    price: float | None = None
    compare_at_price: float | None = Field(
        None, description="the struck-through 'was' price of a sale; ignored unless above the price")
    in_stock: bool = True
    stock: int | None = None

    @field_validator("options", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k).lower(): str(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _sale_only_when_dearer(self) -> "Variant":
        if self.price is not None and self.compare_at_price is not None and self.compare_at_price <= self.price:
            self.compare_at_price = None
        return self

    def label(self) -> str:
        return " / ".join(self.options.values()) or self.sku


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    brand: str = ""
    category: str = ""
    price: float                    # the selling price (the cheapest variant's, when they differ)
    compare_at_price: float | None = Field(
        None, description="the struck-through 'was' price of a sale; ignored unless above the price")
    currency: str = "USD"
    description: str = ""
    specs: dict[str, Any] = Field(default_factory=dict)
    spec_sources: dict[str, str] = Field(
        default_factory=dict, description="spec key -> source id of the document it was read from "
                                          "(a manual); keys not listed come from the catalog itself")
    variants: list[Variant] = Field(default_factory=list)
    images: list[str] = Field(default_factory=list, description="absolute paths once loaded")
    tags: list[str] = Field(default_factory=list)
    url: str | None = Field(None, description="the product's page on the store's site (else the "
                                              "product_url_pattern setting builds it)")

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _sale_only_when_dearer(self) -> "Product":
        """A compare-at price at or below the selling price is no sale (exports often copy the price)."""
        if self.compare_at_price is not None and self.compare_at_price <= self.price:
            self.compare_at_price = None
        for v in self.variants:
            if v.price is None and v.compare_at_price is not None and v.compare_at_price <= self.price:
                v.compare_at_price = None
        return self

    @property
    def in_stock(self) -> bool:
        if not self.variants:
            return True
        return any(v.in_stock for v in self.variants)

    @property
    def source_id(self) -> str:
        return f"product/{self.id}"

    def options(self) -> dict[str, list[str]]:
        """Each option ("color", "size") with its values in catalog order, over all variants."""
        names = dict.fromkeys(k for v in self.variants for k in v.options)
        return {name: self.option_values(name) for name in names}

    def price_range(self) -> tuple[float, float]:
        prices = [self.variant_price(v) for v in self.variants] or [self.price]   # unpriced: the product's
        return min(prices), max(prices)

    def variant_price(self, variant: Variant) -> float:
        return variant.price if variant.price is not None else self.price

    def was_price(self, variant: Variant | None = None) -> float | None:
        """The compare-at price a sale is marked down from (of one variant, or of the product)."""
        if variant is None:
            return self.compare_at_price
        if variant.compare_at_price is not None:
            return variant.compare_at_price
        return self.compare_at_price if variant.price is None else None

    def was_range(self) -> tuple[float, float] | None:
        """The compare-at prices when every option is on sale (else None: some sell at full price)."""
        if not self.variants:
            return (self.compare_at_price,) * 2 if self.compare_at_price is not None else None
        was = [self.was_price(v) for v in self.variants]
        if any(w is None for w in was):
            return None
        return min(was), max(was)

    def option_values(self, option: str) -> list[str]:
        values: list[str] = []
        for v in self.variants:
            value = v.options.get(option)
            if value and value not in values:
                values.append(value)
        return values


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    answer: str
    topic: str = "general"
    tags: list[str] = Field(default_factory=list)

    @property
    def source_id(self) -> str:
        return self.id if self.id.startswith("faq/") else f"faq/{self.id}"


class PolicySection(BaseModel):
    """One ``##`` section of a Markdown policy page: the unit that is embedded and cited."""

    doc: str
    title: str
    section: str
    text: str
    path: str

    @property
    def source_id(self) -> str:
        return f"policy/{self.doc}#{self.section}"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def load_catalog(path: Path) -> list[Product]:
    """Read a native catalog file; image paths are resolved relative to the file."""
    path = Path(path)
    raw = read_store_file(path, "catalog file", fmt="json")
    if isinstance(raw, dict) and "products" in raw:
        raw = raw["products"]
    if not isinstance(raw, list):
        raise CatalogError(f"{path}: expected a JSON list of products")
    products: list[Product] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        try:
            product = Product.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise CatalogError(
                f"{path}: product #{index} ({item.get('id', '?') if isinstance(item, dict) else '?'}): "
                f"field '{where}': {first['msg']}"
            ) from None
        if product.id in seen:
            raise CatalogError(f"{path}: duplicate product id {product.id!r}")
        seen.add(product.id)
        product.images = [str((path.parent / p).resolve()) for p in product.images]
        products.append(product)
    return products


def load_faq(path: Path) -> list[FaqEntry]:
    path = Path(path)
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return [FaqEntry.model_validate(item) for item in raw]
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogError(f"{path}: {exc}") from None


def load_policies(directory: Path) -> list[PolicySection]:
    """Split each Markdown page into its ``##`` sections (the page's ``#`` title names the doc)."""
    sections: list[PolicySection] = []
    for page in sorted(Path(directory).glob("*.md")):
        doc = page.stem
        title = doc.replace("-", " ").title()
        current: str | None = None
        lines: list[str] = []
        intro: list[str] = []

        def flush() -> None:
            body = "\n".join(lines).strip()
            if current and body:
                sections.append(
                    PolicySection(doc=doc, title=f"{title}: {current}", section=slugify(current),
                                  text=body, path=str(page))
                )

        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
            elif line.startswith("## "):
                flush()
                current, lines = line[3:].strip(), []
            elif current is None:
                intro.append(line)
            else:
                lines.append(line)
        flush()
        if not any(s.doc == doc for s in sections) and "\n".join(intro).strip():
            sections.append(PolicySection(doc=doc, title=title, section="overview",
                                          text="\n".join(intro).strip(), path=str(page)))
    return sections


def load_documents(knowledge_dir: Path) -> tuple[list[FaqEntry], list[PolicySection]]:
    knowledge_dir = Path(knowledge_dir)
    return load_faq(knowledge_dir / "faq.yaml"), load_policies(knowledge_dir / "policies")
