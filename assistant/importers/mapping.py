"""Import any JSON or CSV product file through a field mapping the store writes once.

A mapping says which of the store's columns (CSV) or keys (JSON) holds each product field::

    format: csv                      # or json; by default taken from the file's extension
    fields: {id: SKU_Parent, name: Title, price: Price, brand: Maker, category: Dept}
    options: {colour: Color, size: Size}      # each row with options becomes a variant
    specs: spec_                              # every column starting "spec_" (or a list / dict)
    images: images/{SKU_Parent}.jpg           # resolved beside the file, kept only if it exists
    category_map: {Mens Tops: Shirts}

Rows that share an id (or the ``group_by`` column) become the variants of one product. See
docs/importing.md for every key.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assistant.knowledge.catalog import Product, Variant, slugify
from assistant.errors import CatalogError
from assistant.importers._common import (
    ImportResult,
    RowError,
    as_text,
    finish,
    html_to_text,
    is_url,
    local_image,
    looks_like_html,
    parse_bool,
    parse_int,
    parse_price,
    read_csv,
    spec_key,
)

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_LIST_SPLIT = re.compile(r"\s*[|;,\n]\s*")


class FieldNames(BaseModel):
    """Product field -> the store's column (CSV) or key (JSON; dotted for nested, "price.amount",
    a number for a list item, "categories.0")."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    name: str
    price: str
    compare_at_price: str | None = None   # the struck-through "was" price of a sale
    brand: str | None = None
    category: str | None = None
    description: str | None = None
    sku: str | None = None
    stock: str | None = None
    in_stock: str | None = None
    images: str | None = None        # a column holding image paths or URLs ("a.jpg|b.jpg" or a list)
    tags: str | None = None
    currency: str | None = None


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["json", "csv"] | None = None
    fields: FieldNames
    options: dict[str, str] = {}                   # option name -> column, e.g. {colour: Color}
    specs: list[str] | dict[str, str] | str | None = None  # columns, {spec: column}, or a prefix
    images: str | list[str] | None = None          # templates such as "images/{Id}.webp"
    group_by: str | None = None                    # rows with the same value -> one product
    category_map: dict[str, str] = {}
    currency: str = "USD"
    decimal_separator: Literal[".", ","] | None = None
    delimiter: str | None = None                   # CSV; guessed from the header by default
    encoding: str = "utf-8-sig"
    records: str | None = None                     # JSON: dotted path to the product list
    description_html: bool | None = None           # None: strip HTML when the text looks like HTML
    skip_invalid: bool = False

    @model_validator(mode="after")
    def _needs_a_key(self) -> "Mapping":
        if not self.fields.id and not self.group_by:
            raise ValueError("fields.id is required (or set group_by to the column that groups rows)")
        return self

    def source_names(self) -> dict[str, str]:
        """Every store column the mapping names, keyed by what it is used for (for header checks)."""
        names = {f"fields.{k}": v for k, v in self.fields.model_dump().items() if v}
        names.update({f"options.{k}": v for k, v in self.options.items()})
        if isinstance(self.specs, list):
            names.update({f"specs[{i}]": v for i, v in enumerate(self.specs)})
        elif isinstance(self.specs, dict):
            names.update({f"specs.{k}": v for k, v in self.specs.items()})
        if self.group_by:
            names["group_by"] = self.group_by
        for i, template in enumerate(self.image_templates()):
            for placeholder in _PLACEHOLDER.findall(template):
                names[f"images[{i}] {{{placeholder}}}"] = placeholder
        return names

    def image_templates(self) -> list[str]:
        if self.images is None:
            return []
        return [self.images] if isinstance(self.images, str) else list(self.images)


def list_presets() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


def load_mapping(spec: Mapping | dict | str | Path) -> Mapping:
    """A mapping from a dict, a YAML/JSON file, or the name of a preset ("eshop")."""
    if isinstance(spec, Mapping):
        return spec
    where = "mapping"
    if isinstance(spec, (str, Path)):
        path = Path(spec).expanduser()
        if not path.is_file():
            preset = PRESETS_DIR / f"{spec}.yaml"
            if isinstance(spec, str) and re.fullmatch(r"[A-Za-z0-9_-]+", spec) and preset.is_file():
                path = preset
            else:
                raise CatalogError(f"mapping {str(spec)!r} is neither a mapping file nor a preset"
                                   f" (presets: {', '.join(list_presets()) or 'none'})")
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
            spec = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            raise CatalogError(f"{path}: the mapping is not valid YAML/JSON ({exc})") from None
    if not isinstance(spec, dict):
        raise CatalogError(f"{where}: a mapping must be a dictionary with at least 'fields'")
    try:
        return Mapping.model_validate(spec)
    except ValidationError as exc:
        problems = "; ".join(
            f"'{'.'.join(str(p) for p in e['loc']) or 'mapping'}': {e['msg']}" for e in exc.errors()
        )
        raise CatalogError(f"{where}: invalid mapping: {problems}") from None


# --- reading the rows ---------------------------------------------------------------------------

@dataclass
class _Record:
    row: int
    line: int | None
    values: dict[str, Any]


def _lookup(values: dict[str, Any], name: str) -> Any:
    if name in values:
        return values[name]
    node: Any = values
    for part in name.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]               # "categories.0": the first of a list
        else:
            return None
    return node


def _json_records(path: Path, mapping: Mapping) -> tuple[list[_Record], list[RowError]]:
    try:
        raw = json.loads(path.read_text(encoding=mapping.encoding))
    except FileNotFoundError:
        raise CatalogError(f"catalog file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not valid JSON ({exc})") from None
    if mapping.records:
        raw = _lookup(raw, mapping.records) if isinstance(raw, dict) else None
        if raw is None:
            raise CatalogError(f"{path}: mapping 'records' names {mapping.records!r}, which the file does not have")
    elif isinstance(raw, dict):
        lists = [k for k in ("products", "items", "data", "records") if isinstance(raw.get(k), list)]
        if not lists:
            raise CatalogError(f"{path}: expected a JSON list of products; set 'records' in the mapping"
                               f" to the key that holds it (top-level keys: {', '.join(list(raw)[:12])})")
        raw = raw[lists[0]]
    if not isinstance(raw, list):
        raise CatalogError(f"{path}: expected a JSON list of products")
    records, errors = [], []
    for i, item in enumerate(raw, start=1):
        if isinstance(item, dict):
            records.append(_Record(i, None, item))
        else:
            errors.append(RowError(path, f"expected an object, got {type(item).__name__}", row=i, unit="record"))
    return records, errors


def _check_sources(path: Path, mapping: Mapping, available: Iterable[str] | None, records: list[_Record]) -> None:
    """Fail early, for the whole file, when the mapping names a column the file does not have."""
    header = set(available) if available is not None else None
    missing = []
    for use, name in mapping.source_names().items():
        if header is not None:
            found = name in header
        else:
            found = any(_lookup(r.values, name) is not None for r in records) or not records
        if not found:
            missing.append(f"{use} -> {name!r}")
    if missing:
        if header is not None:
            have = ", ".join(sorted(header))
        else:
            have = ", ".join(sorted({k for r in records[:50] for k in r.values}))
        kind = "column" if header is not None else "key"
        raise CatalogError(f"{path}: the mapping names {kind}(s) the file does not have: {'; '.join(missing)}."
                           f" The file's {kind}s are: {have}")


# --- turning rows into products ----------------------------------------------------------------

@dataclass
class _Row:
    record: _Record
    key: str
    name: str
    price: float | None
    compare_at: float | None = None
    values: dict[str, Any] = field(default_factory=dict)   # brand, category, ... as text
    options: dict[str, str] = field(default_factory=dict)
    specs: dict[str, Any] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)        # references before resolution
    tags: list[str] = field(default_factory=list)
    sku: str = ""
    row_id: str = ""
    stock: int | None = None
    in_stock: bool | None = None


class _Importer:
    def __init__(self, path: Path, mapping: Mapping, unit: str):
        self.path, self.mapping, self.unit = path, mapping, unit
        self.errors: list[RowError] = []
        self.notes: list[str] = []

    def error(self, record: _Record, message: str, target: str | None = None, column: str | None = None) -> None:
        self.errors.append(RowError(self.path, message, row=record.row, field=target, column=column,
                                    line=record.line, unit=self.unit))

    def parse(self, record: _Record) -> _Row | None:
        m, f = self.mapping, self.mapping.fields
        before = len(self.errors)

        def get(column: str | None) -> Any:
            if not column:
                return None
            value = _lookup(record.values, column)
            return value.strip() if isinstance(value, str) else value

        key_column = m.group_by or f.id
        key = as_text(get(key_column))
        if not key:
            self.error(record, "missing required value", "group_by" if m.group_by else "id", key_column)
        price = None
        try:
            price = parse_price(get(f.price), m.decimal_separator)
        except ValueError as exc:
            self.error(record, str(exc), "price", f.price)
        compare_at = None
        try:
            compare_at = parse_price(get(f.compare_at_price), m.decimal_separator)
        except ValueError as exc:
            self.error(record, str(exc), "compare_at_price", f.compare_at_price)
        stock = in_stock = None
        try:
            stock = parse_int(get(f.stock))
        except ValueError as exc:
            self.error(record, str(exc), "stock", f.stock)
        try:
            in_stock = parse_bool(get(f.in_stock))
        except ValueError as exc:
            self.error(record, str(exc), "in_stock", f.in_stock)
        if len(self.errors) > before:
            return None
        row = _Row(record, key, as_text(get(f.name)), price, compare_at, stock=stock, in_stock=in_stock,
                   sku=as_text(get(f.sku)), row_id=as_text(get(f.id)) if m.group_by else "")
        for target in ("brand", "category", "description", "currency"):
            row.values[target] = as_text(get(getattr(f, target)))
        row.options = {k.lower(): as_text(get(c)) for k, c in m.options.items() if as_text(get(c))}
        row.specs = self._specs(record, get)
        row.tags = _as_list(get(f.tags))
        row.images = _as_list(get(f.images))
        for template in m.image_templates():
            filled = _fill(template, lambda name: as_text(get(name)))
            if filled:
                row.images.append(filled)
        return row

    def _specs(self, record: _Record, get) -> dict[str, Any]:
        spec = self.mapping.specs
        if spec is None:
            return {}
        if isinstance(spec, str):
            pairs = [(spec_key(k[len(spec):]), k) for k in record.values if k.startswith(spec) and k != spec]
        elif isinstance(spec, list):
            pairs = [(spec_key(c), c) for c in spec]
        else:
            pairs = list(spec.items())
        out = {}
        for key, column in pairs:
            value = get(column)
            if value is not None and value != "" and value != [] and value != {}:
                out[key] = value
        return out

    def product(self, rows: list[_Row]) -> Product | None:
        m, f = self.mapping, self.mapping.fields
        first = rows[0].record
        name = next((r.name for r in rows if r.name), "")
        if not name:
            self.error(first, "missing required value", "name", f.name)
        prices = [r.price for r in rows if r.price is not None]
        if not prices:
            self.error(first, "missing required value", "price", f.price)
        if not name or not prices:
            return None

        def first_value(target: str) -> str:
            return next((r.values[target] for r in rows if r.values.get(target)), "")

        category = first_value("category")
        category = m.category_map.get(category) or _casefold_get(m.category_map, category) or category
        description = first_value("description")
        if m.description_html or (m.description_html is None and looks_like_html(description)):
            description = html_to_text(description)
        specs: dict[str, Any] = {}
        tags: list[str] = []
        for r in rows:
            for k, v in r.specs.items():
                specs.setdefault(k, v)
            tags.extend(t for t in r.tags if t not in tags)
        images, urls = _resolve_images([ref for r in rows for ref in r.images], self.path.parent)
        if urls:
            specs["image_urls"] = urls
        variants = self._variants(rows)
        cheapest = min((r for r in rows if r.price is not None), key=lambda r: r.price)
        data = {
            "id": rows[0].key, "name": name, "brand": first_value("brand"), "category": category,
            "price": min(prices), "compare_at_price": None if variants else cheapest.compare_at,
            "currency": first_value("currency") or m.currency,
            "description": description, "specs": specs, "images": images, "tags": tags,
            "variants": variants,
        }
        try:
            return Product.model_validate(data)
        except ValidationError as exc:
            e = exc.errors()[0]
            self.error(first, e["msg"], ".".join(str(p) for p in e["loc"]))
            return None

    def _variants(self, rows: list[_Row]) -> list[dict[str, Any]]:
        m, f = self.mapping, self.mapping.fields
        has_variant_fields = bool(f.sku or m.options or f.stock or f.in_stock)
        if len(rows) == 1 and not has_variant_fields:
            return []
        if len(rows) > 1 and not any(r.options or r.sku or r.row_id for r in rows):
            self.notes.append(f"product {rows[0].key!r}: {len(rows)} rows share this id with no option or"
                              " sku columns to tell them apart; they were kept as variants")
        variants, seen = [], set()
        for n, r in enumerate(rows, start=1):
            sku = r.sku or r.row_id
            if not sku:
                suffix = slugify("-".join(r.options.values())) if r.options else str(n)
                sku = r.key if len(rows) == 1 else f"{r.key}-{suffix}"
            base, k = sku, 2
            while sku in seen:
                sku, k = f"{base}-{k}", k + 1
            seen.add(sku)
            in_stock = r.in_stock if r.in_stock is not None else (r.stock > 0 if r.stock is not None else True)
            variants.append(Variant(sku=sku, options=r.options, price=r.price, compare_at_price=r.compare_at,
                                    in_stock=in_stock, stock=r.stock).model_dump())
        return variants


def _casefold_get(table: dict[str, str], key: str) -> str | None:
    folded = key.casefold()
    return next((v for k, v in table.items() if k.casefold() == folded), None)


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [as_text(v) for v in value if as_text(v)]
    return [part for part in _LIST_SPLIT.split(as_text(value)) if part]


def _fill(template: str, value_of) -> str | None:
    """Fill "{Column}" placeholders; None when any of them is empty in this row."""
    missing = False

    def sub(match: re.Match) -> str:
        nonlocal missing
        value = value_of(match.group(1))
        missing = missing or not value
        return value

    filled = _PLACEHOLDER.sub(sub, template)
    return None if missing else filled


def _resolve_images(refs: list[str], base_dir: Path) -> tuple[list[str], list[str]]:
    """Local image files (absolute paths) and the remote URLs with no local copy."""
    images: list[str] = []
    urls: list[str] = []
    for ref in refs:
        if "*" in ref and not is_url(ref):
            pattern = Path(ref)
            found = sorted((pattern.parent if pattern.is_absolute() else base_dir / pattern.parent).glob(pattern.name))
            local = [p.resolve() for p in found if p.is_file()]
        else:
            one = local_image(ref, base_dir)
            local = [one] if one else []
            if not local and is_url(ref) and ref not in urls:
                urls.append(ref)
        for path in local:
            if str(path) not in images:
                images.append(str(path))
    return images, urls


def import_mapped(path: Path | str, mapping: Mapping | dict | str | Path, fmt: str | None = None,
                  skip_invalid: bool | None = None) -> ImportResult:
    """Read ``path`` through ``mapping``; bad rows raise together unless ``skip_invalid``."""
    path = Path(path)
    mapping = load_mapping(mapping)
    skip = mapping.skip_invalid if skip_invalid is None else skip_invalid
    fmt = fmt or mapping.format or {".json": "json", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}.get(path.suffix.lower())
    if not path.is_file():
        raise CatalogError(f"catalog file not found: {path}")
    if fmt not in ("json", "csv"):
        raise CatalogError(f"{path}: cannot tell whether this is JSON or CSV; set 'format' in the mapping")

    # 1. read every record, and check the mapping against the file's columns once
    if fmt == "csv":
        delimiter = "\t" if path.suffix.lower() == ".tsv" and not mapping.delimiter else mapping.delimiter
        header, csv_records = read_csv(path, delimiter, mapping.encoding)
        records = [_Record(r.row, r.line, r.values) for r in csv_records]
        _check_sources(path, mapping, header, records)
        importer = _Importer(path, mapping, unit="row")
    else:
        records, bad = _json_records(path, mapping)
        _check_sources(path, mapping, None, records)
        importer = _Importer(path, mapping, unit="record")
        importer.errors.extend(bad)

    # 2. parse rows, 3. group them by product id, 4. build one product per group
    groups: dict[str, list[_Row]] = {}
    for record in records:
        row = importer.parse(record)
        if row is not None:
            groups.setdefault(row.key, []).append(row)
    products = [p for rows in groups.values() if (p := importer.product(rows)) is not None]
    importer.errors.sort(key=lambda e: e.row or 0)

    result = ImportResult(products, "mapping", path, skipped=importer.errors, notes=importer.notes)
    templates = mapping.image_templates()
    if templates or mapping.fields.images:
        without = sum(1 for p in products if not p.images)
        if without:
            result.notes.append(f"{without} of {len(products)} products have no local image"
                                + (f" (looked for {', '.join(templates)})" if templates else ""))
    return finish(result, skip)
