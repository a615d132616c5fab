"""Product documents - manuals, spec sheets, care guides - read into sections and spec facts.

Many stores' feeds carry only a name, a price and a description; the specs live in a PDF or a
web page per product. One file becomes a ``ProductDocument``: its title, what its front matter
says (``product: <id>`` links it to a product), and its sections (Markdown ``##`` headings, HTML
headings, PDF headings or pages). Each section keeps its text, which is embedded and cited, and
the spec facts it states, which answer "what's the weight of the X?":

- label lines: ``**Weight**: 15 lbs``, ``- **Weight:** 15 lbs``, ``Weight: 15 lbs``
  (a plain "Label: value" line counts inside a run of two or more, or when its value holds a number,
  so a lone "Note: keep dry" stays prose);
- two-column tables (Markdown pipe tables, and PDF tables whose cells pypdf's layout mode keeps
  apart by runs of spaces); a one-row table with more columns reads as header = labels.

Markdown is read as is, HTML is turned into Markdown (markdownify) first, PDF text comes from pypdf.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import CatalogError

DOCUMENT_SUFFIXES = {".md", ".markdown", ".pdf", ".html", ".htm"}
MAX_LABEL_WORDS = 5
MAX_VALUE_CHARS = 120
MAX_SECTION_CHARS = 1500        # longer sections are cut at paragraph breaks into parts

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_BOLD_FACT = re.compile(r"^(?:\*\*|__)(?P<label>[^*_:]+?)\s*:?\s*(?:\*\*|__)\s*:?\s*(?P<value>\S.*)$")
_PLAIN_FACT = re.compile(r"^(?P<label>[A-Za-z][\w ()/&+.,'’-]*?)\s*:\s+(?P<value>\S.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_CELL_GAP = re.compile(r"\s{2,}")


@dataclass
class DocumentSection:
    title: str
    slug: str
    text: str
    facts: dict[str, str] = field(default_factory=dict)     # spec key -> value
    labels: dict[str, str] = field(default_factory=dict)    # spec key -> the label as written


@dataclass
class ProductDocument:
    path: Path
    doc_id: str                      # the path relative to the docs folder, e.g. "manuals/lamp.pdf"
    title: str
    front_matter: dict
    sections: list[DocumentSection]

    def source_id(self, section: DocumentSection) -> str:
        return f"doc/{self.doc_id}#{section.slug}"

    @property
    def facts(self) -> dict[str, tuple[str, DocumentSection]]:
        """Every spec fact with the section that states it (the first one, if repeated)."""
        found: dict[str, tuple[str, DocumentSection]] = {}
        for section in self.sections:
            for key, value in section.facts.items():
                found.setdefault(key, (value, section))
        return found


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def spec_key(label: str) -> str:
    """A written label as a specs key in the catalog's style: "Net weight (lbs)" -> "net_weight_lbs"."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def find_documents(docs_dir: Path) -> list[Path]:
    """The product documents in a docs folder and its subfolders: Markdown, PDF and HTML files,
    except store policy pages (``policies/``), READMEs and hidden files."""
    docs_dir = Path(docs_dir)
    found = []
    for path in sorted(docs_dir.rglob("*")):
        rel = path.relative_to(docs_dir)
        if (not path.is_file() or path.suffix.lower() not in DOCUMENT_SUFFIXES or rel.parts[0] == "policies"
                or path.stem.lower() == "readme" or any(p.startswith(".") for p in rel.parts)):
            continue
        found.append(path)
    return found


def read_document(path: Path, root: Path | None = None) -> ProductDocument:
    """One file as a document; a file that cannot be read raises CatalogError naming it."""
    path = Path(path)
    doc_id = path.relative_to(root).as_posix() if root else path.name
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        title, meta, sections = _read_pdf(path)
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path}: cannot read the document ({exc})") from None
        if suffix in (".html", ".htm"):
            title, meta, text = _html_to_markdown(text)
            md_title, more, sections = _read_markdown(text, path)
            meta = {**more, **meta}
            title = title or md_title
        elif suffix in (".md", ".markdown"):
            title, meta, sections = _read_markdown(text, path)
        else:
            raise CatalogError(f"{path}: not a document type the assistant reads ({', '.join(sorted(DOCUMENT_SUFFIXES))})")
    title = str(meta.get("title") or title or path.stem.replace("-", " ").replace("_", " ").strip())
    return ProductDocument(path, doc_id, title, meta, _split_long(sections))


# --- Markdown ------------------------------------------------------------------------------------

def _read_markdown(text: str, path: Path) -> tuple[str, dict, list[DocumentSection]]:
    meta: dict = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group("yaml")) or {}
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path}: the front matter is not valid YAML ({exc})") from None
        if not isinstance(meta, dict):
            raise CatalogError(f"{path}: the front matter must be 'key: value' lines")
        text = text[match.end():]
    title = ""
    sections: list[DocumentSection] = []
    current, lines = "Overview", []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(_section(current, body, lines))

    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading and len(heading.group("hashes")) == 1 and not title:
            flush()
            title, lines = _strip_marks(heading.group("title")), []
        elif heading:
            flush()
            current, lines = _strip_marks(heading.group("title")), []
        else:
            lines.append(line)
    flush()
    return title, meta, sections


def _section(title: str, body: str, lines: list[str]) -> DocumentSection:
    pairs = _table_facts(lines) + _line_facts(lines)
    section = DocumentSection(title=title, slug=slug(title), text=body)
    for label, value in pairs:
        key = spec_key(label)
        if key and key not in section.facts:
            section.facts[key], section.labels[key] = value, label
    return section


def _strip_marks(text: str) -> str:
    return re.sub(r"(\*\*|__|`)", "", text).strip().strip("*_").strip()


def _fact_line(line: str) -> tuple[str, str, bool] | None:
    """(label, value, bold) when the line states one spec as "Label: value"."""
    text = _LIST_MARK.sub("", line.strip()).strip()
    if not text or text.startswith("|"):
        return None
    bold = _BOLD_FACT.match(text)
    match = bold or _PLAIN_FACT.match(text)
    if not match:
        return None
    label, value = _strip_marks(match.group("label")), _strip_marks(match.group("value"))
    if (not label or not value or len(label.split()) > MAX_LABEL_WORDS or len(value) > MAX_VALUE_CHARS
            or "://" in value or label.lower().startswith(("http", "www"))):
        return None
    return label, value, bool(bold)


def _line_facts(lines: list[str]) -> list[tuple[str, str]]:
    """Label lines: bold ones always; plain ones in a run of two or more, or with a number in them."""
    parsed = [_fact_line(line) for line in lines]
    facts = []
    for i, item in enumerate(parsed):
        if item is None:
            continue
        label, value, bold = item
        neighbours = [parsed[j] for j in (i - 1, i + 1) if 0 <= j < len(parsed)]
        in_run = any(n is not None for n in neighbours)
        if bold or in_run or (re.search(r"\d", value) and len(value.split()) <= 8):
            facts.append((label, value))
    return facts


def _cells(line: str) -> list[str]:
    return [_strip_marks(c) for c in line.strip().strip("|").split("|")]


def _table_facts(lines: list[str]) -> list[tuple[str, str]]:
    """Facts from Markdown pipe tables: two columns read as label | value (the header too when its
    value cell holds a number - a table written without a header row); one data row under a wider
    header reads as header = labels."""
    facts: list[tuple[str, str]] = []
    i = 0
    while i + 1 < len(lines):
        if "|" in lines[i] and _TABLE_RULE.match(lines[i + 1].strip()):
            header = _cells(lines[i])
            rows = []
            j = i + 2
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                rows.append(_cells(lines[j]))
                j += 1
            if len(header) == 2:
                if re.search(r"\d", header[1]):
                    rows.insert(0, header)
                facts += [(r[0], r[1]) for r in rows if len(r) >= 2 and r[0] and r[1]]
            elif len(rows) == 1:
                facts += [(h, v) for h, v in zip(header, rows[0]) if h and v]
            i = j
        else:
            i += 1
    return facts


# --- HTML ----------------------------------------------------------------------------------------

def _html_to_markdown(html: str) -> tuple[str, dict, str]:
    """(the page's <title>, its <meta name="product"> and such, its body as Markdown)."""
    from markdownify import markdownify

    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    meta = {m.group(1).lower(): m.group(2) for m in re.finditer(
        r"<meta\s+name=[\"']([\w-]+)[\"']\s+content=[\"']([^\"']*)[\"']", html, re.I)}
    meta = {k: v for k, v in meta.items() if k in ("product", "title")}
    body = re.sub(r"<head\b.*?</head>", "", html, flags=re.S | re.I)
    markdown = markdownify(body, heading_style="ATX", bullets="-", strip=["script", "style"])
    return (_strip_marks(re.sub(r"\s+", " ", title.group(1))) if title else ""), meta, markdown


# --- PDF -----------------------------------------------------------------------------------------

def _read_pdf(path: Path) -> tuple[str, dict, list[DocumentSection]]:
    """Text by page in pypdf's layout mode, which keeps table cells apart; a short line standing
    alone between blank lines is a heading."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
        info = reader.metadata or {}
    except (PdfReadError, OSError, ValueError) as exc:
        raise CatalogError(f"{path}: cannot read the PDF ({exc})") from None
    meta = {}
    if info.get("/Product"):
        meta["product"] = str(info["/Product"])
    title = str(info.get("/Title") or "").strip()
    sections: list[DocumentSection] = []
    for number, text in enumerate(pages, start=1):
        lines = [line.rstrip() for line in text.splitlines()]
        current, body = f"page {number}", []

        def flush() -> None:
            if any(line.strip() for line in body):
                rows = _pdf_rows(body)
                sections.append(_section(current, "\n".join(rows).strip(), rows))

        for i, line in enumerate(lines):
            if _pdf_heading(lines, i):
                if not title and not sections and not any(x.strip() for x in body):
                    title = line.strip()
                    continue
                flush()
                current, body = line.strip(), []
            else:
                body.append(line)
        flush()
    return title, meta, sections


def _pdf_heading(lines: list[str], i: int) -> bool:
    text = lines[i].strip()
    if not text or len(text.split()) > 8 or _CELL_GAP.search(text) or text.endswith((".", ":", ",", ";")):
        return False
    if ":" in text or not text[0].isupper():
        return False
    before = i == 0 or not lines[i - 1].strip()
    after = i + 1 >= len(lines) or not lines[i + 1].strip()
    return before and after


def _pdf_rows(lines: list[str]) -> list[str]:
    """PDF lines with table rows ("Weight        15 lbs") rewritten as "Weight: 15 lbs" when two
    or more such two-cell rows follow each other; other lines lose their layout indentation."""
    cells = [_CELL_GAP.split(line.strip()) if line.strip() else [] for line in lines]
    two = [len(c) == 2 and ":" not in c[0] for c in cells]
    out = []
    for i, line in enumerate(lines):
        run = two[i] and ((i > 0 and two[i - 1]) or (i + 1 < len(lines) and two[i + 1]))
        out.append(f"{cells[i][0]}: {cells[i][1]}" if run else re.sub(r"\s{2,}", " ", line.strip()))
    return out


def _split_long(sections: list[DocumentSection]) -> list[DocumentSection]:
    """Cut sections longer than MAX_SECTION_CHARS at paragraph breaks ("care", "care-2", ...);
    each part keeps the facts it states."""
    out: list[DocumentSection] = []
    seen: dict[str, int] = {}
    for section in sections:
        parts, current = [], ""
        for paragraph in re.split(r"\n\s*\n", section.text):
            if current and len(current) + len(paragraph) > MAX_SECTION_CHARS:
                parts.append(current)
                current = paragraph
            else:
                current = f"{current}\n\n{paragraph}" if current else paragraph
        parts.append(current)
        for n, text in enumerate(parts, start=1):
            lines = text.splitlines()
            part = section if len(parts) == 1 else _section(section.title, text.strip(), lines)
            part.slug = section.slug if n == 1 else f"{section.slug}-{n}"
            count = seen.get(part.slug, 0)
            seen[part.slug] = count + 1
            if count:
                part.slug = f"{part.slug}-{count + 1}"
            out.append(part)
    return out
