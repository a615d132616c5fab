"""What every catalog importer shares: value parsers, HTML to text, local images, row errors.

Importers turn a store's own export into ``list[Product]``. A bad row becomes a ``RowError`` that
names the file, the row and the field; an importer either raises them together as one
``CatalogImportError`` or, when asked to skip invalid rows, returns them beside the products.
"""
from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from assistant.knowledge.catalog import Product
from assistant.errors import CatalogError

MAX_LISTED_ERRORS = 20


@dataclass
class RowError:
    """One bad row: where it is and what is wrong, in words a store operator can act on."""

    file: Path
    message: str
    row: int | None = None        # CSV: the spreadsheet row (header = row 1); JSON: record number from 1
    field: str | None = None      # the product field (price, name, ...)
    column: str | None = None     # the store's column or key that holds it
    line: int | None = None       # CSV: the line the record starts on, when it differs from the row
    unit: str = "row"             # "row" for CSV, "record" for JSON
    product: str | None = None    # the product the row belongs to, when the row alone is not enough

    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"{self.unit} {self.row}" + (f" (line {self.line})" if self.line and self.line != self.row else ""))
        if self.product:
            parts.append(f"product {self.product!r}")
        if self.field and self.column and self.field != self.column:
            parts.append(f"field '{self.field}' (column '{self.column}')")
        elif self.field or self.column:
            parts.append(f"field '{self.field or self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"


class CatalogImportError(CatalogError):
    """Some rows could not be imported; ``errors`` holds every one of them."""

    def __init__(self, file: Path, errors: list[RowError]):
        self.file = file
        self.errors = errors
        if len(errors) == 1:
            message = str(errors[0])
        else:
            listed = "\n".join(f"  {e.where()}: {e.message}" for e in errors[:MAX_LISTED_ERRORS])
            more = len(errors) - MAX_LISTED_ERRORS
            message = (f"{file}: {len(errors)} rows could not be imported"
                       f" (skip_invalid imports the rest):\n{listed}"
                       + (f"\n  ... and {more} more" if more > 0 else ""))
        super().__init__(message)


@dataclass
class ImportResult:
    """Products read from one file, plus what was left out and why."""

    products: list[Product]
    format: str                                           # native | shopify | mapping
    source: Path
    skipped: list[RowError] = field(default_factory=list)  # invalid rows left out (skip_invalid)
    notes: list[str] = field(default_factory=list)          # e.g. drafts skipped, images not found

    def summary(self) -> str:
        text = f"{self.source}: {len(self.products)} products ({self.format})"
        if self.skipped:
            text += f", {len(self.skipped)} invalid rows skipped"
        return text


def finish(result: ImportResult, skip_invalid: bool) -> ImportResult:
    """Raise the collected row errors unless the caller asked to skip invalid rows."""
    if result.skipped and not skip_invalid:
        raise CatalogImportError(result.source, result.skipped)
    if result.skipped and not result.products:
        raise CatalogImportError(result.source, result.skipped)
    return result


# --- value parsers: each raises ValueError with a message meant for the operator -------------

_CURRENCY_EDGE = re.compile(r"^[^\d.,]+|[^\d.,]+$")


def parse_price(value: Any, decimal_separator: str | None = None) -> float | None:
    """Read a price as shops write it: 12.5, "$1,299.00", "12,50", "1.299,00 €", "CHF 1'299.50".

    Empty means no price (None). With one kind of separator, a comma followed by exactly three
    digits is read as thousands ("1,299" -> 1299.0) unless ``decimal_separator`` is ",".
    """
    if value is None:
        return None
    if isinstance(value, dict) and "units" in value:
        return _money(value)
    if isinstance(value, bool):
        raise ValueError(f"cannot read a price from {value!r}")
    if isinstance(value, (int, float)):
        if math.isnan(value) or math.isinf(value) or value < 0:
            raise ValueError(f"cannot read a price from {value!r}")
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    compact = re.sub(r"[\s\u00a0\u202f'’]", "", text)
    # strip a currency symbol or code at either end ("$", "US$", "EUR", "kr", "€")
    compact = _CURRENCY_EDGE.sub("", compact) if re.search(r"\d", compact) else compact
    if not re.fullmatch(r"\d[\d.,]*|[.,]\d+", compact) or re.search(r"-", text):
        raise ValueError(f"cannot read a price from {text!r}")
    bad = ValueError(f"cannot read a price from {text!r}")
    dot, comma = compact.rfind("."), compact.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal = "." if dot > comma else ","
    elif comma >= 0 or dot >= 0:
        sep = "," if comma >= 0 else "."
        decimal = sep
        tail = len(compact) - compact.rfind(sep) - 1
        if compact.count(sep) > 1:
            decimal = None                       # "1,299,000": only thousands
        elif tail == 3 and decimal_separator != sep and (sep == "," or decimal_separator == ","):
            decimal = None                       # "1,299" (or "1.299" with decimal_separator ",")
    else:
        decimal = None
    whole, _, fraction = compact.rpartition(decimal) if decimal else (compact, "", "")
    if decimal and not whole:
        whole = "0"
    if decimal:
        thousands = "," if decimal == "." else "."
    else:
        thousands = "." if "." in whole else ","
    groups = whole.split(thousands)
    if (any(c in whole for c in ".,".replace(thousands, "")) or not groups[0]
            or any(len(g) not in (2, 3) for g in groups[1:]) or (len(groups) > 1 and len(groups[-1]) != 3)):
        raise bad
    try:
        return float("".join(groups) + ("." + fraction if fraction else ""))
    except ValueError:
        raise bad from None


def _money(value: dict) -> float:
    """A google.type.Money object, as Google's APIs and the Online Boutique demo write prices:
    ``{"currencyCode": "USD", "units": 19, "nanos": 990000000}`` is 19.99."""
    units, nanos = value.get("units") or 0, value.get("nanos") or 0
    try:
        units, nanos = int(units), int(nanos)
    except (TypeError, ValueError):
        raise ValueError(f"cannot read a price from {value!r}") from None
    if units < 0 or not 0 <= nanos < 1_000_000_000:
        raise ValueError(f"cannot read a price from {value!r}")
    return round(units + nanos / 1e9, 9)


def parse_int(value: Any) -> int | None:
    """A whole number such as a stock count: 12, "12", "12.0"; empty means None."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(f"expected a whole number, got {value!r}")
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"expected a whole number, got {str(value).strip()!r}") from None
    if not number.is_integer():
        raise ValueError(f"expected a whole number, got {str(value).strip()!r}")
    return int(number)


_TRUE = {"true", "t", "yes", "y", "1", "in stock", "instock", "in_stock", "available", "preorder",
         "backorder", "on", "active", "published"}
_FALSE = {"false", "f", "no", "n", "0", "out of stock", "outofstock", "out_of_stock", "unavailable",
          "sold out", "soldout", "discontinued", "off", "inactive"}


def parse_bool(value: Any) -> bool | None:
    """Yes/no as exports write it, including schema.org availability ("https://schema.org/InStock")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if not text:
        return None
    text = text.rsplit("/", 1)[-1]
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected yes/no (true/false, in stock/out of stock), got {str(value).strip()!r}")


def as_text(value: Any) -> str:
    """A cell or JSON value as stripped text; None and empty stay empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def spec_key(name: str) -> str:
    """A column name as a specs key in the catalog's style: "Weight (g)" -> "weight_g"."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_") or "spec"


def collapse(values: list[float]) -> float | int | str | None:
    """One number for a product from its variants' numbers: the value, or "low-high" when they differ."""
    distinct = sorted(set(values))
    if not distinct:
        return None
    tidy = [int(v) if float(v).is_integer() else v for v in distinct]
    return tidy[0] if len(tidy) == 1 else f"{tidy[0]}-{tidy[-1]}"


# --- HTML to text -----------------------------------------------------------------------------

class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article",
              "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd", "dt"}
    _SKIP = {"script", "style", "head", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text from a product description's HTML: blocks become lines, lists "- " items."""
    if not html or "<" not in html and "&" not in html:
        return (html or "").strip()
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(line for line in lines if line and line != "-")
    return text.strip()


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&[a-z]+;|&#\d+;", text or ""))


# --- images -----------------------------------------------------------------------------------

def is_url(value: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value)) or value.startswith("//")


def local_image(value: str, base_dir: Path) -> Path | None:
    """An image reference as an existing local file (relative to ``base_dir``), or None.

    A URL - or a site path like ``/static/img/x.jpg`` that is no file here - is looked up by its
    file name next to the catalog and in an ``images/`` folder there, so a store that downloaded
    its pictures beside its export gets them used offline.
    """
    value = value.strip()
    if not value:
        return None
    if is_url(value) or (value.startswith("/") and not Path(value).is_file()):
        # a URL, or a path on the store's web server ("/static/img/products/mug.jpg")
        name = value.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        candidates = [base_dir / name, base_dir / "images" / name] if name else []
    else:
        path = Path(value).expanduser()
        candidates = [path if path.is_absolute() else base_dir / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None


# --- CSV reading ------------------------------------------------------------------------------

def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV from its header line: whichever of , ; tab | occurs most."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvRecord:
    row: int            # spreadsheet row number (header is row 1)
    line: int           # line the record starts on
    values: dict[str, str]


def read_csv(path: Path, delimiter: str | None = None, encoding: str = "utf-8-sig") -> tuple[list[str], Iterator[CsvRecord]]:
    """The header and the records of a CSV file; a record's values are stripped strings."""
    try:
        text = path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise CatalogError(f"catalog file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not readable as {encoding} text ({exc.reason} at byte {exc.start});"
                           " save it as UTF-8 or set 'encoding' in the mapping") from None
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise CatalogError(f"{path}: the file is empty or has no header row")
    delimiter = delimiter or sniff_delimiter(lines[0])
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise CatalogError(f"{path}: the header row is not valid CSV ({exc})") from None
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise CatalogError(f"{path}: the header repeats column(s) {', '.join(map(repr, dupes))}")

    def records() -> Iterator[CsvRecord]:
        row = 1
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CatalogError(f"{path}: line {start}: not valid CSV ({exc})") from None
            previous_end = reader.line_num
            row += 1
            if not any(c.strip() for c in cells):
                continue
            values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}
            yield CsvRecord(row=row, line=start, values=values)

    return header, records()
