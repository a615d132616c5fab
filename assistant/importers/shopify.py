"""Import Shopify's product CSV export (Admin -> Products -> Export).

The export writes one row per variant and per extra image. The first row of a product carries
its Handle, Title, Body (HTML), Vendor, Type, Tags and option names; the rows after it repeat
only the Handle plus variant columns (Option values, SKU, price, inventory) or image columns.
Products are identified by Handle. ``Variant Price`` is what a variant sells for; ``Variant
Compare At Price``, the struck-through price of a sale, becomes the variant's ``compare_at_price``. Draft and archived products (Status), and products not
published to the online store (Published = false), are skipped unless ``include_inactive``.

Images: the app answers offline, so ``images`` only holds files found on disk, by path relative
to the CSV or, for a CDN URL, by its file name beside the CSV or in an ``images/`` folder there.
Remote URLs with no local copy are kept in ``specs["image_urls"]``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from assistant.knowledge.catalog import Product, Variant, slugify
from assistant.errors import CatalogError
from assistant.importers._common import (
    CsvRecord,
    ImportResult,
    RowError,
    collapse,
    finish,
    html_to_text,
    is_url,
    local_image,
    parse_bool,
    parse_int,
    parse_price,
    read_csv,
    spec_key,
)

REQUIRED_COLUMNS = ("Handle", "Title", "Variant Price")
_METAFIELD = re.compile(r"^(?P<label>.+?)\s*\((?:product|variant)\.metafields\.[^)]+\)$")
_DEFAULT_OPTION = ("title", "default title")


def is_shopify_header(header: list[str]) -> bool:
    return all(column in header for column in REQUIRED_COLUMNS)


@dataclass
class _Draft:
    """One product being assembled from its rows."""

    handle: str
    first: CsvRecord
    option_names: list[str]
    variants: list[Variant] = field(default_factory=list)
    image_refs: list[tuple[float, int, str]] = field(default_factory=list)   # (position, order, ref)
    variant_images: list[str] = field(default_factory=list)
    grams: list[float] = field(default_factory=list)
    failed: bool = False


class _ShopifyImporter:
    def __init__(self, path: Path, header: list[str], currency: str):
        self.path, self.header, self.currency = path, header, currency
        self.errors: list[RowError] = []
        self.has_tracker = "Variant Inventory Tracker" in header

    def error(self, record: CsvRecord, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.path, message, row=record.row, column=column, line=record.line,
                                    product=record.values.get("Handle") or None))

    def start(self, record: CsvRecord) -> _Draft | None:
        v = record.values
        if not v.get("Title"):
            self.error(record, "Title", "missing required value on the product's first row")
            return None
        names = [v.get(f"Option{i} Name", "").lower() for i in (1, 2, 3)]
        return _Draft(v["Handle"], record, names)

    def add_row(self, draft: _Draft, record: CsvRecord) -> None:
        v = record.values
        if v.get("Image Src"):
            position = _int_or(v.get("Image Position"), 10_000)
            draft.image_refs.append((position, len(draft.image_refs), v["Image Src"]))
        is_variant = any(v.get(c) for c in ("Option1 Value", "Variant SKU", "Variant Price"))
        if not is_variant:
            return
        try:
            price = parse_price(v.get("Variant Price"))
        except ValueError as exc:
            self.error(record, "Variant Price", str(exc))
            return
        if price is None:
            self.error(record, "Variant Price", "missing required value")
            return
        parsed = {}
        for column, parser in (("Variant Inventory Qty", parse_int), ("Variant Grams", parse_price),
                               ("Variant Compare At Price", parse_price)):
            try:
                parsed[column] = parser(v.get(column))
            except ValueError as exc:
                self.error(record, column, str(exc))
                return
        qty, grams = parsed["Variant Inventory Qty"], parsed["Variant Grams"]
        compare_at = parsed["Variant Compare At Price"]
        options = {}
        for i, name in enumerate(draft.option_names, start=1):
            value = v.get(f"Option{i} Value", "")
            if name and value and (name, value.lower()) != _DEFAULT_OPTION:
                options[name] = value
        # Inventory: untracked items are always available; tracked ones with none left are out
        # of stock unless the store keeps selling them (policy "continue").
        tracked = bool(v.get("Variant Inventory Tracker")) if self.has_tracker else qty is not None
        policy = v.get("Variant Inventory Policy", "").lower()
        if tracked and qty is not None:
            in_stock, stock = qty > 0 or policy == "continue", qty
        else:
            in_stock, stock = True, (qty if tracked else None)
        sku = v.get("Variant SKU") or (f"{draft.handle}-{slugify('-'.join(options.values()))}" if options
                                       else draft.handle)
        taken = {x.sku for x in draft.variants}
        base, n = sku, 2
        while sku in taken:
            sku, n = f"{base}-{n}", n + 1
        # the compare-at price is the struck-through "was" price; the Variant drops one not above the price
        draft.variants.append(Variant(sku=sku, options=options, price=price, compare_at_price=compare_at,
                                      in_stock=in_stock, stock=stock))
        if grams:
            draft.grams.append(grams)
        if v.get("Variant Image"):
            draft.variant_images.append(v["Variant Image"])

    def finish(self, draft: _Draft) -> Product | None:
        v = draft.first.values
        if not draft.variants:
            if not any(e.row == draft.first.row for e in self.errors):
                self.error(draft.first, "Variant Price", "the product has no variant row with a price")
            return None
        specs: dict = {}
        for column, value in v.items():
            match = _METAFIELD.match(column)
            if match and value:
                specs[spec_key(match.group("label"))] = value
        if draft.grams:
            specs["weight_grams"] = collapse(draft.grams)
        taxonomy = v.get("Product Category", "")
        if taxonomy:
            specs["product_category"] = taxonomy
        refs = [ref for _, _, ref in sorted(draft.image_refs)] + draft.variant_images
        images: list[str] = []
        urls: list[str] = []
        for ref in refs:
            local = local_image(ref, self.path.parent)
            if local and str(local) not in images:
                images.append(str(local))
            elif not local and is_url(ref) and ref not in urls:
                urls.append(ref)
        if urls:
            specs["image_urls"] = urls
        category = v.get("Type") or taxonomy.rsplit(">", 1)[-1].strip()
        tags = [t.strip() for t in v.get("Tags", "").split(",") if t.strip()]
        try:
            return Product(
                id=draft.handle, name=v["Title"], brand=v.get("Vendor", ""), category=category,
                price=min(x.price for x in draft.variants), currency=self.currency,
                description=html_to_text(v.get("Body (HTML)", "")), specs=specs,
                variants=draft.variants, images=images, tags=tags,
            )
        except ValidationError as exc:
            e = exc.errors()[0]
            self.error(draft.first, ".".join(str(p) for p in e["loc"]), e["msg"])
            return None


def _int_or(value: str | None, default: int) -> int:
    try:
        number = parse_int(value)
    except ValueError:
        return default
    return default if number is None else number


def _inactive(values: dict[str, str]) -> str | None:
    """Why a product is not live on the store, or None when it is."""
    status = values.get("Status", "").lower()
    if status in ("draft", "archived"):
        return status
    try:
        published = parse_bool(values.get("Published"))
    except ValueError:
        published = None
    return "unpublished" if published is False else None


def import_shopify(path: Path | str, *, include_inactive: bool = False, skip_invalid: bool = False,
                   currency: str = "USD") -> ImportResult:
    """Read a Shopify product CSV export; invalid rows raise together unless ``skip_invalid``."""
    path = Path(path)
    header, records = read_csv(path, ",")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError(f"{path}: not a Shopify product export: missing column(s) {', '.join(missing)}")
    importer = _ShopifyImporter(path, header, currency)

    # 1. group rows by Handle, in file order; the first row of a handle opens the product
    drafts: dict[str, _Draft | None] = {}
    skipped: dict[str, int] = {}
    for record in records:
        handle = record.values.get("Handle", "")
        if not handle:
            importer.error(record, "Handle", "missing required value")
            continue
        if handle not in drafts:
            reason = None if include_inactive else _inactive(record.values)
            if reason:
                skipped[reason] = skipped.get(reason, 0) + 1
                drafts[handle] = None
                continue
            drafts[handle] = importer.start(record)
        draft = drafts[handle]
        if draft is not None:
            importer.add_row(draft, record)

    # 2. finish each product: price from its cheapest variant, images, specs
    products = [p for d in drafts.values() if d is not None and (p := importer.finish(d)) is not None]
    importer.errors.sort(key=lambda e: e.row or 0)
    notes = [f"skipped {n} {reason} product{'s' if n > 1 else ''} (include_inactive imports them)"
             for reason, n in sorted(skipped.items())]
    remote_only = sum(1 for p in products if not p.images and p.specs.get("image_urls"))
    if remote_only:
        notes.append(f"{remote_only} products have only remote image URLs (kept in specs['image_urls']);"
                     " put the files beside the CSV or in images/ to use them offline")
    result = ImportResult(products, "shopify", path, skipped=importer.errors, notes=notes)
    return finish(result, skip_invalid)
