"""Catalog importers: a store's product file, in whatever format it exports, as ``list[Product]``.

``load_products(path)`` picks the importer:

1. the project's native JSON catalog (``assistant.knowledge.catalog.load_catalog``),
2. a Shopify product CSV export (recognised by its Handle, Title and Variant Price columns),
3. any other JSON or CSV file through a field mapping: a YAML/JSON file, a dict, or the name of
   a preset shipped in ``assistant/importers/presets`` (``"eshop"``).

``import_catalog`` does the same and also returns the rows it skipped and notes for the operator.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from assistant.knowledge.catalog import Product, load_catalog
from assistant.errors import CatalogError
from assistant.importers._common import CatalogImportError, ImportResult, RowError, read_csv
from assistant.importers.mapping import Mapping, import_mapped, list_presets, load_mapping
from assistant.importers.shopify import import_shopify, is_shopify_header

__all__ = [
    "CatalogImportError", "FORMATS", "ImportResult", "Mapping", "RowError", "detect_format",
    "import_catalog", "import_mapped", "import_shopify", "list_presets", "load_mapping", "load_products",
]

log = logging.getLogger(__name__)

FORMATS = {
    "native": "the project's own JSON catalog (a list of products with id, name, price, variants...)",
    "shopify": "a Shopify product CSV export (columns Handle, Title, Variant Price, ...)",
    "json": "any JSON product list, read through a field mapping",
    "csv": "any CSV product table, read through a field mapping",
}
_NATIVE_KEYS = set(Product.model_fields)
_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}


def load_products(path: Path | str, mapping: Mapping | dict | str | Path | None = None,
                  fmt: str | None = None, **options: Any) -> list[Product]:
    """The products in ``path``; see ``import_catalog`` for ``options``. Skipped rows are logged."""
    result = import_catalog(path, mapping, fmt, **options)
    for problem in result.skipped:
        log.warning("skipped %s", problem)
    for note in result.notes:
        log.info("%s: %s", result.source, note)
    return result.products


def import_catalog(path: Path | str, mapping: Mapping | dict | str | Path | None = None,
                   fmt: str | None = None, *, skip_invalid: bool | None = None,
                   include_inactive: bool = False, currency: str = "USD") -> ImportResult:
    """Read a catalog in any supported format.

    mapping: a mapping file, dict or preset name; given one, the file is read through it.
    fmt: "native", "shopify", "json" or "csv" to skip detection (json/csv need a mapping).
    skip_invalid: leave out bad rows (listed in ``ImportResult.skipped``) instead of raising;
        by default taken from the mapping (``skip_invalid: true``), else False.
    include_inactive: Shopify only - also import draft, archived and unpublished products.
    """
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise CatalogError(f"unknown catalog format {fmt!r}; known formats: {', '.join(FORMATS)}")
    if not path.is_file():
        raise CatalogError(f"catalog file not found: {path}")
    if mapping is not None:
        if fmt in ("native", "shopify"):
            raise CatalogError(f"a mapping is for generic JSON/CSV files, not the {fmt} format")
        return import_mapped(path, mapping, fmt, skip_invalid=skip_invalid)
    fmt = fmt or detect_format(path)
    if fmt == "native":
        return ImportResult(load_catalog(path), "native", path)
    if fmt == "shopify":
        return import_shopify(path, include_inactive=include_inactive, skip_invalid=bool(skip_invalid),
                              currency=currency)
    raise CatalogError(_needs_mapping(path, fmt))


def detect_format(path: Path | str) -> str | None:
    """ "native" or "shopify" when the file's content says so, else None (a mapping is needed)."""
    path = Path(path)
    kind, columns = _peek(path)
    if kind == "json" and columns is not None and {"id", "name", "price"} <= columns \
            and (columns <= _NATIVE_KEYS or columns & {"variants", "specs"}):
        return "native"
    if kind == "csv" and columns is not None and is_shopify_header(sorted(columns)):
        return "shopify"
    return None


def _peek(path: Path) -> tuple[str, set[str] | None]:
    """("json" | "csv", the column or key names of the first records) without importing anything."""
    try:
        head = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the file ({exc.strerror})") from None
    if path.suffix.lower() == ".json" or (path.suffix.lower() not in _CSV_SUFFIXES and head.lstrip()[:1] in "[{"):
        try:
            raw = json.loads(head)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{path}: not valid JSON ({exc})") from None
        if isinstance(raw, dict):
            raw = next((raw[k] for k in ("products", "items", "data", "records") if isinstance(raw.get(k), list)), raw)
        if isinstance(raw, list):
            items = [item for item in raw[:20] if isinstance(item, dict)]
            return "json", set().union(*items) if items else None
        return "json", set(raw) if isinstance(raw, dict) else None
    header, _ = read_csv(path)
    return "csv", {h for h in header if h}


def _needs_mapping(path: Path, fmt: str | None) -> str:
    kind, columns = _peek(path)
    lines = [f"{path}: a mapping is needed to read this file - it is neither the native catalog"
             " nor a Shopify product export. Supported formats:"]
    lines += [f"  {name}: {text}" for name, text in FORMATS.items()]
    lines.append(f"Pass a mapping file or a preset ({', '.join(list_presets())}): "
                 "assistant ingest --catalog FILE --mapping MAPPING (see docs/importing.md).")
    if columns:
        shown = sorted(columns)
        lines.append(f"The file's {'columns' if kind == 'csv' else 'keys'}: {', '.join(shown[:40])}"
                     + (" ..." if len(shown) > 40 else ""))
        fits = [name for name in list_presets() if _preset_fits(name, columns)]
        if fits:
            lines.append(f"It has the fields of the preset {fits[0]!r}: try --mapping {fits[0]}.")
        if kind == "json" and {"id", "name", "price"} <= columns:
            extra = sorted(columns - _NATIVE_KEYS)
            lines.append(f"For the native format, these keys are not product fields: {', '.join(extra)}.")
    return "\n".join(lines)


def _preset_fits(name: str, columns: set[str]) -> bool:
    preset = load_mapping(name)
    wanted = {v for v in preset.fields.model_dump().values() if v}
    return wanted <= columns
